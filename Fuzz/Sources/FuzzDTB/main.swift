import DeviceTree
import Foundation
import Machine
import Partitioning

/// Any bytes as a blob: reading must end in a tree or a DeviceTreeError, and a
/// tree must give a machine view or an error, that view must print, and
/// `plan --auto` must write a plan for it (or say why not) without trapping.

public func fuzzDTB(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let tree = try? DeviceTree(blob: bytes, file: "fuzz.dtb") else { return 0 }
  _ = try? tree.blob()
  _ = tree.source()
  _ = tree.danglingReferences()
  guard let machine = try? Machine(tree: tree) else { return 0 }
  _ = machine.text(board: "fuzz.dtb")
  _ = machine.report(board: "fuzz.dtb")
  _ = machine.cacheGroups(level: 2)
  _ = try? AutoPlanner(machine: machine, boardReference: "fuzz.dtb", grouping: .core).plan()
  return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in data.map { fuzzDTB($0, size) } ?? 0 })
