/// Collects diagnostics from every check; the CLI prints them and sets the exit status.
public struct DiagnosticEngine: Sendable {
  public private(set) var diagnostics: [Diagnostic] = []

  public init() {}

  public mutating func error(
    _ check: CheckID, _ message: String, at location: SourceLocation?, notes: [Diagnostic.Note] = []
  ) {
    diagnostics.append(Diagnostic(.error, check, message, at: location, notes: notes))
  }

  public mutating func warning(
    _ check: CheckID, _ message: String, at location: SourceLocation?, notes: [Diagnostic.Note] = []
  ) {
    diagnostics.append(Diagnostic(.warning, check, message, at: location, notes: notes))
  }

  public mutating func append(contentsOf other: [Diagnostic]) { diagnostics += other }

  public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
  public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
  public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }

  /// Diagnostics in reading order: by file, line and column, then by check id.
  public var sorted: [Diagnostic] {
    diagnostics.enumerated().sorted { a, b in
      let la = a.element.location
      let lb = b.element.location
      let ka = (la?.file ?? "", la?.line ?? Int.max, la?.column ?? 0, la?.path ?? "")
      let kb = (lb?.file ?? "", lb?.line ?? Int.max, lb?.column ?? 0, lb?.path ?? "")
      if ka != kb { return ka < kb }
      return a.offset < b.offset
    }.map(\.element)
  }
}
