import DeviceTree

/// A group of CPU nodes: `/cpus`, or a top-level `cpus,cluster` node of a System
/// Device Tree, with the part of the SoC its cores can address.
public struct CPUCluster: Sendable, Hashable {
  public var index: Int
  public var node: NodeID
  public var path: String
  public var labels: [String]
  /// Indexes into ``Machine/cpus`` of its cores, in source order.
  public var cpus: [Int]
  /// The architecture of its cores; ``CoreArchitecture/unknown`` when they differ or none is known.
  public var architecture: CoreArchitecture
  /// Whether the node is a System Device Tree `cpus,cluster` (rather than `/cpus`).
  public var isSDTCluster: Bool
  /// The `address-map` entries; `nil` when the cluster has none and so sees the root's address space.
  public var addressMap: [AddressMapEntry]?

  /// One `address-map` quartet: the window `root` of the root's address space, and
  /// what is in it under `node`, appears at `clusterAddress` for this cluster.
  public struct AddressMapEntry: Sendable, Hashable {
    public var clusterAddress: UInt64
    public var node: NodeID
    public var root: AddressRange
  }
}
