import ArgumentParser
import DeviceTree
import Foundation
import Machine
import Partitioning

struct PlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan", abstract: "Write a starting plan for a board: one kernel per shared-L2 group.")

  @Flag(help: "Derive the plan from the board's topology.")
  var auto = false

  @Flag(
    help: "Write the plan equivalent to the board's execution domains (/domains of a System Device Tree).")
  var fromDomains = false

  @Option(help: "Group cores by core, l2, cluster or numa.")
  var by: AutoPlanner.Grouping = .l2

  @Option(help: "Merge neighbouring groups down to this many kernels.")
  var kernels: Int?

  @Option(
    help:
      "The machine's RAM as BASE:SIZE[,BASE:SIZE...] (0x0:4G), for boards whose firmware fills /memory in; written into the plan as ram:."
  )
  var ram: String?

  @Option(
    name: .customLong("include"), help: "An include directory for .dts sources (repeatable).",
    completion: .directory)
  var includes: [String] = []

  @Option(
    name: .shortAndLong, help: "Write the plan to this file instead of standard output.",
    completion: .file(extensions: ["yaml"]))
  var output: String?

  @Argument(help: "The board: a .dtb or .dts file.", completion: .file(extensions: ["dts", "dtb"]))
  var board: String

  func validate() throws {
    guard auto != fromDomains else {
      throw ValidationError("give one of --auto or --from-domains: cleave plan --auto BOARD")
    }
    _ = try ramBanks()
  }

  /// `--ram 0x0:4G,0x100000000:4G` as ranges.
  func ramBanks() throws -> [AddressRange]? {
    guard let ram else { return nil }
    return try ram.split(separator: ",").map { item in
      let parts = item.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 2, let base = try? Numbers.parse(String(parts[0])),
        let size = try? Numbers.size(String(parts[1])), size > 0,
        let range = AddressRange(checkedBase: base, size: size)
      else {
        throw ValidationError(
          "--ram '\(item)': expected BASE:SIZE with a size below 2^64 - BASE, e.g. 0x0:4G or 0x80000000:512M")
      }
      return range
    }
  }

  func run() throws {
    let machine = try loadMachine(board, includes: includes)
    printBoardWarnings(machine.warnings, toStandardError: true)
    let reference = output.map { relativePath(board, from: PathText.directory(of: $0)) } ?? board
    if fromDomains {
      let domains: DomainPlan
      do {
        domains = try DomainPlan.make(
          machine: machine, boardPath: board, boardReference: reference, planFile: output ?? "-")
      } catch {
        throw UnusableInput(message: error.description)
      }
      guard !domains.plan.kernels.isEmpty else {
        let others = domains.plan.foreign.map(\.name.value).joined(separator: ", ")
        throw UnusableInput(
          message:
            "\(board): no domain runs on \(machine.architecture.rawValue) cores, so the plan would have no kernel (the domains \(others) run on clusters cleave does not boot; `cleave check \(board)` checks them)"
        )
      }
      let text = domains.yaml
      if let output {
        try writeAtomically(Data(text.utf8), to: output)
      } else {
        print(text, terminator: "")
      }
      return
    }
    let planner = AutoPlanner(
      machine: machine, boardReference: reference, grouping: by, kernels: kernels, ram: try ramBanks())
    keepUntilExit(planner)
    let text: String
    do {
      text = try planner.plan()
    } catch let e as AutoPlanner.Failure {
      throw UnusableInput(message: "\(board): \(e.description)")
    }
    if let output {
      try writeAtomically(Data(text.utf8), to: output)
    } else {
      print(text, terminator: "")
    }
  }
}

extension AutoPlanner.Grouping: ExpressibleByArgument {}

/// `path` as seen from `directory` (both relative to the working directory or absolute).
func relativePath(_ path: String, from directory: String) -> String {
  let cwd = FileManager.default.currentDirectoryPath
  func absolute(_ p: String) -> [String] {
    let full = p.hasPrefix("/") ? p : (p.isEmpty ? cwd : "\(cwd)/\(p)")
    var parts: [String] = []
    for c in full.split(separator: "/") {
      if c == "." { continue }
      if c == ".." { _ = parts.popLast() } else { parts.append(String(c)) }
    }
    return parts
  }
  let target = absolute(path)
  let base = absolute(directory)
  var common = 0
  while common < min(target.count, base.count), target[common] == base[common] { common += 1 }
  let ups = Array(repeating: "..", count: base.count - common)
  return (ups + target[common...]).joined(separator: "/")
}

/// Writes a file through a temporary sibling renamed into place, so a reader never sees half of it.
func writeAtomically(_ data: Data, to path: String) throws {
  let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
  try data.write(to: URL(fileURLWithPath: temporary))
  if rename(temporary, path) != 0 {
    try? FileManager.default.removeItem(atPath: temporary)
    throw UnusableInput(message: "\(path): cannot write the file")
  }
}
