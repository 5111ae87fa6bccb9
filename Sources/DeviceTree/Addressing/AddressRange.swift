/// A half-open range of physical (or bus) addresses `[base, base + size)`.
///
/// Every range cleave reads ends at or below 2^64, and one may end exactly
/// there (RAM at the top of the address space): `end` is therefore held in
/// 128 bits, so `[x, 2^64)` and `[x, 2^64 - 1)` stay apart, and `last` (the
/// inclusive last address) always fits 64 bits. Ranges made from file or plan
/// numbers go through ``init(checkedBase:size:)``, which refuses any that
/// would pass 2^64; the unchecked initialiser is for ranges derived from
/// ranges already checked.
public struct AddressRange: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
  /// One past the highest address: 2^64.
  public static let addressSpaceEnd = UInt128(UInt64.max) + 1

  public var base: UInt64
  public var size: UInt64

  public init(base: UInt64, size: UInt64) {
    self.base = base
    self.size = size
  }

  /// A range, or `nil` when base + size would pass 2^64 (ending exactly at 2^64 is fine).
  public init?(checkedBase base: UInt64, size: UInt64) {
    guard UInt128(base) + UInt128(size) <= Self.addressSpaceEnd else { return nil }
    self.init(base: base, size: size)
  }

  /// `[first, last]`, inclusive at both ends; `nil` when that is all 2^64
  /// addresses (a size that does not fit 64 bits) or `last < first`.
  public init?(first: UInt64, last: UInt64) {
    guard last >= first, last - first < UInt64.max else { return nil }
    self.init(base: first, size: last - first + 1)
  }

  /// `[base, end)` with an exact end, or `nil` when the range would be empty,
  /// reversed, past 2^64 or too large for a 64-bit size.
  public init?(base: UInt64, end: UInt128) {
    guard end > UInt128(base), end <= Self.addressSpaceEnd, end - UInt128(base) <= UInt128(UInt64.max) else {
      return nil
    }
    self.init(base: base, size: UInt64(end - UInt128(base)))
  }

  /// The last address inside the range (for a non-empty range; `base` for an empty one).
  public var last: UInt64 {
    guard size > 0 else { return base }
    // Cannot pass 2^64 - 1 for a checked range; saturates for an unchecked one.
    let (l, past) = base.addingReportingOverflow(size - 1)
    return past ? UInt64.max : l
  }

  /// The first address past the range, exactly: 2^64 for a range that ends at the top.
  public var end: UInt128 { UInt128(base) + UInt128(size) }

  /// Whether the range reaches the last 64-bit address.
  public var reachesTop: Bool { end == Self.addressSpaceEnd }

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
    return AddressRange(first: max(base, other.base), last: min(last, other.last))
  }

  /// The largest part of the range whose base and end are multiples of `unit`
  /// (a power of two or any positive number), or `nil` when none is.
  public func aligned(to unit: UInt64) -> AddressRange? {
    guard size > 0, unit > 0 else { return nil }
    let u = UInt128(unit)
    let start = (UInt128(base) + u - 1) / u * u
    let stop = end / u * u
    guard stop > start, start <= UInt128(UInt64.max) else { return nil }
    return AddressRange(base: UInt64(start), end: stop)
  }

  public static func < (a: AddressRange, b: AddressRange) -> Bool {
    (a.base, a.size) < (b.base, b.size)
  }

  /// `[0x40000000, 0x80000000)`, the form messages use; a range ending at the
  /// top of the address space ends `0x10000000000000000`.
  public var description: String {
    "[0x\(String(base, radix: 16)), 0x\(String(end, radix: 16)))"
  }
}
