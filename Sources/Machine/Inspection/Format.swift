/// Number formats shared by the text and JSON views.
public enum Format {
  /// `0x40000000`.
  public static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

  /// A size in the largest binary unit that divides it exactly (`2 GiB`,
  /// `64 KiB`, `4032 KiB`); past four digits of a smaller unit, one decimal
  /// of the larger one instead (`15.4 MiB`).
  public static func size(_ v: UInt64) -> String {
    let units: [(UInt64, String)] = [(1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
    guard let top = units.firstIndex(where: { v >= $0.0 }) else { return "\(v) B" }
    for (scale, name) in units[top...] where v % scale == 0 && v / scale < 10_000 {
      return "\(v / scale) \(name)"
    }
    if v < 10_000 { return "\(v) B" }
    let (scale, name) = units[top]
    let tenths = (v / (scale / 1024) * 10 + 512) / 1024
    return "\(tenths / 10).\(tenths % 10) \(name)"
  }
}
