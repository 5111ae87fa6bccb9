import Dispatch

/// `[body(0), body(1), ..., body(count - 1)]`, computed on every core.
///
/// Each kernel's cut, tree and files depend on the shared, read-only board
/// and partition alone, so a build spreads them over the machine's cores; the
/// results come back in index order, the same bytes as a one-core run.
public func concurrently<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
  guard count > 1 else { return (0..<max(count, 0)).map(body) }
  return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
    guard let base = buffer.baseAddress else { return }
    // Each iteration initialises its own element and no other.
    nonisolated(unsafe) let slots = base
    withoutActuallyEscaping(body) { body in
      nonisolated(unsafe) let body = body
      DispatchQueue.concurrentPerform(iterations: count) { i in (slots + i).initialize(to: body(i)) }
    }
    initialized = count
  }
}

/// `(first(), second())`, the two computed at the same time.
///
/// For two independent reads of the same unchanging data, such as the two
/// halves of a machine view or two indexes of one board.
public func inParallel<A, B>(_ first: () -> A, _ second: () -> B) -> (A, B) {
  let made = concurrently(2) { i -> (A?, B?) in i == 0 ? (first(), nil) : (nil, second()) }
  if let a = made.first?.0, let b = made.last?.1 { return (a, b) }
  // Not reached: `concurrently` returns each index's result in its place.
  return (first(), second())
}

/// A value worked out on another thread from the moment it is made, while
/// the caller gets on with something else; ``value`` waits for it.
///
/// Unlike ``inParallel``, the work does not run inside a `concurrentPerform`
/// of the caller's: work that spreads itself over the cores (reading a
/// machine) still finds them free once the caller waits.
public final class Pending<T: Sendable>: @unchecked Sendable {
  private let group = DispatchGroup()
  // Written once, by the work, before the group is left; read after waiting.
  private var result: T?

  public init(_ work: @escaping @Sendable () -> T) {
    group.enter()
    DispatchQueue.global().async {
      self.result = work()
      self.group.leave()
    }
  }

  /// The work's result, once it is done.
  public var value: T {
    group.wait()
    guard let result else { preconditionFailure("a Pending value's work left without a result") }
    return result
  }
}
