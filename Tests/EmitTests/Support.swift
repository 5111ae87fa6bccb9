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

/// Why the loader can start some enabled core of this board by no method it
/// supports (PSCI, spin-table), or nil when it can start them all. The core
/// the loader runs on needs no starting.
func unbootableReason(_ machine: Machine) -> String? {
  let cores = machine.cpus.indices.filter { machine.cpus[$0].enabled && !machine.isLoaderCore($0) }
  let methods = cores.map { machine.startMethod(of: $0) }
  if methods.contains(.unnamed) {
    return
      "its cores name no enable-method and it has no PSCI node: the firmware decides at boot how they start"
  }
  if methods.contains(where: { if case .other = $0 { true } else { $0 == .spinTableWithoutAddress } }) {
    return "its cores name an enable-method the loader does not drive"
  }
  let spin = methods.filter { if case .spinTable = $0 { true } else { false } }.count
  if spin > 0, spin < methods.count {
    return "its cores mix spin-table and PSCI, and a plan names one boot method"
  }
  return nil
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
