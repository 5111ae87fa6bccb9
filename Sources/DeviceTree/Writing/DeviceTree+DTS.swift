extension DeviceTree {
  /// The tree as device-tree source in dtc's own output style (`dtc -O dts`):
  /// tabs, a blank line before each child node, values guessed as strings,
  /// cells or bytes exactly as dtc guesses them.
  ///
  /// - Parameter labels: write node labels (`cpu0: cpu@0 {`); dtc's output for
  ///   a blob has none, so turn them off to compare with it.
  public func source(labels: Bool = true) -> String {
    var out = "/dts-v1/;\n\n"
    for r in reservations {
      out += "/memreserve/\t0x\(hex(r.address, width: 16)) 0x\(hex(r.size, width: 16));\n"
    }
    write(root, level: 0, labels: labels, into: &out)
    return out
  }

  private func write(_ id: NodeID, level: Int, labels: Bool, into out: inout String) {
    let node = self[id]
    let indent = String(repeating: "\t", count: level)
    out += indent
    if labels { for l in node.labels { out += "\(l): " } }
    out += node.name.isEmpty ? "/ {\n" : "\(node.name) {\n"
    for p in node.properties {
      out += indent + "\t" + p.name + DTSValue.render(p.value) + "\n"
    }
    for c in node.children {
      out += "\n"
      write(c, level: level + 1, labels: labels, into: &out)
    }
    out += indent + "};\n"
  }
}

/// dtc's guess of a property's type and its rendering (treesource.c).
public enum DTSValue {
  /// ` = <0x01>;`, ` = "text";`, ` = [01 02];` or `;` for an empty value.
  public static func render(_ v: [UInt8]) -> String {
    if v.isEmpty { return ";" }
    if looksLikeStrings(v) {
      // dtc 1.6 prints a string list from a blob as one string with \0 separators.
      return " = " + quote(v.dropLast()) + ";"
    }
    if v.count % 4 == 0 {
      var cells: [String] = []
      var i = 0
      while i < v.count {
        let c = UInt32(v[i]) << 24 | UInt32(v[i + 1]) << 16 | UInt32(v[i + 2]) << 8 | UInt32(v[i + 3])
        cells.append("0x" + hex(c, width: 2))
        i += 4
      }
      return " = <" + cells.joined(separator: " ") + ">;"
    }
    return " = [" + v.map { hex($0, width: 2) }.joined(separator: " ") + "];"
  }

  /// A value is shown as strings when it ends in NUL, every byte is printable
  /// or a C escape or NUL, and NULs are no more than the other bytes.
  static func looksLikeStrings(_ v: [UInt8]) -> Bool {
    guard v.last == 0 else { return false }
    var nul = 0
    for b in v {
      if b == 0 {
        nul += 1
      } else if !(isPrint(b) || [7, 8, 9, 10, 11, 12, 13].contains(b)) {
        return false
      }
    }
    return nul <= v.count - nul
  }

  static func isPrint(_ b: UInt8) -> Bool { b >= 0x20 && b < 0x7f }

  static func quote(_ bytes: ArraySlice<UInt8>) -> String {
    var s = "\""
    for b in bytes {
      switch b {
      case 7: s += "\\a"
      case 8: s += "\\b"
      case 9: s += "\\t"
      case 10: s += "\\n"
      case 11: s += "\\v"
      case 12: s += "\\f"
      case 13: s += "\\r"
      case 0x5c: s += "\\\\"
      case 0x22: s += "\\\""
      case 0: s += "\\0"
      default:
        if isPrint(b) { s.unicodeScalars.append(Unicode.Scalar(b)) } else { s += "\\x" + hex(b, width: 2) }
      }
    }
    return s + "\""
  }
}

/// Lower-case hexadecimal, zero-padded to at least `width` digits.
func hex<T: BinaryInteger>(_ v: T, width: Int) -> String {
  let s = String(v, radix: 16)
  return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
