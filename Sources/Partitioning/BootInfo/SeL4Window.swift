/// The virtual window of an ELF image started by seL4's multikernel boot
/// protocol: from its lowest segment, rounded down to 2 MiB, to the next
/// 2 MiB boundary past its highest (the kernel maps that much, so the loader
/// gives it that much). The same window serves a root task at 4 KiB.
public struct SeL4Window: Sendable, Hashable {
  /// The unit of the kernel window: its physical base and its size are multiples.
  public static let kernelAlignment: UInt64 = 2 << 20
  public static let pageSize: UInt64 = 4 << 10

  /// Virtual address of the window's first byte.
  public var base: UInt64
  /// Bytes from `base` to the rounded end.
  public var size: UInt64

  /// The window at `alignment` (2 MiB for a kernel, 4 KiB for a root task);
  /// nil when the image has no segment or its end rounds past 2^64.
  public init?(_ image: KernelImage, alignment: UInt64 = SeL4Window.kernelAlignment) {
    guard let low = image.segments.map(\.virtualAddress).min(),
      let high = image.segments.map({ UInt128($0.virtualAddress) + UInt128($0.memorySize) }).max()
    else { return nil }
    let base = low & ~(alignment - 1)
    let end = (high + UInt128(alignment - 1)) & ~UInt128(alignment - 1)
    guard end - UInt128(base) <= UInt128(UInt64.max) else { return nil }
    self.base = base
    self.size = UInt64(end - UInt128(base))
  }
}
