#!/usr/bin/env python3
"""make bench: one table of figures measured side by side in one run.

Every timed figure is the median of REPEAT runs (default 5) of a whole
command, timed with os.wait4 so peak memory (max RSS) comes from the kernel.
Ratios are printed beside the figures, and each target with MET / NOT MET.

Lopper (PyPI) is installed on first use into build/bench-venv. Boot costs are
counted in instructions: QEMU runs with -icount shift=0, where virtual time
advances 1 ns per instruction, so one boot per board is enough.
"""
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLEAVE = os.path.join(ROOT, ".build/release/cleave")
BENCH_BIN = os.path.join(ROOT, "Bench/.build/release")
REPEAT = int(os.environ.get("REPEAT", "5"))
SCALES = [int(x) for x in os.environ.get("SCALES", "64,512,4096,16384").split(",")]
VENV = os.path.join(ROOT, "build/bench-venv")
LOPPER = os.path.join(VENV, "bin/lopper")
# sleep=off: with the default sleep=on, QEMU advances virtual time by real
# time while every vCPU idles, and the entry counters varied between runs.
ICOUNT = "-icount shift=0,sleep=off"
BOOT_PLANS = ["qemu-virt-aarch64-gicv3", "qemu-virt-aarch64-gicv2", "qemu-virt-riscv64"]
# Each fence plan is its board's plan plus isolation: stage2; both boot to PASS.
FENCE_BOARDS = ["qemu-virt-aarch64-gicv3", "qemu-virt-aarch64-gicv2"]


class Failed(Exception):
    """A command the bench needs did not work; the message names it."""


def measure(argv, cwd=None):
    """Median wall seconds and peak RSS (MiB) of REPEAT runs of argv."""
    walls, rss = [], []
    for _ in range(REPEAT):
        start = time.perf_counter()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
        _, status, usage = os.wait4(p.pid, 0)
        walls.append(time.perf_counter() - start)
        rss.append(usage.ru_maxrss / 1024)
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            raise Failed(f"{' '.join(argv)} failed: {err.strip()[-500:]}")
    return statistics.median(walls), statistics.median(rss)


def run(argv, cwd=None):
    """Runs argv once; its standard output, or Failed naming the command."""
    p = subprocess.run(argv, capture_output=True, text=True, cwd=cwd)
    if p.returncode != 0:
        raise Failed(f"{' '.join(argv)} failed: {(p.stderr or p.stdout).strip()[-500:]}")
    return p.stdout


rows = []


def row(section, what, seconds=None, mib=None, note=""):
    rows.append((section, what, "" if seconds is None else f"{seconds * 1000:9.1f} ms",
                 "" if mib is None else f"{mib:7.1f} MiB", " ".join(note.split())))  # one line per row


def verdict(ok):
    return "MET" if ok else "NOT MET"


def node_paths(dts):
    """Every node path of a .dts, read from dtc's normalised output."""
    text = run(["dtc", "-q", "-I", "dts", "-O", "dts", dts])
    paths, stack = [], []
    for line in text.splitlines():
        line = line.strip()
        if line.endswith("{"):
            stack.append(line[:-1].split(":")[-1].strip())  # drop a label
            paths.append("/" + "/".join(stack[1:]))
        elif line == "};":
            stack.pop()
    return paths


