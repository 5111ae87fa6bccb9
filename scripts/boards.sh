#!/usr/bin/env bash
# Regenerates the QEMU boards in dts/ from QEMU's own device trees, regenerates
# the generated hand-shaped board (manycore-64), and checks that every dts/*.dts
# compiles. Needs qemu-system-aarch64, qemu-system-riscv64, dtc, fdtget/fdtput
# (device-tree-compiler) and python3. Running it twice gives identical files.
set -euo pipefail

cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The boards: output file, QEMU binary, machine options. These options are
# written on line 1 of each file ("// qemu: ...") so that the tools can start
# the same machine the tree describes; keep the two in step.
boards=(
	"qemu-virt-aarch64-gicv2|qemu-system-aarch64|-M virt,gic-version=2,virtualization=on -cpu cortex-a57 -smp 4 -m 1G"
	"qemu-virt-aarch64-gicv3|qemu-system-aarch64|-M virt,gic-version=3,virtualization=on -cpu cortex-a57 -smp 8 -m 2G"
	"qemu-virt-aarch64-spin-table|qemu-system-aarch64|-M virt,gic-version=3,virtualization=on,secure=on -cpu cortex-a57 -smp 4 -m 1G -bios build/firmware-spin-table-aarch64.bin"
	"qemu-virt-riscv64|qemu-system-riscv64|-M virt -smp 4 -m 1G"
	"qemu-virt-riscv64-aclint|qemu-system-riscv64|-M virt,aclint=on -smp 4 -m 1G"
)

# Post-processing of dtc's decompiled output. dtc -O dts of a DTB has no labels
# and prints phandles as bare numbers, so recompiling it warns about every
# clocks/gpios/interrupts-extended cell. This gives every node that has a
# phandle a label and turns the phandle cells of the properties whose layout
# is known into &label references. The explicit "phandle = <N>" properties
# stay, so the compiled tree is the same as QEMU's (checked below).
cat >"$tmp/dtstool.py" <<'PY'
import re
import sys


class Node:
    def __init__(self, name, labels=(), parent=None):
        self.name, self.labels, self.parent = name, list(labels), parent
        self.props = []  # [name, raw value text or None]
        self.children = []

    def prop(self, name):
        for p in self.props:
            if p[0] == name:
                return p[1]
        return None

    def child(self, name):
        return next((c for c in self.children if c.name == name), None)

    def path(self):
        if self.parent is None:
            return "/"
        up = self.parent.path()
        return up + ("" if up == "/" else "/") + self.name


def parse(text):
    """Parse the line-per-item DTS that dtc -O dts prints."""
    head, root, stack = [], None, []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if line.endswith("{"):
            words = line[:-1].split()
            labels = [w[:-1] for w in words[:-1]]
            node = Node(words[-1], labels, stack[-1] if stack else None)
            if stack:
                stack[-1].children.append(node)
            else:
                root = node
            stack.append(node)
        elif line == "};":
            stack.pop()
        elif not stack:
            head.append(line)  # /dts-v1/; and /memreserve/ lines
        else:
            m = re.fullmatch(r"([^\s=]+)(?: = (.*))?;", line)
            if not m:
                sys.exit("dtstool: cannot parse line: " + raw)
            stack[-1].props.append([m.group(1), m.group(2)])
    return head, root


def emit(head, root):
    out = list(head) + [""]

    def walk(node, depth):
        ind = "\t" * depth
        labels = "".join(l + ": " for l in node.labels)
        out.append(f"{ind}{labels}{node.name} {{")
        for name, value in node.props:
            out.append(f"{ind}\t{name}" + ("" if value is None else f" = {value}") + ";")
        for c in node.children:
            out.append("")
            walk(c, depth + 1)
        out.append(f"{ind}}};")

    walk(root, 0)
    return "\n".join(out) + "\n"


def nodes(root):
    yield root
    for c in root.children:
        yield from nodes(c)


def cells(value):
    m = re.fullmatch(r"<([^<>]*)>", value or "")
    return m.group(1).split() if m else None


def num(value, default):
    c = cells(value)
    return int(c[0], 0) if c else default


