import Foundation

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

  static func run(_ name: String, _ arguments: [String]) throws -> Result {
    guard let executable = find(name) else {
      throw DeviceTreeError(file: name, "not found on PATH (install it with `make deps`)")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes before waiting so a chatty child cannot block on a full pipe.
    let errBox = DataBox()
    let group = DispatchGroup()
    let errHandle = err.fileHandleForReading
    DispatchQueue.global().async(group: group) { errBox.set(errHandle.readDataToEndOfFile()) }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    let signal = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
    return Result(status: process.terminationStatus, signal: signal, stdout: outData, stderr: String(decoding: errBox.get(), as: UTF8.self))
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
