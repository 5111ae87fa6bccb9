/// A JSON value as the build writes it (report.json, boot/descriptor.json,
/// opensbi/placement.json): two-space indents, `"key" : value`, keys in byte
/// order, `/` unescaped. That is the layout of Foundation's pretty-printed,
/// sorted-keys `JSONEncoder`, which readers of these files have always seen;
/// writing it directly costs a fraction of the encoder's time.
public indirect enum JSON: Sendable {
  case null
  case bool(Bool)
  case number(Int64)
  case string(String)
  case array([JSON])
  /// Fields in any order; absent optionals are left out, as the encoder does.
  case object([(String, JSON)])
  /// A value written already, at the depth it stands at (``rendered(depth:)``): copied as it is.
  case text([UInt8])

  /// This value written as it stands at `depth` of a document, so that the
  /// parts of a large document can be written on several cores and the whole
  /// put together by copying them.
  public func rendered(depth: Int) -> JSON {
    var out: [UInt8] = []
    write(into: &out, depth: depth)
    return .text(out)
  }

  /// A top-level object with each field's value written already.
  public func renderingFields() -> JSON {
    guard case .object(let fields) = self else { return self }
    return .object(fields.map { ($0.0, $0.1.rendered(depth: 1)) })
  }

  /// An object with `key` set to `value`, added when absent.
  public func setting(_ key: String, to value: JSON) -> JSON {
    guard case .object(var fields) = self else { return self }
    if let i = fields.firstIndex(where: { $0.0 == key }) {
      fields[i].1 = value
    } else {
      fields.append((key, value))
    }
    return .object(fields)
  }

  /// An object of the fields that have a value.
  public static func fields(_ fields: KeyValuePairs<String, (any JSONValue)?>) -> JSON {
    .object(fields.compactMap { key, value in value.map { (key, $0.json) } })
  }

  /// The text, with a final newline.
  public var text: String {
    var out: [UInt8] = []
    write(into: &out, depth: 0)
    out.append(UInt8(ascii: "\n"))
    return String(decoding: out, as: UTF8.self)
  }

  private func write(into out: inout [UInt8], depth: Int) {
    switch self {
    case .null: out += "null".utf8
    case .bool(let b): out += (b ? "true" : "false").utf8
    case .number(let n): out += String(n).utf8
    case .string(let s): JSON.quote(s, into: &out)
    case .array(let items):
      out.append(UInt8(ascii: "["))
      writeLines(items.count, into: &out, depth: depth) { i, out in
        items[i].write(into: &out, depth: depth + 1)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let fields):
      let sorted = fields.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
      out.append(UInt8(ascii: "{"))
      writeLines(sorted.count, into: &out, depth: depth) { i, out in
        JSON.quote(sorted[i].0, into: &out)
        out += " : ".utf8
        sorted[i].1.write(into: &out, depth: depth + 1)
      }
      out.append(UInt8(ascii: "}"))
    case .text(let bytes): out += bytes
    }
  }

  /// `count` items, one per line at `depth + 1`, then the closing line's
  /// indent; an empty list is one empty line.
  private func writeLines(
    _ count: Int, into out: inout [UInt8], depth: Int, _ item: (Int, inout [UInt8]) -> Void
  ) {
    out.append(UInt8(ascii: "\n"))
    for i in 0..<count {
      if i > 0 { out += ",\n".utf8 }
      out += repeatElement(UInt8(ascii: " "), count: 2 * (depth + 1))
      item(i, &out)
    }
    out.append(UInt8(ascii: "\n"))
    out += repeatElement(UInt8(ascii: " "), count: 2 * depth)
  }

  private static func quote(_ s: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    // Runs of bytes that need no escape are copied at once: most strings are all such.
    var text = s
    text.withUTF8 { bytes in
      var start = 0
      for (i, b) in bytes.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
        out.append(contentsOf: bytes[start..<i])
        escape(b, into: &out)
        start = i + 1
      }
      out.append(contentsOf: bytes[start...])
    }
    out.append(UInt8(ascii: "\""))
  }

  private static func escape(_ b: UInt8, into out: inout [UInt8]) {
    switch b {
    case UInt8(ascii: "\""): out += "\\\"".utf8
    case UInt8(ascii: "\\"): out += "\\\\".utf8
    case 0x0a: out += "\\n".utf8
    case 0x0d: out += "\\r".utf8
    case 0x09: out += "\\t".utf8
    case 0x08: out += "\\b".utf8
    case 0x0c: out += "\\f".utf8
    default:
      let hex: StaticString = "0123456789abcdef"
      out += "\\u00".utf8
      out.append(hex.utf8Start[Int(b >> 4)])
      out.append(hex.utf8Start[Int(b & 0xf)])
    }
  }
}

/// A value that has a JSON form.
public protocol JSONValue {
  var json: JSON { get }
}

extension String: JSONValue {
  public var json: JSON { .string(self) }
}

extension Int: JSONValue {
  public var json: JSON { .number(Int64(self)) }
}

extension UInt32: JSONValue {
  public var json: JSON { .number(Int64(self)) }
}

extension Bool: JSONValue {
  public var json: JSON { .bool(self) }
}

extension Array: JSONValue where Element: JSONValue {
  public var json: JSON { .array(map { $0.json }) }
}
