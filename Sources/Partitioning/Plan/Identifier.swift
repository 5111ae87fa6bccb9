import CBootABI

/// The one rule for names a plan gives (kernels, channels): they become file
/// names under OUT, node names and strings in the per-kernel trees, and the
/// fixed-size `name` fields of the boot descriptor, so they are identifiers:
/// ASCII letters, digits, `_` and `-`, starting with a letter, and short
/// enough for `CLEAVE_NAME_MAX` with its terminating NUL.
public enum Identifier {
  /// The longest name the boot descriptor holds: its field minus the NUL.
  public static let maxLength = Int(CLEAVE_NAME_MAX) - 1

  /// The rule in words, for messages.
  public static let rule =
    "a name is ASCII letters, digits, '_' and '-', starts with a letter and has at most \(maxLength) characters"

  /// Why `name` is not an identifier, or `nil` when it is one: the end of a
  /// sentence that starts with the name.
  public static func problem(_ name: String) -> String? {
    guard let first = name.unicodeScalars.first else { return "is empty; \(rule)" }
    if let bad = name.unicodeScalars.first(where: { !isIdentifierScalar($0) }) {
      return "contains \(show(bad)); \(rule)"
    }
    if !isLetter(first) { return "starts with \(show(first)); \(rule)" }
    let length = name.unicodeScalars.count
    if length > maxLength {
      return
        "has \(length) characters; the boot descriptor's name field holds \(maxLength) (CLEAVE_NAME_MAX \(CLEAVE_NAME_MAX) with its NUL)"
    }
    return nil
  }

  /// The name as it may be shown in a one-line message: printable ASCII kept,
  /// anything else escaped, long names shortened.
  public static func quoted(_ name: String) -> String {
    var out = ""
    for s in name.unicodeScalars.prefix(40) { out += isPrintable(s) ? String(s) : escaped(s) }
    if name.unicodeScalars.count > 40 { out += "…" }
    return "'\(out)'"
  }

  private static func isLetter(_ s: Unicode.Scalar) -> Bool {
    (s >= "a" && s <= "z") || (s >= "A" && s <= "Z")
  }

  private static func isIdentifierScalar(_ s: Unicode.Scalar) -> Bool {
    isLetter(s) || (s >= "0" && s <= "9") || s == "_" || s == "-"
  }

  private static func isPrintable(_ s: Unicode.Scalar) -> Bool { s.value >= 0x20 && s.value < 0x7f }

  private static func escaped(_ s: Unicode.Scalar) -> String { "\\u{\(String(s.value, radix: 16))}" }

  private static func show(_ s: Unicode.Scalar) -> String {
    switch s {
    case " ": "a space"
    case "/": "'/'"
    case ".": "'.'"
    default: isPrintable(s) ? "'\(s)'" : escaped(s)
    }
  }
}
