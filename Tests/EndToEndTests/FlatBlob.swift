/// A device-tree blob as raw bytes, with just enough of the format (Devicetree
/// Specification, chapter 5) to find a header field or a property and break it on
/// purpose. Written independently of the DeviceTree target so the tests do not share
/// its mistakes.
struct FlatBlob: Sendable {
  /// The header: ten big-endian 32-bit fields, in this order.
  enum Field: Int, Sendable, CaseIterable {
    case magic, totalSize, structOffset, stringsOffset, reservationMapOffset
    case version, lastCompatibleVersion, bootCPUID, stringsSize, structSize
  }

  /// Why a property could not be found.
  struct NotFound: Error, CustomStringConvertible {
    var description: String
  }

  static let beginNode: UInt32 = 1
  static let endNode: UInt32 = 2
  static let prop: UInt32 = 3
  static let nop: UInt32 = 4
  static let end: UInt32 = 9

  var bytes: [UInt8]

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  subscript(field: Field) -> UInt32 {
    get { u32(at: field.rawValue * 4) }
    set { setU32(newValue, at: field.rawValue * 4) }
  }

  func u32(at offset: Int) -> UInt32 {
    bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
  }

  mutating func setU32(_ value: UInt32, at offset: Int) {
    for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * i)) }
  }

  /// Keeps only the first `count` bytes.
  mutating func truncate(to count: Int) { bytes = Array(bytes.prefix(count)) }

  /// The offset of the `FDT_PROP` token of property `name` in the node at `path`; its
  /// length field is 4 bytes further, its name offset 8, its value 12.
  func propertyToken(_ name: String, of path: String) throws -> Int {
    var offset = Int(self[.structOffset])
    let end = offset + Int(self[.structSize])
    var names: [String] = []
    func current() -> String { "/" + names.dropFirst().joined(separator: "/") }
    while offset < end {
      switch u32(at: offset) {
      case Self.beginNode:
        let nodeName = string(at: offset + 4)
        names.append(nodeName)
        offset += 4 + Self.aligned(nodeName.utf8.count + 1)
      case Self.endNode:
        names.removeLast()
        offset += 4
      case Self.prop:
        let length = Int(u32(at: offset + 4))
        let propertyName = string(at: Int(self[.stringsOffset]) + Int(u32(at: offset + 8)))
        if propertyName == name && current() == path { return offset }
        offset += 12 + Self.aligned(length)
      case Self.nop:
        offset += 4
      default:
        offset = end
      }
    }
    throw NotFound(description: "no property \(name) in \(path)")
  }

  /// The NUL-terminated string at `offset`.
  private func string(at offset: Int) -> String {
    let tail = bytes[offset...]
    return String(decoding: tail.prefix { $0 != 0 }, as: UTF8.self)
  }

  private static func aligned(_ n: Int) -> Int { (n + 3) & ~3 }
}
