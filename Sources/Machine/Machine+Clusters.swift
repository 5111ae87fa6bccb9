import DeviceTree

/// What each CPU cluster of a System Device Tree can address: its `address-map`
/// names nodes and windows; what no entry maps is not addressable by that cluster.
extension Machine {
  /// Whether the board describes its cores in System Device Tree `cpus,cluster` nodes.
  public var isSystemDeviceTree: Bool { cpuClusters.contains(where: \.isSDTCluster) }

  /// The cluster a CPU sits in.
  public func cluster(of cpu: Int) -> CPUCluster? {
    guard cpus.indices.contains(cpu) else { return nil }
    let c = cpus[cpu].cluster
    return cpuClusters.indices.contains(c) ? cpuClusters[c] : nil
  }

  /// Where `range` (a window of `node` in the root's address space) appears to
  /// `cluster`: itself when the cluster has no address map, moved by the entry
  /// that maps it, `nil` when no entry maps it.
  public func view(of range: AddressRange, node: NodeID, from cluster: CPUCluster) -> AddressRange? {
    guard let map = cluster.addressMap else { return range }
    for e in map where isWithin(node, e.node) && range.base >= e.root.base && e.root.contains(range) {
      // `range` starts inside the entry's root window, so the offset is below the
      // entry's size, and the entry's cluster window was checked to end by 2^64.
      let (base, overflow) = e.clusterAddress.addingReportingOverflow(range.base - e.root.base)
      if !overflow { return AddressRange(base: base, size: range.size) }
    }
    return nil
  }

  /// Whether `cluster` can address the device: one of its MMIO windows is mapped
  /// (or, for a device without MMIO, an entry names it or a node above it).
  public func sees(_ device: Device, from cluster: CPUCluster) -> Bool {
    guard let map = cluster.addressMap else { return true }
    if device.mmio.isEmpty { return map.contains { isWithin(device.node, $0.node) } }
    return device.mmio.contains { view(of: $0, node: device.node, from: cluster) != nil }
  }

  /// The RAM `cluster` can address, as disjoint ranges of the root's address space.
  /// An entry naming a memory node (any of a System Device Tree's views of the same
  /// DDR), the root, or a node above a bank reaches the RAM inside its window.
  public func visibleMemory(from cluster: CPUCluster) -> [AddressRange] {
    guard let map = cluster.addressMap else { return memory.map(\.range) }
    var parts: [AddressRange] = []
    for bank in memory {
      for e in map {
        let reaches =
          tree.property("device_type", of: e.node)?.string == "memory"
          || bank.node.map { isWithin($0, e.node) } ?? false
        if reaches, let common = bank.range.intersection(e.root) { parts.append(common) }
      }
    }
    parts.sort()
    var merged: [AddressRange] = []
    for p in parts {
      if let last = merged.last, last.overlaps(p) || (last.last < UInt64.max && last.last + 1 == p.base) {
        let top = max(last.last, p.last)
        let span = top - last.base
        merged[merged.count - 1] = AddressRange(base: last.base, size: span == UInt64.max ? span : span + 1)
      } else {
        merged.append(p)
      }
    }
    return merged
  }

  /// Bytes of RAM `cluster` can address, saturated at UInt64.max.
  public func visibleMemorySize(from cluster: CPUCluster) -> UInt64 {
    visibleMemory(from: cluster).reduce(UInt64(0)) { sum, r in
      let (s, o) = sum.addingReportingOverflow(r.size)
      return o ? UInt64.max : s
    }
  }

  /// The devices `cluster` can address.
  public func visibleDevices(from cluster: CPUCluster) -> [Device] {
    devices.filter { !$0.isBus && sees($0, from: cluster) }
  }

  /// Whether the device's windows are RAM seen as a node: on a System Device Tree
  /// a DDR controller or an alias of memory (`psu_ddr@0`) carries the RAM's own
  /// range as its reg, and address maps name it as a cluster's memory.
  public func isRAMAlias(_ device: Device) -> Bool {
    isSystemDeviceTree && !device.mmio.isEmpty
      && device.mmio.allSatisfy { w in memory.contains { $0.range.contains(w) } }
  }

  /// Whether the device's MMIO windows are address space a kernel must keep off:
  /// on a System Device Tree, only windows a cluster cleave boots can address
  /// and that are not RAM under another name (the R5s' TCM at 0, a DDR node).
  public func claimsAddressSpace(_ device: Device) -> Bool {
    guard isSystemDeviceTree else { return true }
    if isRAMAlias(device) { return false }
    return cpuClusters.contains { $0.architecture.isBootable && sees(device, from: $0) }
  }

  /// Every device window memory must keep off (see ``claimsAddressSpace(_:)``),
  /// buses aside: they only translate their children's windows.
  public var claimedWindows: [AddressRange] {
    devices.filter { !$0.isBus && claimsAddressSpace($0) }.flatMap(\.mmio)
  }

  /// Whether `node` is `ancestor` or lies below it.
  func isWithin(_ node: NodeID, _ ancestor: NodeID) -> Bool { tree.isWithin(node, ancestor) }
}
