import DeviceTree
import Machine
import Partitioning

/// Cuts the board's tree down to what one kernel owns.
///
/// Only appends and deletes, never reorders, so the same cut can be written as
/// an overlay on the board source (see ``Overlay``).
public struct KernelTree {
  public struct Options: Sendable {
    /// Keep foreign devices with `status = "disabled"` instead of deleting them.
    public var disableForeignDevices = false
    public init(disableForeignDevices: Bool = false) { self.disableForeignDevices = disableForeignDevices }
  }

  let partition: Partition
  let kernel: Partition.Kernel
  let options: Options
  var tree: DeviceTree

  /// The tree for kernel `index` of the partition.
  public static func make(_ partition: Partition, kernel index: Int, options: Options = Options()) -> DeviceTree {
    var cut = KernelTree(partition: partition, kernel: partition.kernels[index], options: options, tree: partition.machine.tree)
    cut.run()
    return cut.tree
  }

  private var machine: Machine { partition.machine }

  private mutating func run() {
    tree.file = "\(kernel.name).dts"
    let ownCPUs = Set(kernel.cpus)
    rewriteInterruptContexts(ownCPUs: ownCPUs)
    pruneCPUs(ownCPUs)
    pruneCaches()
    rewriteMemory()
    rewriteReservedMemory()
    pruneDevices()
    pruneDependents()
    writeOwnership()
    rewriteChosenAndAliases()
  }

  // MARK: CPUs

  private mutating func pruneCPUs(_ own: Set<Int>) {
    tree.removeNodes(machine.cpus.filter { !own.contains($0.index) }.map(\.node))
    guard let map = tree.node(path: "/cpus/cpu-map") else { return }
    // Remove cpu-map leaves naming a removed CPU, then every group left empty.
    let kept = Set(own.map { machine.cpus[$0].node })
    var doomed: [NodeID] = []
    func prune(_ id: NodeID) -> Bool {
      if let ph = tree.property("cpu", of: id)?.u32 {
        let alive = tree.node(phandle: ph).map(kept.contains) ?? false
        if !alive { doomed.append(id) }
        return alive
      }
      var alive = false
      var dead: [NodeID] = []
      for c in tree[id].children {
        if prune(c) { alive = true } else { dead.append(c) }
      }
      if !alive && id != map {
        doomed.removeAll { dead.contains($0) }
        doomed.append(id)
      }
      return alive
    }
    if !prune(map) { doomed = [map] }
    tree.removeNodes(doomed)
  }

  private mutating func pruneCaches() {
    var used = Set<NodeID>()
    for c in kernel.cpus { for i in machine.cpus[c].caches { used.insert(machine.caches[i].node) } }
    tree.removeNodes(machine.caches.filter { !used.contains($0.node) }.map(\.node))
  }

  // MARK: PLIC / CLINT contexts

  /// Entries of foreign harts stay in position (a context number is a position)
  /// but point at this kernel's first hart with cause 0xffffffff, which no hart takes.
  private mutating func rewriteInterruptContexts(ownCPUs: Set<Int>) {
    guard let anchor = kernel.cpus.first.flatMap({ machine.cpus[$0].localInterruptController }),
      let anchorPhandle = tree.phandle(of: anchor)
    else { return }
    for ic in machine.interruptControllers where !ic.contexts.isEmpty {
      guard var cells = tree.property("interrupts-extended", of: ic.node)?.cells else { continue }
      var i = 0
      for context in ic.contexts {
        let width = 1 + ((tree.node(phandle: cells[i]).flatMap { try? tree.cellCount("#interrupt-cells", of: $0, limit: 4) } ?? 1) ?? 1)
        if let cpu = context.cpu, !ownCPUs.contains(cpu) {
          cells[i] = anchorPhandle
          for k in 1..<width { cells[i + k] = 0xffff_ffff }
        }
        i += width
      }
      var node = tree[ic.node]
      node.set(Property(name: "interrupts-extended", cells: cells))
      tree[ic.node] = node
    }
  }

  // MARK: Memory

