import ArgumentParser
import Foundation

@main
struct Cleave: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cleave",
    abstract: "Split one machine into several kernels and boot them.",
    subcommands: [Inspect.self, PlanCommand.self, CheckCommand.self, BuildCommand.self, RunCommand.self])

  /// Runs the command; unusable input exits 2 with one line on standard error.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let e as UnusableInput {
      FileHandle.standardError.write(Data("cleave: error: \(e.message)\n".utf8))
      Foundation.exit(2)
    } catch {
      exit(withError: error)
    }
  }
}
