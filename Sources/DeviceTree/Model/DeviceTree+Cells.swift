extension DeviceTree {
  /// The cells of a property, or an error naming the node when its length is not a multiple of 4.
  public func cells(_ name: String, of id: NodeID) throws -> [UInt32]? {
    guard let p = property(name, of: id) else { return nil }
    guard let c = p.cells else {
      throw error(id, name, "\(p.value.count) bytes is not a whole number of 32-bit cells")
    }
    return c
  }

  /// A one-cell property such as `#address-cells`.
  public func u32(_ name: String, of id: NodeID) throws -> UInt32? {
    guard let c = try cells(name, of: id) else { return nil }
    guard c.count == 1 else { throw error(id, name, "expected one cell, found \(c.count)") }
    return c[0]
  }

  /// A cell count such as `#interrupt-cells`, bounded so arithmetic on it cannot overflow.
  public func cellCount(_ name: String, of id: NodeID, default value: Int? = nil, limit: Int = 4) throws
    -> Int?
  {
    guard let n = try u32(name, of: id) else { return value }
    guard n <= UInt32(limit) else {
      throw error(id, name, "\(n) cells is more than the \(limit) cleave can read")
    }
    return Int(n)
  }

  /// The `#address-cells` a node gives its children (2 when absent, as the specification says).
  public func addressCells(_ id: NodeID) throws -> Int {
    try cellCount("#address-cells", of: id, default: 2, limit: 3) ?? 2
  }

  /// The `#size-cells` a node gives its children (1 when absent).
  public func sizeCells(_ id: NodeID) throws -> Int {
    try cellCount("#size-cells", of: id, default: 1, limit: 2) ?? 1
  }

  /// Reads a list of phandles with arguments (`clocks`, `resets`, `phys`, …):
  /// each entry is a phandle followed by as many cells as the provider's
  /// `cellsName` (for example `#clock-cells`) says; a provider without that
  /// property takes `defaultCells` arguments.
  public func phandleList(_ name: String, of id: NodeID, cellsName: String?, defaultCells: Int = 0) throws
    -> [PhandleReference]
  {
    let list: [UInt32]?
    do {
      list = try cells(name, of: id)
    } catch var e as DeviceTreeError {
      e.isConfinedToNode = true  // a list of this node's own, not a structure others read
      throw e
    }
    guard let c = list else { return [] }
    var out: [PhandleReference] = []
    var i = 0
    while i < c.count {
      let ph = c[i]
      i += 1
      if ph == 0 {  // an empty slot, as in `clocks = <0>, <&clk 1>`
        continue
      }
      guard let target = node(phandle: ph) else {
        throw error(id, name, "phandle 0x\(String(ph, radix: 16)) points to no node")
      }
      let n = try cellsName.flatMap { try cellCount($0, of: target, limit: 16) } ?? defaultCells
      guard i + n <= c.count else {
        throw nodeDefect(
          id, name, "entry for \(path(of: target)) needs \(n) argument cells, only \(c.count - i) left")
      }
      out.append(PhandleReference(target: target, arguments: Array(c[i..<(i + n)])))
      i += n
    }
    return out
  }
}

/// One entry of a phandle list: the node it names and its argument cells.
public struct PhandleReference: Sendable, Hashable {
  public var target: NodeID
  public var arguments: [UInt32]
  public init(target: NodeID, arguments: [UInt32]) {
    self.target = target
    self.arguments = arguments
  }
}

/// Folds big-endian cells into a number; `nil` when the value needs more than 64 bits.
func fold(_ cells: ArraySlice<UInt32>) -> UInt64? {
  var v: UInt64 = 0
  for c in cells {
    guard v >> 32 == 0 else { return nil }
    v = v << 32 | UInt64(c)
  }
  return v
}
