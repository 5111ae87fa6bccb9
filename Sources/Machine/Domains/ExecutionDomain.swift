import DeviceTree

/// An execution domain of a System Device Tree (`compatible = "openamp,domain-v1"`
/// under `/domains`, nested domains included): the cores, memory and devices a
/// person assigned to one operating system, as the tree states them.
///
/// Read with the machine because its values are cells only the board can
/// decode (cluster phandles, the domain's cell counts, device phandles), and a
/// malformed domain is a defect confined to its node like any other; what the
/// domains *mean* for partitioning (a plan) is built from this in Partitioning.
public struct ExecutionDomain: Sendable, Hashable {
  public var node: NodeID
  public var path: String
  /// The node name (`domain@1`, `APU_Linux`).
  public var name: String
  public var labels: [String]
  /// The enclosing domain (an index into ``Machine/domains``) of a nested domain.
  public var parent: Int?
  /// `id`: the number that identifies the domain.
  public var id: UInt32?
  /// `os,type`: `linux`, `baremetal`, `zephyr,…`.
  public var osType: String?
  /// `cpus`: one entry per (cluster, mask, execution level) triplet.
  public var cpus: [Cores]
  /// `memory`: ranges of the root's address space with their flags cells.
  public var memory: [Region]
  /// `sram`: MMIO SRAM ranges with their flags cells.
  public var sram: [Region]
  /// `sram` given as phandles of `mmio-sram` nodes (as Lopper's own trees write it).
  public var sramNodes: [NodeID]
  /// `access`: devices only this domain may reach, with their flags cells.
  public var access: [Access]
  /// `reserved-memory`: the reservations (`/reserved-memory` children) the domain
  /// uses, from the property's phandles and the domain's own `reserved-memory` node.
  public var reservedMemory: [NodeID]
  /// `domain-to-domain` relations this domain declares.
  public var relations: [Relation]

  /// One `cpus` triplet: a cluster, the cores its mask selects, and the level.
  public struct Cores: Sendable, Hashable {
    /// An index into ``Machine/cpuClusters``.
    public var cluster: Int
    public var mask: UInt32
    public var executionLevel: UInt32
    /// Indexes into ``Machine/cpus``: bit n of the mask is the cluster's n-th core.
    public var cpus: [Int]
  }

  /// One `memory` or `sram` entry.
  public struct Region: Sendable, Hashable {
    public var range: AddressRange
    public var flags: [UInt32]
  }

  /// One `access` entry: a node and its flags.
  public struct Access: Sendable, Hashable {
    public var node: NodeID
    public var flags: [UInt32]
  }

  /// One relation of a `domain-to-domain` node: its kind (the compatible of the
  /// group it sits in: `openamp,rpmsg-v1`, `libmetal,ipc-v1`…), the peer
  /// domain, and this domain's side of it.
  public struct Relation: Sendable, Hashable {
    public var kind: String
    public var name: String
    /// This domain's side: `host` when it names its peer with `remote`, `remote` when with `host`.
    public var role: String
    public var peer: NodeID
  }

  /// Every core of the domain, in triplet order.
  public var allCPUs: [Int] { cpus.flatMap(\.cpus) }
}
