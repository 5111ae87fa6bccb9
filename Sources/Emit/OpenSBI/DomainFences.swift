import DeviceTree
import Partitioning

/// In OpenSBI domains mode the hardware (PMP) fences each kernel off from the
/// others' memory. A kernel's /chosen/cleave says so, and names one address
/// behind each fence, so a kernel that wants to prove its isolation (the
/// probe kernel does) knows where a load must fault:
///   boot-mode = "opensbi-domains";
///   fenced = <hi lo ...>;           the base of every other kernel's lowest memory range
///   fenced-kernels = "k1", ...;     whose memory each address is
/// It also drops an ACLINT SSWI the domain is not granted (a kernel without
/// channels has no use for it), so the tree names no device the kernel would
/// fault on: S-mode kernels probe the SSWI (the M-mode CLINT, MSWI and MTIMER
/// they leave alone).
enum DomainFences {
  static func annotate(_ tree: inout DeviceTree, _ p: Partition, kernel index: Int) {
    guard p.boot == .opensbiDomains, let node = tree.node(path: "/chosen/cleave") else { return }
    var cells: [UInt32] = []
    var names: [String] = []
    for k in p.kernels where k.index != index {
      guard let base = k.memory.first?.range.base else { continue }
      cells += [UInt32(base >> 32), UInt32(base & 0xffff_ffff)]
      names.append(k.name)
    }
    var n = tree[node]
    n.set(Property(name: "boot-mode", strings: [p.boot.rawValue]))
    if !names.isEmpty {
      n.set(Property(name: "fenced", cells: cells))
      n.set(Property(name: "fenced-kernels", strings: names))
    }
    tree[node] = n
    let granted = Set(p.domainRegions(of: p.kernels[index]).map(\.range.base))
    for ic in p.machine.interruptControllers where ic.kind == .aclintSSWI {
      guard let frame = ic.frames.first?.range, !granted.contains(frame.base),
        let id = tree.node(path: ic.path)
      else { continue }
      tree.removeNode(id)
    }
  }
}
