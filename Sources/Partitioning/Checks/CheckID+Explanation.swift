/// What `cleave explain CHECK` (and `cleave help CHECK`) prints: why a check
/// exists and how to satisfy it. Kept beside `summary` in the same enum, so a
/// new check cannot be added without its explanation (the switches are exhaustive).
extension CheckID {
  /// Whether a finding of this check is an error or a warning when it fires.
  public var defaultSeverity: Diagnostic.Severity {
    switch self {
    case .coreUnassigned, .kernelSpansL2, .kernelSpansNUMA, .memoryRemote, .deviceProviderForeign,
      .sel4BaseMisaligned, .sel4BootHart, .sel4SMPDoorbell, .sel4NoConsole,
      .deviceProviderShared, .treePruned, .bootMethodFromFirmware:
      .warning
    default: .error
    }
  }

  /// Why the rule matters: what goes wrong at boot or at run time if it is broken.
  public var rationale: String {
    switch self {
    case .planSyntax, .unknownKey, .duplicateKey, .missingKey, .wrongType:
      "A plan cleave cannot read exactly is a plan it cannot prove anything about: a misspelt key would silently "
        + "drop what it was meant to say (a kernel's memory, its devices), so the whole plan is refused."
    case .badNumber, .badSize:
      "Addresses and sizes are 64-bit hardware values; one that does not parse or does not fit would be truncated "
        + "into some other address, so it is refused rather than guessed."
    case .boardUnreadable:
      "Every check compares the plan with the board's device tree; without the tree there is nothing to check against."
    case .nameInvalid:
      "A kernel's name becomes a file name under OUT, a node and strings in its tree and a field of the boot "
        + "descriptor; a name with '/' or '..' could write outside OUT, and one too long would be cut short."
    case .kernelUnknown:
      "A channel or shared entry that names no kernel describes memory or a device nobody would map; an "
        + "`isolation.power` name that names none leaves the kernel that was meant unable to power the machine off."
    case .targetMismatch:
      "The loader, the entry protocol and the interrupt controller all follow the target; a plan for the wrong "
        + "architecture cannot boot on the board."
    case .coreUnknown:
      "A core the board does not have cannot be started; the kernel would wait for it forever."
    case .coreAssignedTwice:
      "Two kernels running on one core would overwrite each other's registers, stacks and exception vectors."
    case .kernelWithoutCores:
      "A kernel with no core never runs, yet it would still hold memory and devices."
    case .bootMethodUnsupported:
      "The loader starts each kernel's boot core, and a kernel its other cores, the way the plan's `boot:` says: "
        + "PSCI CPU_ON, or a write to the core's spin-table release address. A core the firmware parks on a "
        + "spin-table (every Raspberry Pi) never answers PSCI, a PSCI core never reads a release address, and a core "
        + "whose tree names no way to start it cannot be started at all, so the kernel never starts."
    case .bootMethodFromFirmware:
      "The tree does not say everything the loader needs: firmware such as U-Boot adds /psci or the CPUs' "
        + "enable-method at boot. The loader then calls PSCI through the conduit the live tree names; if the "
        + "firmware adds nothing, those cores cannot be started."
    case .releaseAddressGranted:
      "The loader releases a spin-table core by writing its entry to the core's release address, and the core "
        + "spins on that word until then: inside a kernel's memory or a channel the kernel's own writes would "
        + "release the core into garbage (or the loader's write would corrupt the kernel), and inside the loader's "
        + "image QEMU or the loader would overwrite it before the core is released."
    case .coreUnassigned:
      "Cores no kernel uses stay powered off; often a typo in a `cores:` list rather than the intent."
    case .coreArchitecture:
      "A System Device Tree puts cores of several architectures on one SoC; a kernel built for the target cannot run "
        + "on a Cortex-R5 or a MicroBlaze, and the loader cannot even start such a core."
    case .nodeUnusable:
      "A node whose reg, ranges or interrupts cannot be read has no known address or interrupt; cleave left it out "
        + "of the board, so it can neither map it for a kernel nor keep other kernels off it."
    case .memoryMissing:
      "Most boards' trees leave /memory empty for the firmware (U-Boot, a Raspberry Pi's) to fill in at boot; "
        + "without knowing the RAM, cleave cannot place kernels, channels or the loader."
    case .memoryOverlap:
      "Two kernels writing the same RAM corrupt each other silently; only memory declared as a channel or under "
        + "`shared:` may be seen by more than one kernel."
    case .memoryOutsideRAM:
      "Memory that is not RAM is a device window or nothing at all: a kernel using it would fault or drive hardware."
    case .memoryUnreachable:
      "On a System Device Tree each cluster sees only what its address-map maps: memory outside it does not exist "
        + "for those cores, so a kernel (or another cluster's software) given it faults on its first access."
    case .foreignOverlap:
      "Software cleave does not boot (another cluster's domains) still runs beside the kernels: a core, memory range "
        + "or device both use is corrupted by whichever writes second, and nothing at run time says why."
    case .memoryOverlapsReserved:
      "/memreserve/ entries and no-map reserved memory belong to firmware (secure monitors, DMA pools); a kernel "
        + "that writes there breaks the firmware or is faulted by it."
    case .memoryOverlapsLoader:
      "The loader, the boot descriptor and every image live in the loader region until each kernel is entered; "
        + "a kernel placed there would be overwritten while it is being loaded."
    case .memoryOverlapsChannel:
      "A channel's memory belongs to its members only; a third kernel holding it could read or forge their messages."
    case .memoryOverlapsMMIO:
      "Memory over a device window is not RAM: stores reach device registers."
    case .memoryMisaligned:
      "Page tables map whole pages (4 KiB); a Linux arm64 Image must start on a 2 MiB boundary (plus text_offset)."
    case .memoryOverflow:
      "A range past the top of the 64-bit address space wraps around to address 0."
    case .memoryUnplaceable:
      "cleave places sized memory requests first-fit outside reservations, the loader and other kernels; "
        + "this one does not fit anywhere that is free."
    case .deviceUnknown:
      "A device the board does not have cannot be given to a kernel; usually a typo in a path, label or alias."
    case .deviceOwnedTwice:
      "Two drivers programming one device race on its registers and its interrupt."
    case .deviceInterruptUnreachable:
      "A device whose interrupt goes to a controller the kernel does not reach can never interrupt that kernel."
    case .deviceProviderForeign:
      "A device depends on its clocks, resets, power domains, pins and PHYs; when another kernel owns one of them, "
        + "that kernel can switch the device off under its owner. The dependent kernel's tree keeps the provider "
        + "(its reference must resolve), so both kernels' drivers will program it."
    case .deviceProviderShared:
      "A clock controller, pin controller or GPIO block no kernel owns is still programmed by every kernel whose "
        + "devices need it; two kernels doing so is exactly the shared-hardware hazard a plan must decide on."
    case .deviceUnkeepable:
      "A device that names a core, cache or memory its kernel does not have cannot be written into that kernel's "
        + "tree without a dangling reference; rather than dropping it silently, the plan is refused."
    case .treePruned:
      "A node that references something its tree does not hold (a regulator switched by another kernel's GPIO "
        + "block) would dangle and trip its driver at boot; it goes, with whatever depends on it, and the user "
        + "should know. (Nodes that reference a device no kernel has go with that device, listed in report.json.)"
    case .stdoutNotOwned:
      "A console on a UART the kernel does not own writes into another kernel's device."
    case .interruptOwnedTwice:
      "An SPI or PLIC source is delivered to one place; two owners means one of them never sees it, or both "
        + "reprogram its routing."
    case .interruptUnknown:
      "An interrupt the board's controller does not have cannot be routed."
    case .interruptControllerOwnedTwice:
      "The GIC distributor or the PLIC is shared hardware; exactly one kernel may initialise it, or the second "
        + "initialisation undoes the first kernel's routing."
    case .distributorInitialisedTwice:
      "Kernels such as Linux reset the whole distributor when they boot, disabling and rerouting every other "
        + "kernel's interrupts; such a kernel must be the one owner, and it is started first."
    case .doorbellsExhausted:
      "Each channel end needs a doorbell SGI; without multiplexing there are only as many ends as free SGIs."
    case .doorbellMechanismUnusable:
      "A doorbell the platform cannot ring leaves the channel silent: OpenSBI refuses SBI IPIs across domains, "
        + "SGIs exist only on a GIC, an ACLINT SSWI only where the board has one."
    case .gicv2CPUInterface:
      "GICv2 has eight CPU interfaces; a core beyond them cannot receive SGIs, so it cannot take doorbells."
    case .kernelSpansL2:
      "A kernel image spanning two L2 caches pays cross-cluster coherence traffic on its shared data, the cost "
        + "a clustered multikernel exists to avoid."
    case .kernelSpansNUMA:
      "A kernel spanning NUMA nodes has remote memory latency on part of its cores."
    case .memoryRemote:
      "Memory on another NUMA node than the kernel's cores is slower for every access."
    case .imageUnreadable:
      "The loader must know where each segment goes and where to enter; an image it cannot read cannot be placed."
    case .imageOutsideMemory:
      "An image loaded outside its kernel's memory overwrites another kernel, the loader or firmware."
    case .imageEntryOutside:
      "An entry point outside the loaded image jumps into whatever memory holds there."
    case .dtbOverlapsImage:
      "The loader copies the kernel's device tree into its memory; over the image it would corrupt the kernel."
    case .sel4BaseMisaligned:
      "seL4 rounds its physical base up to 2 MiB; the memory below becomes device untyped for its root task, "
        + "neither kernel memory nor RAM it can use."
    case .sel4BootHart:
      "seL4's qemu-riscv-virt platform forces FIRST_HART_ID 0: its elfloader starts hart 0, so a kernel planned "
        + "on other harts never runs (a limit of seL4's platform support)."
    case .sel4SMPDoorbell:
      "seL4_IRQControl_IssueSGISignal, the call that sends an SGI to a peer kernel, exists only in single-core seL4 "
        + "builds; an SMP seL4 can receive doorbells but not ring them."
    case .sel4NoConsole:
      "seL4 with printing on (KernelPrinting, a debug build's default) writes through the UART its tree names in /chosen/seL4,kernel-devices; with none named, hardware_gen selects no UART driver and the kernel does not link (undefined reference to uart_drv_putchar)."
    case .bootInfoBase:
      "The seL4 multikernel kernel maps its window in 2 MiB blocks from its physical base and refuses a base off "
        + "2 MiB: it never starts."
    case .bootInfoMemory:
      "The kernel maps up to the next 2 MiB boundary past its image, and its root task and boot-info record follow; "
        + "memory that cannot hold them all would put them over its device tree or outside its memory."
    case .bootInfoCores:
      "seL4's multikernel protocol starts one core per kernel instance (TPIDR_EL1 = its node); a kernel's other cores "
        + "would never be started."
    case .bootInfoRegions:
      "The record's counts are bytes and the kernel reads at most 16 RAM and 18 reserved regions; a region left out "
        + "would be handed to the root task as device untyped, another kernel's memory among them."
    case .bootInfoCoreList:
      "Every instance copies the record's MPIDR list into its SGI target table (core index -> MPIDR); two lists that "
        + "differ send a doorbell meant for one core to another."
    case .bootInfoPrimary:
      "Node 0 is seL4's primary: it masks every SPI of the shared distributor when it boots, so it must be the one "
        + "kernel that sets the distributor up and must boot before any other kernel enables an interrupt."
    case .bootInfoSPIReroute:
      "The seL4 multikernel branch's interrupt-controller primary check returns true on every kernel: any instance's "
        + "root task can move any SPI to its own core (SetIrqTargetCore), taking another kernel's device interrupt."
    case .domainPMPExhausted:
      "OpenSBI fences each domain with the hart's PMP entries; a domain with more regions than entries cannot "
        + "be fenced, and OpenSBI refuses to boot it."
    case .fenceNeedsEL2:
      "The fence is the loader staying at EL2 with a stage-2 table per kernel, AArch64's virtualization "
        + "extensions. Where a hypervisor already holds EL2 (it answers PSCI calls made with hvc), the loader runs "
        + "at EL1 and can fence nothing; a GIC whose tree shows no virtualization interface (GICv3 without its "
        + "maintenance interrupt, GICv2 without GICH and GICV) comes from a machine whose EL2 is off or not "
        + "emulated; and another architecture has no EL2 at all. The plan would promise isolation the boot cannot give."
    case .fenceNeedsPSCI:
      "Under the fence every core enters its kernel at EL1 behind its stage-2 tables: the loader starts boot "
        + "cores through PSCI, and takes the CPU_ON calls kernels make for their other cores. A spin-table core is "
        + "started by whoever writes its release address: a kernel releasing its own cores sends them from the "
        + "firmware's loop straight into the kernel at EL2, outside the fence."
    case .fenceKernelNeedsEL2:
      "The fence holds EL2 and enters every kernel at EL1; a kernel that must be entered at EL2 (a hypervisor, "
        + "Linux running KVM's host) finds EL2 taken and fails or runs without what it needs."
    case .fenceProtocol:
      "seL4's multikernel boot protocol enters the kernel at EL1 with the MMU on, through translation tables the "
        + "loader builds for it; the fence does not build those beside its stage-2 tables yet, so sel4-boot-info "
        + "kernels are not supported under it yet."
    case .fencePageShared:
      "Stage-2 translation maps whole 4 KiB pages. A page holding registers of two kernels' devices is mapped into "
        + "both, and a device page that covers part of another kernel's memory or channel maps that RAM too: the "
        + "fence could not keep either kernel off what the plan gives the other."
    }
  }

