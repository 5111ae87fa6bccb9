import DeviceTree
import Foundation
import Machine

/// Writes a starting plan for a board: one kernel per group of cores (by default
/// per shared L2), memory split in proportion to cores and kept on the group's
/// NUMA node, every device to the first kernel (a device bound to one core to
/// that core's kernel), a channel from the first kernel to each other one. The
/// result resolves and checks with no error on the board.
public struct AutoPlanner {
  public enum Grouping: String, CaseIterable, Sendable { case core, l2, cluster, numa }

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public private(set) var machine: Machine
  /// RAM given on the command line (`--ram`), written into the plan as `ram:`.
  public private(set) var ram: [AddressRange]?
  public var grouping: Grouping = .l2
  public var kernelCount: Int?
  /// The board path as the plan should spell it (relative to where the plan is written).
  public var boardReference: String
  public var channelSize: UInt64 = 64 << 10
  /// The name tables the last plan was written with. Nothing reads them
  /// again; they stay with the planner so that a command, which keeps its
  /// planner until it exits, does not free tens of thousands of entries one
  /// by one on the way out.
  private let used = Kept()

  private final class Kept {
    var names: GroupNames?
  }

  public init(
    machine: Machine, boardReference: String, grouping: Grouping = .l2, kernels: Int? = nil,
    ram: [AddressRange]? = nil
  ) {
    self.machine = ram.map { machine.withRAM($0, from: "--ram") } ?? machine
    self.ram = ram
    self.boardReference = boardReference
    self.grouping = grouping
    self.kernelCount = kernels
  }

  /// The groups of CPU indexes the plan's kernels get.
  public func groups() throws -> [[Int]] {
    let unstartable = Set(self.unstartable())
    let enabled = Set(
      machine.cpus.filter { $0.enabled && bootable($0) && !unstartable.contains($0.index) }.map(\.index))
    var groups: [[Int]]
    switch grouping {
    case .core: groups = machine.cpus.map { [$0.index] }
    case .l2: groups = machine.cacheGroups(level: 2)
    case .cluster:
      groups =
        !machine.clusters.isEmpty
        ? machine.clusters
        : machine.isSystemDeviceTree ? machine.cpuClusters.map(\.cpus) : machine.cacheGroups(level: 2)
    case .numa:
      var byNode: [UInt32?: [Int]] = [:]
      var order: [UInt32?] = []
      for c in machine.cpus {
        if byNode[c.numaNode] == nil { order.append(c.numaNode) }
        byNode[c.numaNode, default: []].append(c.index)
      }
      groups = order.compactMap { byNode[$0] }
    }
    groups = groups.map { $0.filter(enabled.contains) }.filter { !$0.isEmpty }
    guard !groups.isEmpty else {
      throw Failure(
        description: machine.cpus.contains(where: \.enabled)
          ? "the board has no enabled CPUs cleave can boot (\(Set(machine.cpus.map(\.architecture.rawValue)).sorted().joined(separator: ", ")) only)"
          : "the board has no enabled CPUs")
    }
    if let n = kernelCount {
      guard n >= 1 else { throw Failure(description: "--kernels must be at least 1") }
      guard n <= groups.count else {
        throw Failure(
          description:
            "--kernels \(n): grouping by \(grouping.rawValue) gives only \(groups.count) group\(groups.count == 1 ? "" : "s")"
        )
      }
      // Merge the adjacent pair with the fewest cores until n remain: neighbours
      // share the most topology, and small pairs keep kernels balanced.
      while groups.count > n {
        var best = 0
        for i in 0..<(groups.count - 1)
        where groups[i].count + groups[i + 1].count < groups[best].count + groups[best + 1].count {
          best = i
        }
        groups[best] += groups[best + 1]
        groups.remove(at: best + 1)
      }
    }
    return groups
  }

  /// The plan's target, from the board's first core cleave can boot.
  private var target: String { machine.architecture == .riscv64 ? "riscv64" : "aarch64" }

