#!/usr/bin/env python3
"""Builds build/linux/initramfs.cpio: a tiny arm64 user space for the Linux
kernel cleave boots in a partition.

It holds Debian's busybox-static for arm64 (fetched with apt-get download,
cached in build/linux/) and an /init that reports what Linux sees -- CPUs,
RAM, the cleave channel nodes of its device tree -- prints the kernel's
cleave|PASS line (so `cleave run` can wait for Linux like for any other
kernel) and powers the machine off after a while. The archive is written in
the cpio "newc" format by this script, so no cpio binary is needed.
"""
import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build/linux/initramfs.cpio")

INIT = r"""#!/bin/sh
# cleave's Linux probe: say what this kernel sees, then leave the machine to the others.
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
name=$(busybox cat /proc/device-tree/chosen/cleave/kernel 2>/dev/null | busybox tr -d '\000')
cpus=$(busybox grep -c ^processor /proc/cpuinfo)
echo "cleave-linux|init: user space is up in kernel ${name:-?}"
echo "cleave-linux|cpus: $cpus"
busybox grep "System RAM" /proc/iomem | while read -r line; do echo "cleave-linux|ram: $line"; done
channels=0
for c in /proc/device-tree/reserved-memory/channel@*; do
  [ -e "$c/compatible" ] || continue
  channels=$((channels + 1))
  peer=$(busybox cat "$c/cleave,peer" | busybox tr -d '\000')
  echo "cleave-linux|channel: ${c##*/} with $peer"
done
[ "$channels" = 1 ] && noun=channel || noun=channels
echo "cleave|PASS|${name:-linux}: Linux $(busybox uname -r), $cpus CPUs, $channels $noun in its tree"
busybox sleep ${CLEAVE_LINUX_LINGER:-60}
busybox poweroff -f
"""


def newc(entries):
    """entries: (name, mode, data) tuples; returns the archive bytes."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(entries + [("TRAILER!!!", 0, b"")], start=1):
        name_bytes = name.encode() + b"\0"
        header = "070701" + "".join(f"{v:08x}" for v in (
            ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_bytes), 0))
        out += header.encode() + name_bytes
        out += b"\0" * (-len(out) % 4)
        out += data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


def busybox():
    cached = glob.glob(os.path.join(ROOT, "build/linux/busybox-static_*_arm64.deb"))
    if not cached:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        foreign = subprocess.run(["dpkg", "--print-foreign-architectures"], capture_output=True, text=True).stdout.split()
        if "arm64" not in foreign:
            subprocess.run(sudo + ["dpkg", "--add-architecture", "arm64"], check=True)
            subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "download", "-qq", "busybox-static:arm64"], cwd=os.path.join(ROOT, "build/linux"),
                       check=True, stderr=subprocess.DEVNULL)
        cached = glob.glob(os.path.join(ROOT, "build/linux/busybox-static_*_arm64.deb"))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg-deb", "-x", cached[0], tmp], check=True)
        with open(os.path.join(tmp, "bin/busybox"), "rb") as f:
            return f.read()


def main():
    if os.path.exists(OUT) and os.path.getmtime(OUT) >= os.path.getmtime(__file__):
        return
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    d, f, link = 0o040755, 0o100755, 0o120777
    entries = [("bin", d, b""), ("dev", d, b""), ("proc", d, b""), ("sys", d, b""),
               ("bin/busybox", f, busybox()), ("bin/sh", link, b"busybox"),
               ("init", f, INIT.encode())]
    entries += [(f"bin/{tool}", link, b"busybox") for tool in ("mount", "cat", "grep", "tr", "uname", "sleep", "poweroff")]
    with open(OUT + ".tmp", "wb") as out:
        out.write(newc(entries))
    os.replace(OUT + ".tmp", OUT)
    print(f"initramfs: {os.path.getsize(OUT)} bytes", file=sys.stderr)


main()
