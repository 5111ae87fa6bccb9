import DeviceTree
import Foundation
import Testing

@testable import Machine

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

func board(_ name: String) throws -> Machine {
  try Machine.load(repositoryRoot.appendingPathComponent("dts/\(name)").path)
}

func machine(_ source: String) throws -> Machine {
  try Machine(tree: DTSCompiler().compile(source: Array(source.utf8), file: "test.dts"))
}

struct TopologyTests {
  @Test func qemuGICv3HasTwoL2Groups() throws {
    let m = try board("qemu-virt-aarch64-gicv3.dts")
    #expect(m.architecture == .aarch64)
    #expect(m.cpus.count == 8)
    #expect(m.cacheGroups(level: 2) == [[0, 1, 2, 3], [4, 5, 6, 7]])
    #expect(m.clusters == [[0, 1, 2, 3], [4, 5, 6, 7]])
    #expect(m.primaryInterruptController?.kind == .gicV3)
    #expect(m.psci?.method == "smc")
  }

  @Test func bigLittleSharesL3AcrossClusters() throws {
    let m = try board("biglittle-a53-a72.dts")
    #expect(m.cacheGroups(level: 2).map(\.count) == [4, 2])
    #expect(m.cacheGroups(level: 3) == [[0, 1, 2, 3, 4, 5]])
    #expect(m.cpus.map(\.hardwareID) == [0, 1, 2, 3, 0x100, 0x101])
    #expect(m.cpus[4].capacity == 1024)
  }

  @Test func manycoreNestedCPUMapAndNUMA() throws {
    let m = try board("manycore-64.dts")
    #expect(m.cpus.count == 64)
    #expect(m.topology.map(\.kind) == [.socket, .socket])
    #expect(m.clusters.count == 16)
    #expect(m.cacheGroups(level: 2).count == 16)
    #expect(m.cacheGroups(level: 3).map(\.count) == [32, 32])
    #expect(m.numaNodes.map(\.id) == [0, 1])
    #expect(m.numaNodes[0].distances[1] == 20)
    #expect(m.memory.map(\.numaNode) == [0, 1])
  }

  @Test func privateL2IsItsOwnGroup() throws {
    let m = try machine(
      """
      /dts-v1/;
      / {
        cpus {
          #address-cells = <1>;
          #size-cells = <0>;
          cpu@0 { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <0>; next-level-cache = <&l2a>; };
          cpu@1 { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <1>; next-level-cache = <&l2a>; };
          cpu@2 { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <2>; next-level-cache = <&l2b>; };
          cpu@3 { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <3>; };
          l2a: l2-a { compatible = "cache"; cache-level = <2>; next-level-cache = <&l3>; };
          l2b: l2-b { compatible = "cache"; cache-level = <2>; next-level-cache = <&l3>; };
          l3: l3 { compatible = "cache"; cache-level = <3>; };
        };
      };
      """)
    #expect(m.cacheGroups(level: 2) == [[0, 1], [2], [3]])
    #expect(m.cacheGroups(level: 3) == [[0, 1, 2], [3]])
    #expect(m.caches.first { $0.path == "/cpus/l3" }?.sharedBy == [0, 1, 2])
  }

  @Test func cacheCycleIsAnError() throws {
    #expect(throws: DeviceTreeError.self) {
      try machine(
        """
        /dts-v1/;
        / {
          cpus {
            #address-cells = <1>;
            #size-cells = <0>;
            cpu@0 { device_type = "cpu"; reg = <0>; next-level-cache = <&a>; };
            a: a { next-level-cache = <&b>; };
            b: b { next-level-cache = <&a>; };
          };
        };
        """)
    }
  }

  @Test func cpuMapEntryTwiceIsAnError() throws {
    #expect(throws: DeviceTreeError.self) {
      try machine(
        """
        /dts-v1/;
        / {
          cpus {
            #address-cells = <1>;
            #size-cells = <0>;
            c0: cpu@0 { device_type = "cpu"; reg = <0>; };
            cpu-map { cluster0 { core0 { cpu = <&c0>; }; core1 { cpu = <&c0>; }; }; };
          };
        };
        """)
    }
  }
}

