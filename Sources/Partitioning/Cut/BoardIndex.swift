import DeviceTree
import Machine

/// What each node of the board belongs to, worked out once per build so that
/// each kernel's tree is assembled from its own nodes and the common ones
/// instead of cut down from the whole board.
///
/// A node a kernel may lose (a CPU, a cache, a partitionable device, a cpu-map
/// leaf) is an *anchor*: it and the nodes below it, down to the next anchor,
/// stay or go together, and an anchor stays only when every anchor above it
/// does. A cpu-map group stays exactly when a kept leaf is below it. Every other
/// node is common to all kernels.
///
/// A class: every kernel's cut reads the one index, so handing it around must
/// not copy (and retain) each of its tables.
public final class BoardIndex: Sendable {
  public struct Anchor: Sendable {
    public var cpu: Int?
    public var cache: Int?
    public var device: Int?
    /// A cpu-map leaf, and the CPU its `cpu` phandle names (`nil`: no CPU, so it never stays).
    public var isLeaf = false
    public var leafCPU: Int?
    /// The nearest anchor above this one.
    public var parent: NodeID?
    /// This node and the nodes below it that no nearer anchor holds.
    public var members: [NodeID] = []
  }

  /// A PLIC / CLINT `interrupts-extended` and where each context sits in it.
  public struct ContextList: Sendable {
    public var node: NodeID
    public var cells: [UInt32]
    public var contexts: [(start: Int, width: Int, cpu: Int?)]
  }

  public let machine: Machine
  public let selector: NodeSelector
  /// The anchor at each node (by node index), `nil` where there is none.
  private let anchorAt: [Anchor?]
  /// How many anchors the board has.
  let anchorCount: Int
  /// Nodes no anchor holds, kept in every tree.
  public let common: [NodeID]
  /// The anchor each node belongs to (`nil`: a common node).
  public let anchorOf: [NodeID?]
  /// cpu-map leaves by the CPU they name.
  public let leaves: [Int: [NodeID]]
  public let contextLists: [ContextList]
  /// Each node's position in the board's document order (`Int.max`: unreachable),
  /// so a kernel's nodes are put in order without walking the whole board again.
  public let order: [Int]
  /// The fixed nodes (`/cpus`, `/chosen`, …): a dangling reference in them or
  /// below them is dropped rather than the node itself.
  let structural: Set<NodeID>
  /// The interrupt controllers, likewise kept whatever they reference.
  let controllers: Set<NodeID>
  /// The partitionable devices and their nodes, in device order.
  let partitionable: [(device: Int, node: NodeID)]
  /// What each node takes in a flattened tree with all its properties
  /// (structure block only), and the ids of its property names (``names``),
  /// flat: node `i`'s are `nameIDs[nameStart[i]..<nameStart[i + 1]]`.
  let nodeBytes: [Int]
  let nameIDs: [Int]
  let nameStart: [Int]
  /// Each distinct property name's bytes in the strings block (with its NUL).
  let nameBytes: [Int]
  /// The board's `/__symbols__` and `/aliases`, indexed by the node each
  /// property names.
  public let symbols: PathTable?
  public let aliases: PathTable?

  /// Which properties of a node of paths (`/__symbols__`, `/aliases`) name
  /// which node, so that each tree keeps those naming its own nodes without
  /// looking every path up in it: a board built with `-@` has a label per
  /// core, and a phone's board has a hundred aliases.
  public struct PathTable: Sendable {
    public var node: NodeID
    /// Property indexes by the board node their path names.
    public var byTarget: [NodeID: [Int]]
    /// Property indexes by the path they give, for nodes a tree adds at such a path.
    public var byPath: [String: [Int]]
    /// Properties that are not a path, kept in every tree.
    public var other: [Int]
  }