def unescape(s):
    """Bytes of one dtc string literal (without quotes), NUL added."""
    out, i = bytearray(), 0
    simple = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "v": 11, "f": 12}
    while i < len(s):
        ch = s[i]
        if ch != "\\":
            out += ch.encode()
            i += 1
            continue
        i += 1
        m = re.match(r"[0-7]{1,3}", s[i:])
        if m:
            out.append(int(m.group(0), 8))
            i += len(m.group(0))
        elif s[i] == "x":
            m = re.match(r"[0-9a-fA-F]{1,2}", s[i + 1:])
            out.append(int(m.group(0), 16))
            i += 1 + len(m.group(0))
        else:
            out.append(simple.get(s[i], ord(s[i])))
            i += 1
    return bytes(out + b"\0")


# Properties that are 32-bit numbers but that dtc may print as a string when
# their bytes happen to look like one (QEMU riscv's UART clock-frequency
# 0x384000 decompiles as "\08@").
NUMERIC = {"clock-frequency", "timebase-frequency", "current-speed", "reg-shift",
           "reg-io-width"}

# phandle + specifier lists, with the provider's cell-count property.
SPECIFIERS = {"clocks": "#clock-cells", "gpios": "#gpio-cells",
              "interrupts-extended": "#interrupt-cells", "resets": "#reset-cells",
              "phys": "#phy-cells", "iommus": "#iommu-cells", "dmas": "#dma-cells",
              "power-domains": "#power-domain-cells", "mboxes": "#mbox-cells",
              "msi-parent": "#msi-cells"}
SINGLE = {"interrupt-parent", "cpu", "regmap", "next-level-cache", "memory-region",
          "syscon"}


def phandle_positions(node, name, vals, byph):
    """Indexes of the cells of property `name` that hold phandles."""
    def target(i):
        t = byph.get(int(vals[i], 0))
        if t is None:
            sys.exit(f"dtstool: {node.path()}:{name}: cell {i} ({vals[i]}) is no phandle")
        return t

    pos = []
    if name in SINGLE:
        pos = list(range(len(vals)))
    elif name in SPECIFIERS or name.endswith("-gpios"):
        key = SPECIFIERS.get(name, "#gpio-cells")
        i = 0
        while i < len(vals):
            pos.append(i)
            i += 1 + num(target(i).prop(key), 0)
    elif name in ("msi-map", "iommu-map"):
        pos = list(range(1, len(vals), 4))
    elif name == "interrupt-map":
        child = num(node.prop("#address-cells"), 2) + num(node.prop("#interrupt-cells"), 1)
        i = 0
        while i < len(vals):
            pos.append(i + child)
            t = target(i + child)
            i += child + 1 + num(t.prop("#address-cells"), 0) + num(t.prop("#interrupt-cells"), 1)
    if any(i >= len(vals) for i in pos):
        sys.exit(f"dtstool: {node.path()}:{name}: cells do not match the provider's cell counts")
    return pos


def label_for(node, taken):
    base, _, unit = node.name.partition("@")
    if base == "cpu" and unit:
        cands = ["cpu" + unit]
    elif base == "interrupt-controller" and node.parent.name.startswith("cpu@"):
        cands = ["cpu" + node.parent.name.partition("@")[2] + "_intc"]
    else:
        base = re.sub(r"[^A-Za-z0-9_]", "_", base)
        cands = [base, f"{base}_{unit}" if unit else f"{base}_{len(taken)}"]
    for c in cands:
        if c not in taken:
            return c
    sys.exit(f"dtstool: no free label for {node.path()}")


def labelize(head, root):
    byph, taken = {}, set()
    for n in nodes(root):
        if n.prop("phandle") is not None:
            byph[num(n.prop("phandle"), None)] = n
    for n in byph.values():
        if not n.labels:
            n.labels.append(label_for(n, taken))
        taken.update(n.labels)
    for n in nodes(root):
        for p in n.props:
            name, value = p
            if name in NUMERIC and value and value.startswith('"'):
                b = unescape(value[1:-1])
                if len(b) % 4 == 0:
                    words = [int.from_bytes(b[i:i + 4], "big") for i in range(0, len(b), 4)]
                    p[1] = "<" + " ".join(hex(w) for w in words) + ">"
            vals = cells(value)
            if vals is None or name == "phandle":
                continue
            for i in phandle_positions(n, name, vals, byph):
                if not vals[i].startswith("&"):
                    vals[i] = "&" + byph[int(vals[i], 0)].labels[0]
            p[1] = "<" + " ".join(vals) + ">"


