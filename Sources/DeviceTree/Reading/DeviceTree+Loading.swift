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
    if path == "-" {
      bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
    } else {
      guard let data = FileManager.default.contents(atPath: path) else {
        let why = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
        throw DeviceTreeError(file: path, why)
      }
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
