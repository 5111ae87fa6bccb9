import DeviceTree
import Partitioning

/// Under the AArch64 EL2 fence (`isolation: stage2`) a kernel's
/// `/chosen/cleave` says so and names one thing behind the fence of each kind,
/// so a kernel that wants to prove the fence holds (the probe kernel does)
/// knows what must fail:
///   isolation = "stage2";
///   on-fault = "inject" | "stop";          what the fence does to a core that crosses it
///   fenced = <hi lo ...>; fenced-kernels = "k1", ...;    (``FencedMemory``)
///   fenced-device = <hi lo>; fenced-device-owner = "k0";  the first page of another
///       kernel's device windows (kernel order) this kernel does not reach too
///   fenced-interrupt = <intid>; fenced-interrupt-owner = "k0";  the lowest SPI routed
///       to another kernel
///   fenced-cpu = <hi lo>; fenced-cpu-owner = "k1";  the MPIDR affinity
///       (`cleave_cpu.hwid`) of the next kernel's boot core
///   may-power;                             the kernel may call SYSTEM_OFF / SYSTEM_RESET
///   sgis-filtered;                         the fence filters the kernel's SGIs: it passes
///       those to the kernel's own cores and to a channel peer's doorbell only. Always on a
///       GICv2 board (SGIs are the distributor's GICD_SGIR, which the fence emulates); on
///       GICv3 with `sgis: filtered` (ICC_SGI1R_EL1 and the like trapped), and absent with
///       `sgis: direct`, whose SGIs reach any core untrapped
/// Each pair is absent when there is nothing of its kind to name.
enum StageTwoFence {
  static func annotate(_ tree: inout DeviceTree, _ p: Partition, kernel index: Int) {
    guard let fence = p.isolation, p.kernels.indices.contains(index),
      let node = tree.node(path: "/chosen/cleave")
    else { return }
    var n = tree[node]
    n.set(Property(name: "isolation", strings: ["stage2"]))
    n.set(Property(name: "on-fault", strings: [fence.onFault.rawValue]))
    for property in FencedMemory.properties(p, kernel: index) { n.set(property) }
    if let (page, owner) = foreignPage(p, kernel: index) {
      n.set(Property(name: "fenced-device", cells: FencedMemory.address(page)))
      n.set(Property(name: "fenced-device-owner", strings: [p.kernels[owner].name]))
    }
    if let (irq, owner) = foreignInterrupt(p, kernel: index) {
      n.set(Property(name: "fenced-interrupt", cells: [irq]))
      n.set(Property(name: "fenced-interrupt-owner", strings: [p.kernels[owner].name]))
    }
    if p.kernels.count > 1 {
      let next = p.kernels[(index + 1) % p.kernels.count]
      if let cpu = next.bootCPU, p.machine.cpus.indices.contains(cpu) {
        n.set(Property(name: "fenced-cpu", cells: FencedMemory.address(p.machine.cpus[cpu].hardwareID)))
        n.set(Property(name: "fenced-cpu-owner", strings: [next.name]))
      }
    }
    if fence.power.contains(index) { n.set(Property(flag: "may-power")) }
    if p.fenceFiltersSGIs { n.set(Property(flag: "sgis-filtered")) }
    tree[node] = n
  }

  /// The first page, in kernel order, of another kernel's windows that none
  /// of this kernel's windows covers, and whose window it is.
  static func foreignPage(_ p: Partition, kernel index: Int) -> (UInt64, Int)? {
    let windows = p.fenceWindows
    let mine = windows.filter { $0.kernel == index }.map(\.range)
    for w in windows where w.kernel != index {
      // Past every window of this kernel that covers it: windows are whole pages.
      var at = UInt128(w.range.base)
      while at < w.range.end, let cover = mine.first(where: { UInt128($0.base) <= at && at < $0.end }) {
        at = cover.end
      }
      if at < w.range.end { return (UInt64(at), w.kernel) }
    }
    return nil
  }

  /// The lowest SPI another kernel owns (its route), and that kernel.
  static func foreignInterrupt(_ p: Partition, kernel index: Int) -> (UInt32, Int)? {
    let mine = Set(p.kernels[index].interrupts.map(\.number))
    var lowest: (UInt32, Int)?
    for k in p.kernels where k.index != index {
      for i in k.interrupts where !mine.contains(i.number) && i.number < (lowest?.0 ?? .max) {
        lowest = (i.number, k.index)
      }
    }
    return lowest
  }
}
