import DeviceTree
import Machine

/// address maps: on a System Device Tree, the memory of a kernel or foreign
/// entry must be RAM its cores' cluster reaches through its `address-map`.
enum AddressMapChecks {
  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    for k in p.kernels {
      for m in k.memory {
        check(m, cpus: k.cpus, what: p.describe(kernel: k.index, m.range), p, &engine)
      }
    }
    for f in p.foreign {
      for m in f.memory {
        check(m, cpus: f.cpus, what: "memory of foreign '\(f.name)' \(m.range)", p, &engine)
      }
    }
  }

  private static func check(
    _ m: Partition.MemoryRegion, cpus: [Int], what: String, _ p: Partition, _ engine: inout DiagnosticEngine
  ) {
    var seen = Set<Int>()
    for c in cpus {
      guard let cluster = p.machine.cluster(of: c), cluster.addressMap != nil,
        seen.insert(cluster.index).inserted
      else { continue }
      let reached = p.machine.visibleMemory(from: cluster)
      guard let outside = Self.outside(m.range, reached) else { continue }
      let name = cluster.labels.first ?? cluster.path
      let shown = reached.isEmpty ? "no RAM" : reached.map { "\($0)" }.joined(separator: ", ")
      engine.error(
        .memoryUnreachable,
        "\(what) is not all RAM cluster \(name) reaches: \(outside) lies outside its address-map (it reaches \(shown))",
        at: m.location,
        notes: [
          .init("the address-map is here", at: p.boardLocation(cluster.path + ":address-map"))
        ])
    }
  }

  /// The first part of `range` that no range of `cover` holds.
  static func outside(_ range: AddressRange, _ cover: [AddressRange]) -> AddressRange? {
    var rest = [range]
    for c in cover {
      rest = rest.flatMap { piece -> [AddressRange] in
        guard let cut = piece.intersection(c) else { return [piece] }
        var out: [AddressRange] = []
        if cut.base > piece.base { out.append(AddressRange(base: piece.base, size: cut.base - piece.base)) }
        if cut.last < piece.last { out.append(AddressRange(base: cut.last + 1, size: piece.last - cut.last)) }
        return out
      }
    }
    return rest.first
  }
}
