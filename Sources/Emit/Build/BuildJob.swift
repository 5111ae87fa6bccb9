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
    let board = partition.boardIndex ?? BoardIndex(partition.machine)
    let channels = KernelTree.channelLists(partition)
    return partition.kernels.indices.map {
      KernelTree.cut(board, partition, channels: channels[$0], kernel: $0, options: options.trees).tree
    }
  }

  public func run() throws -> Artifacts {
    var out = Artifacts()
    // Each kernel's tree is cut and written on whichever core is free and
    // dropped once its files are made; the files are added in kernel order.
    // The files of the whole partition (map, domains) and the report but its
    // list of files are made alongside, as one more task: first, so that it
    // runs while the other core cuts kernels. Each file's digest, for the
    // report, is worked out by the task that made the file.
    let board = partition.boardIndex ?? BoardIndex(partition.machine)
    let channels = KernelTree.channelLists(partition)
    let made = concurrently(partition.kernels.count + 1) { i -> Made in
      i == 0
        ? .partition(partitionFiles()) : .kernel(kernelFiles(board, channels: channels[i - 1], kernel: i - 1))
    }
    var blobs: [[UInt8]] = []
    var wide: PartitionFiles?
    var perKernel: [Result<KernelFiles, Failure>] = []
    for m in made {
      switch m {
      case .partition(let files): wide = files
      case .kernel(let files): perKernel.append(files)
      }
    }
    for (k, files) in zip(partition.kernels, perKernel) {
      let files = try files.get()
      blobs.append(files.blob.bytes)
      out.add("kernels/\(k.name).dtb", files.blob)
      out.add("kernels/\(k.name).dts", files.source)
      out.add("kernels/\(k.name).overlay.dts", files.overlay)
      if let settings = files.sel4Settings { out.add("kernels/\(k.name).sel4.cmake", settings) }
    }
    let images = try partition.kernels.map { k -> [UInt8]? in
      guard let image = k.image else { return nil }
      guard let data = FileManager.default.contents(atPath: image.path) else {
        throw Failure(description: "cannot read the image of '\(k.name)' (\(image.path))")
      }
      return Array(data)
    }
    let initrds = try partition.kernels.map { k -> [UInt8]? in
      guard let initrd = k.initrd else { return nil }
      guard let data = FileManager.default.contents(atPath: initrd.path) else {
        throw Failure(description: "cannot read the initrd of '\(k.name)' (\(initrd.path))")
      }
      return Array(data)
    }
    let rootTasks = try partition.kernels.map { k -> [UInt8]? in
      guard let task = k.rootTask else { return nil }
      guard let data = FileManager.default.contents(atPath: task.path) else {
        throw Failure(description: "cannot read the root task of '\(k.name)' (\(task.path))")
      }
      return Array(data)
    }
    var descriptor: BootDescriptor?
    do {
      descriptor = try BootDescriptor.make(
        partition, dtbs: blobs, images: images, initrds: initrds, rootTasks: rootTasks)
    } catch let e as BootDescriptor.Failure where e.exceedsLoader {
      // OpenSBI starts domains without the loader, and so without its descriptor.
      if partition.boot != .opensbiDomains { out.unbootable = e.description }
    } catch let e as BootDescriptor.Failure {
      throw Failure(description: e.description)
    }
    if let descriptor {
      out.add("boot/descriptor.bin", descriptor.descriptor)
      out.add("boot/descriptor.json", text: descriptor.summary.json.text)
    }
    // In OpenSBI domains mode the firmware starts every kernel: no loader image.
    if let descriptor, let loader = options.loader, partition.boot != .opensbiDomains {
      do {
        out.add(
          "image.elf", try ImagePacker.pack(loader: loader, payload: descriptor.payload, partition: partition)
        )
      } catch let e as ImagePacker.Failure {
        throw Failure(description: e.description)
      }
    }
    if partition.target == .riscv64 {
      let machineTree = OpenSBIDomains.machineTree(partition)
      out.add("opensbi/machine.dts", machineTree.sourceBytes())
      do {
        out.add("opensbi/machine.dtb", try machineTree.blob())
      } catch {
        throw Failure(description: "cannot write the OpenSBI machine tree: \(error)")
      }
    }
    if partition.boot == .opensbiDomains {
      do {
        let placement = try DomainPlacement.make(partition, images: images, initrds: initrds, out: &out)
        out.add("opensbi/placement.json", text: placement.json.text)
      } catch let e as DomainPlacement.Failure {
        throw Failure(description: e.description)
      }
    }
    let files = wide ?? partitionFiles()
    out.add("domains.dts", files.domains)
    out.add("map.txt", files.mapText)
    out.add("map.svg", files.mapSVG)
    out.add("report.json", text: files.report.setting("files", to: BuildReport.filesJSON(out)).text)
    return out
  }

  /// What one task of the build's concurrent part made.
  private enum Made {
    case partition(PartitionFiles)
    case kernel(Result<KernelFiles, Failure>)
  }

  /// The files about the whole partition that need no kernel's tree, and the
  /// report but its list of files.
  private struct PartitionFiles {
    var domains: Digested
    var mapText: Digested
    var mapSVG: Digested
    /// The report but its list of files, written already.
    var report: JSON
  }

  private func partitionFiles() -> PartitionFiles {
    let map = MemoryMap(partition)
    return PartitionFiles(
      domains: Digested(text: DomainsSource.text(partition)), mapText: Digested(text: map.text),
      mapSVG: Digested(text: map.svg), report: BuildReport(partition).json.renderingFields())
  }

  /// One kernel's files.
  private struct KernelFiles {
    var blob: Digested
    var source: Digested
    var overlay: Digested
    var sel4Settings: Digested?
  }

  private func kernelFiles(_ board: BoardIndex, channels: [Int], kernel i: Int) -> Result<
    KernelFiles, Failure
  > {
    let k = partition.kernels[i]
    var cut = KernelTree.cut(board, partition, channels: channels, kernel: i, options: options.trees)
    DomainFences.annotate(&cut.tree, partition, kernel: k.index)
    StageTwoFence.annotate(&cut.tree, partition, kernel: k.index)
    let tree = cut.tree
    let blob: [UInt8]
    do {
      blob = try tree.blob()
    } catch {
      return .failure(Failure(description: "cannot write the tree of '\(k.name)': \(error)"))
    }
    let header = """
      Overlay for kernel '\(k.name)' of \(partition.plan.file), written by cleave build.
      Append it to \(PathText.name(of: partition.boardPath)) to get kernels/\(k.name).dts.
      """
    return .success(
      KernelFiles(
        blob: Digested(blob), source: Digested(tree.sourceBytes()),
        overlay: Digested(Overlay.bytes(board: partition.machine.tree, kernel: cut, header: header)),
        sel4Settings: k.kind == .sel4 ? Digested(text: SeL4Settings.text(partition, kernel: k)) : nil))
  }
}

/// A file's bytes and their SHA-256, worked out where the file is made.
struct Digested: Sendable {
  var bytes: [UInt8]
  var sha256: String

  init(_ bytes: [UInt8]) {
    self.bytes = bytes
    sha256 = SHA256.hex(SHA256.hash(bytes))
  }

  init(text: String) { self.init(Array(text.utf8)) }
}

extension Artifacts {
  mutating func add(_ path: String, _ file: Digested) { add(path, file.bytes, sha256: file.sha256) }
}
