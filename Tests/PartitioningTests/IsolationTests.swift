import DeviceTree
import Foundation
import Testing

@testable import Partitioning

/// `isolation:` as written, resolved, and the device windows the EL2 fence maps.
struct IsolationParserTests {
  @Test func shortFormIsTheFenceWithItsDefaults() throws {
    let (plan, diagnostics) = PlanParser.parse(
      "board: b.dts\nisolation: stage2\nkernels:\n  k0: { cores: [cluster0] }\n", file: "p.yaml")
    #expect(diagnostics.isEmpty)
    let isolation = try #require(plan?.isolation)
    #expect(isolation.fence.value == .stage2)
    #expect(isolation.fence.location.description == "p.yaml:2:12")
    #expect(isolation.onFault == nil)
    #expect(isolation.power.isEmpty)
    #expect(isolation.sgis == nil, "direct when absent")
  }

  @Test func longFormKeepsEveryValueAndItsPlace() throws {
    let (plan, diagnostics) = PlanParser.parse(
      """
      board: b.dts
      isolation:
        fence: stage2
        on-fault: stop
        power: [k1, k0]
        sgis: filtered
      kernels:
        k0: { cores: [cluster0], exception-level: el1 }
        k1: { cores: [cluster1] }
      """, file: "p.yaml")
    #expect(diagnostics.isEmpty)
    let p = try #require(plan)
    let isolation = try #require(p.isolation)
    #expect(isolation.onFault?.value == .stop)
    #expect(isolation.onFault?.location.description == "p.yaml:4:13")
    #expect(isolation.power.map(\.value) == ["k1", "k0"])
    #expect(isolation.sgis?.value == .filtered)
    #expect(isolation.sgis?.location.description == "p.yaml:6:9")
    #expect(isolation.location.description == "p.yaml:3:3")
    #expect(p.kernels[0].exceptionLevel?.value == .el1)
    #expect(p.kernels[1].exceptionLevel == nil)
    // One name stands for a list of one.
    let (single, _) = PlanParser.parse(
      "board: b.dts\nisolation: { fence: stage2, power: k1 }\nkernels:\n  k1: {}\n", file: "p.yaml")
    #expect(single?.isolation?.power.map(\.value) == ["k1"])
  }

  @Test(arguments: [
    (
      "isolation: stage3",
      "p.yaml:2:12: error[wrong_type]: isolation 'stage3' is not one of stage2 (did you mean 'stage2'?)"
    ),
    (
      "isolation: { fence: stage2, on_fault: stop }",
      "p.yaml:2:29: error[unknown_key]: unknown key 'on_fault' in isolation (did you mean 'on-fault'?)"
    ),
    (
      "isolation: { fence: stage2, on-fault: halt }",
      "p.yaml:2:39: error[wrong_type]: isolation.on-fault 'halt' is not one of inject, stop"
    ),
    ("isolation: { on-fault: stop }", "p.yaml:2:12: error[missing_key]: isolation needs 'fence' (stage2)"),
    (
      "isolation: { fence: stage2, sgis: trapped }",
      "p.yaml:2:35: error[wrong_type]: isolation.sgis 'trapped' is not one of direct, filtered"
    ),
    (
      "isolation: [stage2]",
      "p.yaml:2:12: error[wrong_type]: isolation must be stage2 or a mapping { fence: stage2, on-fault: …, power: …, sgis: … }, found a list"
    ),
    (
      "isolation: { fence: stage2, power: { k0: yes } }",
      "p.yaml:2:36: error[wrong_type]: isolation.power must be a list, found a mapping"
    ),
  ])
  func badIsolationIsUnusable(_ line: String, _ expected: String) {
    let (plan, diagnostics) = PlanParser.parse(
      "board: b.dts\n\(line)\nkernels:\n  k0: { cores: [cluster0] }\n", file: "p.yaml")
    #expect(plan == nil)
    #expect(diagnostics.map(\.text) == [expected])
  }

  @Test func exceptionLevelIsEl1OrEl2() {
    let (plan, diagnostics) = PlanParser.parse(
      "board: b.dts\nkernels:\n  k0: { cores: [cluster0], exception-level: el3 }\n", file: "p.yaml")
    #expect(plan == nil)
    #expect(
      diagnostics.map(\.text) == [
        "p.yaml:3:45: error[wrong_type]: exception-level 'el3' is not one of el1, el2 (did you mean 'el1'?)"
      ])
  }
}

