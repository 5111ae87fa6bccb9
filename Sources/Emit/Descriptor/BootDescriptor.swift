import CBootABI
import DeviceTree
import Machine
import Partitioning

#if _endian(big)
  #error("the boot descriptor is little-endian; serialising it by copying structs needs a little-endian host")
#endif

/// The boot descriptor (CBootABI's `struct cleave_desc` and its tables) and the
/// payload it indexes: descriptor, then every kernel's DTB, then every image.
public struct BootDescriptor: Sendable {
  /// The descriptor alone (`total_size` bytes), CRC included.
  public var descriptor: [UInt8]
  /// Descriptor, DTBs and images, as the loader finds them after itself.
  public var payload: [UInt8]
  /// The same content for people and tools.
  public var summary: DescriptorSummary

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
    /// The partition is sound but larger than the loader's tables: the trees
    /// are still worth writing, only nothing can be packed for the loader.
    public var exceedsLoader = false
  }

  /// How the loader starts a CPU (`cleave_cpu.start`, `release_addr`): by the
  /// boot mode, and under spin-table at the core's own release address.
  /// check has refused a plan whose cores do not start that way.
  static func start(_ p: Partition, cpu c: Int) -> (UInt32, UInt64) {
    switch p.boot {
    case .psci: (UInt32(CLEAVE_START_PSCI), 0)
    case .spinTable:
      if case .spinTable(let release) = p.machine.startMethod(of: c) {
        (UInt32(CLEAVE_START_SPIN_TABLE), release)
      } else {
        // Only the board's one core, which the loader runs on and never starts.
        (UInt32(CLEAVE_START_PSCI), 0)
      }
    case .sbiHSM: (UInt32(CLEAVE_START_SBI_HSM), 0)
    case .opensbiDomains: (UInt32(CLEAVE_START_FIRMWARE), 0)
    }
  }

  /// Builds the descriptor for a partition whose kernels have these DTBs and image bytes.
  public static func make(
    _ p: Partition, dtbs: [[UInt8]], images: [[UInt8]?], initrds: [[UInt8]?] = [], rootTasks: [[UInt8]?] = []
  ) throws -> BootDescriptor {
    let initrds = initrds.isEmpty ? Array(repeating: nil, count: images.count) : initrds
    let rootTasks = rootTasks.isEmpty ? Array(repeating: nil, count: images.count) : rootTasks
    let layouts = p.bootInfoLayouts
    let mpidrs = layouts.first?.mpidrs ?? []
    let bootInfos = try layouts.map { try bootInfo($0, kernel: p.kernels[$0.kernel]) }
    var kernels: [cleave_kernel] = []
    var cpus: [cleave_cpu] = []
    var segments: [cleave_segment] = []
    var routes: [cleave_route] = []
    var channels: [cleave_channel] = []
    let banks = p.machine.memory.map { cleave_range(base: $0.range.base, size: $0.range.size) }
    let grants = Self.grants(p)
    let windows = Self.windows(p)
    var cpuSlot: [Int: Int] = [:]  // machine CPU index -> cpu table index

    for k in p.kernels {
      for (i, c) in k.cpus.enumerated() {
        cpuSlot[c] = cpus.count
        let (start, release) = Self.start(p, cpu: c)
        cpus.append(
          cleave_cpu(
            hwid: p.machine.cpus[c].hardwareID, kernel: UInt32(k.index),
            flags: i == 0 ? UInt32(CLEAVE_CPU_BOOT) : 0, start: start, reserved: 0, release_addr: release))
      }
    }
    let counts = (kernels: p.kernels.count, cpus: cpus.count, channels: p.channels.count, banks: banks.count)
    var segmentCount = 0
    for k in p.kernels {
      segmentCount +=
        KernelPlacement.segments(of: k).count + (k.initrd == nil || initrds[k.index] == nil ? 0 : 1)
        + (rootTasks[k.index] == nil ? 0 : k.rootTask?.segments.count ?? 0)
    }
    var routeCount = 0
    for k in p.kernels { routeCount += Set(k.interrupts.map(\.number)).count }
    // The loader compares every pair in these tables and refuses larger ones.
    guard cpus.count <= CLEAVE_MAX_CPUS, routeCount <= CLEAVE_MAX_ROUTES, grants.count <= CLEAVE_MAX_GRANTS
    else {
      throw Failure(
        description:
          "the descriptor needs \(cpus.count) CPUs, \(routeCount) routes and \(grants.count) grants; the loader takes at most \(CLEAVE_MAX_CPUS), \(CLEAVE_MAX_ROUTES) and \(CLEAVE_MAX_GRANTS)",
        exceedsLoader: true)
    }
    let headerSize = MemoryLayout<cleave_desc>.size
    let kernelOffset = headerSize
    let cpuOffset = kernelOffset + counts.kernels * MemoryLayout<cleave_kernel>.size
    let segmentOffset = cpuOffset + counts.cpus * MemoryLayout<cleave_cpu>.size
    let routeOffset = segmentOffset + segmentCount * MemoryLayout<cleave_segment>.size
    let channelOffset = routeOffset + routeCount * MemoryLayout<cleave_route>.size
    let bankOffset = channelOffset + counts.channels * MemoryLayout<cleave_channel>.size
    let grantOffset = bankOffset + counts.banks * MemoryLayout<cleave_range>.size
    let bootInfoOffset = grantOffset + grants.count * MemoryLayout<cleave_grant>.size
    let mpidrOffset = bootInfoOffset + bootInfos.count * MemoryLayout<cleave_boot_info>.size
    let windowOffset = mpidrOffset + mpidrs.count * MemoryLayout<UInt64>.size
    let total = windowOffset + windows.count * MemoryLayout<cleave_window>.size

    // Payload after the descriptor: DTBs, then images, each 8-byte aligned.
    var cursor = UInt64(align8(total))
    var dtbOffsets: [UInt64] = []
    for d in dtbs {
      dtbOffsets.append(cursor)
      cursor += UInt64(align8(d.count))
    }
    // Images, initrds and root tasks, each file's bytes once: one seL4 kernel
    // ELF and root task serve every kernel of a plan.
    var placed: [[UInt8]: UInt64] = [:]
    var blobs: [[UInt8]] = []
    func place(_ bytes: [UInt8]?) -> UInt64 {
      guard let bytes else { return cursor }
      if let at = placed[bytes] { return at }
      let at = cursor
      placed[bytes] = at
      blobs.append(bytes)
      cursor += UInt64(align8(bytes.count))
      return at
    }
    let imageOffsets = images.map(place)
    let initrdOffsets = initrds.map(place)
    let rootTaskOffsets = rootTasks.map(place)

    let ic = p.machine.primaryInterruptController
    // Each image is hashed once, for the descriptor and its summary.
    var digests = [[UInt8]?](repeating: nil, count: p.kernels.count)
    for k in p.kernels {
      var entry = cleave_kernel()
      setName(&entry.name, k.name)
      entry.index = UInt32(k.index)
      entry.protocol =
        switch k.protocol {
        case .linux: UInt32(CLEAVE_PROTO_LINUX)
        case .sel4BootInfo: UInt32(CLEAVE_PROTO_SEL4_BOOT_INFO)
        case .elf, .binary: UInt32(CLEAVE_PROTO_ELF)
        }
      var flags: UInt32 = 0
      if p.interruptControllerOwner == k.index { flags |= UInt32(CLEAVE_KERNEL_OWNS_IC) }
      if k.resetsInterruptController { flags |= UInt32(CLEAVE_KERNEL_RESETS_IC) }
      if p.isolation?.power.contains(k.index) == true { flags |= UInt32(CLEAVE_KERNEL_MAY_POWER) }
      entry.flags = flags
      let first = k.cpus.first.flatMap { cpuSlot[$0] } ?? 0
      entry.boot_cpu = UInt32(first)
      entry.cpu_first = UInt32(first)
      entry.cpu_count = UInt32(k.cpus.count)
      entry.segment_first = UInt32(segments.count)
      let dtb = dtbs[k.index]
      guard let slot = k.dtb else { throw Failure(description: "'\(k.name)' has no memory for its DTB") }
      guard UInt64(dtb.count) <= slot.size else {
        throw Failure(
          description:
            "the DTB of '\(k.name)' is \(dtb.count) bytes, more than its \(Format.size(slot.size)) slot")
      }
      entry.dtb_addr = slot.base
      entry.dtb_size = UInt64(dtb.count)
      entry.dtb_offset = dtbOffsets[k.index]
      entry.memory = cleave_range(
        base: k.memory.first?.range.base ?? 0, size: k.memory.first?.range.size ?? 0)
      if let image = k.image, let bytes = images[k.index] {
        entry.image_size = UInt64(bytes.count)
        entry.image_offset = imageOffsets[k.index]
        let digest = SHA256.hash(bytes)
        digests[k.index] = digest
        setDigest(&entry.image_sha256, digest)
        entry.entry = KernelPlacement.entry(of: k) ?? 0
        let placed = KernelPlacement.segments(of: k)
        switch image.format {
        case .elf:
          for (s, r) in zip(image.segments, placed) {
            segments.append(
              cleave_segment(
                src_offset: imageOffsets[k.index] + s.offset, dest: r.base, file_size: s.fileSize,
                mem_size: s.memorySize))
          }
        case .linuxArm64, .linuxRISCV, .binary:
          for r in placed {
            segments.append(
              cleave_segment(
                src_offset: imageOffsets[k.index], dest: r.base, file_size: UInt64(bytes.count),
                mem_size: r.size))
          }
        }
      }
      if let initrd = k.initrd, let bytes = initrds[k.index] {
        segments.append(
          cleave_segment(
            src_offset: initrdOffsets[k.index], dest: initrd.range.base, file_size: UInt64(bytes.count),
            mem_size: UInt64(bytes.count)))
      }
      if let task = k.rootTask, let layout = layouts.first(where: { $0.kernel == k.index }),
        rootTasks[k.index] != nil
      {
        // The root task's segments at the same offsets from its region as from its virtual base.
        for s in task.segments {
          segments.append(
            cleave_segment(
              src_offset: rootTaskOffsets[k.index] + s.offset,
              dest: layout.root.base &+ (s.virtualAddress &- layout.rootVirtual), file_size: s.fileSize,
              mem_size: s.memorySize))
        }
      }
      entry.segment_count = UInt32(segments.count) - entry.segment_first
      kernels.append(entry)

      for n in Set(k.interrupts.map(\.number)).sorted() {
        let boot = k.cpus.first
        let hw = boot.map { p.machine.cpus[$0].hardwareID } ?? 0
        let isPLIC = ic?.kind == .plic || ic?.kind == .aplic
        routes.append(
          cleave_route(
            irq: n, kernel: UInt32(k.index), target: isPLIC ? hw : hw & 0xff_00ff_ffff,
            cpu_mask: boot.map { $0 < 8 ? UInt32(1) << UInt32($0) : 0 } ?? 0, priority: isPLIC ? 1 : 0xa0))
      }
    }
    for c in p.channels {
      var entry = cleave_channel()
      setName(&entry.name, c.name)
      entry.region = cleave_range(base: c.region.base, size: c.region.size)
      guard c.doorbells.count <= Int(CLEAVE_CHANNEL_MAX_ENDS) else {
        throw Failure(
          description:
            "channel \(c.name) has \(c.doorbells.count) members; at most \(CLEAVE_CHANNEL_MAX_ENDS)")
      }
      entry.end_count = UInt32(c.doorbells.count)
      entry.flags = c.doorbells.contains(where: \.multiplexed) ? UInt32(CLEAVE_CHANNEL_MULTIPLEXED) : 0
      withUnsafeMutableBytes(of: &entry.ends) { raw in
        let ends = raw.bindMemory(to: cleave_channel_end.self)
        for (i, d) in c.doorbells.enumerated() {
          ends[i] = cleave_channel_end(
            kernel: UInt32(d.kernel), cpu: UInt32(cpuSlot[d.cpu] ?? 0), irq: d.interrupt, bit: UInt32(d.bit))
        }
      }
      channels.append(entry)
    }

    var header = cleave_desc()
    header.magic = CLEAVE_DESC_MAGIC
    header.version = UInt16(CLEAVE_DESC_VERSION)
    header.header_size = UInt16(headerSize)
    header.total_size = UInt32(total)
    header.arch = p.target == .aarch64 ? UInt32(CLEAVE_ARCH_AARCH64) : UInt32(CLEAVE_ARCH_RISCV64)
    header.boot_mode =
      switch p.boot {
      case .psci: UInt32(CLEAVE_BOOT_PSCI)
      case .spinTable: UInt32(CLEAVE_BOOT_SPIN_TABLE)
      case .sbiHSM: UInt32(CLEAVE_BOOT_SBI_HSM)
      case .opensbiDomains: UInt32(CLEAVE_BOOT_OPENSBI_DOMAINS)
      }
    header.ic_kind =
      switch ic?.kind {
      case .gicV2?: UInt32(CLEAVE_IC_GICV2)
      case .gicV3?: UInt32(CLEAVE_IC_GICV3)
      case .plic?: UInt32(CLEAVE_IC_PLIC)
      default: UInt32(CLEAVE_IC_NONE)
      }
    header.ic_owner = UInt32(p.interruptControllerOwner ?? 0)
    header.ic_base = ic?.frames.first?.range.base ?? 0
    header.ic_redist_base = ic?.frames.dropFirst().first?.range.base ?? 0
    header.conduit =
      switch p.machine.psci?.method {
      case "hvc"?: UInt32(CLEAVE_CONDUIT_HVC)
      case "smc"?: UInt32(CLEAVE_CONDUIT_SMC)
      default: UInt32(CLEAVE_CONDUIT_NONE)
      }
    header.doorbell =
      switch p.doorbellMechanism {
      case .sgi: UInt32(CLEAVE_DOORBELL_SGI)
      case .sbiIPI: UInt32(CLEAVE_DOORBELL_SBI_IPI)
      case .aclintSSWI: UInt32(CLEAVE_DOORBELL_ACLINT_SSWI)
      case .polling: UInt32(CLEAVE_DOORBELL_POLLING)
      }
    header.payload_size = cursor
    header.kernel_count = UInt32(kernels.count)
    header.kernel_offset = UInt32(kernelOffset)
    header.cpu_count = UInt32(cpus.count)
    header.cpu_offset = UInt32(cpuOffset)
    header.segment_count = UInt32(segments.count)
    header.segment_offset = UInt32(segmentOffset)
    header.route_count = UInt32(routes.count)
    header.route_offset = UInt32(routeOffset)
    header.channel_count = UInt32(channels.count)
    header.channel_offset = UInt32(channelOffset)
    header.bank_count = UInt32(banks.count)
    header.bank_offset = UInt32(bankOffset)
    header.grant_count = UInt32(grants.count)
    header.grant_offset = UInt32(grantOffset)
    header.boot_info_count = UInt32(bootInfos.count)
    header.boot_info_offset = bootInfos.isEmpty ? 0 : UInt32(bootInfoOffset)
    header.mpidr_count = UInt32(mpidrs.count)
    header.mpidr_offset = mpidrs.isEmpty ? 0 : UInt32(mpidrOffset)
    header.loader = cleave_range(base: p.loader.base, size: p.loader.size)
    header.flags = Self.flags(p)
    header.reserved = 0
    header.window_count = UInt32(windows.count)
    header.window_offset = windows.isEmpty ? 0 : UInt32(windowOffset)

    var bytes = raw(header)
    for x in kernels { bytes += raw(x) }
    for x in cpus { bytes += raw(x) }
    for x in segments { bytes += raw(x) }
    for x in routes { bytes += raw(x) }
    for x in channels { bytes += raw(x) }
    for x in banks { bytes += raw(x) }
    for x in grants { bytes += raw(x) }
    for x in bootInfos { bytes += raw(x) }
    for x in mpidrs { bytes += raw(x) }
    for x in windows { bytes += raw(x) }
    guard bytes.count == total else {
      throw Failure(description: "descriptor layout: \(bytes.count) bytes, expected \(total)")
    }
    let crc = CRC32.checksum(bytes)
    bytes.replaceSubrange(
      12..<16,
      with: [UInt8(crc & 0xff), UInt8((crc >> 8) & 0xff), UInt8((crc >> 16) & 0xff), UInt8(crc >> 24)])

    var payload = bytes + [UInt8](repeating: 0, count: align8(total) - total)
    for d in dtbs { payload += d + [UInt8](repeating: 0, count: align8(d.count) - d.count) }
    for b in blobs { payload += b + [UInt8](repeating: 0, count: align8(b.count) - b.count) }
    guard UInt64(payload.count) == cursor else {
      throw Failure(description: "payload layout: \(payload.count) bytes, expected \(cursor)")
    }
    let summary = DescriptorSummary(
      p, crc: crc, total: total, payload: payload.count, kernels: kernels, segments: segments, routes: routes,
      grants: grants, windows: windows, flags: header.flags, imageDigests: digests)
    return BootDescriptor(descriptor: bytes, payload: payload, summary: summary)
  }
}

