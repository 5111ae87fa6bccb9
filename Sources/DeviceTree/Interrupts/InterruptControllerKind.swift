/// The interrupt controllers cleave understands, recognised by `compatible`.
public enum InterruptControllerKind: String, Sendable, Codable, CaseIterable {
  case gicV2 = "gicv2"
  case gicV3 = "gicv3"
  case gicV3ITS = "gicv3-its"
  case gicV2m = "gicv2m"
  case plic = "plic"
  case riscvCPU = "riscv-cpu-intc"
  case clint = "clint"
  case aclintMSWI = "aclint-mswi"
  case aclintSSWI = "aclint-sswi"
  case aclintMTimer = "aclint-mtimer"
  case aplic = "aplic"
  case imsic = "imsic"

  static let compatibles: [(String, InterruptControllerKind)] = [
    ("arm,gic-400", .gicV2), ("arm,cortex-a15-gic", .gicV2), ("arm,cortex-a9-gic", .gicV2),
    ("arm,cortex-a7-gic", .gicV2), ("arm,cortex-a5-gic", .gicV2), ("arm,arm11mp-gic", .gicV2),
    ("arm,arm1176jzf-devchip-gic", .gicV2), ("qcom,msm-qgic2", .gicV2),
    ("arm,gic-v3", .gicV3), ("qcom,msm8996-gic-v3", .gicV3),
    ("arm,gic-v3-its", .gicV3ITS), ("arm,gic-v2m-frame", .gicV2m),
    ("sifive,plic-1.0.0", .plic), ("riscv,plic0", .plic), ("thead,c900-plic", .plic),
    ("andestech,nceplic100", .plic),
    ("riscv,cpu-intc", .riscvCPU),
    ("sifive,clint0", .clint), ("riscv,clint0", .clint),
    ("riscv,aclint-mswi", .aclintMSWI), ("riscv,aclint-sswi", .aclintSSWI),
    ("riscv,aclint-mtimer", .aclintMTimer),
    ("riscv,aplic", .aplic), ("riscv,imsics", .imsic),
  ]

  /// The kind named by the first recognised string of a `compatible` list.
  public init?(compatible: [String]) {
    for c in compatible {
      if let hit = Self.compatibles.first(where: { $0.0 == c }) {
        self = hit.1
        return
      }
    }
    return nil
  }

  /// Whether this is an Arm GIC distributor (v2 or v3).
  public var isGIC: Bool { self == .gicV2 || self == .gicV3 }
}
