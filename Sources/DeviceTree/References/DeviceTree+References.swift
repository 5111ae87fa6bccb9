/// A phandle found inside a property value: the property, the cell index and the node it names
/// (`nil` when it names none: a dangling reference).
public struct PhandleUse: Sendable, Hashable {
  public var node: NodeID
  public var property: String
  public var cell: Int
  public var phandle: UInt32
  public var target: NodeID?

  public init(node: NodeID, property: String, cell: Int, phandle: UInt32, target: NodeID?) {
    self.node = node
    self.property = property
    self.cell = cell
    self.phandle = phandle
    self.target = target
  }
}

extension DeviceTree {
  /// Properties that are lists of phandles with arguments, and the provider
  /// property that counts the arguments (`nil`: no arguments).
  static let phandleLists: [String: String?] = [
    "clocks": "#clock-cells", "assigned-clocks": "#clock-cells", "assigned-clock-parents": "#clock-cells",
    "resets": "#reset-cells", "power-domains": "#power-domain-cells", "phys": "#phy-cells",
    "iommus": "#iommu-cells", "dmas": "#dma-cells", "mboxes": "#mbox-cells", "pwms": "#pwm-cells",
    "io-channels": "#io-channel-cells", "thermal-sensors": "#thermal-sensor-cells",
    "interconnects": "#interconnect-cells",
    "interrupts-extended": "#interrupt-cells", "msi-parent": "#msi-cells", "nvmem-cells": nil,
    "memory-region": nil,
    "interrupt-parent": nil, "next-level-cache": nil, "cpu": nil, "cpus": nil, "interrupt-affinity": nil,
    "operating-points-v2": nil, "cpu-idle-states": nil, "sound-dai": "#sound-dai-cells", "phy-handle": nil,
    "remote-endpoint": nil, "syscon": nil, "cooling-device": "#cooling-cells",
    "regmap": nil, "clock-output-parent": nil, "nvmem": nil, "phandle-list": nil, "power-supply": nil,
    "hwlocks": "#hwlock-cells", "mux-controls": "#mux-control-cells", "mux-states": "#mux-state-cells",
    "access-controllers": "#access-controller-cells", "leds": nil, "backlight": nil, "panel": nil,
    "trip": nil, "shmem": nil,
  ]

  /// Every phandle reference in the tree's reachable nodes that cleave can
  /// recognise: the list properties above, `pinctrl-N`, `*-gpios` / `gpios` /
  /// `gpio` (with `#gpio-cells`), `*-supply` regulators, `msi-map` /
  /// `iommu-map` and `interrupt-map`.
  public func phandleUses() -> [PhandleUse] {
    var out: [PhandleUse] = []
    for id in descendants() {
      for p in self[id].properties {
        out += uses(in: p, of: id)
      }
    }
    return out
  }

  /// The phandle references of one property (empty when it holds none cleave knows of).
  public func uses(in p: Property, of id: NodeID) -> [PhandleUse] {
    // The name decides first: most properties hold no phandle, and their
    // cells are never read.
    let name = p.name
    let pinctrl = name.hasPrefix("pinctrl-") && Int(name.dropFirst(8)) != nil
    var argumentCells: String??
    if name == "gpios" || name == "gpio" || name.hasSuffix("-gpios")
      || name.hasSuffix("-gpio") && name != "nr-gpio"
    {
      argumentCells = "#gpio-cells"
    } else if name.hasSuffix("-supply") && p.value.count == 4 {
      // A regulator: one phandle, no arguments (dtc's own check reads it the same way).
      argumentCells = .some(nil)
    } else if let known = Self.phandleLists[name] {
      argumentCells = known
    }
    let isMap = name == "msi-map" || name == "iommu-map" || name == "interrupt-map"
    guard pinctrl || argumentCells != nil || isMap else { return [] }
    guard let cells = p.cells, !cells.isEmpty else { return [] }
    func use(_ i: Int) -> PhandleUse {
      PhandleUse(node: id, property: name, cell: i, phandle: cells[i], target: node(phandle: cells[i]))
    }
    if pinctrl { return cells.indices.filter { cells[$0] != 0 }.map(use) }
    if let argumentCells {
      var out: [PhandleUse] = []
      var i = 0
      while i < cells.count {
        if cells[i] == 0 {
          i += 1
          continue
        }
        let u = use(i)
        out.append(u)
        let n =
          argumentCells.flatMap { c in u.target.flatMap { (try? cellCount(c, of: $0, limit: 16)) ?? nil } }
          ?? 0
        i += 1 + n
      }
      return out
    }
    if name == "interrupt-map" { return interruptMapUses(cells, of: id, property: p) }
    // msi-map, iommu-map: <rid-base phandle target-base length>
    return stride(from: 1, to: cells.count, by: 4).map(use)
  }

  private func interruptMapUses(_ map: [UInt32], of nexus: NodeID, property p: Property) -> [PhandleUse] {
    guard let na = try? cellCount("#address-cells", of: nexus, default: 0, limit: 3) ?? 0,
      let ni = try? cellCount("#interrupt-cells", of: nexus, limit: 4) ?? 0
    else { return [] }
    var out: [PhandleUse] = []
    var i = 0
    while i + na + ni < map.count {
      let at = i + na + ni
      let target = node(phandle: map[at])
      out.append(PhandleUse(node: nexus, property: p.name, cell: at, phandle: map[at], target: target))
      guard let target, let pi = try? cellCount("#interrupt-cells", of: target, limit: 4) else { break }
      let pa = (try? cellCount("#address-cells", of: target, default: 0, limit: 3)) ?? 0
      i = at + 1 + pa + pi
    }
    return out
  }

  /// References whose phandle names no node, or a node no longer in the tree.
  public func danglingReferences() -> [PhandleUse] {
    phandleUses().filter { u in u.target.map { !isAttached($0) } ?? true }
  }
}
