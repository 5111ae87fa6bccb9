import ArgumentParser
import DeviceTree
import Foundation
import Machine

struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract:
      "Show what a board's device tree describes: cores, caches, memory, interrupt controllers, devices.")

  @Argument(
    help: "The board: a .dtb or .dts file, or - for standard input.",
    completion: .file(extensions: ["dts", "dtb"]))
  var board: String

  @Option(
    name: .customLong("include"), help: "An include directory for .dts sources (repeatable).",
    completion: .directory)
  var includes: [String] = []

  @Option(help: "text or json.")
  var format: OutputFormat = .text

  func run() throws {
    let machine = try loadMachine(board, includes: includes)
    switch format {
    case .text: print(machine.text(board: board), terminator: "")
    case .json: try printJSON(machine.report(board: board))
    }
  }
}
