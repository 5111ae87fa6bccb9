import DeviceTree
import Foundation
import Testing

/// Input written to do harm rather than by mistake: names that climb out of
/// OUT, numbers at the edge of 64 bits, trees and files far past any real size.
/// Each is refused (or answered) cleanly by the built binary: a located
/// one-line message and the right exit status, never a trap, a hang, or a
/// file outside OUT.
@Suite("Hostile input")
struct HostileInputTests {
  static let board = repositoryRoot.appendingPathComponent("dts/qemu-virt-aarch64-gicv3.dts").path

  /// A plan for the default board with one kernel of the given (YAML-quoted) name.
  static func plan(kernel name: String) -> String {
    """
    board: \(board)
    kernels:
      \(name):
        cores: [cluster0, cluster1]
        memory: 256M

    """
  }

  /// Names that would put files outside OUT if they were joined into paths, and
  /// one too long for the boot descriptor; `line:column` is where each is written.
  static let badNames: [(yaml: String, why: String)] = [
    ("\"../../escaped\"", "contains '.'"),
    ("\"../../../../tmp/cleave-escaped\"", "contains '.'"),
    ("/tmp/cleave-absolute", "contains '/'"),
    ("k" + String(repeating: "a", count: 299), "has 300 characters"),
    ("\"sub/../../escaped\"", "contains '/'"),
  ]

  @Test("a kernel name that is not an identifier is refused where it is written", arguments: 0..<5)
  func badKernelName(_ index: Int) throws {
    let (yaml, why) = Self.badNames[index]
    let scratch = try TemporaryDirectory()
    let planPath = try scratch.write(Data(Self.plan(kernel: yaml).utf8), to: "plan.yaml")
    for verb in [["check", planPath], ["build", planPath, "-o", scratch.path("out")]] {
      let r = try cleave(verb)
      #expect(!r.crashed, "\(verb[0]): \(r.summary)")
      #expect(r.status == 2, "\(verb[0]): \(r.summary)")
      let all = r.stdoutText + r.stderr
      #expect(all.contains("\(planPath):3:3: error[name_invalid]: kernel name '"), "\(verb[0]): \(all)")
      #expect(all.contains(why), "\(verb[0]): \(all)")
    }
    #expect(!FileManager.default.fileExists(atPath: scratch.path("out")), "a refused build left OUT behind")
  }

