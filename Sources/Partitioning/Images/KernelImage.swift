import Foundation

/// What cleave needs from a kernel image: where its bytes go and where it starts.
///
/// Reads ELF64 program headers (PT_LOAD) or the 64-byte header of a Linux
/// arm64 / RISC-V Image. Every field is bounds-checked: a truncated or hostile
/// file gives an error, never a trap.
public struct KernelImage: Sendable, Hashable {
  public enum Format: String, Sendable, Codable {
    case elf, linuxArm64 = "linux-arm64", linuxRISCV = "linux-riscv", binary
  }

  public struct Segment: Sendable, Hashable {
    /// Offset of the bytes in the file.
    public var offset: UInt64
    /// Physical load address (p_paddr), or the offset from the load base for a Linux Image.
    public var address: UInt64
    public var fileSize: UInt64
    public var memorySize: UInt64
    /// Virtual address (p_vaddr) of an ELF segment; 0 for other formats.
    public var virtualAddress: UInt64 = 0
  }

  public var format: Format
  public var path: String
  public var fileSize: UInt64
  public var segments: [Segment]
  /// ELF: absolute entry. Linux Image: offset from the 2 MiB-aligned base (text_offset).
  public var entry: UInt64
  /// Linux Image header: text_offset, image_size, flags.
  public var textOffset: UInt64?
  public var imageSize: UInt64?
  public var flags: UInt64?
  /// The ELF machine (183 AArch64, 243 RISC-V).
  public var machine: UInt16?
  /// A flat binary: where its first byte goes when the plan says (`at`);
  /// otherwise the start of the kernel's memory.
  public var loadAddress: UInt64?

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// Reads the image at `path`.
  public static func load(_ path: String) throws -> KernelImage {
    try parse(read(path), path: path)
  }

  private static func read(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw Failure(
        description: FileManager.default.fileExists(atPath: path)
          ? "cannot read \(path)" : "no such file \(path)")
    }
    return Array(data)
  }

  /// A flat binary (`protocol: binary`), such as U-Boot's u-boot.bin: its
  /// bytes go to the start of the kernel's memory and it is entered at its
  /// first byte. No header to read, so any non-empty file is one.
  public static func loadBinary(_ path: String, at address: UInt64? = nil) throws -> KernelImage {
    let data = try read(path)
    guard !data.isEmpty else { throw Failure(description: "\(path) is empty") }
    let n = UInt64(data.count)
    return KernelImage(
      format: .binary, path: path, fileSize: n,
      segments: [Segment(offset: 0, address: 0, fileSize: n, memorySize: n)], entry: 0,
      textOffset: nil, imageSize: nil, flags: nil, machine: nil, loadAddress: address)
  }

  public static func parse(_ b: [UInt8], path: String) throws -> KernelImage {
    if b.count >= 4, b[0] == 0x7f, b[1] == 0x45, b[2] == 0x4c, b[3] == 0x46 { return try elf(b, path: path) }
    if b.count >= 64, b[56] == 0x41, b[57] == 0x52, b[58] == 0x4d, b[59] == 0x64 {
      return linux(b, path: path, format: .linuxArm64)
    }
    if b.count >= 64, b[56] == 0x52, b[57] == 0x53, b[58] == 0x43, b[59] == 0x05 {
      return linux(b, path: path, format: .linuxRISCV)
    }
    throw Failure(description: "\(path) is neither an ELF file nor a Linux arm64 / RISC-V Image")
  }

  private static func le(_ b: [UInt8], _ at: Int, _ n: Int) -> UInt64? {
    guard at >= 0, n <= 8, at <= b.count - n else { return nil }
    var v: UInt64 = 0
    for i in (0..<n).reversed() { v = v << 8 | UInt64(b[at + i]) }
    return v
  }

  private static func linux(_ b: [UInt8], path: String, format: Format) -> KernelImage {
    let textOffset = le(b, 8, 8) ?? 0
    let declared = le(b, 16, 8) ?? 0
    let imageSize = declared == 0 ? UInt64(b.count) : declared
    let seg = Segment(
      offset: 0, address: textOffset, fileSize: UInt64(b.count), memorySize: max(imageSize, UInt64(b.count)))
    return KernelImage(
      format: format, path: path, fileSize: UInt64(b.count), segments: [seg], entry: textOffset,
      textOffset: textOffset,
      imageSize: imageSize, flags: le(b, 24, 8), machine: nil, loadAddress: nil)
  }

  private static func elf(_ b: [UInt8], path: String) throws -> KernelImage {
    func fail(_ m: String) -> Failure { Failure(description: "\(path): \(m)") }
    guard b.count >= 64 else { throw fail("truncated ELF header") }
    guard b[4] == 2 else { throw fail("not a 64-bit ELF file") }
    guard b[5] == 1 else { throw fail("not a little-endian ELF file") }
    guard let machine = le(b, 18, 2), let entry = le(b, 24, 8), let phoff = le(b, 32, 8),
      let phentsize = le(b, 54, 2), let phnum = le(b, 56, 2)
    else { throw fail("truncated ELF header") }
    guard phentsize >= 56 else { throw fail("program header entries of \(phentsize) bytes are too small") }
    var segments: [Segment] = []
    for i in 0..<phnum {
      let (o1, ov1) = i.multipliedReportingOverflow(by: phentsize)
      let (at, ov2) = phoff.addingReportingOverflow(o1)
      guard !ov1, !ov2, at <= UInt64(b.count), let base = Int(exactly: at) else {
        throw fail("program header \(i) lies past the end of the file")
      }
      guard let type = le(b, base, 4), let offset = le(b, base + 8, 8), let vaddr = le(b, base + 16, 8),
        let paddr = le(b, base + 24, 8),
        let filesz = le(b, base + 32, 8), let memsz = le(b, base + 40, 8)
      else { throw fail("program header \(i) lies past the end of the file") }
      guard type == 1 else { continue }  // PT_LOAD
      let (end, o) = offset.addingReportingOverflow(filesz)
      guard !o, end <= UInt64(b.count) else {
        throw fail(
          "segment \(i) (0x\(String(filesz, radix: 16)) bytes at file offset 0x\(String(offset, radix: 16))) runs past the end of the file"
        )
      }
      guard memsz >= filesz else { throw fail("segment \(i) has a memory size smaller than its file size") }
      guard paddr <= UInt64.max - memsz else {
        throw fail("segment \(i) at 0x\(String(paddr, radix: 16)) overflows 64 bits")
      }
      guard vaddr <= UInt64.max - memsz else {
        throw fail("segment \(i) at virtual 0x\(String(vaddr, radix: 16)) overflows 64 bits")
      }
      if memsz > 0 {
        segments.append(
          Segment(offset: offset, address: paddr, fileSize: filesz, memorySize: memsz, virtualAddress: vaddr))
      }
    }
    guard !segments.isEmpty else { throw fail("no loadable segment") }
    return KernelImage(
      format: .elf, path: path, fileSize: UInt64(b.count), segments: segments, entry: entry, textOffset: nil,
      imageSize: nil,
      flags: nil, machine: UInt16(truncatingIfNeeded: machine), loadAddress: nil)
  }
}
