import Yams

/// Where a YAML node starts: 1-based line, and column counted in Unicode scalars.
struct TextMark: Sendable, Hashable {
  var line: Int
  var column: Int
}

/// A plan's YAML as ``PlanParser`` reads it: scalars, mappings and lists, each
/// with where it starts.
indirect enum PlanNode: Sendable {
  struct Scalar: Sendable {
    var string: String
    var mark: TextMark?
  }
  struct Mapping: Sendable {
    var pairs: [(key: PlanNode, value: PlanNode)]
    var mark: TextMark?
  }
  struct List: Sendable {
    var nodes: [PlanNode]
    var mark: TextMark?
  }
  case scalar(Scalar)
  case mapping(Mapping)
  case sequence(List)
  case alias(TextMark?)

  var mark: TextMark? {
    switch self {
    case .scalar(let s): s.mark
    case .mapping(let m): m.mark
    case .sequence(let l): l.mark
    case .alias(let mark): mark
    }
  }

  /// The same tree from Yams' composer.
  init(_ node: Node) {
    let mark = node.mark.map { TextMark(line: $0.line, column: $0.column) }
    switch node {
    case .scalar(let s): self = .scalar(Scalar(string: s.string, mark: mark))
    case .mapping(let m):
      self = .mapping(Mapping(pairs: m.map { (PlanNode($0.key), PlanNode($0.value)) }, mark: mark))
    case .sequence(let l): self = .sequence(List(nodes: l.map(PlanNode.init), mark: mark))
    case .alias: self = .alias(mark)
    }
  }
}

/// A reader for the YAML plans are written in: block mappings and lists,
/// one-line flow mappings and lists, plain and quoted single-line scalars and
/// comments. It gives the same nodes, with the same marks, as Yams' composer
/// for that subset, several times faster on plans of thousands of kernels.
///
/// Anything outside the subset (anchors, tags, multi-line scalars, escapes,
/// duplicate keys, empty values, tabs, non-ASCII text, several documents) makes
/// it return `nil`, and the plan is read by Yams, which also words every
/// syntax error: this reader never reports one itself.
enum PlanYAML {
  static func compose(_ text: String) -> PlanNode? {
    var reader = Reader(Array(text.utf8))
    return reader.document()
  }

  /// The value of a top-level `key: value` line when it is a plain one-line
  /// scalar (`board: boards/x.dtb`), found without reading the rest of the
  /// text; `nil` for anything else (no such line, a quoted, flow or empty
  /// value). A guess that lets work start early, never an answer: what the
  /// plan says is what the parsed plan says.
  static func peek(_ key: String, in text: String) -> String? {
    let want = Array(key.utf8) + [UInt8(ascii: ":"), UInt8(ascii: " ")]
    let found = text.utf8.withContiguousStorageIfAvailable { b -> String? in
      var start = 0
      while start < b.count {
        var end = start
        while end < b.count, b[end] != UInt8(ascii: "\n") { end += 1 }
        if end - start > want.count, b[start..<start + want.count].elementsEqual(want) {
          var from = start + want.count
          while from < end, b[from] == UInt8(ascii: " ") { from += 1 }
          var to = from
          while to < end, b[to] != UInt8(ascii: "#") || b[to - 1] != UInt8(ascii: " ") { to += 1 }
          while to > from, b[to - 1] == UInt8(ascii: " ") || b[to - 1] == UInt8(ascii: "\r") { to -= 1 }
          guard to > from, !"\"'{[&*!|>%@`#".utf8.contains(b[from]) else { return nil }
          return String(decoding: b[from..<to], as: UTF8.self)
        }
        start = end + 1
      }
      return nil
    }
    return found ?? nil
  }
}

private struct Reader {
  /// A line that holds something: where its content starts and ends (before
  /// a comment and trailing spaces). A list item's content is read as a
  /// line of its own, starting after its `- `.
  struct Line {
    var start: Int
    var content: Int
    var end: Int
    var number: Int
    var indent: Int { content - start }
  }

  let b: [UInt8]
  var lines: [Line] = []
  var i = 0
  /// How deep the blocks being read are nested; deeper than ``maxDepth`` is left to Yams.
  var depth = 0
  static let maxDepth = 64
  /// Something outside the subset was seen while splitting lines.
  var unsupported = false

  init(_ bytes: [UInt8]) {
    b = bytes
    var start = 0
    var number = 1
    while start <= b.count, !unsupported {
      var eol = start
      while eol < b.count, b[eol] != UInt8(ascii: "\n") { eol += 1 }
      split(start, eol, number)
      start = eol + 1
      number += 1
    }
  }

