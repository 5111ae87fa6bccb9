import DeviceTree
import Foundation
import Testing

@testable import Partitioning

/// `isolation:` as written, resolved, and the device windows the EL2 fence maps.
struct IsolationParserTests {
  @Test func shortFormIsTheFenceWithItsDefaults() throws {
    let (plan, diagnostics) = PlanParser.parse(
      "board: b.dts\nisolation: stage2\nkernels:\n  k0: { cores: [cluster0] }\n", file: "p.yaml")
    #expect(diagnostics.isEmpty)
    let isolation = try #require(plan?.isolation)
    #expect(isolation.fence.value == .stage2)
    #expect(isolation.fence.location.description == "p.yaml:2:12")
    #expect(isolation.onFault == nil)
    #expect(isolation.power.isEmpty)
  }

  @Test func longFormKeepsEveryValueAndItsPlace() throws {
    let (plan, diagnostics) = PlanParser.parse(
      """
      board: b.dts
      isolation:
        fence: stage2
        on-fault: stop
        power: [k1, k0]
      kernels:
        k0: { cores: [cluster0], exception-level: el1 }
        k1: { cores: [cluster1] }
      """, file: "p.yaml")
    #expect(diagnostics.isEmpty)
    let p = try #require(plan)
    let isolation = try #require(p.isolation)
    #expect(isolation.onFault?.value == .stop)
    #expect(isolation.onFault?.location.description == "p.yaml:4:13")
    #expect(isolation.power.map(\.value) == ["k1", "k0"])
    #expect(isolation.location.description == "p.yaml:3:3")
    #expect(p.kernels[0].exceptionLevel?.value == .el1)
    #expect(p.kernels[1].exceptionLevel == nil)
    // One name stands for a list of one.
    let (single, _) = PlanParser.parse(
      "board: b.dts\nisolation: { fence: stage2, power: k1 }\nkernels:\n  k1: {}\n", file: "p.yaml")
    #expect(single?.isolation?.power.map(\.value) == ["k1"])
  }

  @Test(arguments: [
    (
      "isolation: stage3",
      "p.yaml:2:12: error[wrong_type]: isolation 'stage3' is not one of stage2 (did you mean 'stage2'?)"
    ),
    (
      "isolation: { fence: stage2, on_fault: stop }",
      "p.yaml:2:29: error[unknown_key]: unknown key 'on_fault' in isolation (did you mean 'on-fault'?)"
    ),
    (
      "isolation: { fence: stage2, on-fault: halt }",
      "p.yaml:2:39: error[wrong_type]: isolation.on-fault 'halt' is not one of inject, stop"
    ),
    ("isolation: { on-fault: stop }", "p.yaml:2:12: error[missing_key]: isolation needs 'fence' (stage2)"),
    (
      "isolation: [stage2]",
      "p.yaml:2:12: error[wrong_type]: isolation must be stage2 or a mapping { fence: stage2, on-fault: …, power: … }, found a list"
    ),
    (
      "isolation: { fence: stage2, power: { k0: yes } }",
      "p.yaml:2:36: error[wrong_type]: isolation.power must be a list, found a mapping"
    ),
  ])
  func badIsolationIsUnusable(_ line: String, _ expected: String) {
    let (plan, diagnostics) = PlanParser.parse(
      "board: b.dts\n\(line)\nkernels:\n  k0: { cores: [cluster0] }\n", file: "p.yaml")
    #expect(plan == nil)
    #expect(diagnostics.map(\.text) == [expected])
  }

  @Test func exceptionLevelIsEl1OrEl2() {
    let (plan, diagnostics) = PlanParser.parse(
      "board: b.dts\nkernels:\n  k0: { cores: [cluster0], exception-level: el3 }\n", file: "p.yaml")
    #expect(plan == nil)
    #expect(
      diagnostics.map(\.text) == [
        "p.yaml:3:45: error[wrong_type]: exception-level 'el3' is not one of el1, el2 (did you mean 'el1'?)"
      ])
  }
}

struct IsolationResolveTests {
  static func check(_ text: String) throws -> PlanCheck {
    let (plan, shape) = PlanParser.parse(text, file: "/tmp/isolation.plan.yaml")
    #expect(shape.isEmpty, "\(shape.map(\.text))")
    return PlanCheck.run(plan: try #require(plan))
  }

  @Test func powerNamesBecomeKernels() throws {
    let result = try Self.check(
      """
      board: \(boardPath("qemu-virt-aarch64-gicv3.dts"))
      isolation: { fence: stage2, on-fault: stop, power: [k1, k9, k1] }
      kernels:
        k0: { cores: [cluster0], memory: 64M }
        k1: { cores: [cluster1], memory: 64M }
      """)
    let isolation = try #require(result.partition?.isolation)
    #expect(isolation.power == [1])
    #expect(isolation.onFault == .stop)
    #expect(
      result.diagnostics.map(\.text) == [
        "/tmp/isolation.plan.yaml:2:57: error[kernel_unknown]: isolation.power names kernel 'k9', which the plan does not define (did you mean 'k0'?)"
      ])
  }

  @Test func noFenceWithoutTheKey() throws {
    let result = try Self.check(
      """
      board: \(boardPath("qemu-virt-aarch64-gicv3.dts"))
      kernels:
        k0: { cores: [cluster0], memory: 64M, devices: [/pl011@9000000], exception-level: el2 }
        k1: { cores: [cluster1], memory: 64M }
      """)
    let p = try #require(result.partition)
    #expect(p.isolation == nil)
    #expect(p.kernels[0].exceptionLevel == .el2)
    #expect(result.errors == 0, "el2 is fine without the fence: \(result.diagnostics.map(\.text))")
  }
}
