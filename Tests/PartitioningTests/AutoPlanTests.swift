import DeviceTree
import Foundation
import Machine
import Testing

@testable import Partitioning

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

func boardPath(_ name: String) -> String { repositoryRoot.appendingPathComponent("dts/\(name)").path }

/// Writes an auto plan next to the board in a scratch directory and checks it.
func autoPlanAndCheck(_ board: String, grouping: AutoPlanner.Grouping = .l2, kernels: Int? = nil) throws
  -> PlanCheck
{
  let machine = try Machine.load(boardPath(board))
  let text = try AutoPlanner(
    machine: machine, boardReference: boardPath(board), grouping: grouping, kernels: kernels
  ).plan()
  let (plan, shape) = PlanParser.parse(text, file: "/tmp/auto-\(board).plan.yaml")
  #expect(shape.isEmpty, "auto plan has shape errors: \(shape.map(\.text))")
  return PlanCheck.run(plan: try #require(plan))
}

struct AutoPlanTests {
  @Test(arguments: [
    ("qemu-virt-aarch64-gicv3.dts", 2), ("biglittle-a53-a72.dts", 2), ("manycore-64.dts", 16),
    ("qemu-virt-aarch64-gicv2.dts", 4), ("qemu-virt-riscv64.dts", 4),
  ])
  func oneKernelPerL2Group(board: String, kernels: Int) throws {
    let result = try autoPlanAndCheck(board)
    #expect(result.errors == 0, "\(result.diagnostics.map(\.text))")
    // Only the board's consumers of k0's devices (gpio-keys, syscon-poweroff)
    // leave the other kernels' trees, and check says so.
    let warnings = result.diagnostics.filter { $0.severity == .warning && $0.check != "tree_pruned" }
    #expect(warnings.isEmpty, "\(result.diagnostics.map(\.text))")
    let p = try #require(result.partition)
    #expect(p.kernels.count == kernels)
    // Every kernel's cores share one L2 where the board describes L2s.
    for k in p.kernels {
      let l2s = Set(
        k.cpus.compactMap { c in p.machine.cpus[c].caches.first { p.machine.caches[$0].level == 2 } })
      #expect(l2s.count <= 1)
    }
    #expect(p.channels.count == kernels - 1)
    #expect(Set(p.kernels.flatMap(\.cpus)).count == p.machine.cpus.count, "every core used once")
  }

  @Test func manycoreKernelsStayOnTheirNUMANode() throws {
    let p = try #require(try autoPlanAndCheck("manycore-64.dts").partition)
    for k in p.kernels {
      let node = try #require(k.numaNode)
      for m in k.memory {
        let bank = try #require(p.machine.memory.first { $0.range.contains(m.range) })
        #expect(
          bank.numaNode == node,
          "\(k.name) memory \(m.range) on node \(String(describing: bank.numaNode)), cores on \(node)")
      }
    }
  }

  @Test func mergingDownToNKernels() throws {
    let p = try #require(try autoPlanAndCheck("manycore-64.dts", kernels: 4).partition)
    #expect(p.kernels.map(\.cpus.count) == [16, 16, 16, 16])
    let numa = try #require(try autoPlanAndCheck("manycore-64.dts", grouping: .numa).partition)
    #expect(numa.kernels.map(\.cpus.count) == [32, 32])
    let cores = try #require(try autoPlanAndCheck("qemu-virt-aarch64-gicv3.dts", grouping: .core).partition)
    #expect(cores.kernels.count == 8)
    #expect(throws: AutoPlanner.Failure.self) {
      try AutoPlanner(
        machine: try Machine.load(boardPath("biglittle-a53-a72.dts")), boardReference: "b", kernels: 3
      ).plan()
    }
  }

  @Test func channelsGetDoorbellsAndMultiplexWhenShort() throws {
    let text = """
      board: \(boardPath("qemu-virt-aarch64-gicv3.dts"))
      doorbells: { first: 8, count: 1 }
      kernels:
        a: { cores: [cpu@0, cpu@1, cpu@2, cpu@3], memory: 256M }
        b: { cores: [cpu@4, cpu@5], memory: 256M }
        c: { cores: [cpu@6, cpu@7], memory: 256M }
      channels:
        - { between: [a, b] }
        - { between: [a, c] }
        - { between: [b, c] }
      """
    let (plan, shape) = PlanParser.parse(text, file: "/tmp/mux.plan.yaml")
    #expect(shape.isEmpty)
    let result = PlanCheck.run(plan: try #require(plan))
    #expect(result.errors == 0, "\(result.diagnostics.map(\.text))")
    let p = try #require(result.partition)
    for c in p.channels {
      #expect(c.doorbells.allSatisfy { $0.interrupt == 8 && $0.multiplexed })
    }
    // Each kernel's ends get distinct bits.
    for k in p.kernels.indices {
      let bits = p.channels.flatMap(\.doorbells).filter { $0.kernel == k }.map(\.bit)
      #expect(Set(bits).count == bits.count)
    }
    #expect(Overlaps.pairs(p.channels.map(\.region) + p.kernels.flatMap { $0.memory.map(\.range) }).isEmpty)
  }

  /// plan --auto writes the method the board's cores start by, and the plan
  /// checks clean: spin-table on the spin-table board, PSCI elsewhere.
  @Test(arguments: [
    ("qemu-virt-aarch64-spin-table.dts", "spin-table"), ("qemu-virt-aarch64-gicv3.dts", "psci"),
    ("qemu-virt-riscv64.dts", "sbi-hsm"),
  ])
  func bootModeIsTheBoards(board: String, mode: String) throws {
    let machine = try Machine.load(boardPath(board))
    #expect(AutoPlanner.bootMode(machine).rawValue == mode)
    let result = try autoPlanAndCheck(board)
    #expect(result.errors == 0, "\(result.diagnostics.map(\.text))")
    #expect(result.partition?.boot.rawValue == mode)
  }

  /// Each core's start method comes from its enable-method and the board's
  /// PSCI node, wherever Linux would find it (TI K3 keeps it under /firmware).
  @Test func startMethodsFollowTheTree() throws {
    func board(_ psci: String, _ methods: [String]) -> String {
      let cpus = methods.enumerated().map { i, m in
        "cpu@\(i) { device_type = \"cpu\"; compatible = \"arm,cortex-a53\"; reg = <\(i)>; \(m) };"
      }
      return """
        /dts-v1/;
        / { #address-cells = <2>; #size-cells = <2>; \(psci)
          cpus { #address-cells = <1>; #size-cells = <0>; \(cpus.joined(separator: " ")) };
          memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        };
        """
    }
    func load(_ source: String) throws -> Machine {
      try Machine(tree: DTSCompiler().compile(source: Array(source.utf8), file: "test.dts"))
    }
    let firmwarePSCI = "firmware { psci { compatible = \"arm,psci-1.0\"; method = \"smc\"; }; };"
    let spin = "enable-method = \"spin-table\"; cpu-release-addr = <0 0xd8>;"
    let m1 = try load(
      board(firmwarePSCI, ["enable-method = \"psci\";", "", spin, "enable-method = \"spin-table\";"]))
    #expect(m1.psci?.method == "smc")
    #expect(m1.startMethod(of: 0) == .psci)
    #expect(m1.startMethod(of: 1) == .psciFromFirmware)
    #expect(m1.startMethod(of: 2) == .spinTable(release: 0xd8))
    #expect(m1.startMethod(of: 3) == .spinTableWithoutAddress)
    let m2 = try load(board("", ["enable-method = \"psci\";", "", "enable-method = \"brcm,bcm2836-smp\";"]))
    #expect(m2.psci == nil)
    #expect(m2.startMethod(of: 0) == .psciFromFirmware)
    #expect(m2.startMethod(of: 1) == .unnamed)
    #expect(m2.startMethod(of: 2) == .other("brcm,bcm2836-smp"))
    let single = try load(board("", [""]))
    #expect(single.isOnlyCore(0))
  }
}

