/// One `/memreserve/` entry of the blob header's reservation block.
public struct MemoryReservation: Sendable, Hashable, Codable {
  public var address: UInt64
  public var size: UInt64

  public init(address: UInt64, size: UInt64) {
    self.address = address
    self.size = size
  }
}
