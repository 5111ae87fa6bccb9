import DeviceTree
import Machine

/// What one kernel's tree keeps of the board, worked out once from the plan so
/// that `check` reports and `build` writes the same tree.
///
/// Ownership includes the dependency closure: a device the kernel has keeps
/// everything it references (clocks, resets, power domains, pin controllers,
/// GPIO and interrupt parents, regulators, phys, mailboxes, hwlocks, graph
/// peers, …), transitively and through nodes that are not devices (a
/// regulator's enable GPIO). Those providers are *kept*, never dropped: a device
/// the plan gives a kernel does not vanish from its tree. Then every kept node
/// whose reference cannot be satisfied (a gpio-keys node on a GPIO block no
/// kernel of this tree has) goes, and what depends on it, until nothing dangles;
/// each such removal is listed in ``pruned``.
public struct KernelCut: Sendable {
  /// Why a device is in the tree although the plan does not give it to this kernel.
  public struct Dependency: Sendable, Hashable {
    /// The kernel's own device that needs it (`nil`: the board's root, whose
    /// `interrupt-parent` every node inherits).
    public var device: Int?
    /// The node whose property names the provider, and that property
    /// (`parent`: the node sits below the provider, which must stay for it to).
    public var node: NodeID
    public var property: String
  }

  /// A node or property of the board the tree loses because one of its
  /// references cannot be satisfied in this tree.
  public struct Pruned: Sendable, Hashable {
    public var node: NodeID
    /// The property that goes; `nil` when the whole node goes.
    public var dropped: String?
    /// The reference that failed: the property and the node it names.
    public var property: String
    public var target: NodeID
  }

  public var kernel: Int
  /// Devices in the tree beyond the kernel's own and shared ones, in board order.
  public var providers: [Int]
  /// The first reference that pulled in each provider.
  public var reasons: [Int: Dependency]
  /// The board nodes the tree keeps, in board order.
  public var nodes: [NodeID]
  /// Properties a kept node loses (references to what this tree cannot hold).
  public var droppedProperties: [NodeID: Set<String>]
  /// Every removal the plan did not ask for, in the order it was found.
  public var pruned: [Pruned]
  /// Devices the plan gives this kernel that the tree cannot keep, with the removal that took each.
  public var lost: [Int: Pruned]
  /// Every partitionable device the tree holds, in board order.
  public var devices: [Int]
  /// What the kept nodes take in a flattened tree (header, structure and
  /// strings), before the kernel's own nodes are added.
  public var estimatedBlobSize = 0

  /// References cleave may remove from a node and leave the node itself:
  /// hints about CPUs, caches and memory the kernel does not have.
  public static let droppable: Set<String> = [
    "interrupt-affinity", "next-level-cache", "memory-region", "cpus",
  ]

  /// The cuts of every kernel of a partition, with the partition's board
  /// index (``Partition/boardIndex``) or a new one.
  public static func all(_ partition: Partition, keepingForeignDevices: Bool = false) -> [KernelCut] {
    // The two indexes of the board are independent: each is built on its own core.
    let (board, references) = inParallel(
      { partition.boardIndex ?? BoardIndex(partition.machine) }, { BoardReferences(partition.machine.tree) })
    return all(partition, board, references, keepingForeignDevices: keepingForeignDevices)
  }

  static func all(
    _ partition: Partition, _ board: BoardIndex, _ references: BoardReferences, keepingForeignDevices: Bool
  ) -> [KernelCut] {
    concurrently(partition.kernels.count) {
      make(board, partition, references, kernel: $0, keepingForeignDevices: keepingForeignDevices)
    }
  }

  /// The cut of one kernel, as ``all(_:keepingForeignDevices:)`` makes it.
  public static func make(
    _ board: BoardIndex, _ partition: Partition, kernel index: Int, keepingForeignDevices: Bool
  ) -> KernelCut {
    make(
      board, partition, BoardReferences(board.machine.tree), kernel: index,
      keepingForeignDevices: keepingForeignDevices)
  }

