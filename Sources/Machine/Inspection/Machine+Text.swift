import DeviceTree

extension Machine {
  /// The machine for a person: topology as a tree (cluster → L2 group → cores),
  /// the memory map, interrupt controllers and devices.
  public func text(board: String) -> String {
    var out: [String] = []
    let enabled = cpus.filter(\.enabled).count
    out.append("board  \(board)")
    out.append("model  \(model ?? "(none)"), \(architecture.rawValue)")
    var start =
      cpus.compactMap(\.enableMethod).first.map { "enable-method \($0)" }
      ?? (architecture == .riscv64 ? "harts start through SBI HSM" : "no enable-method")
    if let psci { start += ", PSCI over \(psci.method)" }
    out.append("cpus   \(cpus.count) (\(enabled) enabled), \(start)")
    out.append("")
    out.append("topology")
    out += topologyLines()
    out.append("")
    out.append("memory  \(Format.size(totalMemory)) in \(memory.count) bank\(memory.count == 1 ? "" : "s")")
    for m in memory {
      out.append(
        "  \(m.range)  \(Format.size(m.range.size).padded(8))  \(m.path)\(m.numaNode.map { "  numa \($0)" } ?? "")"
      )
    }
    if !reservations.isEmpty {
      out.append("reserved")
      for r in reservations {
        var flags: [String] = []
        if r.noMap && r.source == .reservedMemory { flags.append("no-map") }
        if r.reusable { flags.append("reusable") }
        if r.range == nil { flags.append("dynamic") }
        let place =
          r.range.map { "\($0)  \(Format.size($0.size).padded(8))" }
          ?? "size \(r.size.map(Format.size) ?? "?")"
        out.append("  \(place)  \(r.name)\(flags.isEmpty ? "" : "  " + flags.joined(separator: ", "))")
      }
    }
    if numaNodes.count > 1 || numaNodes.contains(where: { !$0.distances.isEmpty }) {
      out.append("")
      out.append("numa")
      for n in numaNodes {
        let d = n.distances.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")
        out.append(
          "  node \(n.id)  \(n.cpus.count) cpus, \(n.memory.count) memory bank(s)\(d.isEmpty ? "" : ", distances \(d)")"
        )
      }
    }
    out.append("")
    out.append("interrupt controllers")
    for ic in interruptControllers {
      out.append("  \((ic.kind?.rawValue ?? "other").padded(13)) \(ic.path)")
      for f in ic.frames {
        out.append("    \(f.name.padded(6)) \(f.range)  \(Format.size(f.range.size))")
      }
      if !ic.contexts.isEmpty {
        let list = ic.contexts.map { c in "\(c.position):\(c.cpu.map { cpus[$0].name } ?? "-")/\(c.role)" }
        out.append("    contexts \(list.joined(separator: " "))")
      }
      if let n = ic.sources { out.append("    sources 1-\(n)") }
    }
    out.append("")
    let shown = devices.filter { !$0.isBus }
    out.append("devices (\(shown.count))")
    for run in runsOfAlikeDevices(shown) {
      if run.count >= 4, let first = run.first, let last = run.last {
        let span = AddressRange(base: first.mmio[0].base, end: last.mmio[0].end) ?? first.mmio[0]
        let irqs = run.compactMap { $0.interrupts.first.map { describe($0.interrupt) } }
        var line = "  \(first.path) .. \(last.path)  \(first.compatible[0]) x\(run.count)  mmio \(span)"
        if let a = irqs.first, let b = irqs.last, irqs.count == run.count { line += "  irq \(a) .. \(b)" }
        out.append(line)
        continue
      }
      for d in run { out += deviceLines(d) }
    }
    let warnings = self.warnings
    if !warnings.isEmpty {
      out.append("")
      out.append("warnings (\(warnings.count))")
      out += warnings.map { "  " + $0 }
    }
    return out.joined(separator: "\n") + "\n"
  }

