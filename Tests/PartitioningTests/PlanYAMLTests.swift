import DeviceTree
import Foundation
import Machine
import Testing
import Yams

@testable import Partitioning

/// The plan reader's fast path must give what Yams' composer gives, node for
/// node and mark for mark, or step aside.
struct PlanYAMLTests {
  /// Kind, text, mark and order of every node, as one comparable line each.
  func shape(_ node: PlanNode, _ out: inout [String], depth: Int = 0) {
    let at = node.mark.map { "\($0.line):\($0.column)" } ?? "-"
    let pad = String(repeating: " ", count: depth)
    switch node {
    case .scalar(let s): out.append("\(pad)scalar \(at) \(s.string.debugDescription)")
    case .mapping(let m):
      out.append("\(pad)mapping \(at) \(m.pairs.count)")
      for (k, v) in m.pairs {
        shape(k, &out, depth: depth + 1)
        shape(v, &out, depth: depth + 2)
      }
    case .sequence(let l):
      out.append("\(pad)list \(at) \(l.nodes.count)")
      for n in l.nodes { shape(n, &out, depth: depth + 1) }
    case .alias: out.append("\(pad)alias \(at)")
    }
  }

  func lines(_ node: PlanNode?) -> [String] {
    var out: [String] = []
    if let node { shape(node, &out) }
    return out
  }

  /// Whether the fast path read `text`; when it did, its tree is Yams' tree.
  func readsLikeYams(_ text: String, _ name: String) -> Bool {
    let fast = PlanYAML.compose(text)
    guard fast != nil else { return false }
    let composed = (try? Yams.compose(yaml: text, .basic)).flatMap { $0 }.map(PlanNode.init)
    #expect(composed != nil, "\(name): the fast path read what Yams refuses")
    #expect(lines(fast) == lines(composed), "\(name): the fast path and Yams disagree")
    return true
  }

  static func planFiles() -> [String] {
    let root = repositoryRoot.path
    var out: [String] = []
    for dir in ["dts", "Tests/Fixtures"] {
      let base = "\(root)/\(dir)"
      let walker = FileManager.default.enumerator(atPath: base)
      while let f = walker?.nextObject() as? String {
        if f.hasSuffix(".yaml") || f.hasSuffix(".yml") { out.append("\(base)/\(f)") }
      }
    }
    return out.sorted()
  }

  @Test func everyPlanInTheRepositoryReadsAsYamsReadsIt() throws {
    let files = Self.planFiles()
    #expect(files.count > 40)
    var fast = 0
    for f in files {
      let text = try String(contentsOfFile: f, encoding: .utf8)
      if readsLikeYams(text, f) { fast += 1 }
    }
    // The malformed fixtures and the flow mappings written over several lines go to Yams.
    #expect(fast * 10 >= files.count * 8, "only \(fast) of \(files.count) plans took the fast path")
  }

  @Test(arguments: ["qemu-virt-aarch64-gicv3.dts", "manycore-64.dts", "qemu-virt-riscv64.dts"])
  func autoPlansTakeTheFastPath(board: String) throws {
    let machine = try Machine.load(boardPath(board))
    let text = try AutoPlanner(machine: machine, boardReference: boardPath(board)).plan()
    #expect(readsLikeYams(text, board))
  }

  @Test(arguments: [
    "a: 1\nb: [x, 'y', \"z\"]\nc: { d: 1, e: [1, 2], f: {} }\ng: []\n",
    "k:\n- a\n- b\nm:\n  - n: 1\n    o: 2\n  - - p\n    - q\n",
    "  top: 1\n  next:\n    deeper: 'it''s'   # a comment\n",
    "url: http://x/y#frag\nnote: a#b\nsize: 16M  # sixteen\n",
    "\"quoted key\": v\n'single': w\nlist:\n  -   spaced\n  -\n    late: 1\n",
    "bootargs: console=ttyAMA0,115200 root=/dev/vda\n",
  ])
  func supportedYAMLReadsAsYamsReadsIt(text: String) {
    #expect(readsLikeYams(text, text))
  }

