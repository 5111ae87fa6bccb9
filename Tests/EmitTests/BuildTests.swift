import CBootABI
import DeviceTree
import Foundation
import Machine
import Partitioning
import Testing

@testable import Emit

/// Golden files: each example plan's kernel trees, compared as text with
/// snapshots beside this file. Re-record only on purpose with CLEAVE_RECORD=1,
/// which rewrites them and fails the run so it cannot pass silently.
struct SnapshotTests {
  @Test(arguments: examplePlans())
  func kernelTreesMatchTheirSnapshots(plan: String) throws {
    let p = try partition(plan)
    let artifacts = try BuildJob(partition: p).run()
    let dir = repositoryRoot.appendingPathComponent(
      "Tests/EmitTests/Snapshots/\(plan.replacingOccurrences(of: ".plan.yaml", with: ""))")
    let record = ProcessInfo.processInfo.environment["CLEAVE_RECORD"] == "1"
    if record { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
    for k in p.kernels {
      let text = try #require(artifacts.text("kernels/\(k.name).dts"))
      let file = dir.appendingPathComponent("\(k.name).dts")
      if record {
        try text.write(to: file, atomically: true, encoding: .utf8)
        Issue.record("re-recorded \(file.path); run again without CLEAVE_RECORD")
        continue
      }
      let expected = try String(contentsOf: file, encoding: .utf8)
      if text != expected {
        let a = text.split(separator: "\n", omittingEmptySubsequences: false)
        let b = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        Issue.record(
          "\(plan) \(k.name).dts differs from its snapshot at line \(line + 1): got '\(line < a.count ? a[line] : "<end>")', expected '\(line < b.count ? b[line] : "<end>")'"
        )
      }
    }
  }
}

struct DescriptorTests {
  @Test func crcMatchesTheStandardVector() {
    #expect(CRC32.checksum(Array("123456789".utf8)) == 0xcbf4_3926)
  }

  /// FIPS 180-4's vectors, by the portable code and (on a CPU that has them)
  /// the SHA instructions, and both agreeing on every length around a block.
  @Test(arguments: [false, true])
  func sha256MatchesTheStandardVectors(accelerated: Bool) throws {
    if accelerated && !SHA256.accelerated { return }
    func hex(_ bytes: [UInt8]) -> String { SHA256.hex(SHA256.hash(bytes, accelerated: accelerated)) }
    #expect(hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(
      hex([UInt8](repeating: 0x61, count: 1_000_000))
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
    for n in [55, 56, 63, 64, 65, 127, 128, 129, 300] {
      let part = Array(bytes[..<n])
      #expect(hex(part) == SHA256.hex(SHA256.hash(part, accelerated: false)))
    }
  }

  @Test func descriptorReadsBackThroughTheCHeader() throws {
    let p = try partition("qemu-virt-aarch64-gicv3.plan.yaml")
    let artifacts = try BuildJob(partition: p).run()
    let bytes = try #require(artifacts["boot/descriptor.bin"])
    let header = bytes.withUnsafeBytes { $0.loadUnaligned(as: cleave_desc.self) }
    #expect(header.magic == CLEAVE_DESC_MAGIC)
    #expect(Int(header.total_size) == bytes.count)
    #expect(header.kernel_count == 3)
    #expect(header.cpu_count == 8)
    #expect(header.ic_kind == CLEAVE_IC_GICV3)
    #expect(header.conduit == CLEAVE_CONDUIT_SMC)
    var zeroed = bytes
    zeroed.replaceSubrange(12..<16, with: [0, 0, 0, 0])
    #expect(CRC32.checksum(zeroed) == header.crc32)
    let k1 = bytes.withUnsafeBytes {
      $0.loadUnaligned(
        fromByteOffset: Int(header.kernel_offset) + MemoryLayout<cleave_kernel>.size, as: cleave_kernel.self)
    }
    let name = withUnsafeBytes(of: k1.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    #expect(name == "k1")
    #expect(k1.cpu_first == 4 && k1.cpu_count == 2)
    #expect(k1.dtb_addr == p.kernels[1].dtb?.base)
    let routes = (0..<Int(header.route_count)).map { i in
      bytes.withUnsafeBytes {
        $0.loadUnaligned(
          fromByteOffset: Int(header.route_offset) + i * MemoryLayout<cleave_route>.size,
          as: cleave_route.self)
      }
    }
    #expect(routes.contains { $0.irq == 33 && $0.kernel == 0 }, "the UART's SPI goes to its owner")
    #expect(header.loader.base == 0x4000_0000 && header.loader.size == 16 << 20)
    // Each kernel's memory, then one grant per channel it is a member of, marked with the channel's index.
    let grants = (0..<Int(header.grant_count)).map { i in
      bytes.withUnsafeBytes {
        $0.loadUnaligned(
          fromByteOffset: Int(header.grant_offset) + i * MemoryLayout<cleave_grant>.size,
          as: cleave_grant.self)
      }
    }
    #expect(grants.count == 3 * 3)
    #expect(Int(header.grant_offset) + grants.count * MemoryLayout<cleave_grant>.size == bytes.count)
    let k1Grants = grants.filter { $0.kernel == 1 }
    #expect(
      k1Grants.map(\.channel) == [CLEAVE_GRANT_MEMORY, 0, 2], "k1 is a member of channels k0-k1 and k1-k2")
    #expect(k1Grants.first?.range.base == 0x4500_0000 && k1Grants.first?.range.size == 64 << 20)
    for g in grants where g.channel != CLEAVE_GRANT_MEMORY {
      let region = p.channels[Int(g.channel)].region
      #expect(g.range.base == region.base && g.range.size == region.size)
      #expect(p.channels[Int(g.channel)].members.contains(Int(g.kernel)))
    }
  }

