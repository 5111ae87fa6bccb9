import DeviceTree
import Machine
import Partitioning

/// `OUT/report.json`: everything the build resolved and every file it wrote.
public struct BuildReport: Codable, Sendable {
  public var plan: String
  public var board: String
  public var target: String
  public var boot: String
  public var loader: String
  /// The RAM banks the build placed into (the board's, or the plan's `ram:`).
  public var ram: [Bank]?
  public var interruptControllerOwner: String?
  public var doorbells: String
  /// The EL2 fence, when the plan asks for it: `cleave run` boots it with EL2 emulated.
  public var isolation: Isolation?
  public var kernels: [Kernel]
  public var channels: [Channel]
  public var files: [File]

  public struct Kernel: Codable, Sendable {
    public var name: String
    public var cpus: [String]
    public var bootCPU: String?
    public var memory: [String]
    public var dtb: String?
    public var devices: [String]
    public var sharedDevices: [String]
    /// Devices the tree keeps because the kernel's devices depend on them.
    public var providers: [Provider]
    /// Nodes and properties the tree lost because what they reference is not in it.
    public var removed: [Removal]
    public var interrupts: [UInt32]
    public var image: String?
    public var initrd: String?
    public var entry: String?
    public var protocolName: String
    /// The plan's `console.pass`: a line containing it is this kernel's PASS.
    public var pass: String?
    /// The plan's `console.fail` texts.
    public var fail: [String]?
    /// A sel4-boot-info kernel's record: node, regions, peers.
    public var bootInfo: BootInfoReport?
  }

  /// `isolation:` resolved.
  public struct Isolation: Codable, Sendable {
    /// `stage2`.
    public var fence: String
    /// `inject` or `stop`.
    public var onFault: String
    /// Kernels that may power the machine off or reset it.
    public var power: [String]
  }

  /// A RAM bank as hexadecimal strings, so 64-bit values survive any JSON reader.
  public struct Bank: Codable, Sendable {
    public var base: String
    public var size: String
  }

  public struct Provider: Codable, Sendable {
    public var device: String
    /// The kernel's device that needs it, or `/` for the interrupt parent every node inherits.
    public var neededBy: String
    /// The node and property that name it.
    public var reference: String
    /// The kernel that owns it, if any.
    public var owner: String?
  }

  public struct Removal: Codable, Sendable {
    /// The node that lost something.
    public var node: String
    /// The property it lost; absent when the whole node went.
    public var property: String?
    /// The reference that could not be satisfied: `property -> target`.
    public var because: String
  }

  public struct Channel: Codable, Sendable {
    public var name: String
    public var region: String
    public var members: [String]
    public var doorbells: [String]
  }

  public struct File: Codable, Sendable {
    public var path: String
    public var size: Int
    public var sha256: String

    init(_ artifacts: Artifacts, _ path: String) {
      self.path = path
      size = artifacts[path]?.count ?? 0
      sha256 = artifacts.sha256(path)
    }
  }

  /// The report of a build of `p` that wrote `artifacts`.
  init(_ p: Partition, artifacts: Artifacts) {
    self.init(p)
    listFiles(artifacts)
  }

