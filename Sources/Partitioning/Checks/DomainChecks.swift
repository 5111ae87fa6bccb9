import DeviceTree

/// RISC-V OpenSBI domains: PMP regions are naturally aligned powers of two, and
/// a domain has only the PMP entries OpenSBI leaves free.
enum DomainChecks {
  /// QEMU virt harts have 16 PMP entries; OpenSBI keeps two (its own firmware and the default deny).
  static let pmpEntries = 16
  static let firmwareEntries = 2

  static func napot(_ r: AddressRange) -> Bool {
    r.size.nonzeroBitCount == 1 && r.base % r.size == 0
  }

  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    guard p.boot == .opensbiDomains else { return }
    for k in p.kernels {
      var regions = 0
      for m in k.memory {
        regions += 1
        if !napot(m.range) {
          engine.error(.domainRegionNotPow2, "\(p.describe(kernel: k.index, m.range)) is not a power of two in size and alignment, so one PMP entry cannot cover it", at: m.location)
        }
      }
      for c in p.channels where c.members.contains(k.index) && c.region.size > 0 {
        regions += 1
        if !napot(c.region) {
          engine.error(.domainRegionNotPow2, "channel \(c.name) \(c.region) is not a power of two in size and alignment", at: c.location)
        }
      }
      // Devices and interrupt-controller blocks: one PMP entry each when naturally aligned.
      regions = p.domainRegions(of: k).count
      let budget = pmpEntries - firmwareEntries
      if regions > budget {
        engine.error(.domainPMPExhausted, "domain '\(k.name)' needs \(regions) regions (memory, channels, device MMIO, interrupt-controller blocks) but only \(budget) PMP entries are left", at: k.location)
      }
    }
  }
}
