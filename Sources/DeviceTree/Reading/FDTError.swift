/// A libfdt error code, one case per `FDT_ERR_*` value in libfdt.h.
public enum FDTError: Int32, Error, Sendable, CustomStringConvertible {
  /// `FDT_ERR_NOTFOUND`: the requested node or property does not exist.
  case notFound = 1
  /// `FDT_ERR_EXISTS`: a node or property of that name already exists.
  case exists = 2
  /// `FDT_ERR_NOSPACE`: the buffer is too small for the operation.
  case noSpace = 3
  /// `FDT_ERR_BADOFFSET`: a structure-block offset is out of bounds or not at a tag.
  case badOffset = 4
  /// `FDT_ERR_BADPATH`: a badly formatted path.
  case badPath = 5
  /// `FDT_ERR_BADPHANDLE`: a phandle of 0 or -1.
  case badPhandle = 6
  /// `FDT_ERR_BADSTATE`: a sequential-write call out of order.
  case badState = 7
  /// `FDT_ERR_TRUNCATED`: the blob ends before the structure it describes.
  case truncated = 8
  /// `FDT_ERR_BADMAGIC`: the header does not start with 0xd00dfeed.
  case badMagic = 9
  /// `FDT_ERR_BADVERSION`: a blob version libfdt does not read.
  case badVersion = 10
  /// `FDT_ERR_BADSTRUCTURE`: the structure block is corrupt.
  case badStructure = 11
  /// `FDT_ERR_BADLAYOUT`: the blocks are in an order libfdt cannot edit.
  case badLayout = 12
  /// `FDT_ERR_INTERNAL`: a libfdt internal error.
  case `internal` = 13
  /// `FDT_ERR_BADNCELLS`: #address-cells or #size-cells out of range.
  case badNCells = 14
  /// `FDT_ERR_BADVALUE`: a property with an unexpected value.
  case badValue = 15
  /// `FDT_ERR_BADOVERLAY`: a malformed overlay.
  case badOverlay = 16
  /// `FDT_ERR_NOPHANDLES`: the phandle space is exhausted.
  case noPhandles = 17
  /// `FDT_ERR_BADFLAGS`: bad flags to fdt_create_with_flags.
  case badFlags = 18
  /// `FDT_ERR_ALIGNMENT`: the blob is not 8-byte aligned in memory.
  case alignment = 19

  /// Maps a negative libfdt return value to its error; other values give `.internal`.
  init(code: Int32) {
    self = FDTError(rawValue: -code) ?? .internal
  }

  public var description: String {
    switch self {
    case .notFound: "not found"
    case .exists: "already exists"
    case .noSpace: "buffer too small"
    case .badOffset: "bad structure offset"
    case .badPath: "bad path"
    case .badPhandle: "bad phandle"
    case .badState: "sequential write out of order"
    case .truncated: "truncated blob"
    case .badMagic: "bad magic (not a device-tree blob)"
    case .badVersion: "unsupported blob version"
    case .badStructure: "corrupt structure block"
    case .badLayout: "bad block layout"
    case .internal: "libfdt internal error"
    case .badNCells: "bad #address-cells or #size-cells"
    case .badValue: "bad property value"
    case .badOverlay: "bad overlay"
    case .noPhandles: "phandles exhausted"
    case .badFlags: "bad flags"
    case .alignment: "misaligned blob"
    }
  }
}
