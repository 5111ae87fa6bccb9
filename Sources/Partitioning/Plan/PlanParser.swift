import Foundation
import Yams

import enum DeviceTree.InputLimits
import func DeviceTree.fileSize

/// Reads a plan from YAML, checking its shape: every problem becomes a diagnostic
/// at its `line:column` (unknown keys with the nearest known key, duplicate keys,
/// wrong types, numbers that do not parse or overflow, bad size suffixes).
///
/// Shape problems make the plan unusable; the caller stops when any is reported.
public struct PlanParser {
  public let file: String
  var engine = DiagnosticEngine()

  public init(file: String) {
    self.file = file
  }

  /// Parses the text; returns the plan (nil when unusable) and every shape diagnostic.
  public static func parse(_ text: String, file: String) -> (Plan?, [Diagnostic]) {
    var parser = PlanParser(file: file)
    let plan = parser.parse(text)
    return (parser.engine.hasErrors ? nil : plan, parser.engine.diagnostics)
  }

  /// The text of a plan file, or why it cannot be a plan's.
  public static func text(of path: String) -> (String?, [Diagnostic]) {
    let limit = InputLimits.maxPlanBytes
    func tooLarge(_ size: UInt64) -> (String?, [Diagnostic]) {
      let message = "the plan is \(size) bytes; cleave reads plans of at most \(InputLimits.describe(limit))"
      return (nil, [Diagnostic(.error, .planSyntax, message, at: SourceLocation(file: path, path: nil))])
    }
    // Sized before it is read or parsed, so a huge file is refused at once.
    if let size = fileSize(atPath: path), size > UInt64(limit) {
      return tooLarge(size)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      let why = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
      return (nil, [Diagnostic(.error, .planSyntax, why, at: SourceLocation(file: path, path: nil))])
    }
    guard data.count <= limit else { return tooLarge(UInt64(data.count)) }
    guard let text = String(data: data, encoding: .utf8) else {
      return (
        nil,
        [
          Diagnostic(
            .error, .planSyntax, "the plan is not UTF-8 text", at: SourceLocation(file: path, path: nil))
        ]
      )
    }
    return (text, [])
  }

  // MARK: Top level

