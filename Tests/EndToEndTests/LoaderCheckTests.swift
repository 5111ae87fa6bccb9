import Foundation
import Testing

/// The loader's descriptor and partition checks (Sources/Loader/common/desc.c
/// and partition.c) built for the host with the Swift toolchain's clang, run
/// on images `cleave build` packed from the example plans: as built they are
/// accepted; re-sealed with one flaw each (so the CRC-32 passes and only the
/// partition check can object) they are refused with the loader's own console
/// line, formatted by its own log.c. Needs `make loader probe-images`.
@Suite("Loader checks on the host")
struct LoaderCheckTests {
  /// Compiles Tests/LoaderHost/check_image.c with the loader's common C into `dir`.
  static func driver(in dir: TemporaryDirectory) throws -> String {
    let swiftClang = "/opt/swift/usr/bin/clang"
    let clang = FileManager.default.isExecutableFile(atPath: swiftClang) ? swiftClang : try tool("clang")
    let root = repositoryRoot.path
    let common = ["desc.c", "partition.c", "crc32.c", "dt.c", "fmt.c", "log.c", "record.c"].map {
      "\(root)/Sources/Loader/common/\($0)"
    }
    let exe = dir.path("check_image")
    let r = try run(
      clang,
      [
        "-std=c11", "-Wall", "-Werror", "-Wstrict-prototypes", "-Wmissing-prototypes", "-O1",
        "-I\(root)/Sources/Loader", "-I\(root)/Sources/Loader/common", "-I\(root)/Sources/CBootABI/include",
      ] + common + ["\(root)/Tests/LoaderHost/check_image.c", "-o", exe], timeLimit: 120)
    try #require(r.status == 0 && !r.signalled, "compiling the host driver: \(r.summary)")
    return exe
  }

  /// Two kernels on the GICv3 board that each own a device, so the descriptor routes two SPIs.
  static func twoRoutes(in dir: TemporaryDirectory) throws -> String {
    let root = repositoryRoot.path
    let plan = """
      board: \(root)/dts/qemu-virt-aarch64-gicv3.dts
      target: aarch64
      boot: psci
      loader: { base: 0x40000000, size: 16M }
      kernels:
        k0:
          cores: [cluster0]
          memory: [{ base: 0x41000000, size: 64M }]
          devices: [/pl011@9000000]
          stdout: /pl011@9000000
          image: { path: \(root)/build/probes/aarch64-0x41000000.elf, protocol: elf }
          owns: [interrupt-controller]
        k1:
          cores: [cluster1]
          memory: [{ base: 0x45000000, size: 64M }]
          devices: [/pl031@9010000]
          image: { path: \(root)/build/probes/aarch64-0x45000000.elf, protocol: elf }
      """
    let path = try dir.write(Data(plan.utf8), to: "routes.plan.yaml")
    let out = dir.path("out")
    let r = try cleave(["build", path, "-o", out])
    try #require(r.status == 0, "build routes.plan.yaml: \(r.summary)")
    return out
  }

  /// Builds `plan` (an example in dts/, or "two-routes") into `dir`.
  static func build(_ plan: String, in dir: TemporaryDirectory) throws -> String {
    plan == "two-routes" ? try twoRoutes(in: dir) : try BootTests.build(plan, in: dir)
  }

