import DeviceTree

/// A range of RAM from a `device_type = "memory"` node, or from a plan's `ram:`.
public struct MemoryBank: Sendable, Hashable {
  /// The memory node; `nil` for a bank the plan gave.
  public var node: NodeID?
  public var path: String
  public var range: AddressRange
  public var numaNode: UInt32?
}

/// Memory the board keeps from general use: a `/memreserve/` entry or a `/reserved-memory` child.
public struct Reservation: Sendable, Hashable {
  public enum Source: String, Sendable, Codable { case memreserve, reservedMemory = "reserved-memory" }
  public var source: Source
  /// The `/reserved-memory` child, if it came from one.
  public var node: NodeID?
  public var name: String
  /// The fixed range; `nil` for a dynamic reservation (only `size`, placed by the OS).
  public var range: AddressRange?
  /// Size and alignment of a dynamic reservation.
  public var size: UInt64?
  public var alignment: UInt64?
  /// `no-map`: the OS must not map it at all (firmware, secure memory).
  public var noMap: Bool
  /// `reusable`: the OS may use it until the owning driver claims it.
  public var reusable: Bool
  public var compatible: [String]
}