extension BootDescriptor {
  /// The record inputs of one seL4 boot-info kernel, as the loader reads them.
  static func bootInfo(_ l: BootInfoLayout, kernel k: Partition.Kernel) throws -> cleave_boot_info {
    guard let node = l.node else {
      throw Failure(description: "'\(k.name)' has no node index: its core is not in its system core list")
    }
    guard l.ram.count <= BootInfoLayout.maxRAM, l.reserved.count <= BootInfoLayout.maxReserved,
      l.mpidrs.count <= 255
    else {
      throw Failure(
        description:
          "the record of '\(k.name)' needs \(l.ram.count) RAM regions, \(l.reserved.count) reserved regions and \(l.mpidrs.count) MPIDRs; it holds at most \(BootInfoLayout.maxRAM), \(BootInfoLayout.maxReserved) and 255"
      )
    }
    var b = cleave_boot_info()
    b.kernel = UInt32(k.index)
    b.node = UInt32(node)
    b.record = l.record.base
    b.record_size = l.record.size
    b.window = cleave_range(base: l.window.base, size: l.window.size)
    b.window_vaddr = l.windowVirtual
    b.entry_vaddr = l.entryVirtual
    b.root = cleave_range(base: l.root.base, size: l.root.size)
    b.root_vaddr = l.rootVirtual
    b.root_entry = l.rootEntry
    b.ram_count = UInt32(l.ram.count)
    b.reserved_count = UInt32(l.reserved.count)
    withUnsafeMutableBytes(of: &b.ram) { raw in
      let ram = raw.bindMemory(to: cleave_range.self)
      for (i, r) in l.ram.enumerated() { ram[i] = cleave_range(base: r.base, size: r.size) }
    }
    withUnsafeMutableBytes(of: &b.reserved) { raw in
      let reserved = raw.bindMemory(to: cleave_range.self)
      for (i, r) in l.reserved.enumerated() { reserved[i] = cleave_range(base: r.base, size: r.size) }
    }
    return b
  }