  /// Whether the plan can give the core to a kernel: it runs the target's
  /// architecture (or the tree does not say what it runs).
  private func bootable(_ cpu: CPU) -> Bool {
    cpu.architecture == .unknown || cpu.architecture.rawValue == target
  }

  /// Enabled cores of the target the loader cannot start under the board's
  /// boot method (a Layerscape's cores name no enable-method and the board no
  /// PSCI: its firmware decides at boot); the plan leaves them out.
  private func unstartable() -> [Int] {
    let mode = Self.bootMode(machine)
    guard mode == .psci || mode == .spinTable else { return [] }
    return machine.cpus.filter {
      $0.enabled && bootable($0) && !machine.canStart($0.index, spinTable: mode == .spinTable)
    }.map(\.index)
  }

  /// A comment naming the cores ``unstartable()`` leaves out, and why.
  private func unstartableComment() -> [String] {
    let cores = unstartable()
    guard let first = cores.first else { return [] }
    let names = cores.map { machine.cpus[$0].name }
    let shown =
      names.count > 8
      ? "\(names[0]) .. \(names[names.count - 1]) (\(names.count) cores)" : names.joined(separator: ", ")
    return [
      "# Left out: \(shown), which start\(cores.count == 1 ? "s" : "") with \(machine.startMethod(of: first).description);",
      "# the loader cannot start \(cores.count == 1 ? "it" : "them"). Name the method in the board's tree to use \(cores.count == 1 ? "it" : "them").",
    ]
  }

  /// Comment lines naming each System Device Tree cluster the plan leaves to
  /// other software, and why.
  private func leftClusters() -> [String] {
    guard machine.isSystemDeviceTree else { return [] }
    var out: [String] = []
    for c in machine.cpuClusters
    where !c.cpus.isEmpty && !c.cpus.contains(where: { bootable(machine.cpus[$0]) }) {
      let name = c.labels.first.map { "\($0) (\(c.path))" } ?? c.path
      out.append(
        "# Cluster \(name): \(c.cpus.count) \(c.architecture.rawValue) core\(c.cpus.count == 1 ? "" : "s") left to other software; cleave boots only \(target) kernels."
      )
    }
    return out
  }

