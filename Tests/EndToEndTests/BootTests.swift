import Foundation
import Testing

/// Partitioned machines booted in QEMU (TCG): the loader, the probe kernels and
/// cleave run together. Needs `make loader probe-images` (make test does it).
@Suite("Boot", .serialized)
struct BootTests {
  static let timeLimit = 90.0

  /// Builds a plan from dts/ into a fresh OUT (`extra`: more build options).
  static func build(_ plan: String, in dir: TemporaryDirectory, _ extra: [String] = []) throws -> String {
    let out = dir.path("out")
    let r = try cleave(
      ["build", repositoryRoot.appendingPathComponent("dts/\(plan)").path, "-o", out] + extra)
    try #require(r.status == 0, "build \(plan): \(r.summary)")
    // OpenSBI domains boot without a loader: a placement list instead of image.elf.
    let bootable = ["/image.elf", "/opensbi/placement.json"].contains {
      FileManager.default.fileExists(atPath: out + $0)
    }
    try #require(bootable, "no image.elf: run make loader")
    return out
  }

  static func boot(_ out: String, _ extra: [String] = []) throws -> RunResult {
    try run(cleaveBinary, ["run", out, "--timeout", "\(Int(timeLimit))"] + extra, timeLimit: timeLimit + 20)
  }

