import Foundation

/// Parses the numbers and sizes a plan may contain: decimal or `0x` hexadecimal,
/// `_` separators, and for sizes a binary suffix `K`, `M`, `G`, `T` (optionally
/// followed by `iB` or `B`). Every result is checked against 64-bit overflow.
public enum Numbers {
  public enum Failure: Error, Equatable {
    case notANumber
    case overflow
    case badSuffix(String)
  }

  public static func parse(_ text: String) throws(Failure) -> UInt64 {
    // Byte by byte: a plan of thousands of kernels holds tens of thousands of numbers.
    var bytes = text.utf8.filter { $0 != UInt8(ascii: "_") }[...]
    var radix: UInt64 = 10
    if bytes.starts(with: "0x".utf8) || bytes.starts(with: "0X".utf8) {
      bytes = bytes.dropFirst(2)
      radix = 16
    }
    guard !bytes.isEmpty else { throw .notANumber }
    var value: UInt64 = 0
    var overflow = false
    for b in bytes {
      let digit: UInt8
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = b - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: digit = b - UInt8(ascii: "A") + 10
      default: throw .notANumber
      }
      let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
      let (sum, o2) = shifted.addingReportingOverflow(UInt64(digit))
      overflow = overflow || o1 || o2
      value = sum
    }
    if overflow { throw .overflow }
    return value
  }

  /// `text` without the spaces and tabs (Unicode `Zs`) around it: what
  /// Foundation's `.whitespaces` trims, at a fraction of its cost per call.
  static func trimmed(_ text: some StringProtocol) -> String {
    // Most text starts and ends in a printable ASCII byte: nothing to trim.
    let whole = String(text)
    if let first = whole.utf8.first, let last = whole.utf8.last,
      (0x21..<0x80).contains(first), (0x21..<0x80).contains(last)
    {
      return whole
    }
    func isSpace(_ c: Character) -> Bool {
      c == " " || c == "\t"
        || (c.unicodeScalars.count == 1
          && c.unicodeScalars.first?.properties.generalCategory == .spaceSeparator)
    }
    guard let first = text.firstIndex(where: { !isSpace($0) }),
      let last = text.lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(text[first...last])
  }

  private static let units: [(String, UInt64)] = [
    ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
    ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("TB", 1 << 40),
    ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40),
  ]

  public static func size(_ text: String) throws(Failure) -> UInt64 {
    let trimmed = Self.trimmed(text)
    if trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X") { return try parse(trimmed) }
    let digits = trimmed.prefix { $0.isNumber || $0 == "_" }
    let suffix = Self.trimmed(trimmed.dropFirst(digits.count))
    guard !digits.isEmpty else { throw .notANumber }
    let value = try parse(String(digits))
    if suffix.isEmpty { return value }
    guard let scale = units.first(where: { $0.0 == suffix })?.1 else { throw .badSuffix(suffix) }
    let (r, o) = value.multipliedReportingOverflow(by: scale)
    if o { throw .overflow }
    return r
  }
}
