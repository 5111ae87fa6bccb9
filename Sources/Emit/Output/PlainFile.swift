#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The C library's write(2), which `PlainFile.write` would otherwise hide.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
  write(fd, bytes, count)
}

/// Writes a new file with open, write and close and nothing else.
///
/// Foundation's writers sync every file to disk, which for the thousands of
/// small files of a large board costs far more than producing them; the
/// staging directory that ``OutputDirectory`` renames over OUT is what makes
/// a build all-or-nothing.
enum PlainFile {
  struct Failure: Error {
    var errno: Int32
  }

  static func write(_ bytes: [UInt8], to path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
    guard fd >= 0 else { throw Failure(errno: errno) }
    defer { close(fd) }
    try bytes.withUnsafeBytes { raw in
      var done = 0
      while done < raw.count {
        guard let base = raw.baseAddress else { return }
        let n = systemWrite(fd, base + done, raw.count - done)
        if n < 0 {
          if errno == EINTR { continue }
          throw Failure(errno: errno)
        }
        done += n
      }
    }
  }
}
