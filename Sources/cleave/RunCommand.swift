import ArgumentParser
import Boot
import DeviceTree
import Emit
import Foundation
import Machine
import Partitioning

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Boot a built partition in QEMU and wait for every kernel to report PASS.",
    discussion: """
      Exit status: 0 when every kernel printed its PASS line, 1 on a FAIL or loader ERROR line, \
      on QEMU exiting early or on timeout (with the reason), 2 for unusable input.
      """)

  @Argument(help: "An OUT directory made by cleave build, or a plan to build first.", completion: .file())
  var target: String

  @Option(help: "Seconds to wait for every kernel's verdict.")
  var timeout: Double = 120

  @Flag(help: "Print only the verdict, not the console.")
  var quiet = false

  @Option(help: "The loader binary, when building from a plan.", completion: .file())
  var loader: String?

  @Option(
    name: .customLong("pass"), parsing: .unconditionalSingleValue,
    help:
      "KERNEL=TEXT: a console line containing TEXT is KERNEL's PASS, for kernels that print no cleave|PASS line (U-Boot, a stock Linux). Repeatable."
  )
  var passTexts: [String] = []

  @Option(
    name: .customLong("fail"), parsing: .unconditionalSingleValue,
    help:
      "TEXT: a console line containing TEXT fails the run (\"Unhandled exception\", \"Kernel panic\"). Repeatable."
  )
  var failTexts: [String] = []

  @Option(
    parsing: .unconditional,
    help:
      "QEMU machine options to use instead of the board's (\"-M virt,gic-version=3 -smp 4 -m 2G\"): boot the partition on another machine."
  )
  var machineOptions: String?

  func run() throws {
    var out = target
    var scratch: String?
    if target.hasSuffix(".yaml") || target.hasSuffix(".yml") {
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "cleave-run-\(UUID().uuidString)"
      ).path
      let build = try BuildCommand.parse([target, "-o", dir] + (loader.map { ["--loader", $0] } ?? []))
      let built = try build.build()
      if let missing = built.missingImage { throw UnusableInput(message: missing) }
      if !quiet { print("cleave run: built \(target) into \(dir) (\(built.artifacts.paths.count) files)") }
      out = dir
      scratch = dir
    }
    defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
    guard let data = FileManager.default.contents(atPath: "\(out)/report.json"),
      let report = try? JSONDecoder().decode(BuildReport.self, from: data)
    else {
      throw UnusableInput(message: "\(out): not an OUT directory of cleave build (no readable report.json)")
    }
    guard let targetArch = Plan.Target(rawValue: report.target) else {
      throw UnusableInput(message: "\(out): unknown target \(report.target)")
    }
    var payload = try Self.payload(out, report: report)
    var machine = try loadMachine(report.board, includes: [])
    if case .image(let image) = payload, report.boot == Plan.BootMode.spinTable.rawValue {
      payload = try Self.spinTablePayload(image: image, board: report.board, scratch: &scratch)
    }
    if let banks = report.ram {
      let ranges = banks.compactMap { b -> AddressRange? in
        guard let base = try? Numbers.parse(b.base), let size = try? Numbers.parse(b.size) else { return nil }
        return AddressRange(checkedBase: base, size: size)
      }
      // The plan's ram: replaced the board's banks.
      if ranges.count == banks.count, ranges != machine.memory.map(\.range) {
        machine = machine.withRAM(ranges, from: "ram")
      }
    }
    if machineOptions == nil, QEMUCommand.recordedOptions(report.board) == nil {
      let reasons = QEMUCommand.unmodelled(target: targetArch, machine: machine)
      if !reasons.isEmpty {
        print("cleave run: FAIL: QEMU cannot model \(report.board): \(reasons.joined(separator: "; "))")
        print(
          "cleave run: give --machine-options for a machine that has this board's CPUs, RAM and interrupt controller"
        )
        throw ExitCode(1)
      }
    }
    let command = QEMUCommand.make(
      target: targetArch, board: report.board, machine: machine, payload: payload,
      machineOptions: machineOptions.map { $0.split(separator: " ").map(String.init) },
      fence: report.isolation != nil)
    let kernels = report.kernels.map(\.name)
    // The plan's console texts, then the command line's, which override them.
    var passText: [String: String] = [:]
    for k in report.kernels { if let p = k.pass { passText[k.name] = p } }
    let failText = report.kernels.flatMap { $0.fail ?? [] } + failTexts
    for p in passTexts {
      guard let eq = p.firstIndex(of: "="), kernels.contains(String(p[..<eq])),
        p.index(after: eq) < p.endIndex
      else {
        throw UnusableInput(
          message: "--pass '\(p)': expected KERNEL=TEXT with KERNEL one of \(kernels.joined(separator: ", "))"
        )
      }
      passText[String(p[..<eq])] = String(p[p.index(after: eq)...])
    }
    if !quiet { print("cleave run: \(command.shellLine)") }
    let result = try BootRun.run(
      command, expecting: kernels, passText: passText, failText: failText, timeout: timeout,
      echo: quiet ? nil : echoLine)
    switch result.outcome {
    case .passed:
      print("cleave run: PASS: \(kernels.joined(separator: ", "))")
    case .failed(let reason):
      let missing = result.missing.isEmpty ? "" : " (no PASS from \(result.missing.joined(separator: ", ")))"
      print("cleave run: FAIL: \(reason)\(missing)")
      throw ExitCode(1)
    case .running:
      throw ExitCode(1)
    }
  }
}

