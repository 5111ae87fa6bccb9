import DeviceTree
import Machine

/// For every set of CPUs that one name covers, the name a plan should use:
/// built once in one pass over the cpu-map and the caches, and every candidate
/// confirmed through ``References`` so the plan resolves to the same CPUs.
struct GroupNames {
  private var byCPUs: [[Int]: String] = [:]

  init(machine: Machine) {
    let refs = References(machine: machine)
    var candidates: [(String, [Int])] = []
    func collect(_ n: TopologyNode) {
      if let id = machine.tree.node(path: n.path) { for l in machine.tree[id].labels { candidates.append((l, n.cpus)) } }
      candidates.append((n.name, n.cpus))
      if let r = n.path.range(of: "/cpus/cpu-map/") { candidates.append((String(n.path[r.upperBound...]), n.cpus)) }
      n.children.forEach(collect)
    }
    machine.topology.forEach(collect)
    for c in machine.caches { for l in machine.tree[c.node].labels { candidates.append((l, c.sharedBy)) } }
    for (name, cpus) in candidates {
      let key = cpus.sorted()
      guard byCPUs[key] == nil, case .success(let resolved) = refs.cores(name), resolved.sorted() == key else { continue }
      byCPUs[key] = name
    }
  }

  func name(for group: [Int]) -> String? { byCPUs[group.sorted()] }
}