struct TreeSetTests {
  static func kernelTree(memory: String, cpus: [Int], uartBase: String?) -> String {
    let cpuNodes = cpus.map {
      "cpu@\($0) { device_type = \"cpu\"; compatible = \"arm,cortex-a57\"; reg = <\($0)>; enable-method = \"psci\"; };"
    }
    let uart =
      uartBase.map {
        "serial@\($0) { compatible = \"arm,pl011\"; reg = <0x0 0x\($0) 0x0 0x1000>; interrupts = <0 1 4>; };"
      } ?? ""
    return """
      /dts-v1/;
      / {
        #address-cells = <2>; #size-cells = <2>;
        interrupt-parent = <&gic>;
        cpus { #address-cells = <1>; #size-cells = <0>; \(cpuNodes.joined(separator: " ")) };
        memory@0 { device_type = "memory"; reg = <\(memory)>; };
        gic: intc@8000000 { compatible = "arm,gic-v3"; interrupt-controller; #interrupt-cells = <3>; reg = <0x0 0x8000000 0x0 0x10000>, <0x0 0x80a0000 0x0 0xf60000>; };
        \(uart)
      };
      """
  }

  static func load(_ source: String, _ name: String) throws -> (path: String, machine: Machine) {
    (name, try Machine(tree: DTSCompiler().compile(source: Array(source.utf8), file: name)))
  }

  @Test func cleanSetPasses() throws {
    let a = try Self.load(
      Self.kernelTree(memory: "0x0 0x40000000 0x0 0x10000000", cpus: [0, 1], uartBase: "9000000"), "a.dts")
    let b = try Self.load(
      Self.kernelTree(memory: "0x0 0x50000000 0x0 0x10000000", cpus: [2, 3], uartBase: nil), "b.dts")
    #expect(TreeSetCheck.run([a, b], board: nil).isEmpty)
  }

