import Foundation
import Testing

/// One `-M virt` machine QEMU can describe, and what its tree must say.
struct QEMUBoard: Sendable, CustomTestStringConvertible {
  enum Flavour: String, Sendable, CaseIterable {
    case gicv2, gicv3, riscv64
  }

  var flavour: Flavour
  var cpus: Int
  /// `-m` as QEMU takes it, and the same size in bytes.
  var memory: (option: String, bytes: UInt64)

  var emulator: String { flavour == .riscv64 ? "qemu-system-riscv64" : "qemu-system-aarch64" }

  /// The QEMU arguments that dump this machine's tree to `dtb` and exit.
  func arguments(dumpingTo dtb: String) -> [String] {
    let machine: [String]
    switch flavour {
    case .gicv2: machine = ["-M", "virt,gic-version=2,dumpdtb=\(dtb)", "-cpu", "cortex-a57"]
    case .gicv3: machine = ["-M", "virt,gic-version=3,dumpdtb=\(dtb)", "-cpu", "cortex-a57"]
    case .riscv64: machine = ["-M", "virt,dumpdtb=\(dtb)"]
    }
    return machine + ["-smp", String(cpus), "-m", memory.option, "-nographic", "-nic", "none"]
  }

  var architecture: String { flavour == .riscv64 ? "riscv64" : "aarch64" }

  /// The interrupt-controller kind the report must list.
  var controllerKind: String { flavour == .riscv64 ? "plic" : flavour.rawValue }

  var testDescription: String { "\(flavour.rawValue) -smp \(cpus) -m \(memory.option)" }

  static let sizes: [(String, UInt64)] = [("256M", 256 << 20), ("1G", 1 << 30), ("2G", 2 << 30)]

  /// -smp 1…8 of each flavour, cycling through the memory sizes.
  static let all: [QEMUBoard] = Flavour.allCases.flatMap { flavour in
    (1...8).map { QEMUBoard(flavour: flavour, cpus: $0, memory: sizes[$0 % sizes.count]) }
  }
}

/// The part of `cleave inspect --format json` these tests read.
struct Report: Decodable {
  struct CPU: Decodable {
    var index: Int
    var path: String
    var id: String
  }
  struct Controller: Decodable {
    var path: String
    var kind: String
  }
  var board: String
  var architecture: String
  var cpus: [CPU]
  var totalMemory: String
  var interruptControllers: [Controller]
}

/// cleave against the trees QEMU 7.2 itself generates, and the default board's text output.
@Suite("QEMU boards")
struct QEMUBoardTests {
  /// Dumps the tree QEMU builds for `board` into `directory`; returns the .dtb path.
  private func dump(_ board: QEMUBoard, in directory: TemporaryDirectory) throws -> String {
    let dtb = directory.path("virt.dtb")
    let qemu = try tool(board.emulator)
    let r = try run(qemu, board.arguments(dumpingTo: dtb))
    try #require(r.status == 0 && !r.signalled, "\(board.emulator): \(r.summary)")
    try #require(FileManager.default.fileExists(atPath: dtb), "\(board.emulator) wrote no \(dtb)")
    return dtb
  }

  private func report(_ result: RunResult) throws -> Report {
    try #require(result.status == 0 && !result.signalled, "cleave: \(result.summary)")
    return try JSONDecoder().decode(Report.self, from: result.stdout)
  }

  @Test("QEMU's own tree: CPU count, memory size, interrupt controller", arguments: QEMUBoard.all)
  func qemuTree(_ board: QEMUBoard) throws {
    let scratch = try TemporaryDirectory()
    let dtb = try dump(board, in: scratch)
    let r = try report(try cleave(["inspect", "--format", "json", dtb]))
    #expect(r.board == dtb)
    #expect(r.architecture == board.architecture)
    #expect(r.cpus.count == board.cpus, "cpus: \(r.cpus.map(\.path))")
    #expect(r.cpus.map(\.index) == Array(0..<r.cpus.count))
    #expect(Set(r.cpus.map(\.id)).count == r.cpus.count, "hardware ids must differ: \(r.cpus.map(\.id))")
    #expect(r.totalMemory == "0x" + String(board.memory.bytes, radix: 16))
    let kinds = r.interruptControllers.map(\.kind)
    #expect(kinds.contains(board.controllerKind), "interrupt controllers: \(kinds)")
  }

  @Test("a blob on standard input reads like the same blob from a file")
  func standardInput() throws {
    let scratch = try TemporaryDirectory()
    let board = QEMUBoard(flavour: .gicv3, cpus: 4, memory: ("1G", 1 << 30))
    let dtb = try dump(board, in: scratch)
    let fromFile = try cleave(["inspect", "--format", "json", dtb])
    let fromStdin = try cleave(
      ["inspect", "--format", "json", "-"], stdin: try Data(contentsOf: URL(fileURLWithPath: dtb)))
    let piped = try report(fromStdin)
    #expect(piped.board == "-")
    #expect(piped.cpus.count == 4)
    #expect(piped.totalMemory == "0x40000000")
    #expect(fromStdin.stderr.isEmpty, "standard error: \(fromStdin.stderr)")

    // Apart from the board's name the two reports are the same.
    func withoutBoard(_ data: Data) throws -> NSDictionary {
      let object = try JSONSerialization.jsonObject(with: data)
      var dictionary = try #require(object as? [String: Any], "the report is not a JSON object")
      dictionary["board"] = nil
      return dictionary as NSDictionary
    }
    #expect(try withoutBoard(fromFile.stdout) == withoutBoard(fromStdin.stdout))
  }

  @Test("text output of the default board shows cluster -> L2 -> cores")
  func defaultBoardTopology() throws {
    let board = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").path
    let result = try cleave(["inspect", board])
    try #require(result.status == 0 && !result.signalled, "cleave: \(result.summary)")
    let lines = result.stdoutText.split(separator: "\n").map(String.init)
    #expect(lines.first == "board  \(board)")

    // Each entry: text that starts a line (after its indentation), found in this order,
    // each nested under the group above it.
    var expected: [(text: String, depth: Int)] = [("topology", 0), ("socket0", 1)]
    for cluster in 0..<2 {
      expected += [("cluster\(cluster)  4 cores", 2), ("L2 /cpus/l2-cache\(cluster) (1 MiB)", 3)]
      expected += (0..<4).map { core in
        let n = cluster * 4 + core
        return ("cpu@\(n)     mpidr 0x\(n)  cpu\(n)", 4)
      }
    }
    var from = 0
    var indentOfDepth: [Int: Int] = [:]
    for (text, depth) in expected {
      guard let i = lines[from...].firstIndex(where: { $0.drop { $0 == " " }.hasPrefix(text) }) else {
        Issue.record(
          "no line starting with \(text.debugDescription) after line \(from + 1) of:\n\(result.stdoutText)")
        return
      }
      let indent = lines[i].prefix { $0 == " " }.count
      if let known = indentOfDepth[depth] {
        #expect(indent == known, "\(text.debugDescription) is indented \(indent), its peers \(known)")
      } else if let parent = indentOfDepth[depth - 1] {
        #expect(indent > parent, "\(text.debugDescription) is not nested under the line above it")
      }
      indentOfDepth[depth] = indent
      from = i + 1
    }
  }
}
