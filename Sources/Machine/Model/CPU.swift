import DeviceTree

/// One CPU node: a core (AArch64, identified by MPIDR) or a hart (RISC-V, by hart id).
public struct CPU: Sendable, Hashable {
  /// Position in ``Machine/cpus`` (source order of /cpus, then of each `cpus,cluster` node).
  public var index: Int
  public var node: NodeID
  /// The node name, `cpu@100`.
  public var name: String
  public var path: String
  public var labels: [String]
  /// The hardware id from `reg`: MPIDR affinity bits on Arm, the hart id on RISC-V.
  public var hardwareID: UInt64
  public var compatible: String?
  /// `psci`, `spin-table`, or absent (RISC-V harts start through SBI HSM).
  public var enableMethod: String?
  /// `cpu-release-addr` of a spin-table CPU.
  public var releaseAddress: UInt64?
  /// `status` is absent or okay.
  public var enabled: Bool
  /// `capacity-dmips-mhz`, the relative performance big.LITTLE systems give.
  public var capacity: UInt32?
  public var numaNode: UInt32?
  /// The caches above the CPU's own L1, nearest first (indexes into ``Machine/caches``).
  public var caches: [Int]
  /// The hart's `riscv,cpu-intc` child, the target of PLIC and CLINT contexts.
  public var localInterruptController: NodeID?
  /// The cluster it sits in (an index into ``Machine/cpuClusters``).
  public var cluster: Int = 0
  /// The instruction set it runs.
  public var architecture: CoreArchitecture = .unknown
}