  /// How to make the finding go away.
  public var remedy: String {
    switch self {
    case .planSyntax: "Fix the YAML at the line and column given (indentation, an unclosed bracket or quote)."
    case .unknownKey: "Use the key the message suggests; the plan format is in the README under Plans."
    case .duplicateKey: "Keep one of the two keys; the note points at the first."
    case .missingKey: "Add the key the message names."
    case .wrongType:
      "Write the value in the form the message names (a list `[a, b]`, a mapping `{ k: v }`, a number)."
    case .badNumber: "Write a decimal or 0x-prefixed hexadecimal number below 2^64."
    case .badSize: "Write a number with K, M, G or T (binary), or a plain number of bytes, below 2^64."
    case .boardUnreadable:
      "Check the `board:` path (relative to the plan) and that `cleave inspect BOARD` reads it."
    case .nameInvalid:
      "Rename it with ASCII letters, digits, '_' and '-', starting with a letter, at most 15 characters."
    case .kernelUnknown: "Name one of the kernels under `kernels:`."
    case .targetMismatch:
      "Remove `target:` (it defaults to the board's architecture) or pick a board of that architecture."
    case .coreUnknown:
      "Use a name `cleave inspect BOARD` lists: a cpu-map cluster, a CPU label or node name, or an MPIDR / hart id."
    case .coreAssignedTwice:
      "Remove the core from one of the two kernels; the note shows where the other takes it."
    case .kernelWithoutCores: "Give the kernel `cores:`, or remove the kernel."
    case .bootMethodUnsupported:
      "Set `boot:` to the method the board's CPUs name (`boot: spin-table` for enable-method \"spin-table\", "
        + "`boot: psci` for \"psci\"); `cleave plan --auto` writes it. A core that names no method on a board "
        + "without /psci needs a tree that says how the firmware starts it."
    case .bootMethodFromFirmware:
      "Boot with firmware that adds /psci (the loader checks the live tree), or give the board a tree that names "
        + "/psci and each CPU's `enable-method = \"psci\"`."
    case .releaseAddressGranted:
      "Move the kernel's memory, the channel or the loader region off the release address (it is usually in "
        + "the firmware's reserved page: keep that page out of every grant)."
    case .coreUnassigned: "Give the cores to a kernel, or ignore the warning if they are meant to stay off."
    case .coreArchitecture:
      "Give the kernel only cores of the target's architecture (`cleave inspect BOARD` shows each cluster's); "
        + "the other clusters run software cleave does not build."
    case .nodeUnusable:
      "Fix the node in the board's source (the warning `cleave inspect BOARD` prints names the defect), "
        + "or leave it out of the plan."
    case .memoryMissing:
      "Give the RAM banks in the plan (`ram: [{ base: 0x0, size: 4G }]`), as the firmware would report them, "
        + "or write the plan with `cleave plan --auto --ram BASE:SIZE`."
    case .memoryOverlap:
      "Move one range, let cleave place it (`memory: 256M`), or declare the region under `shared:` if both "
        + "kernels really share it."
    case .memoryOutsideRAM: "Place the memory inside a bank `cleave inspect BOARD` lists under `memory`."
    case .memoryUnreachable:
      "Move the memory into a window the cluster's address-map names (`cleave inspect` shows what each cluster sees), "
        + "or add the window to the address-map."
    case .foreignOverlap:
      "Take the core, range or device from one of the two, or declare it shared with a `shared:` entry naming the "
        + "kernel and the foreign entry."
    case .memoryOverlapsReserved: "Move the memory off the reservation the message names."
    case .memoryOverlapsLoader: "Move the memory, or the loader with `loader: { base: …, size: … }`."
    case .memoryOverlapsChannel: "Move the memory, or make the kernel a member of the channel."
    case .memoryOverlapsMMIO: "Move the memory off the device window the message names."
    case .memoryMisaligned: "Round the base and size to 4 KiB (2 MiB for a Linux Image's base)."
    case .memoryOverflow: "Lower the base or the size so the range ends at or below 2^64."
    case .memoryUnplaceable:
      "Ask for less, free memory elsewhere, or give a fixed `[{ base: …, size: … }]` the message shows is free."
    case .deviceUnknown: "Use a path, label or alias `cleave inspect BOARD` lists under devices."
    case .deviceOwnedTwice:
      "Give the device to one kernel, or list it under `shared:` with the kernels that share it."
    case .deviceInterruptUnreachable:
      "Give the kernel a core that the controller can interrupt, or the device to another kernel."
    case .deviceProviderForeign:
      "Give the provider to the same kernel as the device, or list it under `shared:` to say the kernels agree on it."
    case .deviceProviderShared:
      "Give the provider to one kernel, or list it under `shared:` with the kernels that use it "
        + "(`shared: [{ device: cprman, kernels: [k0, k1] }]`), which silences this warning."
    case .deviceUnkeepable:
      "Give the device to the kernel that runs the core it names (CoreSight debug, ETM and CTI blocks follow their core)."
    case .treePruned:
      "If the removed nodes are wanted, give their kernel the device they reference or list it under `shared:`; "
        + "report.json's `removed` lists each one."
    case .stdoutNotOwned: "Give the kernel the UART (or share it), or point `stdout:` at one it owns."
    case .interruptOwnedTwice:
      "Remove the interrupt from one kernel's `interrupts:`, or give the device to one kernel."
    case .interruptUnknown: "Use an SPI (32 and up on a GIC) or a PLIC source the board's controller has."
    case .interruptControllerOwnedTwice: "Keep `owns: [interrupt-controller]` on exactly one kernel."
    case .distributorInitialisedTwice:
      "Put `owns: [interrupt-controller]` on the kernel that resets the distributor, and run at most one such kernel."
    case .doorbellsExhausted:
      "Turn multiplexing on (`doorbells: { multiplex: true }`), or use fewer channels."
    case .doorbellMechanismUnusable:
      "Remove `doorbells.mechanism` to get the boot mode's default, or pick one the message allows."
    case .gicv2CPUInterface: "Use cores 0-7 for kernels with channels, or a GICv3 board."
    case .kernelSpansL2:
      "Split the kernel at the L2 boundary (`cleave plan --auto` does), or accept the cost."
    case .kernelSpansNUMA: "Keep each kernel's cores on one NUMA node."
    case .memoryRemote: "Request `memory: { size: …, numa: N }` on the cores' node, or let cleave place it."
    case .imageUnreadable:
      "Point `image.path` at an ELF, an arm64 Image (`protocol: linux`) or a flat binary (`protocol: binary`)."
    case .imageOutsideMemory: "Link the image inside the kernel's memory, or move the memory over the image."
    case .imageEntryOutside: "Fix the image's entry point, or load the part of the image that holds it."
    case .dtbOverlapsImage: "Give the kernel more memory; the DTB goes at the top of its first range."
    case .sel4BaseMisaligned:
      "Start the kernel's memory on a 2 MiB boundary, or let cleave place it (it aligns to 2 MiB)."
    case .sel4BootHart: "Plan the seL4 kernel on hart 0, or patch seL4's platform to start another hart."
    case .sel4SMPDoorbell:
      "Give channel ends to single-core seL4 kernels, or let this kernel poll its channels."
    case .sel4NoConsole:
      "Share the console with this kernel (`shared: [{ device: serial0, kernels: [k0, k1] }]`), or build seL4 without printing."
    case .bootInfoBase: "Start the kernel's first memory range on a 2 MiB boundary, or let cleave place it."
    case .bootInfoMemory:
      "Give the kernel's first memory range more room (the message says how much it needs)."
    case .bootInfoCores: "Give each sel4-boot-info kernel one core; run one instance per core."
    case .bootInfoRegions:
      "Give the kernel fewer memory ranges, or place kernels and channels next to each other so reserved regions merge."
    case .bootInfoCoreList:
      "Give every sel4-boot-info image the same `system-cores:` list (the one its KernelMultikernelNumCPUs was built for)."
    case .bootInfoPrimary:
      "Give the node-0 kernel `owns: [interrupt-controller]`, and no other kernel that resets the distributor."
    case .bootInfoSPIReroute:
      "Leave devices with interrupts out of other kernels while a non-owner sel4-boot-info kernel runs beside them, "
        + "until seL4 checks interrupt ownership itself."
    case .domainPMPExhausted:
      "Give the kernel fewer, larger or naturally aligned ranges and fewer devices, so its domain needs fewer regions."
    case .fenceNeedsEL2:
      "Boot with EL2 left to the loader and the GIC's virtualization interface on (QEMU: `-M virt,virtualization=on`, "
        + "and dump the board's tree with it), or remove `isolation:`; on RISC-V, `boot: opensbi-domains` fences "
        + "each kernel with PMP."
    case .fenceNeedsPSCI: "Use `boot: psci` on firmware that implements PSCI, or remove `isolation:`."
    case .fenceKernelNeedsEL2:
      "Build the kernel to run at EL1 and say `exception-level: el1`, or remove `isolation:`."
    case .fenceProtocol:
      "Remove `isolation:` from plans with sel4-boot-info kernels until the fence supports them."
    case .fencePageShared:
      "Give the devices on the page to one kernel, share them between both (`shared:`), or move the memory or "
        + "channel off the page."
    }
  }

  /// The whole explanation, as `cleave explain` prints it.
  public var explanation: String {
    let kind = isInputError ? "unusable input (exit status 2)" : "\(defaultSeverity)"
    return """
      \(rawValue) (\(kind))
        fires when: \(summary)
        why:        \(rationale)
        fix:        \(remedy)

      """
  }
}
