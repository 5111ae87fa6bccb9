import DeviceTree
import Partitioning

/// One address behind the fence in each other kernel's memory, as a kernel's
/// `/chosen/cleave` names them under any fence (OpenSBI domains' PMP, the
/// AArch64 EL2 fence), so a kernel that wants to prove its isolation (the
/// probe kernel does) knows where a load must fault:
///   fenced = <hi lo ...>;           the base of every other kernel's lowest memory range
///   fenced-kernels = "k1", ...;     whose memory each address is
/// Neither is written when no other kernel has memory.
enum FencedMemory {
  static func properties(_ p: Partition, kernel index: Int) -> [Property] {
    var cells: [UInt32] = []
    var names: [String] = []
    for k in p.kernels where k.index != index {
      guard let base = k.memory.first?.range.base else { continue }
      cells += address(base)
      names.append(k.name)
    }
    guard !names.isEmpty else { return [] }
    return [Property(name: "fenced", cells: cells), Property(name: "fenced-kernels", strings: names)]
  }

  /// A 64-bit value as two cells, `<hi lo>`.
  static func address(_ value: UInt64) -> [UInt32] { [UInt32(value >> 32), UInt32(value & 0xffff_ffff)] }
}
