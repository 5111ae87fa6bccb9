import DeviceTree

/// What a board's device tree means for partitioning: its CPUs and how they share
/// caches, its NUMA nodes, RAM and reservations, its interrupt controllers, how
/// CPUs start, and every device with its MMIO windows, interrupts and providers.
///
/// Built once from a ``DeviceTree``. A defect confined to one node (a `reg` or
/// `ranges` that does not fit or overflows, `interrupts` that are not whole
/// specifiers) sets that node aside in ``unusable`` and the rest is read; a defect
/// of the tree's structure (dangling phandles, cycles, cell counts no binding uses)
/// throws a one-line ``DeviceTreeError`` naming the node.
public struct Machine: Sendable {
  public enum Architecture: String, Sendable, Codable { case aarch64, riscv64, unknown }

  public let tree: DeviceTree
  public var architecture: Architecture
  public var model: String?
  public var cpus: [CPU]
  /// Top-level entries of `/cpus/cpu-map` (sockets or clusters); empty when the board has none.
  public var topology: [TopologyNode]
  public var caches: [Cache]
  public var numaNodes: [NUMANode]
  public var memory: [MemoryBank]
  public var reservations: [Reservation]
  public var interruptControllers: [InterruptController]
  public var psci: PSCI?
  public var devices: [Device]
  /// `/cpus` and each System Device Tree `cpus,cluster` node, with its cores and address map.
  public var cpuClusters: [CPUCluster]
  /// The System Device Tree's execution domains (`/domains`), in source order.
  public var domains: [ExecutionDomain]
  /// Nodes left out because of a defect confined to them, in the order they were met.
  public var unusable: [UnusableNode]
  /// What cleave made of odd but readable input (overlapping memory nodes merged), one line each.
  public var notes: [String]

  public init(tree: DeviceTree) throws {
    self.tree = tree
    model = tree.property("model", of: tree.root)?.string
    var unusable: [UnusableNode] = []
    var notes: [String] = []
    let (cpus, clusters) = try Machine.readCPUs(tree, unusable: &unusable, notes: &notes)
    self.cpus = cpus
    cpuClusters = clusters
    architecture = Machine.architecture(of: cpus, tree: tree)
    // The cores' side (topology, caches) and the address side (memory,
    // controllers, devices) read nothing of each other: each is read on its
    // own core. Errors and set-aside nodes come out as in a serial read: the
    // cores' side first.
    let setAside = Set(unusable.map(\.node))
    let (coreSide, addressSide) = inParallel(
      {
        Result { () throws -> ([TopologyNode], [Cache], [[Int]]) in
          let topology = try Machine.readTopology(tree, cpus: cpus, unusable: setAside)
          let (caches, chains) = try Machine.readCaches(tree, cpus: cpus)
          return (topology, caches, chains)
        }
      },
      {
        Result { () throws -> AddressSide in
          var side = AddressSide()
          // One decode of each bus's ranges and each nexus's interrupt-map for the whole
          // read: without it a long ranges or interrupt-map costs once per device.
          let cache = DecodeCache()
          side.memory = try Machine.readMemory(
            tree, cache: cache, unusable: &side.unusable, notes: &side.notes)
          side.reservations = try Machine.readReservations(tree, cache: cache, unusable: &side.unusable)
          side.numaNodes = try Machine.readNUMA(tree, cpus: cpus, memory: side.memory)
          side.interruptControllers = try Machine.readInterruptControllers(
            tree, cpus: cpus, cache: cache, unusable: &side.unusable)
          side.devices = try Machine.readDevices(tree, cache: cache, unusable: &side.unusable)
          return side
        }
      })
    let (topology, caches, chains) = try coreSide.get()
    self.topology = topology
    self.caches = caches
    for (i, chain) in chains.enumerated() { self.cpus[i].caches = chain }
    let side = try addressSide.get()
    unusable += side.unusable
    notes += side.notes
    memory = side.memory
    reservations = side.reservations
    numaNodes = side.numaNodes
    interruptControllers = side.interruptControllers
    psci = Machine.readPSCI(tree)
    devices = side.devices
    domains = Machine.readDomains(tree, cpus: cpus, clusters: clusters, unusable: &unusable, notes: &notes)
    self.unusable = unusable
    self.notes = notes
  }

  /// What the address side of a read finds, with the nodes it sets aside and its notes.
  private struct AddressSide {
    var memory: [MemoryBank] = []
    var reservations: [Reservation] = []
    var numaNodes: [NUMANode] = []
    var interruptControllers: [InterruptController] = []
    var devices: [Device] = []
    var unusable: [UnusableNode] = []
    var notes: [String] = []
  }

