/// The candidate nearest to `word` by edit distance, when it is near enough to be a likely typo.
public func nearest(_ word: String, in candidates: some Sequence<String>) -> String? {
  var best: (String, Int)?
  let w = Array(word.lowercased())
  for c in candidates {
    let d = editDistance(w, Array(c.lowercased()))
    if d < (best?.1 ?? Int.max) { best = (c, d) }
  }
  guard let (name, distance) = best, distance <= max(2, w.count / 3) else { return nil }
  return name
}

private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var current = Array(repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}

/// ` (did you mean 'x'?)` or nothing.
public func suggestion(_ word: String, in candidates: some Sequence<String>) -> String {
  nearest(word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
}
