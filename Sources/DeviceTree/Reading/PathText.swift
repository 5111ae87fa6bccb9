/// The directory and last component of a file path, as text.
///
/// Foundation's `NSString.deletingLastPathComponent` and `lastPathComponent`
/// trap on short paths without a slash in this toolchain ("out", "a.yaml"),
/// so every path split in cleave goes through here instead.
public enum PathText {
  /// The path without its last component: "a/b" -> "a", "/x" -> "/", "b" -> "".
  public static func directory(of path: String) -> String {
    let p = trimmed(path)
    guard let slash = p.lastIndex(of: "/") else { return "" }
    if slash == p.startIndex { return "/" }
    return String(trimmed(String(p[..<slash])))
  }

  /// The last component: "a/b" -> "b", "b/" -> "b", "/" -> "/".
  public static func name(of path: String) -> String {
    let p = trimmed(path)
    if p == "/" { return "/" }
    guard let slash = p.lastIndex(of: "/") else { return String(p) }
    return String(p[p.index(after: slash)...])
  }

  /// Trailing slashes dropped, keeping a lone "/".
  private static func trimmed(_ path: String) -> Substring {
    var p = Substring(path)
    while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
    return p
  }
}
