import Foundation
import Testing

/// What a boot behind the EL2 fence must show, from both sides: the fence's
/// own line for each access it blocked or dropped, and the probe's line that
/// it saw the fault or the refusal.
enum FenceProofs {
  /// Every kernel runs at EL1; each one's load and store into every other
  /// kernel's memory is blocked and faults; CPU_ON of another's core and
  /// SYSTEM_OFF are denied; each kernel but the owner of `spi` fails to touch
  /// it, and the owner's SPIs keep their state.
  static func expectAll(in console: String, kernels: [String], spiOwner: String, spi: Int) {
    for k in kernels {
      #expect(has(console, #"\|INFO\|\#(k): kernel \d+ at EL1,"#), "\(k) not at EL1\n\(console)")
      for other in kernels where other != k {
        for access in ["read from", "write to"] {
          #expect(
            has(console, #"\|FENCE\|\#(k): \#(access) 0x[0-9a-f]+ \(\#(other)'s memory\) blocked"#),
            "no fence line: \(k) \(access) \(other)'s memory\n\(console)")
        }
        #expect(
          has(
            console,
            #"\|INFO\|\#(k): isolation: a load from and a store to 0x[0-9a-f]+ \(\#(other)'s memory\) faulted"#
          ),
          "\(k) saw no fault on \(other)'s memory\n\(console)")
      }
      #expect(
        has(console, #"\|FENCE\|\#(k): PSCI CPU_ON of core 0x[0-9a-f]+ \(k\d+'s\) denied"#), "\(console)")
      #expect(console.contains("cleave|FENCE|\(k): PSCI SYSTEM_OFF denied"), "\(console)")
      #expect(has(console, #"\|INFO\|\#(k): isolation: PSCI CPU_ON 0x[0-9a-f]+ \(k\d+'s core\) returned -3"#))
      // The round trips: on GICv3 doorbells are system-register SGIs and never
      // trap; on GICv2 each is a GICD_SGIR write, which the fence filters.
      #expect(
        has(console, #"\|INFO\|\#(k): isolation: its round trips took \d+ traps into the fence"#),
        "\(console)")
      if console.contains("gic-version=3") {
        #expect(
          console.contains("\(k): isolation: its round trips took 0 traps into the fence"), "\(console)")
      }
      // Where the fence filters SGIs (always on GICv2), a probe sends another
      // kernel's boot core an SGI no channel rings: the fence drops it, and
      // that core, polling for its doorbells, would fail on its arrival.
      if has(console, #"\|INFO\|\#(k): isolation: SGI 14 sent to core"#) {
        #expect(
          has(
            console,
            #"\|FENCE\|\#(k): GIC (distributor: SGIR|CPU interface: ICC_SGI1R_EL1) write for INTID 14 \(k\d+'s\) dropped"#
          ), "\(console)")
      }
      if k == spiOwner {
        #expect(
          console.contains("\(k): isolation: its 1 SPI kept route, priority and enable bit"), "\(console)")
      } else {
        for register in ["ICENABLER", "ISENABLER", "IPRIORITYR"] {
          #expect(
            console.contains(
              "cleave|FENCE|\(k): GIC distributor: \(register) write for INTID \(spi) (\(spiOwner)'s) dropped"
            ),
            "\(console)")
        }
        #expect(
          console.contains(
            "\(k): isolation: SPI \(spi) (\(spiOwner)'s) reads as 0 and ignores disable, enable, priority and re-route"
          ),
          "\(console)")
      }
    }
  }

  /// Whether `pattern` is in the console once Linux's own lines are taken
  /// out: Linux and a probe (or the fence) share one UART, and a whole printk
  /// line can land in the middle of a line the other is writing (its `[` may
  /// land earlier still).
  static func has(_ console: String, _ pattern: String) -> Bool {
    let own = console.replacingOccurrences(
      of: #"\[? *\d+\.\d{6}\] [^\n]*\n"#, with: "", options: .regularExpression)
    return own.range(of: pattern, options: .regularExpression) != nil
  }
}
