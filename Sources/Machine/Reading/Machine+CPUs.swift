import DeviceTree

extension Machine {
  /// The nodes that hold CPU nodes: `/cpus`, then every top-level `cpus,cluster`
  /// node of a System Device Tree, in source order. Some trees (Lopper's tests)
  /// put the `cpus,cluster` nodes inside `/cpus`: those are the clusters then,
  /// and `/cpus` counts only if it also holds CPU nodes itself.
  static func clusterNodes(_ tree: DeviceTree) -> [NodeID] {
    var out: [NodeID] = []
    if let cpus = tree.node(path: "/cpus") {
      let nested = tree[cpus].children.filter { tree.isCompatible($0, with: "cpus,cluster") }
      let direct = tree[cpus].children.contains {
        tree.property("device_type", of: $0)?.string == "cpu" || tree[$0].baseName == "cpu"
      }
      if direct || nested.isEmpty { out.append(cpus) }
      out += nested
    }
    for id in tree[tree.root].children where tree.isCompatible(id, with: "cpus,cluster") && !out.contains(id)
    {
      out.append(id)
    }
    return out
  }

  /// Reads the CPU nodes of every cluster. A CPU node whose `reg` is missing or
  /// does not fit its cluster's `#address-cells` is set aside in `unusable`; a
  /// hardware id given twice inside one cluster refuses the board.
  static func readCPUs(_ tree: DeviceTree, unusable: inout [UnusableNode], notes: inout [String]) throws
    -> ([CPU], [CPUCluster])
  {
    var out: [CPU] = []
    var clusters: [CPUCluster] = []
    for container in clusterNodes(tree) {
      let ac = try tree.addressCells(container)
      let first = out.count
      for id in tree[container].children {
        let node = tree[id]
        guard tree.property("device_type", of: id)?.string == "cpu" || node.baseName == "cpu" else {
          continue
        }
        let reg: [UInt32]
        do {
          guard let r = try tree.cells("reg", of: id), !r.isEmpty else {
            throw tree.nodeDefect(id, "reg", "a CPU node needs reg (its MPIDR or hart id)")
          }
          guard ac > 0, r.count % ac == 0 else {
            throw tree.nodeDefect(
              id, "reg", "\(r.count) cells do not fit \(tree.path(of: container)) #address-cells = <\(ac)>")
          }
          reg = r
        } catch let e as DeviceTreeError where e.isConfinedToNode {
          unusable.append(UnusableNode(node: id, path: tree.path(of: id), defect: e))
          continue
        }
        var hwid: UInt64 = 0
        for c in reg.prefix(ac) { hwid = hwid << 32 | UInt64(c) }
        let local = node.children.first { tree.controllerKind($0) == .riscvCPU }
        let method = tree.property("enable-method", of: id)?.string
        out.append(
          CPU(
            index: out.count, node: id, name: node.name, path: tree.path(of: id), labels: node.labels,
            hardwareID: hwid, compatible: tree.compatible(id).first,
            enableMethod: method,
            releaseAddress: tree.property("cpu-release-addr", of: id)?.u64,
            enabled: tree.isEnabled(id), capacity: try tree.u32("capacity-dmips-mhz", of: id),
            numaNode: try tree.u32("numa-node-id", of: id), caches: [], localInterruptController: local,
            cluster: clusters.count,
            architecture: CoreArchitecture(
              compatible: tree.compatible(id), isa: tree.property("riscv,isa", of: id)?.string,
              enableMethod: method)))
      }
      var seen: [UInt64: Int] = [:]
      for c in out[first...] {
        if let other = seen[c.hardwareID] {
          throw tree.error(
            c.node, "reg", "hardware id 0x\(String(c.hardwareID, radix: 16)) is also \(out[other].path)")
        }
        seen[c.hardwareID] = c.index
      }
      let members = Array(first..<out.count)
      var addressMap: [CPUCluster.AddressMapEntry]?
      do {
        addressMap = try readAddressMap(tree, cluster: container)
      } catch let e as DeviceTreeError where e.isConfinedToNode {
        notes.append("\(e.place): \(e.message); the cluster is taken to address nothing")
        addressMap = []
      }
      let kinds = Set(members.map { out[$0].architecture })
      clusters.append(
        CPUCluster(
          index: clusters.count, node: container, path: tree.path(of: container),
          labels: tree[container].labels,
          cpus: members, architecture: kinds.count == 1 ? kinds.first ?? .unknown : .unknown,
          isSDTCluster: tree.isCompatible(container, with: "cpus,cluster"),
          addressMap: addressMap))
    }
    return (out, clusters)
  }

  /// Decodes a cluster's `address-map`: quartets of cluster address, node
  /// phandle, root address and length. The cluster address takes
  /// `#ranges-address-cells` and the length `#ranges-size-cells`; the specification
  /// gives the root address the root's `#address-cells`, while the trees AMD's tools
  /// generate give it `#ranges-address-cells` as well, and some leave both counts
  /// out. So each layout is tried, generated trees' first, and the first under
  /// which the map is whole quartets whose phandles all name nodes is taken.
  /// A map no layout reads is a defect of the cluster node: it throws one
  /// confined to the node, and the caller takes the cluster to address nothing.
  static func readAddressMap(_ tree: DeviceTree, cluster: NodeID) throws -> [CPUCluster.AddressMapEntry]? {
    guard let cells = try tree.cells("address-map", of: cluster) else { return nil }
    let declaredAddress = try tree.cellCount("#ranges-address-cells", of: cluster, limit: 2)
    let declaredSize = try tree.cellCount("#ranges-size-cells", of: cluster, limit: 2)
    let rootCells = try tree.addressCells(tree.root)
    var layouts: [(cluster: Int, root: Int, size: Int)] = []
    for a in declaredAddress.map({ [$0] }) ?? [1, 2] {
      for s in declaredSize.map({ [$0] }) ?? [a] {
        layouts.append((a, a, s))
        layouts.append((a, rootCells, s))
      }
    }
    var firstDefect: String?
    for layout in layouts where layout.cluster > 0 && layout.root > 0 && layout.size > 0 {
      switch decodeAddressMap(cells, layout: layout, tree: tree) {
      case .success(let entries): return entries
      case .failure(let defect): firstDefect = firstDefect ?? defect.text
      }
    }
    throw tree.nodeDefect(cluster, "address-map", firstDefect ?? "cannot be read")
  }