  private func deviceLines(_ d: Device) -> [String] {
    var out: [String] = []
    var line = "  \(d.path)"
    if let c = d.compatible.first { line += "  \(c)" }
    let names = d.aliases + d.labels.filter { !d.aliases.contains($0) }
    if !names.isEmpty { line += "  (\(names.joined(separator: ", ")))" }
    if !d.enabled { line += "  disabled" }
    out.append(line)
    if !d.mmio.isEmpty {
      out.append("      mmio " + d.mmio.map { "\($0) \(Format.size($0.size))" }.joined(separator: ", "))
    }
    if !d.interrupts.isEmpty {
      out.append("      irq  " + d.interrupts.map { describe($0.interrupt) }.joined(separator: ", "))
    }
    if !d.providers.isEmpty {
      out.append(
        "      uses " + d.providers.map { "\($0.kind) \(tree.path(of: $0.node))" }.joined(separator: ", "))
    }
    return out
  }

  /// Splits devices into runs of interchangeable neighbours (QEMU's 32 virtio-mmio
  /// slots) so the listing stays readable; anything named or unusual stands alone.
  private func runsOfAlikeDevices(_ list: [Device]) -> [[Device]] {
    func plain(_ d: Device) -> Bool {
      d.labels.isEmpty && d.aliases.isEmpty && d.mmio.count == 1 && d.interrupts.count <= 1
        && d.providers.isEmpty
        && !d.compatible.isEmpty && d.enabled
    }
    var runs: [[Device]] = []
    for d in list {
      if plain(d), let prev = runs.last?.last, plain(prev), prev.compatible == d.compatible,
        prev.mmio[0].end == d.mmio[0].base
      {
        runs[runs.count - 1].append(d)
      } else {
        runs.append([d])
      }
    }
    return runs
  }

  private func describe(_ i: Interrupt) -> String {
    switch i {
    case .gic(let type, let intid, _, _): "\(type.rawValue.uppercased()) \(intid)"
    case .plic(let s): "PLIC \(s)"
    case .cpuLocal(_, let cause): Machine.role(of: cause)
    case .other(let cells): "<" + cells.map { Format.hex(UInt64($0)) }.joined(separator: " ") + ">"
    }
  }

  private func cpuLine(_ i: Int, indent: Int) -> String {
    let c = cpus[i]
    let id: String =
      switch c.architecture {
      case .riscv64, .riscv32: "hart \(c.hardwareID)"
      case .unknown where architecture == .riscv64: "hart \(c.hardwareID)"
      case .microblaze: "id \(c.hardwareID)"
      default: "mpidr \(Format.hex(c.hardwareID))"
      }
    var line = String(repeating: "  ", count: indent) + c.name.padded(10) + id
    if let label = c.labels.first { line += "  \(label)" }
    if let cap = c.capacity { line += "  capacity \(cap)" }
    if let n = c.numaNode { line += "  numa \(n)" }
    if !c.enabled { line += "  disabled" }
    return line
  }

  private func l2Line(_ group: [Int], indent: Int) -> String {
    let pad = String(repeating: "  ", count: indent)
    guard let first = group.first, let l2 = cpus[first].caches.first(where: { caches[$0].level == 2 }) else {
      return pad + "no L2"
    }
    let c = caches[l2]
    var line = pad + "L2 \(c.path)"
    if let s = c.size { line += " (\(Format.size(s)))" }
    if let l3 = cpus[first].caches.first(where: { caches[$0].level == 3 }) {
      line += " -> L3 \(caches[l3].path)"
    }
    return line
  }

  /// The L2 groups (``cacheGroups(level:)``) and each CPU's group, worked out
  /// once per listing: a board of thousands of clusters asks for each one.
  private struct L2Groups {
    var groups: [[Int]]
    var groupOf: [Int]
  }

