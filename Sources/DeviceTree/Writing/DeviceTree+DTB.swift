import CLibFDT

extension DeviceTree {
  /// The tree as a flattened blob, written with libfdt's sequential-write API.
  ///
  /// Only nodes reachable from the root are written, in child order.
  public func blob() throws -> [UInt8] {
    var capacity = estimatedBlobSize()
    while true {
      do {
        return try writeBlob(capacity: capacity)
      } catch FDTError.noSpace {
        capacity *= 2
      }
    }
  }

  private func estimatedBlobSize() -> Int {
    var size = 40 + 16 * (reservations.count + 1) + 4 + 1024
    var names = Set<String>()
    for id in descendants() {
      let node = self[id]
      size += 8 + node.name.utf8.count + 4
      for p in node.properties {
        size += 12 + p.value.count + 4
        if names.insert(p.name).inserted { size += p.name.utf8.count + 1 }
      }
    }
    return size
  }

  private func writeBlob(capacity: Int) throws -> [UInt8] {
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    defer { buffer.deallocate() }
    func check(_ r: Int32) throws {
      if r < 0 { throw FDTError(code: r) }
    }
    try check(fdt_create(buffer, Int32(clamping: capacity)))
    for r in reservations {
      try check(fdt_add_reservemap_entry(buffer, r.address, r.size))
    }
    try check(fdt_finish_reservemap(buffer))

    enum Step { case open(NodeID), close }
    var steps: [Step] = [.open(root)]
    while let step = steps.popLast() {
      switch step {
      case .close:
        try check(fdt_end_node(buffer))
      case .open(let id):
        let node = self[id]
        try check(fdt_begin_node(buffer, node.name))
        for p in node.properties {
          let r = p.value.withUnsafeBytes { raw in
            fdt_property(buffer, p.name, raw.baseAddress, Int32(p.value.count))
          }
          try check(r)
        }
        steps.append(.close)
        for c in node.children.reversed() { steps.append(.open(c)) }
      }
    }
    try check(fdt_finish(buffer))
    fdt_set_boot_cpuid_phys(buffer, bootCPUID)
    let size = Int(cfdt_totalsize(buffer))
    return Array(UnsafeRawBufferPointer(start: buffer, count: size))
  }
}
