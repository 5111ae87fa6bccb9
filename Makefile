# cleave: build, test and demo. `make test` installs what it needs first.

SWIFT      ?= swift
BOARD      ?= dts/qemu-virt-aarch64-gicv3.dts
PLAN       ?= dts/qemu-virt-aarch64-gicv3.plan.yaml
RELEASE    := .build/release/cleave

.PHONY: all build deps linux test demo boards fuzz bench lint man clean probe-images

all: build

# The freestanding loader and probe kernel (targets loader, probes).
include mk/loader.mk

# Every probe image a plan in dts/ names (build/probes/ARCH-ADDR.elf), each
# the probe object linked at the base of that kernel's memory.
PROBE_IMAGES := $(sort $(shell grep -ho 'build/probes/[a-z0-9]*-0x[0-9a-fA-F]*\.elf' dts/*.plan.yaml 2>/dev/null))
probe-images: $(PROBE_IMAGES)

build/probes/aarch64-%.elf: build/probe-aarch64.o scripts/probe.sh linker/probe-aarch64.ld
	@bash scripts/probe.sh aarch64 $* $@

# The Swift runtime and Foundation linked in: a larger file (about 85 MB
# against 15), but start-up no longer resolves thousands of symbols in shared
# libraries, which halves it (BENCHMARKS.md).
build: deps
	$(SWIFT) build -c release --static-swift-stdlib --product cleave

deps:
	@bash scripts/deps.sh

# Debian's arm64 kernel: a real kernel to boot (with a busybox initramfs made
# by scripts/initramfs.py) and ~570 real board DTBs to read.
linux: deps
	@bash scripts/linux.sh
	@python3 scripts/initramfs.py

test: deps linux loader loader-faults probe-images
	$(SWIFT) build --build-tests
	CLEAVE_BIN=$(CURDIR)/.build/debug/cleave $(SWIFT) test --skip-build

demo: build loader probe-images
	$(RELEASE) inspect $(BOARD)
	$(RELEASE) check $(PLAN)
	$(RELEASE) build $(PLAN) -o build/demo
	$(RELEASE) run build/demo

# libFuzzer over the DTB reader + machine view, the plan parser + resolver +
# checks, and the loader's descriptor reader, FUZZ_TIME seconds each (default
# 180). Not part of make test.
fuzz: deps
	bash scripts/fuzz.sh

# Figures side by side (dtc, Lopper, scale, overlap checking, boot cost); not
# part of make test. bench/run.py installs Lopper into build/bench-venv when missing.
bench: build loader probe-images
	cd Bench && $(SWIFT) build -c release >/dev/null
	python3 bench/run.py

# Regenerates the QEMU boards in dts/ from QEMU's own dumpdtb.
boards: deps
	bash scripts/boards.sh

# Man pages (cleave.1 and one per verb) generated from the same option
# definitions as --help, into build/man; `man -l build/man/cleave.1` reads one.
man: deps
	$(SWIFT) package generate-manual --multi-page
	rm -rf build/man && mkdir -p build/man
	cp .build/plugins/GenerateManual/outputs/cleave/*.1 build/man/

lint:
	$(SWIFT) format lint --recursive --strict Sources Tests Package.swift

clean:
	rm -rf .build build
