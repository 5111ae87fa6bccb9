import Testing

@testable import DeviceTree

struct InterruptTests {
  @Test func gicSPIAndPPIWithInheritedParent() throws {
    let t = try tree(
      """
      /dts-v1/;
      / {
        interrupt-parent = <&gic>;
        #address-cells = <1>;
        #size-cells = <1>;
        gic: interrupt-controller@8000000 {
          compatible = "arm,gic-v3";
          interrupt-controller;
          #interrupt-cells = <3>;
          reg = <0x8000000 0x10000>, <0x80a0000 0x100000>;
        };
        soc {
          #address-cells = <1>;
          #size-cells = <1>;
          uart@9000000 { reg = <0x9000000 0x1000>; interrupts = <0 1 4>; };
        };
        timer { interrupts = <1 13 0xf08>, <1 14 0xf08>; };
      };
      """)
    let uart = try #require(t.node(path: "/soc/uart@9000000"))
    let gic = try #require(t.node(label: "gic"))
    let specs = try t.interrupts(of: uart)
    #expect(specs == [InterruptSpecifier(controller: gic, cells: [0, 1, 4])])
    #expect(t.decode(specs[0]) == .gic(type: .spi, intid: 33, trigger: 4, cpuMask: 0))
    let timer = try #require(t.node(path: "/timer"))
    let decoded = try t.interrupts(of: timer).map(t.decode)
    #expect(
      decoded == [
        .gic(type: .ppi, intid: 29, trigger: 8, cpuMask: 0xf),
        .gic(type: .ppi, intid: 30, trigger: 8, cpuMask: 0xf),
      ])
    #expect(t.controllerKind(gic) == .gicV3)
  }

  @Test func gicV2Recognised() throws {
    let t = try tree(
      """
      /dts-v1/;
      / { intc { compatible = "arm,cortex-a15-gic"; interrupt-controller; #interrupt-cells = <3>; }; };
      """)
    #expect(t.controllerKind(try #require(t.node(path: "/intc"))) == .gicV2)
  }

  @Test func plicAndCPULocalThroughInterruptsExtended() throws {
    let t = try tree(
      """
      /dts-v1/;
      / {
        cpus {
          #address-cells = <1>;
          #size-cells = <0>;
          cpu@0 { device_type = "cpu"; reg = <0>; intc0: interrupt-controller { compatible = "riscv,cpu-intc"; interrupt-controller; #interrupt-cells = <1>; }; };
        };
        plic: plic@c000000 {
          compatible = "sifive,plic-1.0.0", "riscv,plic0";
          interrupt-controller;
          #interrupt-cells = <1>;
          interrupts-extended = <&intc0 11>, <&intc0 9>;
        };
        serial@10000000 { interrupt-parent = <&plic>; interrupts = <10>; };
      };
      """)
    let serial = try #require(t.node(path: "/serial@10000000"))
    #expect(try t.interrupts(of: serial).map(t.decode) == [.plic(source: 10)])
    let plic = try #require(t.node(label: "plic"))
    let cpu = try #require(t.node(path: "/cpus/cpu@0"))
    #expect(
      try t.interrupts(of: plic).map(t.decode) == [
        .cpuLocal(cpu: cpu, cause: 11), .cpuLocal(cpu: cpu, cause: 9),
      ])
  }

  @Test func interruptMapResolvesToTheController() throws {
    let t = try tree(
      """
      /dts-v1/;
      / {
        #address-cells = <2>;
        #size-cells = <2>;
        gic: intc { compatible = "arm,gic-400"; interrupt-controller; #interrupt-cells = <3>; #address-cells = <0>; };
        pcie {
          device_type = "pci";
          #address-cells = <3>;
          #size-cells = <2>;
          #interrupt-cells = <1>;
          interrupt-map-mask = <0x1800 0 0 7>;
          interrupt-map = <0 0 0 1 &gic 0 3 4>, <0 0 0 2 &gic 0 4 4>, <0x800 0 0 1 &gic 0 4 4>;
          dev@1,0 { reg = <0x800 0 0 0 0>; interrupts = <1>; };
          dev@0,0 { reg = <0 0 0 0 0>; interrupts = <2>; };
        };
      };
      """)
    let gic = try #require(t.node(label: "gic"))
    let d1 = try #require(t.node(path: "/pcie/dev@1,0"))
    #expect(try t.interrupts(of: d1) == [InterruptSpecifier(controller: gic, cells: [0, 4, 4])])
    let d0 = try #require(t.node(path: "/pcie/dev@0,0"))
    #expect(try t.interrupts(of: d0).map(t.decode) == [.gic(type: .spi, intid: 36, trigger: 4, cpuMask: 0)])
  }

  @Test func cyclicInterruptParentIsAnError() throws {
    let t = try tree(
      """
      /dts-v1/;
      / {
        a: a { interrupt-parent = <&b>; };
        b: b { interrupt-parent = <&a>; };
        dev { interrupt-parent = <&a>; interrupts = <1>; };
      };
      """)
    let dev = try #require(t.node(path: "/dev"))
    #expect(throws: DeviceTreeError.self) { try t.interrupts(of: dev) }
  }

  @Test func phandleListsWithArguments() throws {
    let t = try tree(
      """
      /dts-v1/;
      / {
        clk: clock-controller { #clock-cells = <1>; };
        fixed: osc { #clock-cells = <0>; };
        dev { clocks = <&clk 3>, <&fixed>, <&clk 7>; };
        bad { clocks = <&clk>; };
      };
      """)
    let dev = try #require(t.node(path: "/dev"))
    let list = try t.phandleList("clocks", of: dev, cellsName: "#clock-cells")
    #expect(list.map(\.arguments) == [[3], [], [7]])
    #expect(list.map { t.path(of: $0.target) } == ["/clock-controller", "/osc", "/clock-controller"])
    let bad = try #require(t.node(path: "/bad"))
    #expect(throws: DeviceTreeError.self) { try t.phandleList("clocks", of: bad, cellsName: "#clock-cells") }
  }
}
