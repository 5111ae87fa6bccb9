import DeviceTree
import Foundation
import Machine
import Partitioning
import Testing

@testable import Emit

/// A device keeps what it depends on: the trees `build` writes hold every
/// device the plan assigns, with its providers, and report.json says so.
struct ClosureTests {
  /// Checks and builds `plan` (YAML text) in `dir`; the check must find no error.
  func build(_ plan: String, in dir: URL) throws -> (PlanCheck, Artifacts) {
    let path = dir.appendingPathComponent("test.plan.yaml").path
    try plan.write(toFile: path, atomically: true, encoding: .utf8)
    let checked = PlanCheck.run(planPath: path)
    let errors = checked.diagnostics.filter { $0.severity == .error }
    #expect(errors.isEmpty, "\(checked.diagnostics.map(\.text))")
    let partition = try #require(checked.partition)
    return (checked, try BuildJob(partition: partition).run())
  }

  /// Every phandle in `property` of `node` names a node of `tree`.
  func resolves(_ tree: DeviceTree, _ node: NodeID, _ property: String) throws -> Bool {
    let p = try #require(tree.property(property, of: node), "\(tree.path(of: node)) has no \(property)")
    let uses = tree.uses(in: p, of: node)
    return !uses.isEmpty && uses.allSatisfy { $0.target.map(tree.isAttached) ?? false }
  }

  /// The Raspberry Pi 4's UART takes its clocks from cprman and its pins from
  /// the gpio block; no kernel owns either. The UART stays in k0's tree with
  /// both, /chosen/stdout-path and /aliases name it, and report.json lists the
  /// providers; `shared:` silences the warning for the one it names.
  @Test func raspberryPi4KeepsItsUARTAndWhatItNeeds() throws {
    let board = "broadcom/bcm2711-rpi-4-b.dtb"
    guard FileManager.default.fileExists(atPath: "\(ShippedBoardCutTests.directory)/\(board)") else {
      Issue.record("no build/linux/dtbs/\(board); run make linux")
      return
    }
    let dir = try scratch()
    defer { remove(dir) }
    let boardPath = "\(ShippedBoardCutTests.directory)/\(board)"
    // The first RAM bank the Pi 4's firmware reports: its tree names none.
    let plan = """
      board: \(boardPath)
      boot: spin-table
      ram: [{ base: 0x0, size: 948M }]
      kernels:
        k0:
          cores: [cpu@0, cpu@1]
          memory: 64M
          devices: [serial0]
          stdout: serial0
        k1:
          cores: [cpu@2, cpu@3]
          memory: 64M

      """
    let (checked, artifacts) = try build(plan, in: dir)
    let shared = checked.diagnostics.filter { $0.check == CheckID.deviceProviderShared.rawValue }
    #expect(shared.contains { $0.message.contains("cprman") || $0.message.contains("/soc/cprman@7e101000") })
    #expect(shared.contains { $0.message.contains("/soc/gpio@7e200000") })

    let tree = try DeviceTree(blob: try #require(artifacts["kernels/k0.dtb"]))
    let uart = try #require(tree.resolve("serial0"), "k0's /aliases lost serial0")
    #expect(tree.isAttached(uart))
    #expect(try resolves(tree, uart, "clocks"))
    #expect(try resolves(tree, uart, "pinctrl-0"))
    let chosen = try #require(tree.node(path: "/chosen"))
    let stdout = try #require(tree.property("stdout-path", of: chosen)?.string)
    #expect(tree.resolve(String(stdout.split(separator: ":")[0])) == uart)
    #expect(tree.danglingReferences().isEmpty)

    let report = try JSONDecoder().decode(
      BuildReport.self, from: Data((artifacts.text("report.json") ?? "").utf8))
    let k0 = try #require(report.kernels.first { $0.name == "k0" })
    #expect(k0.devices == [tree.path(of: uart)])
    #expect(
      k0.providers.contains { $0.device == "/soc/cprman@7e101000" && $0.neededBy == tree.path(of: uart) })
    #expect(k0.providers.contains { $0.device == "/soc/gpio@7e200000" })
    #expect(artifacts.text("map.txt")?.contains("(k0)") == true)

    // Declared shared hardware is no longer a finding.
    let declared = plan + "shared:\n  - { device: /soc/cprman@7e101000, kernels: [k0] }\n"
    let (again, _) = try build(declared, in: dir)
    #expect(
      !again.diagnostics.contains {
        $0.check == CheckID.deviceProviderShared.rawValue && $0.message.contains("/soc/cprman@7e101000,")
      })
  }

  /// On the big.LITTLE board, serial0 and ethernet0 (clocks, resets, power
  /// domain, pins, phy, iommu) are in the trees of the kernels given them.
  @Test func bigLittleDevicesSurviveTheCut() throws {
    let dir = try scratch()
    defer { remove(dir) }
    let plan = """
      board: \(repositoryRoot.appendingPathComponent("dts/biglittle-a53-a72.dts").path)
      kernels:
        k0:
          cores: [cluster0]
          memory: 256M
          devices: [serial0]
        k1:
          cores: [cluster1]
          memory: 256M
          devices: [ethernet0]

      """
    let (_, artifacts) = try build(plan, in: dir)
    for (kernel, alias) in [("k0", "serial0"), ("k1", "ethernet0")] {
      let tree = try DeviceTree(blob: try #require(artifacts["kernels/\(kernel).dtb"]))
      let node = try #require(tree.resolve(alias), "\(kernel) has no \(alias)")
      #expect(tree.isAttached(node))
      #expect(tree.danglingReferences().isEmpty, "\(kernel): \(tree.danglingReferences())")
    }
  }

  /// A provider another kernel owns stays in the dependent kernel's tree, and the warning says so.
  @Test func foreignProviderIsKeptAndNamed() throws {
    let dir = try scratch()
    defer { remove(dir) }
    let plan = """
      board: \(repositoryRoot.appendingPathComponent("dts/biglittle-a53-a72.dts").path)
      kernels:
        k0:
          cores: [cluster0]
          memory: 256M
          devices: [ccu]
        k1:
          cores: [cluster1]
          memory: 256M
          devices: [ethernet0]

      """
    let (checked, artifacts) = try build(plan, in: dir)
    let foreign = try #require(
      checked.diagnostics.first { $0.check == CheckID.deviceProviderForeign.rawValue })
    #expect(foreign.message.contains("'k0'") && foreign.message.contains("'k1'"))
    let ccu = try #require(checked.partition?.machine.devices.first { $0.labels.contains("ccu") })
    let tree = try DeviceTree(blob: try #require(artifacts["kernels/k1.dtb"]))
    #expect(tree.node(path: ccu.path).map(tree.isAttached) == true, "k1's tree lost \(ccu.path)")
  }
}
