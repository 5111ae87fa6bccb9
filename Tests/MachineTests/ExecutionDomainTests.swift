import DeviceTree
import Foundation
import Testing

@testable import Machine

/// `/domains` read into ``ExecutionDomain`` values, against the binding's shapes.
struct ExecutionDomainTests {
  @Test func cleanDomainsAreReadWithTheirCellsAndRelations() throws {
    let m = try fixture("domains/clean.dts")
    #expect(m.unusable.isEmpty, "\(m.warnings)")
    #expect(
      m.domains.map(\.path) == [
        "/domains/domain@1", "/domains/domain@2", "/domains/domain@2/domain@20", "/domains/domain@3",
      ])
    let a = m.domains[0]
    #expect(a.labels == ["linux_a"])
    #expect(a.id == 1)
    #expect(a.osType == "linux")
    #expect(a.cpus.map(\.mask) == [0x3])
    #expect(a.cpus.first?.executionLevel == 0x2)
    #expect(a.allCPUs.map { m.cpus[$0].path } == ["/cpus-a72@0/cpu@0", "/cpus-a72@0/cpu@1"])
    #expect(
      a.memory.map(\.range) == [
        AddressRange(base: 0x1000_0000, size: 0x1000_0000), AddressRange(base: 0x3ff0_0000, size: 0x10_0000),
      ])
    // #access-flags-cells = <1>: one flags cell after the phandle.
    #expect(a.access.map { m.tree.path(of: $0.node) } == ["/axi/serial@f1920000"])
    #expect(a.access.map(\.flags) == [[0]])
    let rpu = try #require(m.domains.last)
    #expect(a.relations.map(\.kind) == ["openamp,rpmsg-v1"])
    #expect(a.relations.first?.role == "host")
    #expect(a.relations.first?.peer == rpu.node)

    // The nested domain knows its parent.
    #expect(m.domains[2].parent == 1)
    #expect(m.domains[2].cpus.first?.executionLevel == 0x1)

    // #memory-flags-cells = <1>: each memory entry carries one flags cell; sram is read too.
    #expect(
      rpu.memory.map(\.range) == [
        AddressRange(base: 0, size: 0x100_0000), AddressRange(base: 0x3ff0_0000, size: 0x10_0000),
      ])
    #expect(rpu.memory.map(\.flags) == [[0], [0]])
    #expect(rpu.sram.map(\.range) == [AddressRange(base: 0xffe0_0000, size: 0x1_0000)])
    #expect(rpu.cpus.first.map { m.cpuClusters[$0.cluster].path } == "/cpus-r5@0")
    #expect(rpu.cpus.first?.executionLevel == 0x4000_0000)
  }

  @Test func sourcePositionsPointAtTheDomainLines() throws {
    let m = try fixture("domains/clean.dts")
    let memory = try #require(m.tree.sourcePositions["/domains/domain@1:memory"])
    #expect(memory.file.hasSuffix("Tests/Fixtures/domains/clean.dts"))
    #expect(memory.line == 19)
    #expect(memory.column == 4)
    // Nodes from an included file are placed there.
    let cluster = try #require(m.tree.sourcePositions["/cpus-a72@0"])
    #expect(cluster.file.hasSuffix("soc.dtsi"))
  }

  @Test func malformedDomainsAreWarningsNotRefusals() throws {
    let m = try fixture("domains/malformed-domain.dts")
    #expect(m.domains.map(\.path) == ["/domains/domain@1"])
    #expect(
      m.warnings == [
        "/domains/domain@2:cpus: 2 cells are not whole <&cluster mask execution-level> triplets (node ignored)",
        "/domains/domain@3:access: 1 cells are not whole <&device flags> entries of 1 + 1 cells (node ignored)",
        "/domains/domain@4:memory: 3 cells are not whole <start size flags> entries of 2 + 2 + 0 cells (node ignored)",
      ])
  }

  /// Every defect a domain's cells can have, in a hand-made tree: each is one
  /// warning, never a crash, and the board is still read.
  @Test(arguments: [
    (
      "cpus = <&cpus_a72>;", "/domains/d:cpus: 1 cells are not whole <&cluster mask execution-level> triplets"
    ),
    ("cpus = <0x77 0x1 0x0>;", "/domains/d:cpus: phandle 0x77 points to no node"),
    ("cpus = <&ddr 0x1 0x0>;", "/domains/d:cpus: /memory@0 holds no CPU"),
    (
      "memory = <0xffffffff 0xffffffff 0x0 0x2>;",
      "/domains/d:memory: 0xffffffffffffffff + 0x2 overflows 64 bits"
    ),
    (
      "#memory-flags-cells = <99>;",
      "/domains/d:#memory-flags-cells: 99 cells is more than the 8 cleave reads"
    ),
    (
      "#access-flags-cells = <1>; access = <&ddr>;",
      "/domains/d:access: 1 cells are not whole <&device flags> entries of 1 + 1 cells"
    ),
    ("access = [00 01];", "/domains/d:access: 2 bytes is not a whole number of 32-bit cells"),
    ("id = <1 2>;", "/domains/d:id: expected one cell"),
  ])
  func domainDefect(_ property: String, _ warning: String) throws {
    let source = """
      /dts-v1/;
      / {
        #address-cells = <2>; #size-cells = <2>;
        cpus_a72: cpus-a72@0 {
          compatible = "cpus,cluster"; #address-cells = <1>; #size-cells = <0>;
          cpu@0 { device_type = "cpu"; compatible = "arm,cortex-a72"; reg = <0>; enable-method = "psci"; };
        };
        ddr: memory@0 { device_type = "memory"; reg = <0x0 0x0 0x0 0x40000000>; };
        domains { d { compatible = "openamp,domain-v1"; \(property) }; };
      };
      """
    let tree = try DTSCompiler().compile(source: Array(source.utf8), file: "board.dts")
    let m = try Machine(tree: tree)
    #expect(m.domains.isEmpty)
    #expect(m.warnings == [warning + " (node ignored)"])
  }
}

