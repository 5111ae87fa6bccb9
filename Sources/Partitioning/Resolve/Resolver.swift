import DeviceTree
import Foundation
import Machine

/// Resolves a plan against its board: names become cores and devices, sizes
/// become placed ranges, device interrupts go to their device's owner, channels
/// get regions and doorbells. What cannot be resolved becomes a diagnostic; the
/// result is still built as far as it can be, so the checks can say more.
public struct Resolver {
  public static let defaultLoaderSize: UInt64 = 16 << 20
  public static let defaultAlignment: UInt64 = 2 << 20
  public static let dtbSlot: UInt64 = 64 << 10

  let plan: Plan
  let machine: Machine
  let references: References
  var engine: DiagnosticEngine

  public static func resolve(
    _ plan: Plan, machine: Machine, boardPath: String, engine: inout DiagnosticEngine
  ) -> Partition {
    // The board's two indexes, which the cuts need, depend on the machine
    // alone: each is built on a thread of its own while this one resolves.
    let index = Pending { BoardIndex(machine) }
    let uses = Pending { BoardReferences(machine.tree) }
    var r = Resolver(plan: plan, machine: machine, references: References(machine: machine), engine: engine)
    let partition = r.run(boardPath: boardPath, index: index, uses: uses)
    engine = r.engine
    return partition
  }

  private mutating func run(
    boardPath: String, index: Pending<BoardIndex>, uses: Pending<BoardReferences>
  ) -> Partition {
    let target = resolveTarget()
    let boot = plan.boot?.value ?? (target == .riscv64 ? .sbiHSM : .psci)
    if let b = plan.boot {
      let fits = (target == .aarch64) == (b.value == .psci || b.value == .spinTable)
      if !fits {
        engine.error(
          .targetMismatch, "boot '\(b.value.rawValue)' does not start \(target.rawValue) cores",
          at: b.location)
      }
    }
    let loaderLocation = plan.loader?.location ?? plan.board.location
    var loader = Self.defaultLoader(machine)
    if let l = plan.loader {
      if let r = AddressRange(checkedBase: l.base.value, size: l.size.value) {
        loader = r
      } else {
        // Reported, then the default stands in so the other checks still run.
        engine.error(
          .memoryOverflow,
          "loader [0x\(String(l.base.value, radix: 16)) + \(Format.size(l.size.value))] passes 2^64",
          at: l.location)
      }
    }

    var kernels = plan.kernels.enumerated().map { index, k in
      Partition.Kernel(
        index: index, name: k.name.value, location: k.name.location, cpus: [], cpuLocations: [:], memory: [],
        devices: [],
        sharedDevices: [], deviceLocations: [:], interrupts: [], image: nil,
        imageLocation: k.image?.path.location,
        initrd: nil, protocol: k.image?.protocol.value ?? .elf, bootargs: k.bootargs?.value,
        consolePass: k.console?.pass?.value, consoleFail: k.console?.fail.map(\.value) ?? [], stdout: nil,
        ownsInterruptController: k.owns.contains { $0.value == "interrupt-controller" }, kind: k.kind?.value,
        resetsInterruptController: k.image?.protocol.value == .linux || k.kind?.value == .sel4
          || k.resets.contains { $0.value == "interrupt-controller" },
        dtb: nil,
        numaNode: nil, exceptionLevel: k.exceptionLevel?.value)
    }
    let kernelIndex = Dictionary(
      plan.kernels.enumerated().map { ($1.name.value, $0) }, uniquingKeysWith: { a, _ in a })

    resolveCores(&kernels)
    resolveSystemCores(&kernels)
    resolveDevices(&kernels)
    var foreign = resolveForeign()
    let shared = resolveShared(&kernels, foreign: &foreign, kernelIndex: kernelIndex)
    var channels = resolveChannelMembers(kernelIndex: kernelIndex)
    resolveMemory(&kernels, channels: &channels, loader: loader, shared: shared)
    resolveInterrupts(&kernels)
    let owner = designateOwner(kernels)
    let mechanism = doorbellMechanism(boot: boot)
    assignDoorbells(&channels, kernels: kernels, mechanism: mechanism)
    // What each tree keeps decides how much room its DTB needs and whose
    // interrupts an unowned provider's are: cut before placing images.
    var partition = Partition(
      machine: machine, plan: plan, boardPath: boardPath, target: target, boot: boot, loader: loader,
      loaderLocation: loaderLocation,
      kernels: kernels, channels: channels, sharedRegions: shared, interruptControllerOwner: owner,
      doorbellMechanism: mechanism)
    partition.foreign = foreign
    partition.isolation = resolveIsolation(kernelIndex: kernelIndex)
    let board = index.value
    let uses = uses.value
    partition.boardIndex = board
    partition.resolvedWith = (references, uses)
    partition.cuts = KernelCut.all(partition, board, uses, keepingForeignDevices: false)
    routeProviderInterrupts(&partition)
    kernels = partition.kernels
    resolveImages(&kernels, channels: channels, cuts: partition.cuts)
    for k in plan.kernels.indices {
      if let s = plan.kernels[k].stdout {
        switch references.device(s.value) {
        case .success(let d) where kernels[k].allDevices.contains(d): kernels[k].stdout = d
        case .success(let d):
          let owner = kernels.first { $0.devices.contains(d) }
          engine.error(
            .stdoutNotOwned,
            "stdout of '\(kernels[k].name)' is \(machine.devices[d].path), which '\(kernels[k].name)' neither owns nor shares\(owner.map { " (it belongs to '\($0.name)')" } ?? "")",
            at: s.location,
            notes: owner.map { [.init("'\($0.name)' takes it here", at: $0.deviceLocations[d])] } ?? [])
        case .failure:
          engine.error(.deviceUnknown, "stdout '\(s.value)' names no device on the board", at: s.location)
        }
      }
    }
    partition.kernels = kernels
    return partition
  }

