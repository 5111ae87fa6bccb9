/// Splits a boot's console back into the lines each writer printed.
///
/// Probe kernels and the loader print whole `cleave|…` lines in one write
/// (semihosting), while a foreign kernel such as U-Boot prints on the UART a
/// character at a time; both reach QEMU's standard output, so a probe line can
/// land inside a foreign one: `Model: riscv-vicleave|INFO|k0: …` then
/// `rtio,qemu`. The untangler gives back `cleave|INFO|k0: …` whole and
/// `Model: riscv-virtio,qemu` whole, in the order each was completed, so that a
/// kernel's pass text is found however the lines were interleaved.
///
/// The EL2 fence prints its `cleave|FENCE|…` lines on the UART a character at a
/// time too, while probe kernels run: a protocol line can land inside one of
/// those, so the last `cleave|` of a raw line starts the whole line and
/// whatever precedes it, protocol marker or not, is the head of a streamed one.
public struct ConsoleUntangler: Sendable {
  /// The start of a foreign line whose end has not arrived yet.
  public private(set) var partial = ""

  public init() {}

  /// Takes one raw console line (without its newline) and returns the lines it completes.
  public mutating func take(_ raw: Substring) -> [String] {
    guard let start = raw.ranges(of: "cleave|").last else {
      defer { partial = "" }
      return [partial + raw]
    }
    // Text before the protocol marker is the head of a foreign line that the
    // protocol line interrupted; it continues on a later raw line.
    partial += raw[..<start.lowerBound]
    return [String(raw[start.lowerBound...])]
  }

  /// What is left once the console has ended: an unfinished foreign line, if any.
  public mutating func finish() -> String? {
    defer { partial = "" }
    return partial.isEmpty ? nil : partial
  }

  /// A whole console text untangled.
  public static func lines(of text: String) -> [String] {
    var u = ConsoleUntangler()
    var out: [String] = []
    var rest = Substring(text)
    if rest.hasSuffix("\n") { rest.removeLast() }
    for raw in rest.split(separator: "\n", omittingEmptySubsequences: false) {
      out += u.take(raw)
    }
    if let tail = u.finish() { out.append(tail) }
    return out
  }
}
