import DeviceTree

extension Machine {
  static func readMemory(_ tree: DeviceTree, cache: DecodeCache = DecodeCache()) throws -> [MemoryBank] {
    var out: [MemoryBank] = []
    for id in tree[tree.root].children {
      guard tree.property("device_type", of: id)?.string == "memory", tree.isEnabled(id) else { continue }
      let numa = try tree.u32("numa-node-id", of: id)
      for r in try tree.mmio(id, cache: cache) where r.size > 0 {
        out.append(MemoryBank(node: id, path: tree.path(of: id), range: r, numaNode: numa))
      }
    }
    out.sort { $0.range < $1.range }
    for (a, b) in zip(out, out.dropFirst()) where a.range.overlaps(b.range) {
      throw tree.error(b.node ?? tree.root, "reg", "memory \(b.range) overlaps \(a.path) \(a.range)")
    }
    return out
  }

  static func readReservations(_ tree: DeviceTree, cache: DecodeCache = DecodeCache()) throws -> [Reservation]
  {
    var out: [Reservation] = []
    for (i, r) in tree.reservations.enumerated() {
      guard let range = AddressRange(checkedBase: r.address, size: r.size) else {
        throw DeviceTreeError(
          file: tree.file, place: "/memreserve/ \(i)",
          "0x\(String(r.address, radix: 16)) + 0x\(String(r.size, radix: 16)) overflows 64 bits")
      }
      out.append(
        Reservation(
          source: .memreserve, node: nil, name: "/memreserve/ \(i)", range: range, size: r.size,
          alignment: nil, noMap: true, reusable: false, compatible: []))
    }
    guard let rm = tree.node(path: "/reserved-memory") else { return out }
    for id in tree[rm].children where tree.isEnabled(id) {
      let regs = try tree.mmio(id, cache: cache)
      let common = Reservation(
        source: .reservedMemory, node: id, name: tree[id].name, range: nil,
        size: tree.property("size", of: id)?.u64, alignment: tree.property("alignment", of: id)?.u64,
        noMap: tree.property("no-map", of: id) != nil, reusable: tree.property("reusable", of: id) != nil,
        compatible: tree.compatible(id))
      if regs.isEmpty {
        out.append(common)
      } else {
        for r in regs {
          var entry = common
          entry.range = r
          entry.size = r.size
          out.append(entry)
        }
      }
    }
    return out
  }

  static func readNUMA(_ tree: DeviceTree, cpus: [CPU], memory: [MemoryBank]) throws -> [NUMANode] {
    var nodes: [UInt32: NUMANode] = [:]
    for c in cpus {
      guard let n = c.numaNode else { continue }
      nodes[n, default: NUMANode(id: n, cpus: [], memory: [], distances: [:])].cpus.append(c.index)
    }
    for (i, m) in memory.enumerated() {
      guard let n = m.numaNode else { continue }
      nodes[n, default: NUMANode(id: n, cpus: [], memory: [], distances: [:])].memory.append(i)
    }
    if let dm = tree.node(path: "/distance-map"), let matrix = try tree.cells("distance-matrix", of: dm) {
      guard matrix.count % 3 == 0 else {
        throw tree.error(
          dm, "distance-matrix", "\(matrix.count) cells are not whole <from to distance> triples")
      }
      var i = 0
      while i < matrix.count {
        let (from, to, d) = (matrix[i], matrix[i + 1], matrix[i + 2])
        nodes[from, default: NUMANode(id: from, cpus: [], memory: [], distances: [:])].distances[to] = d
        nodes[to, default: NUMANode(id: to, cpus: [], memory: [], distances: [:])].distances[from] = d
        i += 3
      }
    }
    return nodes.values.sorted { $0.id < $1.id }
  }
}
