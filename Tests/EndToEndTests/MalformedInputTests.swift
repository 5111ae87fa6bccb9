import Foundation
import Testing

/// One way to hand cleave an unusable board, and where its message must point.
struct MalformedCase: Sendable, CustomTestStringConvertible {
  enum Source: Sendable {
    /// A copy of the base blob (dts/qemu-virt-aarch64-gicv2.dts through dtc), broken by the closure.
    case blob(@Sendable (inout FlatBlob) throws -> Void)
    /// A file in Tests/Fixtures/malformed.
    case fixture(String)
    /// A file in Tests/Fixtures/malformed, compiled to a blob by dtc first.
    case compiledFixture(String)
    /// A path that does not exist.
    case missing(String)
  }

  var name: String
  var source: Source
  /// Feed the input on standard input (`cleave inspect -`) instead of naming the file.
  var onStandardInput = false
  /// The file the message must name when it is not the input itself (an included fragment).
  var reportedFile: String?
  /// Where the message must point: one of these must follow `FILE: ` and be followed by
  /// `:`. Empty when the whole file is at fault (a header, a missing file).
  var places: [String] = []
  /// Text the message must also contain (the other party of a loop, a bad phandle).
  var mentions: [String] = []

  var testDescription: String { name }

  /// The file of the base blob every blob case breaks.
  static let baseBoard = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv2.dts").path

  static let all: [MalformedCase] = blobCases + sourceCases + compiledCases

  /// The source cases whose defect dtc lets through, again as blobs: the checks must
  /// not depend on the input having been source.
  static let compiledCases: [MalformedCase] = sourceCases.compactMap { c in
    guard case .fixture(let name) = c.source, !c.onStandardInput, !c.places.isEmpty,
      !c.places.contains(where: { $0.first?.isNumber == true })
    else { return nil }
    var blob = c
    blob.name += " (compiled to a blob)"
    blob.source = .compiledFixture(name)
    return blob
  }

  static let blobCases: [MalformedCase] = [
    .init(name: "blob truncated to 0 bytes", source: .blob { $0.truncate(to: 0) }),
    .init(name: "blob truncated to 3 bytes (inside the magic)", source: .blob { $0.truncate(to: 3) }),
    .init(name: "blob truncated to 20 bytes (inside the header)", source: .blob { $0.truncate(to: 20) }),
    .init(
      name: "blob truncated to 39 bytes (one short of the header)", source: .blob { $0.truncate(to: 39) }),
    .init(name: "blob truncated to 40 bytes (the header alone)", source: .blob { $0.truncate(to: 40) }),
    .init(
      name: "blob truncated at the start of the structure block",
      source: .blob { $0.truncate(to: Int($0[.structOffset])) }),
    .init(
      name: "blob truncated in the middle of the structure block",
      source: .blob { $0.truncate(to: Int($0[.structOffset]) + Int($0[.structSize]) / 2) }),
    .init(
      name: "blob truncated to totalsize - 1",
      source: .blob { $0.truncate(to: Int($0[.totalSize]) - 1) }),
    .init(
      name: "blob truncated in the structure block, on standard input",
      source: .blob { $0.truncate(to: Int($0[.structOffset]) + Int($0[.structSize]) / 2) },
      onStandardInput: true),
    .init(name: "bad magic 0xdeadbeef", source: .blob { $0[.magic] = 0xdead_beef }),
    .init(name: "version 1 (before any version libfdt reads)", source: .blob { $0[.version] = 1 }),
    .init(
      name: "last_comp_version 99 (needs a reader newer than version 17)",
      source: .blob { $0[.lastCompatibleVersion] = 99 }),
    .init(
      name: "totalsize larger than the file",
      source: .blob { $0[.totalSize] = UInt32($0.bytes.count + 0x100) }),
    .init(
      name: "off_dt_struct past the end of the file",
      source: .blob { $0[.structOffset] = UInt32($0.bytes.count + 0x100) }),
    .init(
      name: "off_dt_struct + size_dt_struct wrapping 32 bits",
      source: .blob { $0[.structOffset] = 0xffff_fff0 }),
    .init(
      name: "off_dt_strings past the end of the file",
      source: .blob { $0[.stringsOffset] = UInt32($0.bytes.count + 0x100) }),
    .init(
      name: "off_mem_rsvmap past the end of the file",
      source: .blob { $0[.reservationMapOffset] = UInt32($0.bytes.count + 0x100) }),
    .init(
      name: "size_dt_struct past the end of the file",
      source: .blob { $0[.structSize] = UInt32($0.bytes.count * 2) }),
    .init(
      name: "property name offset past the strings block (/cpus/cpu@0 reg)",
      source: .blob { blob in
        let token = try blob.propertyToken("reg", of: "/cpus/cpu@0")
        blob.setU32(blob[.stringsSize] + 0x40, at: token + 8)
      },
      places: ["/cpus/cpu@0"]),
    .init(
      name: "property length past the end of the structure block (/cpus/cpu@0 reg)",
      source: .blob { blob in
        let token = try blob.propertyToken("reg", of: "/cpus/cpu@0")
        blob.setU32(blob[.structSize] + 0x100, at: token + 4)
      },
      places: ["/cpus/cpu@0"]),
    .init(
      name: "property length 0xfffffff0 (/cpus/cpu@0 reg)",
      source: .blob { blob in
        let token = try blob.propertyToken("reg", of: "/cpus/cpu@0")
        blob.setU32(0xffff_fff0, at: token + 4)
      },
      places: ["/cpus/cpu@0"]),
    .init(
      name: "#address-cells 0x80000000 on a node whose child has reg (blob: /intc@8000000)",
      source: .blob { blob in
        let token = try blob.propertyToken("#address-cells", of: "/intc@8000000")
        blob.setU32(0x8000_0000, at: token + 12)
      },
      places: ["/intc@8000000"]),
  ]

