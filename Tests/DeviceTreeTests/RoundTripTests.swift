import Foundation
import Testing

@testable import DeviceTree

/// DTB -> model -> DTB must decompile to exactly the text dtc gives for the input,
/// and the model's own DTS writer must print that same text.
struct RoundTripTests {
  static func decompile(_ blob: [UInt8]) throws -> String {
    let path = try temporaryFile(blob, suffix: ".dtb")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try dtc(["-q", "-I", "dtb", "-O", "dts", path])
    #expect(r.status == 0, "dtc could not read \(path): \(r.err)")
    return String(decoding: r.out, as: UTF8.self)
  }

  static func check(blob: [UInt8], name: String) throws {
    let model = try DeviceTree(blob: blob, file: name)
    let expected = try decompile(blob)
    let rewritten = try model.blob()
    #expect(try decompile(rewritten) == expected, "blob round trip differs for \(name)")
    #expect(model.source(labels: false) == expected, "DTS writer differs from dtc for \(name)")
  }

  @Test(arguments: try boardFiles())
  func boardsRoundTrip(board: String) throws {
    let r = try dtc(["-q", "-I", "dts", "-O", "dtb", board])
    #expect(r.status == 0)
    try Self.check(blob: Array(r.out), name: board)
  }

  /// Real-world blobs a Debian package ships: QEMU's board DTBs, and the Linux
  /// arm64 DTBs when the kernel package has been fetched into build/.
  @Test func shippedBlobsRoundTrip() throws {
    var blobs: [String] = []
    let qemu = "/usr/share/qemu"
    for f in (try? FileManager.default.contentsOfDirectory(atPath: qemu)) ?? [] where f.hasSuffix(".dtb") {
      blobs.append("\(qemu)/\(f)")
    }
    let linux = repositoryRoot.appendingPathComponent("build/linux/dtbs").path
    if let e = FileManager.default.enumerator(atPath: linux) {
      for case let f as String in e where f.hasSuffix(".dtb") { blobs.append("\(linux)/\(f)") }
    }
    #expect(!blobs.isEmpty, "no shipped DTBs found; run make deps")
    for path in blobs {
      guard let data = FileManager.default.contents(atPath: path) else { continue }
      try Self.check(blob: Array(data), name: path)
    }
  }

  @Test func reservationsAndBootCPUSurvive() throws {
    var t = try tree("/dts-v1/;\n/memreserve/ 0x1000 0x2000;\n/ { a = \"x\"; };\n")
    t.bootCPUID = 3
    let again = try DeviceTree(blob: try t.blob())
    #expect(again.reservations == [MemoryReservation(address: 0x1000, size: 0x2000)])
    #expect(again.bootCPUID == 3)
  }

  @Test func labelsComeFromSource() throws {
    let t = try tree("/dts-v1/;\n/ { uart0: serial@1000 { reg = <0x1000>; }; };\n")
    let id = try #require(t.node(label: "uart0"))
    #expect(t.path(of: id) == "/serial@1000")
    #expect(t.node(path: "/__symbols__") == nil)
    #expect(t.property("phandle", of: id) == nil, "labels must not add phandles")
    #expect(t.source().contains("uart0: serial@1000 {"))
  }

  @Test func valueRenderingMatchesDtc() throws {
    let t = try tree(
      """
      /dts-v1/;
      / {
        s = "a", "b\\tc";
        c = <1 2 0xdeadbeef>;
        b = [01 02 03];
        e;
        odd = "x\\x01y";
      };
      """)
    let text = t.source(labels: false)
    #expect(text.contains("\ts = \"a\\0b\\tc\";"))
    #expect(text.contains("\todd = <0x78017900>;"))
    #expect(text.contains("\tc = <0x01 0x02 0xdeadbeef>;"))
    #expect(text.contains("\tb = [01 02 03];"))
    #expect(text.contains("\te;"))
    let blob = try t.blob()
    #expect(text == (try Self.decompile(blob)))
  }
}