  /// Memory nodes become exactly the kernel's ranges. A node whose name the new
  /// range keeps (`memory@40000000`) is rewritten in place: dtc revives a
  /// deleted node of the same name where it stood, so delete-and-add would
  /// not survive the overlay.
  private mutating func rewriteMemory() {
    let root = tree.root
    let ac = (try? tree.addressCells(root)) ?? 2
    let sc = (try? tree.sizeCells(root)) ?? 1
    var banks = Dictionary(machine.memory.map { (tree[$0.node].name, $0.node) }, uniquingKeysWith: { a, _ in a })
    for m in kernel.memory.sorted(by: { $0.range < $1.range }) {
      let name = "memory@\(String(m.range.base, radix: 16))"
      let reg = Property(name: "reg", cells: Cells.encode(m.range.base, ac) + Cells.encode(m.range.size, sc))
      let numa = machine.memory.first { $0.range.contains(m.range) }?.numaNode
      if let existing = banks.removeValue(forKey: name) {
        var n = tree[existing]
        n.set(reg)
        if let numa { n.set(Property(name: "numa-node-id", cells: [numa])) } else { n.removeProperty(named: "numa-node-id") }
        tree[existing] = n
      } else {
        var props = [Property(name: "device_type", strings: ["memory"]), reg]
        if let numa { props.append(Property(name: "numa-node-id", cells: [numa])) }
        tree.addNode(name, under: root, properties: props)
      }
    }
    for leftover in banks.values { tree.removeNode(leftover) }
  }

  private mutating func rewriteReservedMemory() {
    let own = kernel.memory.map(\.range)
    for r in machine.reservations where r.source == .reservedMemory {
      guard let node = r.node, let range = r.range else { continue }  // dynamic ones come from the kernel's own RAM
      if !own.contains(where: { $0.contains(range) }) { tree.removeNode(node) }
    }
    let channels = partition.channels.filter { $0.members.contains(kernel.index) && $0.region.size > 0 }
    guard !channels.isEmpty else { return }
    let root = tree.root
    let ac = (try? tree.addressCells(root)) ?? 2
    let sc = (try? tree.sizeCells(root)) ?? 1
    let parent: NodeID
    if let rm = tree.node(path: "/reserved-memory") {
      parent = rm
    } else {
      parent = tree.addNode(
        "reserved-memory", under: root,
        properties: [
          Property(name: "#address-cells", cells: [UInt32(ac)]), Property(name: "#size-cells", cells: [UInt32(sc)]),
          Property(flag: "ranges"),
        ])
    }
    for c in channels {
      guard let end = c.members.firstIndex(of: kernel.index) else { continue }
      let bell = c.doorbells[end]
      let peers = c.members.filter { $0 != kernel.index }.map { partition.kernels[$0].name }
      var props = [
        Property(name: "compatible", strings: ["cleave,channel"]),
        Property(name: "reg", cells: Cells.encode(c.region.base, ac) + Cells.encode(c.region.size, sc)),
        Property(flag: "no-map"),
        Property(name: "cleave,name", strings: [c.name]),
        Property(name: "cleave,peer", strings: peers),
        Property(name: "cleave,peer-protocol", strings: c.members.filter { $0 != kernel.index }.map { partition.kernels[$0].protocol.rawValue }),
        Property(name: "cleave,role", strings: [end == 0 ? "initiator" : "responder"]),
        Property(name: "cleave,end", cells: [UInt32(end)]),
        Property(name: "cleave,doorbell", cells: [bell.interrupt]),
        Property(name: "cleave,doorbell-mechanism", strings: [partition.doorbellMechanism.rawValue]),
        Property(name: "cleave,bit", cells: [UInt32(bell.bit)]),
      ]
      // The peers' doorbells: what this kernel rings to reach each of them.
      var peerCells: [UInt32] = []
      for (i, other) in c.doorbells.enumerated() where i != end {
        let hw = machine.cpus[other.cpu].hardwareID
        peerCells += [UInt32(i), UInt32(hw >> 32), UInt32(hw & 0xffff_ffff), other.interrupt, UInt32(other.bit)]
      }
      props.append(Property(name: "cleave,peer-doorbells", cells: peerCells))
      if bell.multiplexed || c.doorbells.contains(where: \.multiplexed) { props.append(Property(flag: "cleave,multiplexed")) }
      tree.addNode("channel@\(String(c.region.base, radix: 16))", under: parent, properties: props)
    }
  }

  // MARK: Devices

  private mutating func pruneDevices() {
    let mine = Set(kernel.allDevices)
    let foreign = machine.devices.filter { $0.isPartitionable && !mine.contains($0.index) }
    if options.disableForeignDevices {
      for d in foreign {
        var n = tree[d.node]
        n.set(Property(name: "status", strings: ["disabled"]))
        tree[d.node] = n
      }
    } else {
      tree.removeNodes(foreign.map(\.node))
    }
    // The ITS / GICv2m belong to the interrupt-controller owner; others see them disabled
    // so msi-parent / msi-map references stay valid.
    if !kernel.ownsInterruptController || partition.interruptControllerOwner != kernel.index {
      for ic in machine.interruptControllers where ic.kind == .gicV3ITS || ic.kind == .gicV2m {
        var n = tree[ic.node]
        n.set(Property(name: "status", strings: ["disabled"]))
        tree[ic.node] = n
      }
    }
  }

