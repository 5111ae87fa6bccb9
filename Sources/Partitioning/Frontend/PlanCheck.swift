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

  public var errors: Int { diagnostics.filter { $0.severity == .error }.count }
  public var warnings: Int { diagnostics.filter { $0.severity == .warning }.count }

  /// Loads, resolves and checks the plan at `path`.
  public static func run(planPath path: String, includes: [String] = []) -> PlanCheck {
    let (plan, shape) = PlanParser.load(path)
    guard let plan else { return PlanCheck(diagnostics: shape, partition: nil, unusable: true) }
    return run(plan: plan, includes: includes, extra: shape)
  }

  /// Resolves and checks a parsed plan.
  public static func run(plan: Plan, includes: [String] = [], extra: [Diagnostic] = []) -> PlanCheck {
    var engine = DiagnosticEngine()
    engine.append(contentsOf: extra)
    let directory = PathText.directory(of: plan.file)
    let board = normalized(
      plan.board.value.hasPrefix("/") || directory.isEmpty
        ? plan.board.value : "\(directory)/\(plan.board.value)")
    let machine: Machine
    do {
      machine = try Machine.load(board, includes: includes)
    } catch let e as DeviceTreeError {
      engine.error(.boardUnreadable, "board \(e.description)", at: plan.board.location)
      return PlanCheck(diagnostics: engine.sorted, partition: nil, unusable: true)
    } catch {
      engine.error(.boardUnreadable, "board \(board): \(error)", at: plan.board.location)
      return PlanCheck(diagnostics: engine.sorted, partition: nil, unusable: true)
    }
    let partition = Resolver.resolve(plan, machine: machine, boardPath: board, engine: &engine)
    Checker.run(partition, &engine)
    return PlanCheck(diagnostics: engine.sorted, partition: partition, unusable: false)
  }
}
