import Foundation
import Machine
import Partitioning
import Testing

@testable import Boot

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

struct VerdictTests {
  @Test func passesOnlyWhenEveryKernelPassed() {
    var v = ConsoleVerdict(expecting: ["k0", "k1"])
    #expect(v.read("cleave|INFO|cpu0: starting k1 on 0x4") == .running)
    #expect(v.read("cleave|PASS|k1: 100 round trips") == .running)
    #expect(v.missing == ["k0"])
    #expect(v.read("noise cleave|PASS|k0: ok") == .passed)
  }

  @Test func aFailOrLoaderErrorEndsTheRun() {
    var v = ConsoleVerdict(expecting: ["k0", "k1"])
    v.read("cleave|PASS|k0: ok")
    #expect(
      v.read("cleave|FAIL|k1: pattern mismatch at 0x80000000")
        == .failed("cleave|FAIL|k1: pattern mismatch at 0x80000000"))
    var w = ConsoleVerdict(expecting: ["k0"])
    #expect(
      w.read("cleave|ERROR|cpu0: descriptor CRC mismatch")
        == .failed("cleave|ERROR|cpu0: descriptor CRC mismatch"))
  }

  /// A kernel without a PASS line of its own (U-Boot) passes on its text; a fail text ends the run.
  @Test func passAndFailTextsForForeignKernels() {
    var v = ConsoleVerdict(
      expecting: ["k0", "k1"], passText: ["k1": "Hit any key to stop autoboot"],
      failText: ["Unhandled exception"])
    #expect(v.read("U-Boot 2023.01") == .running)
    #expect(v.read("Hit any key to stop autoboot:  2") == .running)
    #expect(v.missing == ["k0"])
    #expect(v.read("cleave|PASS|k0: ok") == .passed)
    var w = ConsoleVerdict(
      expecting: ["k1"], passText: ["k1": "Hit any key"], failText: ["Unhandled exception"])
    #expect(
      w.read("Unhandled exception: Load access fault")
        == .failed("'Unhandled exception': Unhandled exception: Load access fault"))
    #expect(
      w.read("Hit any key") == .failed("'Unhandled exception': Unhandled exception: Load access fault"),
      "the first verdict stands")
  }
}

/// A probe's whole semihosting lines land inside U-Boot's character-at-a-time
/// UART lines; the console is split back into what each printed.
struct UntanglerTests {
  /// Lines as QEMU printed them in a real boot of the U-Boot plan.
  static let interleaved = """
    CPU:   rv64imafdch_zicsr
    Model: riscv-vicleave|INFO|k0: 2/2 cores up: boot 0x0, started 0x1
    cleave|INFO|k0: no foreign core or memory
    rtio,qemu
    DRAM:  cleave|INFO|k0: isolation: a load from 0x80100000 faulted
    63 MiB
    Hit any key to stop autoboot:  2 cleave|PASS|k0: 2 cores
    """

