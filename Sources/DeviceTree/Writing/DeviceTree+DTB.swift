import CLibFDT

extension DeviceTree {
  /// The tree as a flattened blob (version 17): header, memory reservations,
  /// structure block, strings block, in the layout dtc writes, and checked by
  /// libfdt's `fdt_check_full` before it is returned.
  ///
  /// Serialised here rather than through `fdt_property`, which looks each
  /// property name up by scanning the strings block byte by byte: on a large
  /// board that scan was most of `cleave build`. Here each distinct name is
  /// found in a dictionary, so writing is linear in the blob.
  ///
  /// Only nodes reachable from the root are written, in child order.
  public func blob() throws -> [UInt8] {
    var structure = BigEndianBytes()
    var strings = BigEndianBytes()
    var nameOffsets: [String: UInt32] = [:]

    enum Step { case open(NodeID), close }
    var steps: [Step] = [.open(root)]
    while let step = steps.popLast() {
      switch step {
      case .close:
        structure.u32(FDTToken.endNode)
      case .open(let id):
        let node = self[id]
        structure.u32(FDTToken.beginNode)
        structure.bytes(node.name.utf8)
        structure.u8(0)
        structure.pad4()
        for p in node.properties {
          let offset: UInt32
          if let known = nameOffsets[p.name] {
            offset = known
          } else {
            offset = UInt32(clamping: strings.count)
            nameOffsets[p.name] = offset
            strings.bytes(p.name.utf8)
            strings.u8(0)
          }
          structure.u32(FDTToken.property)
          structure.u32(UInt32(clamping: p.value.count))
          structure.u32(offset)
          structure.bytes(p.value)
          structure.pad4()
        }
        steps.append(.close)
        for c in node.children.reversed() { steps.append(.open(c)) }
      }
    }
    structure.u32(FDTToken.end)

    let headerSize = 40
    let reservationsOffset = headerSize  // 8-byte aligned already
    let structOffset = reservationsOffset + 16 * (reservations.count + 1)
    let stringsOffset = structOffset + structure.count
    let total = stringsOffset + strings.count
    guard total <= Int(UInt32.max) else { throw FDTError.noSpace }

    var out = BigEndianBytes(capacity: total)
    for field in [
      0xd00d_feed, total, structOffset, stringsOffset, reservationsOffset, 17, 16, Int(bootCPUID),
      strings.count, structure.count,
    ] {
      out.u32(UInt32(truncatingIfNeeded: field))
    }
    for r in reservations {
      out.u64(r.address)
      out.u64(r.size)
    }
    out.u64(0)
    out.u64(0)
    out.bytes(structure.storage)
    out.bytes(strings.storage)

    let verdict = out.storage.withUnsafeBytes { raw in
      fdt_check_full(raw.baseAddress, raw.count)
    }
    if verdict < 0 { throw FDTError(code: verdict) }
    return out.storage
  }
}

/// The structure block's tokens.
private enum FDTToken {
  static let beginNode: UInt32 = 1
  static let endNode: UInt32 = 2
  static let property: UInt32 = 3
  static let end: UInt32 = 9
}

/// A growing byte buffer written big-endian, as the blob format is.
private struct BigEndianBytes {
  var storage: [UInt8] = []

  init(capacity: Int = 0) { storage.reserveCapacity(capacity) }

  var count: Int { storage.count }

  mutating func u8(_ v: UInt8) { storage.append(v) }

  mutating func u32(_ v: UInt32) {
    withUnsafeBytes(of: v.bigEndian) { storage.append(contentsOf: $0) }
  }

  mutating func u64(_ v: UInt64) {
    withUnsafeBytes(of: v.bigEndian) { storage.append(contentsOf: $0) }
  }

  mutating func bytes<S: Sequence>(_ s: S) where S.Element == UInt8 { storage.append(contentsOf: s) }

  mutating func pad4() {
    while storage.count % 4 != 0 { storage.append(0) }
  }
}
