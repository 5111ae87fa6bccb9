import Testing

@testable import DeviceTree

/// Splitting a file path into its directory and last component, as the
/// commands do for every path a user gives and a build writes.
struct PathTextTests {
  @Test(arguments: [
    ("a/b", "a", "b"), ("/x", "/", "x"), ("b", "", "b"), ("a/b/", "a", "b"), ("a//b//", "a", "b"),
    ("/", "/", "/"), ("//", "/", "/"), ("out", "", "out"), ("/a/b/c.dtb", "/a/b", "c.dtb"),
    ("é/ü.yaml", "é", "ü.yaml"), ("x/é\u{301}/", "x", "é\u{301}"),
  ])
  func splitsAPath(_ path: String, _ directory: String, _ name: String) {
    #expect(PathText.directory(of: path) == directory, "directory of \(path)")
    #expect(PathText.name(of: path) == name, "name of \(path)")
  }
}
