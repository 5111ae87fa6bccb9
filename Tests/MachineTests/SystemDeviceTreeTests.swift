import DeviceTree
import Foundation
import Testing

@testable import Machine

func fixture(_ name: String) throws -> Machine {
  try Machine.load(repositoryRoot.appendingPathComponent("Tests/Fixtures/\(name)").path)
}

struct SystemDeviceTreeTests {
  @Test func clustersOfTwoArchitectures() throws {
    let m = try fixture("sdt/two-clusters.dts")
    #expect(m.isSystemDeviceTree)
    #expect(m.architecture == .aarch64)
    #expect(
      m.cpus.map(\.path) == [
        "/cpus-a78@0/cpu@0", "/cpus-a78@0/cpu@100", "/cpus-r52@0/cpu@0", "/cpus-r52@0/cpu@1",
      ])
    #expect(m.cpus.map(\.architecture) == [.aarch64, .aarch64, .armR, .armR])
    #expect(m.cpus.map(\.cluster) == [0, 0, 1, 1])
    #expect(m.cpuClusters.map(\.path) == ["/cpus-a78@0", "/cpus-r52@0"])
    #expect(m.cpuClusters.map(\.architecture) == [.aarch64, .armR])
    #expect(m.cpuClusters.map(\.labels) == [["cpus_a78"], ["cpus_r52"]])
  }

  @Test func addressMapDecidesWhatEachClusterSees() throws {
    let m = try fixture("sdt/two-clusters.dts")
    let (a78, r52) = (m.cpuClusters[0], m.cpuClusters[1])
    #expect(
      m.visibleDevices(from: a78).map(\.path) == [
        "/axi/interrupt-controller@e2000000", "/axi/serial@f1920000", "/axi/serial@f1930000",
        "/axi/ethernet@f19e0000",
      ])
    #expect(m.visibleDevices(from: r52).map(\.path) == ["/tcm@eba00000", "/axi/serial@f1930000"])
    #expect(m.visibleMemory(from: a78) == [AddressRange(base: 0, size: 0x8000_0000)])
    #expect(m.visibleMemory(from: r52) == [AddressRange(base: 0x10_0000, size: 0x7ff0_0000)])
    // The TCM is at 0xeba00000 in the root's address space and at 0 for the R52s.
    let tcm = try #require(m.devices.first { $0.path == "/tcm@eba00000" })
    #expect(m.view(of: tcm.mmio[0], node: tcm.node, from: r52) == AddressRange(base: 0, size: 0x1_0000))
    #expect(m.view(of: tcm.mmio[0], node: tcm.node, from: a78) == nil)
  }

  @Test func domainsAndClustersAreNotDevices() throws {
    let m = try fixture("sdt/two-clusters.dts")
    #expect(!m.devices.contains { $0.path.hasPrefix("/domains") || $0.path.hasPrefix("/cpus-") })
    #expect(m.devices.count == 6)  // the bus, the GIC, two UARTs, the Ethernet, the TCM
  }

  @Test func overlappingMemoryNodesMergeAndNonRAMIsLeftOut() throws {
    let m = try fixture("sdt/memory-views.dts")
    #expect(
      m.memory.map(\.range) == [
        AddressRange(base: 0, size: 0x8000_0000), AddressRange(base: 0x8_0000_0000, size: 0x8000_0000),
      ])
    #expect(m.notes.count == 2)
    #expect(m.unusable.isEmpty)
  }

  @Test func coreArchitectures() {
    func arch(_ c: String, isa: String? = nil, method: String? = nil) -> CoreArchitecture {
      CoreArchitecture(compatible: [c], isa: isa, enableMethod: method)
    }
    #expect(arch("arm,cortex-a53") == .aarch64)
    #expect(arch("arm,cortex-a72") == .aarch64)
    #expect(arch("arm,cortex-a9") == .arm)
    #expect(arch("arm,cortex-r5") == .armR)
    #expect(arch("arm,cortex-r52") == .armR)
    #expect(arch("arm,cortex-r82") == .aarch64)
    #expect(arch("xlnx,microblaze") == .microblaze)
    #expect(arch("pmu-microblaze") == .microblaze)
    #expect(arch("xlnx,microblaze-riscv") == .riscv32)
    #expect(arch("riscv", isa: "rv64imafdc") == .riscv64)
    #expect(arch("riscv", isa: "rv32imac") == .riscv32)
    #expect(arch("apple,icestorm", method: "spin-table") == .aarch64)
    #expect(arch("acme,core") == .unknown)
  }

  @Test func aDefectInOneNodeSetsOnlyThatNodeAside() throws {
    let m = try fixture("confined/reg-placeholder.dts")
    #expect(m.unusable.map(\.path) == ["/axi/iomodule@f0280000"])
    #expect(m.devices.contains { $0.path == "/axi/serial@ff000000" })
    #expect(!m.devices.contains { $0.path == "/axi/iomodule@f0280000" })
    let cpu = try fixture("confined/cpu-reg-mismatch.dts")
    #expect(cpu.cpus.map(\.path) == ["/cpus-a53@0/cpu@0"])
    #expect(cpu.unusable.map(\.path) == ["/cpus-a53@0/cpu@1"])
  }

  @Test func memoryUnionReachingTheTopOfTheAddressSpaceDoesNotTrap() throws {
    let m = try machine(
      """
      /dts-v1/;
      / {
        #address-cells = <2>;
        #size-cells = <2>;
        memory@fffffffffff00000 { device_type = "memory"; reg = <0xffffffff 0xfff00000 0x0 0x100000>; };
        memory@ffffffffffff0000 { device_type = "memory"; reg = <0xffffffff 0xffff0000 0x0 0x10000>; };
      };
      """)
    #expect(m.memory.map(\.range) == [AddressRange(base: 0xffff_ffff_fff0_0000, size: 0x10_0000)])
    #expect(m.memory[0].range.last == UInt64.max)
  }

  /// Generated trees give the root address of an address-map entry as many cells as
  /// the cluster address (#ranges-address-cells), not the root's #address-cells as
  /// the specification says; both read the same.
  @Test(arguments: [
    "<0x0 &ddr 0x0 0x40000000>, <0x100000 &tcm 0xffe00000 0x10000>",
    "<0x0 &ddr 0x0 0x0 0x40000000>, <0x100000 &tcm 0x0 0xffe00000 0x10000>",
  ])
  func addressMapInBothLayouts(map: String) throws {
    let m = try machine(
      """
      /dts-v1/;
      / {
        #address-cells = <2>;
        #size-cells = <2>;
        cpus-r5@0 {
          compatible = "cpus,cluster";
          #address-cells = <1>;
          #size-cells = <0>;
          #ranges-address-cells = <1>;
          #ranges-size-cells = <1>;
          address-map = \(map);
          cpu@0 { device_type = "cpu"; compatible = "arm,cortex-r5"; reg = <0>; };
        };
        ddr: memory@0 { device_type = "memory"; reg = <0x0 0x0 0x0 0x80000000>; };
        tcm: tcm@ffe00000 { compatible = "mmio-sram"; reg = <0x0 0xffe00000 0x0 0x10000>; };
      };
      """)
    let r5 = try #require(m.cpuClusters.first)
    #expect(
      r5.addressMap?.map(\.root) == [
        AddressRange(base: 0, size: 0x4000_0000), AddressRange(base: 0xffe0_0000, size: 0x1_0000),
      ])
    #expect(m.visibleMemory(from: r5) == [AddressRange(base: 0, size: 0x4000_0000)])
    let tcm = try #require(m.devices.first)
    #expect(
      m.view(of: tcm.mmio[0], node: tcm.node, from: r5) == AddressRange(base: 0x10_0000, size: 0x1_0000))
    #expect(m.architecture == .unknown)
    #expect(m.warnings.isEmpty)
  }

  @Test func nodesSetAsideForOneDefectElsewhereShareOneWarning() throws {
    let m = try machine(
      """
      /dts-v1/;
      / {
        #address-cells = <2>;
        #size-cells = <2>;
        gic: interrupt-controller@f9010000 {
          compatible = "arm,gic-400"; #interrupt-cells = <3>; #address-cells = <0>; interrupt-controller;
          reg = <0x0 0xf9010000 0x0 0x10000>;
        };
        bus {
          compatible = "simple-bus"; #address-cells = <2>; #size-cells = <2>; #interrupt-cells = <3>; ranges;
          interrupt-map-mask = <0x0 0x0 0x0>;
          interrupt-map = <0x0 0x0 0x0 0x0 0x0 &gic 0x0 0x10 0x4>;
          a@1000 { compatible = "x,a"; reg = <0x0 0x1000 0x0 0x100>; interrupts = <0 1 4>; };
          b@2000 { compatible = "x,b"; reg = <0x0 0x2000 0x0 0x100>; interrupts = <0 2 4>; };
        };
      };
      """)
    #expect(m.unusable.map(\.path) == ["/bus/a@1000", "/bus/b@2000"])
    #expect(
      m.warnings == [
        "/bus:interrupt-map-mask: 3 cells, expected 5 (2 nodes ignored: /bus/a@1000, /bus/b@2000)"
      ])
  }

  /// What a kernel's memory must stay off on a System Device Tree: windows a
  /// booted cluster addresses, not the R52s' TCM nor RAM described as a device.
  @Test func addressSpaceClaimsFollowTheBootedClusters() throws {
    let m = try fixture("sdt/two-clusters.dts")
    func claims(_ path: String) throws -> Bool {
      m.claimsAddressSpace(try #require(m.devices.first { $0.path == path }))
    }
    #expect(try claims("/axi/serial@f1920000"))
    #expect(try !claims("/tcm@eba00000"))
    let ddr = try machine(
      """
      /dts-v1/;
      / {
        #address-cells = <2>;
        #size-cells = <2>;
        cpus-a53@0 {
          compatible = "cpus,cluster";
          #address-cells = <1>;
          #size-cells = <0>;
          cpu@0 { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <0>; enable-method = "psci"; };
        };
        memory@0 { device_type = "memory"; reg = <0x0 0x0 0x0 0x80000000>; };
        ddrc@0 { compatible = "xlnx,psu-ddr-1.0"; reg = <0x0 0x0 0x0 0x7ff00000>; };
      };
      """)
    let controller = try #require(ddr.devices.first)
    #expect(ddr.isRAMAlias(controller))
    #expect(!ddr.claimsAddressSpace(controller))
  }

  /// A map no layout reads (here 5 cells) leaves that cluster addressing nothing,
  /// with a note, and the rest of the board is read.
  @Test func unreadableAddressMapIsANote() throws {
    let m = try machine(
      """
      /dts-v1/;
      / {
        #address-cells = <2>;
        #size-cells = <2>;
        cpus-r5@0 {
          compatible = "cpus,cluster";
          #address-cells = <1>;
          #size-cells = <0>;
          #ranges-address-cells = <1>;
          #ranges-size-cells = <1>;
          address-map = <0x0 0x1 0x0 0x0 0x1000>, <0x0 0x1>;
          cpu@0 { device_type = "cpu"; compatible = "arm,cortex-r5"; reg = <0>; };
        };
        memory@0 { device_type = "memory"; reg = <0x0 0x0 0x0 0x80000000>; };
      };
      """)
    let r5 = try #require(m.cpuClusters.first)
    #expect(r5.addressMap == [])
    #expect(m.visibleMemory(from: r5).isEmpty)
    #expect(m.cpus.count == 1)
    #expect(
      m.notes == [
        "/cpus-r5@0:address-map: 7 cells are not whole entries of 1 cluster address cells + 1 phandle cell + 1 root address cells + 1 size cells; the cluster is taken to address nothing"
      ])
  }
}
