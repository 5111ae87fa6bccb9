import Foundation
import Testing

/// One row per kind of invocation in the README's exit-status table: every bad
/// invocation exits 2, like unusable input, and says why on standard error.
@Suite("Exit status")
struct ExitStatusTests {
  static let gicv3Plan = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.plan.yaml").path
  static let gicv3Board = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").path
  static let broken = fixturesDirectory.appendingPathComponent("checks/memory_overlap.plan.yaml").path
  static let typo = fixturesDirectory.appendingPathComponent("checks/unknown_key.plan.yaml").path

  struct Row: Sendable, CustomTestStringConvertible {
    var what: String
    var arguments: [String]
    var status: Int32
    /// Text that standard error must contain (empty: anything).
    var says: String
    var testDescription: String { "\(status): \(what)" }
  }

  static let rows: [Row] = [
    Row(what: "a clean plan", arguments: ["check", gicv3Plan], status: 0, says: ""),
    Row(what: "a board that reads", arguments: ["inspect", gicv3Board], status: 0, says: ""),
    Row(what: "--help", arguments: ["build", "--help"], status: 0, says: ""),
    Row(what: "a plan with errors", arguments: ["check", broken], status: 1, says: ""),
    Row(
      what: "a build of a plan with errors", arguments: ["build", broken, "-o", "OUT"], status: 1,
      says: "not built: the plan has errors"),
    Row(
      what: "a plan that is not a plan", arguments: ["build", typo, "-o", "OUT"], status: 2,
      says: "error[unknown_key]"),
    Row(
      what: "a file that does not exist", arguments: ["inspect", "no-such-board.dtb"], status: 2,
      says: "no-such-board.dtb"),
    Row(
      what: "an unknown option", arguments: ["check", "--bogus", gicv3Plan], status: 2,
      says: "Unknown option '--bogus'"),
    Row(what: "an unknown verb", arguments: ["partition", gicv3Plan], status: 2, says: "partition"),
    Row(
      what: "build without -o", arguments: ["build", gicv3Plan], status: 2,
      says: "Missing expected argument '--output <output>'"),
    Row(
      what: "plan without --auto or --from-domains", arguments: ["plan", gicv3Board], status: 2,
      says: "give one of --auto or --from-domains"),
    Row(
      what: "check of one board that declares no domains", arguments: ["check", gicv3Board], status: 2,
      says:
        "the board declares no execution domains (/domains); check a plan, two or more trees, or one tree with --board"
    ),
    Row(
      what: "check with two plans", arguments: ["check", gicv3Plan, gicv3Plan], status: 2,
      says: "check takes one plan at a time"),
    Row(
      what: "a value that does not parse", arguments: ["run", "OUT", "--timeout", "soon"], status: 2,
      says: "soon"),
    Row(
      what: "explain of no check", arguments: ["explain", "memory_overlapp"], status: 2,
      says: "did you mean 'memory_overlap'?"),
  ]

  @Test("each kind of invocation exits as the README's table says", arguments: rows)
  func exitStatus(row: Row) throws {
    let dir = try TemporaryDirectory()
    let arguments = row.arguments.map { $0 == "OUT" ? dir.path("out") : $0 }
    let r = try cleave(arguments)
    #expect(r.status == row.status && !r.signalled, "\(r.summary)")
    #expect(row.says.isEmpty || r.stderr.contains(row.says), "standard error: \(r.stderr)")
    if row.status == 2 {
      // check reports its findings on standard output, every other refusal on standard error.
      #expect(!(r.stderr + r.stdoutText).isEmpty, "a refusal says why")
      #expect(!FileManager.default.fileExists(atPath: dir.path("out")), "nothing written")
    }
  }

  @Test("--version names the release and the commit it was built from")
  func version() throws {
    let r = try cleave(["--version"])
    #expect(r.status == 0)
    let text = r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    let commit = try run(
      tool("git"), ["-C", repositoryRoot.path, "rev-parse", "--short=12", "HEAD"])
    let head = commit.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(text.hasPrefix("cleave 0."), "\(text)")
    // A checkout names its commit; `-dirty` follows when the tree has edits.
    if commit.status == 0 { #expect(text.contains("(\(head)"), "\(text) should name HEAD \(head)") }
  }

  @Test("help CHECK_ID and explain CHECK_ID print what a check means, why, and how to fix it")
  func explain() throws {
    for arguments in [["help", "memory_overlap"], ["explain", "memory_overlap"]] {
      let r = try cleave(arguments)
      #expect(r.status == 0, "\(r.summary)")
      let lines = r.stdoutText.split(separator: "\n").map(String.init)
      #expect(lines.first == "memory_overlap (error)", "\(r.stdoutText)")
      #expect(lines.contains("  fires when: two kernels' memory, or two channels, overlap"))
      #expect(lines.contains { $0.hasPrefix("  why:") } && lines.contains { $0.hasPrefix("  fix:") })
    }
    // `help VERB` is still the verb's help.
    let verb = try cleave(["help", "build"])
    #expect(verb.status == 0 && verb.stdoutText.contains("USAGE: cleave build"), "\(verb.stdoutText)")
    // With no argument, every check is listed once.
    let all = try cleave(["explain"])
    #expect(all.status == 0)
    #expect(all.stdoutText.contains("memory_overlap ") && all.stdoutText.contains("domain_pmp_exhausted "))
  }

  @Test("shell completion completes boards, plans and OUT directories")
  func completion() throws {
    let r = try cleave(["--generate-completion-script", "bash"])
    #expect(r.status == 0)
    for pattern in ["dts", "dtb", "yaml"] {
      #expect(r.stdoutText.contains(pattern), "bash completion names no .\(pattern) files")
    }
  }
}