  /// A provider no kernel owns (a GPIO block that is a device's interrupt
  /// parent) is in its dependents' trees: its own interrupts go to the first of
  /// them, as a shared device's go to the first kernel listed.
  private func routeProviderInterrupts(_ p: inout Partition) {
    let primary = machine.primaryInterruptController?.node
    var routed = Set<Int>()
    for k in p.kernels { for i in k.interrupts { if let d = i.device { routed.insert(d) } } }
    let owned = Set(p.kernels.flatMap(\.allDevices))
    for cut in p.cuts {
      for d in cut.providers where !owned.contains(d) && routed.insert(d).inserted {
        let k = cut.kernel
        let location =
          cut.reasons[d]?.device.flatMap { p.kernels[k].deviceLocations[$0] } ?? p.kernels[k].location
        for irq in machine.devices[d].interrupts where irq.controller == primary {
          guard let n = irq.interrupt.ownedNumber else { continue }
          p.kernels[k].interrupts.append(Partition.OwnedInterrupt(number: n, device: d, location: location))
        }
      }
    }
  }

  /// The lowest 2 MiB-aligned 16 MiB of RAM clear of every reservation and device window.
  public static func defaultLoader(_ machine: Machine) -> AddressRange {
    let size = defaultLoaderSize(machine)
    var allocator = MemoryAllocator(banks: machine.memory)
    for r in machine.reservations { if let range = r.range { allocator.claim(range) } }
    // Not over a device window: some boards state RAM over their peripherals
    // (firmware trims it at boot).
    for w in machine.claimedWindows { allocator.claim(w) }
    return allocator.place(size: size, align: defaultAlignment, numa: nil)
      ?? AddressRange(base: machine.memory.first?.range.base ?? 0, size: size)
  }

  /// 16 MiB, or on a machine with less than 256 MiB of RAM a quarter of it
  /// (a power of two) but never under the 4 MiB the loader needs: its image
  /// starts 2 MiB above the region's base, below which the firmware puts the DTB.
  static func defaultLoaderSize(_ machine: Machine) -> UInt64 {
    let total = machine.totalMemory
    guard total < 256 << 20 else { return defaultLoaderSize }
    var size: UInt64 = 4 << 20
    while size * 2 <= min(total / 4, defaultLoaderSize) { size *= 2 }
    return size
  }

  private mutating func resolveTarget() -> Plan.Target {
    let board: Plan.Target? =
      switch machine.architecture {
      case .aarch64: .aarch64
      case .riscv64: .riscv64
      case .unknown: nil
      }
    if let t = plan.target, let board, t.value != board {
      engine.error(
        .targetMismatch, "target is \(t.value.rawValue) but the board's CPUs are \(board.rawValue)",
        at: t.location)
    }
    return plan.target?.value ?? board ?? .aarch64
  }

  // MARK: Cores and devices

