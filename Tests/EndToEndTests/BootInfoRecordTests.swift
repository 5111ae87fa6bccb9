import Foundation
import Testing

/// The seL4 boot-info records the loader would write, read back as the kernel
/// reads them: the packed image's descriptor goes through the host build of
/// the loader's own C (desc.c checks it, record.c writes each record), and
/// every field is compared with the plan as `cleave build` resolved it
/// (report.json: each kernel's memory, cores and channels) and the board
/// (`cleave inspect`: the cores in board order). Needs `make loader probe-images`.
@Suite("seL4 boot-info records on the host")
struct BootInfoRecordTests {
  /// `[0x41000000, 0x43000000)` as (base, end).
  static func range(_ text: String) throws -> (UInt64, UInt64) {
    let parts = text.trimmingCharacters(in: CharacterSet(charactersIn: "[)")).components(separatedBy: ", ")
    let values = parts.compactMap { UInt64($0.dropFirst(2), radix: 16) }
    try #require(values.count == 2, "not a range: \(text)")
    return (values[0], values[1])
  }

  static func hex(_ text: Substring) -> UInt64? { UInt64(text.dropFirst(2), radix: 16) }

  /// One record as the driver printed it.
  struct Record {
    var kernel = ""
    var magic: UInt64 = 0
    var version = -1
    var node = -1
    var rootEntry: UInt64 = 0
    var counts: [Int] = []
    var kernelRegion: [(UInt64, UInt64)] = []
    var ram: [(UInt64, UInt64)] = []
    var root: [(UInt64, UInt64, UInt64)] = []
    var reserved: [(UInt64, UInt64)] = []
    var mpidrs: [UInt64] = []
  }

  static func parse(_ text: String) -> [Record] {
    var records: [Record] = []
    for line in text.split(separator: "\n") {
      let f = line.split(separator: " ")
      guard let key = f.first else { continue }
      if key == "record" {
        records.append(Record(kernel: String(f[1])))
        continue
      }
      guard !records.isEmpty else { continue }
      let n = f.dropFirst().compactMap(hex)
      switch key {
      case "magic":
        records[records.count - 1].magic = hex(f[1]) ?? 0
        records[records.count - 1].version = Int(f[3]) ?? -1
        records[records.count - 1].rootEntry = hex(f[5]) ?? 0
        records[records.count - 1].node = Int(f[7]) ?? -1
      case "counts": records[records.count - 1].counts = f.dropFirst().compactMap { Int($0) }
      case "kernel": records[records.count - 1].kernelRegion.append((n[0], n[1]))
      case "ram": records[records.count - 1].ram.append((n[0], n[1]))
      case "root": records[records.count - 1].root.append((n[0], n[1], n[2]))
      case "reserved": records[records.count - 1].reserved.append((n[0], n[1]))
      case "mpidr": records[records.count - 1].mpidrs.append(n[0])
      default: continue
      }
    }
    return records
  }

