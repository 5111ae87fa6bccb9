/// An interrupt as its controller sees it: the controller node and the specifier cells.
public struct InterruptSpecifier: Sendable, Hashable {
  public var controller: NodeID
  public var cells: [UInt32]
  public init(controller: NodeID, cells: [UInt32]) {
    self.controller = controller
    self.cells = cells
  }
}

/// A decoded interrupt.
public enum Interrupt: Sendable, Hashable {
  /// An Arm GIC interrupt: its type, its INTID, the trigger flags and (GICv2 PPIs) the CPU mask.
  case gic(type: GICInterruptType, intid: UInt32, trigger: UInt32, cpuMask: UInt8)
  /// A PLIC source number.
  case plic(source: UInt32)
  /// A hart-local interrupt (`riscv,cpu-intc`): the hart's CPU node and the cause number.
  case cpuLocal(cpu: NodeID?, cause: UInt32)
  /// Any other controller: the raw cells.
  case other(cells: [UInt32])
}

/// The GIC interrupt types of the `arm,gic` bindings.
public enum GICInterruptType: String, Sendable, Codable {
  case sgi, ppi, spi, espi, eppi
}
