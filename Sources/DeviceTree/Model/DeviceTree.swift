/// A device tree held in memory: nodes in a flat table (index 0 is the root),
/// the header's memory reservations and boot CPU, and indexes by phandle and label.
///
/// The read side never trusts its input: every accessor that interprets bytes
/// returns `nil` or throws ``DeviceTreeError`` instead of trapping.
public struct DeviceTree: Sendable {
  /// Where the tree came from, for messages (`-` for standard input).
  public var file: String
  public private(set) var nodes: [Node]
  public var reservations: [MemoryReservation]
  public var bootCPUID: UInt32
  /// Where each node (`/path`) and property (`/path:name`) is written, for trees
  /// compiled from source that declare `/domains` (see ``DTSCompiler``); empty otherwise.
  public var sourcePositions: [String: SourcePosition] = [:]
  private(set) var phandleIndex: [UInt32: NodeID] = [:]
  private(set) var labelIndex: [String: NodeID] = [:]

  /// A tree holding only an empty root node.
  public init(file: String = "<memory>") {
    self.file = file
    self.nodes = [Node(name: "", parent: nil)]
    self.reservations = []
    self.bootCPUID = 0
  }

  /// A tree from parts already consistent with each other (see ``NodeSelector``).
  init(
    file: String, nodes: [Node], reservations: [MemoryReservation], bootCPUID: UInt32,
    phandleIndex: [UInt32: NodeID], labelIndex: [String: NodeID]
  ) {
    self.file = file
    self.nodes = nodes
    self.reservations = reservations
    self.bootCPUID = bootCPUID
    self.phandleIndex = phandleIndex
    self.labelIndex = labelIndex
  }

  /// The root node's id.
  public var root: NodeID { NodeID(0) }

  public subscript(id: NodeID) -> Node {
    // Read in place: `tree[id].children` must not copy the whole node.
    _read { yield nodes[id.index] }
    set {
      nodes[id.index] = newValue
      reindex(id)
    }
  }

  /// Adds a child at the end of `parent`'s children and returns its id.
  @discardableResult
  public mutating func addNode(
    _ name: String, under parent: NodeID, properties: [Property] = [], labels: [String] = []
  ) -> NodeID {
    let id = NodeID(nodes.count)
    nodes.append(Node(name: name, parent: parent, properties: properties, labels: labels))
    nodes[parent.index].children.append(id)
    reindex(id)
    return id
  }

  /// Detaches a node (and so its subtree) from the tree; its id stays valid but unreachable.
  public mutating func removeNode(_ id: NodeID) {
    guard let parent = nodes[id.index].parent else { return }
    nodes[parent.index].children.removeAll { $0 == id }
    nodes[id.index].parent = nil
    var stack = [id]
    while let n = stack.popLast() {
      for name in ["phandle", "linux,phandle"] {
        if let v = nodes[n.index][property: name]?.u32, phandleIndex[v] == n { phandleIndex[v] = nil }
      }
      for l in nodes[n.index].labels where labelIndex[l] == n { labelIndex[l] = nil }
      stack.append(contentsOf: nodes[n.index].children)
    }
  }

  /// Detaches many nodes at once: each parent's child list is filtered once, so
  /// pruning thousands of siblings stays linear.
  public mutating func removeNodes(_ ids: some Collection<NodeID>) {
    let doomed = Set(ids.filter { nodes[$0.index].parent != nil })
    var parents = Set<NodeID>()
    for id in doomed { if let p = nodes[id.index].parent { parents.insert(p) } }
    for p in parents { nodes[p.index].children.removeAll { doomed.contains($0) } }
    var stack = Array(doomed)
    for id in doomed { nodes[id.index].parent = nil }
    while let n = stack.popLast() {
      for name in ["phandle", "linux,phandle"] {
        if let v = nodes[n.index][property: name]?.u32, phandleIndex[v] == n { phandleIndex[v] = nil }
      }
      for l in nodes[n.index].labels where labelIndex[l] == n { labelIndex[l] = nil }
      stack.append(contentsOf: nodes[n.index].children)
    }
  }

  /// Whether the node is still reachable from the root.
  public func isAttached(_ id: NodeID) -> Bool {
    var n = id
    var steps = 0
    while let p = nodes[n.index].parent {
      n = p
      steps += 1
      if steps > nodes.count { return false }
    }
    return n == root
  }

  private mutating func reindex(_ id: NodeID) {
    let node = nodes[id.index]
    for name in ["phandle", "linux,phandle"] {
      if let v = node[property: name]?.u32, v != 0, v != 0xffff_ffff, phandleIndex[v] == nil {
        phandleIndex[v] = id
      }
    }
    for l in node.labels where labelIndex[l] == nil { labelIndex[l] = id }
  }

  // MARK: Lookup

  /// The node a phandle names.
  public func node(phandle: UInt32) -> NodeID? { phandleIndex[phandle] }

  /// The node a label names.
  public func node(label: String) -> NodeID? { labelIndex[label] }

  /// The node's phandle, if it has one.
  public func phandle(of id: NodeID) -> UInt32? {
    nodes[id.index][property: "phandle"]?.u32 ?? nodes[id.index][property: "linux,phandle"]?.u32
  }

  /// Every phandle in use, ascending.
  public var phandles: [UInt32] { phandleIndex.keys.sorted() }

