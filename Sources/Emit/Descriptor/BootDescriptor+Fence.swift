import CBootABI
import DeviceTree
import Partitioning

/// What the descriptor tells the EL2 fence (`isolation: stage2`): the flags
/// that turn it on, say what it does on a fault and whether it traps GICv3
/// SGIs, and the device windows
/// each kernel may reach (``Partition/fenceWindows``, the one definition the
/// checks hold to).
extension BootDescriptor {
  /// `cleave_desc.flags`.
  static func flags(_ p: Partition) -> UInt32 {
    guard let fence = p.isolation else { return 0 }
    var flags = UInt32(CLEAVE_DESC_FENCE)
    if fence.onFault == .stop { flags |= UInt32(CLEAVE_DESC_FENCE_STOP) }
    if fence.filterSGIs { flags |= UInt32(CLEAVE_DESC_FENCE_SGIS) }
    return flags
  }

  /// The window table, grouped by kernel in kernel order; empty without the fence.
  static func windows(_ p: Partition) -> [cleave_window] {
    p.fenceWindows.map { w in
      cleave_window(
        range: cleave_range(base: w.range.base, size: w.range.size), kernel: UInt32(w.kernel),
        kind: w.kind == .owned ? UInt32(CLEAVE_WINDOW_OWNED) : UInt32(CLEAVE_WINDOW_SHARED))
    }
  }
}
