import Foundation

extension DeviceTree {
  /// Reads a tree from a blob in memory.
  public init(blob: [UInt8], file: String = "<memory>") throws {
    self = try FDTBlob.parse(blob, file: file)
  }

  /// Reads a DTB or DTS file, or standard input when `path` is `-`.
  ///
  /// A blob is recognised by its magic number, anything else is compiled as
  /// device-tree source through dtc (with the C preprocessor first when the
  /// source uses `#include`), with `includes` as extra include directories.
  public static func load(_ path: String, includes: [String] = []) throws -> DeviceTree {
    let bytes: [UInt8]
    let limit = InputLimits.maxBoardBytes
    func tooLarge(_ size: UInt64) -> DeviceTreeError {
      DeviceTreeError(
        file: path,
        "the board is \(size) bytes; cleave reads boards of at most \(InputLimits.describe(limit))")
    }
    if path == "-" {
      // One byte past the limit is enough to know it is past it.
      let data = FileHandle.standardInput.readData(ofLength: limit + 1)
      guard data.count <= limit else {
        throw DeviceTreeError(
          file: path, "the board is over \(InputLimits.describe(limit)), the most cleave reads")
      }
      bytes = Array(data)
    } else {
      // Sized before it is read, so a huge file is refused without reading it.
      if let size = fileSize(atPath: path), size > UInt64(limit) {
        throw tooLarge(size)
      }
      guard let data = FileManager.default.contents(atPath: path) else {
        let why = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
        throw DeviceTreeError(file: path, why)
      }
      guard data.count <= limit else { throw tooLarge(UInt64(data.count)) }
      bytes = Array(data)
    }
    if bytes.count >= 4, bytes[0] == 0xd0, bytes[1] == 0x0d, bytes[2] == 0xfe, bytes[3] == 0xed {
      return try DeviceTree(blob: bytes, file: path)
    }
    if path.hasSuffix(".dtb") || path.hasSuffix(".dtbo") {
      return try DeviceTree(blob: bytes, file: path)
    }
    return try DTSCompiler(includes: includes).compile(source: bytes, file: path)
  }
}
