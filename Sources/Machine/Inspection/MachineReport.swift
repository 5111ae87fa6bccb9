import DeviceTree

/// The stable JSON shape of `cleave inspect --format json`.
///
/// Addresses, sizes and hardware ids are hexadecimal strings (`"0x40000000"`) so
/// 64-bit values survive JSON readers that use doubles; CPUs are referred to by
/// their index in `cpus`, nodes by their absolute path.
public struct MachineReport: Codable, Sendable {
  public var board: String
  public var model: String?
  public var architecture: String
  public var cpus: [CPUEntry]
  public var topology: [TopologyEntry]
  public var caches: [CacheEntry]
  /// CPU indexes grouped by shared L2 (a CPU without an L2 is a group of its own).
  public var l2Groups: [[Int]]
  public var numa: [NUMAEntry]
  public var memory: [MemoryEntry]
  public var totalMemory: String
  public var reservations: [ReservationEntry]
  public var interruptControllers: [ControllerEntry]
  public var psci: PSCIEntry?
  public var devices: [DeviceEntry]
  /// `/cpus` and each System Device Tree `cpus,cluster` node.
  public var clusters: [ClusterEntry]
  /// Nodes left out for a defect confined to them, and notes on odd input, one line
  /// each; absent when there are none, so a clean board's report keeps its shape.
  public var warnings: [String]?

  public struct ClusterEntry: Codable, Sendable {
    public var path: String
    public var labels: [String]
    /// A ``CoreArchitecture`` raw value: `aarch64`, `arm-r`, `microblaze`, … (named
    /// apart from the top-level `architecture`, the target, so a reader of one is not
    /// handed the other)
    public var coreArchitecture: String
    /// Whether cleave can boot kernels on its cores.
    public var bootable: Bool
    public var cpus: [Int]
    /// The `address-map` entries; absent when the cluster sees the root's address space.
    public var addressMap: [MapEntry]?
    /// Paths of the devices the cluster can address.
    public var devices: [String]
    /// The RAM it can address, in the root's address space.
    public var memory: [Range]
    /// Bytes of RAM it can address (named apart from the board's `totalMemory`).
    public var memoryTotal: String
    public struct MapEntry: Codable, Sendable {
      public var clusterAddress: String
      public var node: String
      public var base: String
      public var size: String
    }
  }

  public struct CPUEntry: Codable, Sendable {
    public var index: Int
    public var name: String
    public var path: String
    public var labels: [String]
    public var id: String
    public var enableMethod: String?
    public var releaseAddress: String?
    public var enabled: Bool
    public var capacity: UInt32?
    public var numaNode: UInt32?
    public var caches: [String]
    /// A ``CoreArchitecture`` raw value.
    public var coreArchitecture: String
    public var cluster: Int
  }

  public struct TopologyEntry: Codable, Sendable {
    public var kind: String
    public var name: String
    public var path: String
    public var cpu: Int?
    public var cpus: [Int]
    public var children: [TopologyEntry]
  }

  public struct CacheEntry: Codable, Sendable {
    public var path: String
    public var level: Int
    public var size: String?
    public var sharedBy: [Int]
  }

  public struct NUMAEntry: Codable, Sendable {
    public var id: UInt32
    public var cpus: [Int]
    public var memory: [Int]
    public var distances: [String: UInt32]
  }

  public struct Range: Codable, Sendable {
    public var base: String
    public var size: String
    init(_ r: AddressRange) {
      base = Format.hex(r.base)
      size = Format.hex(r.size)
    }
  }

  public struct MemoryEntry: Codable, Sendable {
    public var path: String
    public var base: String
    public var size: String
    public var numaNode: UInt32?
  }

  public struct ReservationEntry: Codable, Sendable {
    public var source: String
    public var name: String
    public var base: String?
    public var size: String?
    public var noMap: Bool
    public var reusable: Bool
    public var compatible: [String]
  }

  public struct ControllerEntry: Codable, Sendable {
    public var path: String
    public var kind: String
    public var compatible: [String]
    public var frames: [Frame]
    public var contexts: [Context]
    public var sources: UInt32?
    public var children: [String]
    public struct Frame: Codable, Sendable {
      public var name: String
      public var base: String
      public var size: String
    }
    public struct Context: Codable, Sendable {
      public var position: Int
      public var cpu: Int?
      public var role: String
    }
  }

  public struct PSCIEntry: Codable, Sendable {
    public var method: String
    public var compatible: [String]
  }

  public struct DeviceEntry: Codable, Sendable {
    public var path: String
    public var name: String
    public var compatible: [String]
    public var labels: [String]
    public var aliases: [String]
    public var enabled: Bool
    public var mmio: [Range]
    public var interrupts: [InterruptEntry]
    public var providers: [ProviderEntry]
    public var numaNode: UInt32?
    public var interruptController: Bool
  }

