import CSHA256

/// SHA-256 (FIPS 180-4), for the image hashes in the descriptor and the report.
/// Dependency-free; the loader carries the same algorithm in C. On a host CPU
/// with SHA instructions the blocks go through them (CSHA256), several times
/// faster than this portable code, which every other host runs.
public struct SHA256 {
  /// Whether ``hash(_:)`` uses the CPU's SHA instructions.
  public static let accelerated = cleave_sha256_accelerated() != 0

  private static let k: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
  ]

  /// The 32-byte digest of `bytes`.
  public static func hash(_ bytes: [UInt8]) -> [UInt8] { hash(bytes, accelerated: accelerated) }

  /// The digest by the CPU's SHA instructions or, with `accelerated` false, the portable code.
  static func hash(_ bytes: [UInt8], accelerated: Bool) -> [UInt8] {
    var h: [UInt32] = [
      0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    // Whole blocks straight from the input; only the last, padded ones are copied.
    let whole = bytes.count / 64 * 64
    let blocks = accelerated ? compressOnCPU : compress
    bytes.withUnsafeBufferPointer { blocks(&h, $0, whole / 64) }
    var tail = Array(bytes[whole...])
    let bits = UInt64(bytes.count) &* 8
    tail.append(0x80)
    while tail.count % 64 != 56 { tail.append(0) }
    for i in (0..<8).reversed() { tail.append(UInt8((bits >> (UInt64(i) * 8)) & 0xff)) }
    tail.withUnsafeBufferPointer { blocks(&h, $0, tail.count / 64) }
    return h.flatMap { v in
      [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]
    }
  }

  /// ``compress(_:_:blocks:)`` by the CPU's SHA instructions.
  private static func compressOnCPU(_ h: inout [UInt32], _ message: UnsafeBufferPointer<UInt8>, blocks: Int) {
    guard blocks > 0, blocks * 64 <= message.count, let base = message.baseAddress else { return }
    h.withUnsafeMutableBufferPointer { state in
      guard let s = state.baseAddress, state.count == 8 else { return }
      cleave_sha256_blocks(s, base, blocks)
    }
  }

  /// Runs the compression function over the first `blocks` 64-byte blocks of `message`.
  private static func compress(_ h: inout [UInt32], _ message: UnsafeBufferPointer<UInt8>, blocks: Int) {
    guard blocks > 0, blocks * 64 <= message.count else { return }
    k.withUnsafeBufferPointer { k in
      withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
        var (h0, h1, h2, h3, h4, h5, h6, h7) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
        for block in 0..<blocks {
          let chunk = block * 64
          for i in 0..<16 {
            let j = chunk + i * 4
            w[i] =
              UInt32(message[j]) << 24 | UInt32(message[j + 1]) << 16 | UInt32(message[j + 2]) << 8
              | UInt32(message[j + 3])
          }
          for i in 16..<64 {
            let s0 = w[i - 15].rotr(7) ^ w[i - 15].rotr(18) ^ (w[i - 15] >> 3)
            let s1 = w[i - 2].rotr(17) ^ w[i - 2].rotr(19) ^ (w[i - 2] >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
          }
          var (a, b, c, d, e, f, g, hh) = (h0, h1, h2, h3, h4, h5, h6, h7)
          for i in 0..<64 {
            let s1 = e.rotr(6) ^ e.rotr(11) ^ e.rotr(25)
            let ch = (e & f) ^ (~e & g)
            let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
            let s0 = a.rotr(2) ^ a.rotr(13) ^ a.rotr(22)
            let maj = (a & b) ^ (a & c) ^ (b & c)
            let t2 = s0 &+ maj
            (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
          }
          h0 = h0 &+ a
          h1 = h1 &+ b
          h2 = h2 &+ c
          h3 = h3 &+ d
          h4 = h4 &+ e
          h5 = h5 &+ f
          h6 = h6 &+ g
          h7 = h7 &+ hh
        }
        h = [h0, h1, h2, h3, h4, h5, h6, h7]
      }
    }
  }

  /// Lower-case hexadecimal of a digest.
  public static func hex(_ digest: [UInt8]) -> String {
    // Written into one string of the right size: a build writes one per file.
    let digits: StaticString = "0123456789abcdef"
    return String(unsafeUninitializedCapacity: 2 * digest.count) { out in
      for (i, b) in digest.enumerated() {
        out[2 * i] = digits.utf8Start[Int(b >> 4)]
        out[2 * i + 1] = digits.utf8Start[Int(b & 0xf)]
      }
      return 2 * digest.count
    }
  }
}

extension UInt32 {
  fileprivate func rotr(_ n: UInt32) -> UInt32 { (self >> n) | (self << (32 - n)) }
}
