import DeviceTree
import Machine

/// The device MMIO each kernel reaches under the EL2 fence: one definition,
/// which `fence_page_shared` checks, the boot descriptor's window table
/// carries and each kernel's `/chosen/cleave` takes a foreign page from.
///
/// Stage-2 translation maps whole 4 KiB pages, so a kernel reaches every page
/// its devices' registers touch. The primary interrupt controller's own frames
/// are never windows (the fence maps a kernel's redistributors or CPU
/// interface itself and emulates the distributor); its ITS or GICv2m frames
/// belong, like the rest of it, to the kernel that owns it.
extension Partition {
  /// The unit stage-2 translation maps.
  public static let fencePage: UInt64 = 0x1000

  /// Pages one kernel may reach: the MMIO of its devices, rounded out to pages.
  public struct Window: Sendable, Equatable {
    public enum Kind: String, Sendable { case owned, shared }
    /// 4 KiB aligned base and size.
    public var range: AddressRange
    public var kernel: Int
    public var kind: Kind
  }

  /// One MMIO range of one device a kernel holds, and the pages the fence maps for it.
  public struct DevicePages: Sendable, Equatable {
    public var device: Int
    public var kernel: Int
    public var kind: Window.Kind
    /// The range as the board gives it (CPU physical addresses).
    public var mmio: AddressRange
    /// `mmio` rounded out to whole pages.
    public var pages: AddressRange
  }

  /// Every MMIO range of every device each kernel holds, in kernel order:
  /// owned devices (the interrupt-controller owner's ITS or GICv2m among
  /// them), then shared ones.
  public var fenceDevicePages: [DevicePages] {
    let primary = machine.primaryInterruptController
    let children = Set(primary?.children ?? [])
    let controllerDevices = machine.devices.filter { children.contains($0.node) }.map(\.index)
    var out: [DevicePages] = []
    for k in kernels {
      var owned = k.devices
      if interruptControllerOwner == k.index { owned += controllerDevices.filter { !owned.contains($0) } }
      let held = owned.map { ($0, Window.Kind.owned) } + k.sharedDevices.map { ($0, Window.Kind.shared) }
      for (d, kind) in held where machine.devices.indices.contains(d) {
        let device = machine.devices[d]
        if device.node == primary?.node { continue }
        for mmio in device.mmio {
          guard let pages = Self.pages(of: mmio) else { continue }
          out.append(DevicePages(device: d, kernel: k.index, kind: kind, mmio: mmio, pages: pages))
        }
      }
    }
    return out
  }

  /// The window table: per kernel in kernel order, its pages of each kind
  /// merged where they touch or overlap, sorted by base (owned before shared
  /// at one base). Empty without the fence.
  public var fenceWindows: [Window] {
    guard isolation != nil else { return [] }
    var byKernel = [[DevicePages]](repeating: [], count: kernels.count)
    for e in fenceDevicePages where byKernel.indices.contains(e.kernel) { byKernel[e.kernel].append(e) }
    var out: [Window] = []
    for (k, entries) in byKernel.enumerated() {
      var merged: [Window] = []
      for kind in [Window.Kind.owned, .shared] {
        for r in entries.filter({ $0.kind == kind }).map(\.pages).sorted() {
          if let last = merged.last, last.kind == kind, UInt128(r.base) <= last.range.end {
            let end = max(last.range.end, r.end)
            merged[merged.count - 1].range = AddressRange(base: last.range.base, end: end) ?? last.range
          } else {
            merged.append(Window(range: r, kernel: k, kind: kind))
          }
        }
      }
      out += merged.sorted {
        ($0.range.base, $0.kind == .owned ? 0 : 1) < ($1.range.base, $1.kind == .owned ? 0 : 1)
      }
    }
    return out
  }

  /// `r` rounded out to whole pages; nil for an empty range or one that covers
  /// all 2^64 addresses (no 64-bit size holds it).
  public static func pages(of r: AddressRange) -> AddressRange? {
    guard r.size > 0 else { return nil }
    let page = UInt128(fencePage)
    let base = r.base & ~(fencePage - 1)
    let end = (r.end + page - 1) / page * page
    return AddressRange(base: base, end: end)
  }
}
