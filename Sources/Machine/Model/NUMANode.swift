/// A NUMA node: its id, the CPUs and memory banks that name it, and its distances.
public struct NUMANode: Sendable, Hashable {
  public var id: UInt32
  public var cpus: [Int]
  public var memory: [Int]
  /// Distance to other nodes from `/distance-map`, by node id.
  public var distances: [UInt32: UInt32]
}