  /// The index of a board, which depends on nothing a plan says: one serves
  /// every partition of the machine (``Partition/boardIndex``).
  public init(_ machine: Machine) {
    self.machine = machine
    let tree = machine.tree
    selector = NodeSelector(tree)

    // By node index: a board of thousands of cores looks anchors up millions of times.
    var anchors = [Anchor?](repeating: nil, count: tree.nodes.count)
    func mark(_ id: NodeID, _ change: (inout Anchor) -> Void) {
      guard anchors.indices.contains(id.index) else { return }
      var a = anchors[id.index] ?? Anchor()
      change(&a)
      anchors[id.index] = a
    }
    var cpuOfNode: [NodeID: Int] = [:]
    for c in machine.cpus {
      mark(c.node) { $0.cpu = c.index }
      cpuOfNode[c.node] = c.index
    }
    for c in machine.caches { mark(c.node) { $0.cache = c.index } }
    var partitionable: [(device: Int, node: NodeID)] = []
    for d in machine.devices where d.isPartitionable {
      mark(d.node) { $0.device = d.index }
      partitionable.append((d.index, d.node))
    }
    self.partitionable = partitionable

    // cpu-map: the outermost nodes with a one-cell `cpu` are leaves; the rest are groups.
    var groups = Set<NodeID>()
    var leaves: [Int: [NodeID]] = [:]
    if let map = tree.node(path: "/cpus/cpu-map") {
      var stack = [map]
      while let id = stack.popLast() {
        if let ph = tree.property("cpu", of: id)?.u32 {
          let cpu = tree.node(phandle: ph).flatMap { cpuOfNode[$0] }
          mark(id) {
            $0.isLeaf = true
            $0.leafCPU = cpu
          }
          if let cpu { leaves[cpu, default: []].append(id) }
        } else {
          groups.insert(id)
          stack.append(contentsOf: tree[id].children)
        }
      }
    }

    var common: [NodeID] = []
    var stack: [(id: NodeID, above: NodeID?)] = [(tree.root, nil)]
    while let (id, above) = stack.popLast() {
      var owner = above
      if anchors.indices.contains(id.index), anchors[id.index] != nil {
        anchors[id.index]?.parent = above
        owner = id
      }
      if groups.contains(id) {
        // Kept only as the ancestor of a kept leaf.
      } else if let owner, anchors.indices.contains(owner.index) {
        anchors[owner.index]?.members.append(id)
      } else {
        common.append(id)
      }
      for c in tree[id].children { stack.append((c, owner)) }
    }
    var order = [Int](repeating: .max, count: tree.nodes.count)
    for (i, id) in tree.descendants().enumerated() where order.indices.contains(id.index) {
      order[id.index] = i
    }
    self.order = order
    var anchorOf = [NodeID?](repeating: nil, count: tree.nodes.count)
    for (a, anchor) in anchors.enumerated() {
      for m in anchor?.members ?? [] where anchorOf.indices.contains(m.index) {
        anchorOf[m.index] = NodeID(a)
      }
    }
    self.anchorOf = anchorOf
    self.anchorAt = anchors
    self.anchorCount = anchors.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
    self.common = common
    self.leaves = leaves
    contextLists = Self.contextLists(machine)

    structural = Set(
      ["/cpus", "/chosen", "/aliases", "/reserved-memory", "/psci", "/__symbols__"].compactMap {
        tree.node(path: $0)
      }
    )
    controllers = Set(machine.interruptControllers.map(\.node))

    // Sizes once per board, so that each kernel's estimate adds integers.
    var ids: [String: Int] = [:]
    var nameBytes: [Int] = []
    var nodeBytes = [Int](repeating: 0, count: tree.nodes.count)
    var nameIDs: [Int] = []
    var nameStart = [0]
    nameStart.reserveCapacity(tree.nodes.count + 1)
    for (i, node) in tree.nodes.enumerated() {
      var bytes = 8 + Self.padded(node.name.utf8.count + 1)
      for p in node.properties {
        bytes += 12 + Self.padded(p.value.count)
        if let id = ids[p.name] {
          nameIDs.append(id)
        } else {
          ids[p.name] = nameBytes.count
          nameIDs.append(nameBytes.count)
          nameBytes.append(p.name.utf8.count + 1)
        }
      }
      nodeBytes[i] = bytes
      nameStart.append(nameIDs.count)
    }
    self.nodeBytes = nodeBytes
    self.nameIDs = nameIDs
    self.nameStart = nameStart
    self.nameBytes = nameBytes
    let symbolsNode = tree.node(path: "/__symbols__")
    let aliasesNode = tree.node(path: "/aliases")
    // Every node's path at once where there are many paths to look up; each
    // looked up on its own where there are few.
    let count = [symbolsNode, aliasesNode].reduce(0) { $0 + ($1.map { tree[$0].properties.count } ?? 0) }
    let paths = count > 64 ? tree.nodesByPath() : [:]
    symbols = symbolsNode.map { Self.pathTable($0, tree, paths) }
    aliases = aliasesNode.map { Self.pathTable($0, tree, paths) }
  }

