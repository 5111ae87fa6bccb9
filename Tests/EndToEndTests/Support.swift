import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Test inputs kept in the repository (`Tests/Fixtures`).
let fixturesDirectory = repositoryRoot.appendingPathComponent("Tests/Fixtures")

/// The binary under test: `$CLEAVE_BIN` (set by `make test`), else this checkout's debug build.
let cleaveBinary: String = {
  if let path = ProcessInfo.processInfo.environment["CLEAVE_BIN"], !path.isEmpty { return path }
  return repositoryRoot.appendingPathComponent(".build/debug/cleave").path
}()

/// How long any program the tests start may run. Every run here takes well under a
/// second; one that is still running after this is hung, and a hang is a bug.
let runTimeLimit: TimeInterval = 20

/// What a program left behind.
struct RunResult: Sendable {
  /// The exit status, or the signal number when `signalled`.
  var status: Int32
  /// Whether a signal ended the program (a crash, or the kill after `timedOut`).
  var signalled: Bool
  /// Whether the program outlived ``runTimeLimit`` and was killed.
  var timedOut: Bool
  var stdout: Data
  var stderr: String

  var stdoutText: String { String(decoding: stdout, as: UTF8.self) }

  /// A crash as a shell sees it: death by a signal, or an exit status of 128 or more.
  var crashed: Bool { signalled || status >= 128 }

  /// One line for failure messages.
  var summary: String {
    let how =
      timedOut ? "killed after \(Int(runTimeLimit)) s" : signalled ? "signal \(status)" : "exit \(status)"
    return "\(how); stderr: \(stderr.isEmpty ? "(empty)" : stderr)"
  }
}

/// Runs a program with a time limit, feeding it `stdin` (or /dev/null), and collects its
/// output. A program still running after ``runTimeLimit`` is killed and recorded as a
/// failure at the caller's location.
func run(
  _ executable: String, _ arguments: [String], stdin: Data? = nil, timeLimit: TimeInterval = runTimeLimit,
  sourceLocation: SourceLocation = #_sourceLocation
) throws -> RunResult {
  ignoreBrokenPipes()
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  let input = stdin == nil ? nil : Pipe()
  process.standardInput = input ?? FileHandle.nullDevice
  let exited = DispatchSemaphore(value: 0)
  process.terminationHandler = { _ in exited.signal() }
  try process.run()

  // Drain both pipes while the program runs so it can never block on a full pipe.
  let outBox = Collected()
  let errBox = Collected()
  let readers = DispatchGroup()
  let outHandle = out.fileHandleForReading
  let errHandle = err.fileHandleForReading
  DispatchQueue.global().async(group: readers) { outBox.set(outHandle.readDataToEndOfFile()) }
  DispatchQueue.global().async(group: readers) { errBox.set(errHandle.readDataToEndOfFile()) }
  if let input, let stdin {
    let writer = input.fileHandleForWriting
    // A program that exits without reading all of its input is not an error here.
    DispatchQueue.global().async {
      try? writer.write(contentsOf: stdin)
      try? writer.close()
    }
  }

  var timedOut = false
  if exited.wait(timeout: .now() + timeLimit) == .timedOut {
    timedOut = true
    kill(process.processIdentifier, SIGKILL)
    _ = exited.wait(timeout: .now() + 5)
  }
  // A killed program's own children (dtc, cpp) may still hold the pipes open.
  _ = readers.wait(timeout: .now() + (timedOut ? 2 : timeLimit))
  let result = RunResult(
    status: process.isRunning ? SIGKILL : process.terminationStatus,
    signalled: timedOut || process.terminationReason == .uncaughtSignal, timedOut: timedOut,
    stdout: outBox.get(), stderr: String(decoding: errBox.get(), as: UTF8.self))
  if timedOut {
    let command = ([executable] + arguments).joined(separator: " ")
    Issue.record(
      "hang: `\(command)` was still running after \(Int(timeLimit)) s and was killed",
      sourceLocation: sourceLocation)
  }
  return result
}

