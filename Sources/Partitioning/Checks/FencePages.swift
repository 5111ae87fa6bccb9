import DeviceTree
import Machine

/// `fence_page_shared`: stage-2 translation maps whole 4 KiB pages, so under
/// the fence a kernel reaches every page its devices' registers touch. Such a
/// page must hold nothing of another kernel: no registers of a device that
/// kernel holds and this one does not, no part of its memory or channels.
enum FencePages {
  private enum Item {
    case device(Int)  // index into fenceDevicePages
    case memory(kernel: Int, range: Int)
    case channel(Int)
  }

  static func check(_ p: Partition, _ engine: inout DiagnosticEngine) {
    let pages = p.fenceDevicePages
    var held = [Set<Int>](repeating: [], count: p.kernels.count)
    for e in pages where held.indices.contains(e.kernel) { held[e.kernel].insert(e.device) }
    var items: [Item] = pages.indices.map { .device($0) }
    var ranges = pages.map(\.pages)
    for k in p.kernels {
      for (i, m) in k.memory.enumerated() {
        items.append(.memory(kernel: k.index, range: i))
        ranges.append(m.range)
      }
    }
    for c in p.channels where c.region.size > 0 {
      items.append(.channel(c.index))
      ranges.append(c.region)
    }
    var reported = Set<[Int]>()
    for (a, b) in Overlaps.pairs(ranges) {
      switch (items[a], items[b]) {
      case (.device(let i), .device(let j)):
        devices(pages[i], pages[j], held: held, p, &reported, &engine)
      case (.device(let i), .memory(let k, let r)), (.memory(let k, let r), .device(let i)):
        let m = p.kernels[k].memory[r]
        guard pages[i].kernel != k else { continue }
        covers(
          pages[i], "'\(p.kernels[k].name)' memory \(m.range)", m.range,
          key: [1, pages[i].device, pages[i].kernel, k], at: m.location, p,
          &reported, &engine)
      case (.device(let i), .channel(let c)), (.channel(let c), .device(let i)):
        let channel = p.channels[c]
        guard !channel.members.contains(pages[i].kernel) else { continue }
        covers(
          pages[i], "channel \(channel.name) \(channel.region)", channel.region,
          key: [2, pages[i].device, pages[i].kernel, c],
          at: channel.location, p, &reported, &engine)
      default:
        continue
      }
    }
  }

  /// A device page over RAM of another kernel: reported unless the registers
  /// themselves overlap it, which `memory_overlaps_mmio` reports.
  private static func covers(
    _ e: Partition.DevicePages, _ what: String, _ range: AddressRange, key: [Int], at: SourceLocation,
    _ p: Partition, _ reported: inout Set<[Int]>, _ engine: inout DiagnosticEngine
  ) {
    guard !e.mmio.overlaps(range), let common = e.pages.intersection(range), reported.insert(key).inserted
    else { return }
    let k = p.kernels[e.kernel]
    let page = AddressRange(base: common.base & ~(Partition.fencePage - 1), size: Partition.fencePage)
    engine.error(
      .fencePageShared,
      "under isolation: stage2 the page \(page) of \(p.machine.devices[e.device].path) of '\(k.name)' "
        + "also holds part of \(what): the fence maps whole 4 KiB pages, so '\(k.name)' would reach it",
      at: location(of: e, p), notes: [.init("\(what) is given here", at: at)])
  }

  /// Two kernels' devices on one page: reported once per pair of devices when
  /// either kernel lacks the other's device.
  private static func devices(
    _ x: Partition.DevicePages, _ y: Partition.DevicePages, held: [Set<Int>], _ p: Partition,
    _ reported: inout Set<[Int]>, _ engine: inout DiagnosticEngine
  ) {
    guard x.kernel != y.kernel else { return }
    let (first, second) = x.kernel < y.kernel ? (x, y) : (y, x)
    let firstReaches = !held[first.kernel].contains(second.device)
    let secondReaches = !held[second.kernel].contains(first.device)
    guard firstReaches || secondReaches, let common = first.pages.intersection(second.pages),
      reported.insert([0, first.device, second.device, first.kernel, second.kernel]).inserted
    else { return }
    let page = AddressRange(base: common.base, size: Partition.fencePage)
    let a = p.kernels[first.kernel].name
    let b = p.kernels[second.kernel].name
    let firstPath = p.machine.devices[first.device].path
    let secondPath = p.machine.devices[second.device].path
    let consequence =
      firstReaches && secondReaches
      ? "each kernel would reach the other's registers"
      : firstReaches
        ? "'\(a)' would reach the registers of \(secondPath)"
        : "'\(b)' would reach the registers of \(firstPath)"
    engine.error(
      .fencePageShared,
      "under isolation: stage2 the page \(page) holds \(secondPath) of '\(b)' and \(firstPath) of '\(a)': "
        + "the fence maps whole 4 KiB pages, so \(consequence)",
      at: location(of: second, p),
      notes: [.init("'\(a)' takes \(firstPath) here", at: location(of: first, p))])
  }

  /// Where the plan gives a kernel the device: its reference, or for the
  /// interrupt controller's ITS / GICv2m the kernel's `owns:`.
  private static func location(of e: Partition.DevicePages, _ p: Partition) -> SourceLocation {
    let k = p.kernels[e.kernel]
    return k.deviceLocations[e.device] ?? p.plan.kernels[e.kernel].owns.first?.location ?? k.location
  }
}
