import DeviceTree
import Foundation
import Testing

@testable import Partitioning

struct NumberTests {
  @Test func sizesAndNumbers() throws {
    #expect(try Numbers.size("64K") == 65536)
    #expect(try Numbers.size("2M") == 2 << 20)
    #expect(try Numbers.size("1GiB") == 1 << 30)
    #expect(try Numbers.size("0x1000") == 4096)
    #expect(try Numbers.size("4096") == 4096)
    #expect(throws: Numbers.Failure.badSuffix("Q")) { try Numbers.size("256Q") }
    #expect(throws: Numbers.Failure.overflow) { try Numbers.size("17179869184G") }
    #expect(throws: Numbers.Failure.overflow) { try Numbers.parse("0x1_0000_0000_0000_0000") }
    #expect(throws: Numbers.Failure.notANumber) { try Numbers.parse("0xZZ") }
    #expect(try Numbers.parse("0x4000_0000") == 0x4000_0000)
    #expect(try Numbers.parse("18446744073709551615") == UInt64.max)
    #expect(throws: Numbers.Failure.overflow) { try Numbers.parse("18446744073709551616") }
    #expect(try Numbers.parse("_0x1_0") == 16)
    #expect(throws: Numbers.Failure.notANumber) { try Numbers.parse("12a") }
    #expect(throws: Numbers.Failure.notANumber) { try Numbers.parse("0x") }
    #expect(throws: Numbers.Failure.notANumber) { try Numbers.parse("") }
    #expect(throws: Numbers.Failure.notANumber) { try Numbers.parse("٣") }
    #expect(try Numbers.size(" 64 K\t") == 65536)
    #expect(try Numbers.size("\u{a0}2M\u{2009}") == 2 << 20)
    #expect(throws: Numbers.Failure.notANumber) { try Numbers.size("  ") }
  }
}

struct OverlapTests {
  /// The sweep must report exactly the pairs a quadratic scan finds.
  @Test func sweepMatchesPairwiseScan() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<50 {
      let ranges = (0..<60).map { _ in
        AddressRange(
          base: UInt64.random(in: 0..<10_000, using: &generator),
          size: UInt64.random(in: 0..<400, using: &generator))
      }
      var expected = Set<[Int]>()
      for i in ranges.indices {
        for j in ranges.indices where i < j && ranges[i].overlaps(ranges[j]) { expected.insert([i, j]) }
      }
      let found = Set(Overlaps.pairs(ranges).map { [min($0.0, $0.1), max($0.0, $0.1)] })
      #expect(found == expected)
    }
  }

  @Test func rangesAtTheTopOfTheAddressSpace() {
    let top = AddressRange(base: UInt64.max - 0xfff, size: 0x1000)
    let below = AddressRange(base: UInt64.max - 0x1fff, size: 0x1001)
    #expect(Overlaps.pairs([top, below]).count == 1)
  }
}

struct ParserTests {
  @Test func valuesKeepTheirPositions() throws {
    let (plan, diagnostics) = PlanParser.parse(
      """
      board: b.dts
      kernels:
        k0:
          cores: [cluster0, 0x100]
          memory: { size: 256M, align: 2M }
      channels:
        - { between: [k0, k1], size: 64K }
      """, file: "p.yaml")
    #expect(diagnostics.isEmpty)
    let p = try #require(plan)
    #expect(p.kernels[0].cores.map(\.value) == ["cluster0", "0x100"])
    #expect(p.kernels[0].cores[1].location.description == "p.yaml:4:23")
    guard case .sized(let size, let align, _)? = p.kernels[0].memory else {
      Issue.record("memory should be sized")
      return
    }
    #expect(size.value == 256 << 20)
    #expect(size.location.description == "p.yaml:5:21")
    #expect(align?.value == 2 << 20)
    #expect(p.channels[0].between.map(\.value) == ["k0", "k1"])
  }

  @Test func unknownKeySuggestsTheNearest() {
    let (plan, diagnostics) = PlanParser.parse(
      "board: b.dts\nkernels:\n  k0:\n    memroy: 1G\n", file: "p.yaml")
    #expect(plan == nil)
    #expect(
      diagnostics.map(\.text) == [
        "p.yaml:4:5: error[unknown_key]: unknown key 'memroy' in kernel 'k0' (did you mean 'memory'?)"
      ])
  }

  @Test func duplicateKeysAndBadYAML() {
    let (_, dup) = PlanParser.parse("board: a\nboard: b\nkernels: {}\n", file: "p.yaml")
    #expect(dup.first?.check == "duplicate_key")
    let (_, bad) = PlanParser.parse("board: [a\n", file: "p.yaml")
    #expect(bad.first?.check == "plan_syntax")
    #expect(bad.first?.location?.line == 2)
  }
}

struct DocumentationTests {
  /// The README's check table lists every check id, so the documentation cannot fall behind.
  @Test func readmeListsEveryCheck() throws {
    let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
    for id in CheckID.allCases {
      #expect(readme.contains("| `\(id.rawValue)` | \(id.summary) |"), "README lacks \(id.rawValue)")
    }
  }
}

struct DoorbellRangeTests {
  /// Found on review: a first SGI near 2^32 used to overflow while numbering doorbells.
  @Test func doorbellsOutsideTheSGIsAreAnErrorNotATrap() throws {
    let text = """
      board: \(boardPath("qemu-virt-aarch64-gicv3.dts"))
      doorbells: { first: 0xffffffff }
      kernels:
        a: { cores: [cluster0], memory: 64M }
        b: { cores: [cpu@4], memory: 64M }
        c: { cores: [cpu@5], memory: 64M }
      channels:
        - { between: [a, b] }
        - { between: [a, c] }
      """
    let (plan, shape) = PlanParser.parse(text, file: "/tmp/doorbells.plan.yaml")
    #expect(shape.isEmpty)
    let result = PlanCheck.run(plan: try #require(plan))
    #expect(result.diagnostics.filter { $0.severity == .error }.map(\.check) == ["doorbells_exhausted"])
    #expect(
      result.diagnostics.first { $0.check == "doorbells_exhausted" }?.message
        == "doorbells SGI 4294967295 + 8 do not fit SGIs 0-15")
  }
}
