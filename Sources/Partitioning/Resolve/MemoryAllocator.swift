import DeviceTree
import Machine

/// Places sized memory in what the board's RAM leaves free.
///
/// Free space starts as the RAM banks and loses every fixed claim: /memreserve/
/// entries, /reserved-memory regions with a fixed `reg`, the loader, explicit
/// kernel ranges and shared regions. Requests then take the lowest aligned
/// fit, preferring banks on the requested NUMA node; channels take the highest.
struct MemoryAllocator {
  struct Block: Hashable {
    var range: AddressRange
    var numa: UInt32?
  }
  private(set) var free: [Block]
  /// The smallest size a request failed to place, by alignment, NUMA node and
  /// direction. Free space only shrinks, so any request at least that large
  /// with the same terms fails too: a plan of many kernels that do not fit
  /// costs one scan of the free blocks, not one per kernel.
  private var failed: [FailureKey: UInt64] = [:]
  private var cachedSummary: (total: UInt64, largest: AddressRange?)?

  private struct FailureKey: Hashable {
    var align: UInt64
    var numa: UInt32?
    var fromTop: Bool
  }

  init(banks: [MemoryBank]) {
    free = banks.map { Block(range: $0.range, numa: $0.numaNode) }.sorted { $0.range < $1.range }
  }

  /// Keeps only the free space inside `ranges`: a System Device Tree cluster's
  /// cores reach only the RAM its address-map maps.
  mutating func keepOnly(_ ranges: [AddressRange]) {
    cachedSummary = nil
    failed = [:]
    var next: [Block] = []
    for b in free {
      for r in ranges {
        if let part = b.range.intersection(r) { next.append(Block(range: part, numa: b.numa)) }
      }
    }
    free = next.sorted { $0.range < $1.range }
  }

  /// Removes a fixed range from the free space.
  mutating func claim(_ r: AddressRange) {
    cachedSummary = nil
    var next: [Block] = []
    for b in free {
      guard let cut = b.range.intersection(r) else {
        next.append(b)
        continue
      }
      if cut.base > b.range.base {
        next.append(
          Block(range: AddressRange(base: b.range.base, size: cut.base - b.range.base), numa: b.numa))
      }
      if cut.last < b.range.last {
        next.append(
          Block(range: AddressRange(base: cut.last + 1, size: b.range.last - cut.last), numa: b.numa))
      }
    }
    free = next
  }

  /// The lowest (or, with `fromTop`, highest) aligned range of `size` bytes, on
  /// `numa` when given and possible. Claims and returns it, or nil.
  mutating func place(size: UInt64, align: UInt64, numa: UInt32?, fromTop: Bool = false) -> AddressRange? {
    let key = FailureKey(align: align, numa: numa, fromTop: fromTop)
    if let smallest = failed[key], size >= smallest { return nil }
    let preferred = numa.map { n in free.filter { $0.numa == n } } ?? free
    let others = numa.map { n in free.filter { $0.numa != n } } ?? []
    let candidates = fromTop ? preferred.reversed() + others.reversed() : preferred + others
    for b in candidates {
      if let r = fit(size: size, align: align, in: b.range, fromTop: fromTop) {
        claim(r)
        return r
      }
    }
    failed[key] = min(size, failed[key] ?? .max)
    return nil
  }

  private func fit(size: UInt64, align: UInt64, in block: AddressRange, fromTop: Bool) -> AddressRange? {
    guard size > 0, size <= block.size else { return nil }
    let a = max(align, 1)
    if fromTop {
      let latest = block.last - (size - 1)
      let base = latest / a * a
      return base >= block.base ? AddressRange(base: base, size: size) : nil
    }
    let (up, o) = block.base.addingReportingOverflow(a - 1)
    guard !o else { return nil }
    let base = up / a * a
    guard base >= block.base, base <= block.last, block.last - base >= size - 1 else { return nil }
    return AddressRange(base: base, size: size)
  }

  /// The largest size, in whole `unit`s aligned to `unit`, that one free block
  /// holds, looking at blocks on `numa` first (any block when none is there).
  func largest(unit: UInt64, numa: UInt32?) -> UInt64 {
    func best(_ blocks: [Block]) -> UInt64 {
      blocks.map { $0.range.aligned(to: unit)?.size ?? 0 }.max() ?? 0
    }
    if let numa, case let local = best(free.filter { $0.numa == numa }), local > 0 { return local }
    return best(free)
  }

  /// Total free bytes (2^64 - 1 standing for all of them) and the largest free block, for messages.
  mutating func summary() -> (total: UInt64, largest: AddressRange?) {
    if let cachedSummary { return cachedSummary }
    let s = (
      total: UInt64(clamping: free.reduce(UInt128(0)) { $0 + UInt128($1.range.size) }),
      largest: free.max { $0.range.size < $1.range.size }?.range
    )
    cachedSummary = s
    return s
  }
}
