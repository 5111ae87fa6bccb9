/// How much hostile input cleave is willing to look at. Each limit is far
/// above what real input needs and low enough that work on the worst input
/// within it finishes in well under a second; input past one is refused at
/// once with a one-line error naming the file and the limit (exit status 2).
public enum InputLimits {
  /// Nesting of device-tree nodes below the root. Debian's ~570 arm64, armhf
  /// and riscv64 board trees nest under 20 deep.
  public static let maxTreeDepth = 64

  /// Steps through a chain of references between nodes (interrupt-parent,
  /// next-level-cache): a real chain has a handful, and a chain that
  /// long is a loop or an attack. An interrupt-parent walk climbs at most
  /// ``maxTreeDepth`` ancestors between phandles, so it gets both.
  public static let maxReferenceHops = 64

  /// A board file (DTB or DTS): the largest real board DTB is under 256 KiB,
  /// the synthetic 16384-core board of the benchmarks 3.5 MiB. Reading is
  /// linear but not free (a flat 60 MiB blob of 750,000 nodes takes seconds
  /// to model), so the limit keeps a 4x margin over the largest real use.
  public static let maxBoardBytes = 16 << 20

  /// A plan file: real plans are a few KiB; `plan --auto` on the synthetic
  /// 16384-core board of the benchmarks writes about 650 KiB. Reading,
  /// resolving and checking grow linearly with the plan, and YAML parsing
  /// dominates (about 200 KiB a second for a plan of one-line kernels): a
  /// plan at the limit is answered in seconds, not minutes.
  public static let maxPlanBytes = 1 << 20

  /// `64 MiB`: a limit as messages print it.
  public static func describe(_ bytes: Int) -> String {
    bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
  }
}
