import DeviceTree

/// A cache node reached through `next-level-cache`, and every CPU that reaches it.
public struct Cache: Sendable, Hashable {
  public var index: Int
  public var node: NodeID
  public var path: String
  public var labels: [String]
  /// `cache-level`, or the position in the chain (the first hop past L1 is level 2).
  public var level: Int
  public var size: UInt64?
  public var lineSize: UInt32?
  public var sets: UInt32?
  public var unified: Bool
  /// Indexes into ``Machine/cpus`` of the CPUs whose chain passes through this cache.
  public var sharedBy: [Int]
}
