/// Every diagnostic cleave can report, with a stable snake_case id.
///
/// The `plan` family marks input that cannot be used at all (exit status 2);
/// every other family is a finding about a well-formed plan (exit status 1 for
/// errors). The README's check table is generated from `summary`.
public enum CheckID: String, CaseIterable, Sendable, Codable {
  // Plan input that cannot be used.
  case planSyntax = "plan_syntax"
  case unknownKey = "unknown_key"
  case duplicateKey = "duplicate_key"
  case missingKey = "missing_key"
  case wrongType = "wrong_type"
  case badNumber = "bad_number"
  case badSize = "bad_size"
  case boardUnreadable = "board_unreadable"
  case nameInvalid = "name_invalid"
  // Plan references.
  case kernelUnknown = "kernel_unknown"
  case targetMismatch = "target_mismatch"
  // Cores.
  case coreUnknown = "core_unknown"
  case coreAssignedTwice = "core_assigned_twice"
  case kernelWithoutCores = "kernel_without_cores"
  case coreUnassigned = "core_unassigned"
  case bootMethodUnsupported = "boot_method_unsupported"
  case bootMethodFromFirmware = "boot_method_from_firmware"
  case releaseAddressGranted = "release_address_granted"
  case coreArchitecture = "core_architecture"
  // Memory.
  case memoryMissing = "memory_missing"
  case memoryOverlap = "memory_overlap"
  case memoryOutsideRAM = "memory_outside_ram"
  case memoryOverlapsReserved = "memory_overlaps_reserved"
  case memoryOverlapsLoader = "memory_overlaps_loader"
  case memoryOverlapsChannel = "memory_overlaps_channel"
  case memoryOverlapsMMIO = "memory_overlaps_mmio"
  case memoryMisaligned = "memory_misaligned"
  case memoryOverflow = "memory_overflow"
  case memoryUnplaceable = "memory_unplaceable"
  case memoryUnreachable = "memory_unreachable"
  // Software cleave does not boot (`foreign:`, other clusters' domains).
  case foreignOverlap = "foreign_overlap"
  // Devices.
  case deviceUnknown = "device_unknown"
  case nodeUnusable = "node_unusable"
  case deviceOwnedTwice = "device_owned_twice"
  case deviceInterruptUnreachable = "device_interrupt_unreachable"
  case deviceProviderForeign = "device_provider_foreign"
  case deviceProviderShared = "device_provider_shared"
  case deviceUnkeepable = "device_unkeepable"
  case treePruned = "tree_pruned"
  case stdoutNotOwned = "stdout_not_owned"
  // Interrupts.
  case interruptOwnedTwice = "interrupt_owned_twice"
  case interruptUnknown = "interrupt_unknown"
  case interruptControllerOwnedTwice = "interrupt_controller_owned_twice"
  case distributorInitialisedTwice = "distributor_initialised_twice"
  case doorbellsExhausted = "doorbells_exhausted"
  case doorbellMechanismUnusable = "doorbell_mechanism_unusable"
  case gicv2CPUInterface = "gicv2_cpu_interface"
  // Topology.
  case kernelSpansL2 = "kernel_spans_l2"
  case kernelSpansNUMA = "kernel_spans_numa"
  case memoryRemote = "memory_remote"
  // Images.
  case imageUnreadable = "image_unreadable"
  case imageOutsideMemory = "image_outside_memory"
  case imageEntryOutside = "image_entry_outside"
  case dtbOverlapsImage = "dtb_overlaps_image"
  // RISC-V OpenSBI domains.
  case domainPMPExhausted = "domain_pmp_exhausted"
  // seL4 kernels.
  case sel4BaseMisaligned = "sel4_base_misaligned"
  case sel4BootHart = "sel4_boot_hart"
  case sel4SMPDoorbell = "sel4_smp_doorbell"
  case sel4NoConsole = "sel4_no_console"
  // seL4's multikernel boot protocol (protocol: sel4-boot-info).
  case bootInfoBase = "boot_info_base"
  case bootInfoMemory = "boot_info_memory"
  case bootInfoCores = "boot_info_cores"
  case bootInfoRegions = "boot_info_regions"
  case bootInfoCoreList = "boot_info_core_list"
  case bootInfoPrimary = "boot_info_primary"
  case bootInfoSPIReroute = "boot_info_spi_reroute"
  // The AArch64 EL2 fence (isolation: stage2).
  case fenceNeedsEL2 = "fence_needs_el2"
  case fenceNeedsPSCI = "fence_needs_psci"
  case fenceKernelNeedsEL2 = "fence_kernel_needs_el2"
  case fenceProtocol = "fence_protocol"
  case fencePageShared = "fence_page_shared"

