import DeviceTree
import Machine

/// devices: owned twice, interrupts the kernel cannot reach, and the dependency
/// closure of each kernel's tree (providers another kernel or nobody owns,
/// devices the tree cannot hold, what the trees lose).
enum DeviceChecks {
  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    var owner: [Int: Int] = [:]
    var holders: [Int: [Int]] = [:]
    for k in p.kernels {
      for d in k.devices {
        if let first = owner[d] {
          engine.error(
            .deviceOwnedTwice,
            "\(p.machine.devices[d].path) is given to '\(k.name)' and to '\(p.kernels[first].name)'; list it under shared to share it",
            at: k.deviceLocations[d],
            notes: [
              .init("'\(p.kernels[first].name)' takes it here", at: p.kernels[first].deviceLocations[d])
            ])
        } else {
          owner[d] = k.index
        }
      }
      for d in k.allDevices { holders[d, default: []].append(k.index) }
    }
    let primary = p.machine.primaryInterruptController?.node
    let deviceOfNode = Dictionary(
      p.machine.devices.map { ($0.node, $0.index) }, uniquingKeysWith: { a, _ in a })
    for k in p.kernels {
      for d in k.allDevices {
        let device = p.machine.devices[d]
        for irq in device.interrupts where irq.controller != primary {
          guard let controller = deviceOfNode[irq.controller], p.machine.devices[controller].isPartitionable
          else { continue }
          // A controller nobody owns joins the kernel's tree as a provider (device_provider_shared).
          if !(holders[controller] ?? []).contains(k.index), owner[controller] != nil {
            let other = owner[controller].map { " (it belongs to '\(p.kernels[$0].name)')" } ?? ""
            let note =
              owner[controller].map {
                [
                  Diagnostic.Note(
                    "'\(p.kernels[$0].name)' takes it here", at: p.kernels[$0].deviceLocations[controller])
                ]
              } ?? []
            engine.error(
              .deviceInterruptUnreachable,
              "\(device.path) of '\(k.name)' signals through \(p.machine.devices[controller].path), which '\(k.name)' does not have\(other)",
              at: k.deviceLocations[d], notes: note)
          }
        }
      }
    }
    closure(p, owner: owner, &engine)
  }

  /// The dependency closure of every kernel (``KernelCut``): providers another
  /// kernel owns, providers nobody owns, devices a tree cannot hold, and what
  /// the trees lose because it cannot resolve.
  static func closure(_ p: Partition, owner: [Int: Int], _ engine: inout DiagnosticEngine) {
    let tree = p.machine.tree
    func path(_ d: Int) -> String { p.machine.devices[d].path }
    /// `/soc/serial@… of 'k0' uses clocks from` or `/soc/serial@… of 'k0' depends (through /regulator:gpio) on`.
    func needs(_ k: Int, _ why: KernelCut.Dependency?) -> String {
      guard let why else { return "'\(p.kernels[k].name)' depends on" }
      guard let d = why.device else {
        return
          "'\(p.kernels[k].name)' inherits \(why.property) from \(tree.path(of: why.node)) and so depends on"
      }
      if why.property == "parent" {
        let what = why.node == p.machine.devices[d].node ? "" : " through \(tree.path(of: why.node))"
        return "\(path(d)) of '\(p.kernels[k].name)' sits\(what) under"
      }
      if why.node == p.machine.devices[d].node {
        return "\(path(d)) of '\(p.kernels[k].name)' uses \(why.property) from"
      }
      return "\(path(d)) of '\(p.kernels[k].name)' depends (through \(tree.place(why.node, why.property))) on"
    }
    func location(_ k: Int, _ why: KernelCut.Dependency?) -> SourceLocation? {
      why?.device.flatMap { p.kernels[k].deviceLocations[$0] } ?? p.kernels[k].location
    }
    var dependents: [Int: [(kernel: Int, why: KernelCut.Dependency?)]] = [:]
    for cut in p.cuts where p.kernels.indices.contains(cut.kernel) {
      let k = cut.kernel
      let name = p.kernels[k].name
      // Another kernel's providers, one warning per device of this kernel's
      // and owner: a trace source reaches a whole graph of the owner's funnels.
      var foreign: [ForeignNeed: [Int]] = [:]
      var order: [ForeignNeed] = []
      for d in cut.providers {
        let why = cut.reasons[d]
        guard let o = owner[d] else {
          dependents[d, default: []].append((k, why))
          continue
        }
        let key = ForeignNeed(device: why?.device, owner: o)
        if foreign[key] == nil { order.append(key) }
        foreign[key, default: []].append(d)
      }
      for key in order {
        guard let providers = foreign[key], let d = providers.first else { continue }
        let why = cut.reasons[d]
        let o = key.owner
        let ownerName = p.kernels[o].name
        let notes: [Diagnostic.Note] = providers.prefix(3).map {
          .init(
            "'\(ownerName)' takes \(providers.count == 1 ? "it" : path($0)) here",
            at: p.kernels[o].deviceLocations[$0])
        }
        guard providers.count > 1, let device = key.device else {
          engine.warning(
            .deviceProviderForeign,
            "\(needs(k, why)) \(path(d)), which belongs to '\(ownerName)': the tree of '\(name)' keeps it too, so both kernels will drive it",
            at: location(k, why), notes: notes)
          continue
        }
        let shown = providers.prefix(3).map(path).joined(separator: ", ")
        let more = providers.count > 3 ? " and \(providers.count - 3) more" : ""
        engine.warning(
          .deviceProviderForeign,
          "\(path(device)) of '\(name)' depends on \(providers.count) devices that belong to '\(ownerName)' (\(shown)\(more)): the tree of '\(name)' keeps them too, so both kernels will drive them; report.json lists each dependency",
          at: location(k, why), notes: notes)
      }
      for (d, cause) in cut.lost.sorted(by: { $0.key < $1.key }) {
        engine.error(
          .deviceUnkeepable,
          "\(path(d)) of '\(name)' cannot be kept in its tree: \(tree.place(cause.node, cause.property)) names \(tree.path(of: cause.target)), which the tree of '\(name)' does not hold",
          at: p.kernels[k].deviceLocations[d] ?? p.kernels[k].location)
      }
    }
    for d in dependents.keys.sorted() {
      guard let users = dependents[d], let first = users.first else { continue }
      let names = users.map { "'\(p.kernels[$0.kernel].name)'" }
      let whose =
        users.count == 1
        ? "the tree of \(names[0])"
        : "the trees of \(names.dropLast().joined(separator: ", ")) and \(names[names.count - 1])"
      engine.warning(
        .deviceProviderShared,
        "\(needs(first.kernel, first.why)) \(path(d)), which no kernel owns: it stays in \(whose) as shared hardware; give it to one kernel or list it under shared",
        at: location(first.kernel, first.why),
        notes: users.dropFirst().map {
          .init("\(needs($0.kernel, $0.why)) it here", at: location($0.kernel, $0.why))
        })
    }
    // One summary of the nodes a tree loses because what they reference is in
    // another kernel's tree (k1's regulator on k0's GPIO block): the plan put it
    // there, and may rather share it. A node whose target is in no tree at all
    // goes with that device, which the plan gives to nobody. report.json lists
    // every removal, properties too.
    let held = p.cuts.map { Set($0.nodes) }
    var parts: [String] = []
    for cut in p.cuts where p.kernels.indices.contains(cut.kernel) {
      // A device of the plan's the tree cannot keep is device_unkeepable's to report.
      let lost = Set(cut.lost.keys.map { p.machine.devices[$0].node })
      let nodes = cut.pruned.filter { r in
        r.dropped == nil && !lost.contains(r.node)
          && held.indices.contains { $0 != cut.kernel && held[$0].contains(r.target) }
      }
      guard !nodes.isEmpty else { continue }
      let shown = nodes.prefix(3).map { tree.path(of: $0.node) }.joined(separator: ", ")
      parts.append(
        "'\(p.kernels[cut.kernel].name)' \(nodes.count) node\(nodes.count == 1 ? "" : "s") (\(shown)\(nodes.count > 3 ? ", …" : ""))"
      )
    }
    guard !parts.isEmpty else { return }
    engine.warning(
      .treePruned,
      "nodes that reference what another kernel's tree holds leave their own: \(parts.joined(separator: "; ")); report.json lists each removal",
      at: p.plan.board.location)
  }
}

/// A device of one kernel's that needs providers another kernel owns.
private struct ForeignNeed: Hashable {
  var device: Int?
  var owner: Int
}
