import Foundation
import Testing

/// The verbs after inspect, through the built binary: exit statuses and what they print.
@Suite("Command line")
struct CommandLineTests {
  /// Per-kernel trees cut by hand from the GICv3 board: the example plan's build
  /// gives a clean set; editing one tree plants each kind of overlap.
  @Test("check A.dtb B.dtb finds planted overlaps of memory, a core and a device, and passes a clean set")
  func handMadeTrees() throws {
    let dir = try TemporaryDirectory()
    let out = dir.path("out")
    let built = try cleave([
      "build", repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.plan.yaml").path, "-o", out,
    ])
    try #require(built.status == 0, "\(built.summary)")
    let k0 = out + "/kernels/k0.dtb"
    let k1 = out + "/kernels/k1.dtb"
    let board = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").path
    let clean = try cleave(["check", k0, k1, "--board", board])
    #expect(clean.status == 0, "\(clean.stdoutText) \(clean.summary)")
    #expect(clean.stdoutText.contains("0 errors, 0 warnings"))

    // Plant: k1's tree also claims the top half of k0's memory, enables cpu@0 and the UART.
    var planted = try String(contentsOfFile: out + "/kernels/k1.dts", encoding: .utf8)
    planted = planted.replacingOccurrences(
      of: "reg = <0x00 0x45000000 0x00 0x4000000>;", with: "reg = <0x00 0x43000000 0x00 0x4000000>;")
    let k0Source = try String(contentsOfFile: out + "/kernels/k0.dts", encoding: .utf8)
    let cpu0 = try #require(k0Source.range(of: "\t\tcpu0: cpu@0 {"), "k0's tree has cpu@0")
    let cpu0End = try #require(k0Source.range(of: "\t\t};\n", range: cpu0.upperBound..<k0Source.endIndex))
    let uart = try #require(k0Source.range(of: "\tpl011@9000000 {"))
    let uartEnd = try #require(k0Source.range(of: "\t};\n", range: uart.upperBound..<k0Source.endIndex))
    planted = planted.replacingOccurrences(
      of: "\t\tcpu4: cpu@4 {",
      with: plantedCPU(String(k0Source[cpu0.lowerBound..<cpu0End.upperBound])) + "\n\t\tcpu4: cpu@4 {")
    planted = planted.replacingOccurrences(
      of: "\tchosen {", with: String(k0Source[uart.lowerBound..<uartEnd.upperBound]) + "\n\tchosen {")
    let plantedPath = try dir.write(Data(planted.utf8), to: "k1-planted.dts")
    let found = try cleave(["check", k0, plantedPath])
    #expect(found.status == 1, "\(found.stdoutText) \(found.summary)\n\(planted)")
    for check in [
      "error[memory_overlap]", "error[core_assigned_twice]", "error[device_owned_twice]",
      "error[interrupt_owned_twice]",
    ] {
      #expect(found.stdoutText.contains(check), "\(check) missing from:\n\(found.stdoutText)")
    }
  }

