#!/usr/bin/env bash
# Installs the Debian packages cleave needs, only those that are missing, and
# says nothing when all are present (so `make test` stays quiet on a warm machine).
set -euo pipefail

packages=(
  libfdt-dev            # libfdt, the blob reader and writer behind the DeviceTree module
  device-tree-compiler  # dtc, to read .dts boards and to check what cleave writes
  qemu-system-arm       # qemu-system-aarch64, to boot partitioned AArch64 machines
  qemu-system-misc      # qemu-system-riscv64
  opensbi               # RISC-V firmware (also QEMU's default)
  u-boot-qemu           # a real third-party kernel for a RISC-V partition
  cpp                   # the C preprocessor, for .dts sources that #include
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "make deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