  private mutating func resolveCores(_ kernels: inout [Partition.Kernel]) {
    for (k, spec) in plan.kernels.enumerated() {
      for ref in spec.cores {
        switch references.cores(ref.value) {
        case .success(let cpus):
          for c in cpus where !kernels[k].cpus.contains(c) {
            kernels[k].cpus.append(c)
            kernels[k].cpuLocations[c] = ref.location
          }
        case .failure(.ambiguous(let paths)):
          engine.error(
            .coreUnknown,
            "'\(ref.value)' is ambiguous: it names \(paths.joined(separator: " and ")); use a label or a path",
            at: ref.location)
        case .failure(.unknown(let hint)), .failure(.notPartitionable(let hint)):
          engine.error(
            .coreUnknown, "'\(ref.value)' names no core, cpu-map node or label on the board\(hint)",
            at: ref.location)
        case .failure(.unusable(let node)):
          unusable(ref.value, node, at: ref.location)
        }
      }
      let nodes = Set(kernels[k].cpus.compactMap { machine.cpus[$0].numaNode })
      kernels[k].numaNode = nodes.count == 1 ? nodes.first : nil
    }
  }

  /// The system core list of each seL4 boot-info kernel: the image's
  /// `system-cores`, or every core of the board in board order. Node 0, the
  /// instance whose boot core comes first in it, masks every SPI when it
  /// boots: it resets the distributor and so must start first.
  private mutating func resolveSystemCores(_ kernels: inout [Partition.Kernel]) {
    for (k, spec) in plan.kernels.enumerated() where kernels[k].protocol == .sel4BootInfo {
      guard let refs = spec.image?.systemCores else {
        kernels[k].systemCores = Array(machine.cpus.indices)
        kernels[k].systemCoresLocation = spec.image?.path.location
        kernels[k].resetsInterruptController =
          kernels[k].resetsInterruptController || kernels[k].bootCPU == kernels[k].systemCores.first
        continue
      }
      var list: [Int] = []
      for ref in refs {
        switch references.cores(ref.value) {
        case .success(let cpus): list += cpus.filter { !list.contains($0) }
        case .failure:
          engine.error(
            .coreUnknown, "system-cores: '\(ref.value)' names no core, cpu-map node or label on the board",
            at: ref.location)
        }
      }
      kernels[k].systemCores = list
      kernels[k].systemCoresLocation = spec.image?.systemCoresLocation
      kernels[k].resetsInterruptController =
        kernels[k].resetsInterruptController
        || (kernels[k].bootCPU != nil && kernels[k].bootCPU == list.first)
    }
  }

  /// A reference to a node the board reading left out: located at the reference,
  /// naming the node and the defect that set it aside.
  private mutating func unusable(_ reference: String, _ node: UnusableNode, at location: SourceLocation?) {
    let what = reference == node.path ? node.path : "'\(reference)' (\(node.path))"
    engine.error(
      .nodeUnusable,
      "\(what) cannot be used: \(node.defect.place): \(node.defect.message), so the board reading left the node out",
      at: location)
  }

  private mutating func resolveDevices(_ kernels: inout [Partition.Kernel]) {
    for (k, spec) in plan.kernels.enumerated() {
      for ref in spec.devices {
        switch references.device(ref.value) {
        case .success(let d):
          if kernels[k].devices.contains(d) { continue }
          kernels[k].devices.append(d)
          kernels[k].deviceLocations[d] = ref.location
        case .failure(.notPartitionable(let what)):
          engine.error(
            .deviceUnknown, "'\(ref.value)' is \(what), not a device a kernel can own", at: ref.location)
        case .failure(.unknown(let hint)):
          engine.error(
            .deviceUnknown, "'\(ref.value)' names no device on the board (an alias, label or path)\(hint)",
            at: ref.location)
        case .failure(.unusable(let node)):
          unusable(ref.value, node, at: ref.location)
        case .failure(.ambiguous):
          break
        }
      }
    }
  }

