import DeviceTree
import Foundation
import Machine
import Partitioning
import Testing

@testable import Emit

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// Every example plan in dts/.
func examplePlans() -> [String] {
  let dir = repositoryRoot.appendingPathComponent("dts").path
  return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter {
    $0.hasSuffix(".plan.yaml")
  }.sorted()
}

/// Resolves and checks a plan from dts/, failing the test on any error.
func partition(_ plan: String) throws -> Partition {
  let result = PlanCheck.run(planPath: repositoryRoot.appendingPathComponent("dts/\(plan)").path)
  #expect(result.errors == 0, "\(result.diagnostics.map(\.text))")
  return try #require(result.partition)
}

/// Runs a program to completion and returns its status, stdout and stderr.
func run(_ program: String, _ arguments: [String], input: Data? = nil) throws -> (
  status: Int32, out: String, err: String
) {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  p.arguments = [program] + arguments
  let out = Pipe()
  let err = Pipe()
  p.standardOutput = out
  p.standardError = err
  let inPipe = Pipe()
  p.standardInput = input == nil ? FileHandle.nullDevice : inPipe
  try p.run()
  if let input {
    inPipe.fileHandleForWriting.write(input)
    try inPipe.fileHandleForWriting.close()
  }
  let errData = err.fileHandleForReading.readDataToEndOfFile()
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  return (
    p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self)
  )
}

/// A scratch directory for one test; the caller removes it with `defer { remove(dir) }`.
func scratch() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("cleave-emit-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// Device-tree sources appended one after the other (a board, then overlays,
/// as seL4's build does) and compiled by dtc into `combined.dtb` in `dir`.
func compileStack(_ sources: [String], in dir: URL) throws -> (status: Int32, err: String, dtb: String) {
  let combined = dir.appendingPathComponent("combined.dts").path
  try sources.joined(separator: "\n").write(toFile: combined, atomically: true, encoding: .utf8)
  let dtb = dir.appendingPathComponent("combined.dtb").path
  let r = try run("dtc", ["-q", "-I", "dts", "-O", "dtb", "-o", dtb, combined])
  return (r.status, r.err, dtb)
}

/// A check's errors, less `boot_method_unsupported` on a board whose cores do
/// not start through PSCI (spin-table boards such as every Raspberry Pi, or no
/// /psci node): the loader cannot start them, which that error says, while the
/// cut of such a board must still be sound.
func errorsBesidesBootMethod(_ check: PlanCheck, machine: Machine) -> [String] {
  let noPSCI = machine.psci == nil || machine.cpus.contains { $0.enableMethod.map { $0 != "psci" } ?? false }
  return check.diagnostics.filter {
    $0.severity == .error && !(noPSCI && $0.check == CheckID.bootMethodUnsupported.rawValue)
  }.map(\.text)
}

/// Removes a scratch directory and everything in it.
func remove(_ dir: URL) { try? FileManager.default.removeItem(at: dir) }

/// dtc's warnings for a blob, one per line (ignoring the file name).
func dtcWarnings(_ blob: [UInt8]) throws -> [String] {
  let dir = try scratch()
  defer { remove(dir) }
  let path = dir.appendingPathComponent("t.dtb").path
  try Data(blob).write(to: URL(fileURLWithPath: path))
  let r = try run("dtc", ["-I", "dtb", "-O", "dts", "-o", "/dev/null", path])
  #expect(r.status == 0, "dtc rejects the blob: \(r.err)")
  return r.err.split(separator: "\n").map { $0.replacingOccurrences(of: path, with: "") }
}
