/// Whether `text` holds `part`, compared byte by byte, without Foundation's
/// substring search: a board's compatible strings are read for each of
/// thousands of cores and devices.
func has(_ text: String, _ part: StaticString) -> Bool {
  let n = part.utf8CodeUnitCount
  return part.withUTF8Buffer { needle in
    var text = text
    return text.withUTF8 { hay in
      guard n > 0, hay.count >= n else { return n == 0 }
      for start in 0...(hay.count - n) where hay[start] == needle[0] {
        if (1..<n).allSatisfy({ hay[start + $0] == needle[$0] }) { return true }
      }
      return false
    }
  }
}