  /// The driver's verdict on an image: its exit status and its one line.
  static func check(_ out: String, with driver: String) throws -> (status: Int32, line: String) {
    let r = try run(driver, [out + "/image.elf"])
    try #require(!r.crashed, "the host driver crashed: \(r.summary)")
    return (r.status, r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  @Test(
    "descriptors cleave builds pass the loader's checks",
    arguments: [
      "qemu-virt-aarch64-gicv2.plan.yaml", "qemu-virt-aarch64-gicv3.plan.yaml",
      "qemu-virt-aarch64-gicv3.mux.plan.yaml", "qemu-virt-riscv64.plan.yaml", "two-routes",
      "qemu-virt-aarch64-spin-table.plan.yaml",
    ])
  func accepted(plan: String) throws {
    let dir = try TemporaryDirectory()
    let driver = try Self.driver(in: dir)
    let verdict = try Self.check(try Self.build(plan, in: dir), with: driver)
    #expect(verdict.status == 0 && verdict.line == "accepted", "\(plan): \(verdict.line)")
  }

  /// One flaw a tool bug or a hand edit could put in a descriptor: the plan it
  /// starts from, the edit, and the line the loader must refuse it with.
  enum Flaw: String, CaseIterable, Sendable {
    case memoryOverlap
    case memoryOverlapRISCV
    case channelSharedWithNonMember
    case channelGrantOfNonMember
    case channelRegionUngranted
    case grantOverLoader
    case grantEndingAt2To64
    case segmentOutside
    case dtbOutside
    case cpuTwice
    case routeTwice
    case releaseInKernelMemory
    case reservedOverKernel

    var plan: String {
      switch self {
      case .memoryOverlapRISCV: "qemu-virt-riscv64.plan.yaml"
      case .routeTwice: "two-routes"
      case .releaseInKernelMemory: "qemu-virt-aarch64-spin-table.plan.yaml"
      case .reservedOverKernel: "qemu-virt-aarch64-gicv3.sel4-boot-info.plan.yaml"
      default: "qemu-virt-aarch64-gicv3.plan.yaml"
      }
    }

    /// Edits the descriptor and returns the message the loader must print.
    func apply(_ image: inout PackedImage) throws -> String {
      typealias P = PackedImage
      let k0 = try image.grant(image.grantIndex(kernel: 0))
      let (base0, size0) = (try image.read(k0, 8), try image.read(k0 + 8, 8))
      switch self {
      case .memoryOverlap, .memoryOverlapRISCV:
        // k1's memory now starts 16 MiB before k0's ends.
        let k1 = try image.grant(image.grantIndex(kernel: 1))
        let (base1, size1) = (base0 + size0 - (16 << 20), try image.read(k1 + 8, 8))
        try image.write(k1, 8, base1)
        return "k0 memory \(P.range(base0, size0)) overlaps k1 memory \(P.range(base1, size1))"
      case .channelSharedWithNonMember:
        // k2's memory moved up to end where channel 0 (k0-k1) ends: k2 is no member of it.
        let k2 = try image.grant(image.grantIndex(kernel: 2))
        let channel = try image.grant(image.grantIndex(kernel: 0, channel: 0))
        let (cbase, csize, size2) = (
          try image.read(channel, 8), try image.read(channel + 8, 8), try image.read(k2 + 8, 8)
        )
        let base2 = cbase + csize - size2
        try image.write(k2, 8, base2)
        return "k0 channel \(P.range(cbase, csize)) overlaps k2 memory \(P.range(base2, size2))"
      case .channelGrantOfNonMember:
        // k2's grant of channel 1 (k0-k2) claims channel 0 (k0-k1) instead.
        let index = try image.grantIndex(kernel: 2, channel: 1)
        try image.write(try image.grant(index) + 20, 4, 0)
        return "descriptor: grant: bad entry (\(P.hex(UInt64(index))))"
      case .channelRegionUngranted:
        // Channel 0 moved to free memory below the others: no member is granted it there.
        let channel = try image.channel(0)
        let (base, size) = (try image.read(channel + 16, 8) - 0x30000, try image.read(channel + 24, 8))
        try image.write(channel + 16, 8, base)
        return "k0-k1 channel \(P.range(base, size)) is outside the grants of k0"
      case .grantOverLoader:
        let (first, last) = try image.loaderRegion()
        let base = first + (last - first + 1) / 2
        try image.write(k0, 8, base)
        return "k0 memory \(P.range(base, size0)) overlaps the loader [\(P.hex(first)), \(P.hex(last))]"
      case .grantEndingAt2To64:
        // A range whose base + size is 0: in no bank, and no arithmetic may wrap it into one.
        try image.write(k0, 8, 0xffff_ffff_ffff_f000)
        try image.write(k0 + 8, 8, 0x1000)
        return "descriptor: grant: bad entry (0x0)"
      case .segmentOutside:
        // k1's segment (and entry, which must stay inside a segment) moved into k0's memory.
        let k1 = try image.kernel(1)
        let segment = try image.segment(Int(try image.read(k1 + 40, 4)))
        let size = try image.read(segment + 24, 8)
        try image.write(segment + 8, 8, base0)
        try image.write(k1 + 48, 8, base0)
        return "k1 segment \(P.range(base0, size)) is outside the grants of k1"
      case .dtbOutside:
        let kernel = try image.kernel(0)
        let k1 = try image.grant(image.grantIndex(kernel: 1))
        let (base, size) = (try image.read(k1, 8), try image.read(kernel + 64, 8))
        try image.write(kernel + 56, 8, base)
        return "k0 DTB \(P.range(base, size)) is outside the grants of k0"
      case .cpuTwice:
        // CPU table: k0 has entries 0-3, k1 4-5, k2 6-7; k2's boot CPU becomes k1's.
        try image.write(try image.cpu(6), 8, try image.read(try image.cpu(4), 8))
        return "CPU 0x4 is given to k1 and k2"
      case .routeTwice:
        let irq = try image.read(try image.route(0), 4)
        try image.write(try image.route(1), 4, irq)
        return "interrupt \(irq) is routed to k0 and k1"
      case .releaseInKernelMemory:
        // CPU table: k0 has entries 0-1, k1 2-3; cpu@3 now waits on a word of k0's memory.
        let release = base0 + 0x1000
        try image.write(try image.cpu(3) + 24, 8, release)
        return "CPU 0x3: release address \(P.hex(release)) lies in k0 memory"
      case .reservedOverKernel:
        // k0's second reserved region moved onto its kernel window: seL4 would loop without a word.
        let info = try image.bootInfo(0)
        let window = try image.read(info + 24, 8)
        try image.write(info + 352 + 16, 8, window)
        return "descriptor: k0: bad reserved region (\(P.hex(window)))"
      }
    }
  }

  @Test("a re-sealed descriptor with one flaw is refused with both parties named", arguments: Flaw.allCases)
  func refused(flaw: Flaw) throws {
    let dir = try TemporaryDirectory()
    let driver = try Self.driver(in: dir)
    let out = try Self.build(flaw.plan, in: dir)
    var image = try PackedImage(out)
    let message = try flaw.apply(&image)
    try image.seal()
    let verdict = try Self.check(out, with: driver)
    #expect(verdict.status == 1)
    #expect(verdict.line == "cleave|ERROR|cpu0: \(message); refusing to boot", "\(flaw)")
  }
}
