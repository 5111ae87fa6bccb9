import Machine

extension Partition {
  /// Whether the EL2 fence filters the kernels' SGIs: always on a GICv2 board,
  /// whose SGIs are the distributor's `GICD_SGIR` (which the fence emulates),
  /// and on GICv3 only with `sgis: filtered`, where the system-register writes
  /// are trapped. False without the fence.
  public var fenceFiltersSGIs: Bool {
    guard let fence = isolation else { return false }
    return fence.filterSGIs || machine.primaryInterruptController?.kind == .gicV2
  }
}
