import Foundation

/// Runs QEMU, streams its console to a sink line by line, and stops it once
/// the verdict is in or the time is up.
public enum BootRun {
  public struct Result: Sendable {
    public var outcome: ConsoleVerdict.Outcome
    public var missing: [String]
    public var timedOut: Bool
    public var console: String
  }

  public static func run(
    _ command: QEMUCommand, expecting kernels: [String], passText: [String: String] = [:],
    failText: [String] = [], timeout: Double,
    echo: (@Sendable (String) -> Void)? = nil
  ) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [command.executable] + command.arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    let state = Shared(ConsoleVerdict(expecting: kernels, passText: passText, failText: failText))
    let done = DispatchSemaphore(value: 0)
    let handle = pipe.fileHandleForReading
    handle.readabilityHandler = { h in
      let data = h.availableData
      if data.isEmpty {
        h.readabilityHandler = nil
        done.signal()
        return
      }
      let finished = state.feed(data, echo: echo)
      if finished { done.signal() }
    }
    try process.run()
    // The child has its copy of the write end; ours must go, or the reader
    // never sees end-of-file when QEMU exits early and the run waits out its
    // whole timeout instead of saying that QEMU exited.
    try? pipe.fileHandleForWriting.close()
    let stop = Self.stopQEMUOnInterrupt(process.processIdentifier)
    defer { Self.restoreSignals(stop) }
    let timedOut = done.wait(timeout: .now() + timeout) == .timedOut
    if process.isRunning { process.terminate() }
    let killer = DispatchQueue.global()
    killer.asyncAfter(deadline: .now() + 2) {
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
    process.waitUntilExit()
    handle.readabilityHandler = nil
    state.finish(echo: echo)
    let verdict = state.verdict
    var outcome = verdict.outcome
    if outcome == .running {
      outcome = .failed(timedOut ? "timed out after \(seconds(timeout))" : "QEMU exited")
    }
    return Result(
      outcome: outcome, missing: verdict.missing, timedOut: timedOut && verdict.outcome == .running,
      console: state.console)
  }

  /// A duration as a person writes it: "120 s", "0.5 s".
  static func seconds(_ t: Double) -> String {
    t == t.rounded() && t < 1e15 ? "\(Int(t)) s" : "\(t) s"
  }

  /// Ctrl-C or a kill of `cleave run` takes QEMU with it: QEMU is in its own
  /// process, and a TCG guest under -icount may not even heed SIGTERM.
  private static let stopSignals = [SIGINT, SIGTERM, SIGHUP]

  private static func stopQEMUOnInterrupt(_ pid: Int32) -> [DispatchSourceSignal] {
    stopSignals.map { sig in
      signal(sig, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
      source.setEventHandler {
        kill(pid, SIGKILL)
        exit(128 + sig)
      }
      source.resume()
      return source
    }
  }

  /// Once QEMU is gone the signals act as before the run.
  private static func restoreSignals(_ sources: [DispatchSourceSignal]) {
    for source in sources { source.cancel() }
    for sig in stopSignals { signal(sig, SIG_DFL) }
  }

  /// The verdict and console text, fed from QEMU's reader thread.
  private final class Shared: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = Data()
    private(set) var console = ""
    private var state: ConsoleVerdict
    private var untangler = ConsoleUntangler()

    init(_ v: ConsoleVerdict) { state = v }

    var verdict: ConsoleVerdict {
      lock.lock()
      defer { lock.unlock() }
      return state
    }

    func feed(_ data: Data, echo: (@Sendable (String) -> Void)?) -> Bool {
      lock.lock()
      defer { lock.unlock() }
      pending.append(data)
      while let newline = pending.firstIndex(of: 0x0a) {
        let lineData = pending[pending.startIndex..<newline]
        pending.removeSubrange(pending.startIndex...newline)
        let raw = String(decoding: lineData, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
        for line in untangler.take(Substring(raw)) {
          show(line, echo)
          state.read(Substring(line))
        }
      }
      // A kernel that waits after its pass text (U-Boot's autoboot prompt)
      // may not end that line for a while.
      let unfinished = untangler.partial + String(decoding: pending, as: UTF8.self)
      if !unfinished.isEmpty, !unfinished.contains("cleave|") { state.read(Substring(unfinished)) }
      return state.outcome != .running
    }

    /// Ends the console: an unfinished line is still shown.
    func finish(echo: (@Sendable (String) -> Void)?) {
      lock.lock()
      defer { lock.unlock() }
      let rest = String(decoding: pending, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
      pending.removeAll()
      var tail = rest.isEmpty ? [] : untangler.take(Substring(rest))
      if let unfinished = untangler.finish() { tail.append(unfinished) }
      for line in tail { show(line, echo) }
    }

    /// Keeps a console line and echoes it, leaving out QEMU's own note that it
    /// was stopped, which is not part of the boot (and may end a kernel's
    /// unfinished line).
    private func show(_ line: String, _ echo: (@Sendable (String) -> Void)?) {
      var line = Substring(line)
      if let note = line.range(of: "qemu-system-"), line[note.lowerBound...].contains("terminating on signal")
      {
        line = line[..<note.lowerBound]
        if line.allSatisfy(\.isWhitespace) { return }
      }
      console += line + "\n"
      echo?(String(line))
    }
  }
}
