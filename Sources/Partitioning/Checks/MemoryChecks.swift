import DeviceTree
import Machine

/// memory: overlaps between kernels, channels, the loader, reservations and MMIO;
/// memory outside RAM; alignment.
enum MemoryChecks {
  enum Owner {
    case kernel(Int, Partition.MemoryRegion)
    case channel(Int)
    case shared(Int)
    case loader
    case reservation(Reservation)
    case mmio(Device)
  }

  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    var claims: [(AddressRange, Owner)] = []
    for k in p.kernels { for m in k.memory { claims.append((m.range, .kernel(k.index, m))) } }
    for c in p.channels where c.region.size > 0 { claims.append((c.region, .channel(c.index))) }
    for (i, s) in p.sharedRegions.enumerated() { claims.append((s.range, .shared(i))) }
    if !p.kernels.isEmpty { claims.append((p.loader, .loader)) }
    for r in p.machine.reservations where r.noMap || r.source == .memreserve {
      if let range = r.range { claims.append((range, .reservation(r))) }
    }
    for d in p.machine.devices where d.enabled && !d.isBus && p.machine.claimsAddressSpace(d) {
      for w in d.mmio { claims.append((w, .mmio(d))) }
    }

    for (i, j) in Overlaps.pairs(claims.map(\.0)) {
      report(claims[i], claims[j], p, &engine)
    }
    for k in p.kernels {
      for m in k.memory {
        checkInsideRAM(m.range, what: p.describe(kernel: k.index, m.range), at: m.location, p, &engine)
      }
      for m in k.memory where !m.placed {
        if m.range.base % 0x1000 != 0 || m.range.size % 0x1000 != 0 {
          engine.error(
            .memoryMisaligned, "\(p.describe(kernel: k.index, m.range)) is not aligned to 4 KiB pages",
            at: m.location)
        }
      }
      if k.protocol == .linux, let first = k.memory.first, first.range.base % (2 << 20) != 0 {
        engine.error(
          .memoryMisaligned,
          "'\(k.name)' boots a Linux arm64 Image, whose base must be 2 MiB aligned, but its memory starts at \(Format.hex(first.range.base))",
          at: first.location)
      }
    }
    for c in p.channels where c.region.size > 0 {
      checkInsideRAM(c.region, what: "channel \(c.name) \(c.region)", at: c.location, p, &engine)
    }
    for s in p.sharedRegions {
      checkInsideRAM(s.range, what: "shared region \(s.range)", at: s.location, p, &engine)
    }
    if !p.kernels.isEmpty {
      checkInsideRAM(p.loader, what: "the loader region \(p.loader)", at: p.loaderLocation, p, &engine)
    }
  }

  private static func checkInsideRAM(
    _ r: AddressRange, what: String, at location: SourceLocation, _ p: Partition,
    _ engine: inout DiagnosticEngine
  ) {
    var rest: [AddressRange] = [r]
    for bank in p.machine.memory {
      rest = rest.flatMap { piece -> [AddressRange] in
        guard let cut = piece.intersection(bank.range) else { return [piece] }
        var out: [AddressRange] = []
        if cut.base > piece.base { out.append(AddressRange(base: piece.base, size: cut.base - piece.base)) }
        if cut.last < piece.last { out.append(AddressRange(base: cut.last + 1, size: piece.last - cut.last)) }
        return out
      }
    }
    guard let outside = rest.first else { return }
    let banks = p.machine.memory.map { "\($0.range)" }.joined(separator: ", ")
    engine.error(
      .memoryOutsideRAM, "\(what) is not RAM: \(outside) lies outside every memory bank (\(banks))",
      at: location)
  }

  private static func report(
    _ a: (AddressRange, Owner), _ b: (AddressRange, Owner), _ p: Partition, _ engine: inout DiagnosticEngine
  ) {
    // Put the kernel (or channel) first so the diagnostic sits at the plan line to fix.
    switch (a.1, b.1) {
    case (.kernel, _), (.channel, .loader), (.channel, .reservation), (.channel, .mmio), (.channel, .channel),
      (.shared, _),
      (.loader, .reservation), (.loader, .mmio):
      classify(a, b, p, &engine)
    default:
      classify(b, a, p, &engine)
    }
  }

  private static func classify(
    _ a: (AddressRange, Owner), _ b: (AddressRange, Owner), _ p: Partition, _ engine: inout DiagnosticEngine
  ) {
    let (ra, oa) = a
    let (rb, ob) = b
    let both = ra.intersection(rb).map { " (both hold \($0))" } ?? ""
    switch (oa, ob) {
    case (.kernel(let k1, let m1), .kernel(let k2, let m2)):
      let (later, earlier) =
        m1.location.line ?? 0 >= m2.location.line ?? 0 ? ((k1, m1), (k2, m2)) : ((k2, m2), (k1, m1))
      engine.error(
        .memoryOverlap,
        "\(p.describe(kernel: later.0, later.1.range)) overlaps \(p.describe(kernel: earlier.0, earlier.1.range))\(both)",
        at: later.1.location,
        notes: [.init("'\(p.kernels[earlier.0].name)' memory is declared here", at: earlier.1.location)])
    case (.kernel(let k, let m), .channel(let c)):
      guard !p.channels[c].members.contains(k) else { return }
      engine.error(
        .memoryOverlapsChannel,
        "\(p.describe(kernel: k, m.range)) overlaps channel \(p.channels[c].name) \(p.channels[c].region), which '\(p.kernels[k].name)' is not a member of",
        at: m.location, notes: [.init("the channel is declared here", at: p.channels[c].location)])
    case (.kernel(let k, let m), .shared(let s)):
      guard !p.sharedRegions[s].kernels.contains(k) else { return }
      engine.error(
        .memoryOverlap,
        "\(p.describe(kernel: k, m.range)) overlaps shared region \(p.sharedRegions[s].range), which '\(p.kernels[k].name)' does not share",
        at: m.location, notes: [.init("the shared region is declared here", at: p.sharedRegions[s].location)])
    case (.kernel(let k, let m), .loader):
      // Under OpenSBI domains no loader runs; the region keeps the firmware's memory.
      let firmware = p.boot == .opensbiDomains
      let note =
        p.plan.loader == nil
        ? "the default is the lowest 16 MiB of RAM; set `loader: { base, size }` to \(firmware ? "the firmware's own memory" : "move it")"
        : "the \(firmware ? "firmware" : "loader") region is set here"
      engine.error(
        .memoryOverlapsLoader,
        "\(p.describe(kernel: k, m.range)) overlaps the \(firmware ? "firmware" : "loader") region \(p.loader)\(both)",
        at: m.location,
        notes: [.init(note, at: p.loaderLocation)])
    case (.kernel(let k, let m), .reservation(let r)):
      p.reportReservedOverlap(p.describe(kernel: k, m.range), r, at: rb, location: m.location, into: &engine)
    case (.kernel(let k, let m), .mmio(let d)):
      engine.error(
        .memoryOverlapsMMIO, "\(p.describe(kernel: k, m.range)) overlaps the MMIO window \(rb) of \(d.path)",
        at: m.location,
        notes: [.init("the device is here", at: p.boardLocation(d.path + ":reg"))])
    case (.channel(let c1), .channel(let c2)):
      engine.error(
        .memoryOverlap, "channel \(p.channels[c2].name) \(rb) overlaps channel \(p.channels[c1].name) \(ra)",
        at: p.channels[c2].location,
        notes: [.init("the other channel is declared here", at: p.channels[c1].location)])
    case (.channel(let c), .loader):
      engine.error(
        .memoryOverlapsLoader, "channel \(p.channels[c].name) \(ra) overlaps the loader region \(p.loader)",
        at: p.channels[c].location)
    case (.channel(let c), .reservation(let r)):
      engine.error(
        .memoryOverlapsReserved,
        "channel \(p.channels[c].name) \(ra) overlaps reserved memory \(r.name) \(rb)",
        at: p.channels[c].location)
    case (.channel(let c), .mmio(let d)):
      engine.error(
        .memoryOverlapsMMIO,
        "channel \(p.channels[c].name) \(ra) overlaps the MMIO window \(rb) of \(d.path)",
        at: p.channels[c].location)
    case (.shared(let s), .loader):
      engine.error(
        .memoryOverlapsLoader, "shared region \(ra) overlaps the loader region \(p.loader)",
        at: p.sharedRegions[s].location,
        notes: [.init("the loader region is set here", at: p.loaderLocation)])
    case (.shared(let s), .reservation(let r)):
      engine.error(
        .memoryOverlapsReserved, "shared region \(ra) overlaps reserved memory \(r.name) \(rb)",
        at: p.sharedRegions[s].location)
    case (.shared(let s), .mmio(let d)):
      engine.error(
        .memoryOverlapsMMIO, "shared region \(ra) overlaps the MMIO window \(rb) of \(d.path)",
        at: p.sharedRegions[s].location,
        notes: [.init("the device is here", at: p.boardLocation(d.path + ":reg"))])
    case (.loader, .reservation(let r)):
      engine.error(
        .memoryOverlapsReserved, "the loader region \(ra) overlaps reserved memory \(r.name) \(rb)",
        at: p.loaderLocation,
        notes: [
          .init(
            "reserved by the board",
            at: p.boardLocation(r.node.map { p.machine.tree.path(of: $0) } ?? "/memreserve/"))
        ])
    case (.loader, .mmio(let d)):
      engine.error(
        .memoryOverlapsMMIO, "the loader region \(ra) overlaps the MMIO window \(rb) of \(d.path)",
        at: p.loaderLocation,
        notes: [.init("the device is here", at: p.boardLocation(d.path + ":reg"))])
    default:
      return
    }
  }

  private static func describe(_ o: Owner) -> String {
    switch o {
    case .loader: "the loader region"
    case .reservation(let r): "reserved memory \(r.name)"
    case .mmio(let d): "the MMIO of \(d.path)"
    case .kernel(let k, _): "kernel \(k) memory"
    case .channel(let c): "channel \(c)"
    case .shared(let s): "shared region \(s)"
    }
  }
}