  /// The plan as YAML text.
  public func plan() throws -> String {
    if let why = machine.unnamedRAM {
      throw Failure(
        description:
          "names no RAM (\(why)): firmware fills /memory in at boot; give it with --ram BASE:SIZE[,BASE:SIZE...], e.g. --ram 0x0:4G"
      )
    }
    let groups = try groups()
    let names = GroupNames(machine: machine, groups: groups)
    used.names = names
    let loader = Resolver.defaultLoader(machine)
    var allocator = MemoryAllocator(banks: machine.memory)
    allocator.claim(loader)
    for r in machine.reservations { if let range = r.range { allocator.claim(range) } }
    for w in machine.claimedWindows { allocator.claim(w) }
    // Only RAM the booted clusters reach through their address-maps.
    if let reach = Resolver.reach(of: groups.flatMap { $0 }, machine) { allocator.keepOnly(reach) }
    let channels = groups.count - 1
    let sizes = split(groups, allocator: allocator, channels: channels)
    let numa = numaNodes(groups)

    var out: [String] = []
    out.append("# A starting plan written by `cleave plan --auto --by \(grouping.rawValue)`: one kernel per")
    out.append("# \(describe(grouping)), memory in proportion to cores, devices to k0,")
    out.append("# and a channel from k0 to each other kernel.")
    out.append("board: \(boardReference)")
    out += leftClusters()
    out += unstartableComment()
    out.append("target: \(target)")
    out.append("boot: \(Self.bootMode(machine).rawValue)")
    out.append("loader: { base: \(Format.hex(loader.base)), size: \(yamlSize(loader.size)) }")
    if let ram {
      out.append("# The board names no RAM of its own (or not this): the banks given with --ram.")
      out.append(
        "ram: [\(ram.sorted().map { "{ base: \(Format.hex($0.base)), size: \(yamlSize($0.size)) }" }.joined(separator: ", "))]"
      )
    }
    out.append("kernels:")
    // On a System Device Tree, k0 gets what its cluster's address map reaches.
    let k0Cluster = groups.first?.first.flatMap { machine.cluster(of: $0) }
    let devices = machine.devices.filter { d in
      d.isPartitionable && !machine.isRAMAlias(d) && (k0Cluster.map { machine.sees(d, from: $0) } ?? true)
    }
    // A device bound to one core (`cpu = <&…>`: CoreSight debug, ETM, CTI) goes
    // with that core's kernel: no other kernel's tree can hold its reference.
    var groupOf: [Int: Int] = [:]
    for (i, g) in groups.enumerated() { for c in g { groupOf[c] = i } }
    var cpuOfNode: [NodeID: Int] = [:]
    for c in machine.cpus { cpuOfNode[c.node] = c.index }
    func kernel(of d: Device) -> Int {
      guard let ph = machine.tree.property("cpu", of: d.node)?.u32, let cpu = machine.tree.node(phandle: ph),
        let c = cpuOfNode[cpu], let g = groupOf[c]
      else { return 0 }
      return g
    }
    // Each device's kernel worked out once, not once per kernel.
    var devicesOf: [Int: [Device]] = [:]
    for d in devices { devicesOf[kernel(of: d), default: []].append(d) }
    for (i, group) in groups.enumerated() {
      out.append("  k\(i):")
      let names = self.names(group, from: names)
      let cpuNames = group.map { machine.cpus[$0].name }
      let comment =
        cpuNames.count > 8
        ? "\(cpuNames.count) cores, \(cpuNames[0]) .. \(cpuNames[cpuNames.count - 1])"
        : cpuNames.joined(separator: " ")
      out.append(
        "    cores: [\(names.joined(separator: ", "))]\(names.count == group.count && names == group.map { machine.cpus[$0].name } ? "" : "  # \(comment)")"
      )
      let node = numa[i]
      out.append(
        "    memory: \(node.map { "{ size: \(yamlSize(sizes[i])), numa: \($0) }" } ?? yamlSize(sizes[i]))")
      let mine = devicesOf[i] ?? []
      if !mine.isEmpty {
        out.append("    devices:")
        for d in mine { out.append("      - \(quote(d.names[0]))") }
      }
      if i == 0 {
        if let stdout = stdoutDevice(devices) { out.append("    stdout: \(quote(stdout))") }
        out.append("    owns: [interrupt-controller]")
      }
    }
    if channels > 0 {
      out.append("channels:")
      for i in 1...channels { out.append("  - { between: [k0, k\(i)], size: \(yamlSize(channelSize)) }") }
    }
    return out.joined(separator: "\n") + "\n"
  }

  private func describe(_ g: Grouping) -> String {
    switch g {
    case .core: "core"
    case .l2: "group of cores sharing an L2 cache"
    case .cluster: machine.clusters.isEmpty && machine.isSystemDeviceTree ? "CPU cluster" : "cpu-map cluster"
    case .numa: "NUMA node"
    }
  }

  /// One name that resolves to exactly this group (a label, a cpu-map node),
  /// otherwise the CPU node names.
  private func names(_ group: [Int], from index: GroupNames) -> [String] {
    if group.count == 1 { return [index.name(ofCPU: group[0])] }
    return index.name(for: group).map { [$0] } ?? group.map { index.name(ofCPU: $0) }
  }