struct IsolationResolveTests {
  static func check(_ text: String) throws -> PlanCheck {
    let (plan, shape) = PlanParser.parse(text, file: "/tmp/isolation.plan.yaml")
    #expect(shape.isEmpty, "\(shape.map(\.text))")
    return PlanCheck.run(plan: try #require(plan))
  }

  @Test func powerNamesBecomeKernels() throws {
    let result = try Self.check(
      """
      board: \(boardPath("qemu-virt-aarch64-gicv3.dts"))
      isolation: { fence: stage2, on-fault: stop, power: [k1, k9, k1] }
      kernels:
        k0: { cores: [cluster0], memory: 64M }
        k1: { cores: [cluster1], memory: 64M }
      """)
    let isolation = try #require(result.partition?.isolation)
    #expect(isolation.power == [1])
    #expect(isolation.onFault == .stop)
    #expect(
      result.diagnostics.map(\.text) == [
        "/tmp/isolation.plan.yaml:2:57: error[kernel_unknown]: isolation.power names kernel 'k9', which the plan does not define (did you mean 'k0'?)"
      ])
  }

  /// `sgis:` becomes `filterSGIs`; whether the fence filters SGIs at all also
  /// depends on the GIC, and `check`'s isolation line says which.
  @Test(arguments: [
    ("qemu-virt-aarch64-gicv3.dts", "", false, false, "isolation stage2: EL2 fence, on fault inject"),
    (
      "qemu-virt-aarch64-gicv3.dts", ", sgis: direct", false, false,
      "isolation stage2: EL2 fence, on fault inject"
    ),
    (
      "qemu-virt-aarch64-gicv3.dts", ", power: k1, sgis: filtered", true, true,
      "isolation stage2: EL2 fence, on fault inject, SGIs filtered (trapped), 'k1' may power the machine off"
    ),
    (
      "qemu-virt-aarch64-gicv2.dts", "", false, true,
      "isolation stage2: EL2 fence, on fault inject, SGIs filtered"
    ),
  ])
  func sgisFilteredByTheFence(
    _ board: String, _ keys: String, _ asked: Bool, _ filtered: Bool, _ line: String
  )
    throws
  {
    let result = try Self.check(
      """
      board: \(boardPath(board))
      isolation: { fence: stage2\(keys) }
      kernels:
        k0: { cores: [cpu@0, cpu@1], memory: 64M }
        k1: { cores: [cpu@2, cpu@3], memory: 64M }
      """)
    #expect(result.errors == 0, "\(result.diagnostics.map(\.text))")
    let p = try #require(result.partition)
    #expect(p.isolation?.filterSGIs == asked)
    #expect(p.fenceFiltersSGIs == filtered)
    #expect(p.summary.split(separator: "\n").filter { $0.hasPrefix("isolation") } == [Substring(line)])
  }

  @Test func noFenceWithoutTheKey() throws {
    let result = try Self.check(
      """
      board: \(boardPath("qemu-virt-aarch64-gicv3.dts"))
      kernels:
        k0: { cores: [cluster0], memory: 64M, devices: [/pl011@9000000], exception-level: el2 }
        k1: { cores: [cluster1], memory: 64M }
      """)
    let p = try #require(result.partition)
    #expect(p.isolation == nil)
    #expect(p.kernels[0].exceptionLevel == .el2)
    #expect(p.fenceWindows.isEmpty, "no window table without the fence")
    #expect(!p.fenceFiltersSGIs)
    #expect(result.errors == 0, "el2 is fine without the fence: \(result.diagnostics.map(\.text))")
  }
}

