import DeviceTree
import Machine

/// Resolves the names a plan uses for cores and devices against a machine.
struct References: Sendable {
  let machine: Machine
  private var coreNames: [String: [Int]] = [:]
  private var ambiguous: [String: [String]] = [:]
  private var deviceNames: [String: Int] = [:]

  init(machine: Machine) {
    self.machine = machine
    let tree = machine.tree
    // cpu-map nodes: absolute path, path below cpu-map, and the bare name when unique.
    // Each node's CPUs are gathered on the way back up, one walk for the whole map.
    var byName: [String: [(path: String, cpus: [Int])]] = [:]
    coreNames.reserveCapacity(3 * machine.cpus.count + 16)
    func walk(_ n: TopologyNode) -> [Int] {
      var cpus = n.cpu.map { [$0] } ?? []
      for c in n.children { cpus += walk(c) }
      coreNames[n.path] = cpus
      if let below = n.pathInMap { coreNames[below] = cpus }
      byName[n.name, default: []].append((n.path, cpus))
      return cpus
    }
    for root in machine.topology { _ = walk(root) }
    for (name, entries) in byName {
      if entries.count == 1 {
        coreNames[name] = entries[0].cpus
      } else {
        ambiguous[name] = entries.map(\.path)
      }
    }
    // A System Device Tree's clusters each have a cpu@0: a bare node name that
    // several clusters use names none of them, and the message lists the paths.
    var cpusByName: [String: [Int]] = [:]
    for (i, cpu) in machine.cpus.enumerated() {
      cpusByName[cpu.name, default: []].append(i)
      coreNames[cpu.path] = [cpu.index]
    }
    for (name, cpus) in cpusByName {
      if cpus.count == 1, let only = cpus.first {
        coreNames[name] = [machine.cpus[only].index]
      } else {
        ambiguous[name] = cpus.map { machine.cpus[$0].path }
      }
    }
    for cluster in machine.cpuClusters where cluster.isSDTCluster { coreNames[cluster.path] = cluster.cpus }
    // Labels last so that they win over a same-named cpu-map node (manycore's cluster8 label).
    // A CPU node's label names that CPU; another node's is looked up by its path.
    var sharersAt: [NodeID: [Int]] = [:]
    for c in machine.caches where sharersAt[c.node] == nil { sharersAt[c.node] = c.sharedBy }
    var cpuAt: [NodeID: Int] = [:]
    for cpu in machine.cpus { cpuAt[cpu.node] = cpu.index }
    for id in tree.descendants() where !tree[id].labels.isEmpty {
      let cpus: [Int]?
      if let cpu = cpuAt[id], coreNames[machine.cpus[cpu].path] != nil {
        cpus = coreNames[machine.cpus[cpu].path]
      } else {
        cpus = coreNames[tree.path(of: id)]
      }
      for label in tree[id].labels {
        if let cpus {
          coreNames[label] = cpus
          ambiguous[label] = nil
        } else if let sharers = sharersAt[id] {
          coreNames[label] = sharers
          ambiguous[label] = nil
        }
      }
    }
    for d in machine.devices where d.isPartitionable {
      for n in d.names where deviceNames[n] == nil { deviceNames[n] = d.index }
    }
  }

  enum Failure: Error {
    case unknown(suggestion: String)
    case ambiguous([String])
    case notPartitionable(String)
    /// The reference names a node the board reading set aside (or one under it).
    case unusable(UnusableNode)
  }

  /// The CPUs a core reference names: a hardware id (MPIDR / hart id), a label,
  /// a cpu-map node (name, path below cpu-map, or absolute path), a CPU node name or path.
  func cores(_ reference: String) -> Result<[Int], Failure> {
    if let cpus = coreNames[reference] { return .success(cpus) }
    if let paths = ambiguous[reference] { return .failure(.ambiguous(paths)) }
    if let id = try? Numbers.parse(reference), let cpu = machine.cpu(hardwareID: id) {
      return .success([cpu.index])
    }
    if let id = machine.tree.resolve(reference), let u = machine.unusableNode(id) {
      return .failure(.unusable(u))
    }
    return .failure(.unknown(suggestion: suggestion(reference, in: coreNames.keys.sorted())))
  }

  /// The device a reference names: an alias, a label or an absolute path.
  func device(_ reference: String) -> Result<Int, Failure> {
    if let d = deviceNames[reference] { return .success(d) }
    if let id = machine.tree.resolve(reference), let u = machine.unusableNode(id) {
      return .failure(.unusable(u))
    }
    if let id = machine.tree.resolve(reference), let d = machine.devices.first(where: { $0.node == id }) {
      return .failure(
        .notPartitionable(
          d.isSystemInterruptController
            ? "an interrupt controller (own it with owns: [interrupt-controller])"
            : "a bus or per-core device every kernel keeps"))
    }
    return .failure(.unknown(suggestion: suggestion(reference, in: deviceNames.keys.sorted())))
  }
}
