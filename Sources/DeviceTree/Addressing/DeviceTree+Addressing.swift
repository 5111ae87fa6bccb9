/// One `reg` entry in the parent bus's address space. Addresses of more than two
/// cells (PCI) keep their upper cells in `space`.
public struct RegEntry: Sendable, Hashable {
  public var space: [UInt32]
  public var address: UInt64
  public var size: UInt64
}

/// One `ranges` or `dma-ranges` entry: a child-bus window and where it lands in the parent bus.
public struct RangeEntry: Sendable, Hashable {
  public var childSpace: [UInt32]
  public var child: UInt64
  public var parentSpace: [UInt32]
  public var parent: UInt64
  public var size: UInt64
}

extension DeviceTree {
  /// Decodes a node's `reg` by its parent's `#address-cells` and `#size-cells`.
  public func reg(_ id: NodeID) throws -> [RegEntry] {
    guard let c = try cells("reg", of: id) else { return [] }
    guard let parent = parent(of: id) else { return [] }
    let na = try addressCells(parent)
    let ns = try sizeCells(parent)
    let stride = na + ns
    guard stride > 0 else {
      throw nodeDefect(id, "reg", "the parent's #address-cells and #size-cells are both 0")
    }
    guard c.count % stride == 0 else {
      throw nodeDefect(
        id, "reg", "\(c.count) cells do not fit #address-cells = <\(na)> + #size-cells = <\(ns)>")
    }
    var out: [RegEntry] = []
    var i = 0
    while i < c.count {
      let (space, address) = split(c[i..<(i + na)])
      guard let size = fold(c[(i + na)..<(i + stride)]) else {
        throw nodeDefect(id, "reg", "size does not fit 64 bits")
      }
      guard AddressRange(checkedBase: address, size: size) != nil else {
        throw nodeDefect(
          id, "reg", "0x\(String(address, radix: 16)) + 0x\(String(size, radix: 16)) overflows 64 bits")
      }
      out.append(RegEntry(space: space, address: address, size: size))
      i += stride
    }
    return out
  }

  /// The node's `reg` windows translated to CPU physical addresses through every
  /// `ranges` above it. Entries that do not translate (a bus without `ranges`, an
  /// address no range covers) are left out: they are not CPU-visible MMIO.
  ///
  /// Pass one `cache` to every call on the same unchanged tree to decode each bus's `ranges` once.
  public func mmio(_ id: NodeID, cache: DecodeCache? = nil) throws -> [AddressRange] {
    guard let parent = parent(of: id) else { return [] }
    var out: [AddressRange] = []
    for r in try reg(id) {
      if let a = try translate(space: r.space, address: r.address, size: r.size, bus: parent, cache: cache) {
        out.append(a)
      }
    }
    return out
  }

  /// Translates an address on `bus` up to the root's address space.
  public func translate(
    space: [UInt32], address: UInt64, size: UInt64, bus: NodeID, cache: DecodeCache? = nil
  ) throws -> AddressRange? {
    let cache = cache ?? DecodeCache()
    var space = space
    var address = address
    var current = bus
    var steps = 0
    while let up = parent(of: current) {
      steps += 1
      if steps > nodes.count { throw error(bus, "cyclic bus hierarchy") }
      guard let windows = try busWindows(current, cache: cache) else { return nil }
      let ranges = windows.entries
      if ranges.isEmpty {  // `ranges;` : identity mapping
        let parentCells = try addressCells(up)
        if parentCells <= 2 && !space.allSatisfy({ $0 == 0 }) { return nil }
        if parentCells <= 2 { space = [] }
      } else {
        let pci = windows.pci
        guard
          let hit = windows.window(
            space: space, address: address, same: { sameSpace($0, $1, pci: pci) })
        else { return nil }
        let offset = address - hit.child
        guard hit.parent <= UInt64.max - offset else {
          throw nodeDefect(
            current, "ranges", "translation of 0x\(String(address, radix: 16)) overflows 64 bits")
        }
        address = hit.parent + offset
        space = hit.parentSpace
      }
      current = up
    }
    guard space.allSatisfy({ $0 == 0 }) else { return nil }
    guard let range = AddressRange(checkedBase: address, size: size) else {
      throw nodeDefect(
        bus, nil,
        "translated window 0x\(String(address, radix: 16)) + 0x\(String(size, radix: 16)) overflows 64 bits")
    }
    return range
  }

  /// The bus's decoded `ranges` with its lookup index, decoded once per tree.
  func busWindows(_ bus: NodeID, cache: DecodeCache) throws -> BusWindows? {
    guard property("ranges", of: bus) != nil else { return nil }
    return try cache.bus(bus) {
      BusWindows(
        entries: try ranges("ranges", of: bus) ?? [],
        pci: property("device_type", of: bus)?.string == "pci")
    }
  }

  /// Decodes `ranges` or `dma-ranges` of a bus node: `nil` when absent, empty for an identity mapping.
  public func ranges(_ name: String, of bus: NodeID) throws -> [RangeEntry]? {
    guard let c = try cells(name, of: bus) else { return nil }
    if c.isEmpty { return [] }
    guard let up = parent(of: bus) else { return [] }
    let ca = try addressCells(bus)
    let pa = try addressCells(up)
    let cs = try sizeCells(bus)
    let stride = ca + pa + cs
    guard stride > 0, c.count % stride == 0 else {
      throw nodeDefect(
        bus, name,
        "\(c.count) cells do not fit child #address-cells = <\(ca)> + parent #address-cells = <\(pa)> + #size-cells = <\(cs)>"
      )
    }
    var out: [RangeEntry] = []
    var i = 0
    while i < c.count {
      let (cspace, child) = split(c[i..<(i + ca)])
      let (pspace, parentAddress) = split(c[(i + ca)..<(i + ca + pa)])
      guard let size = fold(c[(i + ca + pa)..<(i + stride)]) else {
        throw nodeDefect(bus, name, "size does not fit 64 bits")
      }
      guard AddressRange(checkedBase: child, size: size) != nil,
        AddressRange(checkedBase: parentAddress, size: size) != nil
      else {
        throw nodeDefect(
          bus, name,
          "window of 0x\(String(size, radix: 16)) bytes at 0x\(String(child, radix: 16)) -> 0x\(String(parentAddress, radix: 16)) overflows 64 bits"
        )
      }
      out.append(
        RangeEntry(childSpace: cspace, child: child, parentSpace: pspace, parent: parentAddress, size: size))
      i += stride
    }
    return out
  }

  /// Splits an address into its upper "space" cells and its low 64 bits.
  private func split(_ cells: ArraySlice<UInt32>) -> ([UInt32], UInt64) {
    let low = cells.suffix(2)
    return (Array(cells.dropLast(low.count)), fold(low) ?? 0)
  }

  private func sameSpace(_ a: [UInt32], _ b: [UInt32], pci: Bool) -> Bool {
    if pci, let x = a.first, let y = b.first { return x & 0x0300_0000 == y & 0x0300_0000 }
    let n = max(a.count, b.count)
    let pa = Array(repeating: UInt32(0), count: n - a.count) + a
    let pb = Array(repeating: UInt32(0), count: n - b.count) + b
    return pa == pb
  }
}
