import DeviceTree
import Machine

/// For each group of cores a plan names, the one name that covers it, when
/// there is one: found in one pass over the cpu-map and the caches, and every
/// candidate confirmed through ``References`` so the plan resolves to the same
/// CPUs; and for each core a name that is its alone.
struct GroupNames {
  private var byCPUs: [[Int]: String] = [:]
  private let refs: References
  private let machine: Machine

  /// Names for `groups` (each a set of core indexes) and for single cores.
  init(machine: Machine, groups: [[Int]]) {
    // Only sets of cores the plan will name are worth confirming: on a board
    // of thousands of cores most candidates (every core, socket, cache) are not one.
    let wanted = Set(groups.lazy.filter { $0.count > 1 }.map { $0.sorted() })
    // The index that confirms names and the candidates do not depend on each other.
    let (refs, candidates) = inParallel(
      { References(machine: machine) }, { Self.candidates(machine, wanted: wanted) })
    self.refs = refs
    self.machine = machine
    for (name, cpus) in candidates {
      guard byCPUs[cpus] == nil, case .success(let resolved) = refs.cores(name), resolved.sorted() == cpus
      else { continue }
      byCPUs[cpus] = name
    }
  }

  /// Every name that covers one of the `wanted` sets of cores, in the order
  /// a plan should prefer them, each with its set (sorted).
  private static func candidates(_ machine: Machine, wanted: Set<[Int]>) -> [(String, [Int])] {
    var candidates: [(String, [Int])] = []
    guard !wanted.isEmpty else { return candidates }
    let tree = machine.tree
    // The tree node goes down with the topology node: looking each one up by
    // path scans every sibling, which is quadratic in a cpu-map of thousands.
    let cpusOf = TopologyNode.cpusByPath(machine.topology)
    func collect(_ n: TopologyNode, _ id: NodeID?) {
      let cpus = (cpusOf[n.path] ?? n.cpus).sorted()
      if wanted.contains(cpus) {
        if let id { for l in tree[id].labels { candidates.append((l, cpus)) } }
        candidates.append((n.name, cpus))
        if let below = n.pathInMap { candidates.append((below, cpus)) }
      }
      guard !n.children.isEmpty else { return }
      let children =
        id.map { p in
          Dictionary(tree[p].children.map { (tree[$0].name, $0) }, uniquingKeysWith: { a, _ in a })
        } ?? [:]
      for c in n.children { collect(c, children[c.name]) }
    }
    for t in machine.topology { collect(t, tree.node(path: t.path)) }
    for c in machine.caches {
      let cpus = c.sharedBy.sorted()
      if wanted.contains(cpus) { for l in machine.tree[c.node].labels { candidates.append((l, cpus)) } }
    }
    for c in machine.cpuClusters where c.isSDTCluster {
      let cpus = c.cpus.sorted()
      guard wanted.contains(cpus) else { continue }
      for l in c.labels { candidates.append((l, cpus)) }
      candidates.append((c.path, cpus))
    }
    return candidates
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
