import DeviceTree

/// RISC-V OpenSBI domains: each domain region is one PMP entry, a naturally
/// aligned power-of-two block; memory and channels are split into such blocks
/// (memory and channels are whole pages: the memory checks say so), and a
/// domain has only the PMP entries OpenSBI leaves free.
enum DomainChecks {
  /// QEMU virt harts have 16 PMP entries; OpenSBI keeps two (its own firmware and the default deny).
  static let pmpEntries = 16
  static let firmwareEntries = 2

  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    guard p.boot == .opensbiDomains else { return }
    for k in p.kernels {
      let regions = p.domainRegions(of: k).count
      let budget = pmpEntries - firmwareEntries
      if regions > budget {
        engine.error(
          .domainPMPExhausted,
          "domain '\(k.name)' needs \(regions) regions (memory and channels in naturally aligned blocks, device MMIO, interrupt-controller blocks) but only \(budget) PMP entries are left",
          at: k.location)
      }
    }
  }
}