def clusters(head, root, count, l2_size, l2_ways, line):
    """Replace /cpus/cpu-map by `count` equal clusters (in cpu reg order) and
    give each cluster an L2 cache that its CPUs name in next-level-cache."""
    cpus_node = root.child("cpus")
    cpus = sorted((c for c in cpus_node.children if c.prop("device_type") == '"cpu"'),
                  key=lambda c: num(c.prop("reg"), 0))
    per = len(cpus) // count
    if per * count != len(cpus):
        sys.exit("dtstool: cpus do not split evenly into clusters")
    cpumap = cpus_node.child("cpu-map")
    socket = Node("socket0", (), cpumap)
    cpumap.children = [socket]
    for k in range(count):
        cl = Node(f"cluster{k}", [f"cluster{k}"], socket)
        socket.children.append(cl)
        l2 = Node(f"l2-cache{k}", [f"cluster{k}_l2"], cpus_node)
        l2.props = [["compatible", '"cache"'], ["cache-unified", None],
                    ["cache-level", "<0x02>"], ["cache-size", hex_cell(l2_size)],
                    ["cache-line-size", hex_cell(line)],
                    ["cache-sets", hex_cell(l2_size // (line * l2_ways))]]
        cpus_node.children.append(l2)
        for j, cpu in enumerate(cpus[k * per:(k + 1) * per]):
            core = Node(f"core{j}", (), cl)
            core.props = [["cpu", f"<&{cpu.labels[0]}>"]]
            cl.children.append(core)
            cpu.props = [p for p in cpu.props if p[0] != "next-level-cache"]
            cpu.props.append(["next-level-cache", f"<&cluster{k}_l2>"])


def spin_table(head, root, page):
    """Start every CPU by spin-table: enable-method and a cpu-release-addr of
    its own (page + 8 * its index, as Sources/Firmware/aarch64/spin-table.S
    spins on), and reserve that page for the firmware."""
    cpus_node = root.child("cpus")
    for cpu in (c for c in cpus_node.children if c.prop("device_type") == '"cpu"'):
        reg = num(cpu.prop("reg"), 0)
        index = (reg & 0xff) + 16 * ((reg >> 8) & 0xff)
        release = page + 8 * index
        cpu.props = [p for p in cpu.props if p[0] not in ("enable-method", "cpu-release-addr")]
        cpu.props.append(["enable-method", '"spin-table"'])
        cpu.props.append(["cpu-release-addr", f"<{release >> 32:#x} {release & 0xffffffff:#x}>"])
    head.append(f"/memreserve/ {page:#x} 0x1000;")


def hex_cell(v):
    return f"<{v:#x}>"


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        head, root = parse(f.read())
    if cmd == "labelize":
        labelize(head, root)
    elif cmd == "clusters":
        clusters(head, root, *(int(a, 0) for a in sys.argv[3:7]))
    elif cmd == "spin-table":
        spin_table(head, root, int(sys.argv[3], 0))
    else:
        sys.exit("dtstool: unknown command " + cmd)
    sys.stdout.write(emit(head, root))


main()
PY
dtstool() { python3 "$tmp/dtstool.py" "$@"; }

for entry in "${boards[@]}"; do
	IFS='|' read -r name qemu opts <<<"$entry"
	version=$("$qemu" --version | sed -n '1s/.*version \([0-9]*\.[0-9]*\).*/\1/p')
	machine=${opts#-M }
	machine=${machine%% *}
	rest=${opts#"-M $machine"}
	# With secure=on and firmware (-bios), QEMU has no PSCI of its own: its
	# tree has no /psci and its CPUs no enable-method. Any firmware file does
	# for the dump (QEMU exits before running it): one "b ." instruction.
	# cleave run adds -dtb (this board) and the image to the recorded options.
	shown=$rest
	if [[ $rest == *-bios* ]]; then
		printf '\x00\x00\x00\x14' >"$tmp/park.bin"
		rest="${rest%%-bios *}-bios $tmp/park.bin"
	fi
	# $rest is split on purpose: it is a list of QEMU options.
	# shellcheck disable=SC2086
	if ! "$qemu" -M "$machine,dumpdtb=$tmp/$name.dtb" $rest -nographic -nic none 2>"$tmp/qemu.err"; then
		cat "$tmp/qemu.err" >&2
		exit 1
	fi
	# QEMU puts fresh random seeds into /chosen on every run; they would make
	# the file change each time, and a kernel gets new ones at boot anyway.
	for prop in rng-seed kaslr-seed; do
		if fdtget "$tmp/$name.dtb" /chosen "$prop" >/dev/null 2>&1; then
			fdtput -d "$tmp/$name.dtb" /chosen "$prop"
		fi
	done
	dtc -q -I dtb -O dts -o "$tmp/$name.raw.dts" "$tmp/$name.dtb"
	dtstool labelize "$tmp/$name.raw.dts" >"$tmp/$name.dts"
	# Labels must not change the tree: recompiled, it must equal QEMU's.
	dtc -q -I dts -O dtb -o "$tmp/$name.check.dtb" "$tmp/$name.dts"
	if ! cmp -s <(dtc -q -I dtb -O dts "$tmp/$name.check.dtb") "$tmp/$name.raw.dts"; then
		echo "boards.sh: $name: labelled tree differs from QEMU's" >&2
		exit 1
	fi
	notes=""
	if [[ $name == qemu-virt-aarch64-gicv3 ]]; then
		# QEMU 7.2 reports one cluster of 8 cores and no caches. cleave splits
		# by shared L2, so this board models the 8 cores as two clusters of
		# four, each with its own 1 MiB 16-way L2 with 64-byte lines (a usual
		# Cortex-A57 L2). Only cpu-map, the L2 nodes and next-level-cache
		# differ from QEMU's tree. MPIDRs stay QEMU's (Aff0 0-7, Aff1 0).
		dtstool clusters "$tmp/$name.dts" 2 0x100000 16 64 >"$tmp/$name.topo.dts"
		mv "$tmp/$name.topo.dts" "$tmp/$name.dts"
		notes="// Added by the script (not in QEMU's tree): /cpus/cpu-map as 2 clusters of 4 cores,
// /cpus/l2-cache0 and /cpus/l2-cache1 (one L2 per cluster) and next-level-cache on each CPU."
	fi
	if [[ $name == qemu-virt-aarch64-spin-table ]]; then
		# QEMU's tree of a secure machine with firmware: no /psci, CPUs with no
		# enable-method. This board starts them the way Raspberry Pi firmware
		# does, which cleave run gives QEMU as -bios
		# (build/firmware-spin-table-aarch64.bin, Sources/Firmware/aarch64).
		dtstool spin-table "$tmp/$name.dts" 0x41000000 >"$tmp/$name.spin.dts"
		dtstool clusters "$tmp/$name.spin.dts" 2 0x100000 16 64 >"$tmp/$name.dts"
		notes="// Added by the script (not in QEMU's tree): enable-method \"spin-table\" and a
// cpu-release-addr on each CPU (0x41000000 + 8 * index, where cleave's firmware stub
// parks it), /memreserve/ of that page, /cpus/cpu-map as 2 clusters of 2 cores,
// /cpus/l2-cache0 and /cpus/l2-cache1 and next-level-cache on each CPU."
	fi
	{
		echo "// qemu: $opts"
		echo "// Generated by scripts/boards.sh from QEMU $version ($qemu -M $machine,dumpdtb=FILE$shown -nographic)"
		echo "// with dtc -I dtb -O dts; do not edit by hand, run the script. /chosen rng-seed and"
		echo "// kaslr-seed (random on every run) are dropped; nodes with a phandle got labels."
		if [[ -n $notes ]]; then echo "$notes"; fi
		cat "$tmp/$name.dts"
	} >"dts/$name.dts"
done

# The 64-core board is written by a small generator (64 CPUs, 16 clusters).
python3 scripts/manycore.py >"$tmp/manycore-64.dts"
mv "$tmp/manycore-64.dts" dts/manycore-64.dts

# Every board must compile; dtc prints any warning on stderr.
status=0
for f in dts/*.dts; do
	if ! dtc -I dts -O dtb -o /dev/null "$f"; then
		echo "boards.sh: $f does not compile" >&2
		status=1
	fi
done
exit "$status"