  static func make(
    _ board: BoardIndex, _ partition: Partition, _ refs: BoardReferences, kernel index: Int,
    keepingForeignDevices: Bool
  )
    -> KernelCut
  {
    let machine = board.machine
    let tree = machine.tree
    let kernel = partition.kernels[index]

    // 1. The closure: the kernel's devices and everything they reference.
    var devices = Set(kernel.allDevices)
    var reasons: [Int: Dependency] = [:]
    var walked = Set<NodeID>()
    var queue: [(node: NodeID, via: Int?)] = []
    func add(_ d: Int, _ dependency: Dependency) {
      guard devices.insert(d).inserted else { return }
      reasons[d] = dependency
      let node = machine.devices[d].node
      if let anchor = board.anchor(node) {
        for m in anchor.members { queue.append((m, dependency.device)) }
        // A device stays only when the devices above it stay.
        var up = anchor.parent
        while let a = up, let above = board.anchor(a) {
          if let p = above.device {
            add(p, Dependency(device: dependency.device, node: node, property: "parent"))
          }
          up = above.parent
        }
      }
    }
    for d in kernel.allDevices where machine.devices.indices.contains(d) {
      let node = machine.devices[d].node
      guard let anchor = board.anchor(node) else { continue }
      for m in anchor.members { queue.append((m, d)) }
      var up = anchor.parent
      while let a = up, let above = board.anchor(a) {
        if let p = above.device { add(p, Dependency(device: d, node: node, property: "parent")) }
        up = above.parent
      }
    }
    // The root's interrupt-parent is inherited by every node that names none.
    queue.append((tree.root, nil))
    while let (node, via) = queue.popLast() {
      guard walked.insert(node).inserted else { continue }
      // A node stays only inside its parent: a bus or firmware node above it
      // (a simple-pm-bus's power domain, /scpi's mailbox) is needed as well.
      if let up = tree.parent(of: node), up != tree.root, board.anchorOf[up.index] == nil {
        queue.append((up, via))
      }
      // The root itself is common to every tree; only its interrupt parent is followed.
      let uses = node == tree.root ? refs[node].filter { $0.property == "interrupt-parent" } : refs[node]
      for u in uses {
        guard let t = u.target else { continue }
        if let a = board.anchorOf[t.index] {
          if let d = board.anchor(a)?.device {
            add(d, Dependency(device: via, node: u.node, property: u.property))
          }
        } else {
          // A common node (a regulator, an OPP table): what it needs, the device needs.
          for c in tree.descendants(of: t) where board.anchorOf[c.index] == nil { queue.append((c, via)) }
        }
      }
    }

    // 2. The nodes those devices and the kernel's cores bring, less reservations outside its RAM.
    var kept = Set(board.nodes(of: kernel, devices: devices, keepingForeignDevices: keepingForeignDevices))
    let own = kernel.memory.map(\.range)
    for r in machine.reservations where r.source == .reservedMemory {
      guard let node = r.node, let range = r.range else { continue }
      if !own.contains(where: { $0.contains(range) }) { remove(node, from: &kept, tree) }
    }

    // 3. Prune until every reference of every kept node resolves inside the tree.
    func isStructural(_ id: NodeID) -> Bool {
      if id == tree.root || board.controllers.contains(id) { return true }
      if tree.property("device_type", of: id)?.string == "memory" { return true }
      var n: NodeID? = id
      while let c = n {
        if board.structural.contains(c) { return true }
        n = tree.parent(of: c)
      }
      return false
    }
    // PLIC / CLINT contexts of other kernels' harts are rewritten in place, not pruned.
    let contextNodes = Set(board.contextLists.map(\.node))
    var dropped: [NodeID: Set<String>] = [:]
    for n in contextNodes { dropped[n, default: []].insert("interrupts-extended") }
    var pruned: [Pruned] = []
    var changed = true
    while changed {
      changed = false
      for n in board.inOrder(kept) where kept.contains(n) {
        for u in refs[n] where !(dropped[n]?.contains(u.property) ?? false) {
          // A reference the board itself leaves dangling is the board's to fix.
          guard let t = u.target, !kept.contains(t), kept.contains(n) else { continue }
          changed = true
          if Self.droppable.contains(u.property) || isStructural(n) {
            dropped[n, default: []].insert(u.property)
            pruned.append(Pruned(node: n, dropped: u.property, property: u.property, target: t))
          } else {
            remove(n, from: &kept, tree)
            pruned.append(Pruned(node: n, dropped: nil, property: u.property, target: t))
          }
        }
      }
    }

    // What the plan asked for and the tree still lost.
    var lost: [Int: Pruned] = [:]
    let planned = Set(kernel.allDevices)
    for d in kernel.allDevices where machine.devices.indices.contains(d) {
      let node = machine.devices[d].node
      guard !kept.contains(node) else { continue }
      var n: NodeID? = node
      var cause: Pruned?
      while let c = n, cause == nil {
        cause = pruned.first { $0.node == c && $0.dropped == nil }
        n = tree.parent(of: c)
      }
      lost[d] =
        cause ?? Pruned(node: node, dropped: nil, property: "parent", target: tree.parent(of: node) ?? node)
    }
    for n in contextNodes { dropped[n]?.remove("interrupts-extended") }
    dropped = dropped.filter { !$0.value.isEmpty }
    let inTree = board.partitionable.filter { kept.contains($0.node) }.map(\.device)
    let providers = inTree.filter { !planned.contains($0) }
    var cut = KernelCut(
      kernel: index, providers: providers, reasons: reasons.filter { providers.contains($0.key) },
      nodes: board.inOrder(kept), droppedProperties: dropped, pruned: pruned,
      lost: lost, devices: inTree)
    cut.estimatedBlobSize = cut.blobSize(board)
    return cut
  }