/// Runs the cleave binary under test.
func cleave(
  _ arguments: [String], stdin: Data? = nil, sourceLocation: SourceLocation = #_sourceLocation
) throws -> RunResult {
  try #require(
    FileManager.default.isExecutableFile(atPath: cleaveBinary),
    "no cleave binary at \(cleaveBinary): run `swift build --build-tests` or set CLEAVE_BIN",
    sourceLocation: sourceLocation)
  return try run(cleaveBinary, arguments, stdin: stdin, sourceLocation: sourceLocation)
}

/// The absolute path of a program on PATH; fails the test when it is not installed.
func tool(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
  let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
  let found = path.split(separator: ":").map { "\($0)/\(name)" }.first {
    FileManager.default.isExecutableFile(atPath: $0)
  }
  return try #require(
    found, "\(name) is not on PATH (`make deps` installs it)", sourceLocation: sourceLocation)
}

/// Compiles a .dts file to a .dtb with the real dtc; fails the test if dtc refuses it.
func compileDTS(
  file source: String, to output: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let dtc = try tool("dtc", sourceLocation: sourceLocation)
  let r = try run(
    dtc, ["-q", "-I", "dts", "-O", "dtb", "-o", output, source], sourceLocation: sourceLocation)
  try #require(r.status == 0 && !r.signalled, "dtc \(source): \(r.summary)", sourceLocation: sourceLocation)
}

/// Compiles device-tree source text to a .dtb named `name` in `directory`; returns its path.
func compileDTS(
  _ text: String, named name: String, in directory: TemporaryDirectory,
  sourceLocation: SourceLocation = #_sourceLocation
) throws -> String {
  let source = try directory.write(Data(text.utf8), to: name + ".dts")
  let output = directory.path(name + ".dtb")
  try compileDTS(file: source, to: output, sourceLocation: sourceLocation)
  return output
}

/// A fresh directory under the system's temporary directory, removed with its contents
/// when the last reference goes away, and in any case when the test process exits
/// (Swift may end an object's life at its last use, before a test's last file is written).
final class TemporaryDirectory {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("cleave-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    leftovers.add(url)
  }

  deinit { try? FileManager.default.removeItem(at: url) }

  /// The path of `name` inside the directory.
  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  /// Writes `data` to `name` inside the directory and returns its path.
  @discardableResult
  func write(_ data: Data, to name: String) throws -> String {
    let file = path(name)
    try data.write(to: URL(fileURLWithPath: file))
    return file
  }
}

/// Bytes read on a reader thread; the lock makes the hand-over safe.
private final class Collected: @unchecked Sendable {
  private let lock = NSLock()
  private var data = Data()

  func set(_ d: Data) {
    lock.lock()
    data = d
    lock.unlock()
  }

  func get() -> Data {
    lock.lock()
    defer { lock.unlock() }
    return data
  }
}

/// Writing stdin to a program that has already exited must fail with EPIPE, not kill
/// the test runner with SIGPIPE.
private let brokenPipesIgnored: Bool = {
  signal(SIGPIPE, SIG_IGN)
  return true
}()

private func ignoreBrokenPipes() { _ = brokenPipesIgnored }

/// Every temporary directory the tests made, removed when the test process exits.
private final class Leftovers: @unchecked Sendable {
  private let lock = NSLock()
  private var urls: [URL] = []
  private static let registered: Bool = {
    atexit { leftovers.removeAll() }
    return true
  }()

  func add(_ url: URL) {
    _ = Self.registered
    lock.lock()
    urls.append(url)
    lock.unlock()
  }

  func removeAll() {
    lock.lock()
    defer { lock.unlock() }
    for url in urls { try? FileManager.default.removeItem(at: url) }
    urls = []
  }
}

private let leftovers = Leftovers()
