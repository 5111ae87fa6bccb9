/// One finding: a severity, a stable snake_case check id, a message naming both
/// parties with their exact ranges, where it is, and notes pointing at the other party.
public struct Diagnostic: Sendable, Hashable, Codable {
  public enum Severity: String, Sendable, Codable, Comparable {
    case warning, error
    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
  }

  public struct Note: Sendable, Hashable, Codable {
    public var message: String
    public var location: SourceLocation?
    public init(_ message: String, at location: SourceLocation?) {
      self.message = message
      self.location = location
    }
  }

  public var severity: Severity
  public var check: String
  public var message: String
  public var location: SourceLocation?
  public var notes: [Note]

  public init(
    _ severity: Severity, _ check: CheckID, _ message: String, at location: SourceLocation?,
    notes: [Note] = []
  ) {
    self.severity = severity
    self.check = check.rawValue
    self.message = message
    self.location = location
    self.notes = notes
  }

  /// `plan.yaml:14:13: error[memory_overlap]: message` and one line per note.
  public var text: String {
    var lines = ["\(location.map { "\($0): " } ?? "")\(severity.rawValue)[\(check)]: \(message)"]
    for n in notes { lines.append("\(n.location.map { "\($0): " } ?? "")note: \(n.message)") }
    return lines.joined(separator: "\n")
  }
}
