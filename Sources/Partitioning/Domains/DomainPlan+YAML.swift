import Machine

extension DomainPlan {
  /// The plan as the YAML `cleave plan --from-domains` writes: it parses back
  /// to the same plan, with each kernel's and foreign entry's origin as comments.
  public var yaml: String {
    var lines = [
      "# The plan equivalent to the board's execution domains, written by `cleave plan --from-domains`:",
      "# domains of the \(plan.target?.value.rawValue ?? "target") cluster(s) are kernels, the others are foreign",
      "# entries check keeps the kernels off; ranges several domains list alike are shared.",
      "board: \(Self.scalar(plan.board.value))",
    ]
    if let t = plan.target { lines.append("target: \(t.value.rawValue)") }
    if let b = plan.boot { lines.append("boot: \(b.value.rawValue)") }
    if let l = plan.loader { lines.append("loader: \(Self.region(l))") }
    lines.append("kernels:")
    for k in plan.kernels {
      for c in comments[k.name.value] ?? [] { lines.append("  # \(c)") }
      lines.append("  \(k.name.value):")
      lines.append("    cores: \(Self.list(k.cores))")
      if case .ranges(let regions)? = k.memory {
        lines.append("    memory:")
        for r in regions { lines.append("      - \(Self.region(r))") }
      }
      if !k.devices.isEmpty { lines.append("    devices: \(Self.list(k.devices))") }
      if !k.owns.isEmpty { lines.append("    owns: \(Self.list(k.owns))") }
    }
    if !plan.shared.isEmpty {
      lines.append("shared:")
      for s in plan.shared {
        if let r = s.region {
          lines.append("  - { region: \(Self.region(r)), kernels: \(Self.list(s.kernels)) }")
        } else if let d = s.device {
          lines.append("  - { device: \(Self.scalar(d.value)), kernels: \(Self.list(s.kernels)) }")
        }
      }
    }
    if !plan.foreign.isEmpty {
      lines.append("foreign:")
      for f in plan.foreign {
        for c in comments[f.name.value] ?? [] { lines.append("  # \(c)") }
        lines.append("  \(f.name.value):")
        if !f.cores.isEmpty { lines.append("    cores: \(Self.list(f.cores))") }
        if !f.memory.isEmpty {
          lines.append("    memory:")
          for r in f.memory { lines.append("      - \(Self.region(r))") }
        }
        if !f.devices.isEmpty { lines.append("    devices: \(Self.list(f.devices))") }
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func region(_ r: Plan.Region) -> String {
    "{ base: \(Format.hex(r.base.value)), size: \(Format.hex(r.size.value)) }"
  }

  static func list(_ items: [Located<String>]) -> String {
    "[" + items.map { scalar($0.value) }.joined(separator: ", ") + "]"
  }

  /// A plain YAML scalar when it reads back as the same string, else double-quoted.
  static func scalar(_ s: String) -> String {
    let plain = s.unicodeScalars.allSatisfy {
      $0.isASCII
        && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "/@_-.+".unicodeScalars.contains($0))
    }
    if plain, !s.isEmpty, s.first != "-", s.first != "@" { return s }
    let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    return "\"\(escaped)\""
  }
}
