import DeviceTree
import Machine
import Partitioning

/// Writes a partition as System Device Tree execution domains: one
/// `openamp,domain-v1` node per kernel and per `foreign:` entry under
/// `/domains`, referencing the board's clusters and devices by label (or by
/// `&{/path}` when a node has none, or the board is a blob). The text is
/// appended to the board's source, replacing any `/domains` it has, as the
/// kernel overlays are; `cleave check` reads the result's domains back.
public enum DomainsSource {
  public static func text(_ p: Partition) -> String {
    let tree = p.machine.tree
    let fromSource = !(p.boardPath.hasSuffix(".dtb") || p.boardPath.hasSuffix(".dtbo"))
    func reference(_ id: NodeID) -> String {
      if fromSource, let label = tree[id].labels.first { return "&\(label)" }
      return "&{\(tree.path(of: id))}"
    }
    func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
    func cells(_ v: UInt64) -> String { "\(hex(v >> 32)) \(hex(v & 0xffff_ffff))" }

    struct Entry {
      var name: String
      var cpus: [Int]
      var memory: [AddressRange]
      var devices: [Int]
      var executionLevel: UInt32
      var osType: String?
    }
    // Each kernel's shared regions and channels, in plan order, found in one pass.
    var shared = [[AddressRange]](repeating: [], count: p.kernels.count)
    for r in p.sharedRegions {
      for k in Set(r.kernels) where shared.indices.contains(k) { shared[k].append(r.range) }
    }
    for c in p.channels where c.region.size > 0 {
      for k in Set(c.members) where shared.indices.contains(k) { shared[k].append(c.region) }
    }
    var entries: [Entry] = []
    for k in p.kernels {
      let memory = k.memory.map(\.range) + (shared.indices.contains(k.index) ? shared[k.index] : [])
      // cleave's loader enters AArch64 kernels at EL2 when it runs there.
      entries.append(
        Entry(
          name: k.name, cpus: k.cpus, memory: memory, devices: k.allDevices,
          executionLevel: p.target == .aarch64 ? 0x2 : 0x0, osType: k.protocol == .linux ? "linux" : nil))
    }
    for f in p.foreign {
      let memory =
        f.memory.map(\.range) + p.sharedRegions.filter { $0.foreign.contains(f.index) }.map(\.range)
      entries.append(
        Entry(
          name: f.name, cpus: f.cpus, memory: memory, devices: f.devices + f.sharedDevices, executionLevel: 0,
          osType: nil))
    }

    var lines = [
      "// Execution domains of \(PathText.name(of: p.plan.file)), written by cleave build: each kernel and",
      "// foreign entry as an openamp,domain-v1 node. Append it to \(PathText.name(of: p.boardPath)) to get the",
      "// board with these domains in place of its own.",
      "",
    ]
    if tree.node(path: "/domains") != nil { lines += ["/delete-node/ &{/domains};", ""] }
    lines += ["/ {", "\tdomains {", "\t\t#address-cells = <0x2>;", "\t\t#size-cells = <0x2>;"]
    // Each core's cluster and place in it, so an entry's masks come from its own cores.
    var place: [Int: (cluster: Int, position: Int)] = [:]
    for (i, cluster) in p.machine.cpuClusters.enumerated() {
      for (n, c) in cluster.cpus.enumerated() where place[c] == nil { place[c] = (i, n) }
    }
    for (i, e) in entries.enumerated() {
      lines += ["", "\t\t\(e.name) {", "\t\t\tcompatible = \"openamp,domain-v1\";"]
      var masks: [Int: UInt32] = [:]
      var left = 0
      for c in Set(e.cpus) {
        guard let at = place[c] else { continue }
        if at.position < 32 { masks[at.cluster, default: 0] |= 1 << UInt32(at.position) } else { left += 1 }
      }
      let triplets = masks.keys.sorted().compactMap { i -> String? in
        guard let mask = masks[i] else { return nil }
        let cluster = p.machine.cpuClusters[i]
        return "\(reference(cluster.node)) \(hex(UInt64(mask))) \(hex(UInt64(e.executionLevel)))"
      }
      if left > 0 {
        lines.append("\t\t\t// \(left) cores past the 32 a cpu mask names are not listed")
      }
      if !triplets.isEmpty { lines.append("\t\t\tcpus = <\(triplets.joined(separator: ">, <"))>;") }
      lines.append("\t\t\t#memory-flags-cells = <0x0>;")
      if !e.memory.isEmpty {
        let ranges = e.memory.sorted().map { "\(cells($0.base)) \(cells($0.size))" }
        lines.append("\t\t\tmemory = <\(ranges.joined(separator: ">, <"))>;")
      }
      // One flags cell, 0, after each device: Lopper's domain tooling reads
      // access as <&device flags> pairs whatever #access-flags-cells says.
      lines.append("\t\t\t#access-flags-cells = <0x1>;")
      if !e.devices.isEmpty {
        let refs = e.devices.map { "\(reference(p.machine.devices[$0].node)) 0x0" }
        lines.append("\t\t\taccess = <\(refs.joined(separator: " "))>;")
      }
      lines.append("\t\t\tid = <\(hex(UInt64(i + 1)))>;")
      if let os = e.osType { lines.append("\t\t\tos,type = \"\(os)\";") }
      lines.append("\t\t};")
    }
    lines += ["\t};", "};"]
    return lines.joined(separator: "\n") + "\n"
  }
}
