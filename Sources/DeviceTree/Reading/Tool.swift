import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs an external program (dtc, the C preprocessor) and collects its output.
enum Tool {
  struct Result {
    var status: Int32
    /// The signal that ended the program, if one did.
    var signal: Int32?
    var stdout: Data
    var stderr: String
  }

  /// The absolute path of a program on PATH.
  static func find(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      let candidate = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// Runs `name` with `arguments`, stdin from /dev/null, and waits for it.
  ///
  /// Started with posix_spawn and reaped with a blocking waitpid: Foundation's
  /// Process notices a child's exit only on its next poll, which on Linux adds
  /// up to 50 ms to every dtc run, more than the whole rest of a build.
  static func run(_ name: String, _ arguments: [String]) throws -> Result {
    guard let executable = find(name) else {
      throw DeviceTreeError(file: name, "not found on PATH (install it with `make deps`)")
    }
    var out: [Int32] = [-1, -1]
    var err: [Int32] = [-1, -1]
    guard pipe(&out) == 0 else { throw DeviceTreeError(file: name, "cannot make a pipe: errno \(errno)") }
    guard pipe(&err) == 0 else {
      close(out[0])
      close(out[1])
      throw DeviceTreeError(file: name, "cannot make a pipe: errno \(errno)")
    }
    // Only the child's dup2 copies (fds 1 and 2) may outlive the exec.
    for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, out[1], 1)
    posix_spawn_file_actions_adddup2(&actions, err[1], 2)
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    close(out[1])
    close(err[1])
    guard spawned == 0 else {
      close(out[0])
      close(err[0])
      throw DeviceTreeError(file: name, "cannot start \(executable): error \(spawned)")
    }
    // Read both pipes before waiting so a chatty child cannot block on a full pipe.
    let outHandle = FileHandle(fileDescriptor: out[0], closeOnDealloc: true)
    let errHandle = FileHandle(fileDescriptor: err[0], closeOnDealloc: true)
    let errBox = DataBox()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { errBox.set(errHandle.readDataToEndOfFile()) }
    let outData = outHandle.readDataToEndOfFile()
    group.wait()
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      guard errno == EINTR else {
        throw DeviceTreeError(file: name, "lost track of \(executable): errno \(errno)")
      }
    }
    // The wait status: low 7 bits the terminating signal (0 for a normal exit), then the exit code.
    let signal = status & 0x7f
    let code = signal == 0 ? (status >> 8) & 0xff : signal
    return Result(
      status: code, signal: signal == 0 ? nil : signal, stdout: outData,
      stderr: String(decoding: errBox.get(), as: UTF8.self))
  }
}

/// Holds bytes read on another thread; the lock makes the hand-over safe.
private final class DataBox: @unchecked Sendable {
  private let lock = NSLock()
  private var data = Data()
  func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
  func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// A private temporary directory, removed by its owner.
struct Scratch {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("cleave-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  func remove() { try? FileManager.default.removeItem(at: url) }
}
