import DeviceTree

extension Machine {
  /// RAM from the top-level `device_type = "memory"` nodes. A node whose `reg`
  /// cannot be read is set aside; `mmio-sram` and `memory_type = "linear_flash"`
  /// nodes are not RAM. Overlapping or duplicate nodes (a System Device Tree gives
  /// each cluster's view of the same DDR) are merged into one bank, with a note.
  static func readMemory(
    _ tree: DeviceTree, cache: DecodeCache, unusable: inout [UnusableNode], notes: inout [String]
  ) throws
    -> [MemoryBank]
  {
    var out: [MemoryBank] = []
    for id in tree[tree.root].children {
      guard tree.property("device_type", of: id)?.string == "memory", tree.isEnabled(id), isRAM(id, tree)
      else { continue }
      let numa = try tree.u32("numa-node-id", of: id)
      do {
        for r in try tree.mmio(id, cache: cache) where r.size > 0 {
          out.append(MemoryBank(node: id, path: tree.path(of: id), range: r, numaNode: numa))
        }
      } catch let e as DeviceTreeError where e.isConfinedToNode {
        unusable.append(UnusableNode(node: id, path: tree.path(of: id), defect: e))
      }
    }
    out.sort { $0.range < $1.range }
    var merged: [MemoryBank] = []
    for b in out {
      guard let last = merged.last, last.range.overlaps(b.range) else {
        merged.append(b)
        continue
      }
      // Both are non-empty and overlap, so the union is one range. A union of the
      // whole 64-bit space has no size that fits 64 bits; it keeps its last byte out.
      let base = last.range.base
      let span = max(last.range.last, b.range.last) - base
      let union = AddressRange(base: base, size: span == UInt64.max ? span : span + 1)
      let what = b.range == last.range ? "repeats" : "overlaps"
      notes.append(
        "\(b.path):reg: memory \(b.range) \(what) \(last.path) \(last.range); RAM taken as one bank \(union)")
      merged[merged.count - 1].range = union
      if last.numaNode != b.numaNode { merged[merged.count - 1].numaNode = nil }
    }
    return merged
  }

  /// Whether a memory node describes RAM: SRAM exposed as `mmio-sram` and flash
  /// (`memory_type = "linear_flash"`, as AMD's generated trees write it) are not.
  static func isRAM(_ id: NodeID, _ tree: DeviceTree) -> Bool {
    if tree.isCompatible(id, with: "mmio-sram") { return false }
    if let t = tree.property("memory_type", of: id)?.string, t != "memory" { return false }
    return true
  }

  static func readReservations(_ tree: DeviceTree, cache: DecodeCache, unusable: inout [UnusableNode]) throws
    -> [Reservation]
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
      let regs: [AddressRange]
      do {
        regs = try tree.mmio(id, cache: cache)
      } catch let e as DeviceTreeError where e.isConfinedToNode {
        unusable.append(UnusableNode(node: id, path: tree.path(of: id), defect: e))
        continue
      }
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