struct ControllerTests {
  @Test func riscvPLICContextsKeepTheirPositions() throws {
    let m = try board("qemu-virt-riscv64.dts")
    #expect(m.architecture == .riscv64)
    let plic = try #require(m.interruptControllers.first { $0.kind == .plic })
    #expect(plic.contexts.count == 8)
    #expect(plic.contexts.map(\.cpu) == [0, 0, 1, 1, 2, 2, 3, 3])
    #expect(
      plic.contexts.map(\.role) == Array(repeating: ["M-external", "S-external"], count: 4).flatMap { $0 })
    #expect(plic.sources == 96)
    let uart = try #require(m.devices.first { $0.compatible.contains("ns16550a") })
    #expect(uart.interrupts.map(\.interrupt) == [.plic(source: 10)])
    #expect(m.interruptControllers.contains { $0.kind == .clint })
  }

  @Test func gicFramesAreNamed() throws {
    let v2 = try board("qemu-virt-aarch64-gicv2.dts")
    let gic = try #require(v2.primaryInterruptController)
    #expect(gic.kind == .gicV2)
    #expect(gic.frames.map(\.name) == ["gicd", "gicc", "gich", "gicv"])
    #expect(gic.frames[0].range == AddressRange(base: 0x800_0000, size: 0x1_0000))
    let many = try board("manycore-64.dts")
    #expect(many.primaryInterruptController?.frames.map(\.name).prefix(3) == ["gicd", "gicr0", "gicr1"])
  }

  @Test func inertContextsStayInPlace() throws {
    let m = try machine(
      """
      /dts-v1/;
      / {
        cpus {
          #address-cells = <1>;
          #size-cells = <0>;
          cpu@0 { device_type = "cpu"; compatible = "riscv"; reg = <0>; i0: interrupt-controller { compatible = "riscv,cpu-intc"; interrupt-controller; #interrupt-cells = <1>; }; };
          cpu@1 { device_type = "cpu"; compatible = "riscv"; reg = <1>; i1: interrupt-controller { compatible = "riscv,cpu-intc"; interrupt-controller; #interrupt-cells = <1>; }; };
        };
        plic { compatible = "riscv,plic0"; interrupt-controller; #interrupt-cells = <1>;
               interrupts-extended = <&i0 11 &i0 9 &i1 0xffffffff &i1 9>; };
      };
      """)
    let plic = try #require(m.interruptControllers.first { $0.kind == .plic })
    #expect(plic.contexts.map(\.cpu) == [0, 0, nil, 1])
    #expect(plic.contexts.map(\.position) == [0, 1, 2, 3])
    #expect(plic.contexts[2].role == "inert")
  }
}

struct DeviceTests {
  @Test func providersAndTranslatedWindows() throws {
    let m = try board("biglittle-a53-a72.dts")
    let eth = try #require(m.devices.first { $0.aliases.contains("ethernet0") })
    let kinds = Set(eth.providers.map(\.kind))
    #expect(kinds.isSuperset(of: ["clocks", "resets", "power-domains", "phys", "iommus", "pinctrl"]))
    #expect(eth.mmio.allSatisfy { $0.base >= 0xf400_0000 }, "two levels of ranges applied")
    #expect(m.reservations.contains { $0.noMap && $0.source == .reservedMemory })
    #expect(m.reservations.contains { $0.reusable })
    #expect(m.reservations.contains { $0.source == .memreserve })
    #expect(m.memory.count == 2)
  }

  @Test func jsonReportShape() throws {
    let m = try board("qemu-virt-aarch64-gicv3.dts")
    let data = try JSONEncoder().encode(m.report(board: "b.dts"))
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect((object["cpus"] as? [Any])?.count == 8)
    #expect(object["totalMemory"] as? String == "0x80000000")
    #expect(object["l2Groups"] as? [[Int]] == [[0, 1, 2, 3], [4, 5, 6, 7]])
    let kinds = (object["interruptControllers"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
    #expect(kinds == ["gicv3", "gicv3-its"])
  }
}

/// Every board DTB Debian's arm64 kernel package ships (fetched by `make linux`)
/// must give a machine view: these are trees nobody here wrote.
struct ShippedBoardTests {
  @Test func everyShippedArm64BoardIsUnderstood() throws {
    let dir = repositoryRoot.appendingPathComponent("build/linux/dtbs").path
    guard let walker = FileManager.default.enumerator(atPath: dir) else {
      Issue.record("no build/linux/dtbs; run make linux")
      return
    }
    var count = 0
    var withGIC = 0
    for case let f as String in walker where f.hasSuffix(".dtb") {
      let m = try Machine.load("\(dir)/\(f)")
      count += 1
      #expect(!m.cpus.isEmpty || m.architecture == .unknown, "\(f): no CPUs")
      if m.primaryInterruptController?.kind?.isGIC == true { withGIC += 1 }
    }
    #expect(count > 100)
    #expect(withGIC * 10 > count * 8, "most arm64 boards have a GIC: \(withGIC) of \(count)")
  }
}
