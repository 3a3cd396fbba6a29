#!/usr/bin/env python3
"""ELF core file helper of the crash lab (standard library only).

  elf_tool.py info FILE          header, program headers and notes, as JSON
  elf_tool.py vmcoreinfo FILE    the VMCOREINFO note's text
  elf_tool.py check FILE [--release R]
                                 fails unless FILE is a complete x86-64 ELF
                                 core with a VMCOREINFO note (whose OSRELEASE
                                 is R, if given)
  elf_tool.py phdrs-first IN OUT copy of IN (sparse) with the program header
                                 table moved to follow the ELF header

The last exists because QEMU 7.2's dump-guest-memory writes the section
header table first and the program headers after it, a layout makedumpfile
1.7.2 refuses; the copy swaps the two tables, which have the same total size,
so no data moves. Layouts from the ELF specification (elf(5)); extended
numbering (e_phnum == PN_XNUM, real count in section 0's sh_info) is handled.
"""
import json
import struct
import sys

PT_LOAD, PT_NOTE = 1, 4
ET_CORE, EM_X86_64 = 4, 62
PN_XNUM = 0xFFFF
EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
SHDR = struct.Struct("<IIQQQQIIQQ")


class ElfError(Exception):
    pass


class Core:
    """The headers and notes of a 64-bit little-endian ELF file."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            f.seek(0, 2)
            self.size = f.tell()
            f.seek(0)
            raw = f.read(EHDR.size)
            if len(raw) < EHDR.size or raw[:4] != b"\x7fELF":
                raise ElfError(f"{path}: not an ELF file")
            if raw[4] != 2 or raw[5] != 1:
                raise ElfError(f"{path}: not 64-bit little-endian ELF")
            (_, self.e_type, self.e_machine, _, _, self.e_phoff, self.e_shoff, _,
             _, self.e_phentsize, self.e_phnum, self.e_shentsize, self.e_shnum,
             _) = EHDR.unpack(raw)
            self.shdrs = []
            if self.e_shoff:
                f.seek(self.e_shoff)
                first = SHDR.unpack(f.read(SHDR.size))
                count = self.e_shnum or first[5]  # sh_size of section 0
                f.seek(self.e_shoff)
                self.shdrs = [SHDR.unpack(f.read(SHDR.size)) for _ in range(count)]
            self.phnum = self.e_phnum
            if self.e_phnum == PN_XNUM:
                if not self.shdrs:
                    raise ElfError(f"{path}: e_phnum is PN_XNUM but there is no section 0")
                self.phnum = self.shdrs[0][7]  # sh_info
            f.seek(self.e_phoff)
            table = f.read(self.phnum * PHDR.size)
            if len(table) < self.phnum * PHDR.size:
                raise ElfError(f"{path}: program header table is truncated")
            self.phdrs = [PHDR.unpack_from(table, i * PHDR.size) for i in range(self.phnum)]
            self.notes = []
            for p in self.phdrs:
                if p[0] == PT_NOTE:
                    f.seek(p[2])
                    self.notes += parse_notes(f.read(p[5]))

    def end(self):
        """The offset just past the last byte any segment covers."""
        return max([p[2] + p[5] for p in self.phdrs] + [0])

    def vmcoreinfo(self):
        for name, _, desc in self.notes:
            if name == "VMCOREINFO":
                return desc.decode("ascii", "replace").rstrip("\0")
        return None

    def info(self):
        loads = [p for p in self.phdrs if p[0] == PT_LOAD]
        vmcoreinfo = self.vmcoreinfo()
        return {
            "file": self.path, "size": self.size, "e_type": self.e_type,
            "e_machine": self.e_machine, "e_phoff": self.e_phoff, "e_shoff": self.e_shoff,
            "phnum": self.phnum, "shnum": len(self.shdrs), "pt_load": len(loads),
            "pt_load_bytes": sum(p[5] for p in loads), "segments_end": self.end(),
            "notes": [[name, ntype, len(desc)] for name, ntype, desc in self.notes],
            "vmcoreinfo": dict(line.split("=", 1) for line in vmcoreinfo.splitlines()
                               if "=" in line) if vmcoreinfo else None,
        }


def parse_notes(data):
    """(name, type, desc) of each note in a PT_NOTE segment's bytes."""
    notes, off = [], 0
    while off + 12 <= len(data):
        namesz, descsz, ntype = struct.unpack_from("<III", data, off)
        if namesz == 0 and descsz == 0 and ntype == 0:
            break  # zero padding after the last note
        off += 12
        name = data[off:off + namesz].rstrip(b"\0").decode("ascii", "replace")
        off += (namesz + 3) & ~3
        notes.append((name, ntype, data[off:off + descsz]))
        off += (descsz + 3) & ~3
    return notes


