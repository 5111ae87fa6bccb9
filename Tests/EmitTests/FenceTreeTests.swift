import DeviceTree
import Foundation
import Partitioning
import Testing

@testable import Emit

/// `/chosen/cleave` under the EL2 fence: what each kernel's DTB tells the
/// probe kernel to try and see fail.
struct FenceTreeTests {
  /// Each kernel's `/chosen/cleave` of a built plan, as its DTB holds it.
  static func chosen(_ plan: String) throws -> [String: [String: Property]] {
    let p = try partition(plan)
    let artifacts = try BuildJob(partition: p).run()
    var out: [String: [String: Property]] = [:]
    for k in p.kernels {
      let tree = try DeviceTree(blob: try #require(artifacts["kernels/\(k.name).dtb"]))
      let node = try #require(tree.node(path: "/chosen/cleave"))
      out[k.name] = Dictionary(tree[node].properties.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }
    return out
  }

  @Test func gicv3FencePlanNamesWhatEachKernelMustNotReach() throws {
    let c = try Self.chosen("qemu-virt-aarch64-gicv3.fence.plan.yaml")
    for k in ["k0", "k1", "k2"] {
      #expect(c[k]?["isolation"]?.string == "stage2")
      #expect(c[k]?["on-fault"]?.string == "inject")
      #expect(c[k]?["may-power"] == nil)
      #expect(c[k]?["sgis-filtered"] == nil, "GICv3 with sgis: direct (the default)")
    }
    // Memory: the base of every other kernel's memory, as OpenSBI domains write it.
    #expect(c["k1"]?["fenced"]?.cells == [0, 0x4100_0000, 0, 0x4900_0000])
    #expect(c["k1"]?["fenced-kernels"]?.strings == ["k0", "k2"])
    // Devices: k0 holds every window (the ITS with the GIC, the UART), so it has nothing to try.
    #expect(c["k0"]?["fenced-device"] == nil && c["k0"]?["fenced-device-owner"] == nil)
    #expect(c["k1"]?["fenced-device"]?.cells == [0, 0x808_0000])
    #expect(c["k1"]?["fenced-device-owner"]?.string == "k0")
    // Interrupts: k0's UART SPI.
    #expect(c["k0"]?["fenced-interrupt"] == nil)
    #expect(c["k2"]?["fenced-interrupt"]?.cells == [33])
    #expect(c["k2"]?["fenced-interrupt-owner"]?.string == "k0")
    // Cores: the next kernel's boot core, wrapping round.
    #expect(c["k0"]?["fenced-cpu"]?.cells == [0, 4])
    #expect(c["k0"]?["fenced-cpu-owner"]?.string == "k1")
    #expect(c["k2"]?["fenced-cpu"]?.cells == [0, 0])
    #expect(c["k2"]?["fenced-cpu-owner"]?.string == "k0")
  }

  @Test func linuxFencePlanLetsOnlyLinuxPower() throws {
    let c = try Self.chosen("qemu-virt-aarch64-gicv3.linux.fence.plan.yaml")
    #expect(c["k1"]?["may-power"] != nil)
    #expect(c["k1"]?["may-power"]?.value.isEmpty == true, "an empty property")
    #expect(c["k0"]?["may-power"] == nil && c["k2"]?["may-power"] == nil)
    #expect(c["k0"]?["fenced-device-owner"]?.string == "k1")
    #expect(c["k0"]?["fenced-interrupt-owner"]?.string == "k1")
    // sgis: filtered on GICv3: every kernel's SGIs go through the fence.
    for k in ["k0", "k1", "k2"] { #expect(c[k]?["sgis-filtered"]?.value.isEmpty == true, "\(k)") }
  }

  /// GICv2's SGIs are the distributor's GICD_SGIR, which the fence always
  /// filters: the plan need not ask.
  @Test func gicv2FencePlanAlwaysFiltersSGIs() throws {
    let c = try Self.chosen("qemu-virt-aarch64-gicv2.fence.plan.yaml")
    #expect(!c.isEmpty)
    for (k, properties) in c { #expect(properties["sgis-filtered"]?.value.isEmpty == true, "\(k)") }
  }

  /// A kernel's windows are skipped page by page: the first page another
  /// kernel reaches and this one does not is the one named.
  @Test func theForeignPageSkipsWhatBothReach() throws {
    let (plan, shape) = PlanParser.parse(
      """
      board: \(repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").path)
      isolation: { fence: stage2, on-fault: stop }
      kernels:
        k0:
          cores: [cluster0]
          memory: 64M
          devices: [/pl011@9000000]
          owns: [interrupt-controller]
        k1: { cores: [cluster1], memory: 64M, devices: [/virtio_mmio@a001000] }
      shared:
        - { device: /pl031@9010000, kernels: [k0, k1] }
      """, file: "/tmp/fence.plan.yaml")
    #expect(shape.isEmpty)
    let check = PlanCheck.run(plan: try #require(plan))
    #expect(check.errors == 0, "\(check.diagnostics.map(\.text))")
    let p = try #require(check.partition)
    // k0's windows: ITS, UART, the shared RTC; k1's: the RTC it shares, its virtio page.
    #expect(StageTwoFence.foreignPage(p, kernel: 0).map { [$0.0, UInt64($0.1)] } == [0xa00_1000, 1])
    #expect(StageTwoFence.foreignPage(p, kernel: 1).map { [$0.0, UInt64($0.1)] } == [0x808_0000, 0])
    #expect(
      StageTwoFence.foreignInterrupt(p, kernel: 0).map { [$0.0, UInt32($0.1)] } == [56, 1], "virtio SPI 24")
    #expect(StageTwoFence.foreignInterrupt(p, kernel: 1).map { [$0.0, UInt32($0.1)] } == [33, 0])
  }

  @Test func noFenceNoFenceProperties() throws {
    let c = try Self.chosen("qemu-virt-aarch64-gicv3.plan.yaml")
    for props in c.values {
      #expect(props.keys.filter { $0.hasPrefix("fenced") || $0 == "isolation" || $0 == "may-power" }.isEmpty)
    }
  }
}
