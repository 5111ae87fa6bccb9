import Foundation
import Machine
import Partitioning

/// The QEMU command line that boots a built partition on the machine its board describes.
public struct QEMUCommand: Sendable, Equatable {
  public var executable: String
  public var arguments: [String]

  /// What QEMU starts: the packed loader image, or (OpenSBI domains) the
  /// firmware's machine tree and the files OpenSBI expects in memory.
  public enum Payload: Sendable, Equatable {
    case image(String)
    /// A board whose cores start by spin-table: the packed image entered at
    /// `entry` by cleave's firmware stub (`-bios`), on the board's own tree.
    case spinTable(image: String, entry: UInt64, boardTree: String, firmware: String)
    case domains(machineTree: String, load: [Placed])
  }

  /// A file QEMU puts in memory byte for byte.
  public struct Placed: Sendable, Equatable {
    public var file: String
    public var address: UInt64

    public init(file: String, address: UInt64) {
      self.file = file
      self.address = address
    }
  }

  /// The board's own machine options when its source records them on line 1
  /// (`// qemu: -M virt,... -smp 8 -m 2G`, as scripts/boards.sh writes), else
  /// options derived from the machine: CPU count, RAM, GIC version, and
  /// virtualization when PSCI is called through SMC. Under the EL2 fence
  /// (`fence`) the machine always emulates EL2 (`virtualization=on`), recorded
  /// options included; options given on the command line are taken as they are.
  public static func make(
    target: Plan.Target, board: String, machine: Machine, payload: Payload,
    machineOptions given: [String]? = nil, fence: Bool = false, extra: [String] = []
  ) -> QEMUCommand {
    let machineOptions =
      given ?? recordedOptions(board).map { fence ? withVirtualization($0) : $0 }
      ?? derivedOptions(target: target, machine: machine, fence: fence)
    // No NIC: a partitioned boot needs no network, and QEMU's default NIC loads a
    // ROM (efi-virtio.rom) from a package a minimal install lacks. A user who
    // wants one passes it in --machine-options.
    let common = ["-nographic", "-semihosting", "-no-reboot", "-nic", "none"]
    let boot: [String]
    switch payload {
    case .image(let image):
      boot = (target == .riscv64 ? ["-bios", "default"] : []) + ["-kernel", image]
    case .spinTable(let image, let entry, let tree, let firmware):
      // QEMU gives firmware the tree at the start of RAM and loads no
      // -kernel itself: the image goes in with the generic loader, and the
      // stub's mailbox gets its entry and the tree's address, as Raspberry
      // Pi firmware fills in armstub8's.
      boot =
        (machineOptions.contains("-bios") ? [] : ["-bios", firmware]) + [
          "-dtb", tree, "-device", "loader,file=\(image)",
          "-device",
          "loader,addr=0x\(String(spinTableMailbox, radix: 16)),data=0x\(String(entry, radix: 16)),data-len=8",
          "-device",
          "loader,addr=0x\(String(spinTableMailbox + 8, radix: 16)),data=0x\(String(virtLayout(target: target, machine: machine).ramBase, radix: 16)),data-len=8",
        ]
    case .domains(let tree, let load):
      // No -kernel: OpenSBI takes every domain's entry from the tree, and
      // each file goes where the plan put it, byte for byte.
      boot =
        ["-bios", "default", "-dtb", tree]
        + load.flatMap { item in
          ["-device", "loader,file=\(item.file),addr=0x\(String(item.address, radix: 16)),force-raw=on"]
        }
    }
    switch target {
    case .aarch64:
      return QEMUCommand(executable: "qemu-system-aarch64", arguments: machineOptions + common + boot + extra)
    case .riscv64:
      return QEMUCommand(executable: "qemu-system-riscv64", arguments: machineOptions + common + boot + extra)
    }
  }

  /// Where Sources/Firmware/aarch64/spin-table.S reads the entry (and, 8 bytes
  /// on, the DTB address) its primary core jumps to: its page + 0x800.
  public static let spinTableMailbox: UInt64 = 0x4100_0800

  /// The machine options line 1 of a board source records (`// qemu: ...`).
  public static func recordedOptions(_ board: String) -> [String]? {
    guard let data = FileManager.default.contents(atPath: board), data.count > 9 else { return nil }
    let first = String(decoding: data.prefix(512), as: UTF8.self).split(separator: "\n").first ?? ""
    guard first.hasPrefix("// qemu: ") else { return nil }
    return first.dropFirst(9).split(separator: " ").map(String.init)
  }

  static func derivedOptions(target: Plan.Target, machine m: Machine, fence: Bool = false) -> [String] {
    let megabytes = max(m.totalMemory >> 20, 128)
    switch target {
    case .aarch64:
      var machine = "virt"
      if let ic = m.primaryInterruptController?.kind {
        machine += ic == .gicV2 ? ",gic-version=2" : ",gic-version=3"
      }
      // Spin-table cores: firmware (cleave's stub) at EL3, and no PSCI of QEMU's.
      let spinTable = m.cpus.contains { $0.enableMethod == "spin-table" }
      // EL2 for the firmware's guest: PSCI through SMC says the board had it,
      // and the EL2 fence needs it.
      if m.psci?.method == "smc" || fence || spinTable { machine += ",virtualization=on" }
      if spinTable { machine += ",secure=on" }
      return ["-M", machine, "-cpu", "cortex-a57", "-smp", "\(m.cpus.count)", "-m", "\(megabytes)M"]
    case .riscv64:
      return ["-M", "virt", "-smp", "\(m.cpus.count)", "-m", "\(megabytes)M"]
    }
  }

  /// Options with `virtualization=on` in their `-M` / `-machine` value (added when absent).
  static func withVirtualization(_ options: [String]) -> [String] {
    var out = options
    for i in out.indices.dropLast() where out[i] == "-M" || out[i] == "-machine" {
      if !out[i + 1].split(separator: ",").contains("virtualization=on") {
        out[i + 1] += ",virtualization=on"
      }
    }
    return out
  }

  /// The command as one shell line, for logs and the README.
  public var shellLine: String { ([executable] + arguments).joined(separator: " ") }
}
