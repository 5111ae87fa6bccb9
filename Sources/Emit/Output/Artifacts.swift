/// Files a build produces, in memory, by path relative to OUT. Emitters add
/// to it; tests read it; ``OutputDirectory`` commits it to disk atomically.
public struct Artifacts: Sendable {
  public private(set) var paths: [String] = []
  public private(set) var files: [String: [UInt8]] = [:]
  /// The SHA-256 (hex) of files whose maker worked it out already, by path:
  /// made where the file is made, on whichever core made it.
  public private(set) var digests: [String: String] = [:]
  /// Why the build has no boot descriptor (and so no image), when it has none.
  public var unbootable: String?

  public init() {}

  public mutating func add(_ path: String, _ bytes: [UInt8]) {
    if files[path] == nil { paths.append(path) }
    files[path] = bytes
    digests[path] = nil
  }

  /// Adds a file whose digest its maker worked out.
  public mutating func add(_ path: String, _ bytes: [UInt8], sha256: String) {
    add(path, bytes)
    digests[path] = sha256
  }

  /// The SHA-256 (hex) of the file at `path`, worked out now unless its maker did.
  public func sha256(_ path: String) -> String {
    digests[path] ?? SHA256.hex(SHA256.hash(files[path] ?? []))
  }

  public mutating func add(_ path: String, text: String) { add(path, Array(text.utf8)) }

  public subscript(path: String) -> [UInt8]? { files[path] }

  public func text(_ path: String) -> String? { files[path].map { String(decoding: $0, as: UTF8.self) } }

  /// Why `path` may not name a file under OUT, or `nil` when it may: it must be
  /// relative, and no component may be empty, `.` or `..`. Names in a plan are
  /// identifiers already; this holds even if an emitter ever forgets that.
  public static func problem(with path: String) -> String? {
    if path.isEmpty { return "it is empty" }
    if path.hasPrefix("/") { return "it is absolute" }
    // As bytes: every file of a build of thousands of kernels is asked about.
    for component in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
      if component.isEmpty { return "it has an empty component" }
      if component.elementsEqual(".".utf8) || component.elementsEqual("..".utf8) {
        return "it has a '\(String(decoding: component, as: UTF8.self))' component"
      }
      if component.contains(0) { return "it holds a NUL byte" }
    }
    return nil
  }
}