  /// A machine larger than the loader's tables still gets its trees; build
  /// says why there is nothing to boot, and writes no descriptor or image.
  @Test("build of a machine beyond the loader's tables writes the trees and says why there is no image")
  func beyondTheLoader() throws {
    let dir = try TemporaryDirectory()
    let synth = repositoryRoot.appendingPathComponent("bench/synth_board.py").path
    let source = try run(tool("python3"), [synth, "1040", "--cluster", "8"])
    try #require(source.status == 0, "\(source.summary)")
    let dts = try dir.write(source.stdout, to: "board.dts")
    let plan = dir.path("board.plan.yaml")
    let planned = try cleave(["plan", "--auto", dts, "-o", plan])
    try #require(planned.status == 0, "\(planned.summary)")
    let out = dir.path("out")
    let built = try cleave(["build", plan, "-o", out])
    #expect(built.status == 0, "\(built.summary)")
    #expect(
      built.stdoutText.contains(
        "\(out): no boot descriptor and no image.elf: the descriptor needs 1040 CPUs"),
      "\(built.stdoutText)")
    let fm = FileManager.default
    #expect(fm.fileExists(atPath: out + "/kernels/k129.dtb"))
    #expect(!fm.fileExists(atPath: out + "/boot/descriptor.bin"))
    #expect(!fm.fileExists(atPath: out + "/image.elf"))
  }

  /// k0's cpu@0 without its label and cache link (k1's tree has neither cache).
  private func plantedCPU(_ node: String) -> String {
    node.replacingOccurrences(of: "cpu0: ", with: "").split(separator: "\n", omittingEmptySubsequences: false)
      .filter { !$0.contains("next-level-cache") }.joined(separator: "\n")
  }

  @Test("run refuses up front a board QEMU's virt machine cannot model, naming each difference")
  func runRefusesWhatQEMUCannotModel() throws {
    let plan = repositoryRoot.appendingPathComponent("dts/biglittle-a53-a72.plan.yaml").path
    let r = try cleave(["run", plan, "--timeout", "5"])
    #expect(r.status == 1, "\(r.summary)")
    let text = r.stdoutText
    #expect(text.contains("cleave run: FAIL: QEMU cannot model"), "\(text)")
    #expect(text.contains("CPU cpu@100 has id 0x100"), "\(text)")
    #expect(text.contains("RAM [0x880000000, 0x900000000)"), "\(text)")
    #expect(text.contains("the GICD is at 0xf1000000; QEMU's virt machine has it at 0x8000000"), "\(text)")
    #expect(!text.contains("qemu-system-aarch64"), "QEMU was started:\n\(text)")
  }

  @Test("build says when it wrote no image.elf and why, at build time")
  func buildNamesAMissingLoader() throws {
    let dir = try TemporaryDirectory()
    let plan = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.plan.yaml").path
    // From a directory with no build/loader-aarch64.bin.
    let r = try run(try tool("env"), ["-C", dir.url.path, cleaveBinary, "build", plan, "-o", "out"])
    #expect(r.status == 0, "\(r.summary)")
    #expect(
      r.stdoutText.split(separator: "\n").dropFirst().first
        == "out: no image.elf: build/loader-aarch64.bin not found (make loader, or --loader FILE)",
      "\(r.stdoutText)")
    #expect(!FileManager.default.fileExists(atPath: dir.path("out/image.elf")))
    #expect(FileManager.default.fileExists(atPath: dir.path("out/boot/descriptor.bin")))
  }

  @Test("build refuses a directory it did not make, and --force replaces it")
  func buildGuardsOut() throws {
    let dir = try TemporaryDirectory()
    let mine = dir.path("mine")
    try FileManager.default.createDirectory(atPath: mine, withIntermediateDirectories: true)
    _ = try dir.write(Data("keep".utf8), to: "mine/notes.txt")
    let plan = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.plan.yaml").path
    let refused = try cleave(["build", plan, "-o", mine])
    #expect(refused.status == 2)
    #expect(refused.stderr.contains("was not made by cleave build"))
    #expect(FileManager.default.fileExists(atPath: mine + "/notes.txt"))
    let forced = try cleave(["build", plan, "-o", mine, "--force"])
    #expect(forced.status == 0, "\(forced.summary)")
    #expect(FileManager.default.fileExists(atPath: mine + "/report.json"))
    let again = try cleave(["build", plan, "-o", mine])
    #expect(again.status == 0, "a directory cleave made is replaced without --force: \(again.summary)")
  }

  @Test("plan --auto writes a plan that check accepts, with the board path relative to it")
  func autoPlanRoundTrip() throws {
    let dir = try TemporaryDirectory()
    let planPath = dir.path("sub/auto.plan.yaml")
    try FileManager.default.createDirectory(atPath: dir.path("sub"), withIntermediateDirectories: true)
    let wrote = try cleave([
      "plan", "--auto", repositoryRoot.appendingPathComponent("dts/manycore-64.dts").path, "-o", planPath,
    ])
    #expect(wrote.status == 0, "\(wrote.summary)")
    let checked = try cleave(["check", planPath, "--format", "json"])
    #expect(checked.status == 0, "\(checked.stdoutText) \(checked.summary)")
    let json = try #require(try JSONSerialization.jsonObject(with: checked.stdout) as? [String: Any])
    #expect(json["errors"] as? Int == 0)
    #expect(json["usable"] as? Bool == true)
  }

  /// Short relative paths ("p.yaml", "-o out") once trapped inside Foundation's
  /// path splitting; every path split now goes through PathText.
  @Test("plans and outputs named by short relative paths work from their directory")
  func shortRelativePaths() throws {
    let dir = try TemporaryDirectory()
    let board = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv2.dts").path
    try "board: \(board)\nkernels:\n  k0: { cores: [cpu@0], memory: 64M }\n".write(
      toFile: dir.path("p.yaml"), atomically: true, encoding: .utf8)
    let exe = URL(fileURLWithPath: cleaveBinary).path
    let script =
      "cd '\(dir.url.path)' && '\(exe)' check p.yaml && '\(exe)' build p.yaml -o out && '\(exe)' plan --auto g.dts -o q.yaml"
    try FileManager.default.copyItem(atPath: board, toPath: dir.path("g.dts"))
    let r = try run("/bin/sh", ["-c", script])
    #expect(r.status == 0, "\(r.summary)")
    #expect(FileManager.default.fileExists(atPath: dir.path("out/report.json")))
    #expect(FileManager.default.fileExists(atPath: dir.path("q.yaml")))
  }
}
