import DeviceTree

extension Machine {
  static func readInterruptControllers(
    _ tree: DeviceTree, cpus: [CPU], cache: DecodeCache, unusable: inout [UnusableNode]
  ) throws
    -> [InterruptController]
  {
    let cpuOfLocal = Dictionary(
      cpus.compactMap { c in c.localInterruptController.map { ($0, c.index) } },
      uniquingKeysWith: { a, _ in a })
    var out: [InterruptController] = []
    for id in tree.descendants() where tree.isInterruptController(id) || tree.controllerKind(id) != nil {
      let kind = tree.controllerKind(id)
      if kind == .riscvCPU { continue }  // part of its hart; reported with the CPU
      do {
        out.append(try readController(id, kind: kind, tree: tree, cache: cache, cpuOfLocal: cpuOfLocal))
      } catch let e as DeviceTreeError where e.isConfinedToNode {
        unusable.append(UnusableNode(node: id, path: tree.path(of: id), defect: e))
      }
    }
    return out
  }

  private static func readController(
    _ id: NodeID, kind: InterruptControllerKind?, tree: DeviceTree, cache: DecodeCache,
    cpuOfLocal: [NodeID: Int]
  ) throws -> InterruptController {
    var controller = InterruptController(
      node: id, path: tree.path(of: id), labels: tree[id].labels, kind: kind,
      compatible: tree.compatible(id),
      interruptCells: try tree.cellCount("#interrupt-cells", of: id, limit: 4), frames: [], contexts: [],
      sources: try tree.u32("riscv,ndev", of: id), children: [])
    let windows = try tree.mmio(id, cache: cache)
    switch kind {
    case .gicV2?:
      controller.frames = zip(["gicd", "gicc", "gich", "gicv"], windows).map { .init(name: $0, range: $1) }
    case .gicV3?:
      let regions = try tree.cellCount("#redistributor-regions", of: id, default: 1, limit: 64) ?? 1
      var names = ["gicd"] + (0..<regions).map { "gicr\($0)" }
      names += ["gicc", "gich", "gicv"]
      controller.frames = zip(names, windows).map { .init(name: $0, range: $1) }
    case .gicV3ITS?:
      controller.frames = windows.map { .init(name: "its", range: $0) }
    case .gicV2m?:
      controller.frames = windows.map { .init(name: "v2m", range: $0) }
    case .plic?, .clint?, .aclintMSWI?, .aclintSSWI?, .aclintMTimer?, .aplic?, .imsic?:
      controller.frames = windows.map { .init(name: kind?.rawValue ?? "regs", range: $0) }
      controller.contexts = try contexts(of: id, tree: tree, cpuOfLocal: cpuOfLocal)
    default:
      controller.frames = windows.map { .init(name: "regs", range: $0) }
    }
    controller.children = tree[id].children.filter {
      tree.controllerKind($0) == .gicV3ITS || tree.controllerKind($0) == .gicV2m
    }
    return controller
  }

  /// The per-hart contexts of a PLIC or CLINT, in position order. An entry whose
  /// cause is 0xffffffff (the convention Linux and QEMU use for a context no one
  /// may use) is kept as an inert position without a CPU.
  private static func contexts(of id: NodeID, tree: DeviceTree, cpuOfLocal: [NodeID: Int]) throws
    -> [InterruptController.Context]
  {
    guard let cells = try tree.cells("interrupts-extended", of: id) else { return [] }
    var out: [InterruptController.Context] = []
    var i = 0
    while i < cells.count {
      let ph = cells[i]
      let target = tree.node(phandle: ph)
      let n = try target.flatMap { try tree.cellCount("#interrupt-cells", of: $0, limit: 4) } ?? 1
      guard i + 1 + n <= cells.count else {
        throw tree.nodeDefect(id, "interrupts-extended", "entry \(out.count) is truncated")
      }
      let cause = n > 0 ? cells[i + 1] : 0
      let cpu = cause == 0xffff_ffff ? nil : target.flatMap { cpuOfLocal[$0] }
      out.append(.init(position: out.count, cpu: cpu, cause: cause, role: role(of: cause)))
      i += 1 + n
    }
    return out
  }

  /// The name of a RISC-V interrupt cause as the privileged specification numbers them.
  static func role(of cause: UInt32) -> String {
    switch cause {
    case 1: "S-software"
    case 3: "M-software"
    case 5: "S-timer"
    case 7: "M-timer"
    case 9: "S-external"
    case 11: "M-external"
    case 0xffff_ffff: "inert"
    default: "cause \(cause)"
    }
  }
}
