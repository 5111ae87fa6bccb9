import Testing

@testable import DeviceTree

struct AddressingTests {
  /// Two bus levels, each with a non-identity `ranges`, and a 1-cell bus below a 2-cell root.
  static let nested = """
    /dts-v1/;
    / {
      #address-cells = <2>;
      #size-cells = <2>;
      soc@f0000000 {
        compatible = "simple-bus";
        #address-cells = <1>;
        #size-cells = <1>;
        ranges = <0x0 0x0 0xf0000000 0x10000000>;
        bus@4000000 {
          compatible = "simple-bus";
          #address-cells = <1>;
          #size-cells = <1>;
          ranges = <0x0 0x4000000 0x1000000>, <0x8000000 0x0 0x1000>;
          uart@100 { reg = <0x100 0x100>; };
          low@8000010 { reg = <0x8000010 0x10>; };
          outside@2000000 { reg = <0x2000000 0x10>; };
        };
        flat {
          compatible = "simple-bus";
          #address-cells = <1>;
          #size-cells = <1>;
          ranges;
          timer@3000 { reg = <0x3000 0x20>; };
        };
        noranges {
          #address-cells = <1>;
          #size-cells = <0>;
          eeprom@50 { reg = <0x50>; };
        };
      };
    };
    """

  @Test func translatesThroughTwoLevels() throws {
    let t = try tree(Self.nested)
    let uart = try #require(t.node(path: "/soc@f0000000/bus@4000000/uart@100"))
    #expect(try t.reg(uart) == [RegEntry(space: [], address: 0x100, size: 0x100)])
    #expect(try t.mmio(uart) == [AddressRange(base: 0xf400_0100, size: 0x100)])
    let low = try #require(t.node(path: "/soc@f0000000/bus@4000000/low@8000010"))
    #expect(try t.mmio(low) == [AddressRange(base: 0xf000_0010, size: 0x10)], "second ranges entry")
  }

  @Test func identityAndUntranslatable() throws {
    let t = try tree(Self.nested)
    let timer = try #require(t.node(path: "/soc@f0000000/flat/timer@3000"))
    #expect(try t.mmio(timer) == [AddressRange(base: 0xf000_3000, size: 0x20)])
    let outside = try #require(t.node(path: "/soc@f0000000/bus@4000000/outside@2000000"))
    #expect(try t.mmio(outside).isEmpty, "no ranges entry covers it")
    let eeprom = try #require(t.node(path: "/soc@f0000000/noranges/eeprom@50"))
    #expect(try t.mmio(eeprom).isEmpty, "a bus without ranges is not CPU-visible")
  }

  @Test func pciRangesMatchOnSpaceCode() throws {
    let t = try tree(
      """
      /dts-v1/;
      / {
        #address-cells = <2>;
        #size-cells = <2>;
        pcie@10000000 {
          device_type = "pci";
          #address-cells = <3>;
          #size-cells = <2>;
          ranges = <0x01000000 0x0 0x0 0x0 0x3eff0000 0x0 0x10000>,
                   <0x02000000 0x0 0x10000000 0x0 0x10000000 0x0 0x2eff0000>;
          dev@0 { reg = <0x42000000 0x0 0x10001000 0x0 0x1000>; };
        };
      };
      """)
    let dev = try #require(t.node(path: "/pcie@10000000/dev@0"))
    #expect(try t.reg(dev).first?.space == [0x4200_0000])
    #expect(
      try t.mmio(dev) == [AddressRange(base: 0x1000_1000, size: 0x1000)],
      "prefetchable bit ignored, memory space matched")
  }

  @Test func dmaRangesAreRead() throws {
    let t = try tree(
      """
      /dts-v1/;
      / {
        #address-cells = <1>;
        #size-cells = <1>;
        bus { #address-cells = <1>; #size-cells = <1>; ranges; dma-ranges = <0x0 0x80000000 0x40000000>; };
      };
      """)
    let bus = try #require(t.node(path: "/bus"))
    let r = try #require(try t.ranges("dma-ranges", of: bus))
    #expect(
      r == [RangeEntry(childSpace: [], child: 0, parentSpace: [], parent: 0x8000_0000, size: 0x4000_0000)])
  }

  @Test func overflowingRegIsAnError() throws {
    let t = try tree(
      """
      /dts-v1/;
      / { #address-cells = <2>; #size-cells = <2>; m@0 { reg = <0xffffffff 0xfffff000 0x0 0x2000>; }; };
      """)
    let m = try #require(t.node(path: "/m@0"))
    #expect(throws: DeviceTreeError.self) { try t.reg(m) }
    do {
      _ = try t.reg(m)
    } catch let e as DeviceTreeError {
      #expect(e.place == "/m@0:reg")
      #expect(e.message.contains("overflows 64 bits"))
    }
  }

  @Test func cellsThatDoNotFitAreAnError() throws {
    let t = try tree(
      "/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <1>; d@0 { reg = <0 0 0x10 0x20>; }; };\n")
    let d = try #require(t.node(path: "/d@0"))
    #expect(throws: DeviceTreeError.self) { try t.reg(d) }
  }

  @Test func addressRangeArithmetic() {
    let top = AddressRange(base: 0xffff_ffff_ffff_f000, size: 0x1000)
    #expect(top.last == UInt64.max)
    #expect(AddressRange(checkedBase: 0xffff_ffff_ffff_f000, size: 0x1001) == nil)
    #expect(top.description == "[0xfffffffffffff000, 0x10000000000000000)")
    let a = AddressRange(base: 0x1000, size: 0x1000)
    #expect(a.overlaps(AddressRange(base: 0x1fff, size: 1)))
    #expect(!a.overlaps(AddressRange(base: 0x2000, size: 1)))
    #expect(
      a.intersection(AddressRange(base: 0x1800, size: 0x1000)) == AddressRange(base: 0x1800, size: 0x800))
  }
}
