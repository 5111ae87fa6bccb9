/// Number formats shared by the text and JSON views.
public enum Format {
  /// `0x40000000`.
  public static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

  /// A size in the largest binary unit that divides it exactly: `2 GiB`, `64 KiB`, `100 B`.
  public static func size(_ v: UInt64) -> String {
    let units: [(UInt64, String)] = [(1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
    for (scale, name) in units where v >= scale && v % scale == 0 { return "\(v / scale) \(name)" }
    // Not a whole number of any unit: one decimal of the largest unit it reaches.
    for (scale, name) in units where v >= scale {
      let tenths = (v / (scale / 1024) * 10 + 512) / 1024
      return "\(tenths / 10).\(tenths % 10) \(name)"
    }
    return "\(v) B"
  }
}
