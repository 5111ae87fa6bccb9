/// The directory and last component of a file path, as text.
///
/// Foundation's `NSString.deletingLastPathComponent` and `lastPathComponent`
/// trap on short paths without a slash in this toolchain ("out", "a.yaml"),
/// so every path split in cleave goes through here instead.
public enum PathText {
  /// The path without its last component: "a/b" -> "a", "/x" -> "/", "b" -> "".
  public static func directory(of path: String) -> String {
    let p = trimmed(Substring(path))
    guard let slash = p.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
    if slash == p.startIndex { return "/" }
    return String(trimmed(p[..<slash]))
  }

  /// The last component: "a/b" -> "b", "b/" -> "b", "/" -> "/".
  public static func name(of path: String) -> String {
    let p = trimmed(Substring(path))
    if p == "/" { return "/" }
    guard let slash = p.utf8.lastIndex(of: UInt8(ascii: "/")) else { return String(p) }
    return String(p[p.utf8.index(after: slash)...])
  }

  /// Trailing slashes dropped, keeping a lone "/". Looked at as bytes: a
  /// slash is one, and counting characters would walk the whole path per slash.
  private static func trimmed(_ path: Substring) -> Substring {
    var p = path
    while p.utf8.count > 1, p.utf8.last == UInt8(ascii: "/") {
      p = p[..<p.utf8.index(before: p.utf8.endIndex)]
    }
    return p
  }
}
