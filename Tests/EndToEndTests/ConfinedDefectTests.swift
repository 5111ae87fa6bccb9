import Foundation
import Testing

/// A board with one node whose defect is confined to it, and the one warning that
/// must name it.
struct ConfinedCase: Sendable, CustomTestStringConvertible {
  /// A file in Tests/Fixtures/confined.
  var file: String
  /// The warning line, exactly.
  var warning: String
  var testDescription: String { file }

  static let all: [ConfinedCase] = [
    .init(
      file: "memory-reg-overflow.dts",
      warning: "/memory@fffffffffffff000:reg: 0xfffffffffffff000 + 0x2000 overflows 64 bits (node ignored)"),
    .init(
      file: "memory-reg-cells-mismatch.dts",
      warning:
        "/memory@40000000:reg: 3 cells do not fit #address-cells = <2> + #size-cells = <2> (node ignored)"),
    .init(
      file: "ranges-overflow.dts",
      warning:
        "/soc/serial@0: /soc:ranges: window of 0x2000 bytes at 0x0 -> 0xfffffffffffff000 overflows 64 bits (node ignored)"
    ),
    .init(
      file: "reg-placeholder.dts",
      warning: "/axi/iomodule@f0280000:reg: 0xffffffffffffffff + 0xe0000 overflows 64 bits (node ignored)"),
    .init(
      file: "reg-cells-mismatch.dts",
      warning:
        "/ps_ipi@ff360000:reg: 2 cells do not fit #address-cells = <2> + #size-cells = <2> (node ignored)"),
    .init(
      file: "interrupt-map-mask.dts",
      warning: "/axi-bus/serial@0: /axi-bus:interrupt-map-mask: 3 cells, expected 5 (node ignored)"),
    .init(
      file: "interrupts-partial.dts",
      warning:
        "/non_linux_soc/mailbox@30ab0000:interrupts: 2 cells are not a whole number of 3-cell specifiers for /interrupt-controller@38800000 (node ignored)"
    ),
    .init(
      file: "cpu-reg-mismatch.dts",
      warning: "/cpus-a53@0/cpu@1:reg: 1 cells do not fit /cpus-a53@0 #address-cells = <2> (node ignored)"),
  ]
}

/// A defect confined to one node does not refuse the board: `inspect` exits 0,
/// lists the rest, and names the node and its defect once, in text and in JSON,
/// from the source and from the compiled blob alike.
@Suite("Node-confined defects")
struct ConfinedDefectTests {
  @Test("are one warning, the board still read", arguments: ConfinedCase.all)
  func warned(_ c: ConfinedCase) throws {
    let source = fixturesDirectory.appendingPathComponent("confined/\(c.file)").path
    let scratch = try TemporaryDirectory()
    let blob = scratch.path(c.file.replacingOccurrences(of: ".dts", with: ".dtb"))
    try compileDTS(file: source, to: blob)
    for input in [source, blob] {
      let text = try cleave(["inspect", input])
      #expect(text.status == 0, "\(input): \(text.summary)")
      #expect(text.stderr.isEmpty, "\(input): \(text.stderr)")
      let lines = text.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      let start = try #require(lines.firstIndex(of: "warnings (1)"), "\(input): no warnings section")
      #expect(lines.dropFirst(start + 1).first == "  " + c.warning)
      #expect(lines.filter { $0.contains("(node ignored)") }.count == 1)

      let json = try cleave(["inspect", "--format", "json", input])
      #expect(json.status == 0, "\(input): \(json.summary)")
      let object = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
      #expect(object["warnings"] as? [String] == [c.warning])
    }
  }

  @Test("a clean board's JSON report has no warnings key")
  func cleanBoardHasNoWarnings() throws {
    let r = try cleave([
      "inspect", "--format", "json",
      repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").path,
    ])
    #expect(r.status == 0, "\(r.summary)")
    let object = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
    #expect(object["warnings"] == nil)
    #expect(object["clusters"] != nil)
  }
}
