import DeviceTree

/// One node of `/cpus/cpu-map`: a socket, cluster, core or thread.
public struct TopologyNode: Sendable, Hashable {
  public enum Kind: String, Sendable, Codable { case socket, cluster, core, thread }
  public var kind: Kind
  /// The node name, `cluster0`.
  public var name: String
  public var path: String
  public var children: [TopologyNode]
  /// The CPU a `core` or `thread` leaf names, as an index into ``Machine/cpus``.
  public var cpu: Int?

  /// The path below `/cpus/cpu-map/` (`cluster0/core1`), the name a plan may
  /// use; `nil` for a node elsewhere.
  public var pathInMap: String? {
    let map = "/cpus/cpu-map/".utf8
    guard path.utf8.starts(with: map) else { return nil }
    return String(decoding: path.utf8.dropFirst(map.count), as: UTF8.self)
  }

  /// Every node's CPUs (``cpus``) by path, gathered in one pass from the
  /// leaves up, where asking each node would walk its subtree again.
  public static func cpusByPath(_ roots: [TopologyNode]) -> [String: [Int]] {
    var out: [String: [Int]] = [:]
    func gather(_ n: TopologyNode) -> [Int] {
      var cpus = n.cpu.map { [$0] } ?? []
      for c in n.children { cpus += gather(c) }
      out[n.path] = cpus
      return cpus
    }
    for r in roots { _ = gather(r) }
    return out
  }

  /// Every CPU at or below this node.
  public var cpus: [Int] {
    (cpu.map { [$0] } ?? []) + children.flatMap(\.cpus)
  }
}
