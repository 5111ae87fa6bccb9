import DeviceTree
import Foundation
import Machine
import Partitioning

/// The physical memory map of a partition: one lane per kernel plus loader,
/// shared, reserved and device lanes, each holding labelled ranges.
public struct MemoryMap: Sendable {
  public struct Item: Sendable, Hashable {
    public var lane: Int
    public var range: AddressRange
    public var label: String
  }

  public struct Lane: Sendable, Hashable {
    public enum Kind: String, Sendable { case kernel, loader, shared, reserved, devices }
    public var name: String
    public var kind: Kind
  }

  public var title: String
  public var lanes: [Lane]
  public var items: [Item]
  public var ram: [AddressRange]
  /// The seL4 boot-info record of each kernel that has one, with the kernel's name.
  public var records: [(kernel: String, record: BootInfoReport)]

  public init(_ p: Partition) {
    title = "\(PathText.name(of: p.boardPath)) — \(PathText.name(of: p.plan.file))"
    ram = p.machine.memory.map(\.range)
    var lanes: [Lane] = []
    var items: [Item] = []
    func lane(_ name: String, _ kind: Lane.Kind) -> Int {
      lanes.append(Lane(name: name, kind: kind))
      return lanes.count - 1
    }
    let reserved = lane("reserved", .reserved)
    // Under OpenSBI domains no loader runs: the region keeps the firmware clear.
    items.append(
      Item(lane: reserved, range: p.loader, label: p.boot == .opensbiDomains ? "firmware" : "loader"))
    for r in p.machine.reservations {
      guard let range = r.range else { continue }
      items.append(Item(lane: reserved, range: range, label: r.source == .memreserve ? "memreserve" : r.name))
    }
    for k in p.kernels {
      let l = lane(k.name, .kernel)
      for m in k.memory { items.append(Item(lane: l, range: m.range, label: k.name)) }
      if let dtb = k.dtb { items.append(Item(lane: l, range: dtb, label: "\(k.name) dtb")) }
      if let b = BootInfoLayout.make(p, kernel: k.index) {
        items.append(Item(lane: l, range: b.window, label: "\(k.name) kernel window"))
        items.append(Item(lane: l, range: b.root, label: "\(k.name) root task"))
        items.append(Item(lane: l, range: b.record, label: "\(k.name) boot-info record"))
      }
    }
    records = p.bootInfoLayouts.map { (p.kernels[$0.kernel].name, BootInfoReport($0, in: p)) }
    if !p.channels.isEmpty || !p.sharedRegions.isEmpty {
      let shared = lane("shared", .shared)
      for c in p.channels where c.region.size > 0 {
        items.append(Item(lane: shared, range: c.region, label: "channel \(c.name)"))
      }
      for s in p.sharedRegions {
        items.append(
          Item(
            lane: shared, range: s.range,
            label: "shared " + s.kernels.map { p.kernels[$0].name }.joined(separator: "+")))
      }
    }
    let devices = lane("devices", .devices)
    // Whose trees hold each device: the same cut the kernel trees are written from.
    var owner: [Int: String] = [:]
    for k in p.kernels {
      let held = p.cuts.indices.contains(k.index) ? p.cuts[k.index].devices : k.allDevices
      for d in held { owner[d] = owner[d].map { $0 + "+" + k.name } ?? k.name }
    }
    var run: (range: AddressRange, label: String, key: String, count: Int)?
    func flush() {
      if let r = run {
        items.append(
          Item(lane: devices, range: r.range, label: r.count > 1 ? "\(r.label) x\(r.count)" : r.label))
      }
      run = nil
    }
    let windows = p.machine.devices.filter { $0.isPartitionable || $0.isSystemInterruptController }
      .flatMap { d in d.mmio.map { (d, $0) } }.sorted { $0.1 < $1.1 }
    for (d, w) in windows {
      let who = d.isSystemInterruptController ? "all" : (owner[d.index] ?? "none")
      let name = d.compatible.first ?? d.name
      let key = "\(name)|\(who)"
      if var r = run, r.key == key, r.range.end == UInt128(w.base),
        let merged = AddressRange(base: r.range.base, end: w.end)
      {
        r.range = merged
        r.count += 1
        run = r
        continue
      }
      flush()
      run = (w, "\(d.names[0]) (\(who))", key, 1)
    }
    flush()
    self.lanes = lanes
    self.items = items.sorted { ($0.range.base, $0.lane) < ($1.range.base, $1.lane) }
  }

  /// `OUT/map.txt`: every range in address order with its lane, size and label.
  public var text: String {
    var out = ["memory map of \(title)", ""]
    out.append("RAM " + ram.map { "\($0) \(Format.size($0.size))" }.joined(separator: ", "))
    out.append("")
    let rangeWidth = items.map { "\($0.range)".count }.max() ?? 20
    let laneWidth = max(8, lanes.map(\.name.count).max() ?? 8)
    for item in items {
      let lane = lanes[item.lane].name
      let r = "\(item.range)"
      out.append(
        lane + String(repeating: " ", count: laneWidth - lane.count + 2) + r
          + String(repeating: " ", count: rangeWidth - r.count + 2)
          + Format.size(item.range.size).padded(10) + item.label)
    }
    if !records.isEmpty {
      out += ["", "seL4 boot-info records (TPIDR_EL1 = node; peers by their core's index in the MPIDR list)"]
      for r in records { out += r.record.lines(kernel: r.kernel) }
    }
    return out.joined(separator: "\n") + "\n"
  }
}
