extension DeviceTree {
  /// The controller kind of a node, when it is one cleave recognises.
  public func controllerKind(_ id: NodeID) -> InterruptControllerKind? {
    InterruptControllerKind(compatible: compatible(id))
  }

  /// Whether the node declares `interrupt-controller`.
  public func isInterruptController(_ id: NodeID) -> Bool {
    property("interrupt-controller", of: id) != nil
  }

  /// The node that receives this node's `interrupts`: its own `interrupt-parent`,
  /// or the nearest ancestor's, followed until a node with `#interrupt-cells`.
  /// `nil` when there is none; an error for a dangling phandle or a cycle.
  public func interruptParent(of id: NodeID) throws -> NodeID? {
    var current = id
    var seen: Set<NodeID> = [id]
    // Each phandle hop may climb the whole depth again before the next; past
    // both limits together the chain is hostile, and walking it for every
    // device would cost its length times the number of devices.
    let steps = InputLimits.maxReferenceHops + InputLimits.maxTreeDepth
    while true {
      let next: NodeID
      if let p = try u32("interrupt-parent", of: current) {
        guard let target = node(phandle: p) else {
          throw error(current, "interrupt-parent", "phandle 0x\(String(p, radix: 16)) points to no node")
        }
        next = target
      } else if let up = parent(of: current) {
        next = up
      } else {
        return nil
      }
      if property("#interrupt-cells", of: next) != nil { return next }
      guard seen.insert(next).inserted else {
        throw error(id, "interrupt-parent", "the interrupt-parent chain loops at \(path(of: next))")
      }
      guard seen.count <= steps else {
        throw error(
          id, "interrupt-parent",
          "the interrupt-parent chain is longer than \(steps) steps without reaching a node with #interrupt-cells"
        )
      }
      current = next
    }
  }

  /// Every interrupt the node raises, from `interrupts-extended` or from
  /// `interrupts` with its interrupt parent, mapped through any interrupt nexus
  /// (`interrupt-map`) to the controller that finally receives it.
  ///
  /// Pass one `cache` to every call on the same unchanged tree to decode each nexus's `interrupt-map` once.
  public func interrupts(of id: NodeID, cache: DecodeCache? = nil) throws -> [InterruptSpecifier] {
    let cache = cache ?? DecodeCache()
    var raw: [InterruptSpecifier] = []
    if let ext = try cells("interrupts-extended", of: id) {
      var i = 0
      while i < ext.count {
        let ph = ext[i]
        guard let target = node(phandle: ph) else {
          throw error(id, "interrupts-extended", "phandle 0x\(String(ph, radix: 16)) points to no node")
        }
        guard let n = try cellCount("#interrupt-cells", of: target, limit: 4) else {
          throw error(id, "interrupts-extended", "\(path(of: target)) has no #interrupt-cells")
        }
        guard i + 1 + n <= ext.count else {
          throw error(
            id, "interrupts-extended",
            "entry for \(path(of: target)) needs \(n) cells, only \(ext.count - i - 1) left")
        }
        raw.append(InterruptSpecifier(controller: target, cells: Array(ext[(i + 1)..<(i + 1 + n)])))
        i += 1 + n
      }
    } else if let list = try cells("interrupts", of: id) {
      guard let parent = try interruptParent(of: id) else {
        throw error(id, "interrupts", "no interrupt parent")
      }
      guard let n = try cellCount("#interrupt-cells", of: parent, limit: 4), n > 0 else {
        throw error(id, "interrupts", "\(path(of: parent)) has no usable #interrupt-cells")
      }
      guard list.count % n == 0 else {
        throw nodeDefect(
          id, "interrupts",
          "\(list.count) cells are not a whole number of \(n)-cell specifiers for \(path(of: parent))")
      }
      var i = 0
      while i < list.count {
        raw.append(InterruptSpecifier(controller: parent, cells: Array(list[i..<(i + n)])))
        i += n
      }
    }
    return try raw.map { try mapThroughNexus($0, from: id, cache: cache) }
  }

