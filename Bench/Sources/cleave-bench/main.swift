import DeviceTree
import Foundation
import Partitioning

/// `cleave-bench overlaps N`: times Overlaps.pairs on N random regions (a
/// fixed seed, 1% of them overlapping a neighbour), median of five runs, and
/// prints `N seconds pairs`.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}

let args = CommandLine.arguments
guard args.count == 3, args[1] == "overlaps", let n = Int(args[2]), n > 0 else {
  FileHandle.standardError.write(Data("usage: cleave-bench overlaps N\n".utf8))
  exit(2)
}
var rng = SplitMix(state: 42)
var regions: [AddressRange] = []
regions.reserveCapacity(n)
for i in 0..<n {
  let base = UInt64(i) * 0x10_0000
  let size: UInt64 = rng.next() % 100 == 0 ? 0x18_0000 : 0x8_0000
  regions.append(AddressRange(base: base, size: size))
}
regions.shuffle(using: &rng)
var times: [Double] = []
var pairs = 0
for _ in 0..<5 {
  let start = DispatchTime.now().uptimeNanoseconds
  pairs = Overlaps.pairs(regions).count
  times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
times.sort()
print("\(n) \(times[2]) \(pairs)")
