import DeviceTree
import Machine
import Partitioning

/// The seL4 boot-info record of one kernel, as report.json and map.txt show
/// it: what the loader writes at `record`, and how the kernel's root task
/// finds its peers (each peer's node, the index of its core in the MPIDR list
/// that SGIs are addressed through).
public struct BootInfoReport: Codable, Sendable, Hashable {
  /// TPIDR_EL1: the kernel's boot core's place in the MPIDR list.
  public var node: Int
  public var record: String
  /// The kernel region (physical) and the virtual address it is mapped at.
  public var kernelRegion: String
  public var kernelVirtual: String
  public var rootTask: String
  public var rootTaskVirtual: String
  public var rootTaskEntry: String
  public var ram: [String]
  /// The first one is the kernel's channel memory when it has channels: its root task gets it as device untyped.
  public var reserved: [String]
  public var mpidrs: [String]
  public var peers: [Peer]

  public struct Peer: Codable, Sendable, Hashable {
    public var kernel: String
    /// The peer's boot core's index in the MPIDR list (its node, when it is a seL4 boot-info kernel).
    public var node: Int?
    public var channel: String
  }

  public init(_ l: BootInfoLayout, in p: Partition) {
    node = l.node ?? -1
    record = "\(l.record)"
    kernelRegion = "\(l.window)"
    kernelVirtual = Format.hex(l.windowVirtual)
    rootTask = "\(l.root)"
    rootTaskVirtual = Format.hex(l.rootVirtual)
    rootTaskEntry = Format.hex(l.rootEntry)
    ram = l.ram.map { "\($0)" }
    reserved = l.reserved.map { "\($0)" }
    mpidrs = l.mpidrs.map(Format.hex)
    let cores = p.kernels[l.kernel].systemCores
    peers = p.channels.filter { $0.members.contains(l.kernel) }.flatMap { c in
      c.members.filter { $0 != l.kernel }.map { m in
        Peer(
          kernel: p.kernels[m].name, node: p.kernels[m].bootCPU.flatMap { cores.firstIndex(of: $0) },
          channel: c.name)
      }
    }
  }

  /// map.txt's lines for this record.
  func lines(kernel: String) -> [String] {
    let pad = String(repeating: " ", count: 10)
    var out = [
      "\(kernel.padded(10))node \(node), record \(record); kernel \(kernelRegion) at \(kernelVirtual); "
        + "root task \(rootTask) at \(rootTaskVirtual), entry \(rootTaskEntry)"
    ]
    out.append(pad + "RAM " + ram.joined(separator: " "))
    out.append(pad + "reserved " + reserved.joined(separator: " "))
    if !peers.isEmpty {
      out.append(
        pad + "peers "
          + peers.map { "\($0.kernel) (node \($0.node.map(String.init) ?? "none"), channel \($0.channel))" }
          .joined(separator: ", "))
    }
    return out
  }
}

extension BootInfoReport: JSONValue {
  public var json: JSON {
    .fields([
      "node": node, "record": record, "kernelRegion": kernelRegion, "kernelVirtual": kernelVirtual,
      "rootTask": rootTask, "rootTaskVirtual": rootTaskVirtual, "rootTaskEntry": rootTaskEntry, "ram": ram,
      "reserved": reserved, "mpidrs": mpidrs, "peers": peers,
    ])
  }
}

extension BootInfoReport.Peer: JSONValue {
  public var json: JSON { .fields(["kernel": kernel, "node": node, "channel": channel]) }
}
