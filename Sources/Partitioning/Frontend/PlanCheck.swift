import DeviceTree
import Foundation
import Machine

/// `a/b/../c` as `a/c`: paths in messages as a person would write them.
func normalized(_ path: String) -> String {
  var parts: [Substring] = []
  for c in path.split(separator: "/", omittingEmptySubsequences: true) {
    if c == "." { continue }
    if c == "..", let last = parts.last, last != ".." {
      parts.removeLast()
    } else {
      parts.append(c)
    }
  }
  let joined = parts.joined(separator: "/")
  return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
}

/// Reads a plan and its board, resolves it and runs every check: what
/// `cleave check PLAN` (and later `cleave build`) stand on.
public struct PlanCheck: Sendable {
  /// Every diagnostic in reading order.
  public var diagnostics: [Diagnostic]
  /// The resolved partition, when the plan and board were usable.
  public var partition: Partition?
  /// The plan or board could not be used at all (exit status 2).
  public var unusable: Bool
  /// What reading the board set aside or merged, one line each (``Machine/warnings``).
  public var boardWarnings: [String] = []

  public var errors: Int { diagnostics.filter { $0.severity == .error }.count }
  public var warnings: Int { diagnostics.filter { $0.severity == .warning }.count }

  /// Loads, resolves and checks the plan at `path`.
  ///
  /// The board named on the plan's `board:` line is read on the other core
  /// while the plan is parsed: the two do not depend on each other, and on a
  /// board of thousands of cores each takes tens of milliseconds. The parsed
  /// plan has the last word: a board it names otherwise is read after it.
  public static func run(planPath path: String, includes: [String] = []) -> PlanCheck {
    let (read, unreadable) = PlanParser.text(of: path)
    guard let text = read else { return PlanCheck(diagnostics: unreadable, partition: nil, unusable: true) }
    // Only a regular file: standard input is read once, if at all, and a FIFO
    // may never answer a plan that turns out not to parse. And not for a plan
    // that parses in less time than a thread takes to start (one of tens of
    // kernels is a few kilobytes and well under a millisecond).
    let guess =
      text.utf8.count < 32 << 10
      ? nil
      : PlanYAML.peek("board", in: text).map { boardPath($0, planFile: path) }.flatMap {
        $0 != "-" && isRegularFile(atPath: $0) ? $0 : nil
      }
    let pending = guess.map { board in Pending { Result { try Machine.load(board, includes: includes) } } }
    let (parsed, shape) = PlanParser.parse(text, file: path)
    // Waited for in every case: reading a source board cleans up after dtc.
    let early = pending?.value
    guard let plan = parsed else { return PlanCheck(diagnostics: shape, partition: nil, unusable: true) }
    let board = boardPath(plan.board.value, planFile: plan.file)
    return run(
      plan: plan, board: board, machine: board == guess ? early : nil, includes: includes, extra: shape)
  }

  /// Where the board a plan names is: beside the plan unless absolute.
  private static func boardPath(_ value: String, planFile: String) -> String {
    let directory = PathText.directory(of: planFile)
    return normalized(value.hasPrefix("/") || directory.isEmpty ? value : "\(directory)/\(value)")
  }

  /// Checks the plan of a board's execution domains (``DomainPlan``) against
  /// that board, read already; throws when the board gives no such plan.
  public static func run(domainsOf machine: Machine, board: String) throws(DomainPlan.Failure) -> PlanCheck {
    let domains = try DomainPlan.make(
      machine: machine, boardPath: board, boardReference: PathText.name(of: board), planFile: board)
    var result = check(domains.plan, machine: machine, board: board, engine: DiagnosticEngine())
    result.boardWarnings = machine.warnings
    // Findings name kernels and foreign entries; each also says which domain node that is.
    for i in result.diagnostics.indices {
      for (name, origin) in domains.origins.sorted(by: { $0.key < $1.key })
      where result.diagnostics[i].message.contains("'\(name)'") {
        result.diagnostics[i].notes.append(
          .init("'\(name)' is the domain \(origin.value)", at: origin.location))
      }
    }
    return result
  }

  /// Resolves and checks a parsed plan.
  public static func run(plan: Plan, includes: [String] = [], extra: [Diagnostic] = []) -> PlanCheck {
    run(
      plan: plan, board: boardPath(plan.board.value, planFile: plan.file), machine: nil, includes: includes,
      extra: extra)
  }

  /// Resolves and checks a parsed plan whose board is at `board`, read
  /// already when `read` is given.
  private static func run(
    plan: Plan, board: String, machine read: Result<Machine, any Error>?, includes: [String],
    extra: [Diagnostic]
  ) -> PlanCheck {
    var engine = DiagnosticEngine()
    engine.append(contentsOf: extra)
    let machine: Machine
    do {
      machine = try read?.get() ?? Machine.load(board, includes: includes)
    } catch let e as DeviceTreeError {
      engine.error(.boardUnreadable, "board \(e.description)", at: plan.board.location)
      return PlanCheck(diagnostics: engine.sorted, partition: nil, unusable: true)
    } catch {
      engine.error(.boardUnreadable, "board \(board): \(error)", at: plan.board.location)
      return PlanCheck(diagnostics: engine.sorted, partition: nil, unusable: true)
    }
    var result = check(plan, machine: machine, board: board, engine: engine)
    result.boardWarnings = machine.warnings
    return result
  }

  /// Resolves and checks a plan against a board already read.
  static func check(_ plan: Plan, machine read: Machine, board: String, engine: DiagnosticEngine) -> PlanCheck
  {
    var engine = engine
    var machine = read
    if let ram = plan.ram {
      var ranges: [AddressRange] = []
      for r in ram {
        guard let range = AddressRange(checkedBase: r.base.value, size: r.size.value), range.size > 0 else {
          engine.error(
            r.size.value == 0 ? .badSize : .memoryOverflow,
            "RAM bank [\(Format.hex(r.base.value)) + \(Format.size(r.size.value))] "
              + (r.size.value == 0 ? "is empty" : "passes 2^64"), at: r.location)
          continue
        }
        if let other = ranges.firstIndex(where: { $0.overlaps(range) }) {
          engine.error(
            .memoryOverlap, "RAM bank \(range) overlaps RAM bank \(ranges[other])", at: r.location,
            notes: [.init("that bank is given here", at: ram[other].location)])
        }
        ranges.append(range)
      }
      machine = machine.withRAM(ranges, from: "ram (\(PathText.name(of: plan.file)))")
    }
    if let why = machine.unnamedRAM, plan.ram == nil {
      // One finding instead of one per kernel, channel and loader region.
      engine.error(
        .memoryMissing,
        "board \(board) names no RAM (\(why)): firmware such as U-Boot fills /memory in at boot; "
          + "give the machine's RAM in the plan, e.g. `ram: [{ base: 0x0, size: 4G }]`, "
          + "or write the plan with `cleave plan --auto --ram 0x0:4G`", at: plan.board.location)
      return PlanCheck(diagnostics: engine.sorted, partition: nil, unusable: false)
    }
    let partition = Resolver.resolve(plan, machine: machine, boardPath: board, engine: &engine)
    Checker.run(partition, &engine)
    return PlanCheck(diagnostics: engine.sorted, partition: partition, unusable: false)
  }
}
