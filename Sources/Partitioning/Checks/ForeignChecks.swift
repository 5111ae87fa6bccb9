import DeviceTree
import Machine

/// foreign: what a `foreign:` entry holds (another cluster's domain) is kept
/// from the kernels, the loader and the other foreign entries, unless a
/// `shared` entry names both sides.
enum ForeignChecks {
  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    guard !p.foreign.isEmpty else { return }
    cores(p, &engine)
    memory(p, &engine)
    devices(p, &engine)
  }

  private static func cores(_ p: Partition, _ engine: inout DiagnosticEngine) {
    var holder: [Int: Int] = [:]
    for f in p.foreign {
      for c in f.cpus {
        if let first = holder[c] {
          engine.error(
            .foreignOverlap,
            "foreign '\(f.name)' and foreign '\(p.foreign[first].name)' both hold \(p.machine.cpus[c].path)",
            at: f.cpuLocations[c] ?? f.location,
            notes: [.init("'\(p.foreign[first].name)' holds it here", at: p.foreign[first].cpuLocations[c])])
        } else {
          holder[c] = f.index
        }
      }
    }
    for k in p.kernels {
      for c in k.cpus {
        guard let f = holder[c] else { continue }
        engine.error(
          .foreignOverlap,
          "'\(k.name)' runs on \(p.machine.cpus[c].path), which foreign '\(p.foreign[f].name)' holds",
          at: k.cpuLocations[c] ?? k.location,
          notes: [.init("'\(p.foreign[f].name)' holds it here", at: p.foreign[f].cpuLocations[c])])
      }
    }
  }

  /// Whether a shared region covering `range` names both sides.
  private static func shared(
    _ range: AddressRange, _ p: Partition, kernel: Int? = nil, foreign: [Int]
  ) -> Bool {
    p.sharedRegions.contains { s in
      s.range.contains(range) && foreign.allSatisfy { s.foreign.contains($0) }
        && (kernel.map { s.kernels.contains($0) } ?? true)
    }
  }

  private static func memory(_ p: Partition, _ engine: inout DiagnosticEngine) {
    for f in p.foreign {
      for m in f.memory {
        let what = "memory of foreign '\(f.name)' \(m.range)"
        for k in p.kernels {
          for km in k.memory {
            guard let both = km.range.intersection(m.range),
              !shared(both, p, kernel: k.index, foreign: [f.index])
            else { continue }
            engine.error(
              .foreignOverlap,
              "\(p.describe(kernel: k.index, km.range)) overlaps \(what) (both hold \(both)), and no shared entry names both",
              at: km.location, notes: [.init("'\(f.name)' memory is declared here", at: m.location)])
          }
        }
        for c in p.channels where c.region.size > 0 {
          guard let both = c.region.intersection(m.range) else { continue }
          engine.error(
            .foreignOverlap, "channel \(c.name) \(c.region) overlaps \(what) (both hold \(both))",
            at: c.location, notes: [.init("'\(f.name)' memory is declared here", at: m.location)])
        }
        // Without kernels nothing of cleave runs, the loader included.
        if !p.kernels.isEmpty, let both = p.loader.intersection(m.range) {
          engine.error(
            .foreignOverlap, "the loader region \(p.loader) overlaps \(what) (both hold \(both))",
            at: p.loaderLocation, notes: [.init("'\(f.name)' memory is declared here", at: m.location)])
        }
        for other in p.foreign where other.index < f.index {
          for om in other.memory {
            guard let both = om.range.intersection(m.range),
              !shared(both, p, foreign: [f.index, other.index])
            else { continue }
            engine.error(
              .foreignOverlap,
              "\(what) overlaps memory of foreign '\(other.name)' \(om.range) (both hold \(both)), and no shared entry names both",
              at: m.location, notes: [.init("'\(other.name)' memory is declared here", at: om.location)])
          }
        }
        for r in p.machine.reservations where r.noMap || r.source == .memreserve {
          guard let range = r.range, let both = range.intersection(m.range) else { continue }
          p.reportReservedOverlap(
            what, r, at: range, detail: " (both hold \(both))", location: m.location, into: &engine)
        }
      }
    }
  }

  private static func devices(_ p: Partition, _ engine: inout DiagnosticEngine) {
    for f in p.foreign {
      for d in f.devices + f.sharedDevices {
        let foreignShares = f.sharedDevices.contains(d)
        for k in p.kernels where k.allDevices.contains(d) {
          if foreignShares && k.sharedDevices.contains(d) { continue }
          engine.error(
            .foreignOverlap,
            "'\(k.name)' holds \(p.machine.devices[d].path), which foreign '\(f.name)' holds too, and no shared entry names both",
            at: k.deviceLocations[d] ?? k.location,
            notes: [.init("'\(f.name)' holds it here", at: f.deviceLocations[d])])
        }
        for other in p.foreign
        where other.index < f.index && (other.devices + other.sharedDevices).contains(d) {
          if foreignShares && other.sharedDevices.contains(d) { continue }
          engine.error(
            .foreignOverlap,
            "foreign '\(f.name)' and foreign '\(other.name)' both hold \(p.machine.devices[d].path)",
            at: f.deviceLocations[d] ?? f.location,
            notes: [.init("'\(other.name)' holds it here", at: other.deviceLocations[d])])
        }
      }
    }
  }
}
