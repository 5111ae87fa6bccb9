import DeviceTree
import Foundation
import Machine
import Testing

@testable import Partitioning

/// `plan --auto` on a System Device Tree partitions the clusters cleave can boot
/// and names the others in the plan; `check` refuses a kernel on a foreign core.
struct SystemDeviceTreePlanTests {
  let board = repositoryRoot.appendingPathComponent("Tests/Fixtures/sdt/two-clusters.dts").path

  func autoPlan(_ grouping: AutoPlanner.Grouping) throws -> (String, PlanCheck) {
    let text = try AutoPlanner(machine: try Machine.load(board), boardReference: board, grouping: grouping)
      .plan()
    let (plan, shape) = PlanParser.parse(text, file: "/tmp/auto-two-clusters.plan.yaml")
    #expect(shape.isEmpty, "auto plan has shape errors: \(shape.map(\.text))")
    return (text, PlanCheck.run(plan: try #require(plan)))
  }

  @Test(arguments: [AutoPlanner.Grouping.l2, .cluster, .core])
  func autoPlanBootsOnlyTheAArch64Cluster(grouping: AutoPlanner.Grouping) throws {
    let (text, result) = try autoPlan(grouping)
    #expect(result.errors == 0 && result.warnings == 0, "\(result.diagnostics.map(\.text))")
    let p = try #require(result.partition)
    #expect(
      Set(p.kernels.flatMap(\.cpus).map { p.machine.cpus[$0].path }) == [
        "/cpus-a78@0/cpu@0", "/cpus-a78@0/cpu@100",
      ])
    #expect(
      text.contains(
        "# Cluster cpus_r52 (/cpus-r52@0): 2 arm-r cores left to other software; cleave boots only aarch64 kernels."
      ))
    // k0 gets only what the A78s' address map reaches: not the R52s' TCM.
    #expect(
      p.kernels[0].devices.map { p.machine.devices[$0].path } == [
        "/axi/serial@f1920000", "/axi/serial@f1930000", "/axi/ethernet@f19e0000",
      ])
  }

  @Test func clusterLabelNamesItsCores() throws {
    let (text, _) = try autoPlan(.cluster)
    #expect(text.contains("cores: [cpus_a78]"))
  }

  /// RAM a cluster's address-map does not map is not the cluster's: plan --auto
  /// and the resolver place its kernels' memory only in what it reaches.
  @Test func memoryStaysWhereTheClusterReaches() throws {
    let board = repositoryRoot.appendingPathComponent("Tests/Fixtures/sdt/partial-reach.dts").path
    let machine = try Machine.load(board)
    #expect(machine.memory.contains { $0.range.base == 0x8_0000_0000 })
    let text = try AutoPlanner(machine: machine, boardReference: board, grouping: .core).plan()
    let (plan, shape) = PlanParser.parse(text, file: "/tmp/auto-partial-reach.plan.yaml")
    #expect(shape.isEmpty, "\(shape.map(\.text))")
    let result = PlanCheck.run(plan: try #require(plan))
    #expect(result.errors == 0, "\(result.diagnostics.map(\.text))")
    let p = try #require(result.partition)
    for k in p.kernels {
      for m in k.memory { #expect(m.range.last < 0x8000_0000, "\(k.name): \(m.range)") }
    }
  }
}
