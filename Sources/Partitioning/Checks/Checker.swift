import DeviceTree
import Machine

/// Runs every check over a resolved partition and reports the findings in
/// family order: cores and devices first, then memory, interrupts, topology,
/// images, OpenSBI domains, seL4 and the EL2 fence.
public enum Checker {
  public static let families: [(name: String, run: @Sendable (Partition, inout DiagnosticEngine) -> Void)] = [
    ("cores", CoreChecks.run),
    ("devices", DeviceChecks.run),
    ("memory", MemoryChecks.run),
    ("address maps", AddressMapChecks.run),
    ("foreign", ForeignChecks.run),
    ("interrupts", InterruptChecks.run),
    ("topology", TopologyChecks.run),
    ("images", ImageChecks.run),
    ("domains", DomainChecks.run),
    ("sel4", SeL4Checks.run),
    ("boot-info", BootInfoChecks.run),
    ("fence", FenceChecks.run),
  ]

  /// No family reads another's findings, so they run on every core, each
  /// into its own engine; the findings are then added in family order, the
  /// same list as one family after another.
  public static func run(_ partition: Partition, _ engine: inout DiagnosticEngine) {
    let found = concurrently(families.count) { i in
      var own = DiagnosticEngine()
      families[i].run(partition, &own)
      return own.diagnostics
    }
    for diagnostics in found { engine.append(contentsOf: diagnostics) }
  }
}

extension Partition {
  /// `'k0' memory [0x…, 0x…)`: how messages name a kernel's range.
  func describe(kernel k: Int, _ r: AddressRange) -> String { "'\(kernels[k].name)' memory \(r)" }

  func cpuName(_ c: Int) -> String { machine.cpus[c].name }

  /// Where a board node (or `node:property`) is: its source line when the
  /// board's source positions were read, else `board: path` as for a blob.
  func boardLocation(_ place: String) -> SourceLocation {
    if let p = machine.tree.sourcePositions[place] {
      return SourceLocation(file: p.file, line: p.line, column: p.column)
    }
    return SourceLocation(file: boardPath, path: place)
  }

  /// `memory_overlaps_reserved`: `what` (a kernel's or a foreign entry's
  /// memory) overlaps the board's reservation `r` at `range`; `detail` follows
  /// the ranges in the message.
  func reportReservedOverlap(
    _ what: String, _ r: Reservation, at range: AddressRange, detail: String = "", location: SourceLocation,
    into engine: inout DiagnosticEngine
  ) {
    let noMap = r.noMap && r.source == .reservedMemory ? " (no-map)" : ""
    engine.error(
      .memoryOverlapsReserved, "\(what) overlaps reserved memory \(r.name) \(range)\(noMap)\(detail)",
      at: location,
      notes: [
        .init(
          "reserved by the board",
          at: boardLocation(r.node.map { machine.tree.path(of: $0) } ?? "/memreserve/"))
      ])
  }

  /// Whether the core is known to run another architecture than the target.
  func isForeign(_ cpu: CPU) -> Bool {
    cpu.architecture != .unknown && cpu.architecture.rawValue != target.rawValue
  }
}
