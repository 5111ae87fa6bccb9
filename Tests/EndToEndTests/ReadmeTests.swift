import Foundation
import Testing

/// The README's examples, run: every ```console block is a script whose `$ `
/// lines are commands and whose other lines are what those commands print, so
/// the README cannot drift from the tool.
///
/// Matching, per command:
/// - without a `...` line, the output is exactly the lines shown;
/// - with one, `...` stands for lines left out, and every line shown must be
///   printed (in any order: kernels on different cores print in a different
///   interleaving on every boot);
/// - `…` inside a line stands for any text;
/// - SHA-256 digests, tick and millisecond counts are compared as placeholders.
///
/// Each block runs in a fresh directory holding `dts/`, `docs/`, `Tests/` and
/// the built loader, probes and Linux of `build/`, with the cleave under test
/// first on PATH; what a block writes stays there and is removed after.
@Suite("README", .serialized)
struct ReadmeTests {
  struct Command: Sendable {
    var line: String
    var expected: [String]
  }

  struct Block: Sendable, CustomTestStringConvertible {
    var startLine: Int
    var commands: [Command]
    var testDescription: String {
      "README.md:\(startLine): \(commands.first?.line.prefix(60) ?? "")"
    }
  }

  /// The ```console blocks of the README, in order.
  static func blocks(_ text: String) -> [Block] {
    var blocks: [Block] = []
    var current: Block?
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if current == nil {
        if line == "```console" { current = Block(startLine: number + 2, commands: []) }
        continue
      }
      if line == "```" {
        if let b = current { blocks.append(b) }
        current = nil
      } else if line.hasPrefix("$ ") {
        current?.commands.append(Command(line: String(line.dropFirst(2)), expected: []))
      } else if let last = current?.commands.indices.last {
        current?.commands[last].expected.append(String(line))
      }
    }
    return blocks
  }

  static let readme: [Block] = {
    let path = repositoryRoot.appendingPathComponent("README.md").path
    return blocks((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
  }()

  /// Digests, tick counts, milliseconds and the block's directory as placeholders.
  static func normalise(_ line: String, directory: String) -> String {
    var s = line.replacingOccurrences(of: directory, with: "DIR")
    for (pattern, replacement) in [
      ("[0-9a-f]{64}", "SHA256"), ("[0-9]+ ticks", "N ticks"), ("[0-9]+(\\.[0-9]+)? ms\\b", "N ms"),
    ] {
      s = s.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
    }
    return s
  }

  /// Whether `line` is what `pattern` shows, `…` standing for any text.
  static func matches(_ line: String, _ pattern: String) -> Bool {
    let parts = pattern.components(separatedBy: "…")
    guard parts.count > 1 else { return line == pattern }
    guard let first = parts.first, let last = parts.last, line.hasPrefix(first) else { return false }
    var rest = line.dropFirst(first.count)
    for part in parts.dropFirst().dropLast() {
      guard let r = rest.range(of: part) else { return false }
      rest = rest[r.upperBound...]
    }
    return rest.hasSuffix(last) && rest.count >= last.count
  }

  @Test("the README has console examples to run")
  func found() {
    #expect(Self.readme.count >= 10, "found \(Self.readme.count) ```console blocks")
    #expect(Self.readme.allSatisfy { !$0.commands.isEmpty })
  }

  @Test("the README's memory map picture is the one the demo's build draws")
  func mapPicture() throws {
    let dir = try TemporaryDirectory()
    let plan = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.plan.yaml").path
    let r = try cleave(["build", plan, "-o", dir.path("out")])
    try #require(r.status == 0, "\(r.summary)")
    let built = try String(contentsOfFile: dir.path("out/map.svg"), encoding: .utf8)
    let shown = try String(
      contentsOf: repositoryRoot.appendingPathComponent("docs/map-demo.svg"), encoding: .utf8)
    #expect(built == shown, "docs/map-demo.svg differs from the demo's map.svg: copy it again")
  }

  @Test("every README console example prints what the README shows", arguments: readme)
  func example(block: Block) throws {
    let dir = try TemporaryDirectory()
    let fm = FileManager.default
    for name in ["dts", "docs", "Tests"] {
      try fm.createSymbolicLink(
        atPath: dir.path(name), withDestinationPath: repositoryRoot.appendingPathComponent(name).path)
    }
    // build/ holds links to what make built; what a command writes there stays in the block's directory.
    try fm.createDirectory(atPath: dir.path("build"), withIntermediateDirectories: true)
    let built = repositoryRoot.appendingPathComponent("build")
    for name in (try? fm.contentsOfDirectory(atPath: built.path)) ?? [] {
      try fm.createSymbolicLink(
        atPath: dir.path("build/\(name)"), withDestinationPath: built.appendingPathComponent(name).path)
    }
    // One shell for the block, so `echo $?` sees the command before it; a
    // record separator after each command splits the output.
    var script = "cd '\(dir.url.path)' || exit 99\nexec 2>&1\ns=0\n"
    for c in block.commands {
      script += "(exit $s); \(c.line)\ns=$?\nprintf '\\036\\n'\n"
    }
    let bin = URL(fileURLWithPath: cleaveBinary).deletingLastPathComponent().path
    let path = "\(bin):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")"
    let r = try run(tool("env"), ["PATH=\(path)", "bash", "-c", script], timeLimit: 600)
    #expect(
      r.status == 0 && !r.signalled, "README.md:\(block.startLine): the block's shell failed: \(r.summary)")
    let outputs = r.stdoutText.components(separatedBy: "\u{1e}\n")
    try #require(outputs.count == block.commands.count + 1, "README.md:\(block.startLine): \(r.stdoutText)")
    for (c, raw) in zip(block.commands, outputs) {
      var text = raw
      if text.hasSuffix("\n") { text.removeLast() }
      let actual =
        text.isEmpty
        ? []
        : text.components(separatedBy: "\n").map {
          Self.normalise($0, directory: dir.url.path)
        }
      let expected = c.expected.map { Self.normalise($0, directory: dir.url.path) }
      let shown = "README.md:\(block.startLine): `\(c.line)` printed:\n\(actual.joined(separator: "\n"))"
      if expected.contains("...") {
        for line in expected where line != "..." {
          #expect(actual.contains { Self.matches($0, line) }, "missing line: \(line)\n\(shown)")
        }
      } else {
        let same = actual.count == expected.count && zip(actual, expected).allSatisfy { Self.matches($0, $1) }
        #expect(same, "expected:\n\(expected.joined(separator: "\n"))\n\(shown)")
      }
    }
  }
}
