import DeviceTree
import Foundation
import Machine
import Partitioning
import Testing

@testable import Emit

/// Every board DTB Debian's arm64 kernel package ships (fetched by `make linux`),
/// planned with `plan --auto`, checked and built in-process: trees nobody here
/// tuned for must come out sound.
struct ShippedBoardCutTests {
  static let directory = repositoryRoot.appendingPathComponent("build/linux/dtbs").path

  /// The boards, as paths under build/linux/dtbs, in a stable order.
  static func boards() -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
    var out: [String] = []
    // CLEAVE_BOARDS=text narrows the run to boards whose path contains it.
    let only = ProcessInfo.processInfo.environment["CLEAVE_BOARDS"]
    for case let f as String in walker where f.hasSuffix(".dtb") && (only.map { f.contains($0) } ?? true) {
      out.append(f)
    }
    return out.sorted()
  }

  @Test func theCorpusIsThere() {
    guard ProcessInfo.processInfo.environment["CLEAVE_BOARDS"] == nil else { return }
    #expect(Self.boards().count > 100, "no build/linux/dtbs; run make linux")
  }

  /// `plan --auto` checks with no error; `build` writes trees in which every
  /// reference resolves, dtc finds no kind of problem the board itself lacks,
  /// and report.json names exactly the devices each kernel's DTB holds.
  @Test(arguments: boards())
  func autoPlanBuildsSoundTrees(board: String) throws {
    let dir = try scratch()
    defer { remove(dir) }
    let boardPath = "\(Self.directory)/\(board)"
    let machine = try Machine.load(boardPath)
    let boardBlob = try DeviceTree.load(boardPath).blob()
    // A board whose firmware fills /memory in gets its RAM as a user gives it:
    // plan --auto --ram, with the largest window below 4 GiB no device uses.
    let ram =
      try machine.memory.isEmpty
      ? [#require(Self.freeWindow(machine), "\(board): no window for RAM below 4 GiB")] : nil
    let planText = try AutoPlanner(machine: machine, boardReference: boardPath, ram: ram).plan()
    let planPath = dir.appendingPathComponent("auto.plan.yaml").path
    try planText.write(toFile: planPath, atomically: true, encoding: .utf8)

    let checked = PlanCheck.run(planPath: planPath)
    // check exits 0 on every board: plan --auto chose PSCI or spin-table as
    // the board's cores use, and left out the cores the loader can start by no
    // method it has, saying so (the firmware decides how those start); which
    // boards those are follows from the tree alone.
    let errors = checked.diagnostics.filter { $0.severity == .error }.map(\.text)
    #expect(errors.isEmpty, "\(board): check: \(errors)")
    if let reason = unbootableReason(machine) {
      #expect(
        planText.contains("# Left out: "), "\(board): \(reason), yet the plan does not say what it left out")
    } else {
      #expect(
        !planText.contains("# Left out: "), "\(board): every core can start, yet the plan left some out")
    }
    guard errors.isEmpty, let partition = checked.partition else { return }
    // What `build` writes, less the text forms and file hashes (the DTS and
    // overlay are the same trees, and hashing them in a debug build would
    // cost more than everything else here): the trees, the descriptor that
    // must find room for each DTB, and the report.
    let trees = BuildJob(partition: partition).kernelTrees()
    let blobs = try trees.map { try $0.blob() }
    _ = try BootDescriptor.make(partition, dtbs: blobs, images: partition.kernels.map { _ in nil })
    let report = BuildReport(partition, artifacts: Artifacts())

    let boardTree = try DeviceTree(blob: boardBlob)
    let boardKinds = try Self.dtcKinds(boardBlob, dir)
    let boardDangling = Set(
      boardTree.danglingReferences().map { "\(boardTree.path(of: $0.node)):\($0.property)" })
    for k in report.kernels {
      let index = try #require(report.kernels.firstIndex { $0.name == k.name })
      let blob = blobs[index]
      let tree = try DeviceTree(blob: blob)
      // Nothing dangles that did not dangle on the board.
      let dangling = tree.danglingReferences().map { "\(tree.path(of: $0.node)):\($0.property)" }
        .filter { !boardDangling.contains($0) }
      #expect(dangling.isEmpty, "\(board) \(k.name): dangling \(dangling)")
      // dtc: no kind of warning the board does not have already.
      let extra = try Self.dtcKinds(blob, dir).subtracting(boardKinds)
      #expect(extra.isEmpty, "\(board) \(k.name): dtc warns \(extra.sorted()) only on the kernel tree")
      // One truth: report.json's devices are exactly the DTB's.
      let inTree = Set(try Machine(tree: tree).devices.filter(\.isPartitionable).map(\.path))
      let reported = Set(k.devices + k.sharedDevices + k.providers.map(\.device))
      let onlyTree = inTree.subtracting(reported).sorted()
      let onlyReport = reported.subtracting(inTree).sorted()
      #expect(
        onlyTree.isEmpty && onlyReport.isEmpty,
        "\(board) \(k.name): in the DTB only \(onlyTree), in report.json only \(onlyReport)")
      if let chosen = tree.node(path: "/chosen"),
        let stdout = tree.property("stdout-path", of: chosen)?.string
      {
        let target = String(stdout.split(separator: ":").first ?? "")
        #expect(tree.resolve(target) != nil, "\(board) \(k.name): stdout-path \(stdout) names nothing")
      }
    }
  }

  /// The largest 2 MiB-aligned gap below 4 GiB between device windows and reservations.
  static func freeWindow(_ m: Machine) -> AddressRange? {
    let limit: UInt64 = 1 << 32
    let align: UInt64 = 2 << 20
    var used = m.devices.flatMap(\.mmio) + m.reservations.compactMap(\.range)
    used.sort { $0.base < $1.base }
    var best: AddressRange?
    var at: UInt64 = 0
    func consider(_ end: UInt64) {
      let base = (at + align - 1) / align * align
      let top = min(end, limit) / align * align
      guard top > base else { return }
      let size = min(top - base, 2 << 30)
      if best.map({ size > $0.size }) ?? true { best = AddressRange(base: base, size: size) }
    }
    for r in used {
      if r.base > at { consider(r.base) }
      at = max(at, r.base &+ r.size < r.base ? UInt64.max : r.base + r.size)
      if at >= limit { break }
    }
    if at < limit { consider(limit) }
    return best
  }

  /// The kinds of warning dtc reports on a blob (`clocks_property`, `avoid_unnecessary_addr_size`, …).
  static func dtcKinds(_ blob: [UInt8], _ dir: URL) throws -> Set<String> {
    let path = dir.appendingPathComponent("t-\(UUID().uuidString).dtb").path
    try Data(blob).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try run("dtc", ["-I", "dtb", "-O", "dts", "-o", "/dev/null", path])
    var kinds = Set<String>()
    for line in r.err.split(separator: "\n") {
      guard let open = line.firstIndex(of: "("), let close = line[open...].firstIndex(of: ")") else {
        continue
      }
      kinds.insert(String(line[line.index(after: open)..<close]))
    }
    return kinds
  }
}
