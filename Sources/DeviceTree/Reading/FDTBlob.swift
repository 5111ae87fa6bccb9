import CLibFDT

/// The one place that calls libfdt's read-only API.
///
/// The blob is copied into an 8-byte aligned buffer (libfdt refuses misaligned
/// trees) and checked with `fdt_check_full` before any node is visited, so the
/// walk below only meets offsets libfdt has already validated.
struct FDTBlob {
  static let headerSize = 40
  static let magic: UInt32 = 0xd00d_feed

  /// Parses a blob into a ``DeviceTree`` or throws a one-line ``DeviceTreeError``.
  static func parse(_ bytes: [UInt8], file: String) throws -> DeviceTree {
    func fail(_ message: String) -> DeviceTreeError { DeviceTreeError(file: file, message) }
    guard bytes.count >= headerSize else {
      throw fail("truncated header: \(bytes.count) bytes, a blob header needs \(headerSize)")
    }
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 8)
    defer { buffer.deallocate() }
    bytes.withUnsafeBytes { raw in
      if let base = raw.baseAddress { buffer.copyMemory(from: base, byteCount: bytes.count) }
    }
    let fdt = UnsafeRawPointer(buffer)

    let magic = cfdt_magic(fdt)
    guard magic == Self.magic else {
      throw fail("bad magic 0x\(String(magic, radix: 16)) (a device-tree blob starts with 0xd00dfeed)")
    }
    let total = Int(cfdt_totalsize(fdt))
    guard total <= bytes.count else {
      throw fail("truncated: the header says \(total) bytes, the file has \(bytes.count)")
    }
    let header = fdt_check_header(fdt)
    guard header == 0 else {
      throw fail(
        "header: \(FDTError(code: header)) (struct at 0x\(hex(cfdt_off_dt_struct(fdt))), size 0x\(hex(cfdt_size_dt_struct(fdt))); strings at 0x\(hex(cfdt_off_dt_strings(fdt))), size 0x\(hex(cfdt_size_dt_strings(fdt))); total 0x\(hex(total)))"
      )
    }
    let checked = fdt_check_full(fdt, bytes.count)
    guard checked == 0 else {
      let (place, problem) = locateDamage(fdt)
      throw DeviceTreeError(
        file: file, place: place, problem ?? "structure block: \(FDTError(code: checked))")
    }

    var tree = DeviceTree(file: file)
    tree.bootCPUID = cfdt_boot_cpuid_phys(fdt)
    let count = fdt_num_mem_rsv(fdt)
    guard count >= 0 else { throw fail("memory reservation block: \(FDTError(code: count))") }
    for i in 0..<count {
      var address: UInt64 = 0
      var size: UInt64 = 0
      let r = fdt_get_mem_rsv(fdt, i, &address, &size)
      guard r == 0 else { throw fail("memory reservation \(i): \(FDTError(code: r))") }
      tree.reservations.append(MemoryReservation(address: address, size: size))
    }