  private struct MapDefect: Error { var text: String }

  private static func decodeAddressMap(
    _ cells: [UInt32], layout: (cluster: Int, root: Int, size: Int), tree: DeviceTree
  ) -> Result<[CPUCluster.AddressMapEntry], MapDefect> {
    let (ca, ra, cs) = layout
    let stride = ca + 1 + ra + cs
    guard cells.count % stride == 0 else {
      return .failure(
        MapDefect(
          text:
            "\(cells.count) cells are not whole entries of \(ca) cluster address cells + 1 phandle cell + \(ra) root address cells + \(cs) size cells"
        ))
    }
    func number(_ slice: ArraySlice<UInt32>) -> UInt64? {
      guard slice.dropLast(2).allSatisfy({ $0 == 0 }) else { return nil }
      return slice.suffix(2).reduce(UInt64(0)) { $0 << 32 | UInt64($1) }
    }
    var out: [CPUCluster.AddressMapEntry] = []
    var i = 0
    while i < cells.count {
      let phandle = cells[i + ca]
      guard let clusterAddress = number(cells[i..<(i + ca)]),
        let rootAddress = number(cells[(i + ca + 1)..<(i + ca + 1 + ra)]),
        let size = number(cells[(i + ca + 1 + ra)..<(i + stride)])
      else { return .failure(MapDefect(text: "entry \(out.count) does not fit 64 bits")) }
      guard let target = tree.node(phandle: phandle) else {
        return .failure(
          MapDefect(text: "entry \(out.count): phandle 0x\(String(phandle, radix: 16)) points to no node"))
      }
      guard let root = AddressRange(checkedBase: rootAddress, size: size),
        AddressRange(checkedBase: clusterAddress, size: size) != nil
      else {
        return .failure(
          MapDefect(
            text:
              "window of 0x\(String(size, radix: 16)) bytes at 0x\(String(clusterAddress, radix: 16)) -> 0x\(String(rootAddress, radix: 16)) overflows 64 bits"
          ))
      }
      out.append(.init(clusterAddress: clusterAddress, node: target, root: root))
      i += stride
    }
    return .success(out)
  }

  /// Reads `/cpus/cpu-map`; every `cpu` phandle must name a CPU node, and a CPU may appear once.
  static func readTopology(_ tree: DeviceTree, cpus: [CPU], unusable: Set<NodeID>) throws -> [TopologyNode] {
    guard let map = tree.node(path: "/cpus/cpu-map") else { return [] }
    let byNode = Dictionary(uniqueKeysWithValues: cpus.map { ($0.node, $0.index) })
    var used: [Int: String] = [:]
    // Each node's path is its parent's and its name: not walked up again per node.
    func read(_ id: NodeID, under parent: String, depth: Int) throws -> TopologyNode? {
      if depth > 8 { throw tree.error(id, "cpu-map nested deeper than 8 levels") }
      let node = tree[id]
      let path = parent + "/" + node.name
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
        if unusable.contains(target) { return nil }  // set aside with its own warning
        guard let index = byNode[target] else {
          throw tree.error(id, "cpu", "\(tree.path(of: target)) is not a CPU node")
        }
        if let first = used[index] {
          throw tree.error(id, "cpu", "\(tree.path(of: target)) is already placed at \(first)")
        }
        used[index] = path
        cpu = index
      }
      let children = try node.children.compactMap { try read($0, under: path, depth: depth + 1) }
      return TopologyNode(kind: kind, name: node.name, path: path, children: children, cpu: cpu)
    }
    let mapPath = tree.path(of: map)
    return try tree[map].children.compactMap { try read($0, under: mapPath, depth: 0) }
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
        // CPUs come one at a time: only the last one added can be this one
        // (a chain never visits a cache twice), and a cache shared by thousands
        // of cores is not searched again for each.
        if caches[index].sharedBy.last != cpu.index { caches[index].sharedBy.append(cpu.index) }
        chain.append(index)
        current = next
      }
      chains.append(chain)
    }
    return (caches, chains)
  }

  /// `/psci`, or `/firmware/psci` where some boards (TI K3) keep it; Linux
  /// finds the node by its compatible wherever it is.
  static func readPSCI(_ tree: DeviceTree) -> PSCI? {
    let firmware = tree.node(path: "/firmware/psci").flatMap { node in
      tree.compatible(node).contains { $0.hasPrefix("arm,psci") } ? node : nil
    }
    guard let id = tree.node(path: "/psci") ?? firmware else { return nil }
    var functions: [String: UInt32] = [:]
    for name in ["cpu_suspend", "cpu_off", "cpu_on", "migrate"] {
      if let v = tree.property(name, of: id)?.u32 { functions[name] = v }
    }
    return PSCI(
      compatible: tree.compatible(id), method: tree.property("method", of: id)?.string ?? "hvc",
      functions: functions)
  }
}
