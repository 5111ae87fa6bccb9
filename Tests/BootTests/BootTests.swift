import Foundation
import Machine
import Partitioning
import Testing

@testable import Boot

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

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
    #expect(v.read("cleave|FAIL|k1: pattern mismatch at 0x80000000") == .failed("cleave|FAIL|k1: pattern mismatch at 0x80000000"))
    var w = ConsoleVerdict(expecting: ["k0"])
    #expect(w.read("cleave|ERROR|cpu0: descriptor CRC mismatch") == .failed("cleave|ERROR|cpu0: descriptor CRC mismatch"))
  }
}

struct CommandTests {
  @Test func boardRecordedOptionsWin() throws {
    let board = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").path
    let m = try Machine.load(board)
    let c = QEMUCommand.make(target: .aarch64, board: board, machine: m, image: "out/image.elf")
    #expect(c.executable == "qemu-system-aarch64")
    #expect(c.shellLine.hasPrefix("qemu-system-aarch64 -M virt,gic-version=3,virtualization=on -cpu cortex-a57 -smp 8 -m 2G"))
    #expect(c.arguments.suffix(2) == ["-kernel", "out/image.elf"])
  }

  @Test func optionsDerivedFromTheMachine() throws {
    let m = try Machine.load(repositoryRoot.appendingPathComponent("dts/biglittle-a53-a72.dts").path)
    #expect(QEMUCommand.derivedOptions(target: .aarch64, machine: m) == ["-M", "virt,gic-version=3,virtualization=on", "-cpu", "cortex-a57", "-smp", "6", "-m", "4096M"])
  }
}