  @Test func aChannelNameIsAnIdentifierToo() throws {
    let scratch = try TemporaryDirectory()
    let text = """
      board: \(Self.board)
      kernels:
        k0:
          cores: [cluster0]
          memory: 256M
        k1:
          cores: [cluster1]
          memory: 256M
      channels:
        - { name: ../../escaped, between: [k0, k1] }

      """
    let planPath = try scratch.write(Data(text.utf8), to: "plan.yaml")
    let r = try cleave(["check", planPath])
    #expect(r.status == 2, "\(r.summary)")
    #expect(
      r.stdoutText.contains(
        "\(planPath):10:13: error[name_invalid]: channel name '../../escaped' contains '.'"),
      "\(r.stdoutText)")
  }

  /// Every hostile plan of this suite built into OUT inside a fresh directory:
  /// the directory around OUT holds exactly what it held before (the plans).
  @Test func noBuildWritesOutsideOut() throws {
    let scratch = try TemporaryDirectory()
    var plans = Self.badNames.map { Self.plan(kernel: $0.yaml) }
    plans += Self.overflowMemory.map { Self.plan(memory: $0) }
    plans.append(Self.plan(kernel: "k0"))  // a good plan: its files must land inside OUT
    for (i, text) in plans.enumerated() {
      try scratch.write(Data(text.utf8), to: "plan\(i).yaml")
    }
    let before = try Self.listing(scratch.url)
    for i in plans.indices {
      let out = scratch.path("out")
      let r = try cleave(["build", scratch.path("plan\(i).yaml"), "-o", out])
      #expect(!r.crashed, "plan\(i): \(r.summary)")
      let after = try Self.listing(scratch.url).filter { !$0.hasPrefix("out/") && $0 != "out" }
      #expect(after == before, "plan\(i) wrote outside OUT: \(Set(after).subtracting(before).sorted())")
    }
    #expect(FileManager.default.fileExists(atPath: scratch.path("out/kernels/k0.dtb")), "the good plan built")
    #expect(!FileManager.default.fileExists(atPath: "/tmp/cleave-escaped.dtb"))
  }

  /// Every path under `root`, relative, sorted.
  static func listing(_ root: URL) throws -> [String] {
    let names = try FileManager.default.subpathsOfDirectory(atPath: root.path)
    return names.sorted()
  }

  // MARK: 64-bit edges

  /// Kernel memory ranges that end exactly at 2^64, or nearly so.
  static let overflowMemory = [
    "[{ base: 0xffffffffffff0000, size: 0x10000 }]",
    "[{ base: 0x41000000, size: 0xffffffffbf000000 }]",
    "[{ base: 0xffffffffffffffff, size: 1 }]",
    "[{ base: 0xffffffffffffffff, size: 2 }]",
    "{ size: 0xfffffffffffff000, align: 0x8000000000000000 }",
  ]

  static func plan(memory: String) -> String {
    """
    board: \(board)
    kernels:
      k0:
        cores: [cluster0, cluster1]
        memory: \(memory)

    """
  }

  @Test("memory at the top of the address space is an error, not a trap", arguments: 0..<5)
  func memoryAtTheTop(_ index: Int) throws {
    let scratch = try TemporaryDirectory()
    let planPath = try scratch.write(
      Data(Self.plan(memory: Self.overflowMemory[index]).utf8), to: "plan.yaml")
    let r = try cleave(["check", planPath])
    #expect(!r.crashed, "\(r.summary)")
    #expect(r.status == 1, "\(r.summary)\n\(r.stdoutText)")
    #expect(r.stdoutText.contains("\(planPath):5:"), "the error points at the memory: \(r.stdoutText)")
  }

  @Test func rangesEndingAt2To64ArePrintedExactly() throws {
    let scratch = try TemporaryDirectory()
    let planPath = try scratch.write(Data(Self.plan(memory: Self.overflowMemory[0]).utf8), to: "plan.yaml")
    let r = try cleave(["check", planPath])
    #expect(r.stdoutText.contains("[0xffffffffffff0000, 0x10000000000000000)"), "\(r.stdoutText)")
  }

  /// A board whose one bank covers the whole 64-bit space but its last byte.
  static let topBoard = """
    /dts-v1/;
    / {
      #address-cells = <2>;
      #size-cells = <2>;
      cpus {
        #address-cells = <1>;
        #size-cells = <0>;
        cpu@0 { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <0>; enable-method = "psci"; };
        cpu@1 { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <1>; enable-method = "psci"; };
      };
      memory@0 { device_type = "memory"; reg = <0x0 0x0 0xffffffff 0xffffffff>; };
        psci { compatible = "arm,psci-1.0"; method = "hvc"; };
    };
    """

  @Test func autoPlanOnMemoryFillingTheAddressSpace() throws {
    let scratch = try TemporaryDirectory()
    let dtb = try compileDTS(Self.topBoard, named: "top", in: scratch)
    for by in ["core", "l2"] {
      let r = try cleave(["plan", "--auto", "--by", by, dtb, "-o", scratch.path("top.plan.yaml")])
      #expect(!r.crashed, "--by \(by): \(r.summary)")
      #expect(r.status == 0, "--by \(by): \(r.summary)")
      let check = try cleave(["check", scratch.path("top.plan.yaml")])
      #expect(!check.crashed, "\(check.summary)")
      #expect(check.status == 0, "the auto plan checks clean: \(check.stdoutText)")
    }
    let inspect = try cleave(["inspect", dtb])
    #expect(inspect.status == 0, "\(inspect.summary)")
    #expect(inspect.stdoutText.contains("[0x0, 0xffffffffffffffff)"), "\(inspect.stdoutText)")
  }

  // MARK: Size and shape

  /// 30,000 nested nodes, written with cleave's own blob writer (dtc's parser
  /// runs out of stack far sooner): refused at the depth limit, exit 2.
  @Test func aDeepTreeIsRefusedAtTheDepthLimit() throws {
    var tree = DeviceTree()
    var parent = tree.root
    for i in 0..<30_000 { parent = tree.addNode("n\(i)", under: parent) }
    let scratch = try TemporaryDirectory()
    let path = try scratch.write(Data(try tree.blob()), to: "deep.dtb")
    for verb in [["inspect", path], ["plan", "--auto", path]] {
      let r = try cleave(verb)
      #expect(!r.crashed && !r.timedOut, "\(verb[0]): \(r.summary)")
      #expect(r.status == 2, "\(verb[0]): \(r.summary)")
      #expect(
        r.stderr.hasPrefix("cleave: error: \(path): /n0/n1/…(61 more)…/n63: nodes nested more than 64 deep"),
        "\(verb[0]): \(r.stderr)")
    }
  }

  /// A cache chain far longer than any CPU has: refused at the hop limit.
  @Test func aLongCacheChainIsRefused() throws {
    var caches = ""
    for i in 0..<200 {
      let next = i + 1 < 200 ? " next-level-cache = <&c\(i + 1)>;" : ""
      caches += "    c\(i): cache\(i) { compatible = \"cache\"; cache-level = <2>;\(next) };\n"
    }
    let source = """
      /dts-v1/;
      / {
        #address-cells = <2>;
        #size-cells = <2>;
        cpus {
          #address-cells = <1>;
          #size-cells = <0>;
          cpu@0 { device_type = "cpu"; compatible = "arm,cortex-a53"; reg = <0>; next-level-cache = <&c0>; };
      \(caches)
        };
      };
      """
    let scratch = try TemporaryDirectory()
    let dtb = try compileDTS(source, named: "chain", in: scratch)
    let r = try cleave(["inspect", dtb])
    #expect(r.status == 2, "\(r.summary)")
    #expect(r.stderr.contains("the cache chain of /cpus/cpu@0 is longer than 64 caches"), "\(r.stderr)")
  }

  @Test func anOversizedBoardIsRefusedBeforeItIsRead() throws {
    let scratch = try TemporaryDirectory()
    let path = scratch.path("huge.dtb")
    #expect(FileManager.default.createFile(atPath: path, contents: nil))
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.truncate(atOffset: 17 << 20)  // sparse: nothing is written
    try handle.close()
    let r = try cleave(["inspect", path])
    #expect(r.status == 2, "\(r.summary)")
    #expect(
      r.stderr
        == "cleave: error: \(path): the board is \(17 << 20) bytes; cleave reads boards of at most 16 MiB\n")
  }

  @Test func anOversizedPlanIsRefusedBeforeItIsRead() throws {
    let scratch = try TemporaryDirectory()
    let path = try scratch.write(Data(Self.plan(kernel: "k0").utf8), to: "huge.yaml")
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.truncate(atOffset: 2 << 20)
    try handle.close()
    let r = try cleave(["check", path])
    #expect(r.status == 2, "\(r.summary)")
    #expect(
      r.stdoutText.hasPrefix(
        "\(path): error[plan_syntax]: the plan is \(2 << 20) bytes; cleave reads plans of at most 1 MiB\n"),
      "\(r.stdoutText)")
  }
}
