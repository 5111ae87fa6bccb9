import ArgumentParser
import Foundation
import Partitioning

@main
struct Cleave: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cleave",
    abstract: "Split one machine into several kernels and boot them.",
    discussion: """
      Exit status: 0 done; 1 the input is understood and wrong (check errors, a failed boot); \
      2 unusable input or a bad invocation (unreadable file, bad syntax, unknown option, missing argument).
      """,
    version: "cleave \(cleaveVersion) (\(buildCommit))",
    subcommands: [
      Inspect.self, PlanCommand.self, CheckCommand.self, BuildCommand.self, RunCommand.self,
      ExplainCommand.self,
    ])

  /// Runs the command. One rule for the exit status, whatever went wrong:
  /// unusable input and every kind of bad invocation exit 2 with one line on
  /// standard error (argument-parser's own usage errors exit 64 otherwise).
  static func main() {
    var arguments = Array(CommandLine.arguments.dropFirst())
    // `cleave help CHECK_ID` explains a check; `cleave help VERB` stays argument-parser's.
    if arguments.count == 2, arguments[0] == "help", CheckID(rawValue: arguments[1]) != nil {
      arguments[0] = "explain"
    }
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
    } catch let e as UnusableInput {
      FileHandle.standardError.write(Data("cleave: error: \(e.message)\n".utf8))
      Foundation.exit(2)
    } catch {
      if exitCode(for: error) == .validationFailure {
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(2)
      }
      exit(withError: error)
    }
  }
}

/// The release this tree is; `--version` adds the commit it was built from.
let cleaveVersion = "0.5.0"
