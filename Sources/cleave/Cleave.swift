import ArgumentParser

@main
struct Cleave: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cleave",
    abstract: "Split one machine into several kernels and boot them.",
    subcommands: [Inspect.self])
}