  /// Every line `inspect` warns with: the nodes set aside, then the notes. Nodes
  /// set aside for one defect elsewhere (every device behind a bus whose
  /// interrupt-map-mask is the wrong size) share one line naming the defect and them.
  public var warnings: [String] {
    var lines: [String] = []
    var groups: [DeviceTreeError: [UnusableNode]] = [:]
    var order: [DeviceTreeError] = []
    for u in unusable {
      if u.isOwnDefect {
        lines.append(u.warning)
        continue
      }
      if groups[u.defect] == nil {
        order.append(u.defect)
        lines.append("")  // placeholder, filled below, so lines keep the order nodes were met
      }
      groups[u.defect, default: []].append(u)
    }
    var next = 0
    for (i, line) in lines.enumerated() where line.isEmpty {
      let defect = order[next]
      next += 1
      let nodes = groups[defect] ?? []
      if nodes.count == 1, let only = nodes.first {
        lines[i] = only.warning
      } else {
        let shown = nodes.prefix(3).map(\.path).joined(separator: ", ")
        let more = nodes.count > 3 ? " and \(nodes.count - 3) more" : ""
        lines[i] = "\(defect.place): \(defect.message) (\(nodes.count) nodes ignored: \(shown)\(more))"
      }
    }
    return lines + notes
  }

  /// The node set aside with a defect, if `id` is one (or lies under one).
  public func unusableNode(_ id: NodeID) -> UnusableNode? {
    var n: NodeID? = id
    while let current = n {
      if let u = unusable.first(where: { $0.node == current }) { return u }
      n = tree.parent(of: current)
    }
    return nil
  }

  /// Reads a board file (DTB or DTS) and builds its machine view.
  public static func load(_ path: String, includes: [String] = []) throws -> Machine {
    try Machine(tree: DeviceTree.load(path, includes: includes))
  }

  /// The architecture of the first core cleave can boot. On a System Device Tree
  /// the other clusters' cores (Cortex-R5, MicroBlaze) do not decide it.
  private static func architecture(of cpus: [CPU], tree: DeviceTree) -> Architecture {
    for c in cpus where c.architecture.isBootable {
      if tree.property("riscv,isa", of: c.node) != nil || (c.compatible ?? "").hasPrefix("riscv") {
        return .riscv64
      }
      if (c.compatible ?? "").hasPrefix("arm,") || c.enableMethod == "psci" || c.enableMethod == "spin-table"
      {
        return .aarch64
      }
    }
    return .unknown
  }

  // MARK: Derived views

  /// The interrupt controller that distributes device interrupts (GIC distributor or PLIC), if any.
  public var primaryInterruptController: InterruptController? {
    interruptControllers.first { $0.kind?.isGIC == true } ?? interruptControllers.first { $0.kind == .plic }
      ?? interruptControllers.first { $0.kind == .aplic }
  }

  /// Groups of CPUs that share a cache of `level` (2 for L2). CPUs without a
  /// cache of that level each form their own group. Groups follow CPU order.
  public func cacheGroups(level: Int) -> [[Int]] {
    var groups: [[Int]] = []
    var groupOfCache: [Int: Int] = [:]
    for cpu in cpus {
      if let c = cpu.caches.first(where: { caches[$0].level == level }) {
        if let g = groupOfCache[c] {
          groups[g].append(cpu.index)
        } else {
          groupOfCache[c] = groups.count
          groups.append([cpu.index])
        }
      } else {
        groups.append([cpu.index])
      }
    }
    return groups
  }

  /// The innermost cpu-map groups that hold cores (clusters), each as CPU indexes.
  public var clusters: [[Int]] {
    func walk(_ n: TopologyNode) -> [[Int]] {
      let inner = n.children.filter { $0.kind == .cluster || $0.kind == .socket }
      if inner.isEmpty { return n.cpus.isEmpty ? [] : [n.cpus] }
      return inner.flatMap(walk)
    }
    return topology.flatMap(walk)
  }

  /// The CPU with this hardware id (MPIDR or hart id).
  public func cpu(hardwareID: UInt64) -> CPU? { cpus.first { $0.hardwareID == hardwareID } }

  /// Total RAM over every bank.
  /// Total RAM over every bank (saturated: banks covering all 2^64 bytes report 2^64 - 1).
  public var totalMemory: UInt64 {
    UInt64(clamping: memory.reduce(UInt128(0)) { $0 + UInt128($1.range.size) })
  }
}
