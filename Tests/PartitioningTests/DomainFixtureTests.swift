import Foundation
import Testing

@testable import Partitioning

/// `cleave check BOARD.dts` on the System Device Trees of Tests/Fixtures/domains:
/// a clean one and one per domain defect, each with exactly what cleave prints
/// (`<name>.expected`: stdout, then `exit N`). `CLEAVE_RECORD=1` rewrites them
/// and fails, as for the check fixtures.
struct DomainFixtureTests {
  static let directory = "Tests/Fixtures/domains"

  static func boards() -> [String] {
    let dir = FixtureTests.checkoutRoot.appendingPathComponent(directory).path
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return names.filter { $0.hasSuffix(".dts") }.sorted()
  }

  @Test(arguments: DomainFixtureTests.boards())
  func checkPrintsExactly(_ board: String) throws {
    let path = "\(Self.directory)/\(board)"
    let expectedURL = FixtureTests.checkoutRoot.appendingPathComponent(
      path.replacingOccurrences(of: ".dts", with: ".expected"))
    let result = try FixtureTests.runCleave(["check", path])
    let actual = result.stdout + "exit \(result.status)\n"
    #expect(result.stderr.isEmpty, "cleave wrote to stderr: \(result.stderr)")
    if FixtureTests.isRecording {
      try Data(actual.utf8).write(to: expectedURL)
      Issue.record("re-recorded \(expectedURL.lastPathComponent), run again without CLEAVE_RECORD")
      return
    }
    let expected = try String(contentsOf: expectedURL, encoding: .utf8)
    #expect(actual == expected, "\(path): \(FixtureTests.firstDifference(actual, expected))")
  }

  /// Each defect fixture fires the check its header names, at a line of the board itself.
  @Test(arguments: [
    ("core-in-two-domains.dts", CheckID.coreAssignedTwice),
    ("memory-overlap.dts", .memoryOverlap),
    ("device-in-two-domains.dts", .deviceOwnedTwice),
    ("device-in-two-domains.dts", .foreignOverlap),
    ("memory-unreachable.dts", .memoryUnreachable),
    ("memory-over-no-map.dts", .memoryOverlapsReserved),
  ])
  func defectFires(_ board: String, _ check: CheckID) throws {
    let path = "\(Self.directory)/\(board)"
    let result = try FixtureTests.runCleave(["check", path])
    #expect(result.status == 1)
    let line = try #require(
      result.stdout.split(separator: "\n").first { $0.contains("error[\(check.rawValue)]") })
    #expect(line.hasPrefix("\(path):"), "\(line)")
    #expect(result.stdout.contains("note: '") && result.stdout.contains("is the domain /domains/"))
  }

  @Test func aBoardWithoutDomainsIsUnusableForADomainCheck() throws {
    let result = try FixtureTests.runCleave(["check", "dts/qemu-virt-aarch64-gicv3.dts"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("the board declares no execution domains (/domains)"))
  }
}
