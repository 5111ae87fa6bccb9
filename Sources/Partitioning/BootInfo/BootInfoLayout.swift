import DeviceTree
import Machine

/// Where a seL4 boot-info kernel's pieces go and what its record says.
///
/// From the base of its first memory range: the kernel window (the image's
/// 2 MiB-rounded virtual window, segments at the same offsets), then the root
/// task (its 4 KiB-rounded window), then the record, 4 KiB aligned. The record
/// names as RAM exactly the kernel's memory ranges, sorted; as reserved, the
/// kernel's channel memory first (the one reserved region seL4 also hands its
/// root task, as device untyped; its own record when it has no channel), then
/// every other kernel's memory, every channel it is not a member of, the loader
/// and its own record, merged.
public struct BootInfoLayout: Sendable, Hashable {
  /// The record's fixed part: header, one kernel region, one root-task region.
  public static let fixedRecordSize: UInt64 = 0x18 + 0x10 + 0x20
  public static let maxRAM = 16
  public static let maxReserved = 18

  public var kernel: Int
  /// The boot core's place in the system core list (TPIDR_EL1), if it is there.
  public var node: Int?
  /// Physical kernel region and the virtual address its base is mapped at.
  public var window: AddressRange
  public var windowVirtual: UInt64
  public var entryVirtual: UInt64
  /// The root task's physical region, its virtual base and entry.
  public var root: AddressRange
  public var rootVirtual: UInt64
  public var rootEntry: UInt64
  public var record: AddressRange
  public var ram: [AddressRange]
  public var reserved: [AddressRange]
  /// The system core list as MPIDR affinities, in order.
  public var mpidrs: [UInt64]

  /// Bytes of the record itself (record.size rounds it up to 4 KiB).
  public var recordBytes: UInt64 {
    Self.fixedRecordSize + 16 * UInt64(ram.count + reserved.count) + 8 * UInt64(mpidrs.count)
  }

  /// Everything from the kernel's base up to the record's end.
  public var span: AddressRange { AddressRange(base: window.base, end: record.end) ?? window }

  /// The layout of kernel `k`, or nil when it is not a seL4 boot-info kernel
  /// or lacks what a layout needs (memory, a readable image and root task).
  public static func make(_ p: Partition, kernel k: Int) -> BootInfoLayout? {
    let kernel = p.kernels[k]
    guard kernel.protocol == .sel4BootInfo, let image = kernel.image, let task = kernel.rootTask,
      let first = kernel.memory.first?.range, let kw = SeL4Window(image),
      let rw = SeL4Window(task, alignment: SeL4Window.pageSize)
    else { return nil }
    let page = SeL4Window.pageSize
    let window = AddressRange(base: first.base, size: kw.size)
    // Kernel window, root task and a record of at most 1 MiB stay below 2^64.
    guard window.end + UInt128(rw.size) + (1 << 20) < AddressRange.addressSpaceEnd else { return nil }
    let root = AddressRange(base: UInt64(window.end), size: rw.size)

    let ram = kernel.memory.map(\.range).filter { $0.size > 0 }.sorted()
    var own: [AddressRange] = []
    var others: [AddressRange] = []
    for c in p.channels where c.region.size > 0 {
      if c.members.contains(k) { own.append(c.region) } else { others.append(c.region) }
    }
    for other in p.kernels where other.index != k {
      others += other.memory.map(\.range).filter { $0.size > 0 }
    }
    for s in p.sharedRegions where !s.kernels.contains(k) && s.range.size > 0 { others.append(s.range) }
    others.append(p.loader)
    let ownMerged = merge(own)
    let mpidrs = kernel.systemCores.map { p.machine.cpus[$0].hardwareID }
    // The record's own range goes in the reserved list, whose length sets the
    // record's size: one more region than the others, at most.
    let count = (ownMerged.isEmpty ? 0 : 1) + merge(Array(ownMerged.dropFirst()) + others).count + 1
    let bytes = fixedRecordSize + 16 * UInt64(ram.count + count) + 8 * UInt64(mpidrs.count)
    let record = AddressRange(base: UInt64(root.end), size: (bytes + page - 1) / page * page)
    // seL4 hands the first reserved region to the root task as device untyped:
    // the kernel's channel memory, or with no channel its own record, never
    // another kernel's memory.
    let handed = ownMerged.first ?? record
    let rest = merge(Array(ownMerged.dropFirst()) + others + (ownMerged.isEmpty ? [] : [record]))
    let reserved = [handed] + rest
    return BootInfoLayout(
      kernel: k, node: kernel.bootCPU.flatMap { kernel.systemCores.firstIndex(of: $0) }, window: window,
      windowVirtual: kw.base, entryVirtual: image.entry, root: root, rootVirtual: rw.base,
      rootEntry: task.entry,
      record: record, ram: ram, reserved: reserved, mpidrs: mpidrs)
  }

  /// Sorted, with overlapping and touching ranges joined.
  static func merge(_ ranges: [AddressRange]) -> [AddressRange] {
    var out: [AddressRange] = []
    for r in ranges.sorted() where r.size > 0 {
      if let last = out.last, UInt128(r.base) <= last.end {
        out[out.count - 1] = AddressRange(base: last.base, end: max(last.end, r.end)) ?? last
      } else {
        out.append(r)
      }
    }
    return out
  }
}

extension Partition {
  /// The boot-info layout of every seL4 boot-info kernel that has one, in kernel order.
  public var bootInfoLayouts: [BootInfoLayout] {
    kernels.indices.compactMap { BootInfoLayout.make(self, kernel: $0) }
  }
}
