import DeviceTree
import Machine

/// A System Device Tree's `/domains` read as a plan: the second plan syntax
/// beside YAML, producing the same ``Plan`` value (every value located at the
/// domain property it came from), so checks, emit and boot stay one path.
///
/// Top-level domains whose cores are all of the target architecture become
/// kernels; every other top-level domain becomes a `foreign:` entry, held
/// against the kernels' cores, memory and devices. A nested domain uses a part
/// of its parent's resources, so it is folded into the domain above it. A
/// range several domains list alike is the binding's way of sharing memory:
/// it becomes a `shared:` region naming them all.
public struct DomainPlan: Sendable {
  public var plan: Plan
  /// Comment lines for each kernel and foreign entry, by name: where it came
  /// from and what the plan format has no key for (`id`, `os,type`, relations).
  public var comments: [String: [String]]
  /// The domain node each kernel and foreign entry came from, by name, located at the node.
  public var origins: [String: Located<String>] = [:]

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// Builds the plan of `machine`'s domains. `boardPath` is the board as opened
  /// (for locations); `boardReference` is how the plan spells it.
  public static func make(machine: Machine, boardPath: String, boardReference: String, planFile: String)
    throws(Failure) -> DomainPlan
  {
    let tree = machine.tree
    guard !machine.domains.isEmpty else {
      let declared = machine.unusable.contains { $0.path.hasPrefix("/domains/") }
      throw Failure(
        description: declared
          ? "\(boardPath): every execution domain of /domains was left out (the warnings say why)"
          : "\(boardPath): the board declares no execution domains (/domains)")
    }
    let target: Plan.Target
    switch machine.architecture {
    case .aarch64: target = .aarch64
    case .riscv64: target = .riscv64
    case .unknown:
      // No cluster cleave boots: every domain is foreign, and still checked against the others.
      target = .aarch64
    }
    func at(_ d: ExecutionDomain, _ property: String?) -> SourceLocation {
      let key = property.map { "\(d.path):\($0)" } ?? d.path
      if let p = tree.sourcePositions[key] ?? tree.sourcePositions[d.path] {
        return SourceLocation(file: p.file, line: p.line, column: p.column)
      }
      return SourceLocation(file: boardPath, path: key)
    }
    let boardLocation =
      tree.sourcePositions["/domains"].map { SourceLocation(file: $0.file, line: $0.line, column: $0.column) }
      ?? SourceLocation(file: boardPath, path: "/domains")
    let top = machine.domains.filter { $0.parent == nil }

    // Names: the label, else the node name, made an identifier and unique.
    var names: [String] = []
    for d in top {
      var name = Self.identifier(d.labels.first { Identifier.problem($0) == nil } ?? d.name)
      var n = 2
      let stem = name
      while names.contains(name) {
        let suffix = "-\(n)"
        name = String(stem.prefix(Identifier.maxLength - suffix.count)) + suffix
        n += 1
      }
      names.append(name)
    }

    // A range listed alike by several domains is shared among them.
    var holders: [AddressRange: [Int]] = [:]
    for (i, d) in top.enumerated() {
      for r in Set(d.memory.map(\.range)) { holders[r, default: []].append(i) }
    }
    let sharedRanges = holders.filter { $0.value.count > 1 }

    func isKernel(_ d: ExecutionDomain) -> Bool {
      !d.allCPUs.isEmpty
        && d.allCPUs.allSatisfy { machine.cpus[$0].architecture.rawValue == target.rawValue }
    }
    func coreReferences(_ d: ExecutionDomain) -> [Located<String>] {
      let location = at(d, "cpus")
      var out: [Located<String>] = []
      for c in d.cpus {
        let cluster = machine.cpuClusters[c.cluster]
        if Set(c.cpus) == Set(cluster.cpus) {
          out.append(Located(cluster.labels.first ?? cluster.path, at: location))
        } else {
          out += c.cpus.map { Located(machine.cpus[$0].path, at: location) }
        }
      }
      return out
    }
    func deviceReferences(_ d: ExecutionDomain) -> [Located<String>] {
      var nodes = d.access.map(\.node)
      for n in d.sramNodes where !nodes.contains(n) { nodes.append(n) }
      // An SRAM range is a part of an mmio-sram device: the domain holds that device.
      for s in d.sram {
        if let dev = machine.devices.first(where: { !$0.isBus && $0.mmio.contains { $0.contains(s.range) } }),
          !nodes.contains(dev.node)
        {
          nodes.append(dev.node)
        }
      }
      return nodes.map { n in
        let label = tree[n].labels.first
        return Located(
          label ?? tree.path(of: n), at: at(d, d.access.contains { $0.node == n } ? "access" : "sram"))
      }
    }
    func regions(_ d: ExecutionDomain, property: String) -> [Plan.Region] {
      let location = at(d, property)
      return d.memory.filter { sharedRanges[$0.range] == nil }.map {
        Plan.Region(
          base: Located($0.range.base, at: location), size: Located($0.range.size, at: location),
          location: location)
      }
    }

    var plan = Plan(
      file: planFile, board: Located(boardReference, at: boardLocation),
      target: Located(target, at: boardLocation),
      boot: Located(target == .aarch64 ? .psci : .sbiHSM, at: boardLocation), loader: nil, ram: nil,
      ramLocation: nil, kernels: [], kernelsLocation: boardLocation, channels: [], shared: [], doorbells: nil)
    var comments: [String: [String]] = [:]
    var origins: [String: Located<String>] = [:]
    for (i, d) in top.enumerated() {
      let name = Located(names[i], at: at(d, nil))
      var lines = [
        "from \(d.path)" + (d.id.map { " (id \($0))" } ?? "") + (d.osType.map { ", os,type \"\($0)\"" } ?? "")
      ]
      for nested in machine.domains where nested.parent != nil && Self.isBelow(nested, d, machine.domains) {
        lines.append("with nested domain \(nested.path), a part of its resources")
      }
      for r in d.reservedMemory { lines.append("uses reserved memory \(tree.path(of: r))") }
      for r in d.relations {
        let peer =
          machine.domains.firstIndex { $0.node == r.peer }.map { machine.domains[$0].path }
          ?? tree.path(of: r.peer)
        lines.append("domain-to-domain \(r.kind) \(r.name): \(r.role) of \(peer)")
      }
      comments[name.value] = lines
      origins[name.value] = Located(d.path, at: at(d, nil))
      if isKernel(d) {
        let memory = regions(d, property: "memory")
        plan.kernels.append(
          Plan.Kernel(
            name: name, cores: coreReferences(d), memory: memory.isEmpty ? nil : .ranges(memory),
            memoryLocation: at(d, "memory"), devices: deviceReferences(d), interrupts: [], image: nil,
            initrd: nil,
            bootargs: nil, stdout: nil, owns: [], console: nil, kind: nil, resets: []))
      } else {
        plan.foreign.append(
          Plan.Foreign(
            name: name, cores: coreReferences(d), memory: regions(d, property: "memory"),
            devices: deviceReferences(d)))
      }
    }
    for (range, members) in sharedRanges.sorted(by: { $0.key < $1.key }) {
      let first = top[members[0]]
      let location = at(first, "memory")
      plan.shared.append(
        Plan.Shared(
          device: nil,
          region: Plan.Region(
            base: Located(range.base, at: location), size: Located(range.size, at: location),
            location: location),
          kernels: members.map { Located(names[$0], at: at(top[$0], "memory")) }, location: location))
    }
    // One interrupt-controller owner: the first kernel, as the default is.
    if !plan.kernels.isEmpty {
      plan.kernels[0].owns = [Located("interrupt-controller", at: plan.kernels[0].name.location)]
    }
    plan.loader = loader(machine, domains: top, target: target, at: boardLocation)
    return DomainPlan(plan: plan, comments: comments, origins: origins)
  }

