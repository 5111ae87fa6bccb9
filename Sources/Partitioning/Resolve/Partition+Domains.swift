import DeviceTree
import Machine

/// What each kernel's OpenSBI domain may touch: one definition, which the
/// domain checks count against the PMP and the OpenSBI machine tree emits.
extension Partition {
  public struct DomainRegion: Sendable, Equatable {
    public enum Access: UInt32, Sendable {
      case read = 0x1
      case readWrite = 0x3
      case all = 0x7
    }
    public var range: AddressRange
    public var access: Access
    public var mmio: Bool
    /// Why the domain has it, for reports and messages.
    public var purpose: String
  }

  /// PLIC register blocks (SiFive layout): source priorities from 0, one
  /// enable block of 0x80 bytes per context from 0x2000, one threshold and
  /// claim page per context from 0x200000.
  static let plicPriority: UInt64 = 0x1000
  static let plicEnables: UInt64 = 0x2000
  static let plicEnableStride: UInt64 = 0x80
  static let plicContexts: UInt64 = 0x20_0000
  static let plicContextStride: UInt64 = 0x1000

  /// `r` as the fewest naturally aligned power-of-two blocks, lowest first:
  /// each block is as large as its base's alignment and the rest allow.
  public static func napotBlocks(_ r: AddressRange) -> [AddressRange] {
    var out: [AddressRange] = []
    var base = r.base
    var left = r.size
    while left > 0 {
      var size: UInt64 = base == 0 ? 1 << 63 : base & (~base &+ 1)
      while size > left { size >>= 1 }
      out.append(AddressRange(base: base, size: size))
      base &+= size
      left -= size
    }
    return out
  }

  /// The regions of kernel `k`'s domain: its memory, its channels, its
  /// devices' MMIO, and of the interrupt controllers what its harts use.
  /// PLIC: the enable block and context page of each S-mode context of its
  /// harts; the priority page read-write for a kernel that owns sources (the
  /// PMP cannot split it per source) and read-only for the rest. ACLINT SSWI,
  /// when it rings the doorbells: the whole device to every channel member,
  /// since ringing a peer means writing that peer hart's register.
  public func domainRegions(of k: Kernel) -> [DomainRegion] {
    var out: [DomainRegion] = []
    for m in k.memory {
      for b in Self.napotBlocks(m.range) {
        out.append(DomainRegion(range: b, access: .all, mmio: false, purpose: "memory"))
      }
    }
    for c in channels where c.members.contains(k.index) && c.region.size > 0 {
      for b in Self.napotBlocks(c.region) {
        out.append(DomainRegion(range: b, access: .readWrite, mmio: false, purpose: "channel \(c.name)"))
      }
    }
    for d in k.allDevices {
      for w in machine.devices[d].mmio {
        out.append(DomainRegion(range: w, access: .readWrite, mmio: true, purpose: machine.devices[d].path))
      }
    }
    let harts = Set(k.cpus)
    let ownsSources = !k.interrupts.isEmpty || interruptControllerOwner == k.index
    for ic in machine.interruptControllers {
      guard let frame = ic.frames.first?.range else { continue }
      switch ic.kind {
      case .plic:
        // A board's PLIC too small for the SiFive layout gets no blocks past its frame.
        if let priority = AddressRange(checkedBase: frame.base, size: Self.plicPriority),
          frame.contains(priority)
        {
          out.append(
            DomainRegion(
              range: priority, access: ownsSources ? .readWrite : .read, mmio: true,
              purpose: "\(ic.path) priorities"))
        }
        for ctx in ic.contexts where ctx.role == "S-external" {
          guard let cpu = ctx.cpu, harts.contains(cpu) else { continue }
          let n = UInt64(ctx.position)
          let enables = AddressRange(
            checkedBase: frame.base &+ Self.plicEnables &+ n * Self.plicEnableStride,
            size: Self.plicEnableStride)
          let context = AddressRange(
            checkedBase: frame.base &+ Self.plicContexts &+ n * Self.plicContextStride,
            size: Self.plicContextStride)
          for r in [enables, context].compactMap({ $0 }) where frame.contains(r) {
            out.append(
              DomainRegion(range: r, access: .readWrite, mmio: true, purpose: "\(ic.path) context \(n)"))
          }
        }
      case .aclintSSWI:
        let rings = doorbellMechanism == .aclintSSWI && channels.contains { $0.members.contains(k.index) }
        if rings {
          out.append(
            DomainRegion(range: frame, access: .readWrite, mmio: true, purpose: "\(ic.path) doorbells"))
        }
      default:
        continue
      }
    }
    return out
  }
}
