import DeviceTree
import Foundation
import Partitioning

/// Puts a build's files in place so that OUT is always either the previous
/// complete build or the new complete one: everything is written into a
/// temporary sibling directory, then renamed over OUT.
///
/// An OUT that exists but was not made by cleave (no marker file) is refused
/// unless `force` is set, so a mistyped path cannot wipe someone's directory.
public enum OutputDirectory {
  public static let marker = ".cleave-out"

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public static func commit(_ artifacts: Artifacts, to out: String, force: Bool) throws {
    // Every path is checked before anything is written: a refused build leaves nothing behind.
    for path in artifacts.paths {
      if let problem = Artifacts.problem(with: path) {
        throw Failure(description: "refusing to write '\(path)' under \(out): \(problem)")
      }
    }
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    let exists = fm.fileExists(atPath: out, isDirectory: &isDirectory)
    if exists {
      guard isDirectory.boolValue else { throw Failure(description: "\(out) exists and is not a directory") }
      if !force && !fm.fileExists(atPath: "\(out)/\(marker)") {
        throw Failure(
          description: "\(out) exists and was not made by cleave build; use --force to replace it")
      }
    }
    let parent = PathText.directory(of: out)
    let base = PathText.name(of: out)
    let staging = (parent.isEmpty ? "." : parent) + "/.\(base).cleave-\(UUID().uuidString)"
    do {
      try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
      var made = Set<String>()
      for path in artifacts.paths {
        let directory = PathText.directory(of: "\(staging)/\(path)")
        if made.insert(directory).inserted {
          try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
      }
      // Creating a file is mostly the file system's own work: spread over the cores.
      let paths = artifacts.paths
      let failed = concurrently(paths.count) { i -> String? in
        let full = "\(staging)/\(paths[i])"
        guard let bytes = artifacts[paths[i]] else { return nil }
        do {
          try PlainFile.write(bytes, to: full)
          return nil
        } catch {
          return full
        }
      }
      if let full = failed.lazy.compactMap({ $0 }).first {
        throw Failure(description: "cannot write \(full)")
      }
      do {
        try PlainFile.write(Array("made by cleave build\n".utf8), to: "\(staging)/\(marker)")
      } catch {
        throw Failure(description: "cannot write in \(staging)")
      }
      if exists {
        let old = (parent.isEmpty ? "." : parent) + "/.\(base).old-\(UUID().uuidString)"
        try fm.moveItem(atPath: out, toPath: old)
        do {
          try fm.moveItem(atPath: staging, toPath: out)
        } catch {
          try? fm.moveItem(atPath: old, toPath: out)
          throw error
        }
        TreeRemoval.remove(old)
        // Whatever that left (a name that is not UTF-8) goes the slow way.
        if fm.fileExists(atPath: old) { try? fm.removeItem(atPath: old) }
      } else {
        try fm.moveItem(atPath: staging, toPath: out)
      }
    } catch {
      try? fm.removeItem(atPath: staging)
      if let f = error as? Failure { throw f }
      throw Failure(description: "\(out): \(error.localizedDescription)")
    }
  }
}
