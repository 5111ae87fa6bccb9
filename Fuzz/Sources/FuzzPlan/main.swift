import Foundation
import Machine
import Partitioning

/// The default board, read once; every input is a plan against it.
let board: Machine? = {
  let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").path
  return try? Machine.load(path)
}()

/// Any bytes as a plan: parsing must end in a plan or diagnostics; a plan must
/// resolve and check without trapping, whatever it asks for.

public func fuzzPlan(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard let machine = board, let text = String(bytes: UnsafeBufferPointer(start: data, count: size), encoding: .utf8) else { return 0 }
  let (plan, _) = PlanParser.parse(text, file: "/fuzz/plan.yaml")
  guard var p = plan else { return 0 }
  // Images are read from disk; keep fuzzing in memory.
  for i in p.kernels.indices { p.kernels[i].image = nil }
  var engine = DiagnosticEngine()
  let partition = Resolver.resolve(p, machine: machine, boardPath: "board.dts", engine: &engine)
  Checker.run(partition, &engine)
  _ = partition.summary
  return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in data.map { fuzzPlan($0, size) } ?? 0 })
