/// Cuts small trees out of one large tree by naming the nodes to keep.
///
/// Copying a large tree and deleting what is not wanted costs the whole tree
/// for every cut; a board with thousands of cores cut into thousands of kernels
/// makes that quadratic. The selector pays for the whole tree once, when it is
/// made, and each cut then costs only the nodes it keeps.
public struct NodeSelector: Sendable {
  /// A cut: the new tree and where each of its nodes came from.
  public struct Selection: Sendable {
    public var tree: DeviceTree
    /// `origin[i]` is the source node of the new tree's node `i`.
    public var origin: [NodeID]
  }

  /// The tree cuts are taken from.
  public let source: DeviceTree
  /// Each node's place among its parent's children, so kept siblings keep their order.
  private let position: [Int]

  public init(_ source: DeviceTree) {
    self.source = source
    var position = Array(repeating: 0, count: source.nodes.count)
    for node in source.nodes {
      for (i, c) in node.children.enumerated() { position[c.index] = i }
    }
    self.position = position
  }

  /// A tree of `ids`, their ancestors and nothing else, in the source's order,
  /// with names, properties and labels unchanged. Phandles and labels resolve as
  /// they would after deleting every other node from the source. Ids that are
  /// not reachable from the source's root are left out.
  public func select(_ ids: some Sequence<NodeID>) -> Selection {
    let nodes = source.nodes
    var kept: Set<NodeID> = [source.root]
    var children: [NodeID: [NodeID]] = [:]
    for id in ids where nodes.indices.contains(id.index) {
      // Climb to the nearest node already kept; everything passed on the way joins.
      var climb: [NodeID] = []
      var n = id
      var attached = true
      while !kept.contains(n) {
        guard let p = nodes[n.index].parent, climb.count < nodes.count else {
          attached = false
          break
        }
        climb.append(n)
        n = p
      }
      guard attached else { continue }
      for c in climb {
        kept.insert(c)
        if let p = nodes[c.index].parent { children[p, default: []].append(c) }
      }
    }
    for p in Array(children.keys) {
      children[p]?.sort { position[$0.index] < position[$1.index] }
    }

    var out: [Node] = []
    var origin: [NodeID] = []
    var phandles: [UInt32: NodeID] = [:]
    var labels: [String: NodeID] = [:]
    out.reserveCapacity(kept.count)
    origin.reserveCapacity(kept.count)
    var stack: [(from: NodeID, parent: NodeID?)] = [(source.root, nil)]
    while let (from, parent) = stack.popLast() {
      let id = NodeID(out.count)
      var node = nodes[from.index]
      node.parent = parent
      node.children = []
      // Only the node the source's index names keeps a phandle or label, as
      // deleting the other nodes would leave it.
      for name in ["phandle", "linux,phandle"] {
        if let v = node[property: name]?.u32, source.phandleIndex[v] == from { phandles[v] = id }
      }
      for l in node.labels where source.labelIndex[l] == from { labels[l] = id }
      out.append(node)
      origin.append(from)
      if let parent { out[parent.index].children.append(id) }
      for c in (children[from] ?? []).reversed() { stack.append((c, id)) }
    }
    let tree = DeviceTree(
      file: source.file, nodes: out, reservations: source.reservations, bootCPUID: source.bootCPUID,
      phandleIndex: phandles, labelIndex: labels)
    return Selection(tree: tree, origin: origin)
  }
}
