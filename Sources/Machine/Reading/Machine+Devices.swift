import DeviceTree

extension Machine {
  /// Properties that name providers, with the provider's `#…-cells` property.
  static let providerProperties: [(property: String, cells: String?)] = [
    ("clocks", "#clock-cells"), ("resets", "#reset-cells"), ("power-domains", "#power-domain-cells"),
    ("phys", "#phy-cells"), ("iommus", "#iommu-cells"), ("pinctrl-0", nil), ("pinctrl-1", nil),
  ]

  static let busCompatibles: Set<String> = ["simple-bus", "simple-mfd", "arm,amba-bus", "simple-pm-bus"]

  /// Every node with a `compatible` outside /cpus, the `cpus,cluster` nodes,
  /// memory, /reserved-memory, the firmware nodes and the execution domains
  /// (`/domains`, `openamp,domain-v1`). A device whose `reg`, bus `ranges` or
  /// `interrupts` cannot be read is set aside in `unusable`; its providers must resolve.
  static func readDevices(_ tree: DeviceTree, cache: DecodeCache, unusable: inout [UnusableNode]) throws
    -> [Device]
  {
    var aliases: [NodeID: [String]] = [:]
    if let a = tree.node(path: "/aliases") {
      for p in tree[a].properties {
        if let target = p.string, let id = tree.node(path: target) { aliases[id, default: []].append(p.name) }
      }
    }
    var skip: Set<NodeID> = [tree.root]
    for path in [
      "/cpus", "/reserved-memory", "/chosen", "/aliases", "/__symbols__", "/psci", "/distance-map",
      "/domains",
    ] {
      if let id = tree.node(path: path) { skip.formUnion(tree.descendants(of: id)) }
    }
    for id in clusterNodes(tree) { skip.formUnion(tree.descendants(of: id)) }
    for id in tree.descendants() where tree.isCompatible(id, with: "openamp,domain-v1") {
      skip.formUnion(tree.descendants(of: id))
    }
    let alreadyUnusable = Set(unusable.map(\.node))
    var out: [Device] = []
    var stack = [tree.root]
    while let id = stack.popLast() {
      stack.append(contentsOf: tree[id].children.reversed())
      guard !skip.contains(id), tree.property("compatible", of: id) != nil,
        tree.property("device_type", of: id)?.string != "memory", !alreadyUnusable.contains(id)
      else { continue }
      let compatible = tree.compatible(id)
      var routed: [Device.RoutedInterrupt] = []
      let mmio: [AddressRange]
      do {
        for spec in try tree.interrupts(of: id, cache: cache) {
          routed.append(.init(controller: spec.controller, interrupt: tree.decode(spec)))
        }
        mmio = try tree.mmio(id, cache: cache)
      } catch let e as DeviceTreeError where e.isConfinedToNode {
        unusable.append(UnusableNode(node: id, path: tree.path(of: id), defect: e))
        continue
      }
      var providers: [Device.Provider] = []
      do {
        for (property, cells) in providerProperties {
          for ref in try tree.phandleList(property, of: id, cellsName: cells) {
            var target = ref.target
            if property.hasPrefix("pinctrl"), let owner = pinController(of: ref.target, tree: tree) {
              target = owner
            }
            let kind = property.hasPrefix("pinctrl") ? "pinctrl" : property
            // One entry per provider and kind: a device taking two clocks from one controller depends on it once.
            if !providers.contains(where: { $0.kind == kind && $0.node == target }) {
              providers.append(.init(kind: kind, node: target, arguments: ref.arguments))
            }
          }
        }
      } catch let e as DeviceTreeError where e.isConfinedToNode {
        unusable.append(UnusableNode(node: id, path: tree.path(of: id), defect: e))
        continue
      }
      out.append(
        Device(
          index: out.count, node: id, path: tree.path(of: id), name: tree[id].name, labels: tree[id].labels,
          aliases: aliases[id] ?? [], compatible: compatible, enabled: tree.isEnabled(id),
          mmio: mmio,
          interrupts: routed, providers: providers, numaNode: try tree.u32("numa-node-id", of: id),
          isInterruptController: tree.isInterruptController(id),
          isSystemInterruptController: tree.controllerKind(id) != nil,
          isBus: compatible.contains { busCompatibles.contains($0) }))
    }
    return out
  }

  /// A pinctrl state node lives under its pin controller; the provider is that controller.
  private static func pinController(of state: NodeID, tree: DeviceTree) -> NodeID? {
    var n = tree.parent(of: state)
    while let id = n, id != tree.root {
      if tree.property("compatible", of: id) != nil { return id }
      n = tree.parent(of: id)
    }
    return nil
  }
}
