import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` with the commit the tool is built from, for
/// `cleave --version`. It runs before every build but rewrites the file only
/// when the commit changed, so an unchanged tree recompiles nothing.
@main
struct BuildInfo: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let directory = context.pluginWorkDirectoryURL.appending(path: "generated")
    let file = directory.appending(path: "BuildInfo.swift")
    // Outside a git checkout (a source archive) the commit is "unknown".
    let script = """
      mkdir -p "$2"
      commit=$(git -C "$1" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
      text="let buildCommit = \\"$commit\\""
      [ "$(cat "$3" 2>/dev/null)" = "$text" ] || printf '%s\\n' "$text" > "$3"
      """
    return [
      .prebuildCommand(
        displayName: "Recording the commit cleave is built from",
        executable: URL(fileURLWithPath: "/bin/sh"),
        arguments: ["-c", script, "sh", context.package.directoryURL.path, directory.path, file.path],
        outputFilesDirectory: directory)
    ]
  }
}