    // Every node in blob order (depth first, siblings in order) in one pass
    // of libfdt's node iterator, which gives each node's depth: the node at
    // each depth above it is its parent. Asking each node for its children
    // instead would scan every subtree once per ancestor. Without recursion,
    // so deep trees cannot exhaust the stack, and depth-limited: a tree nested
    // past InputLimits.maxTreeDepth is refused as soon as the walk reaches
    // that depth, before any more of it is read.
    var parents: [NodeID] = []
    var names: [UnsafePointer<CChar>: String] = [:]
    var offset: Int32 = 0
    var depth: Int32 = 0
    while depth >= 0 {
      let level = Int(depth)
      if level > InputLimits.maxTreeDepth, parents.indices.contains(level - 1) {
        throw DeviceTreeError(
          file: file, place: abbreviatedPath(tree, parents[level - 1]),
          "nodes nested more than \(InputLimits.maxTreeDepth) deep, cleave's limit (real trees nest under 20)"
        )
      }
      let name = try nodeName(fdt, offset, file: file)
      let properties = try readProperties(fdt, offset, file: file, nodeName: name, names: &names)
      let id: NodeID
      if level == 0 {
        id = tree.root
        var root = tree[id]
        root.properties = properties
        tree[id] = root
      } else {
        // The iterator goes down one level at a time, so the parent is known.
        guard parents.indices.contains(level - 1) else {
          throw DeviceTreeError(file: file, "node '\(name)' at structure offset \(offset) has no parent")
        }
        id = tree.addNode(name, under: parents[level - 1], properties: properties)
      }
      parents.removeSubrange(min(level, parents.count)...)
      parents.append(id)
      offset = fdt_next_node(fdt, offset, &depth)
      // Past the root's end the depth drops below zero; the blob's end
      // without that is damage fdt_check_full has already refused.
      guard offset >= 0 else {
        throw DeviceTreeError(file: file, place: tree.path(of: id), "subnodes: \(FDTError(code: offset))")
      }
      if depth == 0 { break }
    }
    tree.applySymbols()
    return tree
  }

  /// The path of a deep node with its middle elided, so the message stays one short line.
  private static func abbreviatedPath(_ tree: DeviceTree, _ id: NodeID) -> String {
    let parts = tree.path(of: id).split(separator: "/").map(String.init)
    guard parts.count > 4 else { return "/" + parts.joined(separator: "/") }
    return "/\(parts[0])/\(parts[1])/…(\(parts.count - 3) more)…/\(parts[parts.count - 1])"
  }

  /// Walks the structure block tag by tag (the header is known to be sane) to
  /// name the node, and the property, where the damage starts.
  private static func locateDamage(_ fdt: UnsafeRawPointer) -> (String, String?) {
    var path: [String] = []
    var offset: Int32 = 0
    var steps = 0
    func here() -> String { "/" + path.dropFirst().joined(separator: "/") }
    while steps < 1 << 24 {
      steps += 1
      var next: Int32 = 0
      let tag = fdt_next_tag(fdt, offset, &next)
      if next < 0 {
        return (here(), "the structure block is damaged after this node: \(FDTError(code: next))")
      }
      switch Int32(tag) {
      case FDT_BEGIN_NODE:
        var length: Int32 = 0
        guard let p = fdt_get_name(fdt, offset, &length), length >= 0 else {
          return (here(), "a child node name is damaged: \(FDTError(code: length))")
        }
        path.append(String(decoding: UnsafeRawBufferPointer(start: p, count: Int(length)), as: UTF8.self))
        if path.count > InputLimits.maxTreeDepth {
          return (here(), "nodes nested deeper than \(InputLimits.maxTreeDepth) levels")
        }
      case FDT_END_NODE:
        if path.popLast() == nil { return ("/", "more node ends than node starts") }
      case FDT_PROP:
        var name: UnsafePointer<CChar>? = nil
        var length: Int32 = 0
        let value = fdt_getprop_by_offset(fdt, offset, &name, &length)
        guard let name else {
          return (
            here(),
            "a property name is damaged: \(FDTError(code: length)) (its name offset is outside the strings block)"
          )
        }
        if value == nil || length < 0 {
          return (here() + ":" + String(cString: name), "property value: \(FDTError(code: length))")
        }
      case FDT_END:
        return (here(), nil)
      default:
        break
      }
      offset = next
    }
    return (here(), nil)
  }

  private static func nodeName(_ fdt: UnsafeRawPointer, _ offset: Int32, file: String) throws -> String {
    var length: Int32 = 0
    guard let p = fdt_get_name(fdt, offset, &length), length >= 0 else {
      throw DeviceTreeError(file: file, "node at structure offset \(offset): \(FDTError(code: length))")
    }
    return String(decoding: UnsafeRawBufferPointer(start: p, count: Int(length)), as: UTF8.self)
  }

  /// The properties of the node at `offset`. Each distinct name is made a
  /// `String` once (`names`, by its place in the strings block): every
  /// property of that name shares it, rather than each copying its bytes.
  private static func readProperties(
    _ fdt: UnsafeRawPointer, _ offset: Int32, file: String, nodeName: String,
    names: inout [UnsafePointer<CChar>: String]
  ) throws -> [Property] {
    var out: [Property] = []
    var p = fdt_first_property_offset(fdt, offset)
    while p >= 0 {
      var namePointer: UnsafePointer<CChar>? = nil
      var length: Int32 = 0
      let value = fdt_getprop_by_offset(fdt, p, &namePointer, &length)
      guard let namePointer, length >= 0 else {
        throw DeviceTreeError(
          file: file, place: nodeName, "property at structure offset \(p): \(FDTError(code: length))")
      }
      let name: String
      if let known = names[namePointer] {
        name = known
      } else {
        name = String(cString: namePointer)
        names[namePointer] = name
      }
      let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(length))) } ?? []
      out.append(Property(name: name, value: bytes))
      p = fdt_next_property_offset(fdt, p)
    }
    guard p == -FDT_ERR_NOTFOUND else {
      throw DeviceTreeError(file: file, place: nodeName, "properties: \(FDTError(code: p))")
    }
    return out
  }

  private static func hex<T: BinaryInteger>(_ v: T) -> String { String(v, radix: 16) }
}

extension DeviceTree {
  /// Attaches the labels a `/__symbols__` node lists to the nodes they name.
  mutating func applySymbols() {
    guard let symbols = node(path: "/__symbols__") else { return }
    // Every node's path once: a board built with symbols names most of its
    // nodes there, and finding each by walking its parent's children again
    // is quadratic on a /cpus of thousands of cores.
    let byPath = nodesByPath()
    for p in self[symbols].properties {
      guard let target = p.string, let id = byPath[target] ?? node(path: target) else { continue }
      var n = self[id]
      if !n.labels.contains(p.name) {
        n.labels.append(p.name)
        self[id] = n
      }
    }
  }
}
