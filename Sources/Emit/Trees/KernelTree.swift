import DeviceTree
import Machine
import Partitioning

/// Cuts the board's tree down to what one kernel owns.
///
/// The tree is assembled from the nodes the partition's ``KernelCut`` keeps (the
/// kernel's devices with everything they depend on, the common nodes, less what
/// cannot resolve), then rewritten. It only gains and loses nodes relative
/// to the board, never reorders them, so the same cut can be written as an
/// overlay on the board source (see ``Overlay``).
public struct KernelTree {
  public struct Options: Sendable {
    /// Keep foreign devices with `status = "disabled"` instead of deleting them.
    public var disableForeignDevices = false
    public init(disableForeignDevices: Bool = false) { self.disableForeignDevices = disableForeignDevices }
  }

  /// A kernel's tree and the board node each of its nodes came from.
  public struct Cut: Sendable {
    public var tree: DeviceTree
    /// `origin[i]` is the board node of the tree's node `i`; nodes from
    /// `origin.count` on are new (memory, channels, /chosen/cleave).
    public var origin: [NodeID]
  }

  let board: BoardIndex
  let partition: Partition
  /// Indexes into `partition.channels` of this kernel's channels with a region.
  let channels: [Int]
  let machine: Machine
  let kernel: Partition.Kernel
  let options: Options
  /// What the tree keeps and loses, shared with `check`.
  let plan: KernelCut
  var tree: DeviceTree
  /// Board node to this tree's node, for the board nodes the tree started with.
  let local: [NodeID: NodeID]

  /// The tree for kernel `index` of the partition.
  public static func make(_ partition: Partition, kernel index: Int, options: Options = Options())
    -> DeviceTree
  {
    let channels = channelLists(partition)
    return cut(
      partition.boardIndex ?? BoardIndex(partition.machine), partition,
      channels: channels.indices.contains(index) ? channels[index] : [], kernel: index, options: options
    ).tree
  }

  /// Indexes into `partition.channels` of each kernel's channels with a region, worked out once per build.
  static func channelLists(_ partition: Partition) -> [[Int]] {
    var lists = Array(repeating: [Int](), count: partition.kernels.count)
    for (i, c) in partition.channels.enumerated() where c.region.size > 0 {
      for m in Set(c.members) where lists.indices.contains(m) { lists[m].append(i) }
    }
    return lists
  }

  /// The cut for kernel `index`, from a board index shared by all the kernels of a build.
  static func cut(
    _ board: BoardIndex, _ partition: Partition, channels: [Int], kernel index: Int, options: Options
  ) -> Cut {
    let kernel = partition.kernels[index]
    let plan =
      !options.disableForeignDevices && partition.cuts.indices.contains(index)
      ? partition.cuts[index]
      : KernelCut.make(board, partition, kernel: index, keepingForeignDevices: options.disableForeignDevices)
    let selection = board.selector.select(plan.nodes)
    var local: [NodeID: NodeID] = [:]
    local.reserveCapacity(selection.origin.count)
    for (i, b) in selection.origin.enumerated() { local[b] = NodeID(i) }
    var cut = KernelTree(
      board: board, partition: partition, channels: channels, machine: board.machine, kernel: kernel,
      options: options,
      plan: plan, tree: selection.tree, local: local)
    cut.run()
    return Cut(tree: cut.tree, origin: selection.origin)
  }

  private mutating func run() {
    tree.file = "\(kernel.name).dts"
    for (node, names) in plan.droppedProperties {
      guard let mine = local[node] else { continue }
      var n = tree[mine]
      for name in names { n.removeProperty(named: name) }
      tree[mine] = n
    }
    rewriteInterruptContexts()
    rewriteMemory()
    rewriteReservedMemory()
    // Nothing to prune here: the cut kept every node's references (``KernelCut``),
    // and the rewrites below add none.
    disableForeignDevices()
    writeOwnership()
    rewriteChosenAndAliases()
    writeSeL4Devices()
  }

  /// Sets a property on the tree's copy of a board node, if the tree has it.
  private mutating func set(_ property: Property, onBoardNode id: NodeID) {
    guard let mine = local[id] else { return }
    var n = tree[mine]
    n.set(property)
    tree[mine] = n
  }

  // MARK: PLIC / CLINT contexts

