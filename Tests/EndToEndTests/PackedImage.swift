import Foundation
import Testing

/// A packed `image.elf` opened to edit the boot descriptor inside it, then
/// re-sealed (its CRC-32 recomputed) so that only the loader's later checks
/// can catch the edit. Offsets follow Sources/CBootABI/include/cleave_boot.h;
/// every read and write is bounds-checked, since the file is test input.
struct PackedImage {
  /// The descriptor's first byte in the file: ELF data offset + CLEAVE_LOADER_SPAN.
  static let descriptor = 0x1000 + 0x10000

  /// Entry sizes of the descriptor's tables (`sizeof(struct cleave_*)`).
  enum Size {
    static let kernel = 144
    static let cpu = 32
    static let segment = 32
    static let route = 24
    static let channel = 104
    static let grant = 24
    static let bootInfo = 640
  }

  /// `cleave_grant.channel` of a kernel's own memory (`CLEAVE_GRANT_MEMORY`).
  static let memoryGrant: UInt64 = 0xffff_ffff

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  let path: String
  var bytes: [UInt8]

  init(_ out: String) throws {
    path = out + "/image.elf"
    guard let data = FileManager.default.contents(atPath: path) else {
      throw Failure(description: "no \(path)")
    }
    bytes = [UInt8](data)
  }

  /// A little-endian field of `size` bytes at `offset` from the descriptor's start.
  func read(_ offset: Int, _ size: Int) throws -> UInt64 {
    let at = Self.descriptor + offset
    guard offset >= 0, at + size <= bytes.count else {
      throw Failure(description: "descriptor offset \(offset) is past the end of \(path)")
    }
    return (0..<size).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[at + $1]) }
  }

  mutating func write(_ offset: Int, _ size: Int, _ value: UInt64) throws {
    let at = Self.descriptor + offset
    guard offset >= 0, at + size <= bytes.count else {
      throw Failure(description: "descriptor offset \(offset) is past the end of \(path)")
    }
    for i in 0..<size { bytes[at + i] = UInt8((value >> (8 * UInt64(i))) & 0xff) }
  }

  /// The offset of entry `index` of the table whose count/offset pair is at `header`.
  private func entry(_ header: Int, _ index: Int, _ size: Int) throws -> Int {
    let count = try read(header, 4)
    guard index >= 0, UInt64(index) < count else {
      throw Failure(description: "entry \(index) of a table of \(count)")
    }
    return Int(try read(header + 4, 4)) + index * size
  }

  func kernel(_ i: Int) throws -> Int { try entry(64, i, Size.kernel) }
  func cpu(_ i: Int) throws -> Int { try entry(72, i, Size.cpu) }
  func segment(_ i: Int) throws -> Int { try entry(80, i, Size.segment) }
  func route(_ i: Int) throws -> Int { try entry(88, i, Size.route) }
  func channel(_ i: Int) throws -> Int { try entry(96, i, Size.channel) }
  func grant(_ i: Int) throws -> Int { try entry(112, i, Size.grant) }
  func bootInfo(_ i: Int) throws -> Int { try entry(120, i, Size.bootInfo) }

  /// The index of kernel `kernel`'s grant of `channel` (its own memory by default).
  func grantIndex(kernel: Int, channel: UInt64 = memoryGrant) throws -> Int {
    let count = Int(try read(112, 4))
    for i in 0..<count {
      let g = try grant(i)
      if try read(g + 16, 4) == UInt64(kernel), try read(g + 20, 4) == channel { return i }
    }
    throw Failure(description: "kernel \(kernel) has no grant of channel \(channel)")
  }

  /// The plan's loader region from the header, as [first, last].
  func loaderRegion() throws -> (UInt64, UInt64) {
    let base = try read(136, 8)
    return (base, base &+ (try read(144, 8) &- 1))
  }

  /// Recomputes the CRC-32 over `total_size` bytes (the field itself as zero) and writes the file.
  mutating func seal() throws {
    let total = Int(try read(8, 4))
    try write(12, 4, 0)
    guard Self.descriptor + total <= bytes.count else {
      throw Failure(description: "total_size \(total) is past the end of \(path)")
    }
    try write(12, 4, UInt64(Self.crc32(bytes[Self.descriptor..<(Self.descriptor + total)])))
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  /// CRC-32 (IEEE, as zlib).
  static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = 0xffff_ffff
    for b in bytes {
      c ^= UInt32(b)
      for _ in 0..<8 { c = c & 1 != 0 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
    }
    return c ^ 0xffff_ffff
  }

  /// An address as the loader prints it.
  static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

  /// A range as the loader prints it: [first, last].
  static func range(_ base: UInt64, _ size: UInt64) -> String {
    "[\(hex(base)), \(hex(base &+ (size &- 1)))]"
  }
}