  /// Whether the finding means the input is unusable (exit status 2) rather than wrong.
  public var isInputError: Bool {
    switch self {
    case .planSyntax, .unknownKey, .duplicateKey, .missingKey, .wrongType, .badNumber, .badSize,
      .boardUnreadable, .nameInvalid:
      true
    default: false
    }
  }

  /// One line on what the check proves.
  public var summary: String {
    switch self {
    case .planSyntax: "the plan is not valid YAML"
    case .unknownKey: "a key the plan format does not have (with the nearest known key)"
    case .duplicateKey: "a key given twice in one mapping"
    case .missingKey: "a required key is absent"
    case .wrongType: "a value of the wrong kind (a list where a mapping belongs, …)"
    case .badNumber: "a number that does not parse or does not fit 64 bits"
    case .badSize: "a size with an unknown suffix or one that overflows"
    case .boardUnreadable: "the board file cannot be read or understood"
    case .nameInvalid:
      "a kernel or channel name that is not an identifier (letters, digits, _ and -, from a letter, at most 15)"
    case .kernelUnknown:
      "a channel, shared entry or `isolation.power` names a kernel the plan does not define"
    case .targetMismatch: "the plan's target is not the board's architecture"
    case .coreUnknown: "a core reference that names nothing on the board (with the nearest name)"
    case .coreAssignedTwice: "a core given to two kernels"
    case .kernelWithoutCores: "a kernel with no cores"
    case .coreUnassigned: "cores no kernel uses (warning)"
    case .bootMethodUnsupported:
      "a kernel's cores start another way than the plan's `boot:` (spin-table under psci), or in no way the loader can drive"
    case .bootMethodFromFirmware:
      "cores start through PSCI the board's tree leaves to the firmware: no /psci node, or no enable-method (warning)"
    case .releaseAddressGranted:
      "a spin-table core's cpu-release-addr lies in a kernel's memory, a channel or the loader's image"
    case .coreArchitecture:
      "a kernel's core runs another architecture than the target (a Cortex-R5 of a System Device Tree under aarch64)"
    case .memoryMissing: "the board names no RAM (its firmware fills /memory in) and the plan gives no `ram:`"
    case .memoryOverlap: "two kernels' memory, or two channels, overlap"
    case .memoryOutsideRAM: "memory outside every RAM bank"
    case .memoryOverlapsReserved: "memory over a /memreserve/ entry or no-map reserved memory"
    case .memoryOverlapsLoader: "memory over the loader region"
    case .memoryOverlapsChannel: "memory over a channel the kernel is not a member of"
    case .memoryOverlapsMMIO: "memory over a device's MMIO window"
    case .memoryMisaligned: "a base or size below 4 KiB alignment, or a Linux Image base off 2 MiB"
    case .memoryOverflow: "base + size past 2^64"
    case .memoryUnplaceable: "a sized request no free range can hold (says how much is free, where)"
    case .memoryUnreachable:
      "memory of a kernel or foreign entry that its cores' cluster address-map does not reach (System Device Trees)"
    case .foreignOverlap:
      "a kernel's cores, memory or devices, or the loader, overlap what a `foreign:` entry holds, without a `shared` entry naming both"
    case .deviceUnknown: "a device reference that names nothing on the board (with the nearest name)"
    case .nodeUnusable:
      "a core or device the board reading set aside for a defect in its node (its warning says which)"
    case .deviceOwnedTwice: "a device given to two kernels without being declared shared"
    case .deviceInterruptUnreachable: "a device whose interrupts go to a controller its kernel does not reach"
    case .deviceProviderForeign:
      "a device whose clock, reset, power domain, pinctrl, phy or iommu another kernel owns (warning)"
    case .deviceProviderShared:
      "a provider no kernel owns that devices of one or more kernels depend on: it stays in their trees as shared hardware (warning)"
    case .deviceUnkeepable:
      "a device the plan gives a kernel that its tree cannot hold (it names a core, cache or memory of another kernel)"
    case .treePruned:
      "nodes a kernel's tree loses because what they reference is in another kernel's tree; report.json lists each removal (warning)"
    case .stdoutNotOwned: "stdout names a device the kernel does not own or share"
    case .interruptOwnedTwice: "an SPI or PLIC source owned by two kernels"
    case .interruptUnknown: "an extra interrupt that is not an SPI / PLIC source of this board"
    case .interruptControllerOwnedTwice: "more than one kernel claims the interrupt controller"
    case .distributorInitialisedTwice:
      "a kernel that resets the distributor at boot (Linux, seL4, `resets:`) is not the one owner, or two such kernels"
    case .doorbellsExhausted: "more channel ends on a kernel than doorbell SGIs, with multiplexing off"
    case .doorbellMechanismUnusable: "a doorbell mechanism the target, boot mode or board cannot provide"
    case .gicv2CPUInterface: "a core beyond GICv2 CPU interface 7, which cannot take SGIs"
    case .kernelSpansL2: "a kernel whose cores sit under more than one L2 (warning)"
    case .kernelSpansNUMA: "a kernel whose cores span NUMA nodes (warning)"
    case .memoryRemote: "a kernel's memory on another NUMA node than its cores (warning)"
    case .imageUnreadable: "a kernel image that cannot be read or is not ELF / a Linux arm64 Image"
    case .imageOutsideMemory: "ELF segments, or text_offset + image_size, outside the kernel's memory"
    case .imageEntryOutside: "an entry point outside the kernel's loaded image"
    case .dtbOverlapsImage: "the kernel's DTB slot overlaps its image"
    case .domainPMPExhausted: "more regions in a domain than PMP entries left"
    case .sel4BaseMisaligned: "a seL4 kernel's memory does not start on a 2 MiB boundary (warning)"
    case .sel4BootHart: "a RISC-V seL4 kernel whose boot hart is not hart 0 (warning)"
    case .sel4SMPDoorbell: "an SMP seL4 kernel with channels, which cannot send SGIs (warning)"
    case .sel4NoConsole: "a seL4 kernel that owns and shares no UART (warning)"
    case .bootInfoBase: "a sel4-boot-info kernel whose memory does not start on a 2 MiB boundary"
    case .bootInfoMemory:
      "a sel4-boot-info kernel's first memory range cannot hold its 2 MiB-rounded kernel window, root task and record"
    case .bootInfoCores:
      "a sel4-boot-info kernel on more than one core (the protocol starts one core per instance)"
    case .bootInfoRegions:
      "a sel4-boot-info kernel with more RAM (16) or reserved (18) regions than its record can carry"
    case .bootInfoCoreList:
      "sel4-boot-info kernels that disagree on the system core list, or one whose own core is not in it"
    case .bootInfoPrimary:
      "the sel4-boot-info kernel at node 0 (it masks every SPI at boot) does not own the interrupt controller or does not start first"
    case .bootInfoSPIReroute:
      "a sel4-boot-info kernel that does not own the interrupt controller beside SPIs another kernel owns, which it can re-route"
    case .fenceNeedsEL2:
      "`isolation: stage2` where the loader cannot hold EL2: a target other than aarch64, PSCI through hvc (a hypervisor has EL2), or a GIC that shows no virtualization interface"
    case .fenceNeedsPSCI:
      "`isolation: stage2` with `boot: spin-table`, whose cores kernels release straight into EL2, past the fence"
    case .fenceKernelNeedsEL2:
      "a kernel that must be entered at EL2 (`exception-level: el2`) under the fence, which holds EL2 itself"
    case .fenceProtocol: "a sel4-boot-info kernel under the fence, which does not support that protocol yet"
    case .fencePageShared:
      "under the fence, a 4 KiB page holding registers of two kernels' devices, or a device page over another kernel's memory or channel"
    }
  }
}