  @Test(
    "every kernel passes: RAM pattern, cores, no foreign resources, channel round trips",
    arguments: [
      ("qemu-virt-aarch64-gicv2.plan.yaml", ["k0", "k1"]),
      ("qemu-virt-aarch64-gicv3.plan.yaml", ["k0", "k1", "k2"]),
      ("qemu-virt-aarch64-gicv2.fence.plan.yaml", ["k0", "k1"]),
      ("qemu-virt-aarch64-gicv3.fence.plan.yaml", ["k0", "k1", "k2"]),
      ("qemu-virt-aarch64-gicv3.mux.plan.yaml", ["k0", "k1", "k2"]),
      ("qemu-virt-aarch64-spin-table.plan.yaml", ["k0", "k1"]),
      ("qemu-virt-aarch64-gicv2.sel4-boot-info.plan.yaml", ["k0", "k1", "k2"]),
      ("qemu-virt-aarch64-gicv3.sel4-boot-info.plan.yaml", ["k0", "k1", "k2"]),
      ("qemu-virt-riscv64.plan.yaml", ["k0", "k1"]),
      ("qemu-virt-riscv64-aclint.plan.yaml", ["k0", "k1"]),
      ("qemu-virt-riscv64.opensbi-domains.plan.yaml", ["k0", "k1"]),
    ])
  func partitionsBootAndPass(plan: String, kernels: [String]) throws {
    let dir = try TemporaryDirectory()
    let out = try Self.build(plan, in: dir)
    let r = try Self.boot(out)
    let console = r.stdoutText
    #expect(r.status == 0, "\(plan): \(r.summary)\n\(console)")
    for k in kernels {
      #expect(console.contains("cleave|PASS|\(k):"), "\(plan): no PASS from \(k)\n\(console)")
      #expect(console.contains("\(k): channel"), "\(plan): \(k) ran no channel")
    }
    #expect(console.contains("cleave run: PASS: \(kernels.joined(separator: ", "))"))
    // OpenSBI domains: no loader ran, each probe caught the fault its PMP
    // raised on a load from the other kernel's memory, and the doorbells
    // went the only ways domains allow.
    if plan.contains("aclint") || plan.contains("opensbi-domains") {
      #expect(!console.contains("cleave loader"), "a loader ran in domains mode:\n\(console)")
      #expect(console.contains("k0: isolation: a load from 0x88000000 (k1's memory) faulted"), "\(console)")
      #expect(console.contains("k1: isolation: a load from 0x84000000 (k0's memory) faulted"), "\(console)")
      #expect(console.contains(plan.contains("aclint") ? "via ACLINT SSWI" : "polling"), "\(console)")
    }
    // Spin-table: QEMU has no PSCI of its own (secure=on with firmware), so
    // every core started by the loader or a probe was released from the stub.
    if plan.contains("spin-table") {
      #expect(console.contains("-bios build/firmware-spin-table-aarch64.bin"), "\(console)")
      #expect(console.contains("(revision 3), spin-table"), "\(console)")
      #expect(console.contains("k1: CPU 0x2 checked in"), "\(console)")
      #expect(console.contains("k0: 2/2 cores up: boot 0x0, started 0x1"), "\(console)")
      #expect(console.contains("k1: 2/2 cores up: boot 0x2, started 0x3"), "\(console)")
    }
    // seL4's multikernel protocol: one probe ELF for every kernel, each at
    // EL1 with its record checked, its node its core's place in the list, and
    // its doorbells addressed through that list.
    if plan.contains("sel4-boot-info") {
      for k in kernels {
        #expect(
          console.contains("\(k): kernel \(k.dropFirst()) at EL1, image [0xffffffffff000000"), "\(console)")
        #expect(
          console.range(
            of: "\(k): boot-info record at 0x[0-9a-f]+: node [0-9]+ of [0-9]+ MPIDRs",
            options: .regularExpression) != nil, "\(console)")
        #expect(console.contains("\(k): channel") && console.contains("(MPIDR list) SGI"), "\(console)")
      }
      #expect(console.contains("k1: kernel 1 at EL1") && console.contains("RAM = its 2 ranges"), "\(console)")
    }
    if plan.contains(".fence.") {
      FenceProofs.expectAll(in: console, kernels: kernels, spiOwner: "k0", spi: 33)
      // GICv2's SGIs are a distributor register: the fence always filters them.
      for k in kernels where plan.contains("gicv2") {
        #expect(console.contains("cleave|INFO|\(k): isolation: SGI 14 sent to core"), "\(console)")
      }
    }
    if plan.contains(".mux.") {
      let descriptor = try String(contentsOfFile: out + "/boot/descriptor.json", encoding: .utf8)
      #expect(
        !descriptor.contains("\"multiplexed\" : false"), "every channel of the mux plan shares its doorbell")
    }
  }

  /// On a spin-table board the loader's own core (cpu@0) is a secondary of k0,
  /// whose boot core is cpu@1: the loader releases cpu@1, goes back to waiting
  /// on cpu@0's release address, and k0's probe releases it from there.
  @Test(
    "the loader's core, a secondary under spin-table, waits on its release address until its kernel starts it"
  )
  func loaderCoreHandedBackToSpinTable() throws {
    let dir = try TemporaryDirectory()
    let root = repositoryRoot.path
    let source = try String(
      contentsOfFile: "\(root)/dts/qemu-virt-aarch64-spin-table.plan.yaml", encoding: .utf8)
    let plan =
      source
      .replacingOccurrences(of: "cores: [cluster0]", with: "cores: [cpu@1, cpu@0]")
      .replacingOccurrences(of: "board: qemu-virt", with: "board: \(root)/dts/qemu-virt")
      .replacingOccurrences(of: "path: ../build/", with: "path: \(root)/build/")
    try #require(plan.contains("[cpu@1, cpu@0]"))
    let path = try dir.write(Data(plan.utf8), to: "swapped.plan.yaml")
    let out = dir.path("out")
    let built = try cleave(["build", path, "-o", out])
    try #require(built.status == 0, "build: \(built.summary)")
    let r = try Self.boot(out)
    let console = r.stdoutText
    #expect(r.status == 0, "\(r.summary)\n\(console)")
    #expect(
      console.contains("no kernel boots on this CPU; kernels released: 2; now handing it back"), "\(console)")
    #expect(console.contains("k0: 2/2 cores up: boot 0x1, started 0x0"), "\(console)")
    #expect(console.contains("cleave run: PASS: k0, k1"), "\(console)")
  }

  /// Flips one byte of image.elf at `offset` from the start of the descriptor.
  static func damage(_ out: String, at offset: Int) throws {
    let path = out + "/image.elf"
    var bytes = try #require(FileManager.default.contents(atPath: path))
    let at = 0x1000 + 0x10000 + offset  // ELF data offset + loader span
    try #require(at < bytes.count)
    bytes[at] ^= 0x5a
    try bytes.write(to: URL(fileURLWithPath: path))
  }

  /// The payload offset of the first image segment of kernel `index`, from descriptor.json.
  static func imageOffset(_ out: String, kernel index: Int) throws -> Int {
    let data = try #require(FileManager.default.contents(atPath: out + "/boot/descriptor.json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let kernels = try #require(json["kernels"] as? [[String: Any]])
    let segment = try #require((kernels[index]["segments"] as? [String])?.first)
    let hex = try #require(segment.range(of: "payload +0x")).upperBound
    let digits = segment[hex...].prefix { $0.isHexDigit }
    return try #require(Int(digits, radix: 16))
  }

  static func expectRefused(_ r: RunResult, _ message: String, _ kernels: [String]) {
    let console = r.stdoutText
    #expect(r.status == 1, "\(r.summary)\n\(console)")
    #expect(
      console.contains("cleave|ERROR|") && console.contains(message), "expected '\(message)':\n\(console)")
    for k in kernels {
      #expect(!console.contains("|\(k):"), "\(k) was entered although the loader refused:\n\(console)")
    }
  }

  @Test(
    "a damaged descriptor stops the loader before any kernel",
    arguments: ["qemu-virt-aarch64-gicv2.plan.yaml", "qemu-virt-riscv64.plan.yaml"])
  func damagedDescriptor(plan: String) throws {
    let dir = try TemporaryDirectory()
    let out = try Self.build(plan, in: dir)
    try Self.damage(out, at: 0x90)
    Self.expectRefused(try Self.boot(out), "CRC-32", ["k0", "k1"])
  }

  @Test(
    "a damaged image fails its SHA-256 and no kernel is entered",
    arguments: ["qemu-virt-aarch64-gicv2.plan.yaml", "qemu-virt-riscv64.plan.yaml"])
  func damagedImage(plan: String) throws {
    let dir = try TemporaryDirectory()
    let out = try Self.build(plan, in: dir)
    try Self.damage(out, at: try Self.imageOffset(out, kernel: 1) + 0x40)
    Self.expectRefused(try Self.boot(out), "image SHA-256", ["k0", "k1"])
  }

  /// Overlapping grants in a descriptor that is otherwise whole (re-sealed, so
  /// its CRC-32 passes): k1's memory is made to start inside k0's. The loader
  /// names both and their addresses before it starts a core or writes a byte
  /// of kernel memory.
  @Test(
    "overlapping grants stop the loader before any core starts",
    arguments: ["qemu-virt-aarch64-gicv2.plan.yaml", "qemu-virt-riscv64.plan.yaml"])
  func overlappingGrants(plan: String) throws {
    let dir = try TemporaryDirectory()
    let out = try Self.build(plan, in: dir)
    var image = try PackedImage(out)
    let k0 = try image.grant(image.grantIndex(kernel: 0))
    let k1 = try image.grant(image.grantIndex(kernel: 1))
    let (base0, size0, size1) = (try image.read(k0, 8), try image.read(k0 + 8, 8), try image.read(k1 + 8, 8))
    try image.write(k1, 8, base0 + size0 / 2)
    try image.seal()
    let r = try Self.boot(out)
    let message =
      "k0 memory \(PackedImage.range(base0, size0)) overlaps k1 memory \(PackedImage.range(base0 + size0 / 2, size1)); refusing to boot"
    Self.expectRefused(r, message, ["k0", "k1"])
    #expect(!r.stdoutText.contains("loaded 0x"), "kernel memory was written:\n\(r.stdoutText)")
    #expect(!r.stdoutText.contains("checked in"), "a core was started:\n\(r.stdoutText)")
  }

  /// k2's boot CPU made k1's in a re-sealed descriptor: the loader refuses a
  /// CPU given twice before starting any. Its fault-injection build without
  /// the partition check (make loader-faults) shows what the check prevents:
  /// PSCI CPU_ON for it fails with ALREADY_ON.
  @Test("a CPU given to two kernels is refused; unchecked, PSCI reports it ALREADY_ON")
  func cpuOnFailure() throws {
    let unchecked = repositoryRoot.appendingPathComponent("build/faults/unchecked/loader-aarch64.bin").path
    try #require(FileManager.default.fileExists(atPath: unchecked), "no \(unchecked): run make loader-faults")
    for loader in [nil, unchecked] {
      let dir = try TemporaryDirectory()
      let out = try Self.build(
        "qemu-virt-aarch64-gicv3.plan.yaml", in: dir, loader.map { ["--loader", $0] } ?? [])
      var image = try PackedImage(out)
      // CPU table: k0 has entries 0-3, k1 4-5, k2 6-7; each entry starts with its 64-bit hwid.
      try image.write(try image.cpu(6), 8, 0x4)
      try image.seal()
      let r = try Self.boot(out)
      let console = r.stdoutText
      #expect(r.status == 1, "\(r.summary)\n\(console)")
      if loader == nil {
        Self.expectRefused(r, "CPU 0x4 is given to k1 and k2; refusing to boot", ["k0", "k1", "k2"])
        #expect(!console.contains("checked in"), "a core was started:\n\(console)")
      } else {
        #expect(console.contains("k2: starting CPU 0x4 failed: -4 (ALREADY_ON)"), "\(console)")
        #expect(!console.contains("|k2:"), "k2 was entered:\n\(console)")
      }
    }
  }

  /// The RISC-V twin, with the fault-injection loader that skips the partition
  /// check (the checked loader refuses this descriptor, as above): k1's boot
  /// hart is made hart 0, which runs already (k0's, or the loader's own), so
  /// SBI HSM hart_start refuses it. Which kernel hits it depends on the hart
  /// OpenSBI booted on; no kernel runs.
  @Test("a hart that fails to start is reported with its SBI HSM error")
  func hartStartFailure() throws {
    let unchecked = repositoryRoot.appendingPathComponent("build/faults/unchecked/loader-riscv64.bin").path
    try #require(FileManager.default.fileExists(atPath: unchecked), "no \(unchecked): run make loader-faults")
    let dir = try TemporaryDirectory()
    let out = try Self.build("qemu-virt-riscv64.plan.yaml", in: dir, ["--loader", unchecked])
    var image = try PackedImage(out)
    // CPU table: k0 has entries 0-1, k1 2-3.
    try image.write(try image.cpu(2), 8, 0x0)
    try image.seal()
    Self.expectRefused(
      try Self.boot(out), "starting CPU 0x0 failed: -6 (SBI_ERR_ALREADY_AVAILABLE", ["k0", "k1"])
  }

  /// An image that arrived short: the file is cut 4 KiB before its end and its
  /// one segment's file size shortened to match (as a partial copy would be),
  /// so QEMU loads what is there and zeroes the rest.
  @Test(
    "a truncated image is named as such and no kernel is entered",
    arguments: ["qemu-virt-aarch64-gicv2.plan.yaml", "qemu-virt-riscv64.plan.yaml"])
  func truncatedImage(plan: String) throws {
    let dir = try TemporaryDirectory()
    let out = try Self.build(plan, in: dir)
    let path = out + "/image.elf"
    var bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
    let cut = bytes.count - 4096
    try #require(cut > 0x1000 + 0x10000)
    bytes.removeLast(bytes.count - cut)
    let filesz = UInt64(cut - 0x1000)  // p_filesz at program header 64 + 32
    for i in 0..<8 { bytes[64 + 32 + i] = UInt8((filesz >> (8 * UInt64(i))) & 0xff) }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    Self.expectRefused(try Self.boot(out), "image truncated", ["k0", "k1"])
  }

  /// A core that starts but never reaches the loader's trampoline check-in:
  /// the loader built with that one fault (make loader-faults) holds every
  /// core it starts before the check-in. The loader gives up after its
  /// timeout, names the first such core, and enters nothing. (Which kernel
  /// that is depends on the hart OpenSBI booted the loader on.)
  @Test(
    "a core that never checks in is named after the timeout",
    arguments: [("qemu-virt-aarch64-gicv2.plan.yaml", "aarch64"), ("qemu-virt-riscv64.plan.yaml", "riscv64")])
  func silentCore(plan: String, arch: String) throws {
    let loader = repositoryRoot.appendingPathComponent("build/faults/silent/loader-\(arch).bin").path
    try #require(FileManager.default.fileExists(atPath: loader), "no \(loader): run make loader-faults")
    let dir = try TemporaryDirectory()
    let out = try Self.build(plan, in: dir, ["--loader", loader])
    let r = try Self.boot(out)
    Self.expectRefused(r, "was started but did not check in within 1000 ms", ["k0", "k1"])
    if arch == "aarch64" {
      #expect(r.stdoutText.contains("k1: CPU 0x2 was started but did not check in within 1000 ms"))
    }
  }

  /// U-Boot (Debian's qemu-riscv64 S-mode build) as one domain's kernel from
  /// the tree cleave cut for it, beside a probe kernel: its DRAM line is its
  /// partition's size, it reaches autoboot, and nothing raises an exception.
  @Test("U-Boot boots in an OpenSBI domain beside a probe kernel")
  func uBootInADomain() throws {
    // The plan itself says what U-Boot's PASS is (console.pass), so `cleave
    // run PLAN` needs no flags; it builds into a scratch OUT and says so in one line.
    let plan = repositoryRoot.appendingPathComponent("dts/qemu-virt-riscv64-aclint.u-boot.plan.yaml").path
    let r = try Self.boot(plan)
    let console = r.stdoutText
    #expect(r.status == 0, "\(r.summary)\n\(console)")
    #expect(console.contains("cleave run: built \(plan) into "), "\(console)")
    #expect(!console.contains("memory map of"), "run from a plan prints no map:\n\(console)")
    #expect(console.contains("cleave|PASS|k0:") && console.contains("isolated from 1 kernel"), "\(console)")
    // The probe prints through semihosting while U-Boot prints on the UART,
    // so the size may land on a line of its own after "DRAM:".
    let lines = console.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    let dram = try #require(lines.firstIndex { $0.hasPrefix("DRAM:") }, "no DRAM line:\n\(console)")
    let size = lines[dram...].lazy.compactMap { line -> String? in
      let tail =
        line.hasPrefix("DRAM:") ? String(line.dropFirst(5)).trimmingCharacters(in: .whitespaces) : line
      return tail.hasSuffix(" MiB") && tail.dropLast(4).allSatisfy(\.isNumber) && !tail.dropLast(4).isEmpty
        ? tail : nil
    }.first
    #expect(size == "63 MiB", "U-Boot's DRAM line should be k1's 63 MiB:\n\(console)")
  }

  @Test("a live machine that differs from the plan's board is named and refused")
  func mismatchedLiveTree() throws {
    let dir = try TemporaryDirectory()
    let out = try Self.build("qemu-virt-aarch64-gicv3.plan.yaml", in: dir)
    let r = try Self.boot(
      out, ["--machine-options=-M virt,gic-version=3,virtualization=on -cpu cortex-a57 -smp 4 -m 2G"])
    Self.expectRefused(r, "live DTB lacks CPU 0x4", ["k0", "k1", "k2"])
  }
}
