import DeviceTree
import Machine
import Partitioning

/// The machine tree OpenSBI reads to run each kernel in its own domain: the
/// board's tree plus /chosen/opensbi-domains (one memregion per naturally
/// aligned power-of-two block, one domain instance per kernel) and an
/// `opensbi-domain` property on every CPU node. OpenSBI 1.1 reads that
/// hyphenated name and rejects the whole configuration if an enabled CPU lacks it.
public enum OpenSBIDomains {
  public static func machineTree(_ p: Partition) -> DeviceTree {
    var tree = p.machine.tree
    tree.file = "machine.dts"
    var nextPhandle = (tree.phandles.last ?? 0) + 1
    func newPhandle() -> UInt32 {
      defer { nextPhandle += 1 }
      return nextPhandle
    }
    let chosen = tree.node(path: "/chosen") ?? tree.addNode("chosen", under: tree.root)
    let config = tree.addNode(
      "opensbi-domains", under: chosen,
      properties: [Property(name: "compatible", strings: ["opensbi,domain,config"])])
    var regionPhandles: [String: UInt32] = [:]
    func region(_ r: AddressRange, mmio: Bool) -> UInt32 {
      let block = napotCover(r, minimum: mmio ? 8 : 4096)
      let key = "\(block.base)-\(block.size)"
      if let ph = regionPhandles[key] { return ph }
      let ph = newPhandle()
      var props = [
        Property(name: "compatible", strings: ["opensbi,domain,memregion"]),
        Property(name: "base", cells: [UInt32(block.base >> 32), UInt32(block.base & 0xffff_ffff)]),
        Property(name: "order", cells: [UInt32(63 - block.size.leadingZeroBitCount)]),
        Property(name: "phandle", cells: [ph]),
      ]
      if mmio { props.insert(Property(flag: "mmio"), at: 3) }
      // Blocks of two sizes can start at one address; node names must differ.
      let address = String(block.base, radix: 16)
      let taken = regionPhandles.keys.contains { $0.hasPrefix("\(block.base)-") }
      let order = 63 - block.size.leadingZeroBitCount
      tree.addNode(
        taken ? "memregion-\(order)@\(address)" : "memregion@\(address)", under: config, properties: props)
      regionPhandles[key] = ph
      return ph
    }
    var domainOf: [Int: UInt32] = [:]
    for k in p.kernels {
      let regions = p.domainRegions(of: k).flatMap { [region($0.range, mmio: $0.mmio), $0.access.rawValue] }
      let harts = k.cpus.compactMap { tree.phandle(of: p.machine.cpus[$0].node) }
      let ph = newPhandle()
      let entry = KernelPlacement.entry(of: k) ?? k.memory.first?.range.base ?? 0
      let dtb = k.dtb?.base ?? 0
      var props = [
        Property(name: "compatible", strings: ["opensbi,domain,instance"]),
        Property(name: "phandle", cells: [ph]),
        Property(name: "possible-harts", cells: harts),
        Property(name: "regions", cells: regions),
        Property(name: "next-addr", cells: [UInt32(entry >> 32), UInt32(entry & 0xffff_ffff)]),
        Property(name: "next-arg1", cells: [UInt32(dtb >> 32), UInt32(dtb & 0xffff_ffff)]),
        Property(name: "next-mode", cells: [1]),
        Property(name: "system-reset-allowed", value: []),
      ]
      if let boot = harts.first { props.insert(Property(name: "boot-hart", cells: [boot]), at: 3) }
      tree.addNode("domain@\(k.index)", under: config, properties: props)
      for c in k.cpus { domainOf[c] = ph }
    }
    for cpu in p.machine.cpus {
      guard let ph = domainOf[cpu.index] else { continue }
      var n = tree[cpu.node]
      n.set(Property(name: "opensbi-domain", cells: [ph]))
      tree[cpu.node] = n
    }
    return tree
  }

  /// The smallest naturally aligned power-of-two block of at least `minimum`
  /// bytes holding `r` (OpenSBI takes regions down to 8 bytes; memory is
  /// granted in whole pages).
  static func napotCover(_ r: AddressRange, minimum: UInt64 = 4096) -> AddressRange {
    var size = minimum
    while size < r.size, size < 1 << 62 { size <<= 1 }
    while true {
      let base = r.base & ~(size - 1)
      let block = AddressRange(base: base, size: size)
      if block.contains(r) || size >= 1 << 62 { return block }
      size <<= 1
    }
  }
}