  @Test func plantedOverlapsAreFound() throws {
    let a = try Self.load(
      Self.kernelTree(memory: "0x0 0x40000000 0x0 0x10000000", cpus: [0, 1], uartBase: "9000000"), "a.dts")
    let b = try Self.load(
      Self.kernelTree(memory: "0x0 0x4f000000 0x0 0x10000000", cpus: [1, 2], uartBase: "9000000"), "b.dts")
    let found = TreeSetCheck.run([a, b], board: nil)
    let byCheck = Dictionary(grouping: found, by: \.check)
    let memory = try #require(byCheck["memory_overlap"]?.first)
    #expect(
      memory.text.hasPrefix(
        "b.dts: /memory@0:reg: error[memory_overlap]: memory [0x4f000000, 0x5f000000) overlaps a.dts memory [0x40000000, 0x50000000) (both hold [0x4f000000, 0x50000000))"
      ))
    #expect(byCheck["core_assigned_twice"]?.first?.message.contains("core 0x1") == true)
    #expect(byCheck["device_owned_twice"]?.first?.location?.path == "/serial@9000000")
    #expect(byCheck["interrupt_owned_twice"]?.first?.message.contains("interrupt 33") == true)
  }

  @Test func againstTheBoard() throws {
    let board = (
      boardPath("qemu-virt-aarch64-gicv3.dts"), try Machine.load(boardPath("qemu-virt-aarch64-gicv3.dts"))
    )
    let fits = try Self.load(
      Self.kernelTree(memory: "0x0 0x40000000 0x0 0x10000000", cpus: [0], uartBase: "9000000"), "ok.dts")
    #expect(TreeSetCheck.run([fits], board: board).isEmpty, "a tree cut from the board matches it")
    let outside = try Self.load(
      Self.kernelTree(memory: "0x1 0x0 0x0 0x10000000", cpus: [9], uartBase: "9100000"), "x.dts")
    let found = TreeSetCheck.run([outside], board: board)
    #expect(Set(found.map(\.check)) == ["memory_outside_ram", "core_unknown", "device_unknown"])
  }
}

struct LinuxOwnershipTests {
  /// Linux resets the whole GIC distributor at boot: it must be the declared owner.
  @Test func aLinuxKernelThatDoesNotOwnTheDistributorIsRejected() throws {
    let image = repositoryRoot.appendingPathComponent("Tests/Fixtures/checks/images/linux-64k.Image").path
    let text = """
      board: \(boardPath("qemu-virt-aarch64-gicv3.dts"))
      kernels:
        k0: { cores: [cluster0], memory: [{ base: 0x42000000, size: 64M }], owns: [interrupt-controller] }
        k1: { cores: [cluster1], memory: [{ base: 0x60000000, size: 64M }], image: { path: \(image), protocol: linux } }
      """
    let (plan, shape) = PlanParser.parse(text, file: "/tmp/linux-owner.plan.yaml")
    #expect(shape.isEmpty)
    let result = PlanCheck.run(plan: try #require(plan))
    let found = result.diagnostics.filter { $0.check == "distributor_initialised_twice" }
    #expect(found.count == 1)
    #expect(
      found.first?.message
        == "'k1' (Linux) resets the whole interrupt distributor at boot, which disables the distributor, clears every SPI and routes them all to its own core, undoing the interrupt setup of 'k0', but 'k0' owns the interrupt controller; give 'k1' owns: [interrupt-controller], so it is started first"
    )
  }

  /// `kind: sel4` and `resets: [interrupt-controller]` say the same of any image,
  /// and the descriptor starts such a kernel first.
  @Test(arguments: ["kind: sel4", "resets: [interrupt-controller]"])
  func aKernelThatResetsTheControllerMustOwnIt(marking: String) throws {
    let text = """
      board: \(boardPath("qemu-virt-aarch64-gicv3.dts"))
      kernels:
        k0: { cores: [cluster0], memory: [{ base: 0x42000000, size: 64M }], owns: [interrupt-controller] }
        k1: { cores: [cluster1], memory: [{ base: 0x60000000, size: 64M }], \(marking) }
      """
    let (plan, shape) = PlanParser.parse(text, file: "/tmp/resets.plan.yaml")
    #expect(shape.isEmpty)
    let result = PlanCheck.run(plan: try #require(plan))
    let found = result.diagnostics.filter { $0.check == "distributor_initialised_twice" }
    #expect(found.count == 1)
    let who = marking.hasPrefix("kind") ? "seL4" : "resets: [interrupt-controller]"
    #expect(
      found.first?.message.hasPrefix("'k1' (\(who)) resets the whole interrupt distributor at boot") == true)
    #expect(result.partition?.kernels[1].resetsInterruptController == true)
    #expect(result.partition?.kernels[0].resetsInterruptController == false)
  }
}