  /// Entries of foreign harts stay in position (a context number is a position)
  /// but point at this kernel's first hart with cause 0xffffffff, which no hart takes.
  private mutating func rewriteInterruptContexts() {
    guard let anchor = kernel.cpus.first.flatMap({ machine.cpus[$0].localInterruptController }),
      let anchorPhandle = machine.tree.phandle(of: anchor)
    else { return }
    let own = Set(kernel.cpus)
    for list in board.contextLists {
      var cells = list.cells
      for c in list.contexts {
        guard let cpu = c.cpu, !own.contains(cpu) else { continue }
        cells[c.start] = anchorPhandle
        for k in 1..<c.width { cells[c.start + k] = 0xffff_ffff }
      }
      set(Property(name: "interrupts-extended", cells: cells), onBoardNode: list.node)
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
    // Every memory node of the board, also one whose reg the firmware was to
    // fill in: the kernel's own banks replace them all.
    var banks = Dictionary(
      machine.memoryNodes.map { (machine.tree[$0].name, $0) }, uniquingKeysWith: { a, _ in a })
    for m in kernel.memory.sorted(by: { $0.range < $1.range }) {
      let name = "memory@\(String(m.range.base, radix: 16))"
      let reg = Property(name: "reg", cells: Cells.encode(m.range.base, ac) + Cells.encode(m.range.size, sc))
      let numa = machine.memory.first { $0.range.contains(m.range) }?.numaNode
      if let bank = banks.removeValue(forKey: name) {
        // A bank the tree lost with its parent takes the name all the same.
        guard let existing = local[bank] else { continue }
        var n = tree[existing]
        n.set(reg)
        if let numa {
          n.set(Property(name: "numa-node-id", cells: [numa]))
        } else {
          n.removeProperty(named: "numa-node-id")
        }
        tree[existing] = n
      } else {
        var props = [Property(name: "device_type", strings: ["memory"]), reg]
        if let numa { props.append(Property(name: "numa-node-id", cells: [numa])) }
        tree.addNode(name, under: root, properties: props)
      }
    }
    for leftover in banks.values { if let id = local[leftover] { tree.removeNode(id) } }
  }

  /// The properties of a node of paths (`/__symbols__`, `/aliases`) that
  /// name a node of this tree, and those that are no path, in the board's
  /// order: found from the tree's own nodes, not by looking every path up.
  private func keptPaths(_ index: BoardIndex.PathTable) -> [Property] {
    var keep = index.other
    for (b, mine) in local where tree.isAttached(mine) { keep += index.byTarget[b] ?? [] }
    // Nodes the tree added (memory, channels) answer to the path a label gives.
    for i in local.count..<tree.nodes.count where tree.isAttached(NodeID(i)) {
      keep += index.byPath[tree.path(of: NodeID(i))] ?? []
    }
    let all = board.machine.tree[index.node].properties
    return Set(keep).sorted().compactMap { all.indices.contains($0) ? all[$0] : nil }
  }

  /// The `peers` value: the names of the kernels this one shares a channel
  /// with, in kernel order: whom it can reach, which keeps every tree
  /// proportional to its own channels rather than to the whole machine.
  private func peerNames() -> [UInt8] {
    var peers = Set<Int>()
    for c in channels { peers.formUnion(partition.channels[c].members) }
    peers.remove(kernel.index)
    var out: [UInt8] = []
    for i in peers.sorted() where partition.kernels.indices.contains(i) {
      out += Array(partition.kernels[i].name.utf8) + [0]
    }
    return out
  }

  /// Reservations outside the kernel's RAM are already gone (``KernelCut``); channels are added.
  private mutating func rewriteReservedMemory() {
    let channels = self.channels.map { partition.channels[$0] }
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
          Property(name: "#address-cells", cells: [UInt32(ac)]),
          Property(name: "#size-cells", cells: [UInt32(sc)]),
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
        Property(
          name: "cleave,peer-protocol",
          strings: c.members.filter { $0 != kernel.index }.map { partition.kernels[$0].protocol.rawValue }),
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
        peerCells += [
          UInt32(i), UInt32(hw >> 32), UInt32(hw & 0xffff_ffff), other.interrupt, UInt32(other.bit),
        ]
      }
      props.append(Property(name: "cleave,peer-doorbells", cells: peerCells))
      if bell.multiplexed || c.doorbells.contains(where: \.multiplexed) {
        props.append(Property(flag: "cleave,multiplexed"))
      }
      tree.addNode("channel@\(String(c.region.base, radix: 16))", under: parent, properties: props)
    }
  }

  // MARK: Devices

  /// Foreign devices were left out of the tree unless they are to be kept disabled.
  private mutating func disableForeignDevices() {
    if options.disableForeignDevices {
      // The devices of the kernel's own cut (its own and their providers) stay enabled.
      let cuts = partition.cuts
      let mine = Set(cuts.indices.contains(kernel.index) ? cuts[kernel.index].devices : kernel.allDevices)
      for d in machine.devices where d.isPartitionable && !mine.contains(d.index) {
        set(Property(name: "status", strings: ["disabled"]), onBoardNode: d.node)
      }
    }
    // The ITS / GICv2m belong to the interrupt-controller owner; others see them disabled
    // so msi-parent / msi-map references stay valid.
    if !kernel.ownsInterruptController || partition.interruptControllerOwner != kernel.index {
      for ic in machine.interruptControllers where ic.kind == .gicV3ITS || ic.kind == .gicV2m {
        set(Property(name: "status", strings: ["disabled"]), onBoardNode: ic.node)
      }
    }
  }

  // MARK: Ownership, chosen, aliases

  private mutating func writeOwnership() {
    guard let ic = machine.primaryInterruptController, let id = local[ic.node] else { return }
    var n = tree[id]
    let owner = partition.interruptControllerOwner == kernel.index
    n.set(Property(name: "cleave,tenant", strings: [kernel.name]))
    if owner { n.set(Property(flag: "cleave,owns-distributor")) }
    let numbers = Set(kernel.interrupts.map(\.number)).sorted()
    n.set(Property(name: ic.kind == .plic ? "cleave,sources" : "cleave,spis", cells: numbers))
    tree[id] = n
  }

  private mutating func rewriteChosenAndAliases() {
    // Aliases and labels of nodes the tree lost go with them.
    for (path, index) in [("/aliases", board.aliases), ("/__symbols__", board.symbols)] {
      guard let id = tree.node(path: path) else { continue }
      var n = tree[id]
      if let index, n.properties.count == board.machine.tree[index.node].properties.count {
        n.properties = keptPaths(index)
      } else {
        n.properties.removeAll { p in
          p.string.map { tree.node(path: $0).map { !tree.isAttached($0) } ?? true } ?? false
        }
      }
      tree[id] = n
    }
    let chosen = tree.node(path: "/chosen") ?? tree.addNode("chosen", under: tree.root)
    var n = tree[chosen]
    if let args = kernel.bootargs { n.set(Property(name: "bootargs", strings: [args])) }
    if let initrd = kernel.initrd {
      // The initrd sits below the kernel's DTB slot, so its end is below 2^64;
      // saturating rather than trapping keeps that an assumption, not a crash.
      let end = UInt64(clamping: initrd.range.end)
      n.set(
        Property(
          name: "linux,initrd-start",
          cells: [UInt32(initrd.range.base >> 32), UInt32(initrd.range.base & 0xffff_ffff)]))
      n.set(Property(name: "linux,initrd-end", cells: [UInt32(end >> 32), UInt32(end & 0xffff_ffff)]))
    }
    let original = n[property: "stdout-path"]?.string
    let options =
      original.flatMap { $0.split(separator: ":", maxSplits: 1).dropFirst().first.map { ":" + $0 } } ?? ""
    if let d = kernel.stdout {
      n.set(Property(name: "stdout-path", strings: [machine.devices[d].path + options]))
    } else if let s = original {
      let target = String(s.split(separator: ":").first ?? "")
      if tree.resolve(target).map({ !tree.isAttached($0) }) ?? true { n.removeProperty(named: "stdout-path") }
    }
    tree[chosen] = n
    let peers = peerNames()
    var props = [
      Property(name: "kernel", strings: [kernel.name]),
      Property(name: "index", cells: [UInt32(kernel.index)]),
      Property(name: "kernels", cells: [UInt32(partition.kernels.count)]),
    ]
    if !peers.isEmpty { props.append(Property(name: "peers", value: peers)) }
    props.append(
      Property(
        name: "boot-cpu",
        cells: [UInt32(truncatingIfNeeded: kernel.bootCPU.map { machine.cpus[$0].hardwareID } ?? 0)]))
    tree.addNode("cleave", under: chosen, properties: props)
  }

  // MARK: seL4's device lists

  /// seL4's build reads the devices its kernel and its elfloader use from
  /// `/chosen` (`seL4,kernel-devices`, `seL4,elfloader-devices`), and its
  /// platform overlay names the board's UART, GIC and timer there, which this
  /// kernel may not keep. Naming exactly what this tree keeps replaces those
  /// values when the overlay is appended after seL4's, so nothing dangles.
  private mutating func writeSeL4Devices() {
    guard partition.target == .aarch64, let chosen = tree.node(path: "/chosen") else { return }
    func kept(_ boardNode: NodeID?) -> String? {
      guard let b = boardNode, let id = local[b], tree.isAttached(id) else { return nil }
      return tree.path(of: id)
    }
    let timer = machine.devices.first { d in
      d.compatible.contains { $0 == "arm,armv8-timer" || $0 == "arm,armv7-timer" }
    }
    let console = (kernel.stdout.map { [$0] } ?? []) + kernel.allDevices.filter { machine.devices[$0].isUART }
    let uart = kept(console.first.map { machine.devices[$0].node })
    let gic = kept(machine.primaryInterruptController?.node)
    let psci = kept(machine.tree.node(path: "/psci"))
    let kernelDevices = [uart, gic, kept(timer?.node)].compactMap { $0 }
    let loaderDevices = [uart, psci, kept(timer?.node)].compactMap { $0 }
    var n = tree[chosen]
    n.set(Property(name: "seL4,kernel-devices", strings: kernelDevices))
    n.set(Property(name: "seL4,elfloader-devices", strings: loaderDevices))
    tree[chosen] = n
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