  /// `foreign:` entries: their cores, memory ranges and devices, resolved as a kernel's are.
  private mutating func resolveForeign() -> [Partition.Foreign] {
    var out: [Partition.Foreign] = []
    for (i, f) in plan.foreign.enumerated() {
      var entry = Partition.Foreign(
        index: i, name: f.name.value, location: f.name.location, cpus: [], cpuLocations: [:], memory: [],
        devices: [], sharedDevices: [], deviceLocations: [:])
      for ref in f.cores {
        switch references.cores(ref.value) {
        case .success(let cpus):
          for c in cpus where !entry.cpus.contains(c) {
            entry.cpus.append(c)
            entry.cpuLocations[c] = ref.location
          }
        case .failure(.unusable(let node)):
          unusable(ref.value, node, at: ref.location)
        case .failure:
          engine.error(
            .coreUnknown,
            "foreign '\(f.name.value)': '\(ref.value)' names no core, cluster or label on the board",
            at: ref.location)
        }
      }
      for region in f.memory {
        guard let r = AddressRange(checkedBase: region.base.value, size: region.size.value) else {
          engine.error(
            .memoryOverflow,
            "memory of foreign '\(f.name.value)' at \(Format.hex(region.base.value)) + \(Format.size(region.size.value)) passes 2^64",
            at: region.location)
          continue
        }
        entry.memory.append(Partition.MemoryRegion(range: r, location: region.location, placed: false))
      }
      for ref in f.devices {
        switch references.device(ref.value) {
        case .success(let d):
          if !entry.devices.contains(d) { entry.devices.append(d) }
          entry.deviceLocations[d] = entry.deviceLocations[d] ?? ref.location
        case .failure(.unusable(let node)):
          unusable(ref.value, node, at: ref.location)
        case .failure(.notPartitionable(let what)):
          engine.error(
            .deviceUnknown, "'\(ref.value)' is \(what), not a device one owner holds", at: ref.location)
        case .failure:
          engine.error(
            .deviceUnknown, "foreign '\(f.name.value)': '\(ref.value)' names no device on the board",
            at: ref.location)
        }
      }
      out.append(entry)
    }
    return out
  }

  private mutating func resolveShared(
    _ kernels: inout [Partition.Kernel], foreign: inout [Partition.Foreign], kernelIndex: [String: Int]
  ) -> [Partition.SharedRegion] {
    var regions: [Partition.SharedRegion] = []
    let foreignIndex = Dictionary(
      plan.foreign.enumerated().map { ($1.name.value, $0) }, uniquingKeysWith: { a, _ in a })
    for entry in plan.shared {
      let others = entry.kernels.compactMap { foreignIndex[$0.value] }
      let members: [Int] = entry.kernels.compactMap { ref in
        if foreignIndex[ref.value] != nil { return nil }
        return kernel(ref, in: kernelIndex, namedBy: "shared entry")
      }
      if let device = entry.device {
        switch references.device(device.value) {
        case .success(let d):
          for m in members {
            kernels[m].devices.removeAll { $0 == d }
            if !kernels[m].sharedDevices.contains(d) { kernels[m].sharedDevices.append(d) }
            kernels[m].deviceLocations[d] = kernels[m].deviceLocations[d] ?? device.location
          }
          for f in others {
            foreign[f].devices.removeAll { $0 == d }
            if !foreign[f].sharedDevices.contains(d) { foreign[f].sharedDevices.append(d) }
            foreign[f].deviceLocations[d] = foreign[f].deviceLocations[d] ?? device.location
          }
        case .failure(.unknown(let hint)):
          engine.error(
            .deviceUnknown, "shared device '\(device.value)' names no device on the board\(hint)",
            at: device.location)
        case .failure(.notPartitionable(let what)):
          engine.error(.deviceUnknown, "shared device '\(device.value)' is \(what)", at: device.location)
        case .failure(.unusable(let node)):
          unusable(device.value, node, at: device.location)
        case .failure(.ambiguous):
          break
        }
      }
      if let region = entry.region {
        if let r = AddressRange(checkedBase: region.base.value, size: region.size.value) {
          regions.append(
            Partition.SharedRegion(range: r, kernels: members, location: region.location, foreign: others))
        } else {
          engine.error(
            .memoryOverflow,
            "shared region 0x\(String(region.base.value, radix: 16)) + \(Format.size(region.size.value)) passes 2^64",
            at: region.location)
        }
      }
    }
    return regions
  }

  /// The index of the kernel `ref` names, or nil after reporting that `what` names
  /// a kernel the plan does not define (with the nearest name, if any).
  mutating func kernel(_ ref: Located<String>, in kernelIndex: [String: Int], namedBy what: String) -> Int? {
    guard let k = kernelIndex[ref.value] else {
      engine.error(
        .kernelUnknown,
        "\(what) names kernel '\(ref.value)', which the plan does not define\(suggestion(ref.value, in: plan.kernels.map(\.name.value)))",
        at: ref.location)
      return nil
    }
    return k
  }

