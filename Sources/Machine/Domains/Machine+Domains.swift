import DeviceTree

/// Reading `/domains`: each `openamp,domain-v1` node below it becomes an
/// ``ExecutionDomain``. A domain whose properties cannot be decoded (a phandle
/// to no cluster, a mask naming cores the cluster lacks, cells that are not
/// whole entries) is set aside with one warning, as any node with a defect of its own.
extension Machine {
  static let domainCompatible = "openamp,domain-v1"

  static func readDomains(
    _ tree: DeviceTree, cpus: [CPU], clusters: [CPUCluster], unusable: inout [UnusableNode],
    notes: inout [String]
  ) -> [ExecutionDomain] {
    guard let top = tree.node(path: "/domains") else { return [] }
    var domains: [ExecutionDomain] = []
    var indexOf: [NodeID: Int] = [:]
    for id in tree.descendants(of: top) where id != top && tree.isCompatible(id, with: domainCompatible) {
      var parent: Int?
      var up = tree.parent(of: id)
      while let p = up, p != top, parent == nil {
        parent = indexOf[p]
        up = tree.parent(of: p)
      }
      do {
        var d = try readDomain(tree, id, cpus: cpus, clusters: clusters, notes: &notes)
        d.parent = parent
        indexOf[id] = domains.count
        domains.append(d)
      } catch {
        unusable.append(UnusableNode(node: id, path: tree.path(of: id), defect: error))
      }
    }
    return domains
  }