  static let sourceCases: [MalformedCase] = [
    .init(
      name: "#address-cells 0x80000000 on a bus with children that have reg (source; dtc crashes on it)",
      source: .fixture("absurd-address-cells.dts")),
    .init(
      name: "cyclic interrupt-parent chain", source: .fixture("interrupt-parent-cycle.dts"),
      places: ["/serial@9000000", "/nexus-a", "/nexus-b"], mentions: ["/nexus-"]),
    .init(
      name: "dangling phandle in interrupt-parent", source: .fixture("dangling-interrupt-parent.dts"),
      places: ["/serial@9000000:interrupt-parent"], mentions: ["0x1234"]),
    .init(
      name: "next-level-cache cycle between two caches", source: .fixture("cache-cycle.dts"),
      places: ["/cpus/cpu@0", "/cpus/l2-cache", "/cpus/l3-cache"]),
    .init(
      name: "cpu-map cpu phandle that points nowhere", source: .fixture("cpu-map-dangling.dts"),
      places: ["/cpus/cpu-map/cluster0/core0"], mentions: ["0x4242"]),
    .init(name: "DTS syntax error", source: .fixture("syntax-error.dts"), places: ["9:2"]),
    .init(
      name: "DTS syntax error, on standard input", source: .fixture("syntax-error.dts"),
      onStandardInput: true,
      places: ["9:2"]),
    .init(
      name: "DTS syntax error in an included fragment", source: .fixture("include-syntax-error.dts"),
      reportedFile: "include-syntax-error.dtsi", places: ["4:1"]),
    .init(
      name: "DTS including a file that does not exist", source: .fixture("missing-include.dts"),
      places: ["5:10"], mentions: ["does-not-exist.dtsi"]),
    .init(name: "missing .dts file", source: .missing("no-such-board.dts")),
    .init(name: "missing .dtb file", source: .missing("no-such-board.dtb")),
  ]
}

/// Defects confined to one node (a reg or ranges that does not fit or overflows) are
/// not here: the board is read with that node ignored (ConfinedDefectTests).
/// Every unusable board is refused the same way: exit status 2, nothing on standard
/// output, and one line `cleave: error: FILE: PLACE: message` on standard error; never
/// a crash or a hang.
@Suite("Malformed input")
struct MalformedInputTests {
  @Test("is refused with one located line", arguments: MalformedCase.all)
  func refused(_ c: MalformedCase) throws {
    let scratch = try TemporaryDirectory()
    let (path, bytes) = try input(for: c, in: scratch)
    let shownFile: String
    let result: RunResult
    if c.onStandardInput {
      shownFile = "-"
      let data: Data = try #require(bytes, "no bytes to feed on standard input")
      result = try cleave(["inspect", "-"], stdin: data)
    } else {
      shownFile = path
      result = try cleave(["inspect", path])
    }
    let directory = (path as NSString).deletingLastPathComponent
    let expectedFile = c.reportedFile.map { directory + "/" + $0 } ?? shownFile

    #expect(!result.crashed, "crashed: \(result.summary)")
    #expect(result.status == 2, "\(result.summary)")
    #expect(result.stdout.isEmpty, "standard output: \(result.stdoutText.prefix(200))")
    let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(
      lines.count == 2 && lines[1].isEmpty,
      "standard error must be exactly one line ending in a newline: \(result.stderr.debugDescription)")
    let line = String(lines.first ?? "")
    let prefix = "cleave: error: \(expectedFile): "
    #expect(line.hasPrefix(prefix), "expected the line to start with \(prefix.debugDescription): \(line)")
    if !c.places.isEmpty {
      #expect(
        c.places.contains { line.hasPrefix(prefix + $0 + ":") },
        "expected the place to be one of \(c.places) right after the file: \(line)")
    }
    for text in c.mentions {
      #expect(line.dropFirst(prefix.count).contains(text), "expected the message to mention \(text): \(line)")
    }
  }

  /// The path to give cleave and, for blob and standard-input cases, the bytes.
  private func input(for c: MalformedCase, in scratch: TemporaryDirectory) throws -> (String, Data?) {
    let words = c.name.split { !($0.isLetter || $0.isNumber) }
    let slug = words.prefix(8).joined(separator: "-")
    switch c.source {
    case .blob(let breakIt):
      let base = scratch.path("base.dtb")
      try compileDTS(file: MalformedCase.baseBoard, to: base)
      var blob = FlatBlob(Array(try Data(contentsOf: URL(fileURLWithPath: base))))
      try breakIt(&blob)
      let data = Data(blob.bytes)
      return (try scratch.write(data, to: slug + ".dtb"), data)
    case .fixture(let name):
      let path = fixturesDirectory.appendingPathComponent("malformed/\(name)").path
      return (path, try Data(contentsOf: URL(fileURLWithPath: path)))
    case .compiledFixture(let name):
      let source = fixturesDirectory.appendingPathComponent("malformed/\(name)").path
      let blob = scratch.path(slug + ".dtb")
      try compileDTS(file: source, to: blob)
      return (blob, try Data(contentsOf: URL(fileURLWithPath: blob)))
    case .missing(let name):
      return (scratch.path(name), nil)
    }
  }
}
