import DeviceTree
import Machine

/// A plan resolved against its board: which cores, memory, devices and
/// interrupts each kernel has, where channels live and how they ring.
public struct Partition: Sendable {
  public let machine: Machine
  public let plan: Plan
  /// The board file as opened (the plan's board path made absolute or relative to the working directory).
  public var boardPath: String
  public var target: Plan.Target
  public var boot: Plan.BootMode
  public var loader: AddressRange
  public var loaderLocation: SourceLocation
  public var kernels: [Kernel]
  public var channels: [Channel]
  public var sharedRegions: [SharedRegion]
  /// The kernel that initialises the interrupt controller (GIC distributor / PLIC).
  public var interruptControllerOwner: Int?
  public var doorbellMechanism: DoorbellMechanism
  /// What each kernel's tree keeps of the board (in kernel order): its devices
  /// with their dependency closure, and what goes because it cannot resolve.
  public var cuts: [KernelCut] = []
  /// The index of the board the cuts were made with, for the trees that
  /// follow them; it depends on the machine alone, which a partition never changes.
  public var boardIndex: BoardIndex? = nil
  /// The board's name and reference tables the plan was resolved and cut
  /// with. Nothing reads them again; they go with the partition so that a
  /// command, which keeps its partition until it exits, does not free their
  /// hundreds of thousands of entries one by one on the way.
  var resolvedWith: (References, BoardReferences)? = nil
  /// The plan's `foreign:` entries: what other software holds, kept from the kernels.
  public var foreign: [Foreign] = []
  /// The EL2 fence of `isolation: stage2`; nil when the plan has none.
  public var isolation: Isolation? = nil

  /// `isolation:` resolved: what the fence does on a fault, which kernels may
  /// power the machine, and whether it traps GICv3 SGIs.
  public struct Isolation: Sendable {
    public var onFault: Plan.Isolation.OnFault
    /// Kernels that may call PSCI SYSTEM_OFF / SYSTEM_RESET (indexes into ``Partition/kernels``).
    public var power: [Int]
    /// `sgis: filtered`: the fence traps GICv3 SGIs and filters them as it
    /// always does GICv2's (``Partition/fenceFiltersSGIs``).
    public var filterSGIs: Bool = false
    public var location: SourceLocation
  }

  /// A `foreign:` entry resolved: cores, memory and devices some software
  /// cleave does not boot uses (another cluster's domain).
  public struct Foreign: Sendable {
    public var index: Int
    public var name: String
    public var location: SourceLocation
    public var cpus: [Int]
    public var cpuLocations: [Int: SourceLocation]
    public var memory: [MemoryRegion]
    /// Devices it holds (indexes into `machine.devices`), with those a `shared` entry lets it share.
    public var devices: [Int]
    public var sharedDevices: [Int]
    public var deviceLocations: [Int: SourceLocation]
  }

  public struct Kernel: Sendable {
    public var index: Int
    public var name: String
    public var location: SourceLocation
    /// Indexes into `machine.cpus`, in plan order; the first is the boot core.
    public var cpus: [Int]
    public var cpuLocations: [Int: SourceLocation]
    public var memory: [MemoryRegion]
    /// Devices the kernel owns exclusively (indexes into `machine.devices`).
    public var devices: [Int]
    /// Devices the kernel uses through a `shared` entry.
    public var sharedDevices: [Int]
    public var deviceLocations: [Int: SourceLocation]
    /// SPIs (GIC INTIDs) or PLIC sources this kernel owns.
    public var interrupts: [OwnedInterrupt]
    public var image: KernelImage?
    public var imageLocation: SourceLocation?
    /// The initial RAM disk: its file and where it goes (below the DTB).
    public var initrd: Initrd?
    public var `protocol`: Plan.BootProtocol
    public var bootargs: String?
    /// What `cleave run` takes as this kernel's PASS when it prints no `cleave|PASS` line.
    public var consolePass: String?
    /// Console texts that fail the run.
    public var consoleFail: [String]
    public var stdout: Int?
    public var ownsInterruptController: Bool
    /// What the plan says runs here, beyond the image's protocol.
    public var kind: Plan.KernelKind?
    /// The image resets the whole interrupt distributor / PLIC when it boots:
    /// Linux, seL4, or any image the plan marks `resets: [interrupt-controller]`.
    public var resetsInterruptController: Bool
    /// Where the kernel's own DTB goes.
    public var dtb: AddressRange?
    /// The NUMA node the kernel's cores sit on, when they agree.
    public var numaNode: UInt32?
    /// A seL4 boot-info kernel's root task and where the plan names it.
    public var rootTask: KernelImage? = nil
    public var rootTaskLocation: SourceLocation? = nil
    /// A seL4 boot-info kernel's system core list (indexes into `machine.cpus`):
    /// the record's MPIDRs, in order; its node index is its boot core's place here.
    public var systemCores: [Int] = []
    public var systemCoresLocation: SourceLocation? = nil
    /// The exception level the plan says the image must be entered at (`exception-level:`).
    public var exceptionLevel: Plan.ExceptionLevel? = nil

    public var bootCPU: Int? { cpus.first }
    /// Owned and shared devices together.
    public var allDevices: [Int] { devices + sharedDevices }
  }

  public struct Initrd: Sendable, Hashable {
    public var path: String
    public var range: AddressRange
    public var location: SourceLocation
  }

  public struct MemoryRegion: Sendable, Hashable {
    public var range: AddressRange
    public var location: SourceLocation
    /// Placed by cleave (a size in the plan) rather than written as a range.
    public var placed: Bool
  }

  public struct OwnedInterrupt: Sendable, Hashable {
    /// GIC INTID or PLIC source number.
    public var number: UInt32
    /// The device that raises it, if any.
    public var device: Int?
    public var location: SourceLocation
  }

  public struct Channel: Sendable {
    public var index: Int
    public var name: String
    public var members: [Int]
    public var region: AddressRange
    public var location: SourceLocation
    /// One per member, in member order.
    public var doorbells: [Doorbell]
  }

  /// How a channel end is rung.
  public struct Doorbell: Sendable, Hashable {
    public var kernel: Int
    /// The CPU that receives it (the kernel's boot core).
    public var cpu: Int
    /// The SGI number on GIC; 1 (supervisor software interrupt) on RISC-V.
    public var interrupt: UInt32
    /// Several channel ends share this interrupt; the channel header's pending bitmap says which.
    public var multiplexed: Bool
    /// This end's bit in the pending bitmap.
    public var bit: Int
  }

  public enum DoorbellMechanism: String, Sendable, Codable, CaseIterable {
    case sgi
    case sbiIPI = "sbi-ipi"
    case aclintSSWI = "aclint-sswi"
    case polling
  }

  public struct SharedRegion: Sendable {
    public var range: AddressRange
    public var kernels: [Int]
    public var location: SourceLocation
    /// `foreign:` entries the region is shared with (indexes into ``Partition/foreign``).
    public var foreign: [Int] = []
  }
}