  @Test func imagesAreHashedAndPlaced() throws {
    let dir = try scratch()
    defer { remove(dir) }
    // A one-segment AArch64 ELF at 0x48000000 with its entry inside.
    let elf = try #require(
      FileManager.default.contents(
        atPath: repositoryRoot.appendingPathComponent("Tests/Fixtures/checks/images/one-mib.elf").path))
    let elfPath = dir.appendingPathComponent("k.elf").path
    try elf.write(to: URL(fileURLWithPath: elfPath))
    let image = try KernelImage.load(elfPath)
    let base = try #require(image.segments.first?.address)
    let planText = """
      board: \(repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").path)
      kernels:
        k0:
          cores: [cluster0]
          memory: [{ base: \(Format.hex(base & ~0xffffff)), size: 32M }]
          image: { path: \(elfPath), protocol: elf }
      """
    let (plan, shape) = PlanParser.parse(planText, file: dir.appendingPathComponent("p.plan.yaml").path)
    #expect(shape.isEmpty)
    let check = PlanCheck.run(plan: try #require(plan))
    #expect(check.errors == 0, "\(check.diagnostics.map(\.text))")
    let artifacts = try BuildJob(partition: try #require(check.partition)).run()
    let summary = try JSONDecoder().decode(
      DescriptorSummary.self, from: Data(try #require(artifacts["boot/descriptor.json"])))
    #expect(summary.kernels[0].imageSHA256 == SHA256.hex(SHA256.hash(Array(elf))))
    #expect(summary.kernels[0].entry == Format.hex(image.entry))
  }
}

struct OutputTests {
  @Test func aFailedBuildLeavesOutUntouched() throws {
    let dir = try scratch()
    defer { remove(dir) }
    let out = dir.appendingPathComponent("out").path
    let good = try BuildJob(partition: try partition("qemu-virt-aarch64-gicv3.plan.yaml")).run()
    try OutputDirectory.commit(good, to: out, force: false)
    let before = try FileManager.default.contentsOfDirectory(atPath: out + "/kernels").sorted()
    let mapBefore = try String(contentsOfFile: out + "/map.txt", encoding: .utf8)

    // A plan whose image cannot be read fails inside the build, after the checks.
    let imagePath = dir.appendingPathComponent("vanishing.elf").path
    try Data(
      try #require(
        FileManager.default.contents(
          atPath: repositoryRoot.appendingPathComponent("Tests/Fixtures/checks/images/one-mib.elf").path))
    )
    .write(to: URL(fileURLWithPath: imagePath))
    let text = """
      board: \(repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").path)
      kernels:
        k0: { cores: [cluster0], memory: [{ base: 0x50000000, size: 32M }], image: \(imagePath) }
      """
    let (plan, _) = PlanParser.parse(text, file: dir.appendingPathComponent("p.plan.yaml").path)
    let check = PlanCheck.run(plan: try #require(plan))
    try FileManager.default.removeItem(atPath: imagePath)
    #expect(throws: BuildJob.Failure.self) { try BuildJob(partition: try #require(check.partition)).run() }
    #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/kernels").sorted() == before)
    #expect(try String(contentsOfFile: out + "/map.txt", encoding: .utf8) == mapBefore)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        == ["out", "p.plan.yaml"].filter { $0 == "out" }, "no staging directory left behind")
  }

  @Test func refusesADirectoryItDidNotMake() throws {
    let dir = try scratch()
    defer { remove(dir) }
    let out = dir.appendingPathComponent("mine").path
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    try Data("keep me".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
    let artifacts = try BuildJob(partition: try partition("qemu-virt-aarch64-gicv3.plan.yaml")).run()
    #expect(throws: OutputDirectory.Failure.self) {
      try OutputDirectory.commit(artifacts, to: out, force: false)
    }
    #expect(FileManager.default.fileExists(atPath: out + "/notes.txt"))
    try OutputDirectory.commit(artifacts, to: out, force: true)
    #expect(!FileManager.default.fileExists(atPath: out + "/notes.txt"))
    #expect(FileManager.default.fileExists(atPath: out + "/report.json"))
  }
}

struct VariantTests {
  @Test func smpCollapsesToOneKernel() throws {
    let p = try partition("qemu-virt-aarch64-gicv3.plan.yaml").collapsedToSMP()
    let trees = BuildJob(partition: p).kernelTrees()
    #expect(trees.count == 1)
    let m = try Machine(tree: trees[0])
    #expect(m.cpus.count == 8)
    let total = p.kernels[0].memory.reduce(UInt64(0)) { $0 + $1.range.size }
    #expect(m.totalMemory == total)
    #expect(trees[0].danglingReferences().isEmpty)
  }

  @Test func riscvGetsOpenSBIDomains() throws {
    let p = try partition("qemu-virt-riscv64.plan.yaml")
    let artifacts = try BuildJob(partition: p).run()
    let blob = try #require(artifacts["opensbi/machine.dtb"])
    let tree = try DeviceTree(blob: blob)
    let config = try #require(tree.node(path: "/chosen/opensbi-domains"))
    let domains = tree[config].children.filter { tree.isCompatible($0, with: "opensbi,domain,instance") }
    #expect(domains.count == p.kernels.count)
    let m = try Machine(tree: tree)
    for cpu in m.cpus {
      #expect(tree.property("opensbi-domain", of: cpu.node) != nil, "\(cpu.name) lacks opensbi-domain")
    }
    for region in tree[config].children where tree.isCompatible(region, with: "opensbi,domain,memregion") {
      let base = try #require(tree.property("base", of: region)?.u64)
      let order = try #require(tree.property("order", of: region)?.u32)
      #expect(
        base % (UInt64(1) << order) == 0, "memregion at \(Format.hex(base)) is not aligned to 2^\(order)")
    }
    #expect(tree.danglingReferences().isEmpty)
  }
}

struct SeL4SettingsTests {
  /// A kind: sel4 kernel gets the CMake initial cache seL4's build reads, with
  /// the overlay found beside it wherever OUT is and, on a QEMU platform, the
  /// board the overlay was cut from (not the tree seL4 would dump from QEMU);
  /// other kernels get none.
  @Test func cmakeSettingsForSeL4Kernels() throws {
    let plan = repositoryRoot.appendingPathComponent("Tests/Fixtures/checks/sel4_smp_doorbell.plan.yaml").path
    let check = PlanCheck.run(planPath: plan)
    let artifacts = try BuildJob(partition: try #require(check.partition)).run()
    let board = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").standardizedFileURL
      .path
    #expect(
      artifacts.text("kernels/k0.sel4.cmake") == """
        # seL4 build settings for kernel 'k0' of sel4_smp_doorbell.plan.yaml, written by cleave build.
        # Use as an initial cache: cmake -C k0.sel4.cmake ... (with seL4's own toolchain options).
        set(KernelSel4Arch "aarch64" CACHE STRING "")
        set(KernelPlatform "qemu-arm-virt" CACHE STRING "")
        set(ARM_CPU "cortex-a57" CACHE STRING "")
        set(QEMU_GIC_VERSION "3" CACHE STRING "")
        set(KernelMaxNumNodes "4" CACHE STRING "")
        set(QEMU_DTS "\(board)" CACHE FILEPATH "")
        set(KernelCustomDTSOverlay "${CMAKE_CURRENT_LIST_DIR}/k0.overlay.dts" CACHE FILEPATH "")

        """)
    #expect(artifacts.text("kernels/k1.sel4.cmake") == nil)
  }

  /// On RISC-V the file names the kernel's first hart; a board QEMU did not
  /// make gets no platform, and says so.
  @Test func riscvAndUnknownPlatforms() throws {
    let plan = repositoryRoot.appendingPathComponent("Tests/Fixtures/checks/sel4_boot_hart.plan.yaml").path
    let check = PlanCheck.run(planPath: plan)
    let artifacts = try BuildJob(partition: try #require(check.partition)).run()
    let text = try #require(artifacts.text("kernels/k1.sel4.cmake"))
    #expect(text.contains("set(KernelPlatform \"qemu-riscv-virt\" CACHE STRING \"\")"))
    #expect(text.contains("set(KernelMaxNumNodes \"2\" CACHE STRING \"\")"))
    #expect(text.contains("# The kernel's first hart is 2;"))
    let riscvBoard = repositoryRoot.appendingPathComponent("dts/qemu-virt-riscv64.dts").standardizedFileURL
      .path
    #expect(text.contains("set(QEMU_DTS \"\(riscvBoard)\" CACHE FILEPATH \"\")"))

    let board = repositoryRoot.appendingPathComponent("dts/biglittle-a53-a72.dts").path
    let (other, _) = PlanParser.parse(
      """
      board: \(board)
      kernels:
        k0: { cores: [cluster0], memory: 64M, kind: sel4, owns: [interrupt-controller], devices: [serial0] }
      """, file: "/tmp/biglittle-sel4.plan.yaml")
    let parsed = try #require(other)
    let resolved = try #require(PlanCheck.run(plan: parsed).partition)
    let built = try BuildJob(partition: resolved).run()
    let unknown = try #require(built.text("kernels/k0.sel4.cmake"))
    #expect(!unknown.contains("set(KernelPlatform"))
    #expect(unknown.contains("# KernelPlatform: this board's seL4 platform; the tree (compatible"))
    #expect(unknown.contains("set(ARM_CPU \"cortex-a53\" CACHE STRING \"\")"))
    #expect(!unknown.contains("QEMU_DT"))
  }
}

/// The build writes its JSON files itself; they must stay what Foundation's
/// pretty-printed, sorted-keys encoder writes for the same values, and read
/// back through the Decodable conformances `cleave run` uses.
struct JSONLayoutTests {
  func encoderText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
  }

  @Test(arguments: examplePlans())
  func buildJSONMatchesTheEncoder(plan: String) throws {
    let p = try partition(plan)
    let artifacts = try BuildJob(partition: p).run()
    let report = BuildReport(p, artifacts: artifacts)
    #expect(report.json.text == (try encoderText(report)))
    let written = try #require(artifacts["report.json"])
    let read = try JSONDecoder().decode(BuildReport.self, from: Data(written))
    #expect(String(decoding: written, as: UTF8.self) == (try encoderText(read)))
    // Each listed digest was worked out by whichever task made the file:
    // every one must be the digest of the bytes that went to OUT.
    #expect(read.files.map(\.path) == artifacts.paths.filter { $0 != "report.json" })
    for f in read.files {
      let bytes = try #require(artifacts[f.path])
      #expect(f.size == bytes.count, "\(f.path)")
      #expect(f.sha256 == SHA256.hex(SHA256.hash(bytes)), "\(f.path)")
    }
    if let bytes = artifacts["boot/descriptor.json"] {
      let summary = try JSONDecoder().decode(DescriptorSummary.self, from: Data(bytes))
      #expect(String(decoding: bytes, as: UTF8.self) == (try encoderText(summary)))
      #expect(summary.json.text == String(decoding: bytes, as: UTF8.self))
    }
    if let bytes = artifacts["opensbi/placement.json"] {
      let placement = try JSONDecoder().decode(DomainPlacement.self, from: Data(bytes))
      #expect(String(decoding: bytes, as: UTF8.self) == (try encoderText(placement)))
    }
  }

  @Test func stringsAreEscapedAsTheEncoderDoes() throws {
    let awkward = ["", "a/b", "quote \" backslash \\", "\n\r\t\u{8}\u{c}\u{1}\u{1f}", "é ✓ \u{7f}"]
    #expect(awkward.json.text == (try encoderText(awkward)))
    let nested: [[String]] = [[], ["x"], []]
    #expect(nested.json.text == (try encoderText(nested)))
  }
}
