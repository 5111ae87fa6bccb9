#!/usr/bin/env python3
"""make bench: one table of figures measured side by side in one run.

Every figure is the median of REPEAT runs (default 5) of a whole command,
timed with os.wait4 so peak memory (max RSS) comes from the kernel. Ratios
are printed beside the figures, and each target with MET / NOT MET.
"""
import os
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
            sys.exit(f"bench: {' '.join(argv)} failed: {err.strip()}")
    return statistics.median(walls), statistics.median(rss)


rows = []


def row(section, what, seconds=None, mib=None, note=""):
    rows.append((section, what, "" if seconds is None else f"{seconds * 1000:9.1f} ms",
                 "" if mib is None else f"{mib:7.1f} MiB", note))


def verdict(ok):
    return "MET" if ok else "NOT MET"


def main():
    tmp = tempfile.mkdtemp(prefix="cleave-bench-")
    boards = sorted(f for f in os.listdir(os.path.join(ROOT, "dts")) if f.endswith(".dts"))
    nothing, _ = measure([os.path.join(BENCH_BIN, "swift-nothing")])
    row("baseline", "do-nothing Swift executable", nothing)

    # 1. Device-tree work against dtc.
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

    # 2. Scale: plan --auto + check + build on synthetic boards.
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
        t_build, m_build = measure([CLEAVE, "build", plan, "-o", os.path.join(tmp, f"synout{n}")], cwd=tmp)
        total = t_plan + t_check + t_build
        peak = max(m_plan, m_check, m_build)
        growth = ""
        if previous:
            doublings = (n // previous[0]).bit_length() - 1
            growth = f"growth per doubling {(total / previous[1]) ** (1 / doublings):.2f}x"
        note = growth
        if n == 4096:
            note += f"; target < 1 s and < 200 MB: {verdict(total < 1 and peak < 200)}"
        row("scale", f"{n} cores: plan {t_plan * 1000:.0f} + check {t_check * 1000:.0f} + build {t_build * 1000:.0f} ms", total, peak, note)
        previous = (n, total)

    # 3. Overlap checking in isolation.
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

    width = max(len(r[1]) for r in rows)
    print(f"{'section':9}  {'measurement':{width}}  {'time':>12}  {'peak':>11}  notes")
    for s, w, t, m, n in rows:
        print(f"{s:9}  {w:{width}}  {t:>12}  {m:>11}  {n}")
    print(f"\nmedians of {REPEAT} runs; {os.cpu_count()} CPUs; {time.strftime('%Y-%m-%d')}")


main()
