import DeviceTree
import Partitioning

/// In OpenSBI domains mode the hardware (PMP) fences each kernel off from the
/// others' memory. A kernel's /chosen/cleave says so (`boot-mode =
/// "opensbi-domains"`) and names one address behind each fence
/// (``FencedMemory``: `fenced`, `fenced-kernels`).
/// It also drops an ACLINT SSWI the domain is not granted (a kernel without
/// channels has no use for it), so the tree names no device the kernel would
/// fault on: S-mode kernels probe the SSWI (the M-mode CLINT, MSWI and MTIMER
/// they leave alone).
enum DomainFences {
  static func annotate(_ tree: inout DeviceTree, _ p: Partition, kernel index: Int) {
    guard p.boot == .opensbiDomains, let node = tree.node(path: "/chosen/cleave") else { return }
    var n = tree[node]
    n.set(Property(name: "boot-mode", strings: [p.boot.rawValue]))
    for property in FencedMemory.properties(p, kernel: index) { n.set(property) }
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
