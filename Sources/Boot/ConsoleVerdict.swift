/// Reads a boot's console: the loader's `cleave|INFO|…` / `cleave|ERROR|…`
/// lines and each kernel's one `cleave|PASS|name: …` or `cleave|FAIL|name: …`.
/// A kernel that does not speak this protocol (U-Boot, a stock Linux) passes
/// when a line contains its `passText`; any line with a `failText` fails the run.
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
  public let passText: [String: String]
  public let failText: [String]
  public private(set) var passed: [String] = []
  public private(set) var outcome: Outcome = .running

  public init(expecting kernels: [String], passText: [String: String] = [:], failText: [String] = []) {
    expected = kernels
    self.passText = passText
    self.failText = failText
  }

  private mutating func pass(_ name: String) {
    if !passed.contains(name) { passed.append(name) }
    if expected.allSatisfy(passed.contains) { outcome = .passed }
  }

  /// Feeds one console line; returns the outcome so far.
  @discardableResult
  public mutating func read(_ line: Substring) -> Outcome {
    guard outcome == .running else { return outcome }
    if let bad = failText.first(where: { !$0.isEmpty && line.contains($0) }) {
      outcome = .failed("'\(bad)': \(line)")
      return outcome
    }
    for (name, text) in passText.sorted(by: { $0.key < $1.key }) where !text.isEmpty && line.contains(text) {
      pass(name)
    }
    guard outcome == .running, let start = line.range(of: "cleave|") else { return outcome }
    let body = line[start.upperBound...]
    if body.hasPrefix("PASS|") {
      pass(String(body.dropFirst(5).prefix { $0 != ":" }))
    } else if body.hasPrefix("FAIL|") || body.hasPrefix("ERROR|") {
      outcome = .failed(String(line[start.lowerBound...]))
    }
    return outcome
  }

  /// Kernels that have not reported PASS.
  public var missing: [String] { expected.filter { !passed.contains($0) } }
}
