#!/usr/bin/env python3
"""compare_maps.py - kmm's exec against the host's.

    compare_maps.py KMM HOST_HELPER [--arch i386] PROGRAM [ARG...]

The host starts PROGRAM under ADDR_NO_RANDOMIZE (setarch -R) and stops it
before its first instruction (host_maps_at_exec); kmm execs it in a
spawned process.  Both /proc/PID/maps are compared line by line.  Every
line must be equal except where 2.6.34 and the host kernel differ, each
difference named here and explained in docs/glossary.md ("exec"):

  pie-placement   2.6.34 maps an ET_DYN program (and so the interpreter)
                  where get_unmapped_area puts it (load_bias 0 on x86);
                  the host uses ELF_ET_DYN_BASE.  Each file's lines must
                  still be equal among themselves: same permissions,
                  offsets, sizes, device, inode and path, at the same
                  distances from each other (one shift per file).
  vvar            the host's [vvar] and [vvar_vclock] pages (2.6.34 had none)
  vdso-size       the host's vdso has 2 pages, 2.6.34's one; its address
                  follows from what is above it
  vsyscall-perms  the host prints --xp (vsyscall=xonly), 2.6.34 r-xp
  bss-heap        2.6.34 names the bss's anonymous pages [heap] when the
                  break starts at their end; the host leaves them unnamed
  compat-task     a 32-bit program on the 64-bit host runs as a compat
                  task (its stack and vdso near 4G); on a kmm i386
                  machine they sit below 0xc0000000: only the program's
                  own lines are compared

Exit status 0 when everything else is equal; the report is printed.
"""
import os
import re
import subprocess
import sys
import tempfile

LINE = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) (\S+) (\d+)\s*(.*)$")


def parse(text):
    out = []
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            raise SystemExit("unparsable maps line: %r" % line)
        s, e, perms, off, dev, ino, name = m.groups()
        out.append(dict(start=int(s, 16), end=int(e, 16), perms=perms, off=int(off, 16),
                        dev=dev, ino=int(ino), name=name.strip(), line=line))
    return out


def elf_type(path):
    with open(path, "rb") as f:
        head = f.read(18)
    return int.from_bytes(head[16:18], "little")


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        raise SystemExit(__doc__)
    kmm, helper = args[0], args[1]
    args = args[2:]
    arch = "x86_64"
    if args[0] == "--arch":
        arch, args = args[1], args[2:]
    prog = args
    host_text = subprocess.run([helper] + prog, check=True, capture_output=True,
                               text=True).stdout
    script = "boot ram=256M%s\np = spawn\nexec %s\ncat /proc/self/maps\ncheck\n" % (
        " arch=i386" if arch == "i386" else "", " ".join(prog))
    with tempfile.NamedTemporaryFile("w", suffix=".kmm", delete=False) as f:
        f.write(script)
    try:
        r = subprocess.run([kmm, "run", f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if r.returncode:
        print(r.stdout + r.stderr)
        raise SystemExit("kmm failed (exit %d)" % r.returncode)
    kmm_text = "\n".join(l for l in r.stdout.splitlines() if LINE.match(l))
    host, mine = parse(host_text), parse(kmm_text)
    print("host (setarch -R, stopped at exec):\n" + host_text)
    print("kmm:\n" + kmm_text + "\n")

    problems, notes = [], set()
    used = set()
    files = sorted({l["name"] for l in host + mine if l["name"].startswith("/")})
    shift_of = {}
    for path in files:
        h = [l for l in host if l["name"] == path]
        k = [l for l in mine if l["name"] == path]
        hk = [(l["perms"], l["off"], l["end"] - l["start"], l["dev"], l["ino"]) for l in h]
        kk = [(l["perms"], l["off"], l["end"] - l["start"], l["dev"], l["ino"]) for l in k]
        if hk != kk:
            problems.append("%s: host %s, kmm %s" % (path, hk, kk))
            continue
        shifts = {b["start"] - a["start"] for a, b in zip(h, k)}
        if len(shifts) != 1:
            problems.append("%s: its segments are not at the host's distances" % path)
            continue
        shift = shifts.pop()
        if shift and elf_type(path) == 2:
            problems.append("%s: an ET_EXEC program moved by %#x" % (path, shift))
        elif shift:
            notes.add("pie-placement")
        shift_of[path] = (h[-1]["end"], shift)
        used.update(id(l) for l in k)
    for l in host:
        name = l["name"]
        if name.startswith("/"):
            continue
        if name in ("[vvar]", "[vvar_vclock]"):
            notes.add("vvar")
            continue
        if arch == "i386" and name in ("[stack]", "[vdso]"):
            notes.add("compat-task")
            continue
        if name == "":
            # the bss after a file: the same pages, after the same file, perhaps named [heap]
            owner = [v for v in shift_of.values() if v[0] == l["start"]]
            want = l["start"] + (owner[0][1] if owner else 0)
            k = [m for m in mine if m["start"] == want and m["name"] in ("", "[heap]")]
            if not k or k[0]["end"] - k[0]["start"] != l["end"] - l["start"] or k[0]["perms"] != l["perms"]:
                problems.append("no kmm line for the host's %s" % l["line"])
                continue
            if k[0]["name"] == "[heap]":
                notes.add("bss-heap")
            used.add(id(k[0]))
            continue
        k = [m for m in mine if m["name"] == name]
        if not k:
            problems.append("kmm has no %s" % name)
            continue
        k = k[0]
        used.add(id(k))
        if name == "[stack]":
            if (k["start"], k["end"], k["perms"]) != (l["start"], l["end"], l["perms"]):
                problems.append("[stack]: host %s, kmm %s" % (l["line"], k["line"]))
        elif name == "[vdso]":
            if k["perms"] != l["perms"]:
                problems.append("[vdso] permissions: host %s, kmm %s" % (l["perms"], k["perms"]))
            if (k["start"], k["end"]) != (l["start"], l["end"]):
                notes.add("vdso-size")
        elif name == "[vsyscall]":
            if (k["start"], k["end"]) != (l["start"], l["end"]):
                problems.append("[vsyscall]: host %s, kmm %s" % (l["line"], k["line"]))
            if k["perms"] != l["perms"]:
                notes.add("vsyscall-perms")
        elif k["line"].split()[0:2] != l["line"].split()[0:2]:
            problems.append("%s: host %s, kmm %s" % (name, l["line"], k["line"]))
    for m in mine:
        if id(m) not in used and not (arch == "i386" and m["name"] in ("[stack]", "[vdso]")):
            problems.append("kmm line the host lacks: %s" % m["line"])
    print("documented differences seen: %s" % (", ".join(sorted(notes)) or "none"))
    for p in problems:
        print("DIFFERENCE: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