def install_lopper():
    """Lopper in build/bench-venv, installed only when missing. None, or why not."""
    python = os.path.join(VENV, "bin/python")
    if os.path.exists(LOPPER) and subprocess.run([python, "-c", "import lopper"], capture_output=True).returncode == 0:
        return None
    try:
        if subprocess.run([sys.executable, "-m", "venv", VENV], capture_output=True).returncode != 0:
            # Debian's own python3 makes virtual environments only with python3-venv.
            if not shutil.which("apt-get"):
                return f"{sys.executable} -m venv {VENV} failed and there is no apt-get for python3-venv"
            sudo = [] if os.geteuid() == 0 else ["sudo"]
            print("bench: installing python3-venv", file=sys.stderr)
            run(sudo + ["apt-get", "update", "-qq"])
            run(sudo + ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", "python3-venv"])
            run([sys.executable, "-m", "venv", "--clear", VENV])
        # The yaml extra: Lopper 1.6 imports ruamel.yaml and PyYAML at start-up.
        print(f"bench: installing lopper into {os.path.relpath(VENV, ROOT)}", file=sys.stderr)
        run([python, "-m", "pip", "install", "-q", "lopper[yaml]"])
    except Failed as e:
        return f"installing Lopper: {e}"
    return None


def lopper_rows(tmp, builds):
    """Lopper deleting, from each board, the nodes cleave left out of k0."""
    why = install_lopper()
    if why is None:
        try:
            start, start_m = measure([LOPPER, "--version"])
            row("lopper", f"Lopper {run([LOPPER, '--version']).strip()} start-up (--version)", start, start_m)
        except Failed as e:
            why = str(e)
    if why is not None:
        row("lopper", "Lopper not measured", note=why)
        return
    for name, build in sorted(builds.items()):
        board = os.path.join(ROOT, "dts", name + ".dts")
        k0 = os.path.join(tmp, "out-" + name, "kernels", "k0.dts")
        try:
            before, after = node_paths(board), node_paths(k0)
            removed = [p for p in before if p not in after]
            added = [p for p in after if p not in before]
            # Deleting a node deletes its subtree: name only the topmost.
            top = [p for p in removed if p.rsplit("/", 1)[0] not in removed]
            lop = os.path.join(tmp, f"lop-{name}-k0.dts")
            with open(lop, "w") as f:
                f.write('/dts-v1/;\n\n/ {\n\tcompatible = "system-device-tree-v1";\n\tlops {\n')
                for i, p in enumerate(top):
                    f.write(f'\t\tlop_{i} {{\n\t\t\tcompatible = "system-device-tree-v1,lop,modify";\n'
                            f'\t\t\tmodify = "{p}::";\n\t\t}};\n')
                f.write("\t};\n};\n")
            out = os.path.join(tmp, f"lopper-{name}-k0.dts")
            t, m = measure([LOPPER, "-f", "--enhanced", "-i", lop, board, out], cwd=tmp)
            got, want = set(node_paths(out)), set(after) - set(added)
        except Failed as e:
            row("lopper", f"{name}: Lopper prune for k0 not measured", note=str(e))
            continue
        if got == want:
            agree = f"nodes agree: Lopper {len(got)} = cleave k0 {len(after)} - {len(added)} cleave adds"
        else:
            agree = (f"nodes DIFFER: Lopper lacks {sorted(want - got)[:3]}, has extra {sorted(got - want)[:3]}")
        ratio = t / build
        row("lopper", f"{name}: Lopper deletes {len(removed)} nodes ({len(top)} lops)", t, m,
            f"lopper/cleave-build {ratio:.1f}x (cleave {build * 1000:.0f} ms builds every kernel, descriptor, "
            f"map, image); {agree}; target cleave >= 50x faster: {verdict(ratio >= 50)}")


def ram_dir(tmp):
    """A scratch directory in RAM (tmpfs) for build outputs, or tmp itself.

    Repeated builds into one OUT create and delete the same files again and
    again; on an ext4 without a journal (this machine's disk) each new inode
    is searched for past the recently deleted ones, which grows with every
    run and measures the disk rather than cleave. Builds are timed with OUT
    in RAM, and the real boards once more with OUT on disk beside it."""
    global RAM
    if RAM is None:
        RAM = tmp
        if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
            RAM = tempfile.mkdtemp(prefix="cleave-bench-out-", dir="/dev/shm")
    return RAM


RAM = None


def real_rows(tmp, count=3):
    """The largest DTBs of Debian's arm64 kernel package (build/linux/dtbs):
    cleave build of plan --auto's plan against dtc decompiling the board and
    Lopper reading and writing it once. A board that names no RAM gets 4 GiB
    at 0x80000000, as a user gives it with --ram."""
    corpus = os.path.join(ROOT, "build/linux/dtbs")
    if not os.path.isdir(corpus):
        row("real", "largest corpus boards not measured", note="no build/linux/dtbs (make linux)")
        return
    dtbs = []
    for d, _, files in os.walk(corpus):
        dtbs += [os.path.join(d, f) for f in files if f.endswith(".dtb")]
    dtbs.sort(key=lambda f: (-os.path.getsize(f), f))
    lopper = install_lopper() is None
    for dtb in dtbs[:count]:
        name = os.path.relpath(dtb, corpus)[:-4]
        plan = os.path.join(tmp, name.replace("/", "_") + ".plan.yaml")
        try:
            try:
                run([CLEAVE, "plan", "--auto", dtb, "-o", plan])
            except Failed:
                run([CLEAVE, "plan", "--auto", dtb, "--ram", "0x80000000:4G", "-o", plan])
            kernels = run(["grep", "-c", "^  k[0-9]*:$", plan]).strip()
            out = os.path.join(ram_dir(tmp), "real-" + name.replace("/", "_"))
            build, build_m = measure([CLEAVE, "build", plan, "-o", out])
            on_disk, _ = measure([CLEAVE, "build", plan, "-o", os.path.join(tmp, "real-disk")])
            dtc_d, _ = measure(["dtc", "-q", "-I", "dtb", "-O", "dts", "-o", os.devnull, dtb])
        except Failed as e:
            row("real", f"{name}: not measured", note=str(e))
            continue
        size = os.path.getsize(dtb) // 1024
        note = f"{kernels} kernels, OUT in RAM ({on_disk * 1000:.1f} ms with OUT on disk); cleave/dtc-decompile {build / dtc_d:.1f}x (dtc {dtc_d * 1000:.1f} ms)"
        note += f"; target <= 3x dtc: {verdict(build <= 3 * dtc_d)}"
        if lopper:
            src = os.path.join(tmp, "real-board.dts")
            run(["dtc", "-q", "-I", "dtb", "-O", "dts", "-o", src, dtb])
            try:
                lt, _ = measure([LOPPER, "-f", src, os.path.join(tmp, "real-lopper-out.dts")], cwd=tmp)
                note += f"; Lopper read+write {lt * 1000:.0f} ms = {lt / build:.0f}x cleave; target >= 100x: {verdict(lt >= 100 * build)}"
            except Failed as e:
                note += f"; Lopper not measured: {e}"
        row("real", f"{name} ({size} KiB): cleave build", build, build_m, note)


def loader_rows():
    for arch in ("aarch64", "riscv64"):
        path = os.path.join(ROOT, f"build/loader-{arch}.bin")
        if not os.path.exists(path):
            row("boot", f"loader-{arch}.bin missing", note="make loader builds it")
            continue
        size = os.path.getsize(path)
        row("boot", f"loader-{arch}.bin: {size:,} bytes", note=f"limit < 32,768 B: {verdict(size < 32768)}")


def children(pid):
    """The ids of a running process's children, from /proc."""
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found += [int(c) for c in f.read().split()]
    except FileNotFoundError:  # it has ended meanwhile
        pass
    return found


def boot_console(out, options, shift, kernels, until=r"entered at counter"):
    """Console of `cleave run` at -icount shift=SHIFT, up to the last kernel's line matching until."""
    icount = ICOUNT.replace("shift=0", f"shift={shift}")
    argv = [CLEAVE, "run", out, "--timeout", "300", f"--machine-options={options} {icount}"]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", cwd=ROOT)
    lines, entered = [], set()
    try:
        for line in p.stdout:
            lines.append(line.rstrip("\n"))
            m = re.search(r"\|INFO\|(\S+): " + until, line)
            if m:
                entered.add(m.group(1))
                if entered >= kernels:
                    break
    finally:
        # Past its entry lines the boot is of no interest. cleave run starts
        # QEMU in a process group of its own, and a QEMU busy under -icount
        # may not heed SIGTERM: kill QEMU (cleave run's child) by its id, and
        # cleave run then ends by itself.
        for pid in children(p.pid):
            os.kill(pid, signal.SIGKILL)
        try:
            p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
    if not entered >= kernels:
        raise Failed(f"{' '.join(argv)}: no '{until}' line from {sorted(kernels - entered)}; last: {lines[-1:]}")
    return lines


def boot_entries(console):
    """(kernel, counter at entry, Hz, copying ticks before it, hashing ticks before it) per entry
    line, and check-in waits in us.

    The loader hashes and copies every image before it starts any kernel; a
    kernel's copying (hashing) is the sum of the loaded-ticks (SHA-256 ... ok
    in ticks) lines printed before its entry line.
    """
    copied, hashed, waited, entries = 0, 0, 0, []
    for line in console:
        m = re.search(r"\|INFO\|cpu\d+: \S+: image 0x[0-9a-f]+ bytes, SHA-256 [0-9a-f.]+ ok in (\d+) ticks", line)
        if m:
            hashed += int(m.group(1))
        m = re.search(r"\|INFO\|cpu\d+: \S+: loaded 0x[0-9a-f]+ bytes in (\d+) ticks", line)
        if m:
            copied += int(m.group(1))
        m = re.search(r"\|INFO\|cpu\d+: \S+: CPU 0x[0-9a-f]+ checked in after (\d+) us", line)
        if m:
            waited += int(m.group(1))
        m = re.search(r"\|INFO\|(\S+): entered at counter (\d+) \((\d+) Hz\)", line)
        if m:
            entries.append((m.group(1), int(m.group(2)), int(m.group(3)), copied, hashed))
    return entries, waited


def boot_rows(tmp):
    """Instructions from reset to each kernel's first instruction, one icount run per plan.

    At shift=0 one instruction is 1 ns of virtual time: instructions = ticks x
    1e9 / Hz. A second run at shift=1 (2 ns per instruction) checks that: a
    counter that counts instructions from reset doubles.
    """
    for name in BOOT_PLANS:
        try:
            with open(os.path.join(ROOT, "dts", name + ".dts")) as f:
                first = f.readline()
            if not first.startswith("// qemu:"):
                raise Failed(f"dts/{name}.dts: line 1 is not '// qemu: OPTIONS'")
            options = first.split(":", 1)[1].strip()
            out = os.path.join(tmp, "boot-" + name)
            run([CLEAVE, "build", os.path.join(ROOT, "dts", name + ".plan.yaml"), "-o", out], cwd=ROOT)
            kernels = {f[:-4] for f in os.listdir(os.path.join(out, "kernels")) if f.endswith(".dtb")}
            entries, waited = boot_entries(boot_console(out, options, 0, kernels))
            doubled = {k: ticks for k, ticks, _, _, _ in boot_entries(boot_console(out, options, 1, kernels))[0]}
        except Failed as e:
            row("boot", f"{name}: not measured", note=str(e))
            continue
        worst = max((ticks - before) * 10**9 // hz for _, ticks, hz, before, _ in entries)
        worst_bare = max((ticks - before - hashed) * 10**9 // hz for _, ticks, hz, before, hashed in entries)
        for i, (k, ticks, hz, before, hashed) in enumerate(entries):
            ratio = doubled[k] / ticks
            note = (f"{(ticks - before) * 10**9 // hz:,} without image copying ({before * 10**9 // hz:,}), "
                    f"{(ticks - before - hashed) * 10**9 // hz:,} without hashing either ({hashed * 10**9 // hz:,}); "
                    f"counter {ticks} at {hz} Hz, {ratio:.3f}x at shift=1")
            if abs(ratio - 2) > 0.01:
                note += " (not 2x: the counter holds more than instructions, e.g. vCPUs spinning in QEMU's round robin)"
            if i == len(entries) - 1:
                note += (f"; loader waited {waited:,} us for check-ins; "
                         f"target all < 1,000,000 without copying: {verdict(worst < 1_000_000)} "
                         f"(without copying and hashing: {verdict(worst_bare < 1_000_000)})")
            row("boot", f"{name}: {k} entered after {ticks * 10**9 // hz:,} instructions", note=note)


def fence_builds(tmp, board):
    """The board's plan built as it is and with isolation: stage2: (options, kernels, out, fenced out)."""
    with open(os.path.join(ROOT, "dts", board + ".dts")) as f:
        options = f.readline().split(":", 1)[1].strip()
    outs = []
    for plan in (board, board + ".fence"):
        out = os.path.join(tmp, "fence-" + plan)
        run([CLEAVE, "build", os.path.join(ROOT, "dts", plan + ".plan.yaml"), "-o", out], cwd=ROOT)
        outs.append(out)
    kernels = {f[:-4] for f in os.listdir(os.path.join(outs[0], "kernels")) if f.endswith(".dtb")}
    return options, kernels, outs[0], outs[1]


def filtered_sgis_build(tmp, board):
    """The board's fence plan with sgis: filtered, built from a copy in tmp (its paths made absolute)."""
    with open(os.path.join(ROOT, "dts", board + ".fence.plan.yaml")) as f:
        text = f.read()
    text = re.sub(r"^isolation:.*$", "isolation: { fence: stage2, sgis: filtered }", text, flags=re.M)
    text = text.replace(f"board: {board}.dts", f"board: {os.path.join(ROOT, 'dts', board + '.dts')}")
    text = text.replace("../build/", os.path.join(ROOT, "build") + "/")
    plan = os.path.join(tmp, board + ".sgis.plan.yaml")
    with open(plan, "w") as f:
        f.write(text)
    out = os.path.join(tmp, "fence-" + board + ".sgis")
    run([CLEAVE, "build", plan, "-o", out], cwd=ROOT)
    return out


def read_costs(console):
    """Hz, the fence's table-building ticks (None without it), and ticks per register read, per kernel."""
    hz, tables, reads = None, None, {}
    for line in console:
        m = re.search(r"\|INFO\|(\S+): entered at counter \d+ \((\d+) Hz\)", line)
        if m:
            hz = int(m.group(2))
        m = re.search(r"isolation: EL2 fence for .* built in (\d+) ticks", line)
        if m:
            tables = int(m.group(1))
        m = re.search(r"\|INFO\|(\S+): interrupt controller: (\d+) register reads in (\d+) ticks", line)
        if m:
            reads[m.group(1)] = int(m.group(3)) / int(m.group(2))
    return hz, tables, reads


def round_trip_traps(out, options):
    """Per kernel, the traps into the fence its channel round trips took, from one boot in real time.

    Under -icount one host thread runs every vCPU in turn and a round trip
    waits for the peer's turn, so its time would be QEMU's scheduling; and in
    real time 8 vCPUs on this machine's cores vary by several times from boot
    to boot. What the fence adds to a round trip is its traps: each probe
    asks the fence (CLEAVE_FENCE_CALL_TRAPS) before and after its round trips.
    """
    traps = {}
    for line in run([CLEAVE, "run", out, "--timeout", "120", f"--machine-options={options}"], cwd=ROOT).splitlines():
        m = re.search(r"\|INFO\|(\S+): isolation: its round trips took (\d+) traps into the fence", line)
        if m:
            traps[m.group(1)] = int(m.group(2))
    return traps


def fence_rows(tmp):
    """What the EL2 fence costs: building its tables, a trapped distributor access, channel round trips.

    Each board's plan boots as it is and with isolation: stage2. Under
    -icount shift=0 (1 ns of virtual time per instruction) the loader times
    the fence's tables and each probe 1000 reads of the distributor's type
    register, in counter ticks; the round trips are timed in real time.
    """
    for board in FENCE_BOARDS:
        try:
            options, kernels, bare_out, fenced_out = fence_builds(tmp, board)
            until = r"interrupt controller: \d+ register reads"
            hz, _, bare = read_costs(boot_console(bare_out, options, 0, kernels, until))
            _, tables, fenced = read_costs(boot_console(fenced_out, options, 0, kernels, until))
            traps = round_trip_traps(fenced_out, options)
        except Failed as e:
            row("fence", f"{board}: not measured", note=str(e))
            continue
        ns = 10**9 / hz
        row("fence", f"{board}: stage-2 tables and EL2 stacks built in {tables * ns:,.0f} instructions",
            note=f"{tables} ticks at {hz} Hz, once, before any kernel starts")
        per, bare_per = max(fenced.values()) * ns, max(bare.values()) * ns
        row("fence", f"{board}: a trapped distributor read: {per:,.0f} instructions",
            note=f"{bare_per:,.0f} without the fence (slowest of {len(fenced)} kernels, 1000 reads of GICD_TYPER each); "
                 f"target < 300: {verdict(per < 300)}")
        if not traps:
            row("fence", f"{board}: round trips not measured", note="no probe reported its round trips' traps")
        for k in sorted(traps):
            why = ("every doorbell a GICD_SGIR write the fence filters" if traps[k]
                   else "doorbells are system-register SGIs, rings plain memory")
            row("fence", f"{board}: {k}'s channel round trips took {traps[k]} traps into the fence",
                note=f"{why}: about {traps[k] * per:,.0f} instructions added to them; "
                     f"target no change (no trap): {verdict(traps[k] == 0)}")
        if "gicv3" in board:
            # The same plan with GICv3 SGIs trapped and filtered: every doorbell traps.
            try:
                filtered = round_trip_traps(filtered_sgis_build(tmp, board), options)
            except Failed as e:
                filtered = {}
                row("fence", f"{board} (sgis: filtered): not measured", note=str(e))
            for k in sorted(filtered):
                row("fence", f"{board} (sgis: filtered): {k}'s channel round trips took {filtered[k]} traps",
                    note=f"every doorbell an ICC_SGI1R_EL1 write the fence filters, about "
                         f"{filtered[k] * per:,.0f} instructions at a distributor access's cost; the price of "
                         f"filtering GICv3 SGIs, which the default (direct) does not pay")


def print_rows():
    width = max(len(r[1]) for r in rows)
    print(f"{'section':9}  {'measurement':{width}}  {'time':>12}  {'peak':>11}  notes")
    for s, w, t, m, n in rows:
        print(f"{s:9}  {w:{width}}  {t:>12}  {m:>11}  {n}")
    print(f"\nmedians of {REPEAT} runs (boot and fence: one deterministic {ICOUNT} run per plan); "
          f"{os.cpu_count()} CPUs; {time.strftime('%Y-%m-%d')}")


def main():
    tmp = tempfile.mkdtemp(prefix="cleave-bench-")
    if os.environ.get("BENCH_ONLY") == "fence":
        fence_rows(tmp)
        print_rows()
        return
    boards = sorted(f for f in os.listdir(os.path.join(ROOT, "dts")) if f.endswith(".dts"))
    nothing, _ = measure([os.path.join(BENCH_BIN, "swift-nothing")])
    row("baseline", "do-nothing Swift executable", nothing)

    # 1. Device-tree work against dtc.
    builds = {}
    for b in boards:
        name = b[:-4]
        src = os.path.join(ROOT, "dts", b)
        dtb = os.path.join(tmp, name + ".dtb")
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, src], check=True)
        plan = os.path.join(ROOT, "dts", name + ".plan.yaml")
        dtc_c, _ = measure(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", os.devnull, src])
        dtc_d, _ = measure(["dtc", "-q", "-I", "dtb", "-O", "dts", "-o", os.devnull, dtb])
        insp, insp_m = measure([CLEAVE, "inspect", dtb])
        out = os.path.join(tmp, "out-" + name)
        build, build_m = measure([CLEAVE, "build", plan, "-o", out])
        row("dt work", f"{name}: dtc compile / decompile", dtc_c, None, f"decompile {dtc_d * 1000:.1f} ms")
        row("dt work", f"{name}: cleave inspect (dtb)", insp, insp_m, f"cleave/dtc-decompile {insp / dtc_d:.1f}x")
        ok = build <= 2 * nothing if name.startswith("qemu") else None
        note = f"cleave/dtc-compile {build / dtc_c:.1f}x, {build / nothing:.1f}x Swift start-up"
        if ok is not None:
            note += f"; target <= 2x start-up: {verdict(ok)}"
        row("dt work", f"{name}: cleave build (dts plan)", build, build_m, note)
        builds[name] = build

    # 2. Lopper doing k0's pruning, beside the cleave build above.
    lopper_rows(tmp, builds)

    # 2b. The largest real boards of the corpus make linux fetched.
    real_rows(tmp)

    # 3. Scale: plan --auto + check + build on synthetic boards.
    previous = None
    for n in SCALES:
        src = os.path.join(tmp, f"syn{n}.dts")
        dtb = os.path.join(tmp, f"syn{n}.dtb")
        with open(src, "w") as f:
            subprocess.run([sys.executable, os.path.join(ROOT, "bench/synth_board.py"), str(n)], stdout=f, check=True)
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, src], check=True)
        plan = os.path.join(tmp, f"syn{n}.plan.yaml")
        # Run from the scratch directory: no loader binary is found there, so
        # the build writes trees, descriptor, map and report but packs no
        # image (a synthetic board boots nothing).
        t_plan, m_plan = measure([CLEAVE, "plan", "--auto", dtb, "-o", plan], cwd=tmp)
        t_check, m_check = measure([CLEAVE, "check", plan], cwd=tmp)
        t_build, m_build = measure([CLEAVE, "build", plan, "-o", os.path.join(ram_dir(tmp), f"synout{n}")], cwd=tmp)
        total = t_plan + t_check + t_build
        peak = max(m_plan, m_check, m_build)
        growth = ""
        if previous:
            doublings = (n // previous[0]).bit_length() - 1
            growth = f"growth per doubling {(total / previous[1]) ** (1 / doublings):.2f}x"
        note = growth
        if n == 4096:
            note += f"; target < 1 s and < 200 MB: {verdict(total < 1 and peak < 200)}"
        if n == 16384 and previous:
            per = (total / previous[1]) ** (1 / ((n // previous[0]).bit_length() - 1))
            note += f"; target < 2 s, growth <= 2.2x: {verdict(total < 2 and per <= 2.2)}"
        row("scale", f"{n} cores: plan {t_plan * 1000:.0f} + check {t_check * 1000:.0f} + build {t_build * 1000:.0f} ms", total, peak, note)
        previous = (n, total)

    # 4. Overlap checking in isolation.
    previous = None
    for n in (10_000, 100_000, 1_000_000):
        out = subprocess.run([os.path.join(BENCH_BIN, "cleave-bench"), "overlaps", str(n)], capture_output=True, text=True, check=True)
        _, seconds, pairs = out.stdout.split()
        seconds = float(seconds)
        note = f"{pairs} overlapping pairs"
        if previous:
            per_doubling = (seconds / previous[1]) ** (1 / 3.32)
            note += f"; per doubling {per_doubling:.2f}x (n log n: ~2.1x)"
        row("overlaps", f"{n} regions", seconds, None, note)
        previous = (n, seconds)

    # 5. Boot cost: loader size, and instructions from reset to each kernel.
    loader_rows()
    boot_rows(tmp)
    # 6. The EL2 fence's costs, against the same plans without it.
    fence_rows(tmp)
    print_rows()


if __name__ == "__main__":
    try:
        main()
    except Failed as e:
        sys.exit(f"bench: {e}")
    finally:
        if RAM:
            shutil.rmtree(RAM, ignore_errors=True)
