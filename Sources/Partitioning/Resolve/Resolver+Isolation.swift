extension Resolver {
  /// `isolation:` with its `power:` names made kernel indexes; an unknown name
  /// is reported as a channel's or shared entry's is.
  mutating func resolveIsolation(kernelIndex: [String: Int]) -> Partition.Isolation? {
    guard let spec = plan.isolation else { return nil }
    var power: [Int] = []
    for ref in spec.power {
      guard let k = kernel(ref, in: kernelIndex, namedBy: "isolation.power") else { continue }
      if !power.contains(k) { power.append(k) }
    }
    return Partition.Isolation(
      onFault: spec.onFault?.value ?? .inject, power: power, filterSGIs: spec.sgis?.value == .filtered,
      location: spec.location)
  }
}
