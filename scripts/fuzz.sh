#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs each for FUZZ_TIME seconds
# (default 180) from a seed corpus made of the boards and plans in dts/ and the
# fixtures. A crash leaves its input in build/fuzz/<target>/crash-*; turn it
# into a regression test in Tests/EndToEndTests/MalformedInputTests.swift.
# Leak detection is off: the Swift runtime's metadata caches live until exit.
set -euo pipefail

cd "$(dirname "$0")/.."
time_each=${FUZZ_TIME:-180}
work=build/fuzz
mkdir -p "$work/dtb/corpus" "$work/plan/corpus" "$work/desc/corpus"

for b in dts/*.dts; do dtc -q -I dts -O dtb -o "$work/dtb/corpus/$(basename "$b" .dts).dtb" "$b"; done
mapfile -t shipped < <(find build/linux/dtbs -name '*.dtb' 2>/dev/null | sort)
for f in "${shipped[@]:0:40}"; do cp "$f" "$work/dtb/corpus/"; done
cp dts/*.plan.yaml Tests/Fixtures/checks/*.plan.yaml "$work/plan/corpus/"
# Seeds on the 64-bit edges (ranges ending exactly at 2^64, RAM filling the
# address space); the dictionaries add edge numbers and the keys they go under.
cp Fuzz/seeds/plan/*.plan.yaml "$work/plan/corpus/"
for b in Fuzz/seeds/dtb/*.dts; do dtc -q -I dts -O dtb -o "$work/dtb/corpus/$(basename "$b" .dts).dtb" "$b"; done

# SwiftPM links executables through their own main, so instead of
# -sanitize=fuzzer (which brings libFuzzer's main) the targets get libFuzzer's
# instrumentation and its no-main runtime, and main.swift calls its driver.
runtime=$(ls "$(dirname "$(dirname "$(command -v swift)")")"/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a | head -1)
flags=(-c release -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
  -Xlinker "$runtime" -Xlinker -lstdc++)
(cd Fuzz && swift build "${flags[@]}" --product FuzzDTB >/dev/null && swift build "${flags[@]}" --product FuzzPlan >/dev/null)
bin=$(cd Fuzz && swift build -c release --show-bin-path)

# The loader's descriptor reader and partition check, built for the host with
# libFuzzer; seeds are the payloads (descriptor, DTBs, images) of the AArch64
# example plans.
make -s loader probe-images >/dev/null
make -s build >/dev/null
for p in dts/qemu-virt-aarch64-*.plan.yaml; do
  out="$work/desc/out-$(basename "$p" .plan.yaml)"
  .build/release/cleave build "$p" -o "$out" >/dev/null
  # The payload starts after the ELF header page and the loader's span.
  dd if="$out/image.elf" of="$work/desc/corpus/$(basename "$p" .plan.yaml).bin" bs=4096 skip=$(((0x1000 + 0x10000) / 4096)) \
    count=256 status=none
done
clang -fsanitize=fuzzer,address -g -O1 -ISources/Loader -ISources/Loader/common -ISources/CBootABI/include \
  Sources/Loader/common/desc.c Sources/Loader/common/partition.c Sources/Loader/common/crc32.c \
  Sources/Loader/common/dt.c Fuzz/desc/fuzz_desc.c \
  -o "$work/desc/fuzz_desc" 2>&1 | grep -v "Cannot export" || true

for t in dtb plan desc; do
  dict=()
  case $t in
  dtb) exe="$bin/FuzzDTB" dict=(-dict="$PWD/Fuzz/dicts/dtb.dict") ;;
  plan) exe="$bin/FuzzPlan" dict=(-dict="$PWD/Fuzz/dicts/plan.dict") ;;
  desc) exe="$PWD/$work/desc/fuzz_desc" ;;
  esac
  echo "fuzz $t: $time_each s"
  (cd "$work/$t" && ASAN_OPTIONS=detect_leaks=0 "$exe" "${dict[@]}" -max_total_time="$time_each" -timeout=10 -rss_limit_mb=4096 -max_len=1100000 -detect_leaks=0 -print_final_stats=1 corpus 2>&1 |
    grep -E "^(stat::number_of_executed_units|stat::average_exec_per_sec|Done|==.*ERROR)" || true)
done
