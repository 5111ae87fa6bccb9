import DeviceTree
import Foundation
import Machine
import Partitioning

/// Everything `cleave build` writes for a checked partition, produced in memory.
public struct BuildJob {
  public struct Options: Sendable {
    public var trees = KernelTree.Options()
    /// The loader binary to pack into image.elf; no image.elf without one.
    public var loader: [UInt8]?
    public init() {}
  }

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public let partition: Partition
  public var options: Options

  public init(partition: Partition, options: Options = Options()) {
    self.partition = partition
    self.options = options
  }

  /// The per-kernel trees, in kernel order.
  public func kernelTrees() -> [DeviceTree] {
    partition.kernels.indices.map { KernelTree.make(partition, kernel: $0, options: options.trees) }
  }

  public func run() throws -> Artifacts {
    var out = Artifacts()
    let trees = kernelTrees()
    var blobs: [[UInt8]] = []
    for (k, tree) in zip(partition.kernels, trees) {
      let blob: [UInt8]
      do {
        blob = try tree.blob()
      } catch {
        throw Failure(description: "cannot write the tree of '\(k.name)': \(error)")
      }
      blobs.append(blob)
      out.add("kernels/\(k.name).dtb", blob)
      out.add("kernels/\(k.name).dts", text: tree.source())
      let header = """
        Overlay for kernel '\(k.name)' of \(partition.plan.file), written by cleave build.
        Append it to \((partition.boardPath as NSString).lastPathComponent) to get kernels/\(k.name).dts.
        """
      out.add("kernels/\(k.name).overlay.dts", text: Overlay.text(board: partition.machine.tree, kernel: tree, header: header))
    }
    return out
  }
}
