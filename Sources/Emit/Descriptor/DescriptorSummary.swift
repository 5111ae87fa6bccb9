import CBootABI
import DeviceTree
import Machine
import Partitioning

/// `OUT/boot/descriptor.json`: what descriptor.bin holds, readable.
public struct DescriptorSummary: Codable, Sendable {
  public var magic: String
  public var version: Int
  public var crc32: String
  public var totalSize: Int
  public var payloadSize: Int
  public var arch: String
  public var bootMode: String
  public var interruptController: String
  public var interruptControllerOwner: String?
  public var doorbell: String
  public var kernels: [Kernel]
  public var routes: [Route]
  public var channels: [Channel]
  public var banks: [String]
  /// The plan's loader region, which no grant may touch.
  public var loader: String
  /// `cleave_desc.flags` by name: `fence` (isolation: stage2), `fence-stop` (on-fault: stop),
  /// `fence-sgis` (sgis: filtered).
  public var flags: [String]

  public struct Kernel: Codable, Sendable {
    public var name: String
    public var protocolName: String
    public var bootCPU: String
    public var cpus: [String]
    public var entry: String
    public var dtb: String
    public var dtbSize: Int
    public var memory: String
    public var segments: [String]
    /// The memory the loader lets this kernel have: its own ranges and its channels' regions.
    public var grants: [String]
    public var imageSHA256: String?
    public var ownsInterruptController: Bool
    public var resetsInterruptController: Bool
    /// Under the fence: may power the machine off or reset it.
    public var mayPower: Bool
    /// Under the fence: the device pages it may reach, `[base, end) owned` or `shared`.
    public var windows: [String]
  }

  public struct Route: Codable, Sendable {
    public var irq: UInt32
    public var kernel: String
    public var target: String
  }

  public struct Channel: Codable, Sendable {
    public var name: String
    public var region: String
    public var multiplexed: Bool
    public var ends: [String]
  }

  init(
    _ p: Partition, crc: UInt32, total: Int, payload: Int, kernels: [cleave_kernel],
    segments: [cleave_segment], routes: [cleave_route], grants: [cleave_grant], windows: [cleave_window],
    flags: UInt32, imageDigests: [[UInt8]?]
  ) {
    magic = Format.hex(UInt64(CLEAVE_DESC_MAGIC))
    version = Int(CLEAVE_DESC_VERSION)
    crc32 = Format.hex(UInt64(crc))
    totalSize = total
    payloadSize = payload
    arch = p.target.rawValue
    bootMode = p.boot.rawValue
    interruptController = p.machine.primaryInterruptController?.kind?.rawValue ?? "none"
    interruptControllerOwner = p.interruptControllerOwner.map { p.kernels[$0].name }
    doorbell = p.doorbellMechanism.rawValue
    var grantsOf: [Int: [cleave_grant]] = [:]
    for g in grants { grantsOf[Int(g.kernel), default: []].append(g) }
    var windowsOf: [Int: [String]] = [:]
    for w in windows {
      let kind = w.kind == UInt32(CLEAVE_WINDOW_OWNED) ? "owned" : "shared"
      windowsOf[Int(w.kernel), default: []].append(
        "\(AddressRange(base: w.range.base, size: w.range.size)) \(kind)")
    }
    self.kernels = zip(p.kernels, kernels).map { k, e in
      let segs = segments[Int(e.segment_first)..<Int(e.segment_first + e.segment_count)]
      return Kernel(
        name: k.name, protocolName: k.protocol.rawValue,
        bootCPU: k.bootCPU.map { Format.hex(p.machine.cpus[$0].hardwareID) } ?? "-",
        cpus: k.cpus.map { Format.hex(p.machine.cpus[$0].hardwareID) }, entry: Format.hex(e.entry),
        dtb: "\(AddressRange(base: e.dtb_addr, size: e.dtb_size))", dtbSize: Int(e.dtb_size),
        memory: "\(AddressRange(base: e.memory.base, size: e.memory.size))",
        segments: segs.map {
          "\(AddressRange(base: $0.dest, size: $0.mem_size)) from payload +\(Format.hex($0.src_offset)), \($0.file_size) bytes"
        },
        grants: (grantsOf[k.index] ?? []).map { g in
          let range = AddressRange(base: g.range.base, size: g.range.size)
          let channel = p.channels.indices.contains(Int(g.channel)) ? p.channels[Int(g.channel)].name : nil
          return "\(range) " + (channel.map { "channel \($0)" } ?? "memory")
        },
        imageSHA256: imageDigests[k.index].map(SHA256.hex),
        ownsInterruptController: e.flags & UInt32(CLEAVE_KERNEL_OWNS_IC) != 0,
        resetsInterruptController: e.flags & UInt32(CLEAVE_KERNEL_RESETS_IC) != 0,
        mayPower: e.flags & UInt32(CLEAVE_KERNEL_MAY_POWER) != 0, windows: windowsOf[k.index] ?? [])
    }
    self.routes = routes.map {
      Route(irq: $0.irq, kernel: p.kernels[Int($0.kernel)].name, target: Format.hex($0.target))
    }
    channels = p.channels.map { c in
      Channel(
        name: c.name, region: "\(c.region)", multiplexed: c.doorbells.contains(where: \.multiplexed),
        ends: c.doorbells.map {
          "\(p.kernels[$0.kernel].name): irq \($0.interrupt) on \(Format.hex(p.machine.cpus[$0.cpu].hardwareID)), bit \($0.bit)"
        })
    }
    banks = p.machine.memory.map { "\($0.range)" }
    loader = "\(p.loader)"
    self.flags =
      (flags & UInt32(CLEAVE_DESC_FENCE) != 0 ? ["fence"] : [])
      + (flags & UInt32(CLEAVE_DESC_FENCE_STOP) != 0 ? ["fence-stop"] : [])
      + (flags & UInt32(CLEAVE_DESC_FENCE_SGIS) != 0 ? ["fence-sgis"] : [])
  }
}

extension DescriptorSummary: JSONValue {
  public var json: JSON {
    .fields([
      "magic": magic, "version": version, "crc32": crc32, "totalSize": totalSize, "payloadSize": payloadSize,
      "arch": arch, "bootMode": bootMode, "interruptController": interruptController,
      "interruptControllerOwner": interruptControllerOwner, "doorbell": doorbell, "kernels": kernels,
      "routes": routes, "channels": channels, "banks": banks, "loader": loader, "flags": flags,
    ])
  }
}

extension DescriptorSummary.Kernel: JSONValue {
  public var json: JSON {
    .fields([
      "name": name, "protocolName": protocolName, "bootCPU": bootCPU, "cpus": cpus, "entry": entry,
      "dtb": dtb, "dtbSize": dtbSize, "memory": memory, "segments": segments, "grants": grants,
      "imageSHA256": imageSHA256, "ownsInterruptController": ownsInterruptController,
      "resetsInterruptController": resetsInterruptController, "mayPower": mayPower, "windows": windows,
    ])
  }
}

extension DescriptorSummary.Route: JSONValue {
  public var json: JSON { .fields(["irq": irq, "kernel": kernel, "target": target]) }
}

extension DescriptorSummary.Channel: JSONValue {
  public var json: JSON {
    .fields(["name": name, "region": region, "multiplexed": multiplexed, "ends": ends])
  }
}
