import CBootABI
import DeviceTree
import Partitioning

/// Writes OUT/image.elf: one ELF64 file with a single PT_LOAD segment at
/// loader base + CLEAVE_LOADER_OFFSET holding the loader (padded to
/// CLEAVE_LOADER_SPAN) followed by the descriptor, its payload and the end
/// mark (struct cleave_end). QEMU's
/// `-kernel` loads it and enters the loader at its first byte.
public enum ImagePacker {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public static func pack(loader: [UInt8], payload: [UInt8], partition p: Partition) throws -> [UInt8] {
    let span = Int(CLEAVE_LOADER_SPAN)
    guard loader.count <= span else {
      throw Failure(description: "the loader is \(loader.count) bytes, more than its \(span)-byte span")
    }
    let load = p.loader.base &+ UInt64(CLEAVE_LOADER_OFFSET)
    let end = cleave_end(magic: CLEAVE_END_MAGIC, payload_size: UInt64(payload.count))
    let body =
      loader + [UInt8](repeating: 0, count: span - loader.count) + payload
      + withUnsafeBytes(of: end) { Array($0) }
    guard let region = AddressRange(checkedBase: load, size: UInt64(body.count)), p.loader.contains(region)
    else {
      throw Failure(
        description:
          "loader and payload need \(body.count) bytes from \(String(load, radix: 16)), more than the loader region \(p.loader) holds; enlarge loader.size"
      )
    }
    let machine: UInt16 = p.target == .aarch64 ? 183 : 243
    let headerSize = 64
    let phSize = 56
    let dataOffset = 0x1000
    var out = [UInt8](repeating: 0, count: dataOffset)
    func put<T: FixedWidthInteger>(_ v: T, at offset: Int) {
      withUnsafeBytes(of: v.littleEndian) { raw in for (i, b) in raw.enumerated() { out[offset + i] = b } }
    }
    out.replaceSubrange(0..<4, with: [0x7f, 0x45, 0x4c, 0x46])
    out[4] = 2  // ELFCLASS64
    out[5] = 1  // little-endian
    out[6] = 1  // EV_CURRENT
    put(UInt16(2), at: 16)  // ET_EXEC
    put(machine, at: 18)
    put(UInt32(1), at: 20)
    put(load, at: 24)  // e_entry
    put(UInt64(headerSize), at: 32)  // e_phoff
    put(UInt64(0), at: 40)  // e_shoff
    put(UInt32(0), at: 48)
    put(UInt16(headerSize), at: 52)
    put(UInt16(phSize), at: 54)
    put(UInt16(1), at: 56)  // e_phnum
    put(UInt16(64), at: 58)
    put(UInt16(0), at: 60)
    put(UInt16(0), at: 62)
    let ph = headerSize
    put(UInt32(1), at: ph)  // PT_LOAD
    put(UInt32(7), at: ph + 4)  // RWX
    put(UInt64(dataOffset), at: ph + 8)
    put(load, at: ph + 16)  // p_vaddr
    put(load, at: ph + 24)  // p_paddr
    put(UInt64(body.count), at: ph + 32)
    put(UInt64(body.count), at: ph + 40)
    put(UInt64(0x1000), at: ph + 48)
    return out + body
  }
}
