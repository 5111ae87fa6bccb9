import DeviceTree
import Machine

/// Checks per-kernel device trees made by hand (today's practice) against each
/// other and, optionally, against the board: memory, cores, devices and
/// interrupts that two trees both claim.
public enum TreeSetCheck {
  struct Claim {
    var tree: Int
    var range: AddressRange
    var place: String
  }

  public static func run(
    _ trees: [(path: String, machine: Machine)], board: (path: String, machine: Machine)?
  ) -> [Diagnostic] {
    var engine = DiagnosticEngine()
    func at(_ t: Int, _ place: String) -> SourceLocation { SourceLocation(file: trees[t].path, path: place) }

    // Memory: every memory bank, pairwise over all trees.
    var memory: [Claim] = []
    for (t, tree) in trees.enumerated() {
      for bank in tree.machine.memory {
        memory.append(Claim(tree: t, range: bank.range, place: bank.path + ":reg"))
      }
    }
    for (i, j) in Overlaps.pairs(memory.map(\.range)) where memory[i].tree != memory[j].tree {
      let (a, b) = (memory[i], memory[j])
      engine.error(
        .memoryOverlap,
        "memory \(b.range) overlaps \(trees[a.tree].path) memory \(a.range)\(a.range.intersection(b.range).map { " (both hold \($0))" } ?? "")",
        at: at(b.tree, b.place), notes: [.init("the other kernel's memory", at: at(a.tree, a.place))])
    }
    // Cores: the same hardware id enabled in two trees.
    var cores: [UInt64: (Int, String)] = [:]
    for (t, tree) in trees.enumerated() {
      for c in tree.machine.cpus where c.enabled {
        if let (first, place) = cores[c.hardwareID] {
          engine.error(
            .coreAssignedTwice,
            "core \(Format.hex(c.hardwareID)) (\(c.name)) is also enabled in \(trees[first].path)",
            at: at(t, c.path + ":reg"),
            notes: [.init("enabled here", at: at(first, place))])
        } else {
          cores[c.hardwareID] = (t, c.path + ":reg")
        }
      }
    }
    // Devices: enabled partitionable devices whose MMIO windows overlap across trees.
    var windows: [Claim] = []
    for (t, tree) in trees.enumerated() {
      for d in tree.machine.devices where d.isPartitionable {
        for w in d.mmio { windows.append(Claim(tree: t, range: w, place: d.path)) }
      }
    }
    for (i, j) in Overlaps.pairs(windows.map(\.range)) where windows[i].tree != windows[j].tree {
      let (a, b) = (windows[i], windows[j])
      engine.error(
        .deviceOwnedTwice,
        "device \(b.place) \(b.range) is also enabled in \(trees[a.tree].path) as \(a.place) \(a.range)",
        at: at(b.tree, b.place),
        notes: [.init("enabled here", at: at(a.tree, a.place))])
    }
    // Interrupts: the same SPI / PLIC source on enabled devices of two trees.
    var irqs: [UInt32: (Int, String)] = [:]
    for (t, tree) in trees.enumerated() {
      let primary = tree.machine.primaryInterruptController?.node
      for d in tree.machine.devices where d.isPartitionable {
        for i in d.interrupts where i.controller == primary {
          guard let n = i.interrupt.ownedNumber else { continue }
          if let (first, place) = irqs[n], first != t {
            engine.error(
              .interruptOwnedTwice,
              "interrupt \(n) of \(d.path) is also used by \(place) in \(trees[first].path)",
              at: at(t, d.path + ":interrupts"),
              notes: [.init("used here", at: at(first, place + ":interrupts"))])
          } else if irqs[n] == nil {
            irqs[n] = (t, d.path)
          }
        }
      }
    }
    if let board {
      for (t, tree) in trees.enumerated() {
        for bank in tree.machine.memory {
          if !board.machine.memory.contains(where: { $0.range.contains(bank.range) }) {
            engine.error(
              .memoryOutsideRAM, "memory \(bank.range) is not RAM on \(board.path)",
              at: at(t, bank.path + ":reg"))
          }
        }
        for c in tree.machine.cpus where c.enabled && board.machine.cpu(hardwareID: c.hardwareID) == nil {
          engine.error(
            .coreUnknown, "core \(Format.hex(c.hardwareID)) (\(c.name)) does not exist on \(board.path)",
            at: at(t, c.path + ":reg"))
        }
        for d in tree.machine.devices where d.isPartitionable {
          let known = board.machine.devices.contains { b in
            d.mmio.allSatisfy { w in b.mmio.contains(w) } && !Set(b.compatible).isDisjoint(with: d.compatible)
          }
          if !known {
            engine.error(
              .deviceUnknown,
              "device \(d.path) has no counterpart with a common compatible and the same MMIO on \(board.path)",
              at: at(t, d.path))
          }
        }
      }
    }
    return engine.sorted
  }
}
