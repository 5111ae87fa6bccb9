#!/usr/bin/env bash
# Fetches Debian's arm64 Linux kernel package and unpacks what cleave uses from
# it into build/linux/: the uncompressed arm64 Image (a real kernel to boot in a
# partition) and the 500-odd board DTBs Debian ships (real-world trees for the
# round-trip and machine-view tests). Cached: does nothing once unpacked.
set -euo pipefail

cd "$(dirname "$0")/.."
out=build/linux
[ -f "$out/Image" ] && [ -d "$out/dtbs" ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $sudo dpkg --add-architecture arm64
  $sudo apt-get update -qq
fi
# linux-image-arm64 is the metapackage; it depends on the current versioned image.
image=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$image" ]; then
  $sudo apt-get update -qq
  image=$(apt-cache depends linux-image-arm64:arm64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
fi
[ -n "$image" ] || { echo "linux.sh: cannot find Debian's arm64 kernel package" >&2; exit 1; }
package="${image%:arm64}-unsigned:arm64"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "make linux: fetching $package"
(cd "$tmp" && apt-get download -qq "$package" 2>/dev/null)
dpkg-deb -x "$tmp"/*.deb "$tmp/root"

rm -rf "$out"
mkdir -p "$out/dtbs"
cp "$tmp"/root/boot/vmlinuz-* "$out/Image"
cp -r "$tmp"/root/usr/lib/linux-image-*/* "$out/dtbs/"
echo "${image%:arm64}" > "$out/VERSION"
