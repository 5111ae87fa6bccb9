import ArgumentParser

struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Show what a board's device tree describes.")
  @Argument(help: "The board: a .dtb or .dts file, or - for standard input.") var board: String
  func run() throws {}
}
