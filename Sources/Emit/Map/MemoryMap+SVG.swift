import DeviceTree
import Machine

extension MemoryMap {
  /// `OUT/map.svg`: addresses run down the page, one column per lane. The
  /// address axis is compressed: each stretch between two boundaries gets a
  /// height that grows with the logarithm of its size, and stretches nothing
  /// uses shrink to a thin gap, so 4 KiB devices and 2 GiB kernels are both
  /// readable on one page.
  public var svg: String {
    // Held in 128 bits: a range may end exactly at 2^64.
    let boundaries = Array(Set(items.flatMap { [UInt128($0.range.base), $0.range.end] })).sorted()
    let laneWidth = 170.0
    let axisWidth = 150.0
    let top = 70.0
    var y: [UInt128: Double] = [:]
    var cursor = top
    var gaps: [(Double, Double, UInt64)] = []
    // Every item starts and ends on a boundary, so a stretch between two is
    // used when some item is open across it: count them in one sweep.
    var opened: [UInt128: Int] = [:]
    for item in items where item.range.size > 0 {
      opened[UInt128(item.range.base), default: 0] += 1
      opened[item.range.end, default: 0] -= 1
    }
    var open = 0
    for (i, b) in boundaries.enumerated() {
      y[b] = cursor
      open += opened[b] ?? 0
      guard i + 1 < boundaries.count else { break }
      let next = boundaries[i + 1]
      let span = UInt64(clamping: next - b)
      let used = open > 0
      let height: Double
      if used {
        let log = Double(max(0, 64 - span.leadingZeroBitCount - 12))
        height = max(24, 10 + 7 * log)
      } else {
        height = 16
        gaps.append((cursor, height, span))
      }
      cursor += height
    }
    let width = axisWidth + laneWidth * Double(lanes.count) + 20
    let height = cursor + 40
    var s: [String] = []
    s.append(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11\">"
    )
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>")
    s.append(
      "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">\(escape("Physical memory map: \(title)"))</text>"
    )
    s.append(
      "<text x=\"10\" y=\"40\" fill=\"#555\">addresses grow downwards; heights are logarithmic in size; hatched bands are unused gaps</text>"
    )
    s.append(
      "<defs><pattern id=\"gap\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f4f4f4\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ddd\" stroke-width=\"2\"/></pattern></defs>"
    )
    for (i, lane) in lanes.enumerated() {
      let x = axisWidth + laneWidth * Double(i)
      s.append(
        "<text x=\"\(fmt(x + laneWidth / 2))\" y=\"\(fmt(top - 8))\" text-anchor=\"middle\" font-weight=\"bold\">\(escape(lane.name))</text>"
      )
      s.append(
        "<line x1=\"\(fmt(x))\" y1=\"\(fmt(top))\" x2=\"\(fmt(x))\" y2=\"\(fmt(cursor))\" stroke=\"#eee\"/>")
    }
    for (gy, gh, size) in gaps {
      s.append(
        "<rect x=\"\(fmt(axisWidth))\" y=\"\(fmt(gy))\" width=\"\(fmt(laneWidth * Double(lanes.count)))\" height=\"\(fmt(gh))\" fill=\"url(#gap)\"/>"
      )
      s.append(
        "<text x=\"\(fmt(axisWidth + 4))\" y=\"\(fmt(gy + gh - 4))\" fill=\"#999\" font-size=\"9\">gap \(escape(Format.size(size)))</text>"
      )
    }
    var lastLabel = -100.0
    for b in boundaries {
      guard let by = y[b] else { continue }
      s.append(
        "<line x1=\"\(fmt(axisWidth - 6))\" y1=\"\(fmt(by))\" x2=\"\(fmt(axisWidth))\" y2=\"\(fmt(by))\" stroke=\"#999\"/>"
      )
      if by - lastLabel >= 12 {
        s.append(
          "<text x=\"\(fmt(axisWidth - 9))\" y=\"\(fmt(by + 4))\" text-anchor=\"end\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"10\">\("0x" + String(b, radix: 16))</text>"
        )
        lastLabel = by
      }
    }
    var kernelLanes: [Int: Int] = [:]
    for i in lanes.indices where lanes[i].kind == .kernel { kernelLanes[i] = kernelLanes.count }
    for item in items {
      guard let y0 = y[UInt128(item.range.base)], let y1 = y[item.range.end] else { continue }
      let lane = lanes[item.lane]
      let inset = lane.kind == .kernel && item.label.hasSuffix("dtb") ? 24.0 : 4.0
      let x = axisWidth + laneWidth * Double(item.lane) + inset
      let w = laneWidth - 2 * inset
      let h = max(y1 - y0, 2)
      let (fill, stroke) = colors(lane.kind, item, kernelLanes)
      s.append(
        "<rect x=\"\(fmt(x))\" y=\"\(fmt(y0))\" width=\"\(fmt(w))\" height=\"\(fmt(h))\" rx=\"3\" fill=\"\(fill)\" stroke=\"\(stroke)\"><title>\(escape("\(item.label) \(item.range) \(Format.size(item.range.size))"))</title></rect>"
      )
      let label = item.label.count > 26 ? String(item.label.prefix(25)) + "…" : item.label
      if h >= 28 {
        s.append(
          "<text x=\"\(fmt(x + w / 2))\" y=\"\(fmt(y0 + h / 2 - 2))\" text-anchor=\"middle\">\(escape(label))</text>"
        )
        s.append(
          "<text x=\"\(fmt(x + w / 2))\" y=\"\(fmt(y0 + h / 2 + 11))\" text-anchor=\"middle\" fill=\"#333\" font-size=\"10\">\(escape(Format.size(item.range.size)))</text>"
        )
      } else if h >= 12 {
        s.append(
          "<text x=\"\(fmt(x + w / 2))\" y=\"\(fmt(y0 + h / 2 + 4))\" text-anchor=\"middle\" font-size=\"10\">\(escape(label + " · " + Format.size(item.range.size)))</text>"
        )
      }
    }
    s.append(
      "<text x=\"10\" y=\"\(fmt(height - 12))\" fill=\"#555\">RAM: \(escape(ram.map { "\($0) \(Format.size($0.size))" }.joined(separator: ", ")))</text>"
    )
    s.append("</svg>")
    return s.joined(separator: "\n") + "\n"
  }

