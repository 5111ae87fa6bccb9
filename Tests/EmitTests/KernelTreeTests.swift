import DeviceTree
import Foundation
import Machine
import Partitioning
import Testing

@testable import Emit

/// Properties every emitted tree must have, over every board's example plan.
struct KernelTreeTests {
  @Test(arguments: examplePlans())
  func treesArePartitions(plan: String) throws {
    let p = try partition(plan)
    let trees = BuildJob(partition: p).kernelTrees()
    var cpuOwners: [UInt64: [String]] = [:]
    var deviceOwners: [String: [String]] = [:]
    let boardWarnings = try dtcWarnings(try p.machine.tree.blob()).count
    for (k, tree) in zip(p.kernels, trees) {
      #expect(
        tree.danglingReferences().isEmpty,
        "\(plan) \(k.name): dangling \(tree.danglingReferences().map { "\(tree.path(of: $0.node)):\($0.property)" })"
      )
      let m = try Machine(tree: tree)
      for c in m.cpus { cpuOwners[c.hardwareID, default: []].append(k.name) }
      for d in m.devices where d.isPartitionable { deviceOwners[d.path, default: []].append(k.name) }
      #expect(
        m.memory.map(\.range) == k.memory.map(\.range).sorted(), "memory nodes are exactly the kernel's RAM")
      let ic = try #require(m.primaryInterruptController)
      #expect(
        (tree.property("cleave,owns-distributor", of: ic.node) != nil)
          == (p.interruptControllerOwner == k.index))
      #expect(tree.property("cleave,tenant", of: ic.node)?.string == k.name)
      let channels = tree.descendants().filter { tree.isCompatible($0, with: "cleave,channel") }
      #expect(channels.count == p.channels.filter { $0.members.contains(k.index) }.count)
      #expect(tree.node(path: "/chosen/cleave").flatMap { tree.property("kernel", of: $0)?.string } == k.name)
      #expect(
        try dtcWarnings(try tree.blob()).count <= boardWarnings,
        "\(k.name): dtc warns more than for the board")
    }
    #expect(cpuOwners.count == Set(p.kernels.flatMap(\.cpus)).count)
    #expect(cpuOwners.values.allSatisfy { $0.count == 1 }, "every CPU in exactly one tree")
    let shared = Set(p.kernels.flatMap(\.sharedDevices).map { p.machine.devices[$0].path })
    for (path, owners) in deviceOwners where !shared.contains(path) {
      #expect(owners.count == 1, "\(path) is in \(owners)")
    }
    for k in p.kernels { for d in k.devices { #expect(deviceOwners[p.machine.devices[d].path] == [k.name]) } }
  }

  /// One truth: the devices report.json gives each kernel (own, shared and
  /// providers) are exactly the partitionable devices of that kernel's DTB.
  @Test(arguments: examplePlans())
  func reportNamesWhatEachTreeHolds(plan: String) throws {
    let artifacts = try BuildJob(partition: try partition(plan)).run()
    let report = try JSONDecoder().decode(
      BuildReport.self, from: Data((artifacts.text("report.json") ?? "").utf8))
    for k in report.kernels {
      let tree = try DeviceTree(blob: try #require(artifacts["kernels/\(k.name).dtb"]))
      let held = Set(try Machine(tree: tree).devices.filter(\.isPartitionable).map(\.path))
      #expect(held == Set(k.devices + k.sharedDevices + k.providers.map(\.device)), "\(plan) \(k.name)")
    }
  }

  @Test(arguments: examplePlans())
  func overlayOnTheBoardGivesTheKernelTree(plan: String) throws {
    let p = try partition(plan)
    let artifacts = try BuildJob(partition: p).run()
    let board = try String(contentsOfFile: p.boardPath, encoding: .utf8)
    for k in p.kernels {
      let dir = try scratch()
      defer { remove(dir) }
      let stack = try compileStack([board, artifacts.text("kernels/\(k.name).overlay.dts") ?? ""], in: dir)
      #expect(stack.status == 0, "\(k.name) overlay: \(stack.err)")
      let own = dir.appendingPathComponent("own.dts").path
      try (artifacts.text("kernels/\(k.name).dts") ?? "").write(
        toFile: own, atomically: true, encoding: .utf8)
      let b = try run("dtc", ["-q", "-I", "dts", "-O", "dts", own])
      #expect(b.status == 0, "\(k.name).dts: \(b.err)")
      let compiled = stack.dtb
      let emitted = dir.appendingPathComponent("emitted.dtb").path
      try Data(artifacts["kernels/\(k.name).dtb"] ?? []).write(to: URL(fileURLWithPath: emitted))
      let fromOverlay = try run("dtc", ["-q", "-I", "dtb", "-O", "dts", compiled])
      let fromTree = try run("dtc", ["-q", "-I", "dtb", "-O", "dts", emitted])
      #expect(
        fromOverlay.out == fromTree.out, "\(plan) \(k.name): board + overlay differs from the kernel tree")
      #expect(!fromTree.out.isEmpty)
    }
  }

  /// A board built with `dtc -@` names a label per node in `/__symbols__`:
  /// each tree keeps exactly the labels whose node it holds, and its overlay
  /// on the board (which has them all) still gives that tree.
  @Test func labelsFollowTheirNodes() throws {
    let dir = try scratch()
    defer { remove(dir) }
    let blob = dir.appendingPathComponent("board.dtb").path
    let boardFile = dir.appendingPathComponent("board.dts").path
    let source = repositoryRoot.appendingPathComponent("dts/manycore-64.dts").path
    #expect(try run("dtc", ["-q", "-@", "-I", "dts", "-O", "dtb", "-o", blob, source]).status == 0)
    #expect(try run("dtc", ["-q", "-I", "dtb", "-O", "dts", "-o", boardFile, blob]).status == 0)
    let board = try Machine.load(boardFile)
    let labels = try #require(board.tree.node(path: "/__symbols__").map { board.tree[$0].properties })
    #expect(labels.count > 64)
    let text = try AutoPlanner(machine: board, boardReference: boardFile).plan()
    let (plan, _) = PlanParser.parse(text, file: dir.appendingPathComponent("board.plan.yaml").path)
    let parsed = try #require(plan)
    let p = try #require(PlanCheck.run(plan: parsed).partition)
    let artifacts = try BuildJob(partition: p).run()
    let boardText = try String(contentsOfFile: boardFile, encoding: .utf8)
    for k in p.kernels {
      let tree = try DeviceTree(blob: try #require(artifacts["kernels/\(k.name).dtb"]))
      let kept = tree.node(path: "/__symbols__").map { tree[$0].properties.map(\.name) } ?? []
      let expected = labels.filter { l in l.string.flatMap { tree.node(path: $0) } != nil }.map(\.name)
      #expect(kept == expected, "\(k.name): labels kept")
      #expect(kept.count < labels.count)
      let stack = try compileStack(
        [boardText, artifacts.text("kernels/\(k.name).overlay.dts") ?? ""], in: dir)
      #expect(stack.status == 0, "\(k.name) overlay: \(stack.err)")
      let emitted = dir.appendingPathComponent("emitted.dtb").path
      try Data(artifacts["kernels/\(k.name).dtb"] ?? []).write(to: URL(fileURLWithPath: emitted))
      let fromOverlay = try run("dtc", ["-q", "-I", "dtb", "-O", "dts", stack.dtb])
      let fromTree = try run("dtc", ["-q", "-I", "dtb", "-O", "dts", emitted])
      #expect(fromOverlay.out == fromTree.out, "\(k.name): board + overlay differs from the kernel tree")
    }
  }
}
