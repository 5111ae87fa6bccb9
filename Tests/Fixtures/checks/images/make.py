#!/usr/bin/env python3
"""Writes the tiny kernel images the check fixtures load (Tests/Fixtures/checks).

Run from anywhere: `python3 Tests/Fixtures/checks/images/make.py`. The output is
deterministic and committed beside this script, so the tests never run it; rerun
it after changing a layout here and commit the result.

Each ELF file is an ELF64 little-endian AArch64 executable (e_machine 183) with
one PT_LOAD segment that starts at file offset 0 (so it carries the headers,
as linkers lay out a first segment) followed by one instruction, `b .`.
The Linux file is the 64-byte arm64 Image header (Documentation/arch/arm64/booting.rst).
"""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

EM_AARCH64 = 183
PT_LOAD = 1
PF_R, PF_X = 4, 1
EHDR_SIZE = 64
PHDR_SIZE = 56
CODE = struct.pack("<I", 0x14000000)  # b .
CODE_OFFSET = EHDR_SIZE + PHDR_SIZE  # 0x78


def elf(paddr, memsz, entry, vaddr=None):
    """An executable whose only PT_LOAD segment is [paddr, paddr + memsz) (virtual: vaddr, else the same)."""
    filesz = CODE_OFFSET + len(CODE)
    assert memsz >= filesz
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)  # ELFCLASS64, ELFDATA2LSB, EV_CURRENT
    ehdr = ident + struct.pack(
        "<HHIQQQIHHHHHH",
        2,  # e_type: ET_EXEC
        EM_AARCH64,
        1,  # e_version
        entry,
        EHDR_SIZE,  # e_phoff
        0,  # e_shoff: no section headers
        0,  # e_flags
        EHDR_SIZE,
        PHDR_SIZE,
        1,  # e_phnum
        64,  # e_shentsize
        0,  # e_shnum
        0,  # e_shstrndx
    )
    phdr = struct.pack(
        "<IIQQQQQQ",
        PT_LOAD,
        PF_R | PF_X,
        0,  # p_offset
        paddr if vaddr is None else vaddr,  # p_vaddr (identity mapped unless given)
        paddr,  # p_paddr: where cleave places the bytes
        filesz,
        memsz,
        0x10000,  # p_align
    )
    out = ehdr + phdr + CODE
    assert len(ehdr) == EHDR_SIZE and len(phdr) == PHDR_SIZE and len(out) == filesz
    return out


def linux_arm64(text_offset, image_size, flags=0xA):
    """A Linux arm64 Image header: flags 0xA = little-endian, 4K pages, anywhere in RAM."""
    header = struct.pack(
        "<IIQQQQQQII",
        0x14000010,  # code0: b +64, over the header
        0,  # code1
        text_offset,
        image_size,
        flags,
        0,  # res2
        0,  # res3
        0,  # res4
        0x644D5241,  # magic "ARM\x64" at byte 56
        0,  # res5: no PE header
    )
    assert len(header) == 64 and header[56:60] == b"ARM\x64"
    return header


IMAGES = {
    # image_outside_memory: the segment [0x48000000, 0x48010000) lies below the kernel's memory.
    "outside.elf": elf(paddr=0x48000000, memsz=0x10000, entry=0x48000000 + CODE_OFFSET),
    # image_entry_outside: the segment is [0x50000000, 0x50010000), the entry 0x50100000.
    "entry-outside.elf": elf(paddr=0x50000000, memsz=0x10000, entry=0x50100000),
    # dtb_overlaps_image: one segment [0x50000000, 0x50100000), exactly 1 MiB.
    "one-mib.elf": elf(paddr=0x50000000, memsz=0x100000, entry=0x50000000 + CODE_OFFSET),
    # distributor_initialised_twice: a Linux arm64 Image of 64 KiB at text_offset 0.
    "linux-64k.Image": linux_arm64(text_offset=0, image_size=0x10000),
    # boot_info_*: a seL4 multikernel kernel as seL4 links it, at a fixed virtual address with no
    # physical one, 2.3 MiB like today's image (so its window is 4 MiB), and a root task at 4 MiB.
    "sel4-kernel.elf": elf(paddr=0, vaddr=0xFFFFFFFFFF000000, memsz=0x250000, entry=0xFFFFFFFFFF000000 + CODE_OFFSET),
    "root-task.elf": elf(paddr=0x400000, memsz=0x10000, entry=0x400000 + CODE_OFFSET),
    # image_unreadable: neither ELF nor a Linux Image.
    "not-an-image.bin": b"this file is neither an ELF file nor a Linux Image\n",
}


def main():
    for name, data in IMAGES.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
