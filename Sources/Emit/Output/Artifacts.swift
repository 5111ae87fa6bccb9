/// Files a build produces, in memory, by path relative to OUT. Emitters add
/// to it; tests read it; ``OutputDirectory`` commits it to disk atomically.
public struct Artifacts: Sendable {
  public private(set) var paths: [String] = []
  public private(set) var files: [String: [UInt8]] = [:]

  public init() {}

  public mutating func add(_ path: String, _ bytes: [UInt8]) {
    if files[path] == nil { paths.append(path) }
    files[path] = bytes
  }

  public mutating func add(_ path: String, text: String) { add(path, Array(text.utf8)) }

  public subscript(path: String) -> [UInt8]? { files[path] }

  public func text(_ path: String) -> String? { files[path].map { String(decoding: $0, as: UTF8.self) } }
}
