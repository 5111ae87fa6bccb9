/// The index of a node inside its ``DeviceTree``.
public struct NodeID: Sendable, Hashable, Comparable, Codable {
  public let index: Int
  public init(_ index: Int) { self.index = index }
  public static func < (a: NodeID, b: NodeID) -> Bool { a.index < b.index }

  public func hash(into hasher: inout Hasher) { hasher.combine(_rawHashValue(seed: 0)) }

  /// What sets and dictionaries of nodes hash by: a node index is no one's
  /// chosen input, so a few multiplications mixing it with the table's seed
  /// spread it as well as SipHash does there, at a fraction of the cost, and
  /// every set of nodes a cut keeps is looked up millions of times on a large board.
  public func _rawHashValue(seed: Int) -> Int {
    var x = UInt64(bitPattern: Int64(index)) ^ UInt64(bitPattern: Int64(seed))
    x = (x ^ (x >> 30)) &* 0xbf58_476d_1ce4_e5b9
    x = (x ^ (x >> 27)) &* 0x94d0_49bb_1331_11eb
    return Int(bitPattern: UInt(x ^ (x >> 31)))
  }
}

/// One node: its full name (`name@unit`), its place in the tree, its properties in
/// source order and the labels the source gave it.
public struct Node: Sendable {
  /// The full node name, `name@unit-address` or just `name`; empty for the root.
  public var name: String
  public var parent: NodeID?
  public var children: [NodeID]
  public var properties: [Property]
  /// Labels from the DTS source or from the blob's `/__symbols__`.
  public var labels: [String]

  public init(name: String, parent: NodeID?, properties: [Property] = [], labels: [String] = []) {
    self.name = name
    self.parent = parent
    self.children = []
    self.properties = properties
    self.labels = labels
  }

  /// The name without its unit address (`cpu` for `cpu@0`).
  public var baseName: String {
    guard let at = name.firstIndex(of: "@") else { return name }
    return String(name[..<at])
  }

  /// The unit address after `@`, if any.
  public var unitAddress: String? {
    guard let at = name.firstIndex(of: "@") else { return nil }
    return String(name[name.index(after: at)...])
  }

  /// The property of that name.
  public subscript(property name: String) -> Property? {
    properties.first { $0.name == name }
  }

  /// Adds the property, or replaces the value of an existing one in place.
  public mutating func set(_ property: Property) {
    if let i = properties.firstIndex(where: { $0.name == property.name }) {
      properties[i] = property
    } else {
      properties.append(property)
    }
  }

  /// Removes the property of that name, if present.
  public mutating func removeProperty(named name: String) {
    properties.removeAll { $0.name == name }
  }
}
