/// Reads the positions dtc writes with `-T -T` (`-O dts` annotated with
/// `/* FILE:LINE:COL-LINE:COL */` after each node and property) into a table
/// keyed by node path and `path:property`.
///
/// Only the trailing comment and the token before it are read: dtc writes one
/// node opening, closing or property per line, and a property's value (which
/// may hold any text inside its strings) always ends with `;` before the comment.
enum SourceAnnotations {
  static func positions(_ text: String, rename: (String) -> String) -> [String: SourcePosition] {
    var out: [String: SourcePosition] = [:]
    var stack: [String] = []
    func path(_ parts: [String]) -> String { parts.isEmpty ? "/" : "/" + parts.joined(separator: "/") }
    for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
      let line = raw.drop { $0 == "\t" || $0 == " " }
      guard line.hasSuffix("*/"), let open = line.range(of: " /* ", options: .backwards) else { continue }
      let code = line[..<open.lowerBound]
      let comment = line[open.upperBound..<line.index(line.endIndex, offsetBy: -3)]
      if code.hasPrefix("};") {
        _ = stack.popLast()
        continue
      }
      // A property set in several places carries each of them; the last one holds.
      let last = comment.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
      let position = parse(last, rename: rename)
      if code.hasSuffix("{") {
        let head = code.dropLast().trimmingCharacters(in: .whitespaces)
        let name = head.split(separator: " ").last.map(String.init) ?? head
        if name == "/" && stack.isEmpty {
          if let position { out["/"] = position }
          stack.append("")
          continue
        }
        let parts = stack.dropFirst() + [name]
        stack.append(name)
        if let position { out[path(Array(parts))] = position }
      } else if code.hasSuffix(";") {
        let name = code.prefix { $0 != " " && $0 != "=" && $0 != ";" }
        if let position, !stack.isEmpty { out[path(Array(stack.dropFirst())) + ":" + name] = position }
      }
    }
    return out
  }

  /// `FILE:LINE:COL-LINE:COL` (or `FILE:LINE`) as the start position.
  private static func parse(_ s: String, rename: (String) -> String) -> SourcePosition? {
    // The end position follows the last `-`; a file name may hold `-` itself.
    var start = Substring(s)
    if let dash = s.lastIndex(of: "-"), s[s.index(after: dash)...].allSatisfy({ $0.isNumber || $0 == ":" }) {
      start = s[..<dash]
    }
    let parts = start.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count >= 2 else { return nil }
    if parts.count >= 3, let l = Int(parts[parts.count - 2]), let c = Int(parts[parts.count - 1]) {
      return SourcePosition(file: rename(parts.dropLast(2).joined(separator: ":")), line: l, column: c)
    }
    guard let l = Int(parts[parts.count - 1]) else { return nil }
    return SourcePosition(file: rename(parts.dropLast().joined(separator: ":")), line: l, column: 1)
  }
}