  private mutating func resolveChannelMembers(kernelIndex: [String: Int]) -> [Partition.Channel] {
    var out: [Partition.Channel] = []
    for (i, c) in plan.channels.enumerated() {
      var members: [Int] = []
      for ref in c.between {
        guard let k = kernel(ref, in: kernelIndex, namedBy: "channel") else { continue }
        if !members.contains(k) { members.append(k) }
      }
      if members.count < 2 && c.between.count >= 2 && members.count == c.between.count {
        engine.error(.kernelUnknown, "a channel needs two different kernels", at: c.location)
      }
      let name = c.name?.value ?? members.map { plan.kernels[$0].name.value }.joined(separator: "-")
      out.append(
        Partition.Channel(
          index: i, name: name, members: members, region: AddressRange(base: 0, size: 0),
          location: c.location, doorbells: []))
    }
    return out
  }

  // MARK: Memory

  private mutating func resolveMemory(
    _ kernels: inout [Partition.Kernel], channels: inout [Partition.Channel], loader: AddressRange,
    shared: [Partition.SharedRegion]
  ) {
    var allocator = MemoryAllocator(banks: machine.memory)
    allocator.claim(loader)
    for r in machine.reservations { if let range = r.range { allocator.claim(range) } }
    // A bank the board states over a device window (firmware trims it at boot) is not RAM there.
    for w in machine.claimedWindows { allocator.claim(w) }
    for s in shared { allocator.claim(s.range) }
    // What other software holds is no kernel's to be placed in.
    for f in plan.foreign {
      for m in f.memory {
        if let r = AddressRange(checkedBase: m.base.value, size: m.size.value) { allocator.claim(r) }
      }
    }
    // Explicit ranges first: they are fixed, and sized requests must avoid them.
    for (k, spec) in plan.kernels.enumerated() {
      guard case .ranges(let regions)? = spec.memory else { continue }
      for region in regions {
        guard let r = AddressRange(checkedBase: region.base.value, size: region.size.value) else {
          engine.error(
            .memoryOverflow,
            "memory of '\(spec.name.value)' at 0x\(String(region.base.value, radix: 16)) + \(Format.size(region.size.value)) passes 2^64",
            at: region.location)
          continue
        }
        kernels[k].memory.append(Partition.MemoryRegion(range: r, location: region.location, placed: false))
        allocator.claim(r)
      }
    }
    // Channels with a fixed base are claims like explicit kernel ranges.
    for i in channels.indices {
      guard let base = plan.channels[i].base else { continue }
      let size = plan.channels[i].size
      guard let r = AddressRange(checkedBase: base.value, size: size.value) else {
        engine.error(
          .memoryOverflow,
          "channel \(channels[i].name) at 0x\(String(base.value, radix: 16)) + \(Format.size(size.value)) passes 2^64",
          at: base.location)
        continue
      }
      if base.value % 0x1000 != 0 || size.value % 0x1000 != 0 {
        engine.error(
          .memoryMisaligned, "channel \(channels[i].name) \(r) is not aligned to 4 KiB pages",
          at: base.location)
      }
      channels[i].region = r
      allocator.claim(r)
    }
    // The rest from the top of RAM, so kernel memory stays contiguous below them.
    for i in channels.indices where plan.channels[i].base == nil {
      let size = plan.channels[i].size
      guard size.value > 0 else {
        engine.error(.memoryMisaligned, "channel size must be at least 4 KiB", at: size.location)
        continue
      }
      let (up, past) = size.value.addingReportingOverflow(0xfff)
      guard !past else {
        engine.error(
          .memoryOverflow, "channel size \(Format.hex(size.value)) rounded up to 4 KiB pages passes 2^64",
          at: size.location)
        continue
      }
      let rounded = up & ~UInt64(0xfff)
      let numa = channels[i].members.first.flatMap { kernels[$0].numaNode }
      if let r = allocator.place(size: rounded, align: 0x1000, numa: numa, fromTop: true) {
        channels[i].region = r
      } else {
        unplaceable("channel \(channels[i].name)", size: rounded, at: size.location, allocator: &allocator)
      }
    }
    for (k, spec) in plan.kernels.enumerated() {
      guard case .sized(let size, let align, let numa)? = spec.memory else { continue }
      let alignment = align?.value ?? Self.defaultAlignment
      if alignment & (alignment &- 1) != 0 || alignment < 0x1000 {
        engine.error(
          .memoryMisaligned,
          "alignment \(Format.size(alignment)) of '\(spec.name.value)' must be a power of two of at least 4 KiB",
          at: align?.location ?? size.location)
        continue
      }
      if size.value == 0 || size.value % 0x1000 != 0 {
        engine.error(
          .memoryMisaligned,
          "memory size \(Format.size(size.value)) of '\(spec.name.value)' is not a whole number of 4 KiB pages",
          at: size.location)
        continue
      }
      let wanted = numa?.value ?? kernels[k].numaNode
      // On a System Device Tree the kernel's cluster reaches only what its address-map maps.
      var view = allocator
      if let reach = Self.reach(of: kernels[k].cpus, machine) { view.keepOnly(reach) }
      if let r = view.place(size: size.value, align: alignment, numa: wanted) {
        allocator.claim(r)
        kernels[k].memory.append(Partition.MemoryRegion(range: r, location: size.location, placed: true))
      } else {
        unplaceable(
          "memory of '\(spec.name.value)'", size: size.value, at: size.location, allocator: &allocator)
      }
    }
  }

