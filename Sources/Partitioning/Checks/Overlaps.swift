import DeviceTree

/// Finds every overlapping pair among ranges in O(n log n + k) for k pairs:
/// sort by base, then sweep keeping only the ranges still open at each base.
public enum Overlaps {
  public static func pairs(_ ranges: [AddressRange]) -> [(Int, Int)] {
    let order = ranges.indices.filter { ranges[$0].size > 0 }.sorted {
      (ranges[$0].base, $0) < (ranges[$1].base, $1)
    }
    var open: [Int] = []  // indexes whose range has not ended yet, kept as a min-heap on `last`
    var out: [(Int, Int)] = []
    for i in order {
      let base = ranges[i].base
      while let top = open.first, ranges[top].last < base { popMin(&open, ranges) }
      for j in open { out.append((j, i)) }
      push(&open, i, ranges)
    }
    return out
  }

  private static func push(_ heap: inout [Int], _ v: Int, _ r: [AddressRange]) {
    heap.append(v)
    var c = heap.count - 1
    while c > 0 {
      let p = (c - 1) / 2
      guard r[heap[c]].last < r[heap[p]].last else { break }
      heap.swapAt(c, p)
      c = p
    }
  }

  private static func popMin(_ heap: inout [Int], _ r: [AddressRange]) {
    heap.swapAt(0, heap.count - 1)
    heap.removeLast()
    var p = 0
    while true {
      let l = 2 * p + 1
      let rr = l + 1
      var m = p
      if l < heap.count, r[heap[l]].last < r[heap[m]].last { m = l }
      if rr < heap.count, r[heap[rr]].last < r[heap[m]].last { m = rr }
      if m == p { break }
      heap.swapAt(p, m)
      p = m
    }
  }
}