  /// The node at an absolute path such as `/cpus/cpu@0`. A component without a unit
  /// address also matches a node with one when that is the only such node.
  public func node(path: String) -> NodeID? {
    guard path.hasPrefix("/") else { return nil }
    var current = root
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
      // One pass without allocating: a flat node with a million children is
      // searched for each of the dozen fixed paths the machine view reads.
      let wanted = part.utf8
      let unitless = !wanted.contains(UInt8(ascii: "@"))
      var exact: NodeID?
      var byBaseName: NodeID?
      var baseNameMatches = 0
      for c in nodes[current.index].children {
        let name = nodes[c.index].name.utf8
        if name.elementsEqual(wanted) {
          exact = c
          break
        }
        if unitless, name.count > wanted.count, name.starts(with: wanted),
          name[name.index(name.startIndex, offsetBy: wanted.count)] == UInt8(ascii: "@")
        {
          baseNameMatches += 1
          byBaseName = c
        }
      }
      if let exact {
        current = exact
      } else {
        guard baseNameMatches == 1, let only = byBaseName else { return nil }
        current = only
      }
    }
    return current
  }

  /// Every attached node by its absolute path (the first in document order
  /// where a malformed tree repeats one): for looking up many full paths at
  /// once, where ``node(path:)`` walks a parent's children for each.
  public func nodesByPath() -> [String: NodeID] {
    var out: [String: NodeID] = [:]
    out.reserveCapacity(nodes.count)
    for id in descendants() {
      let path = path(of: id)
      if out[path] == nil { out[path] = id }
    }
    return out
  }

  /// The absolute path of a node.
  public func path(of id: NodeID) -> String {
    // The names from the node up, then their bytes copied once into a string
    // of the right size: reading a machine asks for thousands of paths.
    var chain: [Int] = []
    var n = id
    var bytes = 0
    while let p = nodes[n.index].parent {
      chain.append(n.index)
      bytes += nodes[n.index].name.utf8.count + 1
      n = p
      if chain.count > nodes.count { break }
    }
    if chain.isEmpty { return "/" }
    return String(unsafeUninitializedCapacity: bytes) { buffer in
      var at = 0
      for i in chain.reversed() {
        buffer[at] = UInt8(ascii: "/")
        at += 1
        for byte in nodes[i].name.utf8 {
          buffer[at] = byte
          at += 1
        }
      }
      return at
    }
  }

  /// The node's parent, or `nil` for the root.
  public func parent(of id: NodeID) -> NodeID? { nodes[id.index].parent }

  /// Child of `id` with exactly that full name.
  public func child(of id: NodeID, named name: String) -> NodeID? {
    nodes[id.index].children.first { nodes[$0.index].name == name }
  }

  /// Every node reachable from `start` (default: the root), parents before children, in source order.
  public func descendants(of start: NodeID? = nil) -> [NodeID] {
    var out: [NodeID] = []
    var stack = [start ?? root]
    while let n = stack.popLast() {
      out.append(n)
      stack.append(contentsOf: nodes[n.index].children.reversed())
    }
    return out
  }

  /// Whether `node` is `ancestor` or lies below it (bounded by the node
  /// count, so a malformed parent chain cannot loop).
  public func isWithin(_ node: NodeID, _ ancestor: NodeID) -> Bool {
    var n: NodeID? = node
    var steps = 0
    while let current = n, steps <= nodes.count {
      if current == ancestor { return true }
      n = parent(of: current)
      steps += 1
    }
    return false
  }

  /// Resolves an alias name, a label, or an absolute path to a node.
  public func resolve(_ reference: String) -> NodeID? {
    if reference.hasPrefix("/") { return node(path: reference) }
    if let id = node(label: reference) { return id }
    if let aliases = node(path: "/aliases"), let target = nodes[aliases.index][property: reference]?.string {
      return node(path: target)
    }
    return nil
  }

  // MARK: Common properties

  /// The property of a node.
  public func property(_ name: String, of id: NodeID) -> Property? { nodes[id.index][property: name] }

  /// The node's `compatible` strings (empty when absent).
  public func compatible(_ id: NodeID) -> [String] { property("compatible", of: id)?.strings ?? [] }

  /// Whether any of the node's `compatible` strings is one of `names`.
  public func isCompatible(_ id: NodeID, with names: String...) -> Bool {
    // On the bytes: asked of every node of a board, decoding each list into
    // strings first cost more than the answer.
    guard let list = property("compatible", of: id), list.value.last == 0 else { return false }
    let value = list.value
    var start = 0
    var found = false
    for i in value.indices where value[i] == 0 {
      let entry = value[start..<i]
      if !found, names.contains(where: { $0.utf8.elementsEqual(entry) }) { found = true }
      start = i + 1
    }
    // As ``compatible(_:)`` reads it: a list with an entry that is not UTF-8 is no list.
    return found && list.strings != nil
  }

  /// `status` is absent, "okay" or "ok".
  public func isEnabled(_ id: NodeID) -> Bool {
    guard let s = property("status", of: id)?.string else { return true }
    return s == "okay" || s == "ok"
  }

  /// A place for messages: `path` or `path:property`.
  public func place(_ id: NodeID, _ property: String? = nil) -> String {
    property.map { "\(path(of: id)):\($0)" } ?? path(of: id)
  }

  /// An error about this tree, placed at a node (and property).
  public func error(_ id: NodeID, _ property: String?, _ message: String) -> DeviceTreeError {
    DeviceTreeError(file: file, place: place(id, property), message)
  }

  /// A defect confined to one node (see ``DeviceTreeError/isConfinedToNode``).
  public func nodeDefect(_ id: NodeID, _ property: String?, _ message: String) -> DeviceTreeError {
    DeviceTreeError(file: file, place: place(id, property), message, confinedToNode: true)
  }

  /// An error about this tree, placed at a node.
  public func error(_ id: NodeID, _ message: String) -> DeviceTreeError {
    DeviceTreeError(file: file, place: place(id), message)
  }
}
