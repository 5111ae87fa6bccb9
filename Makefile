# cleave: build, test and demo. `make test` installs what it needs first.

SWIFT      ?= swift
BOARD      ?= dts/qemu-virt-aarch64-gicv3.dts
PLAN       ?= dts/qemu-virt-aarch64-gicv3.plan.yaml
RELEASE    := .build/release/cleave

.PHONY: all build deps linux test demo boards fuzz bench lint clean

all: build

build: deps
	$(SWIFT) build -c release --product cleave

deps:
	@bash scripts/deps.sh

# Debian's arm64 kernel: a real kernel to boot and ~570 real board DTBs to read.
linux: deps
	@bash scripts/linux.sh

test: deps linux
	$(SWIFT) build --build-tests
	CLEAVE_BIN=$(CURDIR)/.build/debug/cleave $(SWIFT) test --skip-build

demo: build
	$(RELEASE) inspect $(BOARD)
	$(RELEASE) check $(PLAN)
	$(RELEASE) build $(PLAN) -o build/demo

# libFuzzer over the DTB reader + machine view and the plan parser + resolver +
# checks, FUZZ_TIME seconds each (default 180). Not part of make test.
fuzz: deps
	bash scripts/fuzz.sh

# Figures side by side (dtc, scale, overlap checking); not part of make test.
bench: build
	cd Bench && $(SWIFT) build -c release >/dev/null
	python3 bench/run.py

# Regenerates the QEMU boards in dts/ from QEMU's own dumpdtb.
boards: deps
	bash scripts/boards.sh

lint:
	$(SWIFT) format lint --recursive --strict Sources Tests Package.swift

clean:
	rm -rf .build build