  /// `kernelLanes[lane]`: the lane's place among the kernel lanes.
  private func colors(_ kind: Lane.Kind, _ item: Item, _ kernelLanes: [Int: Int]) -> (String, String) {
    switch kind {
    case .kernel:
      let palette = ["#cfe2ff", "#d1f2d6", "#ffe5b4", "#e8d5ff", "#ffd6e0", "#d5f5f6", "#f9f3c2", "#e2e2e2"]
      let n = kernelLanes[item.lane] ?? 0
      return item.label.hasSuffix("dtb") ? ("#ffffff", "#555") : (palette[n % palette.count], "#4a6fa5")
    case .loader: return ("#e0d4f7", "#7a5bb5")
    case .shared: return ("#ffd8a8", "#d9822b")
    case .reserved: return item.label == "loader" ? ("#e0d4f7", "#7a5bb5") : ("#f8d0d0", "#c0392b")
    case .devices: return ("#eeeeee", "#888")
    }
  }

  private func fmt(_ v: Double) -> String { String(format: v) }

  private func escape(_ s: String) -> String {
    // Most labels need nothing; Foundation's replacing costs a search per call.
    guard
      s.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }
      )
    else { return s }
    var out = ""
    for c in s.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }
}

extension String {
  /// One decimal place, without Foundation's formatter.
  fileprivate init(format v: Double) {
    let tenths = Int((v * 10).rounded())
    self = tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(abs(tenths % 10))"
  }
}
