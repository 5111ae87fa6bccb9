import Machine
import Partitioning

extension Partition {
  /// The same machine as one kernel over every core and all the memory of the
  /// plan's kernels, with every device: the SMP build to compare a multikernel
  /// against when telling a common problem from a partitioning one.
  public func collapsedToSMP() -> Partition {
    guard var first = kernels.first else { return self }
    first.name = "smp"
    first.cpus = kernels.flatMap(\.cpus)
    first.memory = kernels.flatMap(\.memory).sorted { $0.range < $1.range }
    first.devices = Array(Set(kernels.flatMap(\.allDevices))).sorted()
    first.sharedDevices = []
    first.interrupts = kernels.flatMap(\.interrupts)
    first.ownsInterruptController = true
    first.index = 0
    var p = self
    p.kernels = [first]
    p.channels = []
    p.interruptControllerOwner = 0
    // The one tree holds every kernel's devices: its cut is worked out afresh.
    p.cuts = KernelCut.all(p)
    return p
  }
}
