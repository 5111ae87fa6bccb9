import DeviceTree

/// What instruction set a core runs, from its `compatible` (and `riscv,isa`).
///
/// A System Device Tree puts cores of several architectures on one SoC (ZynqMP's
/// Cortex-A53 cluster beside its Cortex-R5F pair and a MicroBlaze); cleave boots
/// only ``aarch64`` and ``riscv64`` kernels and leaves the rest to other software.
public enum CoreArchitecture: String, Sendable, Codable, CaseIterable {
  /// 64-bit Arm A-profile (Cortex-A53, A72, A78, Neoverse, and any other `arm,` core with PSCI).
  case aarch64
  /// 32-bit Arm A-profile (Cortex-A7, A9, A15: Zynq-7000's cores).
  case arm
  /// 32-bit Arm R-profile (Cortex-R5, R52): real-time cores beside an application cluster.
  case armR = "arm-r"
  /// Arm M-profile microcontroller cores.
  case armM = "arm-m"
  case riscv64
  case riscv32
  /// AMD/Xilinx MicroBlaze soft cores.
  case microblaze
  case unknown

  /// Reads a core's architecture from its `compatible` strings and `riscv,isa`;
  /// `enableMethod` breaks the tie for Arm cores cleave does not list.
  public init(compatible: [String], isa: String?, enableMethod: String?) {
    if let isa {
      self = isa.lowercased().hasPrefix("rv32") ? .riscv32 : .riscv64
      return
    }
    for c in compatible {
      let name = c.lowercased()
      if name.hasPrefix("riscv") || name.hasPrefix("sifive,") {
        self = has(name, "rv32") ? .riscv32 : .riscv64
        return
      }
      // `xlnx,microblaze`, and the platform management units' `pmu-microblaze`,
      // `pmc-microblaze`, `psm-microblaze`; MicroBlaze V is a RISC-V core.
      if has(name, "microblaze") {
        self = has(name, "riscv") ? .riscv32 : .microblaze
        return
      }
      if name.hasPrefix("arm,cortex-r") {
        self = name == "arm,cortex-r82" ? .aarch64 : .armR
        return
      }
      if name.hasPrefix("arm,cortex-m") {
        self = .armM
        return
      }
      if [
        "arm,cortex-a5", "arm,cortex-a7", "arm,cortex-a8", "arm,cortex-a9", "arm,cortex-a12",
        "arm,cortex-a15",
        "arm,cortex-a17",
      ].contains(name) {
        self = .arm
        return
      }
      if name.hasPrefix("arm,") {
        self = .aarch64
        return
      }
    }
    self = enableMethod == "psci" || enableMethod == "spin-table" ? .aarch64 : .unknown
  }

  /// Whether cleave can boot a kernel on such a core.
  public var isBootable: Bool { self == .aarch64 || self == .riscv64 }
}
