import DeviceTree
import Machine

/// What seL4 does with a partition that the plan does not show: warnings for
/// `kind: sel4` kernels, each a limit seen when booting real seL4 kernels.
enum SeL4Checks {
  /// seL4 rounds its physical base up to this.
  static let physBaseAlignment: UInt64 = 2 << 20

  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    for k in p.kernels where k.kind == .sel4 {
      let spec = p.plan.kernels[k.index]
      let at = spec.kind?.location ?? k.location
      if let first = k.memory.min(by: { $0.range < $1.range }), first.range.base % physBaseAlignment != 0 {
        let rounded = roundedUp(first.range, physBaseAlignment)
        engine.warning(
          .sel4BaseMisaligned,
          "seL4 starts its kernel on a 2 MiB boundary: '\(k.name)' memory begins at \(Format.hex(first.range.base)), "
            + (rounded.map {
              "so seL4 moves its base to \(Format.hex($0)) and hands the \(Format.size($0 - first.range.base)) below it to its root task as device memory"
            } ?? "and no 2 MiB boundary lies inside it"),
          at: first.location)
      }
      if p.target == .riscv64, let boot = k.bootCPU, p.machine.cpus[boot].hardwareID != 0 {
        engine.warning(
          .sel4BootHart,
          "'\(k.name)' boots on hart \(p.machine.cpus[boot].hardwareID) (\(p.cpuName(boot))), but seL4's qemu-riscv-virt "
            + "platform forces FIRST_HART_ID 0: its elfloader starts hart 0 and the kernel never runs on its own harts",
          at: k.cpuLocations[boot] ?? at)
      }
      let ends = p.channels.filter { $0.members.contains(k.index) }
      if k.cpus.count > 1, !ends.isEmpty {
        engine.warning(
          .sel4SMPDoorbell,
          "'\(k.name)' is an SMP seL4 on \(k.cpus.count) cores with \(ends.count) channel\(ends.count == 1 ? "" : "s") "
            + "(\(ends.map(\.name).joined(separator: ", "))): seL4_IRQControl_IssueSGISignal exists only in "
            + "single-core builds, so this kernel can take doorbells but not ring its peers",
          at: at)
      }
      if k.stdout == nil, !k.allDevices.contains(where: { p.machine.devices[$0].isUART }) {
        engine.warning(
          .sel4NoConsole,
          "'\(k.name)' owns and shares no UART: seL4 with printing on (a debug build's default) does not link "
            + "without one (undefined reference to uart_drv_putchar); share the console "
            + "(shared: [{ device: …, kernels: […] }]) or build seL4 without printing",
          at: at)
      }
    }
  }

  /// The first multiple of `alignment` inside `r`, if any (no arithmetic past 2^64).
  static func roundedUp(_ r: AddressRange, _ alignment: UInt64) -> UInt64? {
    let (sum, overflow) = r.base.addingReportingOverflow(alignment - 1)
    guard !overflow, r.size > 0 else { return nil }
    let base = sum & ~(alignment - 1)
    return base <= r.last ? base : nil
  }
}
