import DeviceTree
import Machine

/// What the AArch64 EL2 fence (`isolation: stage2`) needs of the machine and
/// the plan: EL2 free for the loader with the GIC's virtualization interface,
/// cores started through PSCI, kernels that run at EL1 by a protocol the fence
/// supports, and device pages that belong to one kernel each.
enum FenceChecks {
  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    guard let fence = p.isolation else { return }
    let asked = Diagnostic.Note("the fence is asked for here", at: fence.location)
    guard p.target == .aarch64 else {
      engine.error(
        .fenceNeedsEL2,
        "isolation: stage2 is AArch64's EL2 fence; the target is \(p.target.rawValue), which has no EL2 "
          + "(boot: opensbi-domains fences RISC-V kernels with PMP)",
        at: fence.location)
      return
    }
    checkMachine(p, fence.location, &engine)
    if p.boot == .spinTable {
      engine.error(
        .fenceNeedsPSCI,
        "isolation: stage2 needs boot: psci; spin-table cores are released by their kernels straight into EL2, "
          + "past the fence",
        at: p.plan.boot?.location ?? fence.location, notes: [asked])
    }
    for k in p.kernels {
      let spec = p.plan.kernels[k.index]
      if k.exceptionLevel == .el2 {
        engine.error(
          .fenceKernelNeedsEL2,
          "'\(k.name)' must be entered at EL2, but under isolation: stage2 the fence holds EL2 and enters every "
            + "kernel at EL1",
          at: spec.exceptionLevel?.location ?? k.location, notes: [asked])
      }
      if k.protocol == .sel4BootInfo {
        engine.error(
          .fenceProtocol,
          "'\(k.name)' is a sel4-boot-info kernel; the fence does not support seL4's multikernel boot protocol yet",
          at: spec.image?.protocol.location ?? k.location, notes: [asked])
      }
    }
    FencePages.check(p, &engine)
  }

  /// EL2 for the loader: PSCI not through hvc (a hypervisor answers those)
  /// and a GIC that shows its virtualization interface.
  private static func checkMachine(_ p: Partition, _ at: SourceLocation, _ engine: inout DiagnosticEngine) {
    if let psci = p.machine.psci, psci.method == "hvc" {
      let node = p.machine.tree.node(path: "/psci").map { p.machine.tree.path(of: $0) } ?? "/psci"
      engine.error(
        .fenceNeedsEL2,
        "the board calls PSCI through hvc: a hypervisor holds EL2 (QEMU's virt machine does without "
          + "virtualization=on), so the loader would run at EL1 and could not fence",
        at: at, notes: [.init("the board's PSCI method is here", at: p.boardLocation(node + ":method"))])
    }
    guard let ic = p.machine.primaryInterruptController else {
      engine.error(.fenceNeedsEL2, "the board has no GIC; the fence emulates a GIC distributor", at: at)
      return
    }
    let missing: String? =
      switch ic.kind {
      case .gicV3?:
        p.machine.tree.property("interrupts", of: ic.node) == nil
          ? "its GICv3 \(ic.path) has no maintenance interrupt (`interrupts`)" : nil
      case .gicV2?:
        ic.frames.count < 4
          ? "its GICv2 \(ic.path) has \(ic.frames.count) reg entries, no GICH and GICV" : nil
      default: "its interrupt controller \(ic.path) is not a GIC"
      }
    if let missing {
      engine.error(
        .fenceNeedsEL2,
        "isolation: stage2 needs the GIC's virtualization interface, and the board shows none: \(missing); "
          + "the machine's EL2 is off or not emulated (QEMU: -M virt,virtualization=on)",
        at: at, notes: [.init("the interrupt controller is here", at: p.boardLocation(ic.path))])
    }
  }
}
