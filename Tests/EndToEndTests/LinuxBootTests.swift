import Foundation
import Testing

/// Debian's arm64 Linux (make linux) as one kernel of a partitioned GICv3
/// machine, beside two probe kernels: the proof that the emitted trees and the
/// loader work for a kernel nobody here wrote.
@Suite("Linux in a partition")
struct LinuxBootTests {
  @Test(
    "Linux boots on its own CPUs and memory, reaches its initramfs, and the probes keep passing",
    arguments: ["qemu-virt-aarch64-gicv3.linux.plan.yaml", "qemu-virt-aarch64-gicv3.linux.fence.plan.yaml"])
  func linuxBesideProbes(plan name: String) throws {
    let dir = try TemporaryDirectory()
    let out = dir.path("out")
    let plan = repositoryRoot.appendingPathComponent("dts/" + name).path
    // Hashing and packing a 30 MB kernel in the unoptimised test build takes
    // seconds, more on a loaded machine: give the build room (a timeout here
    // catches hangs, not slowness; speed is for make bench).
    let built = try run(cleaveBinary, ["build", plan, "-o", out], timeLimit: 120)
    try #require(built.status == 0, "\(built.summary)")
    let r = try run(cleaveBinary, ["run", out, "--timeout", "150"], timeLimit: 170)
    let console = r.stdoutText
    #expect(r.status == 0, "\(r.summary)\n\(console)")
    // The physical CPU the plan names (cpu@2), both its cores, exactly its RAM.
    #expect(console.contains("Booting Linux on physical CPU 0x0000000002"), "\(console)")
    #expect(console.contains("SMP: Total of 2 processors activated"))
    #expect(console.contains("/524288K available"), "Linux counts 512 MiB, the plan's memory")
    // User space, from the initramfs.
    #expect(console.contains("cleave-linux|init: user space is up in kernel k1"))
    #expect(console.contains("cleave-linux|cpus: 2"))
    #expect(console.contains("cleave-linux|ram: 60000000-7fffffff : System RAM"))
    #expect(
      console.contains("cleave-linux|channel: channel@bffe0000 with k0"), "Linux sees its cleave channel node"
    )
    for k in ["k0", "k1", "k2"] { #expect(console.contains("cleave|PASS|\(k):"), "no PASS from \(k)") }
    guard name.contains(".fence.") else { return }
    // Behind the fence Linux runs at EL1, and its GIC driver's distributor
    // reset reaches only its own SPIs: its writes to k0's RTC interrupt are
    // dropped, and k0 finds that SPI still routed to its own cores.
    #expect(console.contains("CPU: All CPU(s) started at EL1"), "\(console)")
    for register in ["ICENABLER", "IPRIORITYR", "IROUTER"] {
      #expect(
        console.contains("cleave|FENCE|k1: GIC distributor: \(register) write for INTID 34 (k0's) dropped"),
        "\(console)")
    }
    #expect(console.contains("k0: no foreign core or memory; 1 SPIs of 1 devices routed to its own cores"))
    #expect(console.contains("k0: isolation: its 1 SPI kept route, priority and enable bit"), "\(console)")
    #expect(
      FenceProofs.has(console, #"\|FENCE\|k0: write to 0x60000000 \(k1's memory\) blocked"#), "\(console)")
    #expect(console.contains("k2: isolation: a load from and a store to 0x60000000 (k1's memory) faulted"))
    // sgis: filtered: every SGI traps, Linux's IPIs to its own cores pass
    // (both its CPUs came up and it reached user space), the probes' SGIs to
    // other kernels' cores are dropped.
    for k in ["k0", "k2"] {
      #expect(console.contains("cleave|INFO|\(k): isolation: SGI 14 sent to core"), "\(console)")
      #expect(
        console.contains("cleave|FENCE|\(k): GIC CPU interface: ICC_SGI1R_EL1 write for INTID 14"),
        "\(console)")
    }
  }
}
