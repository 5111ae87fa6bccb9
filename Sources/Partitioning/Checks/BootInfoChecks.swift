import DeviceTree
import Machine

/// What seL4's multikernel boot protocol needs of a `protocol: sel4-boot-info`
/// kernel: a 2 MiB-aligned base with room for window, root task and record,
/// one core, a record that can say everything, one system core list, a node 0
/// that owns the distributor and starts first, and no SPI it could take.
enum BootInfoChecks {
  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    let sel4 = p.kernels.filter { $0.protocol == .sel4BootInfo }
    guard !sel4.isEmpty else { return }
    if p.target != .aarch64, let k = sel4.first {
      engine.error(
        .targetMismatch,
        "'\(k.name)' is a sel4-boot-info kernel; seL4's multikernel boot protocol is AArch64 only",
        at: k.imageLocation ?? k.location)
      return
    }
    for k in sel4 {
      if k.image.map({ $0.format != .elf }) ?? false {
        engine.error(
          .imageUnreadable, "image of '\(k.name)' is not an ELF file; a sel4-boot-info kernel is one",
          at: k.imageLocation)
        continue
      }
      if let first = k.memory.first, first.range.base % SeL4Window.kernelAlignment != 0 {
        engine.error(
          .bootInfoBase,
          "'\(k.name)' memory begins at \(Format.hex(first.range.base)); a sel4-boot-info kernel's base must be 2 MiB aligned",
          at: first.location)
      }
      if k.cpus.count > 1, let second = k.cpus.dropFirst().first {
        engine.error(
          .bootInfoCores,
          "'\(k.name)' has \(k.cpus.count) cores; the sel4-boot-info protocol starts one core per kernel instance, "
            + "so \(p.cpuName(second)) would never run: give each instance its own kernel",
          at: k.cpuLocations[second] ?? k.location)
      }
      checkLayout(k, p, &engine)
    }
    checkCoreLists(sel4, p, &engine)
    checkPrimary(sel4, p, &engine)
    checkSPIs(sel4, p, &engine)
  }

  private static func checkLayout(_ k: Partition.Kernel, _ p: Partition, _ engine: inout DiagnosticEngine) {
    guard let layout = BootInfoLayout.make(p, kernel: k.index), let first = k.memory.first else { return }
    let limit: UInt128 = k.dtb.map { UInt128($0.base) } ?? first.range.end
    if layout.record.end > limit {
      let need = layout.record.end - UInt128(first.range.base) + (first.range.end - limit)
      engine.error(
        .bootInfoMemory,
        "'\(k.name)' memory \(first.range) is too small: its kernel window (\(Format.size(layout.window.size)), "
          + "the image rounded up to 2 MiB), root task (\(Format.size(layout.root.size))) and record "
          + "(\(Format.size(layout.record.size)))\(k.dtb == nil ? "" : " below its DTB slot") need "
          + "\(Format.size(UInt64(clamping: need)))",
        at: first.location)
    }
    if layout.ram.count > BootInfoLayout.maxRAM || layout.reserved.count > BootInfoLayout.maxReserved {
      engine.error(
        .bootInfoRegions,
        "the record of '\(k.name)' would carry \(layout.ram.count) RAM and \(layout.reserved.count) reserved regions; "
          + "it holds at most \(BootInfoLayout.maxRAM) and \(BootInfoLayout.maxReserved)",
        at: p.plan.kernels[k.index].memoryLocation ?? k.location)
    }
  }

  private static func names(_ cores: [Int], _ p: Partition) -> String {
    let shown = cores.prefix(8).map { p.cpuName($0) }.joined(separator: ", ")
    return "[\(shown)\(cores.count > 8 ? ", … (\(cores.count))" : "")]"
  }

  private static func checkCoreLists(
    _ sel4: [Partition.Kernel], _ p: Partition, _ engine: inout DiagnosticEngine
  ) {
    for k in sel4 {
      if let boot = k.bootCPU, !k.systemCores.contains(boot) {
        engine.error(
          .bootInfoCoreList,
          "the system core list of '\(k.name)' \(names(k.systemCores, p)) does not hold its own core \(p.cpuName(boot)), "
            + "so it has no node index",
          at: k.systemCoresLocation ?? k.location)
      }
    }
    guard let first = sel4.first else { return }
    for k in sel4.dropFirst() where k.systemCores != first.systemCores {
      engine.error(
        .bootInfoCoreList,
        "'\(k.name)' has the system core list \(names(k.systemCores, p)) and '\(first.name)' \(names(first.systemCores, p)); "
          + "every instance must carry the same MPIDRs in the same order",
        at: k.systemCoresLocation ?? k.location,
        notes: [.init("'\(first.name)' has its list here", at: first.systemCoresLocation ?? first.location)])
    }
  }

  private static func checkPrimary(
    _ sel4: [Partition.Kernel], _ p: Partition, _ engine: inout DiagnosticEngine
  ) {
    for k in sel4 where k.bootCPU != nil && k.bootCPU == k.systemCores.first {
      let at = p.plan.kernels[k.index].owns.first?.location ?? k.imageLocation ?? k.location
      if p.interruptControllerOwner != k.index {
        let owner = p.interruptControllerOwner.map { "'\(p.kernels[$0].name)'" } ?? "no kernel"
        engine.error(
          .bootInfoPrimary,
          "'\(k.name)' is seL4 node 0 (its core \(p.cpuName(k.bootCPU ?? 0)) comes first in the system core list) and "
            + "masks every SPI when it boots, but \(owner) owns the interrupt controller; give '\(k.name)' "
            + "owns: [interrupt-controller]",
          at: at)
      }
      for other in p.kernels where other.index != k.index && other.resetsInterruptController {
        engine.error(
          .bootInfoPrimary,
          "'\(k.name)' is seL4 node 0 and must start first, but '\(other.name)' also resets the distributor at boot "
            + "and would be started first",
          at: p.plan.kernels[other.index].kind?.location ?? other.imageLocation ?? other.location,
          notes: [.init("'\(k.name)' is node 0 here", at: at)])
      }
    }
  }

  private static func checkSPIs(_ sel4: [Partition.Kernel], _ p: Partition, _ engine: inout DiagnosticEngine)
  {
    guard p.machine.primaryInterruptController.map({ [.gicV2, .gicV3].contains($0.kind) }) ?? false else {
      return
    }
    for k in sel4 where p.interruptControllerOwner != k.index {
      var foreign: [(number: UInt32, owner: Int)] = []
      for other in p.kernels where other.index != k.index {
        for n in Set(other.interrupts.map(\.number)) { foreign.append((n, other.index)) }
      }
      guard !foreign.isEmpty else { continue }
      foreign.sort { $0.number < $1.number }
      let shown = foreign.prefix(4).map { "SPI \($0.number) of '\(p.kernels[$0.owner].name)'" }
        .joined(separator: ", ")
      engine.error(
        .bootInfoSPIReroute,
        "'\(k.name)' does not own the interrupt controller, yet as a sel4-boot-info kernel it can re-route "
          + "\(shown)\(foreign.count > 4 ? " and \(foreign.count - 4) more" : ""): the seL4 multikernel branch lets "
          + "any instance move any SPI (SetIrqTargetCore)",
        at: k.imageLocation ?? k.location)
    }
  }
}