extension RunCommand {
  /// The spin-table firmware stub `make loader` builds.
  static let spinTableFirmware = "build/firmware-spin-table-aarch64.bin"

  /// A spin-table boot: the packed image's entry (its ELF header's), the board
  /// compiled to a DTB in a scratch directory, and the firmware stub.
  static func spinTablePayload(image: String, board: String, scratch: inout String?) throws
    -> QEMUCommand.Payload
  {
    guard let elf = FileManager.default.contents(atPath: image), elf.count >= 32 else {
      throw UnusableInput(message: "\(image): not a packed image")
    }
    let entry = elf[24..<32].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard FileManager.default.fileExists(atPath: spinTableFirmware) else {
      throw UnusableInput(message: "\(spinTableFirmware) not found: make loader builds it")
    }
    let dir =
      scratch
      ?? FileManager.default.temporaryDirectory.appendingPathComponent("cleave-run-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    scratch = dir
    let tree = "\(dir)/board.dtb"
    let blob = try DeviceTree.load(board).blob()
    guard FileManager.default.createFile(atPath: tree, contents: Data(blob)) else {
      throw UnusableInput(message: "\(tree): cannot write the board's tree")
    }
    return .spinTable(image: image, entry: entry, boardTree: tree, firmware: spinTableFirmware)
  }

  /// The packed image, or in OpenSBI domains mode the firmware tree and the
  /// placement list the build wrote.
  static func payload(_ out: String, report: BuildReport) throws -> QEMUCommand.Payload {
    guard report.boot == Plan.BootMode.opensbiDomains.rawValue else {
      let image = "\(out)/image.elf"
      guard FileManager.default.fileExists(atPath: image) else {
        throw UnusableInput(message: "\(out): no image.elf; build the loader (make loader) and build again")
      }
      return .image(image)
    }
    let path = "\(out)/opensbi/placement.json"
    guard let data = FileManager.default.contents(atPath: path),
      let placement = try? JSONDecoder().decode(DomainPlacement.self, from: data)
    else { throw UnusableInput(message: "\(path): missing or unreadable; build again") }
    var load: [QEMUCommand.Placed] = []
    for item in placement.load {
      guard item.address.hasPrefix("0x"), let address = UInt64(item.address.dropFirst(2), radix: 16) else {
        throw UnusableInput(message: "\(path): '\(item.address)' is not a hexadecimal address")
      }
      let file = "\(out)/\(item.file)"
      guard FileManager.default.fileExists(atPath: file) else {
        throw UnusableInput(message: "\(path): \(item.file) is missing")
      }
      load.append(QEMUCommand.Placed(file: file, address: address))
    }
    return .domains(machineTree: "\(out)/\(placement.firmwareTree)", load: load)
  }
}

/// Prints one console line as it arrives.
@Sendable func echoLine(_ line: String) {
  print(line)
}
