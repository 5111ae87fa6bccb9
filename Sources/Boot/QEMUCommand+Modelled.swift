import DeviceTree
import Machine
import Partitioning

/// What QEMU's `virt` machines cannot be made to look like. A board without
/// recorded QEMU options is booted on options derived from it; when the board
/// differs from every `virt` machine in a way no option changes, the boot
/// could only time out, so `cleave run` refuses it first and says why.
extension QEMUCommand {
  /// QEMU 7.2's `virt` layout: RAM base, interrupt-controller base, CPU limit.
  struct VirtLayout {
    var ramBase: UInt64
    var controllerBase: UInt64
    var controllerFrame: String
    var maxCPUs: Int
  }

  static func virtLayout(target: Plan.Target, machine: Machine) -> VirtLayout {
    switch target {
    case .aarch64:
      let v2 = machine.primaryInterruptController?.kind == .gicV2
      return VirtLayout(
        ramBase: 0x4000_0000, controllerBase: 0x0800_0000, controllerFrame: "gicd", maxCPUs: v2 ? 8 : 512)
    case .riscv64:
      return VirtLayout(
        ramBase: 0x8000_0000, controllerBase: 0x0c00_0000, controllerFrame: "plic", maxCPUs: 512)
    }
  }

  /// The CPU ids QEMU gives `-smp n` on `virt`: MPIDR Aff1 counts clusters of
  /// 16 cores under GICv3 and 8 under GICv2 (its SGI target-list widths); hart ids count from 0.
  static func virtCPUIDs(target: Plan.Target, machine: Machine, count: Int) -> [UInt64] {
    switch target {
    case .aarch64:
      let cluster: UInt64 = machine.primaryInterruptController?.kind == .gicV2 ? 8 : 16
      return (0..<UInt64(count)).map { (($0 / cluster) << 8) | ($0 % cluster) }
    case .riscv64:
      return (0..<UInt64(count)).map { $0 }
    }
  }

  /// Each way the board differs from the `virt` machine its derived options
  /// would start; empty when QEMU can model it.
  public static func unmodelled(target: Plan.Target, machine m: Machine) -> [String] {
    let layout = virtLayout(target: target, machine: m)
    var reasons: [String] = []
    let cpus = m.cpus.count
    if cpus > layout.maxCPUs {
      reasons.append(
        "\(cpus) CPUs: QEMU's virt machine takes at most \(layout.maxCPUs) with this interrupt controller")
    }
    let ids = Set(virtCPUIDs(target: target, machine: m, count: cpus))
    let foreign = m.cpus.filter { !ids.contains($0.hardwareID) }
    if let first = foreign.first {
      reasons.append(
        "CPU \(first.name) has id \(Format.hex(first.hardwareID))\(foreign.count > 1 ? " (and \(foreign.count - 1) more)" : ""), which QEMU's virt machine does not number any of its \(cpus) CPUs"
      )
    }
    // -m is the board's total: RAM QEMU gives is one bank from its base.
    let total = max(m.totalMemory, 128 << 20)
    let given = AddressRange(base: layout.ramBase, size: total)
    if m.memory.isEmpty {
      reasons.append("the board names no RAM")
    }
    for bank in m.memory where !given.contains(bank.range) {
      reasons.append(
        "RAM \(bank.range) (\(bank.path)) is not where QEMU's virt machine puts RAM: one bank \(given) for -m \(total >> 20)M"
      )
    }
    if let frame = m.primaryInterruptController?.frames.first(where: { $0.name == layout.controllerFrame }),
      frame.range.base != layout.controllerBase
    {
      reasons.append(
        "the \(layout.controllerFrame.uppercased()) is at \(Format.hex(frame.range.base)); QEMU's virt machine has it at \(Format.hex(layout.controllerBase))"
      )
    }
    return reasons
  }
}
