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
    let idle = p.machine.cpus.filter { $0.enabled && owner[$0.index] == nil }
    if !idle.isEmpty, !p.kernels.isEmpty {
      engine.warning(
        .coreUnassigned,
        "\(idle.count) core\(idle.count == 1 ? " is" : "s are") given to no kernel: \(idle.map(\.name).joined(separator: ", "))",
        at: p.plan.kernelsLocation ?? p.kernels[0].location)
    }
  }
}
