/// A partition plan as written: every value keeps its `file:line:column`.
public struct Plan: Sendable {
  public enum Target: String, Sendable, CaseIterable { case aarch64, riscv64 }
  public enum BootMode: String, Sendable, CaseIterable {
    case psci
    /// AArch64 cores parked by the firmware on a `cpu-release-addr` (every Raspberry Pi).
    case spinTable = "spin-table"
    case sbiHSM = "sbi-hsm"
    case opensbiDomains = "opensbi-domains"
  }
  /// How a kernel is entered: an ELF file at its entry, a Linux Image by the
  /// Linux boot protocol, a flat binary at the start of its memory (DTB in
  /// x0 / a1 like an ELF kernel), or seL4's multikernel boot protocol (one
  /// kernel ELF linked at a fixed virtual address, started once per kernel at
  /// EL1 with the MMU on and x0 = a boot-info record naming its memory).
  public enum BootProtocol: String, Sendable, CaseIterable {
    case elf, linux, binary
    case sel4BootInfo = "sel4-boot-info"
  }
  /// What runs in a kernel, where cleave knows something about it that its
  /// image does not say: seL4 resets the interrupt distributor at boot.
  public enum KernelKind: String, Sendable, CaseIterable { case sel4 }
  /// The exception level an image must be entered at: a hypervisor needs EL2.
  public enum ExceptionLevel: String, Sendable, CaseIterable { case el1, el2 }

  public var file: String
  /// The board path, relative to the plan file.
  public var board: Located<String>
  public var target: Located<Target>?
  public var boot: Located<BootMode>?
  public var loader: Region?
  /// The machine's RAM when the board does not name it (firmware fills `/memory`
  /// in at boot) or names it wrongly: replaces the board's memory banks.
  public var ram: [Region]?
  public var ramLocation: SourceLocation?
  public var kernels: [Kernel]
  /// Where `kernels:` is written.
  public var kernelsLocation: SourceLocation?
  public var channels: [Channel]
  public var shared: [Shared]
  public var doorbells: Doorbells?
  /// Software cleave does not boot (another cluster's domains): what it holds
  /// is kept from the kernels unless a `shared` entry names both.
  public var foreign: [Foreign] = []
  /// `isolation:`: whether the partition is enforced while the kernels run
  /// (an AArch64 EL2 fence) rather than only checked before they start.
  public var isolation: Isolation? = nil

  public struct Region: Sendable {
    public var base: Located<UInt64>
    public var size: Located<UInt64>
    public var location: SourceLocation
  }

  public enum Memory: Sendable {
    /// Placed by cleave.
    case sized(size: Located<UInt64>, align: Located<UInt64>?, numa: Located<UInt32>?)
    /// Exactly these ranges.
    case ranges([Region])
  }

  public struct Image: Sendable {
    public var path: Located<String>
    public var `protocol`: Located<BootProtocol>
    /// Where a binary's first byte goes (`protocol: binary` only).
    public var at: Located<UInt64>?
    /// The root task ELF a seL4 boot-info kernel starts (`protocol: sel4-boot-info` only).
    public var rootTask: Located<String>? = nil
    /// The system core list the seL4 kernel was built for (core index -> MPIDR,
    /// `KernelMultikernelNumCPUs` entries); every core of the board, in board
    /// order, when absent (`protocol: sel4-boot-info` only).
    public var systemCores: [Located<String>]? = nil
    public var systemCoresLocation: SourceLocation? = nil
  }

  public struct Kernel: Sendable {
    public var name: Located<String>
    public var cores: [Located<String>]
    public var memory: Memory?
    public var memoryLocation: SourceLocation?
    public var devices: [Located<String>]
    public var interrupts: [Located<UInt64>]
    public var image: Image?
    /// An initial RAM disk handed to a Linux kernel (`linux,initrd-start` / `-end`).
    public var initrd: Located<String>?
    public var bootargs: Located<String>?
    public var stdout: Located<String>?
    public var owns: [Located<String>]
    /// How `cleave run` judges a kernel that prints no `cleave|PASS` line.
    public var console: Console?
    public var kind: Located<KernelKind>?
    /// `resets: [interrupt-controller]`: the image resets the whole distributor / PLIC at boot.
    public var resets: [Located<String>]
    /// `exception-level:`: what the image must be entered at, when the plan says.
    public var exceptionLevel: Located<ExceptionLevel>? = nil
  }

  /// `isolation: stage2`, or `isolation: { fence: stage2, on-fault: inject | stop,
  /// power: [k0], sgis: direct | filtered }`: the loader stays at EL2 and runs
  /// every kernel at EL1 behind stage-2 translation, the GIC distributor
  /// emulated by ownership and PSCI filtered (CBootABI's `CLEAVE_DESC_FENCE`).
  public struct Isolation: Sendable {
    public enum Fence: String, Sendable, CaseIterable { case stage2 }
    /// What the fence does to a core that touches what is not its kernel's:
    /// inject an abort into the kernel (so it can survive a probe), or stop the core.
    public enum OnFault: String, Sendable, CaseIterable { case inject, stop }
    /// How a GICv3 kernel's SGIs leave its cores: `direct`, through the system
    /// registers untrapped, or `filtered`, trapped by the fence and passed only
    /// to the kernel's own cores and to a channel peer's doorbell
    /// (`CLEAVE_DESC_FENCE_SGIS`). A GICv2 board's SGIs are a distributor
    /// register, filtered whatever this says.
    public enum SGIs: String, Sendable, CaseIterable { case direct, filtered }
    public var fence: Located<Fence>
    /// `inject` when absent.
    public var onFault: Located<OnFault>?
    /// Kernels that may power the machine off or reset it (PSCI SYSTEM_OFF, SYSTEM_RESET).
    public var power: [Located<String>]
    /// `direct` when absent.
    public var sgis: Located<SGIs>? = nil
    /// Where `isolation:` is written.
    public var location: SourceLocation
  }

  /// `console: { pass: TEXT, fail: TEXT or [TEXT, ...] }` of a kernel.
  public struct Console: Sendable {
    /// A console line containing this text is the kernel's PASS.
    public var pass: Located<String>?
    /// A console line containing any of these fails the run.
    public var fail: [Located<String>]
  }

  /// An entry of `foreign:`: cores (or a whole cluster), memory and devices
  /// some other software uses; `check` keeps the kernels off them.
  public struct Foreign: Sendable {
    public var name: Located<String>
    /// Core references, as a kernel's `cores` (a cluster label names all its cores).
    public var cores: [Located<String>]
    public var memory: [Region]
    public var devices: [Located<String>]
  }

  public struct Channel: Sendable {
    public var name: Located<String>?
    public var between: [Located<String>]
    public var size: Located<UInt64>
    /// A fixed base; placed by cleave when absent.
    public var base: Located<UInt64>?
    public var location: SourceLocation
  }

  public struct Shared: Sendable {
    public var device: Located<String>?
    public var region: Region?
    public var kernels: [Located<String>]
    public var location: SourceLocation
  }

  public struct Doorbells: Sendable {
    /// First SGI used for doorbells (8 by default).
    public var first: Located<UInt64>?
    /// How many SGIs from `first` (8 by default).
    public var count: Located<UInt64>?
    /// Whether to multiplex when a kernel has more channel ends than doorbells (true by default).
    public var multiplex: Located<Bool>?
    /// How doorbells ring; chosen from the boot mode and the board when absent.
    public var mechanism: Located<Partition.DoorbellMechanism>?
  }
}