  @Test(arguments: [
    "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: |\n  text\n", "a: >\n  text\n", "a: one\n  two\n", "a:\n",
    "a: 1\na: 2\n", "---\na: 1\n", "a:\t1\n", "a: \"esc\\n\"\n", "a: [1,\n  2]\n", "a: é\n", "a: 1\r\n",
    "a: x 'b #c' d\n", "a: 'b # c'\n", "a: [1, 2,]\n", "a: b: c\n", "- a\nb: 1\n", "? a\n: b\n", "a: 'open\n",
    "<<: {a: 1}\n", "a: {b}\n",
    "a: " + String(repeating: "[", count: 100_000),
    (0..<100).map { String(repeating: " ", count: $0) + "k:\n" }.joined(),
  ])
  func otherYAMLIsLeftToYams(text: String) {
    #expect(PlanYAML.compose(text) == nil)
  }

  /// The `board:` line read ahead of the plan (to start reading the board
  /// early) is either what the parsed plan says or nothing.
  @Test func peekedBoardIsTheParsedBoardOrNothing() throws {
    var peeked = 0
    for f in Self.planFiles() {
      let text = try String(contentsOfFile: f, encoding: .utf8)
      guard let guess = PlanYAML.peek("board", in: text) else { continue }
      peeked += 1
      guard case .mapping(let m)? = (try? Yams.compose(yaml: text, .basic)).flatMap({ $0 }).map(PlanNode.init)
      else { continue }
      let board = m.pairs.first { if case .scalar(let k) = $0.key { k.string == "board" } else { false } }
      if case .scalar(let value)? = board?.value { #expect(value.string == guess, "\(f)") }
    }
    #expect(peeked > 30)
  }

  @Test(
    arguments: [
      ("board: a.dtb\n", "a.dtb"), ("# c\nboard:   b/c.dts   # the board\nkernels: {}\n", "b/c.dts"),
      ("target: x\nboard: a#b.dtb\r\n", "a#b.dtb"), ("  board: nested.dtb\nboard: top.dtb\n", "top.dtb"),
      ("board: 'quoted.dtb'\n", nil), ("board: \"q.dtb\"\n", nil), ("board: [a]\n", nil), ("board:\n", nil),
      ("board: # none\n", nil), ("board: *anchor\n", nil), ("boards: a.dtb\n", nil), ("kernels: {}\n", nil),
    ] as [(String, String?)])
  func peekReadsOnlyAPlainTopLevelLine(text: String, board: String?) {
    #expect(PlanYAML.peek("board", in: text) == board)
  }

  /// A board line the look-ahead misreads costs a wasted read, never the
  /// wrong board: here it guesses `a` (another real board) while the plan's
  /// folded value names `a b.dts`.
  @Test func aMisreadBoardLineChecksAgainstThePlansBoard() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cleave-peek-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let board = directory.appendingPathComponent("a b.dts").path
    try FileManager.default.copyItem(atPath: boardPath("qemu-virt-aarch64-gicv3.dts"), toPath: board)
    let decoy = try DeviceTree.load(boardPath("qemu-virt-riscv64.dts"))
    try Data(try decoy.blob()).write(to: directory.appendingPathComponent("a"))
    let auto = try AutoPlanner(machine: try Machine.load(board), boardReference: "a b.dts").plan()
    // Long enough that the board is read ahead (a short plan parses sooner than a thread starts).
    let text =
      auto.replacingOccurrences(of: "board: a b.dts\n", with: "board: a\n  b.dts\n")
      + String(repeating: "# a plan of many kernels is read ahead of its board\n", count: 1000)
    #expect(text.utf8.count >= 32 << 10 && PlanYAML.peek("board", in: text) == "a")
    let plan = directory.appendingPathComponent("plan.yaml").path
    try text.write(toFile: plan, atomically: true, encoding: .utf8)
    let result = PlanCheck.run(planPath: plan)
    #expect(result.partition?.machine.tree.file == "\(directory.path)/a b.dts")
    #expect(result.errors == 0, "\(result.diagnostics.map(\.text))")
  }
}