  /// The flattened size of the kept nodes: header, reservation block,
  /// structure and the strings block of the property names they use.
  private func blobSize(_ board: BoardIndex) -> Int {
    let tree = board.machine.tree
    var bytes = 40 + 16 * (tree.reservations.count + 1) + 4
    var used = [Bool](repeating: false, count: board.nameBytes.count)
    for id in nodes where board.nodeBytes.indices.contains(id.index) {
      bytes += board.nodeBytes[id.index]
      let names = board.nameIDs[board.nameStart[id.index]..<board.nameStart[id.index + 1]]
      if let gone = droppedProperties[id] {
        // A property the tree drops takes neither its bytes nor (unless another node has it) its name.
        for (p, name) in zip(tree.nodes[id.index].properties, names) {
          if gone.contains(p.name) {
            bytes -= 12 + BoardIndex.padded(p.value.count)
          } else {
            used[name] = true
          }
        }
      } else {
        for name in names { used[name] = true }
      }
    }
    for (name, isUsed) in zip(board.nameBytes, used) where isUsed { bytes += name }
    return bytes
  }

  private static func remove(_ id: NodeID, from kept: inout Set<NodeID>, _ tree: DeviceTree) {
    for d in tree.descendants(of: id) { kept.remove(d) }
  }
}

/// Every node's phandle references, read once per board: the properties
/// ``DeviceTree/uses(in:of:)`` recognises, plus the interrupt parent a node
/// with `interrupts` inherits from its ancestors.
struct BoardReferences: Sendable {
  private let uses: [[PhandleUse]]

  init(_ tree: DeviceTree) {
    var uses = Array(repeating: [PhandleUse](), count: tree.nodes.count)
    for id in tree.descendants() {
      var mine: [PhandleUse] = []
      for p in tree[id].properties { mine += tree.uses(in: p, of: id) }
      let node = tree[id]
      if node[property: "interrupts"] != nil, node[property: "interrupt-parent"] == nil,
        node[property: "interrupts-extended"] == nil
      {
        var n = tree.parent(of: id)
        while let c = n {
          if let ph = tree.property("interrupt-parent", of: c)?.u32 {
            mine.append(
              PhandleUse(
                node: id, property: "interrupts", cell: 0, phandle: ph, target: tree.node(phandle: ph)))
            break
          }
          n = tree.parent(of: c)
        }
      }
      if uses.indices.contains(id.index) { uses[id.index] = mine }
    }
    self.uses = uses
  }

  subscript(_ id: NodeID) -> [PhandleUse] { uses.indices.contains(id.index) ? uses[id.index] : [] }
}
