import DeviceTree

/// A node whose defect is confined to it (a `reg` that does not fit, a `ranges`
/// that overflows, `interrupts` that are not whole specifiers…): cleave leaves it
/// out of the machine and reads the rest of the board, as Linux does.
public struct UnusableNode: Sendable, Hashable {
  public var node: NodeID
  public var path: String
  /// The defect, placed where it is (this node, or a bus or interrupt nexus above it).
  public var defect: DeviceTreeError

  /// Whether the defect is in the node itself rather than in a bus or nexus above it.
  public var isOwnDefect: Bool { defect.place == path || defect.place.hasPrefix(path + ":") }

  /// One line for `inspect`: the defect's place and message, then that the node is left out.
  public var warning: String {
    isOwnDefect
      ? "\(defect.place): \(defect.message) (node ignored)"
      : "\(path): \(defect.place): \(defect.message) (node ignored)"
  }
}
