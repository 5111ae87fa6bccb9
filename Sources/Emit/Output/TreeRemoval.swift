import DeviceTree

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Deletes the previous build's directory once a new one has replaced it.
///
/// A build of thousands of kernels replaces thousands of files, and deleting
/// them one by one was the last tenth of such a build with one core idle (on
/// an ext4 disk more than a second for 12,000 files). Each directory's files
/// are unlinked on every core: the kernel frees a file's pages or blocks after
/// it lets go of the directory, so that part runs side by side. Entries are
/// named relative to their directory's descriptor, and a directory is entered
/// only through `O_NOFOLLOW`, so nothing outside the tree is touched even if
/// the tree changes meanwhile.
enum TreeRemoval {
  /// Removes `path` and everything below it, as far as it can; whatever is
  /// left is for the caller's fallback.
  static func remove(_ path: String) {
    removeContents(of: AT_FDCWD, path)
    _ = rmdir(path)
  }

  private static func removeContents(of parent: Int32, _ name: String) {
    let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let (files, directories) = entries(fd)
    _ = concurrently(2) { start in
      for i in stride(from: start, to: files.count, by: 2) { _ = unlinkat(fd, files[i], 0) }
    }
    for d in directories {
      removeContents(of: fd, d)
      _ = unlinkat(fd, d, AT_REMOVEDIR)
    }
  }

  /// The names in a directory, files (and links) apart from directories.
  private static func entries(_ fd: Int32) -> (files: [String], directories: [String]) {
    // The directory stream owns (and closes) a descriptor of its own.
    let own = dup(fd)
    guard own >= 0 else { return ([], []) }
    guard let stream = fdopendir(own) else {
      close(own)
      return ([], [])
    }
    defer { closedir(stream) }
    var files: [String] = []
    var directories: [String] = []
    while let entry = readdir(stream) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name == "." || name == ".." { continue }
      var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
      if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
        var info = stat()
        isDirectory = fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && info.st_mode & S_IFMT == S_IFDIR
      }
      if isDirectory { directories.append(name) } else { files.append(name) }
    }
    return (files, directories)
  }
}
