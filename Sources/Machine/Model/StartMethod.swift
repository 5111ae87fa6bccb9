/// How a core is started, as far as the board's tree tells: the enable-method
/// of its CPU node, read together with the board's PSCI node. Firmware often
/// completes the tree at boot (U-Boot adds `enable-method` and `/psci` on
/// Layerscape boards), so what the tree leaves open is said, not guessed.
public enum StartMethod: Sendable, Hashable {
  /// `enable-method = "psci"` and the board has a PSCI node.
  case psci
  /// PSCI, with the firmware completing the tree: the core says psci but the
  /// board has no PSCI node, or the core names no method and the board has one.
  case psciFromFirmware
  /// `enable-method = "spin-table"` with a `cpu-release-addr`.
  case spinTable(release: UInt64)
  /// `enable-method = "spin-table"` without a `cpu-release-addr`.
  case spinTableWithoutAddress
  /// No enable-method and no PSCI node: the firmware decides at boot.
  case unnamed
  /// Some other enable-method (a vendor's SMP scheme).
  case other(String)

  /// A short phrase for messages: `enable-method "spin-table" (cpu-release-addr 0xd8)`.
  public var description: String {
    switch self {
    case .psci: "PSCI"
    case .psciFromFirmware: "PSCI the firmware adds to the tree at boot"
    case .spinTable(let release): "enable-method \"spin-table\" (cpu-release-addr \(Format.hex(release)))"
    case .spinTableWithoutAddress: "enable-method \"spin-table\" but no cpu-release-addr"
    case .unnamed: "no enable-method, on a board with no PSCI node (the firmware decides at boot)"
    case .other(let m): "enable-method \"\(m)\""
    }
  }
}

extension Machine {
  /// How CPU `index` (into ``cpus``) starts.
  public func startMethod(of index: Int) -> StartMethod {
    let cpu = cpus[index]
    switch cpu.enableMethod {
    case "psci"?: return psci == nil ? .psciFromFirmware : .psci
    case "spin-table"?: return cpu.releaseAddress.map { .spinTable(release: $0) } ?? .spinTableWithoutAddress
    case let m?: return .other(m)
    case nil: return psci == nil ? .unnamed : .psciFromFirmware
    }
  }

  /// A core that needs no starting: the only enabled CPU of the board is the
  /// one the firmware runs the loader on.
  public func isOnlyCore(_ index: Int) -> Bool {
    // Stops at the second enabled CPU: asked once per core, a full count was quadratic.
    cpus[index].enabled && cpus.lazy.filter(\.enabled).prefix(2).count == 1
  }

  /// A core the loader runs on, so that nothing has to start it: the board's
  /// only core, or the boot CPU its blob's header names (`boot_cpuid_phys`,
  /// the core the firmware enters first).
  public func isLoaderCore(_ index: Int) -> Bool {
    guard cpus.indices.contains(index), cpus[index].enabled else { return false }
    return isOnlyCore(index) || cpus[index].hardwareID == UInt64(tree.bootCPUID)
  }

  /// Whether the loader can start CPU `index` in a plan whose `boot:` is PSCI
  /// (`spinTable` false) or spin-table.
  public func canStart(_ index: Int, spinTable: Bool) -> Bool {
    if isLoaderCore(index) { return true }
    switch startMethod(of: index) {
    case .psci, .psciFromFirmware: return !spinTable
    case .spinTable: return spinTable
    case .spinTableWithoutAddress, .unnamed, .other: return false
    }
  }
}
