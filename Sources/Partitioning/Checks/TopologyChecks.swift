import Machine

/// topology: a kernel over several L2s or NUMA nodes, memory remote to its cores (all warnings).
enum TopologyChecks {
  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    for k in p.kernels where !k.cpus.isEmpty {
      let l2s = Set(
        k.cpus.compactMap { c in p.machine.cpus[c].caches.first { p.machine.caches[$0].level == 2 } })
      if l2s.count > 1 {
        let names = l2s.sorted().map { p.machine.caches[$0].path }.joined(separator: ", ")
        engine.warning(
          .kernelSpansL2,
          "'\(k.name)' runs on cores under \(l2s.count) L2 caches (\(names)); one kernel image per shared L2 keeps its data cache-local",
          at: k.location)
      }
      let nodes = Set(k.cpus.compactMap { p.machine.cpus[$0].numaNode })
      if nodes.count > 1 {
        engine.warning(
          .kernelSpansNUMA,
          "'\(k.name)' runs on cores of NUMA nodes \(nodes.sorted().map(String.init).joined(separator: ", "))",
          at: k.location)
      }
      guard let node = k.numaNode else { continue }
      for m in k.memory {
        for bank in p.machine.memory where bank.range.overlaps(m.range) {
          if let bn = bank.numaNode, bn != node {
            engine.warning(
              .memoryRemote,
              "\(p.describe(kernel: k.index, m.range)) is on NUMA node \(bn) but its cores are on node \(node)",
              at: m.location)
          }
        }
      }
    }
  }
}