  /// A little-endian field of a file.
  static func le(_ b: Data, _ at: Int, _ n: Int) -> UInt64 {
    (0..<n).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(b[b.startIndex + at + $1]) }
  }

  @Test(
    "every record says what the plan says",
    arguments: [
      "qemu-virt-aarch64-gicv2.sel4-boot-info.plan.yaml", "qemu-virt-aarch64-gicv3.sel4-boot-info.plan.yaml",
    ])
  func recordsMatchThePlan(plan: String) throws {
    let dir = try TemporaryDirectory()
    let driver = try LoaderCheckTests.driver(in: dir)
    let out = try BootTests.build(plan, in: dir)
    let r = try run(driver, ["--records", out + "/image.elf"])
    try #require(r.status == 0 && !r.crashed, "\(r.summary)")
    let records = Self.parse(r.stdoutText)
    #expect(!r.stdoutText.contains("length mismatch"), "\(r.stdoutText)")

    let report = try #require(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json")))
        as? [String: Any])
    let kernels = try #require(report["kernels"] as? [[String: Any]])
    let channels = try #require(report["channels"] as? [[String: Any]])
    let loader = try Self.range(try #require(report["loader"] as? String))
    let inspect = try cleave(["inspect", try #require(report["board"] as? String), "--format", "json"])
    let board = try #require(JSONSerialization.jsonObject(with: inspect.stdout) as? [String: Any])
    let cpus = try #require(board["cpus"] as? [[String: Any]])
    let cpuNames = cpus.compactMap { $0["name"] as? String }
    let cpuIDs = cpus.compactMap { ($0["id"] as? String).flatMap { Self.hex(Substring($0)) } }

    try #require(records.count == kernels.count, "\(r.stdoutText)")
    // One kernel ELF serves every kernel: the image packs its bytes once (cleave_kernel.image_offset at 104).
    let packed = try PackedImage(out)
    let offsets = try (0..<kernels.count).map { try packed.read(try packed.kernel($0) + 104, 8) }
    #expect(Set(offsets).count == 1, "image offsets \(offsets)")
    for (record, k) in zip(records, kernels) {
      let name = try #require(k["name"] as? String)
      #expect(record.kernel == name)
      #expect(record.magic == 0x7365_4c34 && record.version == 0, "\(name)")
      #expect(record.counts == [1, record.ram.count, 1, record.reserved.count, cpuIDs.count], "\(name)")
      // Node: its one core's place among the board's cores, which is the MPIDR list.
      let cores = try #require(k["cpus"] as? [String])
      #expect(cores.count == 1)
      #expect(record.node == cpuNames.firstIndex(of: cores[0]), "\(name) node")
      #expect(record.mpidrs == cpuIDs, "\(name) MPIDRs")
      // RAM: exactly the kernel's memory, ascending.
      let memory = try (k["memory"] as? [String] ?? []).map(Self.range).sorted { $0.0 < $1.0 }
      #expect(record.ram.map { [$0.0, $0.1] } == memory.map { [$0.0, $0.1] }, "\(name) RAM")
      // The kernel region starts its first memory range, 2 MiB aligned and sized; the root task follows it.
      let first = try Self.range(try #require((k["memory"] as? [String])?.first))
      let window = try #require(record.kernelRegion.first)
      #expect(window.0 == first.0 && window.0 % 0x20_0000 == 0 && (window.1 - window.0) % 0x20_0000 == 0)
      let image = try Data(contentsOf: URL(fileURLWithPath: try #require(k["image"] as? String)))
      // The probe is one PT_LOAD at 0xffffffffff000000: its memsz must fit the window.
      let phoff = Int(Self.le(image, 32, 8))
      #expect(Self.le(image, phoff + 40, 8) <= window.1 - window.0, "\(name) window")
      let root = try #require(record.root.first)
      #expect(root.0 == window.1 && root.1 > root.0, "\(name) root task region")
      let rootELF = try Data(
        contentsOf: URL(
          fileURLWithPath: repositoryRoot.appendingPathComponent("build/probes/aarch64-0x400000.elf").path))
      #expect(record.rootEntry == Self.le(rootELF, 24, 8) && root.2 == 0x400000, "\(name) root task entry")
      // Reserved: its own channels first; everyone else's memory, every channel and the loader inside.
      let own = try channels.filter { ($0["members"] as? [String] ?? []).contains(name) }
        .map { try Self.range(try #require($0["region"] as? String)) }
      let lowestOwn = try #require(own.min { $0.0 < $1.0 })
      let firstReserved = try #require(record.reserved.first)
      #expect(firstReserved.0 <= lowestOwn.0 && lowestOwn.1 <= firstReserved.1, "\(name): first reserved")
      // seL4 hands the first reserved region to the root task: never another kernel's memory, nor the loader.
      var foreign = [loader]
      for other in kernels where other["name"] as? String != name {
        foreign += try (other["memory"] as? [String] ?? []).map(Self.range)
      }
      for m in foreign {
        #expect(
          m.1 <= firstReserved.0 || firstReserved.1 <= m.0, "\(name): first reserved holds foreign memory")
      }
      var mustBeReserved = [loader]
      mustBeReserved += try channels.map { try Self.range(try #require($0["region"] as? String)) }
      for other in kernels where other["name"] as? String != name {
        mustBeReserved += try (other["memory"] as? [String] ?? []).map(Self.range)
      }
      for m in mustBeReserved {
        #expect(
          record.reserved.contains { $0.0 <= m.0 && m.1 <= $0.1 },
          "\(name): [\(String(m.0, radix: 16)), \(String(m.1, radix: 16))) is not reserved")
      }
      for (i, a) in record.reserved.enumerated() {
        #expect(a.0 < a.1)
        #expect(
          !(a.0 < root.1 && window.0 < a.1), "\(name): a reserved region overlaps the kernel or root task")
        for b in record.reserved.dropFirst(i + 1) {
          #expect(a.1 <= b.0 || b.1 <= a.0, "\(name): reserved regions overlap")
        }
      }
    }
  }
}
