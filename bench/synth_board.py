#!/usr/bin/env python3
"""Writes a synthetic manycore AArch64 board as DTS on standard output.

    synth_board.py CORES [--cluster K] [--numa M] [--devices D] [--banks B]

CORES cores in L2 clusters of K (one L2 node per cluster, an L3 per NUMA node),
spread evenly over M NUMA nodes with a distance map; B memory banks per NUMA
node; D platform devices with one SPI each on a simple-bus; GICv3 with one
redistributor region per NUMA node; a /memreserve/ and a no-map reservation.
Deterministic: the same arguments give the same text.
"""
import argparse

p = argparse.ArgumentParser()
p.add_argument("cores", type=int)
p.add_argument("--cluster", type=int, default=4)
p.add_argument("--numa", type=int, default=2)
p.add_argument("--devices", type=int, default=64)
p.add_argument("--banks", type=int, default=2)
a = p.parse_args()
assert a.cores % a.cluster == 0 and (a.cores // a.cluster) % a.numa == 0

clusters = a.cores // a.cluster
per_node = clusters // a.numa
# Enough RAM that every cluster's kernel gets room for its tree at any size.
bank_size = (4 << 30) * max(1, a.cores // 1024)
out = []
w = out.append

w("/dts-v1/;")
w("/memreserve/ 0x80000000 0x10000;")
w("/ {")
w('\tcompatible = "cleave,synthetic";')
w(f'\tmodel = "synthetic {a.cores}-core board";')
w("\t#address-cells = <2>;\n\t#size-cells = <2>;\n\tinterrupt-parent = <&gic>;")
w('\tpsci { compatible = "arm,psci-1.0"; method = "smc"; };')
w("\tcpus {\n\t\t#address-cells = <2>;\n\t\t#size-cells = <0>;")
for n in range(a.numa):
    w(f'\t\tl3_{n}: l3-cache{n} {{ compatible = "cache"; cache-unified; cache-level = <3>; numa-node-id = <{n}>; }};')
w("\t};")
# CPU and L2 nodes go into later `/ { cpus { ... }; };` blocks that dtc merges,
# 256 clusters each: dtc's parser runs out of stack on one node with ~20,000
# children written in a single block.
later = []
for start in range(0, clusters, 256):
    block = ["/ {", "\tcpus {"]
    for c in range(start, min(start + 256, clusters)):
        node = c // per_node
        block.append(f'\t\tl2_{c}: l2-cache{c} {{ compatible = "cache"; cache-unified; cache-level = <2>; next-level-cache = <&l3_{node}>; }};')
        for k in range(a.cluster):
            mpidr = ((c >> 8) << 16) | ((c & 0xff) << 8) | k
            block.append(f'\t\tcpu_{c}_{k}: cpu@{mpidr:x} {{ device_type = "cpu"; compatible = "arm,neoverse-n1"; '
                         f'reg = <0x0 {mpidr:#x}>; enable-method = "psci"; next-level-cache = <&l2_{c}>; numa-node-id = <{node}>; }};')
    block += ["\t};", "};"]
    later += block
later += ["/ {", "\tcpus {", "\t\tcpu-map {"]
for n in range(a.numa):
    later.append(f"\t\t\tsocket{n} {{")
    for c in range(n * per_node, (n + 1) * per_node):
        cores = " ".join(f"core{k} {{ cpu = <&cpu_{c}_{k}>; }};" for k in range(a.cluster))
        later.append(f"\t\t\t\tcluster{c - n * per_node} {{ {cores} }};")
    later.append("\t\t\t};")
later += ["\t\t};", "\t};", "};"]
base = 0x80000000
for n in range(a.numa):
    for b in range(a.banks):
        w(f'\tmemory@{base:x} {{ device_type = "memory"; reg = <{base >> 32:#x} {base & 0xffffffff:#x} {bank_size >> 32:#x} {bank_size & 0xffffffff:#x}>; numa-node-id = <{n}>; }};')
        base += bank_size
w('\tdistance-map { compatible = "numa-distance-map-v1"; distance-matrix = <'
  + " ".join(f"{i} {j} {10 if i == j else 20}" for i in range(a.numa) for j in range(a.numa)) + ">; };")
w("\treserved-memory {\n\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t\tranges;")
w("\t\tfirmware@80100000 { reg = <0x0 0x80100000 0x0 0x100000>; no-map; };\n\t};")
frames = -(-a.cores // a.numa)
gicr = " ".join(f"<0x0 {0x30000000 + n * 0x4000000:#x} 0x0 {frames * 0x20000:#x}>," for n in range(a.numa)).rstrip(",")
w(f'\tgic: interrupt-controller@2f000000 {{ compatible = "arm,gic-v3"; #interrupt-cells = <3>; interrupt-controller; '
  f'#redistributor-regions = <{a.numa}>; reg = <0x0 0x2f000000 0x0 0x10000>, {gicr}; }};')
w('\ttimer { compatible = "arm,armv8-timer"; interrupts = <1 13 4>, <1 14 4>, <1 11 4>, <1 10 4>; };')
w('\tsoc {\n\t\tcompatible = "simple-bus";\n\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t\tranges;')
for d in range(a.devices):
    addr = 0x10000000 + d * 0x10000
    w(f'\t\tdev{d}: device@{addr:x} {{ compatible = "cleave,synthetic-device"; reg = <0x0 {addr:#x} 0x0 0x1000>; '
      f'interrupts = <0 {d % 960} 4>; numa-node-id = <{d % a.numa}>; }};')
w("\t};")
w('\taliases { serial0 = &dev0; };')
w('\tchosen { stdout-path = "serial0"; };')
w("};")
print("\n".join(out + later))