  /// The RAM every cluster of these cores reaches through its address-map, or
  /// nil when none of them has one.
  static func reach(of cpus: [Int], _ machine: Machine) -> [AddressRange]? {
    var reach: [AddressRange]?
    var seen = Set<Int>()
    for c in cpus {
      guard let cluster = machine.cluster(of: c), cluster.addressMap != nil,
        seen.insert(cluster.index).inserted
      else { continue }
      let visible = machine.visibleMemory(from: cluster)
      reach = reach.map { mine in mine.flatMap { a in visible.compactMap { a.intersection($0) } } } ?? visible
    }
    return reach
  }

  private mutating func unplaceable(
    _ what: String, size: UInt64, at location: SourceLocation, allocator: inout MemoryAllocator
  ) {
    let (total, largest) = allocator.summary()
    let where_ = largest.map { "; the largest free block is \(Format.size($0.size)) at \($0)" } ?? ""
    engine.error(
      .memoryUnplaceable,
      "\(what) (\(Format.size(size))) does not fit: \(Format.size(total)) of RAM is left free\(where_)",
      at: location)
  }

  // MARK: Interrupts

  private mutating func resolveInterrupts(_ kernels: inout [Partition.Kernel]) {
    let primary = machine.primaryInterruptController?.node
    var sharedOwner: [Int: Int] = [:]  // a shared device's interrupts go to the first kernel listed
    for entry in plan.shared {
      guard let d = entry.device, case .success(let dev) = references.device(d.value) else { continue }
      if let first = entry.kernels.first,
        let k = plan.kernels.firstIndex(where: { $0.name.value == first.value })
      {
        sharedOwner[dev] = sharedOwner[dev] ?? k
      }
    }
    for k in kernels.indices {
      for d in kernels[k].allDevices {
        if kernels[k].sharedDevices.contains(d), sharedOwner[d] != k { continue }
        for irq in machine.devices[d].interrupts where irq.controller == primary {
          guard let n = irq.interrupt.ownedNumber else { continue }
          let loc = kernels[k].deviceLocations[d] ?? kernels[k].location
          kernels[k].interrupts.append(Partition.OwnedInterrupt(number: n, device: d, location: loc))
        }
      }
      for extra in plan.kernels[k].interrupts {
        guard let n = UInt32(exactly: extra.value) else {
          engine.error(.interruptUnknown, "interrupt \(extra.value) does not fit 32 bits", at: extra.location)
          continue
        }
        kernels[k].interrupts.append(
          Partition.OwnedInterrupt(number: n, device: nil, location: extra.location))
      }
    }
  }

  private mutating func designateOwner(_ kernels: [Partition.Kernel]) -> Int? {
    let owners = kernels.filter(\.ownsInterruptController).map(\.index)
    if owners.count > 1 {
      let first = owners[0]
      for o in owners.dropFirst() {
        engine.error(
          .interruptControllerOwnedTwice,
          "'\(kernels[o].name)' and '\(kernels[first].name)' both own the interrupt controller; exactly one may initialise it",
          at: plan.kernels[o].owns.first?.location ?? kernels[o].location,
          notes: [
            .init("'\(kernels[first].name)' claims it here", at: plan.kernels[first].owns.first?.location)
          ])
      }
    }
    return owners.first ?? (kernels.isEmpty ? nil : 0)
  }