def check(core, release):
    problems = []
    if core.e_type != ET_CORE:
        problems.append(f"e_type is {core.e_type}, not ET_CORE")
    if core.e_machine != EM_X86_64:
        problems.append(f"e_machine is {core.e_machine}, not EM_X86_64")
    if not any(p[0] == PT_LOAD for p in core.phdrs):
        problems.append("no PT_LOAD segment")
    if core.end() > core.size:
        problems.append(f"file has {core.size} bytes, segments need {core.end()}")
    info = core.vmcoreinfo()
    if info is None:
        problems.append("no VMCOREINFO note")
    else:
        fields = dict(line.split("=", 1) for line in info.splitlines() if "=" in line)
        for key in ("OSRELEASE", "PAGESIZE", "SYMBOL(init_uts_ns)", "SYMBOL(prb)"):
            if key not in fields:
                problems.append(f"VMCOREINFO lacks {key}")
        if release and fields.get("OSRELEASE") != release:
            problems.append(f"VMCOREINFO OSRELEASE is {fields.get('OSRELEASE')}, expected {release}")
    return problems


def phdrs_first(src, dst):
    core = Core(src)
    ph_bytes = core.phnum * core.e_phentsize
    sh_bytes = len(core.shdrs) * core.e_shentsize
    tables_end = EHDR.size + ph_bytes + sh_bytes
    if core.e_phoff == EHDR.size:
        raise ElfError(f"{src}: program headers already follow the ELF header")
    if min(core.e_phoff, core.e_shoff or core.e_phoff) != EHDR.size or \
            max(core.e_phoff + ph_bytes, core.e_shoff + sh_bytes) != tables_end:
        raise ElfError(f"{src}: the header tables are not packed after the ELF header")
    if any(p[5] and p[2] < tables_end for p in core.phdrs):
        raise ElfError(f"{src}: a segment overlaps the header tables")
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        fin.seek(core.e_phoff)
        phdrs = fin.read(ph_bytes)
        fin.seek(core.e_shoff)
        shdrs = fin.read(sh_bytes)
        fin.seek(0)
        header = bytearray(fin.read(tables_end))
        struct.pack_into("<QQ", header, 32, EHDR.size, EHDR.size + ph_bytes if sh_bytes else 0)
        header[EHDR.size:tables_end] = phdrs + shdrs
        fout.write(header)
        chunk = 1 << 20
        while True:
            block = fin.read(chunk)
            if not block:
                break
            if block.count(0) == len(block):
                fout.seek(len(block), 1)  # leave a hole
            else:
                fout.write(block)
        fout.truncate()


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "info":
            print(json.dumps(Core(argv[2]).info(), indent=1))
        elif len(argv) == 3 and argv[1] == "vmcoreinfo":
            text = Core(argv[2]).vmcoreinfo()
            if text is None:
                raise ElfError(f"{argv[2]}: no VMCOREINFO note")
            print(text)
        elif len(argv) in (3, 5) and argv[1] == "check":
            release = argv[4] if len(argv) == 5 and argv[3] == "--release" else None
            problems = check(Core(argv[2]), release)
            for p in problems:
                print(f"elf_tool: {argv[2]}: {p}", file=sys.stderr)
            return 1 if problems else 0
        elif len(argv) == 4 and argv[1] == "phdrs-first":
            phdrs_first(argv[2], argv[3])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (ElfError, OSError, struct.error) as e:
        print(f"elf_tool: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
