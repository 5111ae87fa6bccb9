import DeviceTree
import Machine

/// images: segments and entry inside the kernel's memory, the DTB slot clear of the image.
enum ImageChecks {
  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    for k in p.kernels {
      guard let image = k.image, let location = k.imageLocation else { continue }
      let wantedMachine: UInt16 = p.target == .aarch64 ? 183 : 243
      if let m = image.machine, m != wantedMachine {
        engine.error(
          .imageUnreadable, "image of '\(k.name)' is an ELF file for machine \(m), not \(p.target.rawValue)",
          at: location)
        continue
      }
      if image.format == .linuxArm64 && p.target != .aarch64
        || image.format == .linuxRISCV && p.target != .riscv64
      {
        engine.error(
          .imageUnreadable,
          "image of '\(k.name)' is a \(image.format.rawValue) Image, not for \(p.target.rawValue)",
          at: location)
        continue
      }
      if KernelPlacement.passesTop(k) {
        engine.error(
          .imageOutsideMemory,
          "the image of '\(k.name)' placed at \(Format.hex(k.memory.first?.range.base ?? 0)) would pass 2^64",
          at: location)
        continue
      }
      let placed = KernelPlacement.segments(of: k)
      for s in placed where !k.memory.contains(where: { $0.range.contains(s) }) {
        let mem = k.memory.map { "\($0.range)" }.joined(separator: ", ")
        let what =
          image.format == .elf
          ? "ELF segment \(s)"
          : image.format == .binary
            ? "the binary at \(s)"
            : "the Image (text_offset \(Format.hex(image.textOffset ?? 0)) + image_size \(Format.hex(image.imageSize ?? 0))) at \(s)"
        engine.error(
          .imageOutsideMemory, "\(what) of '\(k.name)' is outside its memory \(mem.isEmpty ? "(none)" : mem)",
          at: location)
      }
      if let entry = KernelPlacement.entry(of: k), !placed.contains(where: { $0.contains(entry) }) {
        let segments = placed.map { "\($0)" }.joined(separator: ", ")
        engine.error(
          .imageEntryOutside,
          "entry \(Format.hex(entry)) of '\(k.name)' is outside every loaded segment (\(segments))",
          at: location)
      }
      if let initrd = k.initrd {
        if !k.memory.contains(where: { $0.range.contains(initrd.range) }) {
          engine.error(
            .imageOutsideMemory,
            "the initrd of '\(k.name)' (\(Format.size(initrd.range.size))) does not fit below its DTB in its memory",
            at: initrd.location)
        } else if let hit = placed.first(where: { $0.overlaps(initrd.range) }) {
          engine.error(
            .imageOutsideMemory,
            "the initrd of '\(k.name)' at \(initrd.range) overlaps its image at \(hit); give the kernel more memory",
            at: initrd.location)
        }
      }
      if let dtb = k.dtb, let hit = placed.first(where: { $0.overlaps(dtb) }) {
        engine.error(
          .dtbOverlapsImage,
          "the DTB slot \(dtb) of '\(k.name)' overlaps its image at \(hit); give the kernel more memory",
          at: location)
      }
    }
  }
}

/// Where a kernel's image lands: ELF segments at their physical addresses, a
/// Linux Image at its memory base plus text_offset, a flat binary at its memory base.
public enum KernelPlacement {
  public static func segments(of k: Partition.Kernel) -> [AddressRange] {
    guard let image = k.image else { return [] }
    if k.protocol == .sel4BootInfo {
      guard let base = k.memory.first?.range.base, let v = SeL4Window(image) else { return [] }
      return image.segments.compactMap {
        AddressRange(checkedBase: base &+ ($0.virtualAddress - v.base), size: $0.memorySize)
      }
    }
    switch image.format {
    case .elf:
      return image.segments.map { AddressRange(base: $0.address, size: $0.memorySize) }
    case .binary:
      guard let base = image.loadAddress ?? k.memory.first?.range.base else { return [] }
      return [AddressRange(checkedBase: base, size: image.fileSize)].compactMap { $0 }
    case .linuxArm64, .linuxRISCV:
      guard let base = k.memory.first?.range.base else { return [] }
      let size = max(image.imageSize ?? 0, image.fileSize)
      return [AddressRange(checkedBase: base &+ (image.textOffset ?? 0), size: size)].compactMap { $0 }
    }
  }

  /// Whether the image, placed where ``segments(of:)`` puts it, would end past 2^64
  /// (ELF segments are checked when the file is read).
  public static func passesTop(_ k: Partition.Kernel) -> Bool {
    guard let image = k.image else { return false }
    if k.protocol == .sel4BootInfo, let v = SeL4Window(image), let base = k.memory.first?.range.base {
      return UInt128(base) + UInt128(v.size) > AddressRange.addressSpaceEnd
    }
    let start: UInt128
    switch image.format {
    case .elf: return false
    case .binary:
      guard let base = image.loadAddress ?? k.memory.first?.range.base else { return false }
      start = UInt128(base)
    case .linuxArm64, .linuxRISCV:
      guard let base = k.memory.first?.range.base else { return false }
      start = UInt128(base) + UInt128(image.textOffset ?? 0)
      if UInt128(base) + UInt128(image.entry) > UInt128(UInt64.max) { return true }
    }
    let size = UInt128(max(image.imageSize ?? 0, image.fileSize))
    return start + size > AddressRange.addressSpaceEnd
  }

  public static func entry(of k: Partition.Kernel) -> UInt64? {
    guard let image = k.image else { return nil }
    if k.protocol == .sel4BootInfo {
      guard let base = k.memory.first?.range.base, let v = SeL4Window(image), image.entry >= v.base else {
        return nil
      }
      return base &+ (image.entry - v.base)
    }
    switch image.format {
    case .elf: return image.entry
    case .binary: return image.loadAddress ?? k.memory.first?.range.base
    case .linuxArm64, .linuxRISCV: return k.memory.first.map { $0.range.base &+ image.entry }
    }
  }
}
