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
}
