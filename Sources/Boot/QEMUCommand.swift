import Foundation
import Machine
import Partitioning

/// The QEMU command line that boots a built partition on the machine its board describes.
public struct QEMUCommand: Sendable, Equatable {
  public var executable: String
  public var arguments: [String]

  /// The board's own machine options when its source records them on line 1
  /// (`// qemu: -M virt,... -smp 8 -m 2G`, as scripts/boards.sh writes), else
  /// options derived from the machine: CPU count, RAM, GIC version, and
  /// virtualization when PSCI is called through SMC.
  public static func make(
    target: Plan.Target, board: String, machine: Machine, image: String, machineOptions given: [String]? = nil, extra: [String] = []
  ) -> QEMUCommand {
    let machineOptions = given ?? recordedOptions(board) ?? derivedOptions(target: target, machine: machine)
    switch target {
    case .aarch64:
      return QEMUCommand(
        executable: "qemu-system-aarch64",
        arguments: machineOptions + ["-nographic", "-semihosting", "-no-reboot", "-kernel", image] + extra)
    case .riscv64:
      return QEMUCommand(
        executable: "qemu-system-riscv64",
        arguments: machineOptions + ["-nographic", "-semihosting", "-no-reboot", "-bios", "default", "-kernel", image] + extra)
    }
  }

  static func recordedOptions(_ board: String) -> [String]? {
    guard let data = FileManager.default.contents(atPath: board), data.count > 9 else { return nil }
    let first = String(decoding: data.prefix(512), as: UTF8.self).split(separator: "\n").first ?? ""
    guard first.hasPrefix("// qemu: ") else { return nil }
    return first.dropFirst(9).split(separator: " ").map(String.init)
  }

  static func derivedOptions(target: Plan.Target, machine m: Machine) -> [String] {
    let megabytes = max(m.totalMemory >> 20, 128)
    switch target {
    case .aarch64:
      var machine = "virt"
      if let ic = m.primaryInterruptController?.kind { machine += ic == .gicV2 ? ",gic-version=2" : ",gic-version=3" }
      if m.psci?.method == "smc" { machine += ",virtualization=on" }
      return ["-M", machine, "-cpu", "cortex-a57", "-smp", "\(m.cpus.count)", "-m", "\(megabytes)M"]
    case .riscv64:
      return ["-M", "virt", "-smp", "\(m.cpus.count)", "-m", "\(megabytes)M"]
    }
  }

  /// The command as one shell line, for logs and the README.
  public var shellLine: String { ([executable] + arguments).joined(separator: " ") }
}
