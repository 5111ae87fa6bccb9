/// Why a device tree could not be read or understood.
///
/// Rendered on one line as `file: place: message`, where the place is a node path
/// (optionally `path:property`) for blobs, or `line:column` when dtc reports one.
public struct DeviceTreeError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The file the tree came from (`-` for standard input).
  public var file: String
  /// A node path, `path:property`, or a source position; empty when the whole file is at fault.
  public var place: String
  /// What is wrong, in lower case, without a trailing full stop.
  public var message: String
  /// The defect is confined to one node (a `reg` or `ranges` that does not fit or
  /// overflows, `interrupts` that are not whole specifiers, an `interrupt-map-mask`
  /// of the wrong size): a reader may set that node aside and go on, as Linux does.
  /// Defects of the tree's structure (a truncated blob, dangling phandles, loops,
  /// cell counts no binding uses) leave this false and refuse the board.
  public var isConfinedToNode: Bool

  public init(file: String, place: String = "", _ message: String, confinedToNode: Bool = false) {
    self.file = file
    self.place = place
    self.message = message
    self.isConfinedToNode = confinedToNode
  }

  public var description: String {
    place.isEmpty ? "\(file): \(message)" : "\(file): \(place): \(message)"
  }
}