  public struct InterruptEntry: Codable, Sendable {
    public var controller: String
    /// `gic`, `plic`, `cpu-local` or `other`.
    public var kind: String
    /// GIC: `sgi`, `ppi`, `spi`, `espi`, `eppi`.
    public var type: String?
    public var intid: UInt32?
    public var trigger: UInt32?
    public var source: UInt32?
    public var cpu: Int?
    public var cause: UInt32?
    public var cells: [UInt32]?
  }

  public struct ProviderEntry: Codable, Sendable {
    public var kind: String
    public var path: String
  }
}

extension Machine {
  /// The machine as its JSON report.
  public func report(board: String) -> MachineReport {
    let cpuOfNode = Dictionary(uniqueKeysWithValues: cpus.map { ($0.node, $0.index) })
    func topo(_ n: TopologyNode) -> MachineReport.TopologyEntry {
      .init(
        kind: n.kind.rawValue, name: n.name, path: n.path, cpu: n.cpu, cpus: n.cpus,
        children: n.children.map(topo))
    }
    func interrupt(_ r: Device.RoutedInterrupt) -> MachineReport.InterruptEntry {
      var e = MachineReport.InterruptEntry(controller: tree.path(of: r.controller), kind: "other")
      switch r.interrupt {
      case .gic(let type, let intid, let trigger, _):
        e.kind = "gic"
        e.type = type.rawValue
        e.intid = intid
        e.trigger = trigger
      case .plic(let source):
        e.kind = "plic"
        e.source = source
      case .cpuLocal(let cpu, let cause):
        e.kind = "cpu-local"
        e.cpu = cpu.flatMap { cpuOfNode[$0] }
        e.cause = cause
      case .other(let cells):
        e.cells = cells
      }
      return e
    }
    return MachineReport(
      board: board, model: model, architecture: architecture.rawValue,
      cpus: cpus.map { c in
        .init(
          index: c.index, name: c.name, path: c.path, labels: c.labels, id: Format.hex(c.hardwareID),
          enableMethod: c.enableMethod, releaseAddress: c.releaseAddress.map(Format.hex), enabled: c.enabled,
          capacity: c.capacity, numaNode: c.numaNode, caches: c.caches.map { caches[$0].path },
          coreArchitecture: c.architecture.rawValue, cluster: c.cluster)
      },
      topology: topology.map(topo),
      caches: caches.map {
        .init(path: $0.path, level: $0.level, size: $0.size.map(Format.hex), sharedBy: $0.sharedBy)
      },
      l2Groups: cacheGroups(level: 2),
      numa: numaNodes.map { n in
        .init(
          id: n.id, cpus: n.cpus, memory: n.memory,
          distances: Dictionary(uniqueKeysWithValues: n.distances.map { (String($0.key), $0.value) }))
      },
      memory: memory.map {
        .init(
          path: $0.path, base: Format.hex($0.range.base), size: Format.hex($0.range.size),
          numaNode: $0.numaNode)
      },
      totalMemory: Format.hex(totalMemory),
      reservations: reservations.map { r in
        .init(
          source: r.source.rawValue, name: r.name, base: r.range.map { Format.hex($0.base) },
          size: (r.range?.size ?? r.size).map(Format.hex), noMap: r.noMap, reusable: r.reusable,
          compatible: r.compatible)
      },
      interruptControllers: interruptControllers.map { ic in
        .init(
          path: ic.path, kind: ic.kind?.rawValue ?? "other", compatible: ic.compatible,
          frames: ic.frames.map {
            .init(name: $0.name, base: Format.hex($0.range.base), size: Format.hex($0.range.size))
          },
          contexts: ic.contexts.map { .init(position: $0.position, cpu: $0.cpu, role: $0.role) },
          sources: ic.sources, children: ic.children.map { tree.path(of: $0) })
      },
      psci: psci.map { .init(method: $0.method, compatible: $0.compatible) },
      devices: devices.map { d in
        .init(
          path: d.path, name: d.name, compatible: d.compatible, labels: d.labels, aliases: d.aliases,
          enabled: d.enabled,
          mmio: d.mmio.map(MachineReport.Range.init), interrupts: d.interrupts.map(interrupt),
          providers: d.providers.map { .init(kind: $0.kind, path: tree.path(of: $0.node)) },
          numaNode: d.numaNode,
          interruptController: d.isInterruptController)
      },
      clusters: cpuClusters.map { cl in
        .init(
          path: cl.path, labels: cl.labels, coreArchitecture: cl.architecture.rawValue,
          bootable: cl.architecture.isBootable, cpus: cl.cpus,
          addressMap: cl.addressMap?.map {
            .init(
              clusterAddress: Format.hex($0.clusterAddress), node: tree.path(of: $0.node),
              base: Format.hex($0.root.base), size: Format.hex($0.root.size))
          },
          devices: visibleDevices(from: cl).map(\.path),
          memory: visibleMemory(from: cl).map(MachineReport.Range.init),
          memoryTotal: Format.hex(visibleMemorySize(from: cl)))
      },
      warnings: warnings.isEmpty ? nil : warnings)
  }
}

extension MachineReport.InterruptEntry {
  init(controller: String, kind: String) {
    self.controller = controller
    self.kind = kind
  }
}