  @Test func probeLinesAreLiftedOutOfForeignOnes() {
    #expect(
      ConsoleUntangler.lines(of: Self.interleaved) == [
        "CPU:   rv64imafdch_zicsr",
        "cleave|INFO|k0: 2/2 cores up: boot 0x0, started 0x1",
        "cleave|INFO|k0: no foreign core or memory",
        "Model: riscv-virtio,qemu",
        "cleave|INFO|k0: isolation: a load from 0x80100000 faulted",
        "DRAM:  63 MiB",
        "cleave|PASS|k0: 2 cores",
        "Hit any key to stop autoboot:  2 ",
      ])
  }

  /// The fence's lines are streamed like U-Boot's, and start with the same marker as the probe's.
  @Test func fenceLinesAreRejoinedAroundProbeLines() {
    let console = """
      cleave|FENCE|k1: cleave|INFO|k0: 2/2 cores up: boot 0x0, started 0x1
      read from 0x9000018 (k0's device) blocked
      cleave|FENCE|k2: wricleave|PASS|k0: 2 cores
      te to 0x41000000 (k0's memory) blocked
      """
    #expect(
      ConsoleUntangler.lines(of: console) == [
        "cleave|INFO|k0: 2/2 cores up: boot 0x0, started 0x1",
        "cleave|FENCE|k1: read from 0x9000018 (k0's device) blocked",
        "cleave|PASS|k0: 2 cores",
        "cleave|FENCE|k2: write to 0x41000000 (k0's memory) blocked",
      ])
  }

  /// The run passes on a pass text split by a probe line, and on one that
  /// waits at the end of an unfinished line.
  @Test(arguments: [
    "Model: riscv-vicleave|INFO|k0: up\nrtio,qemu\n",
    "Model: riscv-virtio,qemu",
  ])
  func aSplitPassTextStillPasses(console: String) throws {
    let command = QEMUCommand(executable: "sh", arguments: ["-c", "printf '\(console)'; exec sleep 30"])
    let r = try BootRun.run(
      command, expecting: ["k1"], passText: ["k1": "Model: riscv-virtio,qemu"], timeout: 20)
    #expect(r.outcome == .passed, "\(r.console)")
    #expect(!r.timedOut)
  }
}

/// OpenSBI domains: no -kernel; the firmware tree and one raw loader per placed file.
struct DomainCommandTests {
  @Test func domainsBootWithoutAKernelImage() throws {
    let board = repositoryRoot.appendingPathComponent("dts/qemu-virt-riscv64-aclint.dts").path
    let m = try Machine.load(board)
    let c = QEMUCommand.make(
      target: .riscv64, board: board, machine: m,
      payload: .domains(
        machineTree: "out/opensbi/machine.dtb",
        load: [
          .init(file: "out/kernels/k0.dtb", address: 0x87ff_0000),
          .init(file: "out/opensbi/k0.image.bin", address: 0x8400_0000),
        ]))
    #expect(c.arguments.prefix(5) == ["-M", "virt,aclint=on", "-smp", "4", "-m"])
    #expect(!c.arguments.contains("-kernel"))
    let tail = Array(c.arguments.suffix(8))
    #expect(
      tail == [
        "-bios", "default", "-dtb", "out/opensbi/machine.dtb",
        "-device", "loader,file=out/kernels/k0.dtb,addr=0x87ff0000,force-raw=on",
        "-device", "loader,file=out/opensbi/k0.image.bin,addr=0x84000000,force-raw=on",
      ])
  }
}

struct CommandTests {
  @Test func boardRecordedOptionsWin() throws {
    let board = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").path
    let m = try Machine.load(board)
    let c = QEMUCommand.make(target: .aarch64, board: board, machine: m, payload: .image("out/image.elf"))
    #expect(c.executable == "qemu-system-aarch64")
    #expect(
      c.shellLine.hasPrefix(
        "qemu-system-aarch64 -M virt,gic-version=3,virtualization=on -cpu cortex-a57 -smp 8 -m 2G"))
    #expect(c.arguments.suffix(2) == ["-kernel", "out/image.elf"])
  }

  @Test func optionsDerivedFromTheMachine() throws {
    let m = try Machine.load(repositoryRoot.appendingPathComponent("dts/biglittle-a53-a72.dts").path)
    #expect(
      QEMUCommand.derivedOptions(target: .aarch64, machine: m) == [
        "-M", "virt,gic-version=3,virtualization=on", "-cpu", "cortex-a57", "-smp", "6", "-m", "4096M",
      ])
  }
}

