#!/usr/bin/env bash
# Link the probe kernel for ARCH at ADDR into the ELF file OUTPUT.
#
#   scripts/probe.sh aarch64 0x41000000 build/probes/aarch64-0x41000000.elf
#   scripts/probe.sh riscv64 0x81000000 build/probes/riscv64-0x81000000.elf
#
# The probe is built once as a relocatable object (make probes, into
# build/probe-ARCH.o); each kernel of a plan gets its own link at the base of
# its memory. Uses ld.lld from PATH, else the Swift toolchain's.
set -euo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 ARCH ADDR OUTPUT" >&2
	exit 2
fi
arch=$1 addr=$2 out=$3
root=$(cd "$(dirname "$0")/.." && pwd)

case $arch in
aarch64 | riscv64) ;;
*)
	echo "probe.sh: no probe kernel for $arch (aarch64 or riscv64)" >&2
	exit 2
	;;
esac
if ! [[ $addr =~ ^(0x[0-9a-fA-F]+|[0-9]+)$ ]]; then
	echo "probe.sh: ADDR must be a number (hex with 0x or decimal), not '$addr'" >&2
	exit 2
fi
obj=${LOADER_OUT:-$root/build}/probe-$arch.o
if [ ! -f "$obj" ]; then
	echo "probe.sh: $obj is missing; run 'make -f mk/loader.mk probes' first" >&2
	exit 2
fi
ld=${LOADER_LD:-ld.lld}
if ! command -v "$ld" >/dev/null 2>&1; then
	ld=/opt/swift/usr/bin/ld.lld
fi

mkdir -p "$(dirname "$out")"
exec "$ld" -T "$root/linker/probe-$arch.ld" --defsym=PROBE_BASE="$addr" \
	-z max-page-size=4096 --build-id=none --no-dynamic-linker -static \
	-o "$out" "$obj"