  /// What each kernel is granted, grouped by kernel in plan order: its memory
  /// ranges, then the region of every channel it is a member of, marked with
  /// the channel's index (its place in the descriptor's channel table) so the
  /// loader lets exactly that channel's members share it.
  static func grants(_ p: Partition) -> [cleave_grant] {
    var grants: [cleave_grant] = []
    // Each kernel's channels, found in one pass rather than once per kernel.
    var channels = [[Int]](repeating: [], count: p.kernels.count)
    for (i, c) in p.channels.enumerated() where c.region.size > 0 {
      for m in Set(c.members) where channels.indices.contains(m) { channels[m].append(i) }
    }
    for k in p.kernels {
      for m in k.memory where m.range.size > 0 {
        grants.append(
          cleave_grant(
            range: cleave_range(base: m.range.base, size: m.range.size), kernel: UInt32(k.index),
            channel: CLEAVE_GRANT_MEMORY))
      }
      for i in channels.indices.contains(k.index) ? channels[k.index] : [] {
        let c = p.channels[i]
        grants.append(
          cleave_grant(
            range: cleave_range(base: c.region.base, size: c.region.size), kernel: UInt32(k.index),
            channel: UInt32(i)))
      }
    }
    return grants
  }
}

func align8(_ n: Int) -> Int { (n + 7) & ~7 }

func raw<T>(_ value: T) -> [UInt8] {
  withUnsafeBytes(of: value) { Array($0) }
}

/// Copies a name into a fixed C char array, NUL-padded and truncated to fit.
func setName<T>(_ field: inout T, _ name: String) {
  withUnsafeMutableBytes(of: &field) { buffer in
    for i in buffer.indices { buffer[i] = 0 }
    for (i, b) in name.utf8.prefix(buffer.count - 1).enumerated() { buffer[i] = b }
  }
}

func setDigest<T>(_ field: inout T, _ digest: [UInt8]) {
  withUnsafeMutableBytes(of: &field) { buffer in
    for (i, b) in digest.prefix(buffer.count).enumerated() { buffer[i] = b }
  }
}
