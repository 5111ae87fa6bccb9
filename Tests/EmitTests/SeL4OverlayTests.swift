import DeviceTree
import Foundation
import Machine
import Partitioning
import Testing

@testable import Emit

/// seL4's build compiles the board DTS, then its platform overlay (which names
/// the board's UART, GIC and timer in /chosen), then `KernelCustomDTSOverlay`.
/// Each kernel's overlay must make that text compile, and leave seL4 naming
/// only devices the kernel keeps.
struct SeL4OverlayTests {
  /// An overlay of the shape of seL4's qemu-arm-virt one, written for this test.
  static let platformOverlay = """
    / {
    \tchosen {
    \t\tseL4,elfloader-devices = &{/pl011@9000000}, &{/psci}, &{/timer};
    \t\tseL4,kernel-devices = &{/pl011@9000000}, &{/intc@8000000}, &{/timer};
    \t};
    };
    """

  /// Every AArch64 example plan, and plan --auto on both QEMU AArch64 boards.
  static func partitions() throws -> [(String, Partition)] {
    var out: [(String, Partition)] = []
    for plan in examplePlans() {
      let p = try partition(plan)
      if p.target == .aarch64 { out.append((plan, p)) }
    }
    for board in ["qemu-virt-aarch64-gicv2.dts", "qemu-virt-aarch64-gicv3.dts"] {
      let path = repositoryRoot.appendingPathComponent("dts/\(board)").path
      let text = try AutoPlanner(machine: try Machine.load(path), boardReference: path).plan()
      let (plan, _) = PlanParser.parse(text, file: "/tmp/auto-\(board).plan.yaml")
      let result = PlanCheck.run(plan: try #require(plan))
      #expect(result.errors == 0, "\(result.diagnostics.map(\.text))")
      out.append(("plan --auto \(board)", try #require(result.partition)))
    }
    return out
  }

  @Test func boardPlusSeL4OverlayPlusKernelOverlayCompiles() throws {
    var checked = 0
    for (name, p) in try Self.partitions() {
      let artifacts = try BuildJob(partition: p).run()
      let board = try String(contentsOfFile: p.boardPath, encoding: .utf8)
      for k in p.kernels {
        let dir = try scratch()
        defer { remove(dir) }
        let overlay = try #require(artifacts.text("kernels/\(k.name).overlay.dts"))
        let (status, err, dtb) = try compileStack([board, Self.platformOverlay, overlay], in: dir)
        #expect(status == 0, "\(name) \(k.name): dtc refused board + seL4 overlay + kernel overlay: \(err)")
        guard status == 0 else { continue }
        let tree = try DeviceTree(blob: Array(try Data(contentsOf: URL(fileURLWithPath: dtb))), file: dtb)
        let chosen = try #require(tree.node(path: "/chosen"))
        for property in ["seL4,kernel-devices", "seL4,elfloader-devices"] {
          let paths = tree.property(property, of: chosen)?.strings ?? []
          #expect(!paths.isEmpty, "\(name) \(k.name): no \(property)")
          for path in paths {
            #expect(
              tree.node(path: path) != nil, "\(name) \(k.name): \(property) names \(path), which it lacks")
          }
        }
        // The kernel's own console is named when it has one, and only then.
        let uart = (tree.property("seL4,kernel-devices", of: chosen)?.strings ?? []).contains(
          "/pl011@9000000")
        let hasUART = k.allDevices.contains { p.machine.devices[$0].path == "/pl011@9000000" }
        #expect(uart == hasUART, "\(name) \(k.name)")
        checked += 1
      }
    }
    #expect(checked >= 10)
  }

  /// seL4's QEMU platforms build from QEMU_DTS / QEMU_DTB when set, and from a
  /// tree they dump from QEMU otherwise (another CPU count and RAM size, which
  /// the overlay does not fit). A kind: sel4 kernel's settings name the board
  /// the overlay was cut from, as given (source or blob), and what seL4 then
  /// compiles from it (as DTS text, its platform overlay, the kernel's overlay)
  /// is exactly the kernel's tree.
  @Test func settingsNameTheBoardTheOverlayFits() throws {
    let dir = try scratch()
    defer { remove(dir) }
    let source = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv2.dts").path
    let blob = dir.appendingPathComponent("board.dtb").path
    #expect(try run("dtc", ["-q", "-I", "dts", "-O", "dtb", "-o", blob, source]).status == 0)
    for board in [source, blob] {
      let (parsed, _) = PlanParser.parse(
        """
        board: \(board)
        kernels:
          k0: { cores: [cpu@0], memory: 128M, kind: sel4, owns: [interrupt-controller], devices: [/pl011@9000000] }
          k1: { cores: [cpu@2], memory: 128M }
        channels:
          - { between: [k0, k1], size: 64K }
        """, file: dir.appendingPathComponent("sel4.plan.yaml").path)
      let plan = try #require(parsed)
      let p = try #require(PlanCheck.run(plan: plan).partition)
      let artifacts = try BuildJob(partition: p).run()
      let settings = try #require(artifacts.text("kernels/k0.sel4.cmake"))
      let variable = board.hasSuffix(".dtb") ? "QEMU_DTB" : "QEMU_DTS"
      #expect(settings.contains("set(\(variable) \"\(board)\" CACHE FILEPATH \"\")"), "\(settings)")
      // What seL4 reads: a blob becomes DTS text first (dtc -I dtb -O dts).
      let boardText =
        board.hasSuffix(".dtb")
        ? try run("dtc", ["-q", "-I", "dtb", "-O", "dts", board]).out
        : try String(contentsOfFile: board, encoding: .utf8)
      let overlay = try #require(artifacts.text("kernels/k0.overlay.dts"))
      let (status, err, compiled) = try compileStack([boardText, Self.platformOverlay, overlay], in: dir)
      #expect(status == 0, "\(board): \(err)")
      let emitted = dir.appendingPathComponent("k0.dtb").path
      try Data(try #require(artifacts["kernels/k0.dtb"])).write(to: URL(fileURLWithPath: emitted))
      let sel4 = try run("dtc", ["-q", "-s", "-I", "dtb", "-O", "dts", compiled]).out
      let cleave = try run("dtc", ["-q", "-s", "-I", "dtb", "-O", "dts", emitted]).out
      #expect(!cleave.isEmpty && sel4 == cleave, "\(board): seL4's tree differs from kernels/k0.dtb")
    }
  }
}
