import ArgumentParser
import Emit
import Foundation
import Partitioning

struct BuildCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "build",
    abstract: "Write every kernel's device tree, the boot descriptor, the memory map and a report into OUT.",
    discussion: "OUT is replaced atomically: on any error it is left exactly as it was.")

  @Argument(help: "The plan (.yaml).", completion: .file(extensions: ["yaml", "yml"]))
  var plan: String

  @Option(name: .shortAndLong, help: "The output directory.", completion: .directory)
  var output: String

  @Option(
    name: .customLong("include"), help: "An include directory for .dts sources (repeatable).",
    completion: .directory)
  var includes: [String] = []

  @Flag(
    help:
      "Collapse the plan into one kernel over all its cores and memory (an SMP build of the same machine).")
  var smp = false

  @Flag(help: "Keep foreign devices in each tree with status = \"disabled\" instead of deleting them.")
  var disableForeign = false

  @Flag(help: "Replace OUT even if cleave did not make it.")
  var force = false

  @Option(
    help: "The loader binary to pack into OUT/image.elf (default: build/loader-<arch>.bin when present).",
    completion: .file())
  var loader: String?

  func run() throws {
    let built = try build()
    print(built.summary)
    if let missing = built.missingImage { print(missing) }
    if let map = built.artifacts.text("map.txt") { print(map, terminator: "") }
  }

  /// What a build wrote, for `build` to print in full and `run` in one line.
  struct Built {
    var artifacts: Artifacts
    /// `OUT: 15 files for 3 kernels`.
    var summary: String
    /// Why there is no image.elf, when a loader-booted plan has none.
    var missingImage: String?
  }

  /// Checks the plan and writes OUT; diagnostics go to standard error.
  func build() throws -> Built {
    let result = PlanCheck.run(planPath: plan, includes: includes)
    keepUntilExit(result)
    printBoardWarnings(result.boardWarnings, toStandardError: true)
    for d in result.diagnostics { FileHandle.standardError.write(Data((d.text + "\n").utf8)) }
    if result.unusable { throw ExitCode(2) }
    guard var partition = result.partition, result.errors == 0 else {
      FileHandle.standardError.write(Data("\(plan): not built: the plan has errors\n".utf8))
      throw ExitCode(1)
    }
    if smp { partition = partition.collapsedToSMP() }
    var options = BuildJob.Options()
    options.trees.disableForeignDevices = disableForeign
    options.loader = try loaderBytes(for: partition)
    do {
      let artifacts = try BuildJob(partition: partition, options: options).run()
      try OutputDirectory.commit(artifacts, to: output, force: force)
      keepUntilExit(partition)
      let n = partition.kernels.count
      var missing: String?
      if let why = artifacts.unbootable {
        missing = "\(output): no boot descriptor and no image.elf: \(why)"
      } else if options.loader == nil, partition.boot != .opensbiDomains {
        missing =
          "\(output): no image.elf: \(defaultLoaderPath(partition)) not found (make loader, or --loader FILE)"
      }
      return Built(
        artifacts: artifacts,
        summary: "\(output): \(artifacts.paths.count) files for \(n) kernel\(n == 1 ? "" : "s")",
        missingImage: missing)
    } catch let e as BuildJob.Failure {
      throw UnusableInput(message: "\(plan): \(e.description)")
    } catch let e as OutputDirectory.Failure {
      throw UnusableInput(message: e.description)
    }
  }

  private func loaderBytes(for p: Partition) throws -> [UInt8]? {
    let path = loader ?? defaultLoaderPath(p)
    guard let data = FileManager.default.contents(atPath: path) else {
      if loader != nil { throw UnusableInput(message: "\(path): cannot read the loader") }
      return nil
    }
    guard !data.isEmpty else { throw UnusableInput(message: "\(path): the loader is empty") }
    return Array(data)
  }

  private func defaultLoaderPath(_ p: Partition) -> String { "build/loader-\(p.target.rawValue).bin" }
}
