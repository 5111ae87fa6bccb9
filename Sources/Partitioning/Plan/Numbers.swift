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
    var s = text.replacingOccurrences(of: "_", with: "")
    var radix = 10
    if s.hasPrefix("0x") || s.hasPrefix("0X") {
      s = String(s.dropFirst(2))
      radix = 16
    }
    guard !s.isEmpty, s.allSatisfy({ $0.isHexDigit && (radix == 16 || $0.isNumber) }) else {
      throw .notANumber
    }
    guard let v = UInt64(s, radix: radix) else { throw .overflow }
    return v
  }

  public static func size(_ text: String) throws(Failure) -> UInt64 {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let units: [(String, UInt64)] = [
      ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
      ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("TB", 1 << 40),
      ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40),
    ]
    if trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X") { return try parse(trimmed) }
    let digits = trimmed.prefix { $0.isNumber || $0 == "_" }
    let suffix = String(trimmed.dropFirst(digits.count)).trimmingCharacters(in: .whitespaces)
    guard !digits.isEmpty else { throw .notANumber }
    let value = try parse(String(digits))
    if suffix.isEmpty { return value }
    guard let scale = units.first(where: { $0.0 == suffix })?.1 else { throw .badSuffix(suffix) }
    let (r, o) = value.multipliedReportingOverflow(by: scale)
    if o { throw .overflow }
    return r
  }
}
