import Foundation
import Testing

@testable import Emit

/// The output layer's own check, behind the plan's name rule: no artifact path
/// may leave OUT, whatever an emitter puts together.
struct OutputPathTests {
  @Test(arguments: [
    "../x.dtb", "kernels/../../x.dtb", "/tmp/x.dtb", "kernels//x.dtb", "./x", "", "kernels/", "kernels/..",
    "a/\u{0}b",
  ])
  func aPathLeavingOutIsRefusedAndNothingIsWritten(_ path: String) throws {
    let parent = FileManager.default.temporaryDirectory.appendingPathComponent("cleave-out-\(UUID())")
    try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: parent) }
    var artifacts = Artifacts()
    artifacts.add("map.txt", text: "fine\n")
    artifacts.add(path, text: "escaped\n")
    #expect(Artifacts.problem(with: path) != nil)
    #expect(throws: OutputDirectory.Failure.self) {
      try OutputDirectory.commit(artifacts, to: parent.appendingPathComponent("out").path, force: false)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty, "nothing written")
  }

  @Test func ordinaryPathsPass() {
    for p in [
      "map.txt", "kernels/k0.dtb", "opensbi/channel-k0-k1.bin", "kernels/a.b.c", "...", "k/.x", "é/..é",
    ] {
      #expect(Artifacts.problem(with: p) == nil, "\(p)")
    }
  }

  /// A rebuild replaces OUT whole: the previous build's files, directories,
  /// links and a name that is not UTF-8 all go, what a link in it points at
  /// outside OUT stays, and no old copy is left beside OUT.
  @Test func aRebuildRemovesThePreviousOutputAndNothingOutsideIt() throws {
    let fm = FileManager.default
    let parent = fm.temporaryDirectory.appendingPathComponent("cleave-out-\(UUID())")
    try fm.createDirectory(at: parent, withIntermediateDirectories: true)
    defer { try? fm.removeItem(at: parent) }
    let out = parent.appendingPathComponent("out").path
    let outside = parent.appendingPathComponent("outside").path
    try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
    try Data("keep\n".utf8).write(to: URL(fileURLWithPath: "\(outside)/keep.txt"))
    var first = Artifacts()
    for i in 0..<300 { first.add("kernels/k\(i).dts", text: "/dts-v1/;\n") }
    first.add("deep/er/still/file.txt", text: "x\n")
    try OutputDirectory.commit(first, to: out, force: false)
    try fm.createSymbolicLink(atPath: "\(out)/deep/link", withDestinationPath: outside)
    try fm.createSymbolicLink(atPath: "\(out)/dangling", withDestinationPath: "\(parent.path)/nowhere")
    let raw = Array("\(out)/deep/odd-".utf8) + [0xFF, 0]
    let fd = raw.withUnsafeBufferPointer { p in
      p.baseAddress.map {
        open(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644)
      }
    }
    #expect((fd ?? -1) >= 0)
    if let fd, fd >= 0 { close(fd) }
    var second = Artifacts()
    second.add("map.txt", text: "new\n")
    try OutputDirectory.commit(second, to: out, force: false)
    #expect(try fm.contentsOfDirectory(atPath: out).sorted() == [OutputDirectory.marker, "map.txt"])
    #expect(try fm.contentsOfDirectory(atPath: parent.path).sorted() == ["out", "outside"])
    #expect(fm.fileExists(atPath: "\(outside)/keep.txt"))
  }
}
