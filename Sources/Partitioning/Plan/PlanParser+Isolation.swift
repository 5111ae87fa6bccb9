import Yams

extension PlanParser {
  /// `isolation: stage2`, or the long form `{ fence: stage2, on-fault: inject | stop,
  /// power: k0 | [k0, k1], sgis: direct | filtered }`.
  mutating func isolation(_ node: PlanNode) -> Plan.Isolation? {
    switch node {
    case .scalar:
      guard let fence: Located<Plan.Isolation.Fence> = choice(node, what: "isolation") else { return nil }
      return Plan.Isolation(fence: fence, onFault: nil, power: [], location: fence.location)
    case .mapping:
      guard let m = mapping(node, what: "isolation", keys: ["fence", "on-fault", "power", "sgis"]) else {
        return nil
      }
      guard let fenceNode = m["fence"] else {
        engine.error(.missingKey, "isolation needs 'fence' (stage2)", at: loc(node.mark))
        return nil
      }
      guard let fence: Located<Plan.Isolation.Fence> = choice(fenceNode, what: "isolation.fence") else {
        return nil
      }
      return Plan.Isolation(
        fence: fence, onFault: m["on-fault"].flatMap { choice($0, what: "isolation.on-fault") },
        power: m["power"].map { references($0, what: "isolation.power") } ?? [],
        sgis: m["sgis"].flatMap { choice($0, what: "isolation.sgis") }, location: loc(node.mark))
    default:
      engine.error(
        .wrongType,
        "isolation must be stage2 or a mapping { fence: stage2, on-fault: …, power: …, sgis: … }, found \(describe(node))",
        at: loc(node.mark))
      return nil
    }
  }
}
