import DeviceTree
import Machine

/// interrupts: sources owned twice, unknown extra interrupts, GICv2 CPU
/// interfaces, and the distributor that only one kernel may initialise.
enum InterruptChecks {
  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    let controller = p.machine.primaryInterruptController
    var all: [(number: UInt32, kernel: Int, irq: Partition.OwnedInterrupt)] = []
    for k in p.kernels { for i in k.interrupts { all.append((i.number, k.index, i)) } }
    all.sort { ($0.number, $0.kernel) < ($1.number, $1.kernel) }
    for (a, b) in zip(all, all.dropFirst()) where a.number == b.number && a.kernel != b.kernel {
      engine.error(
        .interruptOwnedTwice,
        "\(name(b.number, controller)) is owned by '\(p.kernels[b.kernel].name)'\(from(b.irq, p)) and by '\(p.kernels[a.kernel].name)'\(from(a.irq, p))",
        at: b.irq.location, notes: [.init("'\(p.kernels[a.kernel].name)' takes it here", at: a.irq.location)])
    }
    for k in p.kernels {
      for i in k.interrupts where i.device == nil {
        if let problem = invalid(i.number, controller) {
          engine.error(.interruptUnknown, problem, at: i.location)
        }
      }
    }
    if controller?.kind == .gicV2 {
      for k in p.kernels {
        for c in k.cpus where c >= 8 {
          engine.error(
            .gicv2CPUInterface,
            "\(p.cpuName(c)) of '\(k.name)' is CPU \(c); GICv2 has CPU interfaces 0-7 only, so it cannot take SGIs or routed SPIs",
            at: k.cpuLocations[c])
        }
      }
    }
    // seL4 boot-info kernels have their own check (BootInfoChecks: node 0 owns the distributor and starts first).
    let resetting = p.kernels.filter { $0.resetsInterruptController && $0.protocol != .sel4BootInfo }
    let owner = p.interruptControllerOwner
    let what = controller?.kind == .plic ? "PLIC" : "interrupt distributor"
    if resetting.count > 1 {
      for k in resetting.dropFirst() {
        engine.error(
          .distributorInitialisedTwice,
          "'\(k.name)' (\(resetter(k))) and '\(resetting[0].name)' (\(resetter(resetting[0]))) both reset the whole \(what) at boot; "
            + "the second reset \(undoes(controller)) \(routes(of: resetting[0], in: p)); at most one such kernel may run",
          at: resetLocation(k, in: p),
          notes: [.init("'\(resetting[0].name)' resets it here", at: resetLocation(resetting[0], in: p))])
      }
    } else if let k = resetting.first, owner != k.index {
      let ownerName = owner.map { "'\(p.kernels[$0].name)'" } ?? "no kernel"
      engine.error(
        .distributorInitialisedTwice,
        "'\(k.name)' (\(resetter(k))) resets the whole \(what) at boot, which \(undoes(controller)) "
          + "\(owner.map { routes(of: p.kernels[$0], in: p) } ?? "every other kernel's interrupts"), but \(ownerName) owns the interrupt controller; "
          + "give '\(k.name)' owns: [interrupt-controller], so it is started first",
        at: resetLocation(k, in: p))
    }
  }

  /// Why cleave takes a kernel to reset the controller.
  private static func resetter(_ k: Partition.Kernel) -> String {
    if k.kind == .sel4 { return "seL4" }
    if k.protocol == .linux { return "Linux" }
    return "resets: [interrupt-controller]"
  }

  private static func undoes(_ c: InterruptController?) -> String {
    c?.kind == .plic
      ? "rewrites every source's priority, undoing"
      : "disables the distributor, clears every SPI and routes them all to its own core, undoing"
  }

  /// "the routing of SPIs 33, 34 that 'k0' owns", or its interrupt setup when it owns none.
  private static func routes(of k: Partition.Kernel, in p: Partition) -> String {
    let spis = Set(k.interrupts.map(\.number)).sorted()
    guard !spis.isEmpty else { return "the interrupt setup of '\(k.name)'" }
    let shown = spis.prefix(4).map(String.init).joined(separator: ", ") + (spis.count > 4 ? ", …" : "")
    let noun = p.machine.primaryInterruptController?.kind == .plic ? "source" : "SPI"
    return "the routing of \(noun)\(spis.count == 1 ? "" : "s") \(shown) that '\(k.name)' owns"
  }

  private static func resetLocation(_ k: Partition.Kernel, in p: Partition) -> SourceLocation? {
    let spec = p.plan.kernels[k.index]
    return spec.kind?.location ?? spec.resets.first?.location ?? k.imageLocation ?? k.location
  }

  private static func name(_ n: UInt32, _ c: InterruptController?) -> String {
    c?.kind == .plic ? "PLIC source \(n)" : "SPI \(n)"
  }

  private static func from(_ i: Partition.OwnedInterrupt, _ p: Partition) -> String {
    i.device.map { " (through \(p.machine.devices[$0].path))" } ?? ""
  }

  private static func invalid(_ n: UInt32, _ c: InterruptController?) -> String? {
    switch c?.kind {
    case .plic?:
      let max = c?.sources ?? 1023
      return (1...max).contains(n) ? nil : "PLIC source \(n) does not exist (sources are 1-\(max))"
    case .gicV2?, .gicV3?:
      if n < 32 {
        return "interrupt \(n) is \(n < 16 ? "an SGI" : "a PPI"); only SPIs (32-1019) can be owned"
      }
      if n > 1019 && !(4096...5119).contains(n) {
        return "interrupt \(n) is not an SPI (32-1019) or extended SPI (4096-5119)"
      }
      return nil
    default:
      return nil
    }
  }
}