  /// The loader's region: the lowest 2 MiB-aligned room of the default size in
  /// RAM a booted cluster reaches that no domain, reservation or device holds;
  /// `nil` (the default, which the checks then hold against the domains) when none is left.
  static func loader(
    _ machine: Machine, domains: [ExecutionDomain], target: Plan.Target, at location: SourceLocation
  )
    -> Plan.Region?
  {
    let cluster = machine.cpuClusters.first { $0.architecture.rawValue == target.rawValue }
    let reached = cluster.map { machine.visibleMemory(from: $0) } ?? machine.memory.map(\.range)
    var allocator = MemoryAllocator(banks: machine.withRAM(reached, from: "").memory)
    for r in machine.reservations { if let range = r.range { allocator.claim(range) } }
    for w in machine.claimedWindows { allocator.claim(w) }
    for d in machine.domains { for m in d.memory { allocator.claim(m.range) } }
    guard
      let r = allocator.place(
        size: Resolver.defaultLoaderSize(machine), align: Resolver.defaultAlignment, numa: nil)
    else { return nil }
    return Plan.Region(
      base: Located(r.base, at: location), size: Located(r.size, at: location), location: location)
  }

  static func isBelow(_ d: ExecutionDomain, _ ancestor: ExecutionDomain, _ all: [ExecutionDomain]) -> Bool {
    var p = d.parent
    var steps = 0
    while let i = p, all.indices.contains(i), steps <= all.count {
      if all[i].node == ancestor.node { return true }
      p = all[i].parent
      steps += 1
    }
    return false
  }

  /// A node name or label as a plan name: characters outside the rule become
  /// `-`, a name that does not start with a letter gets a `d`, then it is cut to length.
  static func identifier(_ s: String) -> String {
    var out = String(
      s.unicodeScalars.map { c -> Character in
        c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-")
          ? Character(c) : "-"
      })
    if out.first.map({ !($0.isASCII && $0.isLetter) }) ?? true { out = "d" + out }
    return String(out.prefix(Identifier.maxLength))
  }
}
