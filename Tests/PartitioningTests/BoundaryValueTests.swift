import DeviceTree
import Foundation
import Machine
import Testing

@testable import Partitioning

/// SplitMix64: a tiny seeded generator, so every run draws the same plans and a
/// failure names a case that can be replayed.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}

/// Random plans whose numbers sit on 64-bit edges (0, 1, 2^32 ± 1, 2^63,
/// 2^64 - 1, ranges ending exactly at 2^64) are parsed, resolved and checked
/// in this process: an arithmetic trap anywhere would kill the test run.
struct BoundaryValueTests {
  static let edges: [UInt64] = [
    0, 1, 0xfff, 0x1000, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0001,
    0x4000_0000, 0x4100_0000, 0xc000_0000, 1 << 62, (1 << 63) - 1, 1 << 63, (1 << 63) + 1,
    UInt64.max - 0xffff, UInt64.max - 0xfff, UInt64.max - 1, UInt64.max,
  ]

  /// A number as a plan might write it: decimal, hex, or with a size suffix when it divides.
  static func text(_ v: UInt64, _ rng: inout SplitMix64) -> String {
    switch rng.next() % 4 {
    case 0: return String(v)
    case 1 where v % (1 << 30) == 0 && v > 0: return "\(v >> 30)G"
    case 2 where v % (1 << 40) == 0 && v > 0: return "\(v >> 40)T"
    default: return "0x" + String(v, radix: 16)
    }
  }

  static func edge(_ rng: inout SplitMix64) -> UInt64 {
    let e = edges[Int(rng.next() % UInt64(edges.count))]
    switch rng.next() % 4 {
    case 0: return e
    case 1: return e &+ 1
    case 2: return e &- 1
    default: return rng.next()
    }
  }

  /// A base and a size, a third of the time ending exactly at 2^64.
  static func region(_ rng: inout SplitMix64) -> String {
    let base = edge(&rng)
    let size = rng.next() % 3 == 0 && base > 0 ? 0 &- base : edge(&rng)
    return "{ base: \(text(base, &rng)), size: \(text(size, &rng)) }"
  }

