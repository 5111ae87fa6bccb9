import DeviceTree

extension Machine {
  static func readCPUs(_ tree: DeviceTree) throws -> [CPU] {
    guard let cpusNode = tree.node(path: "/cpus") else { return [] }
    let ac = try tree.addressCells(cpusNode)
    var out: [CPU] = []
    for id in tree[cpusNode].children {
      let node = tree[id]
      guard tree.property("device_type", of: id)?.string == "cpu" || node.baseName == "cpu" else { continue }
      guard let reg = try tree.cells("reg", of: id), !reg.isEmpty else {
        throw tree.error(id, "reg", "a CPU node needs reg (its MPIDR or hart id)")
      }
      guard ac > 0, reg.count % ac == 0 else {
        throw tree.error(id, "reg", "\(reg.count) cells do not fit /cpus #address-cells = <\(ac)>")
      }
      var hwid: UInt64 = 0
      for c in reg.prefix(ac) { hwid = hwid << 32 | UInt64(c) }
      let local = node.children.first { tree.controllerKind($0) == .riscvCPU }
      out.append(
        CPU(
          index: out.count, node: id, name: node.name, path: tree.path(of: id), labels: node.labels,
          hardwareID: hwid, compatible: tree.compatible(id).first,
          enableMethod: tree.property("enable-method", of: id)?.string,
          releaseAddress: tree.property("cpu-release-addr", of: id)?.u64,
          enabled: tree.isEnabled(id), capacity: try tree.u32("capacity-dmips-mhz", of: id),
          numaNode: try tree.u32("numa-node-id", of: id), caches: [], localInterruptController: local))
    }
    var seen: [UInt64: Int] = [:]
    for c in out {
      if let other = seen[c.hardwareID] {
        throw tree.error(
          c.node, "reg", "hardware id 0x\(String(c.hardwareID, radix: 16)) is also \(out[other].path)")
      }
      seen[c.hardwareID] = c.index
    }
    return out
  }

  /// Reads `/cpus/cpu-map`; every `cpu` phandle must name a CPU node, and a CPU may appear once.
  static func readTopology(_ tree: DeviceTree, cpus: [CPU]) throws -> [TopologyNode] {
    guard let map = tree.node(path: "/cpus/cpu-map") else { return [] }
    let byNode = Dictionary(uniqueKeysWithValues: cpus.map { ($0.node, $0.index) })
    var used: [Int: String] = [:]
    func read(_ id: NodeID, depth: Int) throws -> TopologyNode? {
      if depth > 8 { throw tree.error(id, "cpu-map nested deeper than 8 levels") }
      let node = tree[id]
      let kind: TopologyNode.Kind
      switch true {
      case node.name.hasPrefix("socket"): kind = .socket
      case node.name.hasPrefix("cluster"): kind = .cluster
      case node.name.hasPrefix("core"): kind = .core
      case node.name.hasPrefix("thread"): kind = .thread
      default: return nil  // unknown node names are ignored, as Linux does
      }
      var cpu: Int?
      if let ph = try tree.u32("cpu", of: id) {
        guard let target = tree.node(phandle: ph) else {
          throw tree.error(id, "cpu", "phandle 0x\(String(ph, radix: 16)) points to no node")
        }
        guard let index = byNode[target] else {
          throw tree.error(id, "cpu", "\(tree.path(of: target)) is not a CPU node")
        }
        if let first = used[index] {
          throw tree.error(id, "cpu", "\(tree.path(of: target)) is already placed at \(first)")
        }
        used[index] = tree.path(of: id)
        cpu = index
      }
      let children = try node.children.compactMap { try read($0, depth: depth + 1) }
      return TopologyNode(kind: kind, name: node.name, path: tree.path(of: id), children: children, cpu: cpu)
    }
    return try tree[map].children.compactMap { try read($0, depth: 0) }
  }

  /// Follows each CPU's `next-level-cache` chain; a cache node is shared by every CPU whose chain reaches it.
  static func readCaches(_ tree: DeviceTree, cpus: [CPU]) throws -> ([Cache], [[Int]]) {
    var caches: [Cache] = []
    var indexOf: [NodeID: Int] = [:]
    var chains: [[Int]] = []
    for cpu in cpus {
      var chain: [Int] = []
      var current = cpu.node
      var visited: Set<NodeID> = [cpu.node]
      while let ph = try tree.u32("next-level-cache", of: current) {
        guard let next = tree.node(phandle: ph) else {
          throw tree.error(
            current, "next-level-cache", "phandle 0x\(String(ph, radix: 16)) points to no node")
        }
        guard chain.count < InputLimits.maxReferenceHops else {
          throw tree.error(
            current, "next-level-cache",
            "the cache chain of \(cpu.path) is longer than \(InputLimits.maxReferenceHops) caches")
        }
        guard visited.insert(next).inserted else {
          throw tree.error(
            current, "next-level-cache", "the cache chain of \(cpu.path) loops back to \(tree.path(of: next))"
          )
        }
        let index: Int
        if let known = indexOf[next] {
          index = known
        } else {
          index = caches.count
          indexOf[next] = index
          let level = try tree.u32("cache-level", of: next).map(Int.init) ?? chain.count + 2
          caches.append(
            Cache(
              index: index, node: next, path: tree.path(of: next), labels: tree[next].labels, level: level,
              size: tree.property("cache-size", of: next)?.u64,
              lineSize: try tree.u32("cache-line-size", of: next), sets: try tree.u32("cache-sets", of: next),
              unified: tree.property("cache-unified", of: next) != nil, sharedBy: []))
        }
        if !caches[index].sharedBy.contains(cpu.index) { caches[index].sharedBy.append(cpu.index) }
        chain.append(index)
        current = next
      }
      chains.append(chain)
    }
    return (caches, chains)
  }

  static func readPSCI(_ tree: DeviceTree) -> PSCI? {
    guard let id = tree.node(path: "/psci") else { return nil }
    var functions: [String: UInt32] = [:]
    for name in ["cpu_suspend", "cpu_off", "cpu_on", "migrate"] {
      if let v = tree.property(name, of: id)?.u32 { functions[name] = v }
    }
    return PSCI(
      compatible: tree.compatible(id), method: tree.property("method", of: id)?.string ?? "hvc",
      functions: functions)
  }
}
