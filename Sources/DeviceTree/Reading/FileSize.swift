#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The size of a file by stat(2), or `nil` when it cannot be read.
///
/// Foundation's `attributesOfItem` also looks up the owner's user and group
/// names in /etc/passwd and /etc/group, which costs more than reading a
/// board; an input's size is all cleave asks.
public func fileSize(atPath path: String) -> UInt64? {
  var info = stat()
  guard stat(path, &info) == 0 else { return nil }
  return UInt64(exactly: info.st_size)
}

/// Whether `path` is a regular file (after links): not a directory, device or FIFO.
public func isRegularFile(atPath path: String) -> Bool {
  var info = stat()
  return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
}
