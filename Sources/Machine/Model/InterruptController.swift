import DeviceTree

/// An interrupt controller and the parts of it a partition has to divide.
public struct InterruptController: Sendable, Hashable {
  public var node: NodeID
  public var path: String
  public var labels: [String]
  /// `nil` for controllers cleave does not divide (GPIO expanders and the like).
  public var kind: InterruptControllerKind?
  public var compatible: [String]
  public var interruptCells: Int?
  /// Named register frames: `gicd`, `gicc`, `gich`, `gicv`, `gicr0`…, `plic`, `clint`, `its`.
  public var frames: [Frame]
  /// PLIC / CLINT / ACLINT contexts, in `interrupts-extended` order (a context number is a position).
  public var contexts: [Context]
  /// `riscv,ndev` of a PLIC: the number of sources.
  public var sources: UInt32?
  /// GICv3 ITS and GICv2m frames under this GIC.
  public var children: [NodeID]

  public struct Frame: Sendable, Hashable {
    public var name: String
    public var range: AddressRange
  }

  /// One per-hart context: the hart's CPU index (nil when the entry is inert) and the cause it signals.
  public struct Context: Sendable, Hashable {
    public var position: Int
    public var cpu: Int?
    public var cause: UInt32
    /// `M-external`, `S-external`, `M-software`, `M-timer`, … from the cause number.
    public var role: String
  }
}
