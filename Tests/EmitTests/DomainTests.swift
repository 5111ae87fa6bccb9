import DeviceTree
import Foundation
import Machine
import Testing

@testable import Emit
@testable import Partitioning

/// OpenSBI domains mode: what each domain may touch, the firmware's machine
/// tree, the kernels' fences and the placement that replaces the loader.
struct DomainTests {
  @Test func memoryIsSplitIntoNaturallyAlignedBlocks() {
    let blocks = Partition.napotBlocks(AddressRange(base: 0x8010_0000, size: 63 << 20))
    let sizes: [UInt64] = blocks.map(\.size)
    let mib: [UInt64] = [1, 2, 4, 8, 16, 32]
    #expect(sizes == mib.map { $0 << 20 })
    let first: UInt64? = blocks.first?.base
    let end: UInt64? = blocks.last.map { $0.base + $0.size }
    #expect(first == 0x8010_0000)
    #expect(end == 0x8400_0000)
    for b in blocks { #expect(b.base % b.size == 0) }
    #expect(
      Partition.napotBlocks(AddressRange(base: 0x8800_0000, size: 64 << 20)) == [
        AddressRange(base: 0x8800_0000, size: 64 << 20)
      ])
  }

  /// Harts 2-3 have PLIC S-mode contexts 5 and 7: k1 gets their enable blocks
  /// and context pages and nothing of contexts 1 and 3; the priority page is
  /// read-only to a kernel without sources; the SSWI goes to channel members.
  @Test func domainsGetTheirOwnInterruptControllerBlocks() throws {
    let p = try partition("qemu-virt-riscv64-aclint.plan.yaml")
    let k1 = p.domainRegions(of: p.kernels[1])
    let mmio: Set<UInt64> = Set(k1.filter(\.mmio).map(\.range.base))
    let own: Set<UInt64> = [0xc00_2280, 0xc00_2380, 0xc20_5000, 0xc20_7000, 0x2f0_0000]
    let foreign: Set<UInt64> = [0xc00_2080, 0xc00_2180, 0xc20_1000, 0xc20_3000]
    #expect(mmio.isSuperset(of: own))
    #expect(mmio.isDisjoint(with: foreign))
    #expect(k1.first { $0.range.base == 0xc00_0000 }?.access == .read)
    let k0 = p.domainRegions(of: p.kernels[0])
    #expect(k0.first { $0.range.base == 0xc00_0000 }?.access == .readWrite)
    #expect(k0.contains { $0.range.base == 0x1000_0000 && $0.purpose.contains("serial") })

    let uboot = try partition("qemu-virt-riscv64-aclint.u-boot.plan.yaml")
    #expect(
      !uboot.domainRegions(of: uboot.kernels[1]).contains { $0.range.base == 0x2f0_0000 },
      "no channel, so no SSWI grant")
  }

  @Test func machineTreeNamesEveryRegionOnceAndEveryDomainItsRegions() throws {
    let p = try partition("qemu-virt-riscv64-aclint.u-boot.plan.yaml")
    let tree = OpenSBIDomains.machineTree(p)
    let config = try #require(tree.node(path: "/chosen/opensbi-domains"))
    let children = tree.descendants(of: config).filter { tree.parent(of: $0) == config }
    let names = children.map { tree[$0].name }
    #expect(Set(names).count == names.count, "duplicate node names: \(names)")
    for k in p.kernels {
      let domain = try #require(tree.node(path: "/chosen/opensbi-domains/domain@\(k.index)"))
      let regions = try #require(tree.property("regions", of: domain)?.cells)
      #expect(regions.count == 2 * p.domainRegions(of: k).count)
      let arg1 = try #require(tree.property("next-arg1", of: domain)?.cells)
      #expect(UInt64(arg1[0]) << 32 | UInt64(arg1[1]) == k.dtb?.base)
    }
  }

  @Test func kernelsLearnTheirFencesOnlyInDomainsMode() throws {
    let p = try partition("qemu-virt-riscv64-aclint.plan.yaml")
    let artifacts = try BuildJob(partition: p).run()
    let k0 = try #require(artifacts.text("kernels/k0.dts"))
    #expect(k0.contains("boot-mode = \"opensbi-domains\";"))
    #expect(k0.contains("fenced = <0x00 0x88000000>;"))
    #expect(k0.contains("fenced-kernels = \"k1\";"))
    let hsm = try BuildJob(partition: try partition("qemu-virt-riscv64.plan.yaml")).run()
    #expect(!(hsm.text("kernels/k0.dts") ?? "").contains("fenced"))
  }

  /// Without a loader, the placement carries everything the loader would put
  /// in memory: each DTB at its slot, each image flat at its lowest segment,
  /// each channel header with its magic.
  @Test func placementReplacesTheLoader() throws {
    let p = try partition("qemu-virt-riscv64-aclint.plan.yaml")
    var job = BuildJob(partition: p)
    job.options.loader = [0x13, 0, 0, 0]
    let artifacts = try job.run()
    #expect(artifacts["image.elf"] == nil, "no loader image in domains mode")
    let json = try #require(artifacts["opensbi/placement.json"])
    let placement = try JSONDecoder().decode(DomainPlacement.self, from: Data(json))
    let at = Dictionary(placement.load.map { ($0.file, $0.address) }, uniquingKeysWith: { a, _ in a })
    #expect(at["kernels/k0.dtb"] == Format.hex(try #require(p.kernels[0].dtb?.base)))
    #expect(at["opensbi/k1.image.bin"] == "0x88000000")
    let header = try #require(artifacts["opensbi/channel-k0-k1.bin"])
    #expect(Array(header.prefix(4)) == Array("CHAN".utf8))
    for item in placement.load { #expect(artifacts[item.file] != nil, "\(item.file) listed but not written") }
    // The flat image holds each ELF segment's file bytes at its offset from the base.
    let image = try #require(p.kernels[1].image)
    let file = [UInt8](try #require(FileManager.default.contents(atPath: image.path)))
    let flat = try #require(artifacts["opensbi/k1.image.bin"])
    for s in image.segments {
      let at = Int(s.address - 0x8800_0000)
      #expect(
        Array(flat[at..<(at + Int(s.fileSize))]) == Array(file[Int(s.offset)..<Int(s.offset + s.fileSize)]))
    }
  }

  /// Segments land at their offsets from the lowest one, with zeros between
  /// them and for bss; a segment whose bytes run past the file is an error.
  @Test func flatImagesKeepSegmentsInPlace() throws {
    let file: [UInt8] = [1, 2, 3, 4, 9, 9, 5, 6]
    let image = KernelImage(
      format: .elf, path: "k.elf", fileSize: 8,
      segments: [
        .init(offset: 0, address: 0x8000_1000, fileSize: 4, memorySize: 4),
        .init(offset: 6, address: 0x8000_3000, fileSize: 2, memorySize: 8),
      ],
      entry: 0x8000_1000, textOffset: nil, imageSize: nil, flags: nil, machine: 243, loadAddress: nil)
    let placed = image.segments.map { AddressRange(base: $0.address, size: $0.memorySize) }
    let (base, flat) = try DomainPlacement.flatten(image, placed: placed, bytes: file, kernel: "k0")
    #expect(base == 0x8000_1000)
    #expect(flat.count == 0x2008)
    #expect(Array(flat[0..<4]) == [1, 2, 3, 4])
    #expect(flat[4..<0x2000].allSatisfy { $0 == 0 })
    #expect(Array(flat[0x2000..<0x2002]) == [5, 6])
    #expect(flat[0x2002...].allSatisfy { $0 == 0 })
    #expect(throws: DomainPlacement.Failure.self) {
      try DomainPlacement.flatten(image, placed: placed, bytes: Array(file.prefix(7)), kernel: "k0")
    }
  }
}
