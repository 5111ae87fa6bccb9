import DeviceTree

/// Writes a kernel's cut as text to append to the board's DTS: `/delete-node/`
/// for what it lost, property overrides and new nodes for what it gained. The
/// form seL4's build concatenates through KernelCustomDTSOverlay.
///
/// Computed as a diff of the two models (the cut keeps the board's node ids),
/// so board + overlay compiles to exactly the kernel's tree, phandle numbers included.
public enum Overlay {
  public static func text(board: DeviceTree, kernel: DeviceTree, header: String) -> String {
    var out = header.split(separator: "\n").map { "// \($0)" }.joined(separator: "\n") + "\n\n"
    var deletions: [String] = []
    var edits: [String] = []
    var stack = [board.root]
    while let id = stack.popLast() {
      guard kernel.isAttached(id) else {
        deletions.append("/delete-node/ &{\(board.path(of: id))};")
        continue
      }
      var body: [String] = []
      let before = board[id].properties
      let after = kernel[id].properties
      for p in before where !after.contains(where: { $0.name == p.name }) {
        body.append("\t/delete-property/ \(p.name);")
      }
      // `phandle` is restated even when unchanged: where the board source leaves
      // it to dtc, dtc would number it differently once nodes are deleted.
      for p in after where before.first(where: { $0.name == p.name }) != p || p.name == "phandle" {
        body.append("\t\(p.name)\(DTSValue.render(p.value))")
      }
      for c in board[id].children.reversed() {
        if kernel.isAttached(c) && mostlyDeleted(c, board: board, kernel: kernel) {
          // Cheaper to delete the node and state what is left: dtc revives a
          // re-added node, and each of its children, where it stood.
          deletions.append("/delete-node/ &{\(board.path(of: c))};")
          body.append("")
          body.append(contentsOf: nodeText(kernel, c, level: 1, labels: true))
        } else {
          stack.append(c)
        }
      }
      for c in kernel[id].children where c.index >= board.nodes.count {
        body.append("")
        body.append(contentsOf: nodeText(kernel, c, level: 1, labels: false))
      }
      guard !body.isEmpty else { continue }
      let target = id == board.root ? "/" : "&{\(board.path(of: id))}"
      edits.append("\(target) {\n" + body.joined(separator: "\n") + "\n};")
    }
    out += deletions.joined(separator: "\n")
    if !deletions.isEmpty && !edits.isEmpty { out += "\n\n" }
    out += edits.joined(separator: "\n\n")
    return out + "\n"
  }

  /// A kept node that lost more children than its whole remaining subtree holds
  /// (a /cpus with thousands of other kernels' cores).
  private static func mostlyDeleted(_ id: NodeID, board: DeviceTree, kernel: DeviceTree) -> Bool {
    let lost = board[id].children.filter { !kernel.isAttached($0) }.count
    guard lost >= 16 else { return false }
    return lost > kernel.descendants(of: id).count
  }

  private static func nodeText(_ t: DeviceTree, _ id: NodeID, level: Int, labels: Bool) -> [String] {
    let pad = String(repeating: "\t", count: level)
    let prefix = labels ? t[id].labels.map { "\($0): " }.joined() : ""
    var lines = ["\(pad)\(prefix)\(t[id].name) {"]
    for p in t[id].properties { lines.append("\(pad)\t\(p.name)\(DTSValue.render(p.value))") }
    for c in t[id].children {
      lines.append("")
      lines += nodeText(t, c, level: level + 1, labels: labels)
    }
    lines.append("\(pad)};")
    return lines
  }
}
