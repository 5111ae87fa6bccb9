/// A property: a name and the raw big-endian bytes of its value.
///
/// Typed readings (cells, strings) are computed from the bytes on demand and
/// return `nil` when the bytes do not have that shape, so a malformed value from
/// a file never traps.
public struct Property: Sendable, Hashable {
  public var name: String
  public var value: [UInt8]

  public init(name: String, value: [UInt8]) {
    self.name = name
    self.value = value
  }

  /// A property whose value is a list of 32-bit cells.
  public init(name: String, cells: [UInt32]) {
    self.name = name
    self.value = cells.flatMap { c in
      [UInt8(c >> 24), UInt8((c >> 16) & 0xff), UInt8((c >> 8) & 0xff), UInt8(c & 0xff)]
    }
  }

  /// A property whose value is one or more NUL-terminated strings.
  public init(name: String, strings: [String]) {
    self.name = name
    self.value = strings.flatMap { Array($0.utf8) + [0] }
  }

  /// An empty (boolean) property.
  public init(flag name: String) {
    self.init(name: name, value: [])
  }

  /// The value as 32-bit cells, or `nil` when its length is not a multiple of 4.
  public var cells: [UInt32]? {
    guard value.count % 4 == 0 else { return nil }
    var out: [UInt32] = []
    out.reserveCapacity(value.count / 4)
    var i = 0
    while i < value.count {
      out.append(
        UInt32(value[i]) << 24 | UInt32(value[i + 1]) << 16 | UInt32(value[i + 2]) << 8 | UInt32(value[i + 3])
      )
      i += 4
    }
    return out
  }

  /// The value as exactly one cell.
  public var u32: UInt32? {
    guard value.count == 4, let c = cells else { return nil }
    return c[0]
  }

  /// The value as one 64-bit number stored in two cells (or one cell, widened).
  public var u64: UInt64? {
    guard let c = cells else { return nil }
    switch c.count {
    case 1: return UInt64(c[0])
    case 2: return UInt64(c[0]) << 32 | UInt64(c[1])
    default: return nil
    }
  }

  /// The value as a list of NUL-terminated strings, or `nil` when it is not one.
  public var strings: [String]? {
    guard let last = value.last, last == 0 else { return nil }
    var out: [String] = []
    var start = 0
    for (i, b) in value.enumerated() where b == 0 {
      guard let s = String(validating: value[start..<i], as: UTF8.self) else { return nil }
      out.append(s)
      start = i + 1
    }
    return out
  }

  /// The first string of the value.
  public var string: String? { strings?.first }
}
