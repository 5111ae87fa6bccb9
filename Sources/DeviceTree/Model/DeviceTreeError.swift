/// Why a device tree could not be read or understood.
///
/// Rendered on one line as `file: place: message`, where the place is a node path
/// (optionally `path:property`) for blobs, or `line:column` when dtc reports one.
public struct DeviceTreeError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file the tree came from (`-` for standard input).
  public var file: String
  /// A node path, `path:property`, or a source position; empty when the whole file is at fault.
  public var place: String
  /// What is wrong, in lower case, without a trailing full stop.
  public var message: String

  public init(file: String, place: String = "", _ message: String) {
    self.file = file
    self.place = place
    self.message = message
  }

  public var description: String {
    place.isEmpty ? "\(file): \(message)" : "\(file): \(place): \(message)"
  }
}
