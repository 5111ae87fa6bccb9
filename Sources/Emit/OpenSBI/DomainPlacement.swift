import CBootABI
import DeviceTree
import Machine
import Partitioning

/// What must be in memory before OpenSBI starts the domains, when no loader
/// runs: each kernel's DTB, its image as one flat block, its initrd, and each
/// channel's header with its magic set (the loader would have written it).
/// `opensbi/placement.json` lists the files and addresses; `cleave run` hands
/// them to QEMU as `-device loader`, and a board's own firmware or debugger
/// can place them the same way.
public struct DomainPlacement: Codable, Sendable {
  public struct Item: Codable, Sendable {
    /// A path inside OUT.
    public var file: String
    public var address: String
    public var what: String
  }
  /// The machine tree OpenSBI itself reads.
  public var firmwareTree: String
  public var load: [Item]

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// Adds the placed files to `out` and returns the list.
  static func make(_ p: Partition, images: [[UInt8]?], initrds: [[UInt8]?], out: inout Artifacts) throws
    -> DomainPlacement
  {
    var items: [Item] = []
    for k in p.kernels {
      if let slot = k.dtb {
        items.append(
          Item(file: "kernels/\(k.name).dtb", address: Format.hex(slot.base), what: "\(k.name) device tree"))
      }
      if let image = k.image, let bytes = images[k.index] {
        let (base, flat) = try flatten(
          image, placed: KernelPlacement.segments(of: k), bytes: bytes, kernel: k.name)
        out.add("opensbi/\(k.name).image.bin", flat)
        items.append(
          Item(file: "opensbi/\(k.name).image.bin", address: Format.hex(base), what: "\(k.name) image"))
      }
      if let initrd = k.initrd, let bytes = initrds[k.index] {
        out.add("opensbi/\(k.name).initrd", bytes)
        items.append(
          Item(
            file: "opensbi/\(k.name).initrd", address: Format.hex(initrd.range.base), what: "\(k.name) initrd"
          ))
      }
    }
    for c in p.channels where c.region.size > 0 {
      var header = cleave_channel_header()
      header.magic = CLEAVE_CHANNEL_MAGIC
      out.add("opensbi/channel-\(c.name).bin", raw(header))
      items.append(
        Item(
          file: "opensbi/channel-\(c.name).bin", address: Format.hex(c.region.base),
          what: "channel \(c.name) header"))
    }
    return DomainPlacement(firmwareTree: "opensbi/machine.dtb", load: items)
  }

  /// An image as one block from its lowest to its highest loaded byte: the
  /// file bytes of each segment in place, zeros between and for bss. The
  /// kernel's memory holds all of it (the image checks said so).
  static func flatten(_ image: KernelImage, placed: [AddressRange], bytes: [UInt8], kernel: String) throws
    -> (UInt64, [UInt8])
  {
    // The end in 128 bits: a segment may end exactly at 2^64.
    guard let base = placed.map(\.base).min(), let end = placed.map(\.end).max(), end > UInt128(base),
      let count = Int(exactly: end - UInt128(base)), count <= 1 << 30
    else { throw Failure(description: "the image of '\(kernel)' has no placeable bytes") }
    var flat = [UInt8](repeating: 0, count: count)
    for (segment, r) in zip(image.segments, placed) {
      guard let from = Int(exactly: segment.offset), let n = Int(exactly: min(segment.fileSize, r.size)),
        from <= bytes.count, n <= bytes.count - from, let at = Int(exactly: r.base - base)
      else { throw Failure(description: "the image of '\(kernel)' has a segment past the end of its file") }
      flat.replaceSubrange(at..<(at + n), with: bytes[from..<(from + n)])
    }
    return (base, flat)
  }
}

extension DomainPlacement: JSONValue {
  public var json: JSON { .fields(["firmwareTree": firmwareTree, "load": load]) }
}

extension DomainPlacement.Item: JSONValue {
  public var json: JSON { .fields(["file": file, "address": address, "what": what]) }
}
