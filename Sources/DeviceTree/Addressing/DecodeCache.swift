import Foundation

/// Decoded `ranges` and `interrupt-map` properties, each decoded and indexed
/// once per tree instead of once per device that looks through it.
///
/// Without it a bus with many children and a long `ranges` (or a nexus with
/// many devices and a long `interrupt-map`) costs children × entries: a 1.6 MB
/// board with 5,000 devices under a 50,000-entry bus kept `inspect` busy for
/// minutes. A cache belongs to one unchanging tree: whoever reads a tree many
/// times (``Machine``) makes one and passes it to every lookup.
public final class DecodeCache: @unchecked Sendable {
  private let lock = NSLock()
  private var buses: [NodeID: BusWindows] = [:]
  private var nexuses: [NexusKey: NexusMap] = [:]

  public init() {}

  struct NexusKey: Hashable {
    var node: NodeID
    var interruptCells: Int
  }

  func bus(_ id: NodeID, make: () throws -> BusWindows) rethrows -> BusWindows {
    try cached(id, in: \.buses, make: make)
  }

  func nexus(_ key: NexusKey, make: () throws -> NexusMap) rethrows -> NexusMap {
    try cached(key, in: \.nexuses, make: make)
  }

  /// The entry for `key`, made once. `make` runs outside the lock: two readers
  /// that miss together both decode, and either result is the same.
  private func cached<Key: Hashable, Value>(
    _ key: Key, in table: ReferenceWritableKeyPath<DecodeCache, [Key: Value]>, make: () throws -> Value
  ) rethrows -> Value {
    lock.lock()
    let known = self[keyPath: table][key]
    lock.unlock()
    if let known { return known }
    let made = try make()
    lock.lock()
    self[keyPath: table][key] = made
    lock.unlock()
    return made
  }
}

/// A bus's `ranges`, with an index that finds the window holding an address
/// by binary search when the windows of one address space do not overlap
/// (the first matching entry in property order is then the only one).
struct BusWindows: Sendable {
  var entries: [RangeEntry]
  var pci: Bool
  /// Entry indexes by address space, sorted by child address, for spaces
  /// whose windows do not overlap.
  private var sorted: [[UInt32]: [Int]] = [:]
  /// Spaces whose windows overlap: searched in property order instead.
  private var overlapping: Set<[UInt32]> = []
  /// Whether every entry has space cells (PCI spaces are compared by their first cell).
  private var indexable: Bool

  init(entries: [RangeEntry], pci: Bool) {
    self.entries = entries
    self.pci = pci
    indexable = !pci || entries.allSatisfy { !$0.childSpace.isEmpty }
    guard indexable else { return }
    var groups: [[UInt32]: [Int]] = [:]
    for (i, e) in entries.enumerated() where e.size > 0 {
      groups[Self.key(e.childSpace, pci: pci), default: []].append(i)
    }
    for (key, members) in groups {
      let order = members.sorted { entries[$0].child < entries[$1].child }
      let disjoint = zip(order, order.dropFirst()).allSatisfy { a, b in
        UInt128(entries[a].child) + UInt128(entries[a].size) <= UInt128(entries[b].child)
      }
      if disjoint { sorted[key] = order } else { overlapping.insert(key) }
    }
  }

  /// The space as compared: PCI by its address-space bits, others without leading zero cells.
  private static func key(_ space: [UInt32], pci: Bool) -> [UInt32] {
    if pci, let first = space.first { return [first & 0x0300_0000] }
    return Array(space.drop { $0 == 0 })
  }

  /// The first entry, in property order, whose child window holds `address` in `space`.
  func window(space: [UInt32], address: UInt64, same: ([UInt32], [UInt32]) -> Bool) -> RangeEntry? {
    func holds(_ e: RangeEntry) -> Bool { address >= e.child && address - e.child < e.size }
    let key = Self.key(space, pci: pci)
    if indexable, !(pci && space.isEmpty), !overlapping.contains(key) {
      guard let order = sorted[key] else { return nil }
      do {
        var low = 0
        var high = order.count
        while low < high {
          let mid = (low + high) / 2
          if entries[order[mid]].child <= address { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return nil }
        let e = entries[order[low - 1]]
        return holds(e) ? e : nil
      }
    }
    return entries.first { same($0.childSpace, space) && holds($0) }
  }
}

/// A nexus's `interrupt-map` for one specifier width, indexed by masked child key.
struct NexusMap: Sendable {
  struct Entry: Sendable {
    var target: NodeID
    var parentUnit: [UInt32]
    var parentSpecifier: [UInt32]
  }
  var addressCells: Int
  var mask: [UInt32]
  /// The first entry for each masked child key, as the binding's in-order search finds it.
  var first: [[UInt32]: Entry]
}