/// Under the EL2 fence QEMU must emulate EL2 for the loader, whatever the board says.
struct FenceCommandTests {
  @Test func theFenceAlwaysGetsVirtualization() throws {
    // Dumped without virtualization=on: PSCI through hvc, so nothing derived asks for EL2.
    let board = repositoryRoot.appendingPathComponent(
      "Tests/Fixtures/checks/boards/gicv3-no-virtualization.dts"
    ).path
    let m = try Machine.load(board)
    #expect(QEMUCommand.recordedOptions(board) == nil)
    #expect(
      QEMUCommand.derivedOptions(target: .aarch64, machine: m).prefix(2) == ["-M", "virt,gic-version=3"])
    let fenced = QEMUCommand.make(
      target: .aarch64, board: board, machine: m, payload: .image("out/image.elf"), fence: true)
    #expect(fenced.arguments.prefix(2) == ["-M", "virt,gic-version=3,virtualization=on"])
    // Recorded options gain it once, and keep it when they have it.
    #expect(
      QEMUCommand.withVirtualization(["-M", "virt,gic-version=2", "-smp", "4"])
        == ["-M", "virt,gic-version=2,virtualization=on", "-smp", "4"])
    #expect(
      QEMUCommand.withVirtualization(["-machine", "virt,virtualization=on", "-M"])
        == ["-machine", "virt,virtualization=on", "-M"])
    let recorded = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").path
    let r = QEMUCommand.make(
      target: .aarch64, board: recorded, machine: try Machine.load(recorded), payload: .image("i.elf"),
      fence: true)
    #expect(r.arguments.prefix(2) == ["-M", "virt,gic-version=3,virtualization=on"])
    // --machine-options are the user's: taken as given, to see the loader refuse them.
    let given = QEMUCommand.make(
      target: .aarch64, board: board, machine: m, payload: .image("i.elf"), machineOptions: ["-M", "virt"],
      fence: true)
    #expect(given.arguments.prefix(2) == ["-M", "virt"])
  }
}

struct RunSettingsTests {
  /// No NIC: QEMU's default one needs a ROM package a minimal install lacks.
  @Test func qemuStartsWithoutANetwork() throws {
    let board = repositoryRoot.appendingPathComponent("dts/qemu-virt-riscv64.dts").path
    let m = try Machine.load(board)
    for payload in [QEMUCommand.Payload.image("out/image.elf"), .domains(machineTree: "m.dtb", load: [])] {
      let c = QEMUCommand.make(target: .riscv64, board: board, machine: m, payload: payload)
      let nic = try #require(c.arguments.firstIndex(of: "-nic"), "\(c.shellLine)")
      #expect(c.arguments.indices.contains(nic + 1) && c.arguments[nic + 1] == "none")
    }
  }

  /// A timeout reads as it was given: "0.5 s", not "0 s".
  @Test func timeoutsReadAsGiven() {
    #expect(BootRun.seconds(120) == "120 s")
    #expect(BootRun.seconds(0.5) == "0.5 s")
    #expect(BootRun.seconds(1.25) == "1.25 s")
  }
}

struct ModelledTests {
  /// QEMU's own trees are what QEMU models, by construction.
  @Test(arguments: [
    ("qemu-virt-aarch64-gicv2.dts", Plan.Target.aarch64), ("qemu-virt-aarch64-gicv3.dts", .aarch64),
    ("qemu-virt-riscv64.dts", .riscv64), ("qemu-virt-riscv64-aclint.dts", .riscv64),
  ])
  func qemuBoardsAreModelled(board: String, target: Plan.Target) throws {
    let m = try Machine.load(repositoryRoot.appendingPathComponent("dts/\(board)").path)
    #expect(QEMUCommand.unmodelled(target: target, machine: m) == [])
  }

  /// QEMU numbers GICv3 CPUs in clusters of 16 and GICv2 CPUs in clusters of 8.
  @Test func virtCPUIDs() throws {
    let v3 = try Machine.load(repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").path)
    #expect(
      QEMUCommand.virtCPUIDs(target: .aarch64, machine: v3, count: 18).suffix(3) == [0xf, 0x100, 0x101])
    let v2 = try Machine.load(repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv2.dts").path)
    #expect(QEMUCommand.virtCPUIDs(target: .aarch64, machine: v2, count: 9).suffix(2) == [0x7, 0x100])
  }
}
