import DeviceTree
import Machine

/// devices: owned twice, interrupts the kernel cannot reach, providers another kernel owns.
enum DeviceChecks {
  static func run(_ p: Partition, _ engine: inout DiagnosticEngine) {
    var owner: [Int: Int] = [:]
    var holders: [Int: [Int]] = [:]
    for k in p.kernels {
      for d in k.devices {
        if let first = owner[d] {
          engine.error(
            .deviceOwnedTwice,
            "\(p.machine.devices[d].path) is given to '\(k.name)' and to '\(p.kernels[first].name)'; list it under shared to share it",
            at: k.deviceLocations[d],
            notes: [
              .init("'\(p.kernels[first].name)' takes it here", at: p.kernels[first].deviceLocations[d])
            ])
        } else {
          owner[d] = k.index
        }
      }
      for d in k.allDevices { holders[d, default: []].append(k.index) }
    }
    let primary = p.machine.primaryInterruptController?.node
    let deviceOfNode = Dictionary(
      p.machine.devices.map { ($0.node, $0.index) }, uniquingKeysWith: { a, _ in a })
    for k in p.kernels {
      for d in k.allDevices {
        let device = p.machine.devices[d]
        for irq in device.interrupts where irq.controller != primary {
          guard let controller = deviceOfNode[irq.controller], p.machine.devices[controller].isPartitionable
          else { continue }
          if !(holders[controller] ?? []).contains(k.index) {
            let other = owner[controller].map { " (it belongs to '\(p.kernels[$0].name)')" } ?? ""
            let note =
              owner[controller].map {
                [
                  Diagnostic.Note(
                    "'\(p.kernels[$0].name)' takes it here", at: p.kernels[$0].deviceLocations[controller])
                ]
              } ?? []
            engine.error(
              .deviceInterruptUnreachable,
              "\(device.path) of '\(k.name)' signals through \(p.machine.devices[controller].path), which '\(k.name)' does not have\(other)",
              at: k.deviceLocations[d], notes: note)
          }
        }
        for provider in device.providers {
          guard let pd = deviceOfNode[provider.node], let o = owner[pd], o != k.index,
            !(holders[pd] ?? []).contains(k.index)
          else { continue }
          engine.warning(
            .deviceProviderForeign,
            "\(device.path) of '\(k.name)' uses \(provider.kind) from \(p.machine.devices[pd].path), which belongs to '\(p.kernels[o].name)'",
            at: k.deviceLocations[d],
            notes: [.init("'\(p.kernels[o].name)' takes it here", at: p.kernels[o].deviceLocations[pd])])
        }
      }
    }
  }
}
