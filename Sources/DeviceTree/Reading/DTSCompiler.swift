import Foundation

/// Turns device-tree source into a ``DeviceTree`` through the real dtc.
///
/// dtc runs twice: once for the tree itself and once with `-@` to learn the
/// labels from the `__symbols__` node it generates. The second run cannot be
/// used for the tree because `-@` also gives every labelled node a phandle.
public struct DTSCompiler: Sendable {
  public var includes: [String]

  public init(includes: [String] = []) {
    self.includes = includes
  }

  /// Compiles source text; `file` names it in messages and anchors relative includes.
  public func compile(source: [UInt8], file: String) throws -> DeviceTree {
    guard source.contains(where: { !($0 == 0x20 || $0 == 0x0a || $0 == 0x09 || $0 == 0x0d) }) else {
      throw DeviceTreeError(file: file, "the source is empty")
    }
    let directory = file == "-" ? FileManager.default.currentDirectoryPath : PathText.directory(of: file)
    var dirs = [directory.isEmpty ? "." : directory] + includes
    dirs = dirs.filter { !$0.isEmpty }
    let scratch = try Scratch()
    defer { scratch.remove() }
    var input = scratch.path("input.dts")
    try Data(source).write(to: URL(fileURLWithPath: input))
    if source.containsIncludeDirective {
      let pre = scratch.path("input.pp.dts")
      try preprocess(input, output: pre, dirs: dirs, file: file)
      input = pre
    }
    let includeArgs = dirs.flatMap { ["-i", $0] }
    let plain = scratch.path("tree.dtb")
    try dtc(["-q", "-I", "dts", "-O", "dtb", "-o", plain] + includeArgs + [input], file: file, input: input)
    var tree = try DeviceTree.load(plain)
    tree.file = file
    let labelled = scratch.path("labels.dtb")
    if (try? dtc(
      ["-q", "-@", "-I", "dts", "-O", "dtb", "-o", labelled] + includeArgs + [input], file: file, input: input
    )) != nil,
      let symbols = try? DeviceTree.load(labelled), let s = symbols.node(path: "/__symbols__")
    {
      for p in symbols[s].properties {
        guard let target = p.string, let id = tree.node(path: target) else { continue }
        var n = tree[id]
        if !n.labels.contains(p.name) { n.labels.append(p.name) }
        tree[id] = n
      }
    }
    // Execution domains are configuration a person writes in the source, and
    // findings about them point at its lines; dtc annotates its DTS output with
    // positions, one more run paid only by trees that declare domains.
    if tree.node(path: "/domains") != nil {
      let annotated = scratch.path("annotated.dts")
      if (try? dtc(
        ["-q", "-T", "-T", "-I", "dts", "-O", "dts", "-o", annotated] + includeArgs + [input], file: file,
        input: input)) != nil,
        let data = FileManager.default.contents(atPath: annotated)
      {
        let original = scratch.path("input.dts")
        tree.sourcePositions = SourceAnnotations.positions(String(decoding: data, as: UTF8.self)) { name in
          name == input || name == original ? file : name
        }
      }
    }
    return tree
  }

  private func dtc(_ arguments: [String], file: String, input: String) throws {
    let result = try Tool.run("dtc", arguments)
    if let signal = result.signal {
      throw DeviceTreeError(file: file, "dtc crashed on this source (signal \(signal))")
    }
    guard result.status == 0 else {
      throw DTSCompiler.translate(result.stderr, file: file, input: input)
    }
  }

  /// Runs the C preprocessor the way the Linux build does for .dts files. Line
  /// markers are kept so dtc reports positions in the user's own files.
  private func preprocess(_ input: String, output: String, dirs: [String], file: String) throws {
    let flags =
      ["-nostdinc", "-undef", "-D__DTS__", "-x", "assembler-with-cpp"]
      + dirs.flatMap { ["-I", $0, "-I", $0 + "/include"] }
    let (program, args) = Tool.find("cpp") != nil ? ("cpp", flags) : ("clang", ["-E"] + flags)
    let result = try Tool.run(program, args + [input, "-o", output])
    guard result.status == 0 else {
      let line =
        result.stderr.split(separator: "\n").first { $0.contains("error") }.map(String.init)
        ?? result.stderr.split(separator: "\n").first.map(String.init) ?? "preprocessing failed"
      throw DTSCompiler.preprocessorError(line.replacingOccurrences(of: input, with: file), file: file)
    }
  }

  /// Turns cpp's "FILE:LINE:COL: fatal error: message" into an error at line:column of FILE.
  static func preprocessorError(_ line: String, file: String) -> DeviceTreeError {
    let parts = line.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
    if parts.count == 4, let l = Int(parts[1]), let c = Int(parts[2]) {
      var message = parts[3].trimmingCharacters(in: .whitespaces)
      for prefix in ["fatal error: ", "error: "] where message.hasPrefix(prefix) {
        message = String(message.dropFirst(prefix.count))
      }
      return DeviceTreeError(file: String(parts[0]), place: "\(l):\(c)", message)
    }
    return DeviceTreeError(file: file, line)
  }

  /// Turns dtc's "Error: FILE:LINE.COL-COL2 message" into a one-line error at line:column.
  static func translate(_ stderr: String, file: String, input: String) -> DeviceTreeError {
    let lines = stderr.split(separator: "\n").map(String.init)
    guard let line = lines.first(where: { $0.hasPrefix("Error: ") }) ?? lines.first(where: { !$0.isEmpty })
    else {
      return DeviceTreeError(file: file, "dtc failed")
    }
    var text = line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line
    text = text.replacingOccurrences(of: input, with: file)
    if text.hasPrefix("FATAL ERROR: ") { text = String(text.dropFirst(13)) }
    // "file:12.3-4 syntax error" -> place "12:3"
    if let space = text.firstIndex(of: " ") {
      let where_ = text[..<space]
      if let colon = where_.lastIndex(of: ":") {
        let position = where_[where_.index(after: colon)...]
        let startPart = position.split(separator: "-").first ?? ""
        let lc = startPart.split(separator: ".")
        if lc.count == 2, Int(lc[0]) != nil, Int(lc[1]) != nil {
          let sourceFile = String(where_[..<colon])
          return DeviceTreeError(
            file: sourceFile, place: "\(lc[0]):\(lc[1])", String(text[text.index(after: space)...]))
        }
      }
    }
    return DeviceTreeError(file: file, text)
  }
}

extension [UInt8] {
  fileprivate var containsIncludeDirective: Bool {
    let needle = Array("#include".utf8)
    guard count >= needle.count else { return false }
    for i in 0...(count - needle.count) where self[i] == 0x23 {
      if Array(self[i..<(i + needle.count)]) == needle { return true }
    }
    return false
  }
}
