import Foundation
import Testing

@testable import Partitioning

/// One fixture per check id (dtc's `check_tests`, Microkit's tests/sdf): each
/// `Tests/Fixtures/checks/<id>.plan.yaml` plants that one problem, and
/// `<id>.expected` is what `cleave check` prints for it (stdout, then `exit N`).
///
/// The real binary runs from the repository root, so the paths in the output are
/// the ones a user typing `cleave check Tests/Fixtures/checks/<id>.plan.yaml` sees.
/// `CLEAVE_RECORD=1` rewrites every `.expected` file and fails, so a recording run
/// can never pass; review the diff, then run again without it.
struct FixtureTests {
  @Test(arguments: CheckID.allCases)
  func checkFiresWhereItShould(_ check: CheckID) throws {
    let id = check.rawValue
    let plan = "Tests/Fixtures/checks/\(id).plan.yaml"
    let expectedURL = Self.checkoutRoot.appendingPathComponent("Tests/Fixtures/checks/\(id).expected")
    try #require(
      FileManager.default.fileExists(atPath: Self.checkoutRoot.appendingPathComponent(plan).path),
      "no fixture \(plan) for check \(id)")

    let result = try Self.runCleave(["check", plan])
    let actual = result.stdout + "exit \(result.status)\n"

    if Self.isRecording {
      try Data(actual.utf8).write(to: expectedURL)
      Issue.record("re-recorded \(expectedURL.lastPathComponent), run again without CLEAVE_RECORD")
      return
    }

    try #require(
      FileManager.default.fileExists(atPath: expectedURL.path),
      "no \(expectedURL.lastPathComponent): record it with CLEAVE_RECORD=1, then review it")
    #expect(
      actual.contains("error[\(id)]") || actual.contains("warning[\(id)]"),
      "\(plan) does not fire \(id):\n\(actual)")
    #expect(result.stderr.isEmpty, "cleave wrote to stderr: \(result.stderr)")

    let expected = try String(contentsOf: expectedURL, encoding: .utf8)
    #expect(actual == expected, "\(plan): \(Self.firstDifference(actual, expected))")
  }

  /// The example plans in dts/ are what users copy: not one false positive there.
  @Test(arguments: FixtureTests.examplePlans())
  func examplePlanIsClean(_ plan: String) throws {
    let result = try Self.runCleave(["check", plan])
    #expect(result.status == 0, "\(plan): exit \(result.status)\n\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("\(plan): 0 errors,"), "\(plan):\n\(result.stdout)")
  }

  /// `--format json` carries the same diagnostics as the text, with the check id and location.
  @Test func jsonNamesTheCheckAndItsLocation() throws {
    let plan = "Tests/Fixtures/checks/memory_overlap.plan.yaml"
    let result = try Self.runCleave(["check", "--format", "json", plan])
    #expect(result.status == 1)

    struct Report: Decodable {
      var subject: String
      var usable: Bool
      var errors: Int
      var warnings: Int
      var diagnostics: [Diagnostic]
    }
    let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
    #expect(report.subject == plan)
    #expect(report.usable)
    #expect(report.errors == 1)
    let overlap = try #require(report.diagnostics.first { $0.check == CheckID.memoryOverlap.rawValue })
    #expect(overlap.severity == .error)
    #expect(overlap.location == Partitioning.SourceLocation(file: plan, line: 12, column: 9))
    #expect(overlap.notes.first?.location == Partitioning.SourceLocation(file: plan, line: 8, column: 9))

    // The same diagnostics as the text output, line for line.
    let text = try Self.runCleave(["check", plan]).stdout
    let lines = report.diagnostics.map(\.text).joined(separator: "\n")
    #expect(text.hasPrefix(lines + "\n"), "json:\n\(lines)\ntext:\n\(text)")
  }
}

// MARK: Running the binary

extension FixtureTests {
  /// The repository root, found from this file's path.
  static let checkoutRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// `$CLEAVE_BIN` (set by `make test`), else this checkout's debug build.
  static let cleaveBinary: String = {
    if let path = ProcessInfo.processInfo.environment["CLEAVE_BIN"], !path.isEmpty { return path }
    return checkoutRoot.appendingPathComponent(".build/debug/cleave").path
  }()

  static let isRecording = ProcessInfo.processInfo.environment["CLEAVE_RECORD"] == "1"

  /// Every example plan in dts/, as the repository-relative path a user would type.
  static func examplePlans() -> [String] {
    let dts = checkoutRoot.appendingPathComponent("dts")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dts.path)) ?? []
    return names.filter { $0.hasSuffix(".plan.yaml") }.sorted().map { "dts/\($0)" }
  }

  struct CleaveResult {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// Runs cleave from the repository root and collects its output. A run that has
  /// not finished after a minute is hung: it is killed and recorded as a failure.
  static func runCleave(
    _ arguments: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws -> CleaveResult {
    try #require(
      FileManager.default.isExecutableFile(atPath: cleaveBinary),
      "no cleave binary at \(cleaveBinary): run `swift build` or set CLEAVE_BIN",
      sourceLocation: sourceLocation)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: cleaveBinary)
    process.arguments = arguments
    process.currentDirectoryURL = checkoutRoot
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()

    // Drain both pipes while cleave runs so it never blocks on a full pipe.
    let outBox = Collected()
    let errBox = Collected()
    let readers = DispatchGroup()
    let outHandle = out.fileHandleForReading
    let errHandle = err.fileHandleForReading
    DispatchQueue.global().async(group: readers) { outBox.set(outHandle.readDataToEndOfFile()) }
    DispatchQueue.global().async(group: readers) { errBox.set(errHandle.readDataToEndOfFile()) }
    if readers.wait(timeout: .now() + 60) == .timedOut {
      process.terminate()
      Issue.record(
        "`cleave \(arguments.joined(separator: " "))` hung and was killed", sourceLocation: sourceLocation)
    }
    process.waitUntilExit()
    try #require(
      process.terminationReason == .exit,
      "`cleave \(arguments.joined(separator: " "))` died of signal \(process.terminationStatus)",
      sourceLocation: sourceLocation)
    return CleaveResult(
      status: process.terminationStatus, stdout: String(decoding: outBox.get(), as: UTF8.self),
      stderr: String(decoding: errBox.get(), as: UTF8.self))
  }

  /// Bytes read on a reader thread; the lock makes the hand-over safe.
  final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func set(_ d: Data) {
      lock.lock()
      data = d
      lock.unlock()
    }

    func get() -> Data {
      lock.lock()
      defer { lock.unlock() }
      return data
    }
  }

  /// The first line where two outputs part, for a failure message that fits on a screen.
  static func firstDifference(_ actual: String, _ expected: String) -> String {
    let a = actual.components(separatedBy: "\n")
    let e = expected.components(separatedBy: "\n")
    for i in 0..<max(a.count, e.count) {
      let got = i < a.count ? a[i] : "(end of output)"
      let want = i < e.count ? e[i] : "(end of file)"
      if got != want { return "line \(i + 1) differs\n  got:      \(got)\n  expected: \(want)" }
    }
    return "identical"
  }
}
