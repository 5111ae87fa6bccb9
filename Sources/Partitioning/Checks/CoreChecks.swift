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

  /// `boot: psci` starts every kernel's cores with PSCI CPU_ON: a core that
  /// starts another way (a Raspberry Pi's spin-table) or a board with no
  /// /psci cannot be started by the loader or by the kernel.
  private static func bootMethods(_ p: Partition, _ engine: inout DiagnosticEngine) {
    guard p.boot == .psci else { return }
    for k in p.kernels where !k.cpus.isEmpty {
      var byMethod: [String: [Int]] = [:]
      for c in k.cpus {
        let method = p.machine.cpus[c].enableMethod
        if let method, method != "psci" {
          byMethod["enable-method \"\(method)\"", default: []].append(c)
        } else if p.machine.psci == nil {
          byMethod["PSCI, but the board has no /psci node", default: []].append(c)
        }
      }
      for (method, cpus) in byMethod.sorted(by: { $0.key < $1.key }) {
        let release = cpus.compactMap { p.machine.cpus[$0].releaseAddress }.first
        engine.error(
          .bootMethodUnsupported,
          "'\(k.name)' runs on \(cpus.map(p.cpuName).joined(separator: ", ")), which start\(cpus.count == 1 ? "s" : "") with \(method)"
            + (release.map { " (cpu-release-addr \(Format.hex($0)))" } ?? "")
            + "; boot: psci starts cores only through PSCI CPU_ON",
          at: p.plan.boot?.location ?? k.cpuLocations[cpus[0]] ?? k.location)
      }
    }
  }
}
