import CBootABI
import Foundation
import Partitioning
import Testing

@testable import Emit

/// The descriptor under `isolation: stage2`: the fence's flags, the kernels
/// that may power the machine, and the window table after the MPIDR table,
/// read back through the C header the loader uses.
struct FenceDescriptorTests {
  /// Header, kernels and windows of a built plan, as the loader reads them.
  static func read(_ plan: String) throws -> (cleave_desc, [cleave_kernel], [cleave_window], Int) {
    let artifacts = try BuildJob(partition: try partition(plan)).run()
    let bytes = try #require(artifacts["boot/descriptor.bin"])
    let header = bytes.withUnsafeBytes { $0.loadUnaligned(as: cleave_desc.self) }
    let kernels = (0..<Int(header.kernel_count)).map { i in
      bytes.withUnsafeBytes {
        $0.loadUnaligned(
          fromByteOffset: Int(header.kernel_offset) + i * MemoryLayout<cleave_kernel>.size,
          as: cleave_kernel.self)
      }
    }
    let windows = (0..<Int(header.window_count)).map { i in
      bytes.withUnsafeBytes {
        $0.loadUnaligned(
          fromByteOffset: Int(header.window_offset) + i * MemoryLayout<cleave_window>.size,
          as: cleave_window.self)
      }
    }
    return (header, kernels, windows, bytes.count)
  }

  @Test func gicv3FencePlanMapsTheUARTPageToK0() throws {
    let (header, kernels, windows, size) = try Self.read("qemu-virt-aarch64-gicv3.fence.plan.yaml")
    #expect(header.version == CLEAVE_DESC_VERSION)
    #expect(header.flags == UInt32(CLEAVE_DESC_FENCE), "on-fault defaults to inject")
    #expect(header.reserved == 0)
    // The last table: with no boot-info records or MPIDRs here, right after the grants.
    #expect(header.boot_info_count == 0 && header.mpidr_count == 0)
    #expect(
      Int(header.window_offset) == Int(header.grant_offset) + Int(header.grant_count)
        * MemoryLayout<cleave_grant>.size)
    #expect(header.window_offset % 8 == 0)
    #expect(Int(header.window_offset) + windows.count * MemoryLayout<cleave_window>.size == size)
    let rows = windows.map { [UInt64($0.kernel), UInt64($0.kind), $0.range.base, $0.range.size] }
    #expect(
      rows == [
        [0, UInt64(CLEAVE_WINDOW_OWNED), 0x808_0000, 0x2_0000],  // the ITS goes with the GIC's owner
        [0, UInt64(CLEAVE_WINDOW_OWNED), 0x900_0000, 0x1000],  // /pl011@9000000
      ])
    #expect(kernels.allSatisfy { $0.flags & UInt32(CLEAVE_KERNEL_MAY_POWER) == 0 })
  }

  @Test func linuxFencePlanLetsLinuxPowerTheMachine() throws {
    let (header, kernels, windows, _) = try Self.read("qemu-virt-aarch64-gicv3.linux.fence.plan.yaml")
    #expect(header.flags == UInt32(CLEAVE_DESC_FENCE) | UInt32(CLEAVE_DESC_FENCE_SGIS), "sgis: filtered")
    #expect(kernels.map { $0.flags & UInt32(CLEAVE_KERNEL_MAY_POWER) != 0 } == [false, true, false])
    let rows = windows.map { [UInt64($0.kernel), $0.range.base, $0.range.size] }
    #expect(
      rows == [
        [0, 0x901_0000, 0x1000],  // k0's /pl031@9010000, whose SPI Linux's distributor reset must leave alone
        [1, 0x808_0000, 0x2_0000],  // Linux owns the GIC, and so its ITS
        [1, 0x900_0000, 0x1000],  // and the UART
      ])
  }

  @Test func gicv2FencePlanHasTheUARTAndTheV2M() throws {
    let (header, _, windows, _) = try Self.read("qemu-virt-aarch64-gicv2.fence.plan.yaml")
    // GICv2's SGIs are a distributor register, filtered anyway: the flag asks for GICv3's trap only.
    #expect(header.flags == UInt32(CLEAVE_DESC_FENCE))
    let rows = windows.map { [UInt64($0.kernel), $0.range.base, $0.range.size] }
    #expect(rows == [[0, 0x802_0000, 0x1000], [0, 0x900_0000, 0x1000]])
  }

  @Test func noFenceNoFlagsNoWindows() throws {
    let (header, kernels, windows, size) = try Self.read("qemu-virt-aarch64-gicv3.plan.yaml")
    #expect(header.flags == 0 && header.window_count == 0 && header.window_offset == 0 && windows.isEmpty)
    #expect(Int(header.total_size) == size)
    #expect(kernels.allSatisfy { $0.flags & UInt32(CLEAVE_KERNEL_MAY_POWER) == 0 })
  }

  @Test func stopOnFaultSetsItsFlagAndTheSummaryNamesBoth() throws {
    let text = try String(
      contentsOf: repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.fence.plan.yaml"),
      encoding: .utf8
    ).replacingOccurrences(
      of: "isolation: stage2", with: "isolation: { fence: stage2, on-fault: stop, power: k2 }")
    let (plan, shape) = PlanParser.parse(
      text, file: repositoryRoot.appendingPathComponent("dts/stop.plan.yaml").path)
    #expect(shape.isEmpty)
    let check = PlanCheck.run(plan: try #require(plan))
    #expect(check.errors == 0, "\(check.diagnostics.map(\.text))")
    let artifacts = try BuildJob(partition: try #require(check.partition)).run()
    let bytes = try #require(artifacts["boot/descriptor.bin"])
    let header = bytes.withUnsafeBytes { $0.loadUnaligned(as: cleave_desc.self) }
    #expect(header.flags == UInt32(CLEAVE_DESC_FENCE) | UInt32(CLEAVE_DESC_FENCE_STOP))
    let summary = try JSONDecoder().decode(
      DescriptorSummary.self, from: Data(try #require(artifacts["boot/descriptor.json"])))
    #expect(summary.flags == ["fence", "fence-stop"])
    #expect(summary.kernels.map(\.mayPower) == [false, false, true])
    #expect(summary.kernels[0].windows == ["[0x8080000, 0x80a0000) owned", "[0x9000000, 0x9001000) owned"])
    // report.json says so too: `cleave run OUT` boots it with EL2 emulated.
    let report = try JSONDecoder().decode(
      BuildReport.self, from: Data(try #require(artifacts["report.json"])))
    #expect(report.isolation?.fence == "stage2")
    #expect(report.isolation?.onFault == "stop")
    #expect(report.isolation?.power == ["k2"])
  }

  @Test func filteredSGIsSetTheirFlagAndTheSummaryNamesIt() throws {
    let artifacts = try BuildJob(partition: try partition("qemu-virt-aarch64-gicv3.linux.fence.plan.yaml"))
      .run()
    let summary = try JSONDecoder().decode(
      DescriptorSummary.self, from: Data(try #require(artifacts["boot/descriptor.json"])))
    #expect(summary.flags == ["fence", "fence-sgis"])
  }
}
