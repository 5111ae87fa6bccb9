import DeviceTree
import Foundation
import Machine
import Partitioning
import Testing

@testable import Emit

/// domains → plan → domains.dts → domains: a System Device Tree's execution
/// domains, written as a plan (the YAML `plan --from-domains` writes, parsed
/// back), checked, built into `domains.dts`, appended to the board and read
/// again, are the same domains modulo ordering.
struct DomainsRoundTripTests {
  /// What a domain holds, in a form independent of order and of how it is
  /// spelt: its cores, its memory (shared ranges included), and the devices it
  /// holds (`access`, and the mmio-sram devices its `sram` ranges lie in).
  struct Held: Hashable, CustomStringConvertible {
    var cpus: Set<String>
    var memory: Set<AddressRange>
    var devices: Set<String>
    var description: String { "cpus \(cpus.sorted()) memory \(memory.sorted()) devices \(devices.sorted())" }
  }

  static func held(_ m: Machine) -> Set<Held> {
    Set(
      m.domains.filter { $0.parent == nil }.map { d in
        var devices = Set((d.access.map(\.node) + d.sramNodes).map { m.tree.path(of: $0) })
        for s in d.sram {
          if let dev = m.devices.first(where: { !$0.isBus && $0.mmio.contains { $0.contains(s.range) } }) {
            devices.insert(dev.path)
          }
        }
        return Held(
          cpus: Set(d.allCPUs.map { m.cpus[$0].path }), memory: Set(d.memory.map(\.range)), devices: devices)
      })
  }

  @Test(arguments: ["clean.dts"])
  func domainsSurviveAPlanAndBack(_ name: String) throws {
    let directory = repositoryRoot.appendingPathComponent("Tests/Fixtures/domains")
    let board = directory.appendingPathComponent(name).path
    let machine = try Machine.load(board)
    let domains = try DomainPlan.make(
      machine: machine, boardPath: board, boardReference: name,
      planFile: directory.appendingPathComponent("roundtrip.plan.yaml").path)

    // The YAML reads back to a plan that checks clean against the board.
    let (parsed, shape) = PlanParser.parse(domains.yaml, file: domains.plan.file)
    #expect(shape.isEmpty, "\(shape.map(\.text))")
    let plan = try #require(parsed)
    #expect(plan.kernels.map(\.name.value) == domains.plan.kernels.map(\.name.value))
    #expect(plan.foreign.map(\.name.value) == domains.plan.foreign.map(\.name.value))
    let result = PlanCheck.run(plan: plan)
    #expect(result.errors == 0, "\(result.diagnostics.map(\.text))")
    let partition = try #require(result.partition)

    let artifacts = try BuildJob(partition: partition).run()
    let text = try #require(artifacts.text("domains.dts"))
    let source = try String(contentsOfFile: board, encoding: .utf8) + "\n" + text
    // Compiled as a file beside the board, so its includes resolve as the board's do.
    let again = try Machine(
      tree: DTSCompiler().compile(
        source: Array(source.utf8), file: directory.appendingPathComponent("again.dts").path))
    #expect(again.unusable.isEmpty, "\(again.warnings)")
    #expect(again.domains.count == domains.plan.kernels.count + domains.plan.foreign.count)
    #expect(Self.held(again) == Self.held(machine), "\(Self.held(again)) vs \(Self.held(machine))")
  }

  /// The domains written reference the board's labels, or paths for nodes without one.
  @Test func domainsReferenceLabelsOrPaths() throws {
    let board = repositoryRoot.appendingPathComponent("Tests/Fixtures/sdt/two-clusters.dts").path
    let yaml = """
      board: two-clusters.dts
      kernels:
        k0:
          cores: [cpus_a78]
          memory: [{ base: 0x10000000, size: 256M }]
          devices: [serial0, /axi/ethernet@f19e0000]
      """
    let (parsed, _) = PlanParser.parse(
      yaml, file: repositoryRoot.appendingPathComponent("Tests/Fixtures/sdt/k.plan.yaml").path)
    let result = PlanCheck.run(plan: try #require(parsed))
    let text = DomainsSource.text(try #require(result.partition))
    #expect(text.contains("cpus = <&cpus_a78 0x3 0x2>;"), "\(text)")
    #expect(text.contains("access = <&serial0 0x0 &{/axi/ethernet@f19e0000} 0x0>;"), "\(text)")
    #expect(text.contains("/delete-node/ &{/domains};"))
    _ = board
  }
}
