extension DeviceTree {
  /// The tree as device-tree source in dtc's own output style (`dtc -O dts`):
  /// tabs, a blank line before each child node, values guessed as strings,
  /// cells or bytes exactly as dtc guesses them.
  ///
  /// - Parameter labels: write node labels (`cpu0: cpu@0 {`); dtc's output for
  ///   a blob has none, so turn them off to compare with it.
  public func source(labels: Bool = true) -> String {
    String(decoding: sourceBytes(labels: labels), as: UTF8.self)
  }

  /// ``source(labels:)`` as the UTF-8 bytes a file of it holds.
  public func sourceBytes(labels: Bool = true) -> [UInt8] {
    // Built as bytes: appending piece by piece to a String costs more than
    // the text is worth on trees of thousands of nodes.
    var out: [UInt8] = []
    out += "/dts-v1/;\n\n".utf8
    for r in reservations {
      out += "/memreserve/\t0x".utf8
      DTSValue.appendHex(r.address, width: 16, to: &out)
      out += " 0x".utf8
      DTSValue.appendHex(r.size, width: 16, to: &out)
      out += ";\n".utf8
    }
    write(root, level: 0, labels: labels, into: &out)
    return out
  }

  private func write(_ id: NodeID, level: Int, labels: Bool, into out: inout [UInt8]) {
    let node = self[id]
    func indent(_ n: Int) { out += repeatElement(UInt8(ascii: "\t"), count: n) }
    indent(level)
    if labels {
      for l in node.labels {
        out += l.utf8
        out += ": ".utf8
      }
    }
    if node.name.isEmpty {
      out += "/ {\n".utf8
    } else {
      out += node.name.utf8
      out += " {\n".utf8
    }
    for p in node.properties {
      indent(level + 1)
      out += p.name.utf8
      DTSValue.render(p.value, into: &out)
      out.append(UInt8(ascii: "\n"))
    }
    for c in node.children {
      out.append(UInt8(ascii: "\n"))
      write(c, level: level + 1, labels: labels, into: &out)
    }
    indent(level)
    out += "};\n".utf8
  }
}

/// dtc's guess of a property's type and its rendering (treesource.c).
public enum DTSValue {
  /// ` = <0x01>;`, ` = "text";`, ` = [01 02];` or `;` for an empty value.
  public static func render(_ v: [UInt8]) -> String {
    var out: [UInt8] = []
    render(v, into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// ``render(_:)`` appended to a byte buffer.
  public static func render(_ v: [UInt8], into out: inout [UInt8]) {
    if v.isEmpty {
      out.append(UInt8(ascii: ";"))
      return
    }
    if looksLikeStrings(v) {
      // dtc 1.6 prints a string list from a blob as one string with \0 separators.
      out += " = ".utf8
      quote(v.dropLast(), into: &out)
      out.append(UInt8(ascii: ";"))
      return
    }
    if v.count % 4 == 0 {
      out += " = <".utf8
      var i = 0
      while i + 3 < v.count {
        if i > 0 { out.append(UInt8(ascii: " ")) }
        let c = UInt32(v[i]) << 24 | UInt32(v[i + 1]) << 16 | UInt32(v[i + 2]) << 8 | UInt32(v[i + 3])
        out += "0x".utf8
        appendHex(c, width: 2, to: &out)
        i += 4
      }
      out += ">;".utf8
      return
    }
    out += " = [".utf8
    for (i, b) in v.enumerated() {
      if i > 0 { out.append(UInt8(ascii: " ")) }
      appendHex(b, width: 2, to: &out)
    }
    out += "];".utf8
  }

  /// A value is shown as strings when it ends in NUL, every byte is printable
  /// or a C escape or NUL, and NULs are no more than the other bytes.
  static func looksLikeStrings(_ v: [UInt8]) -> Bool {
    guard v.last == 0 else { return false }
    var nul = 0
    for b in v {
      if b == 0 {
        nul += 1
      } else if !(isPrint(b) || (7...13).contains(b)) {
        return false
      }
    }
    return nul <= v.count - nul
  }

  static func isPrint(_ b: UInt8) -> Bool { b >= 0x20 && b < 0x7f }

  static func quote(_ bytes: ArraySlice<UInt8>, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    // Runs of bytes that stand for themselves are copied in one go.
    var run = bytes.startIndex
    for i in bytes.indices {
      let b = bytes[i]
      if isPrint(b) && b != 0x5c && b != 0x22 { continue }
      out += bytes[run..<i]
      run = i + 1
      let escape: Unicode.Scalar? =
        switch b {
        case 7: "a"
        case 8: "b"
        case 9: "t"
        case 10: "n"
        case 11: "v"
        case 12: "f"
        case 13: "r"
        case 0x5c: "\\"
        case 0x22: "\""
        case 0: "0"
        default: nil
        }
      out.append(UInt8(ascii: "\\"))
      if let escape {
        out.append(UInt8(ascii: escape))
      } else {
        out.append(UInt8(ascii: "x"))
        appendHex(b, width: 2, to: &out)
      }
    }
    out += bytes[run...]
    out.append(UInt8(ascii: "\""))
  }

  /// Lower-case hexadecimal digits of `v`, zero-padded to at least `width`.
  static func appendHex<T: BinaryInteger>(_ v: T, width: Int, to out: inout [UInt8]) {
    let n = UInt64(truncatingIfNeeded: v)
    var count = 1
    while count < 16 && n >> (4 * count) != 0 { count += 1 }
    if count < width { out += repeatElement(UInt8(ascii: "0"), count: width - count) }
    for shift in stride(from: 4 * (count - 1), through: 0, by: -4) {
      let d = UInt8((n >> UInt64(shift)) & 0xf)
      out.append(d < 10 ? UInt8(ascii: "0") + d : UInt8(ascii: "a") + d - 10)
    }
  }
}
