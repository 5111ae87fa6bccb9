import ArgumentParser
import Partitioning

/// `cleave explain CHECK_ID` (also `cleave help CHECK_ID`): what a finding
/// means, why the rule exists and how to satisfy it, from the table the checker uses.
struct ExplainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain",
    abstract: "Explain a check: when it fires, why it matters, how to fix it (cleave explain memory_overlap)."
  )

  @Argument(
    help: "A check id as diagnostics print it (error[memory_overlap]); none lists them all.",
    completion: .list(CheckID.allCases.map(\.rawValue)))
  var check: String?

  func run() throws {
    guard let name = check else {
      for id in CheckID.allCases {
        print("\(id.rawValue.padding(toLength: 34, withPad: " ", startingAt: 0)) \(id.summary)")
      }
      return
    }
    guard let id = CheckID(rawValue: name) else {
      throw UnusableInput(
        message:
          "no check '\(name)'\(suggestion(name, in: CheckID.allCases.map(\.rawValue))); cleave explain lists them"
      )
    }
    print(id.explanation, terminator: "")
  }
}