  /// Everything but the list of files, which needs no file: a build makes it
  /// while its trees are being written.
  init(_ p: Partition) {
    plan = p.plan.file
    board = p.boardPath
    target = p.target.rawValue
    boot = p.boot.rawValue
    loader = "\(p.loader)"
    ram = p.machine.memory.map { Bank(base: Format.hex($0.range.base), size: Format.hex($0.range.size)) }
    interruptControllerOwner = p.interruptControllerOwner.map { p.kernels[$0].name }
    doorbells = p.doorbellMechanism.rawValue
    isolation = p.isolation.map { i in
      Isolation(
        fence: Plan.Isolation.Fence.stage2.rawValue, onFault: i.onFault.rawValue,
        power: i.power.map { p.kernels[$0].name })
    }
    let tree = p.machine.tree
    var owner: [Int: String] = [:]
    for k in p.kernels { for d in k.devices { owner[d] = k.name } }
    kernels = p.kernels.map { k in
      let cut = p.cuts.indices.contains(k.index) ? p.cuts[k.index] : nil
      let providers = (cut?.providers ?? []).map { d in
        let why = cut?.reasons[d]
        return Provider(
          device: p.machine.devices[d].path,
          neededBy: why?.device.map { p.machine.devices[$0].path } ?? "/",
          reference: why.map { "\(tree.path(of: $0.node)):\($0.property)" } ?? "", owner: owner[d])
      }
      let removed = (cut?.pruned ?? []).map { r in
        Removal(
          node: tree.path(of: r.node), property: r.dropped,
          because: "\(r.property) -> \(tree.path(of: r.target))")
      }
      return Kernel(
        name: k.name, cpus: k.cpus.map { p.machine.cpus[$0].name },
        bootCPU: k.bootCPU.map { p.machine.cpus[$0].name },
        memory: k.memory.map { "\($0.range)" }, dtb: k.dtb.map { "\($0)" },
        devices: k.devices.map { p.machine.devices[$0].path },
        sharedDevices: k.sharedDevices.map { p.machine.devices[$0].path },
        providers: providers, removed: removed,
        interrupts: Set(k.interrupts.map(\.number)).sorted(), image: k.image?.path,
        initrd: k.initrd.map { "\($0.range)" },
        entry: KernelPlacement.entry(of: k).map(Format.hex), protocolName: k.protocol.rawValue,
        pass: k.consolePass, fail: k.consoleFail.isEmpty ? nil : k.consoleFail,
        bootInfo: BootInfoLayout.make(p, kernel: k.index).map { BootInfoReport($0, in: p) })
    }
    channels = p.channels.map { c in
      Channel(
        name: c.name, region: "\(c.region)", members: c.members.map { p.kernels[$0].name },
        doorbells: c.doorbells.map { d in
          "\(p.kernels[d.kernel].name): \(p.doorbellMechanism == .sgi ? "SGI \(d.interrupt)" : p.doorbellMechanism.rawValue) on \(p.machine.cpus[d.cpu].name)\(d.multiplexed ? ", multiplexed bit \(d.bit)" : "")"
        })
    }
    files = []
  }

  /// Lists every file of `artifacts`, with the digests their makers worked
  /// out and the others' worked out here, on every core.
  mutating func listFiles(_ artifacts: Artifacts) {
    let paths = artifacts.paths
    files = concurrently(paths.count) { i in File(artifacts, paths[i]) }
  }

  /// The JSON of the `files` list of a report of `artifacts`, each entry
  /// written on whichever core listed it.
  static func filesJSON(_ artifacts: Artifacts) -> JSON {
    let paths = artifacts.paths
    return .array(concurrently(paths.count) { i in File(artifacts, paths[i]).json.rendered(depth: 2) })
  }
}

extension BuildReport: JSONValue {
  public var json: JSON {
    .fields([
      "plan": plan, "board": board, "target": target, "boot": boot, "loader": loader, "ram": ram,
      "interruptControllerOwner": interruptControllerOwner, "doorbells": doorbells, "kernels": kernels,
      "channels": channels, "files": files, "isolation": isolation,
    ])
  }
}

extension BuildReport.Kernel: JSONValue {
  public var json: JSON {
    .fields([
      "name": name, "cpus": cpus, "bootCPU": bootCPU, "memory": memory, "dtb": dtb, "devices": devices,
      "sharedDevices": sharedDevices, "providers": providers, "removed": removed, "interrupts": interrupts,
      "image": image, "initrd": initrd, "entry": entry, "protocolName": protocolName, "pass": pass,
      "fail": fail, "bootInfo": bootInfo,
    ])
  }
}

extension BuildReport.Isolation: JSONValue {
  public var json: JSON { .fields(["fence": fence, "onFault": onFault, "power": power]) }
}

extension BuildReport.Bank: JSONValue {
  public var json: JSON { .fields(["base": base, "size": size]) }
}

extension BuildReport.Provider: JSONValue {
  public var json: JSON {
    .fields(["device": device, "neededBy": neededBy, "reference": reference, "owner": owner])
  }
}

extension BuildReport.Removal: JSONValue {
  public var json: JSON { .fields(["node": node, "property": property, "because": because]) }
}

extension BuildReport.Channel: JSONValue {
  public var json: JSON {
    .fields(["name": name, "region": region, "members": members, "doorbells": doorbells])
  }
}

extension BuildReport.File: JSONValue {
  public var json: JSON { .fields(["path": path, "size": size, "sha256": sha256]) }
}
