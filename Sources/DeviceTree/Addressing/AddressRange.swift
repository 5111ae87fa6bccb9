/// A half-open range of physical (or bus) addresses `[base, base + size)`.
///
/// `end` is computed in 128-bit-safe form: a range reaching exactly 2^64 is
/// representable, one beyond it is rejected when the range is made from a file.
public struct AddressRange: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
  public var base: UInt64
  public var size: UInt64

  public init(base: UInt64, size: UInt64) {
    self.base = base
    self.size = size
  }

  /// A range, or `nil` when base + size would pass 2^64.
  public init?(checkedBase base: UInt64, size: UInt64) {
    guard size == 0 || base <= UInt64.max - (size - 1) else { return nil }
    self.init(base: base, size: size)
  }

  /// The last address inside the range (for a non-empty range).
  public var last: UInt64 { base &+ (size &- 1) }

  /// The first address past the range, saturated at UInt64.max.
  public var end: UInt64 {
    let (e, o) = base.addingReportingOverflow(size)
    return o ? UInt64.max : e
  }

  public func contains(_ address: UInt64) -> Bool { size > 0 && address >= base && address <= last }

  public func contains(_ other: AddressRange) -> Bool {
    other.size == 0 || (size > 0 && other.base >= base && other.last <= last)
  }

  public func overlaps(_ other: AddressRange) -> Bool {
    size > 0 && other.size > 0 && base <= other.last && other.base <= last
  }

  /// The common part of two ranges, if any.
  public func intersection(_ other: AddressRange) -> AddressRange? {
    guard overlaps(other) else { return nil }
    let b = max(base, other.base)
    let l = min(last, other.last)
    return AddressRange(base: b, size: l - b + 1)
  }

  public static func < (a: AddressRange, b: AddressRange) -> Bool {
    (a.base, a.size) < (b.base, b.size)
  }

  /// `[0x40000000, 0x80000000)`, the form messages use.
  public var description: String {
    "[0x\(String(base, radix: 16)), 0x\(size > 0 && last == UInt64.max ? "10000000000000000" : String(end, radix: 16)))"
  }
}