/// The windows the fence maps: whole pages of each kernel's devices, merged
/// per kernel and kind, with the interrupt controller's ITS for its owner.
struct FenceWindowTests {
  @Test func windowsArePagesMergedPerKernelAndKind() throws {
    let result = try IsolationResolveTests.check(
      """
      board: \(boardPath("qemu-virt-aarch64-gicv3.dts"))
      isolation: stage2
      kernels:
        k0:
          cores: [cluster0]
          memory: 64M
          devices: [/pl011@9000000, /virtio_mmio@a000000, /virtio_mmio@a000200, /virtio_mmio@a001000]
          owns: [interrupt-controller]
        k1: { cores: [cluster1], memory: 64M, devices: [/pl031@9010000] }
      shared:
        - { device: /fw-cfg@9020000, kernels: [k0, k1] }
      """)
    #expect(result.errors == 0, "\(result.diagnostics.map(\.text))")
    let p = try #require(result.partition)
    let windows = p.fenceWindows.map { "\($0.kernel) \($0.kind.rawValue) \($0.range)" }
    #expect(
      windows == [
        "0 owned [0x8080000, 0x80a0000)",  // the ITS, which goes with the GIC's owner
        "0 owned [0x9000000, 0x9001000)",
        "0 shared [0x9020000, 0x9021000)",  // fw-cfg's 24 bytes, rounded out
        "0 owned [0xa000000, 0xa002000)",  // two transports on one page, a third on the next
        "1 owned [0x9010000, 0x9011000)",
        "1 shared [0x9020000, 0x9021000)",
      ])
    #expect(!windows.contains { $0.contains("0x8000000") || $0.contains("0x80a0000,") }, "no GIC frame")
  }

  @Test func pagesRoundOutAndStopAtTheTop() {
    #expect(
      Partition.pages(of: AddressRange(base: 0x9020010, size: 0x18))
        == AddressRange(base: 0x9020000, size: 0x1000))
    #expect(
      Partition.pages(of: AddressRange(base: 0xfff, size: 2)) == AddressRange(base: 0, size: 0x2000))
    #expect(
      Partition.pages(of: AddressRange(base: UInt64.max - 0x10, size: 0x11))
        == AddressRange(base: UInt64.max - 0xfff, size: 0x1000))
    #expect(Partition.pages(of: AddressRange(base: 0x1000, size: 0)) == nil)
  }

  /// 4 KiB-aligned memory on a device page overlaps the registers themselves
  /// (memory_overlaps_mmio); only memory off the page grid shows the page case.
  @Test func aDevicePageOverAnotherKernelsMemory() throws {
    let result = try IsolationResolveTests.check(
      """
      board: \(boardPath("qemu-virt-aarch64-gicv3.dts"))
      ram: [{ base: 0x9020000, size: 64K }, { base: 0x40000000, size: 1G }]
      isolation: stage2
      kernels:
        k0: { cores: [cluster0], memory: 64M, devices: [/fw-cfg@9020000] }
        k1: { cores: [cluster1], memory: [{ base: 0x9020800, size: 0x800 }, { base: 0x48000000, size: 64M }] }
      """)
    let fence = result.diagnostics.filter { $0.check == CheckID.fencePageShared.rawValue }.map(\.text)
    #expect(
      fence == [
        "/tmp/isolation.plan.yaml:5:51: error[fence_page_shared]: under isolation: stage2 the page [0x9020000, 0x9021000) of /fw-cfg@9020000 of 'k0' also holds part of 'k1' memory [0x9020800, 0x9021000): the fence maps whole 4 KiB pages, so 'k0' would reach it\n"
          + "/tmp/isolation.plan.yaml:6:37: note: 'k1' memory [0x9020800, 0x9021000) is given here"
      ])
  }
}

/// `fence_needs_el2` beyond its fixture (hvc PSCI and a GICv3 without its
/// maintenance interrupt): another target, and a GICv2 without GICH / GICV.
struct FenceMachineTests {
  @Test func riscvHasNoEL2() throws {
    let result = try IsolationResolveTests.check(
      """
      board: \(boardPath("qemu-virt-riscv64.dts"))
      isolation: stage2
      kernels:
        k0: { cores: [cpu@0, cpu@1], memory: 64M }
        k1: { cores: [cpu@2, cpu@3], memory: 64M }
      """)
    #expect(
      result.diagnostics.filter { $0.severity == .error }.map(\.text) == [
        "/tmp/isolation.plan.yaml:2:12: error[fence_needs_el2]: isolation: stage2 is AArch64's EL2 fence; the target is riscv64, which has no EL2 (boot: opensbi-domains fences RISC-V kernels with PMP)"
      ])
  }

  @Test func gicv2WithoutItsVirtualizationFrames() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "cleave-fence-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let board = dir.appendingPathComponent("gicv2-no-gich.dts")
    try """
    /include/ "\(boardPath("qemu-virt-aarch64-gicv2.dts"))"
    &intc { reg = <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x10000>; };
    """.write(to: board, atomically: true, encoding: .utf8)
    let result = try IsolationResolveTests.check(
      """
      board: \(board.path)
      isolation: { fence: stage2 }
      kernels:
        k0: { cores: [cpu@0, cpu@1], memory: 64M }
        k1: { cores: [cpu@2, cpu@3], memory: 64M }
      """)
    let errors = result.diagnostics.filter { $0.severity == .error }.map(\.message)
    #expect(
      errors == [
        "isolation: stage2 needs the GIC's virtualization interface, and the board shows none: its GICv2 /intc@8000000 has 2 reg entries, no GICH and GICV; the machine's EL2 is off or not emulated (QEMU: -M virt,virtualization=on)"
      ])
  }
}
