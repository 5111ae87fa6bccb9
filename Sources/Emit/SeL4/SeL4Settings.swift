import DeviceTree
import Foundation
import Machine
import Partitioning

/// `kernels/NAME.sel4.cmake`: the settings seL4's CMake build needs for one
/// `kind: sel4` kernel, as an initial cache (`cmake -C NAME.sel4.cmake ...`),
/// so nobody derives the platform, CPU, GIC version, core count and overlay by
/// hand for each kernel.
enum SeL4Settings {
  /// The seL4 platform of a board, when cleave can tell it from the tree:
  /// only QEMU's `virt` machines name themselves unambiguously.
  static func platform(_ p: Partition) -> String? {
    let compatible = p.machine.tree.compatible(p.machine.tree.root)
    switch p.target {
    case .aarch64: return compatible.contains("linux,dummy-virt") ? "qemu-arm-virt" : nil
    case .riscv64: return compatible.contains { $0.hasPrefix("riscv-virtio") } ? "qemu-riscv-virt" : nil
    }
  }

  static func text(_ p: Partition, kernel k: Partition.Kernel) -> String {
    var lines = [
      "# seL4 build settings for kernel '\(k.name)' of \(PathText.name(of: p.plan.file)), written by cleave build.",
      "# Use as an initial cache: cmake -C \(k.name).sel4.cmake ... (with seL4's own toolchain options).",
    ]
    func set(_ name: String, _ value: String, _ type: String = "STRING") {
      lines.append("set(\(name) \"\(value)\" CACHE \(type) \"\")")
    }
    switch p.target {
    case .aarch64: set("KernelSel4Arch", "aarch64")
    case .riscv64: set("KernelSel4Arch", "riscv64")
    }
    let compatible = p.machine.tree.compatible(p.machine.tree.root).joined(separator: ", ")
    if let platform = platform(p) {
      set("KernelPlatform", platform)
    } else {
      lines.append(
        "# KernelPlatform: this board's seL4 platform; the tree (compatible \(compatible)) does not say which."
      )
    }
    if p.target == .aarch64 {
      let cpu = k.bootCPU.flatMap { p.machine.cpus[$0].compatible }
      if let cpu, cpu.hasPrefix("arm,") {
        set("ARM_CPU", String(cpu.dropFirst(4)))
      }
      if platform(p) == "qemu-arm-virt", let kind = p.machine.primaryInterruptController?.kind {
        set("QEMU_GIC_VERSION", kind == .gicV2 ? "2" : "3")
      }
    }
    set("KernelMaxNumNodes", "\(k.cpus.count)")
    if let platform = platform(p), platform.hasPrefix("qemu-") {
      // seL4's QEMU platforms otherwise build from a tree QEMU dumps at configure
      // time (-smp KernelMaxNumNodes, -m 1G, its own machine options): a different
      // tree from the board, so the overlay's deletions name nodes it lacks and
      // dtc stops. The overlay was cut from this board and applies to it alone.
      let board = URL(fileURLWithPath: p.boardPath).standardizedFileURL.path
      set(board.hasSuffix(".dtb") ? "QEMU_DTB" : "QEMU_DTS", board, "FILEPATH")
    }
    if p.target == .riscv64, let boot = k.bootCPU {
      lines.append(
        "# The kernel's first hart is \(p.machine.cpus[boot].hardwareID); seL4's qemu-riscv-virt starts hart 0 only."
      )
    }
    // Relative to this file, so OUT can move: CMake expands it when it reads the cache file.
    set("KernelCustomDTSOverlay", "${CMAKE_CURRENT_LIST_DIR}/\(k.name).overlay.dts", "FILEPATH")
    return lines.joined(separator: "\n") + "\n"
  }
}