  private static func pathTable(_ node: NodeID, _ tree: DeviceTree, _ paths: [String: NodeID]) -> PathTable {
    var index = PathTable(node: node, byTarget: [:], byPath: [:], other: [])
    for (i, p) in tree[node].properties.enumerated() {
      guard let path = p.string else {
        index.other.append(i)
        continue
      }
      if let target = paths[path] ?? tree.node(path: path) { index.byTarget[target, default: []].append(i) }
      index.byPath[path, default: []].append(i)
    }
    return index
  }

  static func padded(_ n: Int) -> Int { (n + 3) / 4 * 4 }

  /// The board nodes a tree of kernel `k`'s cores and of `devices` starts from,
  /// before pruning and rewriting: the common nodes and every anchor that stays.
  public func nodes(of k: Partition.Kernel, devices: Set<Int>, keepingForeignDevices: Bool) -> [NodeID] {
    let cpus = Set(k.cpus)
    var caches = Set<Int>()
    for c in k.cpus where machine.cpus.indices.contains(c) { caches.formUnion(machine.cpus[c].caches) }
    func stays(_ a: Anchor) -> Bool {
      if let c = a.cpu, !cpus.contains(c) { return false }
      if let c = a.cache, !caches.contains(c) { return false }
      if let d = a.device, !keepingForeignDevices, !devices.contains(d) { return false }
      if a.isLeaf {
        guard let c = a.leafCPU, cpus.contains(c), machine.cpus.indices.contains(c) else { return false }
        return isKept(machine.cpus[c].node)
      }
      return true
    }
    func isKept(_ id: NodeID) -> Bool {
      var n: NodeID? = id
      var steps = 0
      while let a = n {
        guard let anchor = anchor(a), stays(anchor), steps < anchorCount else { return false }
        n = anchor.parent
        steps += 1
      }
      return true
    }
    var out = common
    var seen = Set<NodeID>()
    func take(_ id: NodeID) {
      guard seen.insert(id).inserted, let a = anchor(id), isKept(id) else { return }
      out += a.members
    }
    for c in k.cpus where machine.cpus.indices.contains(c) {
      take(machine.cpus[c].node)
      for leaf in leaves[c] ?? [] { take(leaf) }
    }
    for c in caches where machine.caches.indices.contains(c) { take(machine.caches[c].node) }
    if keepingForeignDevices {
      for d in partitionable { take(d.node) }
    } else {
      for d in devices.sorted() where machine.devices.indices.contains(d) { take(machine.devices[d].node) }
    }
    return out
  }

  /// The anchor at a node, if the node is one.
  public func anchor(_ id: NodeID) -> Anchor? {
    anchorAt.indices.contains(id.index) ? anchorAt[id.index] : nil
  }

  /// `nodes` in the board's document order.
  public func inOrder<S: Sequence>(_ nodes: S) -> [NodeID] where S.Element == NodeID {
    // Sorted by (rank, index) pairs: comparing plain integers, not looking
    // each node's rank up again on every comparison.
    var ranked = nodes.map { (order.indices.contains($0.index) ? order[$0.index] : .max, $0.index) }
    ranked.sort { $0 < $1 }
    return ranked.map { NodeID($0.1) }
  }

  /// Where each context of each PLIC / CLINT sits in its `interrupts-extended`,
  /// read once from the board: a context's width comes from the controller it names.
  private static func contextLists(_ machine: Machine) -> [ContextList] {
    let tree = machine.tree
    var out: [ContextList] = []
    for ic in machine.interruptControllers where !ic.contexts.isEmpty {
      guard let cells = tree.property("interrupts-extended", of: ic.node)?.cells else { continue }
      var list = ContextList(node: ic.node, cells: cells, contexts: [])
      var i = 0
      for context in ic.contexts {
        guard i < cells.count else { break }
        let width =
          1
          + (tree.node(phandle: cells[i]).flatMap {
            try? tree.cellCount("#interrupt-cells", of: $0, limit: 4)
          } ?? 1)
        guard i + width <= cells.count else { break }
        list.contexts.append((i, width, context.cpu))
        i += width
      }
      out.append(list)
    }
    return out
  }
}