  /// Follows `interrupt-map` of non-controller parents until an interrupt controller.
  private func mapThroughNexus(_ spec: InterruptSpecifier, from device: NodeID, cache: DecodeCache) throws
    -> InterruptSpecifier
  {
    var spec = spec
    var unit: [UInt32] = try unitAddress(of: device, cellsFrom: spec.controller)
    var hops = 0
    while !isInterruptController(spec.controller), property("interrupt-map", of: spec.controller) != nil {
      hops += 1
      if hops > 16 { throw error(device, "interrupts", "more than 16 interrupt-map levels (a loop?)") }
      let nexus = spec.controller
      let map = try nexusMap(nexus, interruptCells: spec.cells.count, cache: cache)
      let na = map.addressCells
      let key = Array(unit.prefix(na)) + Array(repeating: 0, count: max(0, na - unit.count)) + spec.cells
      let masked = zip(key, map.mask).map { $0 & $1 }
      guard let found = map.first[masked] else {
        throw error(device, "interrupts", "no interrupt-map entry of \(path(of: nexus)) matches")
      }
      spec = InterruptSpecifier(controller: found.target, cells: found.parentSpecifier)
      unit = found.parentUnit
    }
    return spec
  }

  /// A nexus's `interrupt-map` for specifiers of `ni` cells, decoded, checked and
  /// indexed once per tree: every entry is validated, the first entry for each
  /// masked child key wins (the binding's in-order search).
  private func nexusMap(_ nexus: NodeID, interruptCells ni: Int, cache: DecodeCache) throws -> NexusMap {
    try cache.nexus(.init(node: nexus, interruptCells: ni)) {
      let map = try cells("interrupt-map", of: nexus) ?? []
      let na = try cellCount("#address-cells", of: nexus, default: 0, limit: 3) ?? 0
      let mask = try cells("interrupt-map-mask", of: nexus) ?? Array(repeating: 0xffff_ffff, count: na + ni)
      guard mask.count == na + ni else {
        throw nodeDefect(nexus, "interrupt-map-mask", "\(mask.count) cells, expected \(na + ni)")
      }
      var first: [[UInt32]: NexusMap.Entry] = [:]
      var i = 0
      while i < map.count {
        guard i + na + ni + 1 <= map.count else {
          throw error(nexus, "interrupt-map", "entry at cell \(i) is truncated")
        }
        let childKey = Array(map[i..<(i + na + ni)])
        let ph = map[i + na + ni]
        guard let target = node(phandle: ph) else {
          throw error(nexus, "interrupt-map", "phandle 0x\(String(ph, radix: 16)) points to no node")
        }
        let pa = try cellCount("#address-cells", of: target, default: 0, limit: 3) ?? 0
        guard let pi = try cellCount("#interrupt-cells", of: target, limit: 4) else {
          throw error(nexus, "interrupt-map", "\(path(of: target)) has no #interrupt-cells")
        }
        let start = i + na + ni + 1
        guard start + pa + pi <= map.count else {
          throw error(nexus, "interrupt-map", "entry at cell \(i) is truncated")
        }
        let masked = zip(childKey, mask).map { $0 & $1 }
        if first[masked] == nil {
          first[masked] = NexusMap.Entry(
            target: target, parentUnit: Array(map[start..<(start + pa)]),
            parentSpecifier: Array(map[(start + pa)..<(start + pa + pi)]))
        }
        i = start + pa + pi
      }
      return NexusMap(addressCells: na, mask: mask, first: first)
    }
  }

  /// The first `#address-cells`-of-`nexus` cells of the device's `reg`.
  private func unitAddress(of device: NodeID, cellsFrom nexus: NodeID) throws -> [UInt32] {
    let na = try cellCount("#address-cells", of: nexus, default: 0, limit: 3) ?? 0
    guard na > 0, let reg = property("reg", of: device)?.cells else { return [] }
    return Array(reg.prefix(na))
  }

  /// Decodes a specifier by its controller's binding.
  public func decode(_ spec: InterruptSpecifier) -> Interrupt {
    let c = spec.cells
    switch controllerKind(spec.controller) {
    case .gicV2?, .gicV3?:
      guard c.count >= 3 else { return .other(cells: c) }
      let trigger = c[2] & 0xf
      let mask = UInt8((c[2] >> 8) & 0xff)
      switch c[0] {
      case 0: return .gic(type: .spi, intid: c[1] &+ 32, trigger: trigger, cpuMask: 0)
      case 1: return .gic(type: .ppi, intid: c[1] &+ 16, trigger: trigger, cpuMask: mask)
      case 2: return .gic(type: .espi, intid: c[1] &+ 4096, trigger: trigger, cpuMask: 0)
      case 3: return .gic(type: .eppi, intid: c[1] &+ 1056, trigger: trigger, cpuMask: mask)
      default: return .other(cells: c)
      }
    case .plic?, .aplic?:
      guard let s = c.first else { return .other(cells: c) }
      return .plic(source: s)
    case .riscvCPU?:
      guard let cause = c.first else { return .other(cells: c) }
      return .cpuLocal(cpu: parent(of: spec.controller), cause: cause)
    default:
      return .other(cells: c)
    }
  }
}
