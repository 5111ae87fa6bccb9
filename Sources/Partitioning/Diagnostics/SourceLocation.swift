/// Where a value came from: `file:line:column` for plans and sources, or
/// `file: node-path:property` for blobs (dtc's `check_msg` style).
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
  public var file: String
  public var line: Int?
  public var column: Int?
  /// A node path (optionally `:property`) inside a device-tree blob.
  public var path: String?

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  public init(file: String, path: String?) {
    self.file = file
    self.path = path
  }

  public var description: String {
    if let line, let column { return "\(file):\(line):\(column)" }
    if let path { return "\(file): \(path)" }
    return file
  }
}

/// A plan value and where it was written.
public struct Located<Value: Sendable>: Sendable {
  public var value: Value
  public var location: SourceLocation
  public init(_ value: Value, at location: SourceLocation) {
    self.value = value
    self.location = location
  }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}