  /// The NUMA node each group's memory should come from: its cores' node, when
  /// every node with cores also has RAM (firmware often lists all of it on
  /// node 0; then memory is split as if there were no NUMA).
  private func numaNodes(_ groups: [[Int]]) -> [UInt32?] {
    let none = [UInt32?](repeating: nil, count: groups.count)
    guard machine.numaNodes.count > 1 else { return none }
    let withRAM = Set(machine.memory.compactMap(\.numaNode))
    guard machine.cpus.allSatisfy({ $0.numaNode.map(withRAM.contains) ?? true }) else { return none }
    return groups.map { group in
      let nodes = Set(group.compactMap { machine.cpus[$0].numaNode })
      return nodes.count == 1 ? nodes.first : nil
    }
  }

  /// Splits free RAM by core count, per NUMA node, in whole 2 MiB units, then
  /// replays the resolver's placement (channels from the top, kernels first-fit
  /// in order) so every size is one the resolver can place.
  private func split(_ groups: [[Int]], allocator start: MemoryAllocator, channels: Int) -> [UInt64] {
    let unit = Resolver.defaultAlignment
    var allocator = start
    let nodes = numaNodes(groups)
    for _ in 0..<channels {
      _ = allocator.place(size: channelSize, align: 0x1000, numa: nodes.first ?? nil, fromTop: true)
    }
    // Whole units per node; disjoint blocks below 2^64 sum to at most 2^64, so 128 bits hold the total.
    var freeByNode: [UInt32?: UInt128] = [:]
    for b in allocator.free {
      if let whole = b.range.aligned(to: unit) {
        freeByNode[nodes.contains { $0 != nil } ? b.numa : nil, default: 0] += UInt128(whole.size)
      }
    }
    var coresByNode: [UInt32?: Int] = [:]
    for (g, n) in zip(groups, nodes) { coresByNode[n, default: 0] += g.count }
    var sizes: [UInt64] = []
    for (g, n) in zip(groups, nodes) {
      let pool = freeByNode[n] ?? 0
      let share = UInt64(
        clamping: pool / UInt128(max(coresByNode[n] ?? 1, 1)) * UInt128(g.count) / UInt128(unit)
          * UInt128(unit))
      let size = max(min(share, allocator.largest(unit: unit, numa: n)), unit)
      _ = allocator.place(size: size, align: unit, numa: n)
      sizes.append(size)
    }
    return sizes
  }

  private func stdoutDevice(_ devices: [Device]) -> String? {
    guard let chosen = machine.tree.node(path: "/chosen"),
      let path = machine.tree.property("stdout-path", of: chosen)?.string
    else { return nil }
    let target = String(path.split(separator: ":").first ?? "")
    guard let id = machine.tree.resolve(target), let d = devices.first(where: { $0.node == id }) else {
      return nil
    }
    return d.names[0]
  }

  private func yamlSize(_ v: UInt64) -> String {
    for (scale, suffix) in [(UInt64(1) << 30, "G"), (1 << 20, "M"), (1 << 10, "K")] where v % scale == 0 {
      return "\(v / scale)\(suffix)"
    }
    return Format.hex(v)
  }

  private func quote(_ s: String) -> String {
    s.allSatisfy { $0.isLetter || $0.isNumber || "_-@/.,".contains($0) } && !s.hasPrefix("-") ? s : "\"\(s)\""
  }

  /// The boot mode the board's cores start by: SBI HSM on RISC-V; on AArch64
  /// spin-table when every enabled core the tree gives a method to names
  /// spin-table, else PSCI (check says which cores, if any, start otherwise).
  static func bootMode(_ machine: Machine) -> Plan.BootMode {
    if machine.architecture == .riscv64 { return .sbiHSM }
    let methods = machine.cpus.indices.filter { machine.cpus[$0].enabled }.map { machine.startMethod(of: $0) }
    let spin = methods.filter {
      if case .spinTable = $0 { return true }
      return $0 == .spinTableWithoutAddress
    }
    return !spin.isEmpty && spin.count == methods.filter({ $0 != .unnamed }).count ? .spinTable : .psci
  }
}