  private var l2Groups: L2Groups {
    let groups = cacheGroups(level: 2)
    var groupOf = [Int](repeating: 0, count: cpus.count)
    for (g, group) in groups.enumerated() {
      for c in group where groupOf.indices.contains(c) { groupOf[c] = g }
    }
    return L2Groups(groups: groups, groupOf: groupOf)
  }

  /// Lines for the CPUs of one cluster, grouped under their L2.
  private func groupedCPULines(_ members: [Int], indent: Int, _ l2: L2Groups) -> [String] {
    let set = Set(members)
    var out: [String] = []
    var private_: [Int] = []
    let touched = Set(members.compactMap { l2.groupOf.indices.contains($0) ? l2.groupOf[$0] : nil }).sorted()
    for group in touched.map({ l2.groups[$0] }) {
      let inside = group.filter(set.contains)
      guard let first = inside.first, cpus[first].caches.contains(where: { caches[$0].level == 2 }) else {
        private_ += inside
        continue
      }
      out.append(l2Line(inside, indent: indent))
      out += inside.map { cpuLine($0, indent: indent + 1) }
    }
    if !private_.isEmpty {
      out.append(String(repeating: "  ", count: indent) + "no L2 described (each core is its own L2 group)")
      out += private_.map { cpuLine($0, indent: indent + 1) }
    }
    return out
  }

  /// One heading per cluster of a System Device Tree: its name, architecture,
  /// what it can address, the windows its address map moves, then its cores.
  private func clusterLines() -> [String] {
    let l2 = l2Groups
    var out: [String] = []
    for cluster in cpuClusters where !cluster.cpus.isEmpty || cluster.isSDTCluster {
      var line = "  " + (cluster.labels.first.map { "\($0) " } ?? "") + cluster.path
      line +=
        "  \(cluster.architecture.rawValue), \(cluster.cpus.count) core\(cluster.cpus.count == 1 ? "" : "s")"
      let seen = visibleDevices(from: cluster).count
      line +=
        ", sees \(seen) device\(seen == 1 ? "" : "s") and \(Format.size(visibleMemorySize(from: cluster))) of RAM"
      if cluster.addressMap == nil { line += " (no address-map)" }
      if !cluster.architecture.isBootable {
        line += "; cleave does not boot \(cluster.architecture.rawValue) cores"
      }
      out.append(line)
      for e in cluster.addressMap ?? [] where e.clusterAddress != e.root.base {
        out.append("    at \(Format.hex(e.clusterAddress)): \(e.root) \(tree.path(of: e.node))")
      }
      out += groupedCPULines(cluster.cpus, indent: 2, l2)
    }
    return out
  }

  private func topologyLines() -> [String] {
    if topology.isEmpty && isSystemDeviceTree { return clusterLines() }
    let l2 = l2Groups
    guard !topology.isEmpty else {
      return ["  (no cpu-map)"] + groupedCPULines(cpus.map(\.index), indent: 1, l2)
    }
    func walk(_ n: TopologyNode, indent: Int) -> [String] {
      let pad = String(repeating: "  ", count: indent)
      let inner = n.children.filter { $0.kind == .socket || $0.kind == .cluster }
      if inner.isEmpty {
        return [pad + "\(n.name)  \(n.cpus.count) core\(n.cpus.count == 1 ? "" : "s")"]
          + groupedCPULines(n.cpus, indent: indent + 1, l2)
      }
      return [pad + n.name] + inner.flatMap { walk($0, indent: indent + 1) }
    }
    var lines = topology.flatMap { walk($0, indent: 1) }
    let placed = Set(topology.flatMap(\.cpus))
    let unplaced = cpus.map(\.index).filter { !placed.contains($0) }
    if !unplaced.isEmpty { lines += ["  not in cpu-map"] + unplaced.map { cpuLine($0, indent: 2) } }
    return lines
  }
}

extension String {
  /// Left-aligned in a column of `width`, always followed by at least one space.
  public func padded(_ width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}