  private mutating func parse(_ text: String) -> Plan? {
    let root: PlanNode
    do {
      // Plans in the common subset are read by PlanYAML; the rest by Yams
      // with the basic resolver: every scalar is read as text and typed by
      // the parser, so none of Yams' regular-expression rules (whose
      // compilation was a tenth of checking a small plan) is needed.
      guard let node = try PlanYAML.compose(text) ?? Yams.compose(yaml: text, .basic).map(PlanNode.init)
      else {
        engine.error(
          .missingKey, "the plan is empty; it needs at least board and kernels", at: loc(line: 1, column: 1))
        return nil
      }
      root = node
    } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
      let key = duplicates.first ?? "?"
      let first = loc(context.mark)
      let second = Self.repeatOf(key: key, after: context.mark, in: text).map {
        loc(line: $0.line, column: $0.column)
      }
      engine.error(
        .duplicateKey, "key '\(key)' appears more than once in the same mapping", at: second ?? first,
        notes: second == nil ? [] : [.init("'\(key)' is first given here", at: first)])
      return nil
    } catch let YamlError.scanner(context, problem, mark, _), let YamlError.parser(context, problem, mark, _),
      let YamlError.composer(context, problem, mark, _)
    {
      let notes = context.map { [Diagnostic.Note($0.text + " that starts here", at: loc($0.mark))] } ?? []
      engine.error(.planSyntax, problem, at: loc(mark), notes: notes)
      return nil
    } catch {
      engine.error(
        .planSyntax, "\(error)".split(separator: "\n").first.map(String.init) ?? "not YAML",
        at: loc(line: 1, column: 1))
      return nil
    }
    guard
      let top = mapping(
        root, what: "the plan",
        keys: [
          "board", "target", "boot", "loader", "ram", "kernels", "channels", "shared", "doorbells", "foreign",
          "isolation",
        ])
    else {
      return nil
    }
    guard let board = top["board"].flatMap({ string($0, what: "board") }) else {
      if top["board"] == nil {
        engine.error(
          .missingKey, "the plan needs 'board' (the board's .dts or .dtb, relative to the plan)",
          at: loc(root.mark))
      }
      return nil
    }
    var plan = Plan(
      file: file, board: board, target: nil, boot: nil, loader: nil, ram: nil, ramLocation: nil, kernels: [],
      kernelsLocation: top.keys["kernels"],
      channels: [], shared: [], doorbells: nil)
    plan.target = top["target"].flatMap { choice($0, what: "target") }
    plan.boot = top["boot"].flatMap { choice($0, what: "boot") }
    plan.loader = top["loader"].flatMap { region($0, what: "loader") }
    plan.isolation = top["isolation"].flatMap { isolation($0) }
    if let ram = top["ram"], let list = sequence(ram, what: "ram") {
      let regions = list.compactMap { region($0, what: "a RAM bank") }
      if regions.count == list.count { plan.ram = regions }
      plan.ramLocation = loc(ram.mark)
      if list.isEmpty { engine.error(.missingKey, "'ram' lists no bank", at: loc(ram.mark)) }
    }
    if let kernelsNode = top["kernels"] {
      if let pairs = pairs(kernelsNode, what: "kernels") {
        for (key, value) in pairs {
          guard let name = string(key, what: "a kernel name") else { continue }
          guard identifier(name, what: "kernel name") else { continue }
          if let k = kernel(name, value) { plan.kernels.append(k) }
        }
        if pairs.isEmpty {
          engine.error(
            .missingKey, "'kernels' is empty; a plan needs at least one kernel", at: loc(kernelsNode.mark))
        }
      }
    } else {
      engine.error(.missingKey, "the plan needs 'kernels'", at: loc(root.mark))
    }
    if let channels = top["channels"].flatMap({ sequence($0, what: "channels") }) {
      plan.channels = channels.compactMap { channel($0) }
    }
    if let shared = top["shared"].flatMap({ sequence($0, what: "shared") }) {
      plan.shared = shared.compactMap { sharedEntry($0) }
    }
    if let f = top["foreign"], let pairs = pairs(f, what: "foreign") {
      for (key, value) in pairs {
        guard let name = string(key, what: "a foreign name") else { continue }
        guard identifier(name, what: "foreign name") else { continue }
        if plan.kernels.contains(where: { $0.name.value == name.value }) {
          engine.error(.nameInvalid, "foreign '\(name.value)' has the name of a kernel", at: name.location)
          continue
        }
        if let entry = foreignEntry(name, value) { plan.foreign.append(entry) }
      }
    }
    if let d = top["doorbells"],
      let m = mapping(d, what: "doorbells", keys: ["first", "count", "multiplex", "mechanism"])
    {
      plan.doorbells = Plan.Doorbells(
        first: m["first"].flatMap { number($0, what: "doorbells.first") },
        count: m["count"].flatMap { number($0, what: "doorbells.count") },
        multiplex: m["multiplex"].flatMap { bool($0, what: "doorbells.multiplex") },
        mechanism: m["mechanism"].flatMap { choice($0, what: "doorbells.mechanism") })
    }
    return plan
  }

  private mutating func kernel(_ name: Located<String>, _ node: PlanNode) -> Plan.Kernel? {
    let keys = [
      "cores", "memory", "devices", "interrupts", "image", "initrd", "bootargs", "stdout", "owns", "console",
      "kind", "resets", "exception-level",
    ]
    guard let m = mapping(node, what: "kernel '\(name.value)'", keys: keys) else { return nil }
    var k = Plan.Kernel(
      name: name, cores: [], memory: nil, memoryLocation: nil, devices: [], interrupts: [], image: nil,
      initrd: nil, bootargs: nil,
      stdout: nil, owns: [], console: nil, kind: nil, resets: [])
    if let cores = m["cores"] { k.cores = references(cores, what: "cores") }
    if let memory = m["memory"] {
      k.memoryLocation = loc(memory.mark)
      k.memory = self.memory(memory, kernel: name.value)
    }
    if let devices = m["devices"] { k.devices = references(devices, what: "devices") }
    if let irqs = m["interrupts"], let list = sequence(irqs, what: "interrupts") {
      k.interrupts = list.compactMap { number($0, what: "an interrupt") }
    }
    if let image = m["image"] { k.image = self.image(image) }
    k.initrd = m["initrd"].flatMap { string($0, what: "initrd") }
    k.bootargs = m["bootargs"].flatMap { string($0, what: "bootargs") }
    k.stdout = m["stdout"].flatMap { string($0, what: "stdout") }
    if let console = m["console"], let c = mapping(console, what: "console", keys: ["pass", "fail"]) {
      let fail: [Located<String>]
      switch c["fail"] {
      case .none: fail = []
      case .some(.sequence(let list)): fail = list.nodes.compactMap { string($0, what: "console.fail") }
      case .some(let node): fail = string(node, what: "console.fail").map { [$0] } ?? []
      }
      k.console = Plan.Console(pass: c["pass"].flatMap { string($0, what: "console.pass") }, fail: fail)
    }
    k.kind = m["kind"].flatMap { choice($0, what: "kind") }
    k.exceptionLevel = m["exception-level"].flatMap { choice($0, what: "exception-level") }
    if let resets = m["resets"] {
      k.resets = sharedParts(
        resets, what: "resets", refusal: "cannot be reset; the only shared part a kernel resets is")
    }
    if let owns = m["owns"] {
      k.owns = sharedParts(owns, what: "owns", refusal: "cannot be owned; the only ownable part is")
    }
    return k
  }

  /// `owns:` / `resets:`: a list whose only member can be `interrupt-controller`.
  private mutating func sharedParts(_ node: PlanNode, what: String, refusal: String) -> [Located<String>] {
    let parts = references(node, what: what)
    for p in parts where p.value != "interrupt-controller" {
      engine.error(.unknownKey, "'\(p.value)' \(refusal) 'interrupt-controller'", at: p.location)
    }
    return parts
  }

  private mutating func memory(_ node: PlanNode, kernel: String) -> Plan.Memory? {
    switch node {
    case .scalar:
      return size(node, what: "memory").map { .sized(size: $0, align: nil, numa: nil) }
    case .mapping:
      guard let m = mapping(node, what: "memory", keys: ["size", "align", "numa"]) else { return nil }
      guard let sizeNode = m["size"] else {
        engine.error(.missingKey, "memory of '\(kernel)' needs 'size'", at: loc(node.mark))
        return nil
      }
      guard let s = size(sizeNode, what: "memory size") else { return nil }
      let numa = m["numa"].flatMap { number($0, what: "numa") }
      if let n = numa, n.value > UInt64(UInt32.max) {
        engine.error(.badNumber, "numa node \(n.value) does not fit 32 bits", at: n.location)
      }
      return .sized(
        size: s, align: m["align"].flatMap { size($0, what: "align") },
        numa: numa.map { Located(UInt32(truncatingIfNeeded: $0.value), at: $0.location) })
    case .sequence(let seq):
      let regions = seq.nodes.compactMap { region($0, what: "memory range") }
      return regions.count == seq.nodes.count ? .ranges(regions) : nil
    default:
      engine.error(
        .wrongType, "memory must be a size, a mapping {size, align, numa} or a list of {base, size}",
        at: loc(node.mark))
      return nil
    }
  }

  private mutating func image(_ node: PlanNode) -> Plan.Image? {
    if case .scalar = node {
      return string(node, what: "image").map {
        Plan.Image(path: $0, protocol: Located(.elf, at: $0.location), at: nil)
      }
    }
    guard let m = mapping(node, what: "image", keys: ["path", "protocol", "at", "root-task", "system-cores"])
    else {
      return nil
    }
    guard let path = m["path"].flatMap({ string($0, what: "image path") }) else {
      if m["path"] == nil { engine.error(.missingKey, "image needs 'path'", at: loc(node.mark)) }
      return nil
    }
    let proto: Located<Plan.BootProtocol> =
      m["protocol"].flatMap { choice($0, what: "protocol") } ?? Located(.elf, at: path.location)
    let at = m["at"].flatMap { number($0, what: "image.at") }
    if let at, proto.value != .binary {
      engine.error(
        .wrongType,
        "image.at places a flat binary; an \(proto.value.rawValue) image says where it goes itself",
        at: at.location)
    }
    var image = Plan.Image(path: path, protocol: proto, at: at)
    image.rootTask = m["root-task"].flatMap { string($0, what: "image.root-task") }
    if let cores = m["system-cores"] {
      image.systemCores = references(cores, what: "system-cores")
      image.systemCoresLocation = loc(cores.mark)
    }
    if proto.value == .sel4BootInfo, image.rootTask == nil, m["root-task"] == nil {
      engine.error(
        .missingKey, "a sel4-boot-info image needs 'root-task:', the ELF its kernel starts",
        at: loc(node.mark))
    }
    if proto.value != .sel4BootInfo {
      for key in ["root-task", "system-cores"] {
        if let n = m[key] {
          engine.error(
            .wrongType, "image.\(key) belongs to a sel4-boot-info image, not an \(proto.value.rawValue) one",
            at: loc(n.mark))
        }
      }
    }
    return image
  }

  private mutating func channel(_ node: PlanNode) -> Plan.Channel? {
    guard let m = mapping(node, what: "a channel", keys: ["name", "between", "size", "base"]) else {
      return nil
    }
    guard let between = m["between"] else {
      engine.error(.missingKey, "a channel needs 'between: [kernel, kernel]'", at: loc(node.mark))
      return nil
    }
    let members = references(between, what: "between")
    let name = m["name"].flatMap { string($0, what: "channel name") }
    if let name {
      guard identifier(name, what: "channel name") else { return nil }
    } else if members.allSatisfy({ Identifier.problem($0.value) == nil }) {
      // Unnamed, it is named after its members; that name must fit the descriptor too.
      var seen: Set<String> = []
      let derived = members.map(\.value).filter { seen.insert($0).inserted }.joined(separator: "-")
      if derived.count > Identifier.maxLength {
        engine.error(
          .nameInvalid,
          "this channel would be named '\(derived)' after its kernels, \(derived.count) characters; the boot descriptor holds \(Identifier.maxLength): give it a shorter 'name'",
          at: loc(node.mark))
        return nil
      }
    }
    let size =
      m["size"].flatMap { self.size($0, what: "channel size") } ?? Located(64 << 10, at: loc(node.mark))
    return Plan.Channel(
      name: name, between: members, size: size,
      base: m["base"].flatMap { number($0, what: "channel base") }, location: loc(node.mark))
  }

  private mutating func foreignEntry(_ name: Located<String>, _ node: PlanNode) -> Plan.Foreign? {
    guard
      let m = mapping(node, what: "foreign '\(name.value)'", keys: ["cores", "cluster", "memory", "devices"])
    else { return nil }
    var entry = Plan.Foreign(name: name, cores: [], memory: [], devices: [])
    if let cores = m["cores"] { entry.cores = references(cores, what: "cores") }
    if let cluster = m["cluster"], let c = string(cluster, what: "cluster") { entry.cores.append(c) }
    if let memory = m["memory"], let list = sequence(memory, what: "memory of a foreign entry") {
      entry.memory = list.compactMap { region($0, what: "memory range") }
    }
    if let devices = m["devices"] { entry.devices = references(devices, what: "devices") }
    return entry
  }

  private mutating func sharedEntry(_ node: PlanNode) -> Plan.Shared? {
    guard let m = mapping(node, what: "a shared entry", keys: ["device", "region", "kernels"]) else {
      return nil
    }
    let kernels = m["kernels"].map { references($0, what: "kernels") } ?? []
    if m["kernels"] == nil { engine.error(.missingKey, "a shared entry needs 'kernels'", at: loc(node.mark)) }
    let device = m["device"].flatMap { string($0, what: "device") }
    let region = m["region"].flatMap { self.region($0, what: "region") }
    if (device == nil) == (region == nil) && m["device"] == nil && m["region"] == nil {
      engine.error(.missingKey, "a shared entry needs 'device' or 'region'", at: loc(node.mark))
      return nil
    }
    return Plan.Shared(device: device, region: region, kernels: kernels, location: loc(node.mark))
  }

  /// Where a block-mapping key given at `mark` is given again: the next line at
  /// the same indentation that starts with `key:`, before the mapping ends.
  static func repeatOf(key: String, after mark: Mark, in text: String) -> (line: Int, column: Int)? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let column = mark.column
    var n = mark.line
    while n < lines.count {
      let line = lines[n]
      n += 1
      let indent = line.prefix { $0 == " " }.count
      let rest = line.dropFirst(indent)
      if rest.isEmpty || rest.hasPrefix("#") { continue }
      if indent + 1 < column { return nil }
      if indent + 1 == column, rest.hasPrefix(key + ":") || rest.hasPrefix("\"\(key)\":") {
        return (n, column)
      }
    }
    return nil
  }

  // MARK: Typed values

  func loc(_ mark: Mark?) -> SourceLocation {
    SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
  }

  func loc(_ mark: TextMark?) -> SourceLocation {
    SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
  }

  private func loc(line: Int, column: Int) -> SourceLocation {
    SourceLocation(file: file, line: line, column: column)
  }

  func describe(_ node: PlanNode) -> String {
    switch node {
    case .scalar(let s): "the scalar '\(s.string)'"
    case .mapping: "a mapping"
    case .sequence: "a list"
    case .alias: "an alias"
    }
  }

  /// The known keys of a mapping, their values and where each key is written.
  struct Fields {
    var values: [String: PlanNode] = [:]
    var keys: [String: SourceLocation] = [:]
    subscript(_ key: String) -> PlanNode? { values[key] }
  }

  /// A mapping with only the known keys (duplicates were refused by the YAML reader).
  mutating func mapping(_ node: PlanNode, what: String, keys: [String]) -> Fields? {
    guard let pairs = pairs(node, what: what) else { return nil }
    var out = Fields()
    for (k, v) in pairs {
      guard let key = string(k, what: "a key") else { continue }
      guard keys.contains(key.value) else {
        engine.error(
          .unknownKey, "unknown key '\(key.value)' in \(what)\(suggestion(key.value, in: keys))",
          at: key.location)
        continue
      }
      out.values[key.value] = v
      out.keys[key.value] = key.location
    }
    return out
  }

  private mutating func pairs(_ node: PlanNode, what: String) -> [(PlanNode, PlanNode)]? {
    guard case .mapping(let m) = node else {
      engine.error(.wrongType, "\(what) must be a mapping, found \(describe(node))", at: loc(node.mark))
      return nil
    }
    return m.pairs.map { ($0.key, $0.value) }
  }

  private mutating func sequence(_ node: PlanNode, what: String) -> [PlanNode]? {
    guard case .sequence(let s) = node else {
      engine.error(.wrongType, "\(what) must be a list, found \(describe(node))", at: loc(node.mark))
      return nil
    }
    return s.nodes
  }

  private mutating func string(_ node: PlanNode, what: String) -> Located<String>? {
    guard case .scalar(let s) = node else {
      engine.error(.wrongType, "\(what) must be a single value, found \(describe(node))", at: loc(node.mark))
      return nil
    }
    return Located(s.string, at: loc(s.mark))
  }

  /// A list of names, or a single name standing for a one-element list.
  mutating func references(_ node: PlanNode, what: String) -> [Located<String>] {
    if case .scalar = node { return string(node, what: what).map { [$0] } ?? [] }
    guard let list = sequence(node, what: what) else { return [] }
    return list.compactMap { string($0, what: "an entry of \(what)") }
  }

  /// Whether a name follows ``Identifier``'s rule; reports it at its place when not.
  private mutating func identifier(_ name: Located<String>, what: String) -> Bool {
    guard let problem = Identifier.problem(name.value) else { return true }
    engine.error(
      .nameInvalid, "\(what) \(Identifier.quoted(name.value)) \(problem)", at: name.location)
    return false
  }

  private mutating func number(_ node: PlanNode, what: String) -> Located<UInt64>? {
    guard let s = string(node, what: what) else { return nil }
    do {
      return Located(try Numbers.parse(s.value), at: s.location)
    } catch .overflow {
      engine.error(.badNumber, "\(what) '\(s.value)' does not fit 64 bits", at: s.location)
    } catch {
      engine.error(
        .badNumber, "\(what) '\(s.value)' is not a number (decimal or 0x hexadecimal)", at: s.location)
    }
    return nil
  }

  private mutating func size(_ node: PlanNode, what: String) -> Located<UInt64>? {
    guard let s = string(node, what: what) else { return nil }
    do {
      return Located(try Numbers.size(s.value), at: s.location)
    } catch .overflow {
      engine.error(.badSize, "\(what) '\(s.value)' does not fit 64 bits", at: s.location)
    } catch .badSuffix(let suffix) {
      engine.error(
        .badSize, "\(what) '\(s.value)' has an unknown suffix '\(suffix)' (use K, M, G or T)", at: s.location)
    } catch {
      engine.error(
        .badSize, "\(what) '\(s.value)' is not a size (a number with an optional K, M, G or T)",
        at: s.location)
    }
    return nil
  }

  private mutating func bool(_ node: PlanNode, what: String) -> Located<Bool>? {
    guard let s = string(node, what: what) else { return nil }
    switch s.value.lowercased() {
    case "true", "yes", "on": return Located(true, at: s.location)
    case "false", "no", "off": return Located(false, at: s.location)
    default:
      engine.error(.wrongType, "\(what) must be true or false, found '\(s.value)'", at: s.location)
      return nil
    }
  }

  mutating func choice<T: RawRepresentable & CaseIterable>(_ node: PlanNode, what: String) -> Located<T>?
  where T.RawValue == String {
    guard let s = string(node, what: what) else { return nil }
    guard let v = T(rawValue: s.value) else {
      let names = T.allCases.map(\.rawValue)
      engine.error(
        .wrongType,
        "\(what) '\(s.value)' is not one of \(names.joined(separator: ", "))\(suggestion(s.value, in: names))",
        at: s.location)
      return nil
    }
    return Located(v, at: s.location)
  }

  private mutating func region(_ node: PlanNode, what: String) -> Plan.Region? {
    guard let m = mapping(node, what: what, keys: ["base", "size"]) else { return nil }
    guard let baseNode = m["base"], let sizeNode = m["size"] else {
      engine.error(.missingKey, "\(what) needs 'base' and 'size'", at: loc(node.mark))
      return nil
    }
    guard let base = number(baseNode, what: "base"), let size = size(sizeNode, what: "size") else {
      return nil
    }
    return Plan.Region(base: base, size: size, location: loc(node.mark))
  }
}
