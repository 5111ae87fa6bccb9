import ArgumentParser
import DeviceTree
import Foundation
import Machine
import Partitioning

struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Prove a plan is a partition, or find what a set of hand-made per-kernel trees share.",
    discussion: """
      cleave check PLAN.yaml          resolves the plan against its board and runs every check.
      cleave check A.dtb B.dtb ...    checks per-kernel trees against each other (and --board).
      cleave check A.dtb --board B    checks one per-kernel tree against its board.
      cleave check BOARD.dts          checks the execution domains (/domains) a System Device Tree declares.
      Exit status: 0 clean (warnings allowed unless --werror), 1 errors, 2 unusable input.
      """)

  @Argument(
    help: "A plan (.yaml), or per-kernel device trees (.dtb or .dts): two or more, or one with --board.",
    completion: .file(extensions: ["yaml", "yml", "dts", "dtb"]))
  var inputs: [String]

  @Option(
    help: "With device trees: the board they were cut from.", completion: .file(extensions: ["dts", "dtb"]))
  var board: String?

  @Option(
    name: .customLong("include"), help: "An include directory for .dts sources (repeatable).",
    completion: .directory)
  var includes: [String] = []

  @Option(help: "text or json.")
  var format: OutputFormat = .text

  @Flag(help: "Treat warnings as errors.")
  var werror = false

  private var isPlan: Bool { inputs.first.map { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") } ?? false }

  func validate() throws {
    guard !inputs.isEmpty else { throw ValidationError("give a plan or device trees") }
    if isPlan {
      guard inputs.count == 1 else { throw ValidationError("check takes one plan at a time") }
    } else {
      guard inputs.count >= 1 else {
        throw ValidationError("give a board with /domains, two or more trees, or one tree with --board")
      }
    }
  }

  func run() throws {
    if let first = inputs.first, isPlan {
      let result = PlanCheck.run(planPath: first, includes: includes)
      keepUntilExit(result)
      try report(
        result.diagnostics, subject: first, summary: result.partition?.summary, unusable: result.unusable,
        boardWarnings: result.boardWarnings)
    } else if let only = inputs.first, inputs.count == 1, board == nil {
      let machine = try loadMachine(only, includes: includes)
      let result: PlanCheck
      do {
        result = try PlanCheck.run(domainsOf: machine, board: only)
      } catch {
        printBoardWarnings(machine.warnings, toStandardError: true)
        throw UnusableInput(
          message: error.description + "; check a plan, two or more trees, or one tree with --board")
      }
      try report(
        result.diagnostics, subject: only, summary: result.partition?.summary, unusable: result.unusable,
        boardWarnings: result.boardWarnings)
    } else {
      let trees = try inputs.map { ($0, try loadMachine($0, includes: includes)) }
      let boardMachine = try board.map { ($0, try loadMachine($0, includes: includes)) }
      let diagnostics = TreeSetCheck.run(
        trees.map { (path: $0.0, machine: $0.1) }, board: boardMachine.map { (path: $0.0, machine: $0.1) })
      try report(diagnostics, subject: inputs.joined(separator: " "), summary: nil, unusable: false)
    }
  }

  private func report(
    _ diagnostics: [Diagnostic], subject: String, summary: String?, unusable: Bool,
    boardWarnings: [String] = []
  ) throws {
    let errors = diagnostics.filter { $0.severity == .error }.count
    let warnings = diagnostics.count - errors
    switch format {
    case .json:
      try printJSON(
        CheckReport(
          subject: subject, usable: !unusable, errors: errors, warnings: warnings, diagnostics: diagnostics,
          boardWarnings: boardWarnings.isEmpty ? nil : boardWarnings))
    case .text:
      printBoardWarnings(boardWarnings)
      for d in diagnostics { print(d.text) }
      if let summary, errors == 0 { print(summary) }
      let tally = "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
      print(unusable ? "\(subject): unusable (\(tally))" : "\(subject): \(tally)")
    }
    if unusable { throw ExitCode(2) }
    if errors > 0 || (werror && warnings > 0) { throw ExitCode(1) }
  }
}

/// `cleave check --format json`.
struct CheckReport: Encodable {
  var subject: String
  var usable: Bool
  var errors: Int
  var warnings: Int
  var diagnostics: [Diagnostic]
  /// What reading the board set aside (``Machine/warnings``); absent when nothing was.
  var boardWarnings: [String]?
}