  static func plan(board: String, _ rng: inout SplitMix64) -> String {
    var lines = ["board: \(board)"]
    if rng.next() % 2 == 0 { lines.append("loader: \(region(&rng))") }
    lines.append("kernels:")
    let count = 1 + Int(rng.next() % 3)
    let cores = ["cluster0", "cluster1", "cpu@0", "cpu@1", "cpu@4"]
    for k in 0..<count {
      lines.append("  k\(k):")
      lines.append("    cores: [\(cores[Int(rng.next() % UInt64(cores.count))])]")
      switch rng.next() % 3 {
      case 0: lines.append("    memory: \(text(edge(&rng), &rng))")
      case 1:
        lines.append(
          "    memory: { size: \(text(edge(&rng), &rng)), align: \(text(edge(&rng), &rng)), numa: \(edge(&rng) % 3) }"
        )
      default: lines.append("    memory: [\(region(&rng)), \(region(&rng))]")
      }
      if rng.next() % 3 == 0 { lines.append("    interrupts: [\(text(edge(&rng), &rng))]") }
    }
    if count > 1 {
      lines.append("channels:")
      let base = rng.next() % 2 == 0 ? ", base: \(text(edge(&rng), &rng))" : ""
      lines.append("  - { between: [k0, k1], size: \(text(edge(&rng), &rng))\(base) }")
      lines.append("shared:")
      lines.append("  - { region: \(region(&rng)), kernels: [k0, k1] }")
    }
    if rng.next() % 2 == 0 {
      lines.append("doorbells: { first: \(text(edge(&rng), &rng)), count: \(text(edge(&rng), &rng)) }")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The default board and one whose RAM is every address but the last, as blobs
  /// (read by libfdt, so hundreds of plans stay fast).
  static func boards(in directory: URL) throws -> [String] {
    let top = """
      /dts-v1/;
      / {
        #address-cells = <2>;
        #size-cells = <2>;
        cpus {
          #address-cells = <1>;
          #size-cells = <0>;
          cpu@0 { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <0>; enable-method = "psci"; };
          cpu@1 { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <1>; enable-method = "psci"; };
        };
        memory@0 { device_type = "memory"; reg = <0x0 0x0 0xffffffff 0xffffffff>; };
        psci { compatible = "arm,psci-1.0"; method = "hvc"; };
      };
      """
    let trees = [
      try DeviceTree.load(boardPath("qemu-virt-aarch64-gicv3.dts")),
      try DTSCompiler().compile(source: Array(top.utf8), file: "top.dts"),
    ]
    return try trees.enumerated().map { i, tree in
      let path = directory.appendingPathComponent("board\(i).dtb").path
      try Data(try tree.blob()).write(to: URL(fileURLWithPath: path))
      return path
    }
  }

  @Test func randomPlansOnTheEdgesNeverTrap() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cleave-edges-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let boards = try Self.boards(in: directory)
    var rng = SplitMix64(state: 0x636c_6561_7665)
    var resolved = 0
    for n in 0..<300 {
      let text = Self.plan(board: boards[n % boards.count], &rng)
      let (plan, shape) = PlanParser.parse(text, file: directory.appendingPathComponent("plan\(n).yaml").path)
      guard let plan else {
        #expect(shape.contains { $0.severity == .error }, "case \(n): refused without an error:\n\(text)")
        continue
      }
      let result = PlanCheck.run(plan: plan, extra: shape)
      #expect(result.partition != nil, "case \(n): \(result.diagnostics.map(\.text))\n\(text)")
      for d in result.diagnostics where d.severity == .error {
        #expect(d.location != nil, "case \(n): an error without a place: \(d.text)")
      }
      resolved += 1
    }
    // Most draws must get past the parser, or the test proves little about the resolver.
    #expect(resolved > 150, "only \(resolved) of 300 plans parsed")
  }

  @Test(arguments: AutoPlanner.Grouping.allCases)
  func autoPlanOnRAMFillingTheAddressSpace(_ grouping: AutoPlanner.Grouping) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cleave-edges-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let board = try Self.boards(in: directory)[1]
    let machine = try Machine.load(board)
    let text = try AutoPlanner(machine: machine, boardReference: board, grouping: grouping).plan()
    let (plan, shape) = PlanParser.parse(text, file: directory.appendingPathComponent("auto.yaml").path)
    let parsed = try #require(plan, "\(shape.map(\.text))")
    let result = PlanCheck.run(plan: parsed)
    #expect(result.errors == 0, "\(result.diagnostics.map(\.text))\n\(text)")
  }
}

struct AddressRangeEdgeTests {
  @Test func aRangeEndingAt2To64IsExactAndDistinct() throws {
    let top = try #require(AddressRange(checkedBase: 0xffff_ffff_ffff_0000, size: 0x10000))
    let short = try #require(AddressRange(checkedBase: 0xffff_ffff_ffff_0000, size: 0xffff))
    #expect(top.end == AddressRange.addressSpaceEnd)
    #expect(short.end == AddressRange.addressSpaceEnd - 1)
    #expect(top.last == UInt64.max && short.last == UInt64.max - 1)
    #expect(top.description == "[0xffffffffffff0000, 0x10000000000000000)")
    #expect(short.description == "[0xffffffffffff0000, 0xffffffffffffffff)")
    #expect(top.reachesTop && !short.reachesTop)
    #expect(AddressRange(checkedBase: 0xffff_ffff_ffff_0000, size: 0x10001) == nil)
    #expect(AddressRange(checkedBase: UInt64.max, size: 1) != nil)
    #expect(AddressRange(checkedBase: UInt64.max, size: 2) == nil)
  }

  @Test func alignedAndIntersectionAtTheTop() throws {
    let all = try #require(AddressRange(checkedBase: 0, size: UInt64.max))
    let aligned = try #require(all.aligned(to: 2 << 20))
    #expect(aligned.base == 0 && aligned.end == AddressRange.addressSpaceEnd - (2 << 20))
    let top = try #require(AddressRange(checkedBase: UInt64.max - 0xfff, size: 0x1000))
    #expect(top.aligned(to: 0x1000) == top)
    #expect(top.aligned(to: 2 << 20) == nil)
    #expect(all.intersection(top) == AddressRange(base: UInt64.max - 0xfff, size: 0xfff))
    #expect(AddressRange(first: 0, last: UInt64.max) == nil, "2^64 bytes do not fit a 64-bit size")
    #expect(AddressRange(base: 5, end: AddressRange.addressSpaceEnd)?.last == UInt64.max)
  }
}
