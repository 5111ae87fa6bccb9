/// The `/psci` node: how CPUs are started on Arm.
public struct PSCI: Sendable, Hashable {
  public var compatible: [String]
  /// The conduit, `hvc` or `smc`.
  public var method: String
  /// PSCI 0.1 function ids (`cpu_on`, `cpu_off`, …) when the node lists them.
  public var functions: [String: UInt32]
}
