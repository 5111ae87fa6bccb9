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
    #expect(m.cpus.map(\.path) == ["/cpus-a78@0/cpu@0", "/cpus-a78@0/cpu@100", "/cpus-r52@0/cpu@0", "/cpus-r52@0/cpu@1"])
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
}