  private mutating func split(_ start: Int, _ eol: Int, _ number: Int) {
    var content = start
    while content < eol, b[content] == UInt8(ascii: " ") { content += 1 }
    if content == eol || b[content] == UInt8(ascii: "#") { return }
    let marker =
      eol - start >= 3
      && (b[start..<start + 3].elementsEqual("---".utf8) || b[start..<start + 3].elementsEqual("...".utf8))
    if marker {
      unsupported = true
      return
    }
    var end = eol
    var quote: UInt8?
    var q = content
    while q < eol {
      let c = b[q]
      if c >= 0x80 || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\\") {
        unsupported = true
        return
      }
      if let open = quote {
        // A quote inside a plain scalar does not hide a comment from YAML,
        // so a `#` within quotes is left to Yams to decide.
        if c == UInt8(ascii: "#") {
          unsupported = true
          return
        }
        if c == open {
          if open == UInt8(ascii: "'"), q + 1 < eol, b[q + 1] == open {
            q += 1
          } else {
            quote = nil
          }
        }
      } else if c == UInt8(ascii: "#"), b[q - 1] == UInt8(ascii: " ") {
        end = q
        break
      } else if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
        if q == content || " [{,".utf8.contains(b[q - 1]) { quote = c }
      }
      q += 1
    }
    if quote != nil {
      unsupported = true
      return
    }
    while end > content, b[end - 1] == UInt8(ascii: " ") { end -= 1 }
    lines.append(Line(start: start, content: content, end: end, number: number))
  }

  mutating func document() -> PlanNode? {
    guard !unsupported, !lines.isEmpty, let root = block(), i == lines.count else { return nil }
    return root
  }

  private func mark(_ line: Line, _ at: Int) -> TextMark {
    TextMark(line: line.number, column: at - line.start + 1)
  }

  private func isEntry(_ l: Line) -> Bool {
    b[l.content] == UInt8(ascii: "-") && (l.content + 1 == l.end || b[l.content + 1] == UInt8(ascii: " "))
  }

  /// The mapping or list whose first line is the current one.
  private mutating func block() -> PlanNode? {
    guard i < lines.count, depth < Self.maxDepth else { return nil }
    depth += 1
    defer { depth -= 1 }
    return isEntry(lines[i]) ? sequence(lines[i].indent) : mapping(lines[i].indent)
  }

  private mutating func sequence(_ n: Int) -> PlanNode? {
    let first = lines[i]
    var items: [PlanNode] = []
    while i < lines.count, lines[i].indent == n, isEntry(lines[i]) {
      let l = lines[i]
      var p = l.content + 1
      while p < l.end, b[p] == UInt8(ascii: " ") { p += 1 }
      if p == l.end {
        i += 1
        guard i < lines.count, lines[i].indent > n, let item = block() else { return nil }
        items.append(item)
      } else {
        lines[i].content = p
        if isEntry(lines[i]) || keyEnd(lines[i]) != nil {
          guard let item = block() else { return nil }
          items.append(item)
        } else {
          guard let item = value(lines[i], from: p) else { return nil }
          items.append(item)
          i += 1
        }
      }
      if i < lines.count, lines[i].indent > n { return nil }
    }
    return .sequence(PlanNode.List(nodes: items, mark: mark(first, first.content)))
  }

  private mutating func mapping(_ n: Int) -> PlanNode? {
    let first = lines[i]
    var pairs: [(key: PlanNode, value: PlanNode)] = []
    var keys = Set<String>()
    while i < lines.count, lines[i].indent == n {
      let l = lines[i]
      guard !isEntry(l), let colon = keyEnd(l), let key = scalar(l, l.content, colon, flow: false),
        case .scalar(let k) = key, k.string != "<<", keys.insert(k.string).inserted
      else { return nil }
      var p = colon + 1
      while p < l.end, b[p] == UInt8(ascii: " ") { p += 1 }
      if p < l.end {
        guard let v = value(l, from: p) else { return nil }
        pairs.append((key, v))
        i += 1
      } else {
        i += 1
        guard i < lines.count else { return nil }
        let v: PlanNode?
        if lines[i].indent > n {
          v = block()
        } else if lines[i].indent == n, isEntry(lines[i]) {
          v = sequence(n)
        } else {
          v = nil
        }
        guard let v else { return nil }
        pairs.append((key, v))
      }
      if i < lines.count, lines[i].indent > n { return nil }
    }
    return .mapping(PlanNode.Mapping(pairs: pairs, mark: mark(first, first.content)))
  }

  /// Where the `:` after the line's key is, when the line is `key: …`.
  private func keyEnd(_ l: Line) -> Int? {
    var p = l.content
    if b[p] == UInt8(ascii: "{") || b[p] == UInt8(ascii: "[") { return nil }
    if b[p] == UInt8(ascii: "'") || b[p] == UInt8(ascii: "\"") {
      guard let close = closingQuote(p, l.end) else { return nil }
      p = close + 1
      while p < l.end, b[p] == UInt8(ascii: " ") { p += 1 }
      return p < l.end && b[p] == UInt8(ascii: ":") && (p + 1 == l.end || b[p + 1] == UInt8(ascii: " "))
        ? p : nil
    }
    while p < l.end {
      if b[p] == UInt8(ascii: ":"), p + 1 == l.end || b[p + 1] == UInt8(ascii: " ") { return p }
      p += 1
    }
    return nil
  }

  /// A value that fills the rest of the line: a flow mapping or list, or a scalar.
  private func value(_ l: Line, from p: Int) -> PlanNode? {
    if b[p] == UInt8(ascii: "{") || b[p] == UInt8(ascii: "[") {
      var at = p
      guard let node = flow(l, &at, depth: 0), at == l.end else { return nil }
      return node
    }
    // A block value holds no `key: value` of its own and starts no list.
    if keyEnd(Line(start: l.start, content: p, end: l.end, number: l.number)) != nil { return nil }
    if b[p] == UInt8(ascii: "-"), p + 1 == l.end || b[p + 1] == UInt8(ascii: " ") { return nil }
    return scalar(l, p, l.end, flow: false)
  }

  private func flow(_ l: Line, _ p: inout Int, depth: Int) -> PlanNode? {
    guard depth < Self.maxDepth else { return nil }
    let open = b[p]
    let at = mark(l, p)
    p += 1
    var items: [PlanNode] = []
    var pairs: [(key: PlanNode, value: PlanNode)] = []
    let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
    skipSpaces(&p, l.end)
    if p < l.end, b[p] == close {
      p += 1
    } else {
      while true {
        guard p < l.end, let item = flowItem(l, &p, depth: depth) else { return nil }
        if open == UInt8(ascii: "{") {
          guard case .scalar = item, p + 1 < l.end, b[p] == UInt8(ascii: ":"), b[p + 1] == UInt8(ascii: " ")
          else { return nil }
          p += 2
          skipSpaces(&p, l.end)
          guard p < l.end, let v = flowItem(l, &p, depth: depth) else { return nil }
          pairs.append((item, v))
        } else {
          if p < l.end, b[p] == UInt8(ascii: ":") { return nil }
          items.append(item)
        }
        guard p < l.end else { return nil }
        if b[p] == close {
          p += 1
          break
        }
        guard b[p] == UInt8(ascii: ",") else { return nil }
        p += 1
        skipSpaces(&p, l.end)
        if p < l.end, b[p] == close { return nil }
      }
    }
    skipSpaces(&p, l.end)
    return open == UInt8(ascii: "{")
      ? .mapping(PlanNode.Mapping(pairs: pairs, mark: at)) : .sequence(PlanNode.List(nodes: items, mark: at))
  }

  /// One entry of a flow collection; `p` ends on the `,`, `:` or closing bracket after it.
  private func flowItem(_ l: Line, _ p: inout Int, depth: Int) -> PlanNode? {
    if b[p] == UInt8(ascii: "{") || b[p] == UInt8(ascii: "[") { return flow(l, &p, depth: depth + 1) }
    let start = p
    if b[p] == UInt8(ascii: "'") || b[p] == UInt8(ascii: "\"") {
      guard let close = closingQuote(p, l.end) else { return nil }
      p = close + 1
    } else {
      while p < l.end {
        let c = b[p]
        if c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") { break }
        if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { return nil }
        if c == UInt8(ascii: ":"),
          p + 1 == l.end || " ,]}".utf8.contains(b[p + 1])
        {
          break
        }
        p += 1
      }
    }
    var end = p
    while end > start, b[end - 1] == UInt8(ascii: " ") { end -= 1 }
    skipSpaces(&p, l.end)
    return scalar(l, start, end, flow: true)
  }

  private func skipSpaces(_ p: inout Int, _ end: Int) {
    while p < end, b[p] == UInt8(ascii: " ") { p += 1 }
  }

  private func closingQuote(_ open: Int, _ end: Int) -> Int? {
    let quote = b[open]
    var p = open + 1
    while p < end {
      if b[p] == quote {
        if quote == UInt8(ascii: "'"), p + 1 < end, b[p + 1] == quote {
          p += 2
          continue
        }
        return p
      }
      p += 1
    }
    return nil
  }

  /// The scalar in `b[from..<to]`: quoted (and exactly the quotes) or plain.
  private func scalar(_ l: Line, _ from: Int, _ to: Int, flow: Bool) -> PlanNode? {
    var end = to
    while end > from, b[end - 1] == UInt8(ascii: " ") { end -= 1 }
    guard end > from else { return nil }
    let first = b[from]
    let text: String
    if first == UInt8(ascii: "'") || first == UInt8(ascii: "\"") {
      guard let close = closingQuote(from, end), close == end - 1 else { return nil }
      var bytes: [UInt8] = []
      var p = from + 1
      while p < close {
        bytes.append(b[p])
        p += first == UInt8(ascii: "'") && b[p] == first ? 2 : 1
      }
      text = String(decoding: bytes, as: UTF8.self)
    } else {
      if "?:,[]{}#&*!|>%@`'\"".utf8.contains(first) { return nil }
      if first == UInt8(ascii: "-"), end == from + 1 || b[from + 1] == UInt8(ascii: " ") { return nil }
      if flow, b[from..<end].contains(where: { "[]{},".utf8.contains($0) }) { return nil }
      text = String(decoding: b[from..<end], as: UTF8.self)
    }
    return .scalar(PlanNode.Scalar(string: text, mark: mark(l, from)))
  }
}
