import DeviceTree

/// Writes a kernel's cut as text to append to the board's DTS: `/delete-node/`
/// for what it lost, property overrides and new nodes for what it gained. The
/// form seL4's build concatenates through KernelCustomDTSOverlay.
///
/// Computed as a diff of the two models through the cut's record of which board
/// node each kernel node came from, so board + overlay compiles to exactly the
/// kernel's tree, phandle numbers included. The walk visits only the nodes the
/// kernel kept and the board children of those, so it costs what it writes.
public enum Overlay {
  /// The overlay's text, as the UTF-8 bytes of its file.
  public static func bytes(board: DeviceTree, kernel cut: KernelTree.Cut, header: String) -> [UInt8] {
    let kernel = cut.tree
    // Board node to kernel node, for the board nodes still in the kernel's tree.
    var local: [NodeID: NodeID] = [:]
    let order = kernel.descendants()
    local.reserveCapacity(order.count)
    for id in order where id.index < cut.origin.count { local[cut.origin[id.index]] = id }
    // How many nodes each kernel node's subtree holds, itself included:
    // children come after their parent in document order.
    var size = [Int](repeating: 0, count: kernel.nodes.count)
    for id in order.reversed() where size.indices.contains(id.index) {
      size[id.index] += 1
      if let p = kernel.parent(of: id), size.indices.contains(p.index) { size[p.index] += size[id.index] }
    }

    // Built as bytes, as ``DeviceTree/sourceBytes(labels:)`` is.
    var deletions: [UInt8] = []
    var edits: [UInt8] = []
    func delete(_ id: NodeID) {
      if !deletions.isEmpty { deletions.append(newline) }
      deletions += "/delete-node/ &{\(board.path(of: id))};".utf8
    }
    var stack = [board.root]
    while let id = stack.popLast() {
      guard let mine = local[id] else {
        delete(id)
        continue
      }
      // Each line of the edit's body ends in a newline; a blank line is just one.
      var body: [UInt8] = []
      let before = board[id].properties
      let after = kernel[mine].properties
      for p in before where !after.contains(where: { $0.name == p.name }) {
        body += "\t/delete-property/ \(p.name);\n".utf8
      }
      // `phandle` is restated even when unchanged: where the board source leaves
      // it to dtc, dtc would number it differently once nodes are deleted.
      for p in after where before.first(where: { $0.name == p.name }) != p || p.name == "phandle" {
        propertyLine(p, level: 1, into: &body)
      }
      for c in board[id].children.reversed() {
        if let kept = local[c], mostlyDeleted(c, as: kept, holding: size[kept.index], board: board, cut: cut)
        {
          // Cheaper to delete the node and state what is left: dtc revives a
          // re-added node, and each of its children, where it stood.
          delete(c)
          body.append(newline)
          nodeText(kernel, kept, level: 1, labels: true, into: &body)
        } else {
          stack.append(c)
        }
      }
      for c in kernel[mine].children where c.index >= cut.origin.count {
        body.append(newline)
        nodeText(kernel, c, level: 1, labels: false, into: &body)
      }
      guard !body.isEmpty else { continue }
      if !edits.isEmpty { edits += "\n\n".utf8 }
      edits += (id == board.root ? "/" : "&{\(board.path(of: id))}").utf8
      edits += " {\n".utf8
      edits += body
      edits += "};".utf8
    }
    var out: [UInt8] = []
    for line in header.utf8.split(separator: newline) {
      out += "// ".utf8
      out += line
      out.append(newline)
    }
    out.append(newline)
    out += deletions
    if !deletions.isEmpty && !edits.isEmpty { out += "\n\n".utf8 }
    out += edits
    out.append(newline)
    return out
  }

  private static let newline = UInt8(ascii: "\n")

  /// A kept node that lost more children than its whole remaining subtree holds
  /// (a /cpus with thousands of other kernels' cores), or more properties than
  /// it and its subtree keep (a `/__symbols__` with a label per core). Counted
  /// from the kernel's side: what it lost is the board's less what it still has.
  private static func mostlyDeleted(
    _ id: NodeID, as kept: NodeID, holding remaining: Int, board: DeviceTree, cut: KernelTree.Cut
  ) -> Bool {
    let stillThere = cut.tree[kept].children.filter { $0.index < cut.origin.count }.count
    let lost = board[id].children.count - stillThere
    if lost >= 16 && lost > remaining { return true }
    let lostProperties = board[id].properties.count - cut.tree[kept].properties.count
    return lostProperties >= 16 && lostProperties > remaining + cut.tree[kept].properties.count
  }

  private static func propertyLine(_ p: Property, level: Int, into out: inout [UInt8]) {
    out += repeatElement(UInt8(ascii: "\t"), count: level)
    out += p.name.utf8
    DTSValue.render(p.value, into: &out)
    out.append(newline)
  }

  private static func nodeText(
    _ t: DeviceTree, _ id: NodeID, level: Int, labels: Bool, into out: inout [UInt8]
  ) {
    let node = t[id]
    out += repeatElement(UInt8(ascii: "\t"), count: level)
    if labels {
      for l in node.labels { out += "\(l): ".utf8 }
    }
    out += "\(node.name) {\n".utf8
    for p in node.properties { propertyLine(p, level: level + 1, into: &out) }
    for c in node.children {
      out.append(newline)
      nodeText(t, c, level: level + 1, labels: labels, into: &out)
    }
    out += repeatElement(UInt8(ascii: "\t"), count: level)
    out += "};\n".utf8
  }
}
