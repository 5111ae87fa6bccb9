import DeviceTree

extension Device {
  /// Whether the device is something a plan gives to one kernel: it has MMIO
  /// windows or raises SPIs / PLIC sources. The system interrupt controllers,
  /// buses and per-core devices (arch timer, PMU: PPIs only) are not; every
  /// kernel keeps those. A GPIO block that is also an interrupt controller is.
  public var isPartitionable: Bool {
    guard enabled, !isBus, !isSystemInterruptController else { return false }
    return !mmio.isEmpty || interrupts.contains { $0.interrupt.isShared }
  }

  /// The names a plan may use for the device, best first: aliases, labels, path.
  public var names: [String] { aliases + labels + [path] }

  /// A serial port a kernel can print through: a `serialN` alias or a UART's compatible.
  public var isUART: Bool {
    aliases.contains { $0.hasPrefix("serial") }
      || compatible.contains { c in
        has(c, "pl011") || has(c, "uart") || has(c, "16550") || has(c, "serial")
      }
  }
}

extension Interrupt {
  /// A device interrupt that one kernel owns (GIC SPI, PLIC source), as opposed
  /// to a per-core one (PPI, hart-local cause).
  public var isShared: Bool {
    switch self {
    case .gic(let type, _, _, _): type == .spi || type == .espi
    case .plic: true
    case .cpuLocal, .other: false
    }
  }

  /// The GIC INTID or PLIC source number of a shared interrupt.
  public var ownedNumber: UInt32? {
    switch self {
    case .gic(let type, let intid, _, _) where type == .spi || type == .espi: intid
    case .plic(let source): source
    default: nil
    }
  }
}
