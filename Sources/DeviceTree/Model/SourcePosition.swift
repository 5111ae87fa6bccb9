/// Where a node or property is written in device-tree source: the file (the
/// board itself, or a file it includes) and the line and column dtc reports.
public struct SourcePosition: Sendable, Hashable {
  public var file: String
  public var line: Int
  public var column: Int

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }
}
