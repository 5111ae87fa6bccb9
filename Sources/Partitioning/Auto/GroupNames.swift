import DeviceTree
import Machine

/// For every set of CPUs that one name covers, the name a plan should use:
/// built once in one pass over the cpu-map and the caches, and every candidate
/// confirmed through ``References`` so the plan resolves to the same CPUs.
struct GroupNames {
  private var byCPUs: [[Int]: String] = [:]
  private let refs: References
  private let machine: Machine

  init(machine: Machine) {
    let refs = References(machine: machine)
    self.refs = refs
    self.machine = machine
    var candidates: [(String, [Int])] = []
    let tree = machine.tree
    // The tree node goes down with the topology node: looking each one up by
    // path scans every sibling, which is quadratic in a cpu-map of thousands.
    let cpusOf = TopologyNode.cpusByPath(machine.topology)
    func collect(_ n: TopologyNode, _ id: NodeID?) {
      let cpus = cpusOf[n.path] ?? n.cpus
      if let id { for l in tree[id].labels { candidates.append((l, cpus)) } }
      candidates.append((n.name, cpus))
      if let below = n.pathInMap { candidates.append((below, cpus)) }
      let children =
        id.map { p in
          Dictionary(tree[p].children.map { (tree[$0].name, $0) }, uniquingKeysWith: { a, _ in a })
        } ?? [:]
      for c in n.children { collect(c, children[c.name]) }
    }
    for t in machine.topology { collect(t, tree.node(path: t.path)) }
    for c in machine.caches { for l in machine.tree[c.node].labels { candidates.append((l, c.sharedBy)) } }
    for c in machine.cpuClusters where c.isSDTCluster {
      for l in c.labels { candidates.append((l, c.cpus)) }
      candidates.append((c.path, c.cpus))
    }
    for (name, cpus) in candidates {
      let key = cpus.sorted()
      guard byCPUs[key] == nil, case .success(let resolved) = refs.cores(name), resolved.sorted() == key
      else { continue }
      byCPUs[key] = name
    }
  }

  func name(for group: [Int]) -> String? { byCPUs[group.sorted()] }

  /// A name for one core that resolves to it alone: its node name, unless
  /// another cluster has a core of that name (a System Device Tree's cpu@0s);
  /// then its label, else its path.
  func name(ofCPU index: Int) -> String {
    let cpu = machine.cpus[index]
    for name in [cpu.name] + cpu.labels {
      if case .success(let resolved) = refs.cores(name), resolved == [index] { return name }
    }
    return cpu.path
  }
}
