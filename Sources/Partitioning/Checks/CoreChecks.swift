import CBootABI
import DeviceTree
import Machine

/// cores: given twice, kernels without cores, cores nobody uses.
enum CoreChecks {
  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    var owner: [Int: Int] = [:]
    for k in p.kernels {
      for c in k.cpus {
        if let first = owner[c] {
          engine.error(
            .coreAssignedTwice,
            "\(p.cpuName(c)) (id \(Format.hex(p.machine.cpus[c].hardwareID))) is given to '\(k.name)' and to '\(p.kernels[first].name)'",
            at: k.cpuLocations[c],
            notes: [.init("'\(p.kernels[first].name)' takes it here", at: p.kernels[first].cpuLocations[c])])
        } else {
          owner[c] = k.index
        }
      }
      if k.cpus.isEmpty && p.plan.kernels[k.index].cores.isEmpty {
        engine.error(.kernelWithoutCores, "kernel '\(k.name)' has no cores", at: k.location)
      }
    }
    bootMethods(p, &engine)
    architectures(p, &engine)
    // Cores of another architecture (a System Device Tree's R5s) run other
    // software; that no kernel uses them is the expected case, not a typo.
    let idle = p.machine.cpus.filter { $0.enabled && owner[$0.index] == nil && !p.isForeign($0) }
    if !idle.isEmpty, !p.kernels.isEmpty {
      engine.warning(
        .coreUnassigned,
        "\(idle.count) core\(idle.count == 1 ? " is" : "s are") given to no kernel: \(idle.map(\.name).joined(separator: ", "))",
        at: p.plan.kernelsLocation ?? p.kernels[0].location)
    }
  }

  /// Every core of a kernel must run the target's instruction set. A core whose
  /// architecture the tree does not say is given the benefit of the doubt.
  /// A plan whose target is not the board's architecture at all is reported
  /// once, by target_mismatch, not once per core.
  private static func architectures(_ p: Partition, _ engine: inout DiagnosticEngine) {
    guard p.machine.architecture == .unknown || p.machine.architecture.rawValue == p.target.rawValue else {
      return
    }
    for k in p.kernels {
      for c in k.cpus where p.isForeign(p.machine.cpus[c]) {
        let cpu = p.machine.cpus[c]
        let cluster = p.machine.cluster(of: c).map { " in cluster \($0.labels.first ?? $0.path)" } ?? ""
        engine.error(
          .coreArchitecture,
          "'\(k.name)' runs on \(cpu.path) (\(cpu.compatible ?? "no compatible"), architecture \(cpu.architecture.rawValue))\(cluster); target \(p.target.rawValue) runs only on \(p.target.rawValue) cores",
          at: k.cpuLocations[c] ?? k.location)
      }
    }
  }

  /// On AArch64 the loader starts a kernel's boot core, and the kernel its
  /// other cores, the way the plan's `boot:` says: `psci` (PSCI CPU_ON) or
  /// `spin-table` (a write to the core's release address). One method per
  /// plan: every core a kernel uses must start that way (the board's one
  /// core, which the loader itself runs on, needs no starting). PSCI the tree
  /// leaves to the firmware is a warning; a release address in granted
  /// memory is an error of its own.
  private static func bootMethods(_ p: Partition, _ engine: inout DiagnosticEngine) {
    guard p.boot == .psci || p.boot == .spinTable else { return }
    var fromFirmware: [Int] = []
    for k in p.kernels where !k.cpus.isEmpty {
      var byMethod: [String: [Int]] = [:]
      // The loader's own core enters its kernel directly when it is that kernel's boot core.
      for c in k.cpus where !(p.machine.isLoaderCore(c) && k.bootCPU == c) && !p.isForeign(p.machine.cpus[c])
      {
        let method = p.machine.startMethod(of: c)
        switch (p.boot, method) {
        case (.psci, .psci), (.spinTable, .spinTable): break
        case (.psci, .psciFromFirmware): fromFirmware.append(c)
        default:
          var phrase = method.description
          if case .spinTable = method { phrase = "enable-method \"spin-table\"" }
          byMethod[phrase, default: []].append(c)
        }
      }
      for (method, cpus) in byMethod.sorted(by: { $0.key < $1.key }) {
        let release = cpus.compactMap { p.machine.cpus[$0].releaseAddress }.first
        let mode =
          p.boot == .psci
          ? "boot: psci starts cores only through PSCI CPU_ON"
          : "boot: spin-table starts cores only at their cpu-release-addr"
        engine.error(
          .bootMethodUnsupported,
          "'\(k.name)' runs on \(cpus.map(p.cpuName).joined(separator: ", ")), which start\(cpus.count == 1 ? "s" : "") with \(method)"
            + (release.map { " (cpu-release-addr \(Format.hex($0)))" } ?? "") + "; \(mode)",
          at: p.plan.boot?.location ?? k.cpuLocations[cpus[0]] ?? k.location)
      }
    }
    if let first = fromFirmware.first {
      let names = fromFirmware.map(p.cpuName).joined(separator: ", ")
      let why =
        p.machine.psci == nil
        ? "the board has no /psci node"
        : "they name no enable-method (the board has /psci)"
      engine.warning(
        .bootMethodFromFirmware,
        "\(names) start\(fromFirmware.count == 1 ? "s" : "") through PSCI, but \(why): the firmware must add it at boot; the loader takes the conduit from the live tree",
        at: p.plan.boot?.location ?? p.kernels.first { $0.cpus.contains(first) }?.location
          ?? p.plan.board.location)
    }
    if p.boot == .spinTable { releaseAddresses(p, &engine) }
  }

  /// Each spin-table core's release address lies in no kernel's memory, no
  /// channel and not in the loader's image (the loader region's first
  /// CLEAVE_LOADER_OFFSET bytes are the live tree's, and may hold it).
  private static func releaseAddresses(_ p: Partition, _ engine: inout DiagnosticEngine) {
    for k in p.kernels {
      for c in k.cpus {
        guard case .spinTable(let release) = p.machine.startMethod(of: c) else { continue }
        let word = AddressRange(base: release, size: 8)
        var holders: [String] = []
        for other in p.kernels {
          for m in other.memory where m.range.overlaps(word) {
            holders.append("'\(other.name)' memory \(m.range)")
          }
        }
        for ch in p.channels where ch.region.overlaps(word) {
          holders.append("channel \(ch.name) \(ch.region)")
        }
        let offset = UInt64(CLEAVE_LOADER_OFFSET)
        if p.loader.size > offset,
          AddressRange(base: p.loader.base &+ offset, size: p.loader.size - offset).overlaps(word)
        {
          holders.append(
            "the loader region \(p.loader) at or above its image (loader base + \(Format.size(offset)))")
        }
        for h in holders {
          engine.error(
            .releaseAddressGranted,
            "\(p.cpuName(c)) of '\(k.name)' waits on its cpu-release-addr \(Format.hex(release)), which lies in \(h)",
            at: k.cpuLocations[c] ?? k.location)
        }
      }
    }
  }
}
