import DeviceTree
import Machine

extension Partition {
  /// One block per kernel and channel: what the plan resolved to.
  public var summary: String {
    var out: [String] = []
    for k in kernels {
      let cores = k.cpus.map { machine.cpus[$0].name }.joined(separator: " ")
      var line = "\(k.name.padded(8)) cores \(cores)"
      if k.ownsInterruptController { line += "  (owns the interrupt controller)" }
      out.append(line)
      for m in k.memory { out.append("         memory \(m.range) \(Format.size(m.range.size))\(m.placed ? "" : " (fixed)")") }
      if !k.devices.isEmpty || !k.sharedDevices.isEmpty {
        let own = k.devices.map { machine.devices[$0].names[0] }
        let shared = k.sharedDevices.map { machine.devices[$0].names[0] + " (shared)" }
        out.append("         devices \((own + shared).joined(separator: ", "))")
      }
      let irqs = k.interrupts.map(\.number)
      if !irqs.isEmpty { out.append("         interrupts \(irqs.map(String.init).joined(separator: " "))") }
    }
    for c in channels {
      let bells = c.doorbells.map { d in
        let irq = doorbellMechanism == .sgi ? "SGI \(d.interrupt)" : doorbellMechanism.rawValue
        return "\(kernels[d.kernel].name) \(irq) on \(machine.cpus[d.cpu].name)\(d.multiplexed ? " (multiplexed, bit \(d.bit))" : "")"
      }
      out.append("channel \(c.name) \(c.region) \(Format.size(c.region.size)): \(bells.joined(separator: "; "))")
    }
    return out.joined(separator: "\n")
  }
}

extension String {
  func padded(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
