import DeviceTree

/// RAM the board does not name: on most real boards the firmware (U-Boot, a
/// Raspberry Pi's) writes `/memory` at boot, so the tree ships it empty.
extension Machine {
  /// The board's `device_type = "memory"` nodes, whatever their `reg` says.
  public var memoryNodes: [NodeID] {
    tree[tree.root].children.filter { tree.property("device_type", of: $0)?.string == "memory" }
  }

  /// What the tree says about its RAM when it names none, for the diagnostic:
  /// why it is empty and where.
  public var unnamedRAM: String? {
    guard memory.isEmpty else { return nil }
    let nodes = memoryNodes
    guard !nodes.isEmpty else { return "the tree has no memory node" }
    let described = nodes.prefix(3).map { id -> String in
      let path = tree.path(of: id)
      if !tree.isEnabled(id) { return "\(path) is disabled" }
      guard let reg = tree.property("reg", of: id), !reg.value.isEmpty else { return "\(path) has no reg" }
      return "\(path) has reg with size 0"
    }
    return described.joined(separator: ", ")
  }

  /// The same machine with `ranges` as its RAM instead of the board's memory
  /// nodes. A range inside a board bank keeps that bank's NUMA node.
  public func withRAM(_ ranges: [AddressRange], from source: String) -> Machine {
    var m = self
    m.memory = ranges.sorted().map { r in
      MemoryBank(
        node: nil, path: source, range: r, numaNode: memory.first { $0.range.contains(r) }?.numaNode)
    }
    for i in m.numaNodes.indices {
      m.numaNodes[i].memory = m.memory.indices.filter { m.memory[$0].numaNode == m.numaNodes[i].id }
    }
    return m
  }
}