  // MARK: Doorbells

  /// The plan's choice when it makes one the machine can ring, else the
  /// boot mode's own: SGIs under PSCI, SBI IPIs under the SBI loader, and in
  /// OpenSBI domains (which refuse IPIs across domains) an ACLINT SSWI when
  /// the board has one, polling when not.
  private mutating func doorbellMechanism(boot: Plan.BootMode) -> Partition.DoorbellMechanism {
    let hasSSWI = machine.interruptControllers.contains { $0.kind == .aclintSSWI }
    let natural: Partition.DoorbellMechanism =
      switch boot {
      case .psci, .spinTable: .sgi
      case .sbiHSM: .sbiIPI
      case .opensbiDomains: hasSSWI ? .aclintSSWI : .polling
      }
    guard let wanted = plan.doorbells?.mechanism else { return natural }
    let refusal: String? =
      switch wanted.value {
      case .sgi:
        boot == .psci || boot == .spinTable ? nil : "SGI doorbells need an Arm GIC and an AArch64 boot mode"
      case .sbiIPI:
        switch boot {
        case .sbiHSM: nil
        case .opensbiDomains: "OpenSBI refuses SBI IPIs across domains; use aclint-sswi or polling"
        case .psci, .spinTable: "SBI IPI doorbells need RISC-V and an SBI"
        }
      case .aclintSSWI:
        boot == .psci || boot == .spinTable
          ? "ACLINT SSWI doorbells need RISC-V"
          : hasSSWI ? nil : "the board has no riscv,aclint-sswi device (QEMU: -M virt,aclint=on)"
      case .polling: nil
      }
    if let refusal {
      engine.error(
        .doorbellMechanismUnusable, "doorbells cannot be \(wanted.value.rawValue): \(refusal)",
        at: wanted.location)
      return natural
    }
    return wanted.value
  }

  private mutating func assignDoorbells(
    _ channels: inout [Partition.Channel], kernels: [Partition.Kernel], mechanism: Partition.DoorbellMechanism
  ) {
    let wantedFirst = plan.doorbells?.first?.value ?? 8
    let wantedCount = plan.doorbells?.count?.value ?? 8
    let multiplex = plan.doorbells?.multiplex?.value ?? true
    if mechanism == .sgi, wantedFirst > 15 || wantedCount == 0 || wantedFirst + min(wantedCount, 16) > 16 {
      engine.error(
        .doorbellsExhausted, "doorbells SGI \(wantedFirst) + \(wantedCount) do not fit SGIs 0-15",
        at: plan.doorbells?.count?.location ?? plan.doorbells?.first?.location)
    }
    // Carry on with values that fit, so the other checks still run.
    let first = UInt32(min(wantedFirst, 15))
    let count = Int(max(1, min(wantedCount, 16 - UInt64(first))))
    // Channel ends per kernel, in channel order.
    var ends: [Int: [(channel: Int, slot: Int)]] = [:]
    for c in channels.indices {
      for (slot, k) in channels[c].members.enumerated() { ends[k, default: []].append((c, slot)) }
    }
    for c in channels.indices {
      channels[c].doorbells = channels[c].members.map { k in
        Partition.Doorbell(kernel: k, cpu: kernels[k].bootCPU ?? 0, interrupt: 0, multiplexed: false, bit: 0)
      }
    }
    for (k, list) in ends.sorted(by: { $0.key < $1.key }) {
      let mux: Bool
      switch mechanism {
      case .sgi:
        if list.count > count && !multiplex {
          let sgis =
            count == 1
            ? "only 1 doorbell SGI (\(first))"
            : "only \(count) doorbell SGIs (\(first)-\(first + UInt32(max(count, 1)) - 1))"
          engine.error(
            .doorbellsExhausted,
            "'\(kernels[k].name)' has \(list.count) channel ends but \(sgis) and multiplexing is off",
            at: plan.kernels[k].name.location,
            notes: [.init("multiplexing is turned off here", at: plan.doorbells?.multiplex?.location)])
        }
        mux = list.count > count
      // One supervisor software interrupt serves every channel of a hart (and the
      // kernel's own IPIs), so SBI IPI doorbells always go through the bitmap.
      case .sbiIPI: mux = true
      case .aclintSSWI: mux = list.count > 1
      case .polling: mux = false
      }
      for (n, end) in list.enumerated() {
        let irq: UInt32 = mechanism == .sgi ? (mux ? first : first + UInt32(n)) : 1
        channels[end.channel].doorbells[end.slot].interrupt = irq
        channels[end.channel].doorbells[end.slot].multiplexed = mux
        channels[end.channel].doorbells[end.slot].bit = n
      }
    }
  }

