import DeviceTree

/// A device: any node with a `compatible` outside the CPU, memory and reservation
/// trees, with its CPU-visible MMIO windows, its interrupts and the providers it uses.
public struct Device: Sendable, Hashable {
  public var index: Int
  public var node: NodeID
  public var path: String
  public var name: String
  public var labels: [String]
  /// `/aliases` entries naming this node (`serial0`).
  public var aliases: [String]
  public var compatible: [String]
  public var enabled: Bool
  public var mmio: [AddressRange]
  public var interrupts: [RoutedInterrupt]
  public var providers: [Provider]
  public var numaNode: UInt32?
  /// The node declares `interrupt-controller` (a GIC, a PLIC, but also a GPIO block).
  public var isInterruptController: Bool
  /// The node is an interrupt controller cleave divides itself (GIC, ITS, GICv2m,
  /// PLIC, CLINT, ACLINT, APLIC, IMSIC): its ownership follows the ownership model,
  /// not the plan's device lists.
  public var isSystemInterruptController: Bool
  /// The node is a bus (`simple-bus` and the like) that only translates addresses.
  public var isBus: Bool

  /// An interrupt and the controller that receives it.
  public struct RoutedInterrupt: Sendable, Hashable {
    public var controller: NodeID
    public var interrupt: Interrupt
  }

  /// A resource another node provides: clocks, resets, power-domains, pinctrl, phys, iommus.
  public struct Provider: Sendable, Hashable {
    public var kind: String
    public var node: NodeID
    public var arguments: [UInt32]
  }
}
