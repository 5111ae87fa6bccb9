import Foundation
import Testing

@testable import DeviceTree

/// The repository root, found from this file's path.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

/// Every board in dts/.
func boardFiles() throws -> [String] {
  let dir = repositoryRoot.appendingPathComponent("dts")
  return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".dts") }
    .sorted().map {
      dir.appendingPathComponent($0).path
    }
}

/// Runs dtc with the arguments and returns its standard output.
func dtc(_ arguments: [String], input: [UInt8]? = nil) throws -> (status: Int32, out: Data, err: String) {
  let r = try Tool.run("dtc", arguments)
  return (r.status, r.stdout, r.stderr)
}

/// Parses a small DTS text through the real dtc.
func tree(_ source: String, file: String = "test.dts") throws -> DeviceTree {
  try DTSCompiler().compile(source: Array(source.utf8), file: file)
}

/// Writes bytes to a fresh temporary file and returns its path.
func temporaryFile(_ bytes: [UInt8], suffix: String) throws -> String {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "cleave-test-\(UUID().uuidString)\(suffix)")
  try Data(bytes).write(to: url)
  return url.path
}
