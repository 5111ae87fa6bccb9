import DeviceTree
import Machine

extension Partition {
  /// One block per kernel and channel: what the plan resolved to.
  public var summary: String {
    var out: [String] = []
    var windows = [[String]](repeating: [], count: kernels.count)
    for w in fenceWindows where windows.indices.contains(w.kernel) {
      windows[w.kernel].append("\(w.range)\(w.kind == .shared ? " (shared)" : "")")
    }
    for k in kernels {
      let cores = k.cpus.map { machine.cpus[$0].name }.joined(separator: " ")
      var line = "\(k.name.padded(8)) cores \(cores)"
      if k.ownsInterruptController { line += "  (owns the interrupt controller)" }
      out.append(line)
      for m in k.memory {
        out.append("         memory \(m.range) \(Format.size(m.range.size))\(m.placed ? "" : " (fixed)")")
      }
      if !k.devices.isEmpty || !k.sharedDevices.isEmpty {
        let own = k.devices.map { machine.devices[$0].names[0] }
        let shared = k.sharedDevices.map { machine.devices[$0].names[0] + " (shared)" }
        let all = own + shared
        let shown =
          all.count > 8
          ? all.prefix(6).joined(separator: ", ") + ", ... and \(all.count - 6) more"
          : all.joined(separator: ", ")
        out.append("         devices (\(all.count)) \(shown)")
      }
      let irqs = Set(k.interrupts.map(\.number)).sorted()
      if !irqs.isEmpty { out.append("         interrupts \(Self.spans(irqs))") }
      if windows.indices.contains(k.index), !windows[k.index].isEmpty {
        out.append("         windows \(windows[k.index].joined(separator: " "))")
      }
    }
    for c in channels {
      let bells = c.doorbells.map { d in
        let irq = doorbellMechanism == .sgi ? "SGI \(d.interrupt)" : doorbellMechanism.rawValue
        return
          "\(kernels[d.kernel].name) \(irq) on \(machine.cpus[d.cpu].name)\(d.multiplexed ? " (multiplexed, bit \(d.bit))" : "")"
      }
      out.append(
        "channel \(c.name) \(c.region) \(Format.size(c.region.size)): \(bells.joined(separator: "; "))")
    }
    for f in foreign {
      let cores = f.cpus.map { machine.cpus[$0].path }.joined(separator: " ")
      out.append("\(f.name.padded(8)) foreign\(cores.isEmpty ? "" : ", cores \(cores)")")
      for m in f.memory { out.append("         memory \(m.range) \(Format.size(m.range.size))") }
      let devices =
        f.devices.map { machine.devices[$0].names[0] }
        + f.sharedDevices.map { machine.devices[$0].names[0] + " (shared)" }
      if !devices.isEmpty {
        out.append("         devices (\(devices.count)) \(devices.joined(separator: ", "))")
      }
    }
    if let fence = isolation {
      let power = fence.power.map { "'\(kernels[$0].name)'" }
      // GICv2's SGIs are a distributor register, which the fence always emulates; GICv3's are trapped on request.
      let sgis =
        if !fenceFiltersSGIs { "" } else if machine.primaryInterruptController?.kind == .gicV2 {
          ", SGIs filtered"
        } else { ", SGIs filtered (trapped)" }
      out.append(
        "isolation stage2: EL2 fence, on fault \(fence.onFault.rawValue)\(sgis)"
          + (power.isEmpty ? "" : ", \(power.joined(separator: " and ")) may power the machine off"))
    }
    for s in sharedRegions {
      let members = s.kernels.map { kernels[$0].name } + s.foreign.map { foreign[$0].name }
      out.append("shared   \(s.range) \(Format.size(s.range.size)): \(members.joined(separator: ", "))")
    }
    return out.joined(separator: "\n")
  }
}

extension Partition {
  /// `33-34 39 48-79`: sorted numbers with runs collapsed.
  static func spans(_ sorted: [UInt32]) -> String {
    var parts: [String] = []
    var i = 0
    while i < sorted.count {
      var j = i
      while j + 1 < sorted.count, sorted[j + 1] == sorted[j] + 1 { j += 1 }
      parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
      i = j + 1
    }
    return parts.joined(separator: " ")
  }
}