  /// Devices that depend on something this kernel does not have (gpio-keys on
  /// a foreign GPIO controller, syscon-poweroff on a foreign syscon) go too,
  /// until nothing dangles. Nodes that are not devices (CPUs, caches, /chosen)
  /// keep their place and lose only the dangling property.
  private mutating func pruneDependents() {
    let structural = Set(["/cpus", "/chosen", "/aliases", "/reserved-memory", "/psci"].compactMap { tree.node(path: $0) })
    func isDevice(_ id: NodeID) -> Bool {
      guard tree.property("compatible", of: id) != nil else { return false }
      var n: NodeID? = id
      while let c = n {
        if structural.contains(c) { return false }
        n = tree.parent(of: c)
      }
      return !machine.interruptControllers.contains { $0.node == id }
    }
    for _ in 0..<8 {
      let dangling = tree.danglingReferences()
      if dangling.isEmpty { return }
      for use in dangling where tree.isAttached(use.node) {
        if isDevice(use.node) && !Self.droppable.contains(use.property) {
          tree.removeNode(use.node)
        } else {
          var n = tree[use.node]
          n.removeProperty(named: use.property)
          tree[use.node] = n
        }
      }
    }
  }

  /// References a device can lose and still be itself.
  static let droppable: Set<String> = ["interrupt-affinity", "next-level-cache", "memory-region", "cooling-device"]

  // MARK: Ownership, chosen, aliases

  private mutating func writeOwnership() {
    guard let ic = machine.primaryInterruptController else { return }
    var n = tree[ic.node]
    let owner = partition.interruptControllerOwner == kernel.index
    n.set(Property(name: "cleave,tenant", strings: [kernel.name]))
    if owner { n.set(Property(flag: "cleave,owns-distributor")) }
    let numbers = Set(kernel.interrupts.map(\.number)).sorted()
    n.set(Property(name: ic.kind == .plic ? "cleave,sources" : "cleave,spis", cells: numbers))
    tree[ic.node] = n
  }

  private mutating func rewriteChosenAndAliases() {
    if let aliases = tree.node(path: "/aliases") {
      var n = tree[aliases]
      n.properties.removeAll { p in p.string.map { tree.node(path: $0).map { !tree.isAttached($0) } ?? true } ?? false }
      tree[aliases] = n
    }
    let chosen = tree.node(path: "/chosen") ?? tree.addNode("chosen", under: tree.root)
    var n = tree[chosen]
    if let args = kernel.bootargs { n.set(Property(name: "bootargs", strings: [args])) }
    if let initrd = kernel.initrd {
      let end = initrd.range.base + initrd.range.size
      n.set(Property(name: "linux,initrd-start", cells: [UInt32(initrd.range.base >> 32), UInt32(initrd.range.base & 0xffff_ffff)]))
      n.set(Property(name: "linux,initrd-end", cells: [UInt32(end >> 32), UInt32(end & 0xffff_ffff)]))
    }
    let original = n[property: "stdout-path"]?.string
    let options = original.flatMap { $0.split(separator: ":", maxSplits: 1).dropFirst().first.map { ":" + $0 } } ?? ""
    if let d = kernel.stdout {
      n.set(Property(name: "stdout-path", strings: [machine.devices[d].path + options]))
    } else if let s = original {
      let target = String(s.split(separator: ":").first ?? "")
      if tree.resolve(target).map({ !tree.isAttached($0) }) ?? true { n.removeProperty(named: "stdout-path") }
    }
    tree[chosen] = n
    let peers = partition.kernels.filter { $0.index != kernel.index }.map(\.name)
    var props = [
      Property(name: "kernel", strings: [kernel.name]),
      Property(name: "index", cells: [UInt32(kernel.index)]),
      Property(name: "kernels", cells: [UInt32(partition.kernels.count)]),
    ]
    if !peers.isEmpty { props.append(Property(name: "peers", strings: peers)) }
    props.append(Property(name: "boot-cpu", cells: [UInt32(truncatingIfNeeded: kernel.bootCPU.map { machine.cpus[$0].hardwareID } ?? 0)]))
    tree.addNode("cleave", under: chosen, properties: props)
  }
}

/// Big-endian cell encoding of addresses and sizes.
enum Cells {
  static func encode(_ v: UInt64, _ cells: Int) -> [UInt32] {
    switch cells {
    case 0: []
    case 1: [UInt32(truncatingIfNeeded: v)]
    default: Array(repeating: 0, count: cells - 2) + [UInt32(v >> 32), UInt32(v & 0xffff_ffff)]
    }
  }
}