/// The forms Lopper's own trees write beside the binding's text.
struct LopperDomainFormTests {
  @Test func sramAsPhandlesAndAccessPairsWithoutACellCount() throws {
    let source = """
      /dts-v1/;
      / {
        #address-cells = <2>; #size-cells = <2>;
        cpus_r5: cpus-r5@0 {
          compatible = "cpus,cluster"; #address-cells = <1>; #size-cells = <0>;
          cpu@0 { device_type = "cpu"; compatible = "arm,cortex-r5"; reg = <0>; };
        };
        atcm: sram@ffe00000 { compatible = "mmio-sram"; reg = <0x0 0xffe00000 0x0 0x10000>; };
        uart: serial@ff000000 { compatible = "arm,pl011"; reg = <0x0 0xff000000 0x0 0x1000>; };
        domains { r5 { compatible = "openamp,domain-v1"; cpus = <&cpus_r5 0x1 0x0>;
          sram = <&atcm>; access = <&uart 0x0>; }; };
      };
      """
    let m = try Machine(tree: DTSCompiler().compile(source: Array(source.utf8), file: "lopper-form.dts"))
    #expect(m.warnings.isEmpty, "\(m.warnings)")
    let d = try #require(m.domains.first)
    #expect(d.sramNodes.map { m.tree.path(of: $0) } == ["/sram@ffe00000"])
    #expect(d.access.map { m.tree.path(of: $0.node) } == ["/serial@ff000000"])
    #expect(d.access.map(\.flags) == [[0]])
  }

  /// A mask wider than the cluster (0xff for "all of it") takes the cores there are, with a note.
  @Test func aWideMaskTakesTheCoresThereAre() throws {
    let source = """
      /dts-v1/;
      / {
        #address-cells = <2>; #size-cells = <2>;
        cpus {
          #address-cells = <1>; #size-cells = <0>;
          cpus_a78: cpus-a78@0 {
            compatible = "cpus,cluster"; #address-cells = <1>; #size-cells = <0>;
            cpu@0 { device_type = "cpu"; compatible = "arm,cortex-a78"; reg = <0>; };
          };
        };
        domains { apu { compatible = "openamp,domain-v1"; cpus = <&cpus_a78 0xff 0x3>; }; };
      };
      """
    let m = try Machine(tree: DTSCompiler().compile(source: Array(source.utf8), file: "wide.dts"))
    // The cpus,cluster node inside /cpus is the cluster.
    #expect(m.cpuClusters.map(\.path) == ["/cpus/cpus-a78@0"])
    #expect(m.domains.first?.allCPUs == [0])
    #expect(
      m.warnings == [
        "/domains/apu:cpus: mask 0xff names cores /cpus/cpus-a78@0 does not have (it has 1); the domain takes those it has"
      ])
  }
}