  // MARK: Images

  /// Room for a kernel's DTB at the top of its first memory range: 32 KiB for
  /// the board's common nodes plus room for each CPU, device and channel node
  /// it will hold, in whole 64 KiB (a QEMU virt kernel's tree is about 10 KiB).
  static func dtbSlotSize(kernel: Partition.Kernel, channelEnds ends: Int) -> UInt64 {
    let bytes =
      dtbSlot / 2 + UInt64(kernel.cpus.count) * 512 + UInt64(kernel.allDevices.count) * 1024 + UInt64(ends)
      * 1024
    return (bytes + dtbSlot - 1) / dtbSlot * dtbSlot
  }

  private mutating func resolveImages(
    _ kernels: inout [Partition.Kernel], channels: [Partition.Channel], cuts: [KernelCut]
  ) {
    let planDirectory = PathText.directory(of: plan.file)
    var ends = [Int: Int]()
    for c in channels { for m in Set(c.members) { ends[m, default: 0] += 1 } }
    for (k, spec) in plan.kernels.enumerated() {
      if let base = kernels[k].memory.first?.range {
        var slot = Self.dtbSlotSize(kernel: kernels[k], channelEnds: ends[kernels[k].index] ?? 0)
        if cuts.indices.contains(k) {
          // A real board's common nodes alone can outgrow the estimate.
          let need = UInt64(cuts[k].estimatedBlobSize) + Self.dtbSlot / 4
          slot = max(slot, (need + Self.dtbSlot - 1) / Self.dtbSlot * Self.dtbSlot)
        }
        // From the last address down: the range may end exactly at 2^64.
        if base.size / 2 >= slot { kernels[k].dtb = AddressRange(base: base.last - (slot - 1), size: slot) }
      }
      if let initrd = spec.initrd {
        let path =
          initrd.value.hasPrefix("/") || planDirectory.isEmpty
          ? initrd.value : "\(planDirectory)/\(initrd.value)"
        let size = fileSize(atPath: path)
        if let size, let dtb = kernels[k].dtb {
          // Just below the DTB, 64 KiB aligned; the image check says if it collides.
          let (up, past) = size.addingReportingOverflow(0xffff)
          let rounded = up & ~UInt64(0xffff)
          if !past, dtb.base >= rounded {
            kernels[k].initrd = Partition.Initrd(
              path: path, range: AddressRange(base: dtb.base - rounded, size: size), location: initrd.location
            )
          }
        } else if size == nil {
          engine.error(
            .imageUnreadable, "initrd of '\(spec.name.value)': cannot read \(path)", at: initrd.location)
        }
      }
      guard let image = spec.image else { continue }
      let path =
        image.path.value.hasPrefix("/")
        ? image.path.value
        : (planDirectory.isEmpty ? image.path.value : "\(planDirectory)/\(image.path.value)")
      do {
        kernels[k].image =
          try image.protocol.value == .binary
          ? KernelImage.loadBinary(path, at: image.at?.value) : KernelImage.load(path)
      } catch {
        engine.error(.imageUnreadable, "image of '\(spec.name.value)': \(error)", at: image.path.location)
      }
      if let root = image.rootTask {
        let rootPath =
          root.value.hasPrefix("/") || planDirectory.isEmpty ? root.value : "\(planDirectory)/\(root.value)"
        kernels[k].rootTaskLocation = root.location
        do {
          let task = try KernelImage.load(rootPath)
          if task.format == .elf {
            kernels[k].rootTask = task
          } else {
            engine.error(
              .imageUnreadable, "root task of '\(spec.name.value)': \(rootPath) is not an ELF file",
              at: root.location)
          }
        } catch {
          engine.error(.imageUnreadable, "root task of '\(spec.name.value)': \(error)", at: root.location)
        }
      }
    }
  }
}