  private static func readDomain(
    _ t: DeviceTree, _ id: NodeID, cpus: [CPU], clusters: [CPUCluster], notes: inout [String]
  ) throws(DeviceTreeError) -> ExecutionDomain {
    func defect(_ property: String?, _ message: String) -> DeviceTreeError {
      t.nodeDefect(id, property, message)
    }
    func cells(_ name: String) throws(DeviceTreeError) -> [UInt32] {
      guard let p = t.property(name, of: id) else { return [] }
      guard let c = p.cells else {
        throw defect(name, "\(p.value.count) bytes is not a whole number of 32-bit cells")
      }
      return c
    }
    /// A cell count the domain states itself or inherits from the nearest node above that does.
    func count(_ name: String, default value: Int, limit: Int, inherited: Bool) throws(DeviceTreeError) -> Int
    {
      var n: NodeID? = id
      while let current = n {
        if let p = t.property(name, of: current) {
          guard let v = p.u32 else { throw defect(name, "expected one cell") }
          guard v <= UInt32(limit) else {
            throw defect(name, "\(v) cells is more than the \(limit) cleave reads")
          }
          return Int(v)
        }
        n = inherited ? t.parent(of: current) : nil
      }
      return value
    }
    func node(_ phandle: UInt32, _ property: String) throws(DeviceTreeError) -> NodeID {
      guard let n = t.node(phandle: phandle) else {
        throw defect(property, "phandle 0x\(String(phandle, radix: 16)) points to no node")
      }
      return n
    }

    var d = ExecutionDomain(
      node: id, path: t.path(of: id), name: t[id].name, labels: t[id].labels, parent: nil, id: nil,
      osType: t.property("os,type", of: id)?.string, cpus: [], memory: [], sram: [], sramNodes: [],
      access: [],
      reservedMemory: [], relations: [])
    if let p = t.property("id", of: id) {
      guard let v = p.u32 else { throw defect("id", "expected one cell") }
      d.id = v
    }

    let triplets = try cells("cpus")
    guard triplets.count % 3 == 0 else {
      throw defect("cpus", "\(triplets.count) cells are not whole <&cluster mask execution-level> triplets")
    }
    for i in stride(from: 0, to: triplets.count, by: 3) {
      let target = try node(triplets[i], "cpus")
      // The cores the mask counts: a cluster's, in source order. Trees also name
      // a cpus,cluster node nested in /cpus, or one core, so it is the cores
      // that lie under the node named, within the cluster that holds them.
      let cores = cpus.filter { t.isWithin($0.node, target) }.map(\.index)
      guard let first = cores.first, let cluster = clusters.first(where: { $0.cpus.contains(first) }) else {
        throw defect("cpus", "\(t.path(of: target)) holds no CPU")
      }
      let mask = triplets[i + 1]
      var chosen: [Int] = []
      // A mask wider than the cluster (Lopper's trees write 0xff for "all of
      // it") takes the cores there are, with a note rather than a refusal.
      for bit in 0..<32 where mask & (1 << UInt32(bit)) != 0 && bit < cores.count {
        chosen.append(cores[bit])
      }
      if cores.count < 32, mask >> UInt32(cores.count) != 0 {
        notes.append(
          "\(t.place(id, "cpus")): mask 0x\(String(mask, radix: 16)) names cores \(t.path(of: target)) does not have (it has \(cores.count)); the domain takes those it has"
        )
      }
      d.cpus.append(
        ExecutionDomain.Cores(
          cluster: cluster.index, mask: mask, executionLevel: triplets[i + 2], cpus: chosen))
    }

    let addressCells = try count("#address-cells", default: 2, limit: 2, inherited: true)
    let sizeCells = try count("#size-cells", default: 1, limit: 2, inherited: true)
    for (name, flagsName) in [("memory", "#memory-flags-cells"), ("sram", "#sram-flags-cells")] {
      let flags = try count(flagsName, default: 0, limit: 8, inherited: false)
      let c = try cells(name)
      // Lopper's trees also give sram as phandles of the mmio-sram nodes themselves.
      if name == "sram", !c.isEmpty,
        c.allSatisfy({ ph in t.node(phandle: ph).map { t.property("reg", of: $0) != nil } ?? false })
      {
        d.sramNodes = c.compactMap { t.node(phandle: $0) }
        continue
      }
      let entry = addressCells + sizeCells + flags
      guard c.count % entry == 0 else {
        throw defect(
          name,
          "\(c.count) cells are not whole <start size flags> entries of \(addressCells) + \(sizeCells) + \(flags) cells"
        )
      }
      for i in stride(from: 0, to: c.count, by: entry) {
        guard let base = foldCells(c[i..<(i + addressCells)]),
          let size = foldCells(c[(i + addressCells)..<(i + addressCells + sizeCells)])
        else {
          throw defect(name, "an entry does not fit 64 bits")
        }
        guard let range = AddressRange(checkedBase: base, size: size) else {
          throw defect(name, "0x\(String(base, radix: 16)) + 0x\(String(size, radix: 16)) overflows 64 bits")
        }
        let region = ExecutionDomain.Region(
          range: range, flags: Array(c[(i + addressCells + sizeCells)..<(i + entry)]))
        if name == "memory" { d.memory.append(region) } else { d.sram.append(region) }
      }
    }

    var accessFlags = try count("#access-flags-cells", default: 0, limit: 8, inherited: false)
    let a = try cells("access")
    // Lopper's own trees write <&device flags> pairs without #access-flags-cells;
    // when the cells are not all phandles but every other one is, read pairs.
    if t.property("#access-flags-cells", of: id) == nil, !a.allSatisfy({ t.node(phandle: $0) != nil }),
      a.count % 2 == 0, stride(from: 0, to: a.count, by: 2).allSatisfy({ t.node(phandle: a[$0]) != nil })
    {
      accessFlags = 1
    }
    guard a.count % (1 + accessFlags) == 0 else {
      throw defect(
        "access", "\(a.count) cells are not whole <&device flags> entries of 1 + \(accessFlags) cells")
    }
    for i in stride(from: 0, to: a.count, by: 1 + accessFlags) {
      d.access.append(
        ExecutionDomain.Access(
          node: try node(a[i], "access"), flags: Array(a[(i + 1)..<(i + 1 + accessFlags)])))
    }

    if let p = t.property("reserved-memory", of: id), !p.value.isEmpty {
      for ph in try cells("reserved-memory") { d.reservedMemory.append(try node(ph, "reserved-memory")) }
    }
    for c in t[id].children {
      if t[c].baseName == "reserved-memory" {
        d.reservedMemory += t[c].children
      }
      if t[c].baseName == "domain-to-domain" {
        for group in t[c].children {
          let kind = t.compatible(group).first ?? t[group].name
          for relation in t[group].children {
            for (property, role) in [("remote", "host"), ("host", "remote")] {
              guard let p = t.property(property, of: relation) else { continue }
              guard let peers = p.cells else {
                throw t.nodeDefect(
                  relation, property, "\(p.value.count) bytes is not a whole number of 32-bit cells")
              }
              for ph in peers {
                guard let peer = t.node(phandle: ph) else {
                  throw t.nodeDefect(
                    relation, property, "phandle 0x\(String(ph, radix: 16)) points to no node")
                }
                d.relations.append(
                  ExecutionDomain.Relation(kind: kind, name: t[relation].name, role: role, peer: peer))
              }
            }
          }
        }
      }
    }
    return d
  }
}

/// Big-endian cells as one number; `nil` when it needs more than 64 bits.
private func foldCells(_ cells: ArraySlice<UInt32>) -> UInt64? {
  var v: UInt64 = 0
  for c in cells {
    guard v >> 32 == 0 else { return nil }
    v = v << 32 | UInt64(c)
  }
  return v
}
