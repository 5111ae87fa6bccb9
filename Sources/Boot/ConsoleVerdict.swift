/// Reads a boot's console: the loader's `cleave|INFO|…` / `cleave|ERROR|…`
/// lines and each kernel's one `cleave|PASS|name: …` or `cleave|FAIL|name: …`.
public struct ConsoleVerdict: Sendable, Equatable {
  public enum Outcome: Sendable, Equatable {
    /// Still waiting for some kernels.
    case running
    /// Every expected kernel passed.
    case passed
    /// A kernel failed or the loader stopped; the reason is the line that said so.
    case failed(String)
  }

  public let expected: [String]
  public private(set) var passed: [String] = []
  public private(set) var outcome: Outcome = .running

  public init(expecting kernels: [String]) {
    expected = kernels
  }

  /// Feeds one console line; returns the outcome so far.
  @discardableResult
  public mutating func read(_ line: Substring) -> Outcome {
    guard outcome == .running, let start = line.range(of: "cleave|") else { return outcome }
    let body = line[start.upperBound...]
    if body.hasPrefix("PASS|") {
      let name = body.dropFirst(5).prefix { $0 != ":" }
      if !passed.contains(String(name)) { passed.append(String(name)) }
      if expected.allSatisfy(passed.contains) { outcome = .passed }
    } else if body.hasPrefix("FAIL|") || body.hasPrefix("ERROR|") {
      outcome = .failed(String(line[start.lowerBound...]))
    }
    return outcome
  }

  /// Kernels that have not reported PASS.
  public var missing: [String] { expected.filter { !passed.contains($0) } }
}
