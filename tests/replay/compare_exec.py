#!/usr/bin/env python3
"""compare_exec.py LOG HOSTDIR KMMDIR: a replay with --exec ends with the
maps the real process had, line for line.

HOSTDIR/PID.maps is a traced process's own /proc/self/maps, written by
dumpmaps.so as it exited (the program ran under setarch -R); KMMDIR/PID/maps
is kmm's /proc/PID/maps of the process that replayed that pid, written by
`kmm replay --exec --proc-dir` at the same point of the log.  kmm exec'd
the program as the host did (the PIE at ELF_ET_DYN_BASE), so every line --
addresses, permissions, offsets, devices, inodes, paths, [heap], [stack],
[vdso] -- must be equal, except the differences docs/glossary.md explains
("The strace replay"), each recognised here by name:

  vvar             the host's [vvar], [vvar_vclock] and 2-page [vdso] take
                   the pages that kmm's one-page [vdso] and the replay's
                   stand-in for them ("/dev/zero (deleted)", r--s) take:
                   the same range, other lines
  vsyscall-perms   the host prints [vsyscall] --xp, 2.6.34 r-xp
  stack-nohugepage a MAP_STACK mapping (a thread's stack) is VM_NOHUGEPAGE
                   on Linux 6.7 and later and merges with no neighbour;
                   2.6.34 merges it: the host's lines are joined at the
                   edges of the log's MAP_STACK mappings before comparing
  shmem-ids        a shared anonymous mapping is a file of the kernel's
                   internal tmpfs: its device and inode numbers are the
                   host's and kmm's own
  bss-heap         2.6.34 names the bss's anonymous pages [heap] when the
                   break starts at their end (docs/glossary.md, exec)
  tmpfs-ids        a /dev/shm file's device and inode numbers are the
                   host's tmpfs mount's and kmm's own
  nonlinear        remap_file_pages: 2.6.34 keeps one VMA (VM_NONLINEAR),
                   today's kernels (3.16 on) emulate the call with a VMA
                   per piece: the host's lines that tile one kmm line
                   holding a successful call of the log, with its
                   permissions and file, are that line (their offsets are
                   the pieces')

Exit status 0 when everything else is equal.
"""
import os
import re
import sys

LINE = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) (\S+) (\d+)\s*(.*)$")
STACK_MMAP = re.compile(r"mmap\(NULL, (\d+), [^)]*MAP_STACK[^)]*\)\s+= (0x[0-9a-f]+)")
VVAR = ("[vvar]", "[vvar_vclock]", "[vdso]")
STANDIN = "/dev/zero (deleted)"


def parse(path):
    out = []
    for line in open(path):
        m = LINE.match(line.rstrip("\n"))
        if not m:
            raise SystemExit("%s: unparsable maps line: %r" % (path, line))
        s, e, perms, off, dev, ino, name = m.groups()
        out.append(dict(start=int(s, 16), end=int(e, 16), perms=perms, off=int(off, 16),
                        dev=dev, ino=int(ino), name=name.strip()))
    return out


REMAP = re.compile(r"remap_file_pages\((0x[0-9a-f]+), (\d+), .*\)\s+= 0$")


def scan_log(log):
    """The start and end addresses of the log's MAP_STACK mappings, and the
    ranges of its successful remap_file_pages calls."""
    edges, remaps, unfinished = set(), [], {}
    for raw in open(log, errors="replace"):
        m = re.match(r"(\d+)\s+(.*)$", raw.rstrip("\n"))
        if not m:
            continue
        pid, text = m.groups()
        if text.endswith(" <unfinished ...>"):
            unfinished[pid] = text[:-len(" <unfinished ...>")]
            continue
        m = re.match(r"<\.\.\. \w+ resumed>(.*)$", text)
        if m:
            text = unfinished.pop(pid, "") + m.group(1)
        m = STACK_MMAP.search(text)
        if m:
            start = int(m.group(2), 16)
            edges.update((start, start + int(m.group(1))))
        m = REMAP.search(text)
        if m:
            start = int(m.group(1), 16) & ~0xfff
            remaps.append((start, start + (int(m.group(2)) & ~0xfff)))
    return edges, remaps


def join_nonlinear(host, kmm, remaps, notes):
    """The host's pieces of a kmm nonlinear VMA, joined into its line (nonlinear)."""
    out = list(host)
    for k in kmm:
        if not any(k["start"] <= s and e <= k["end"] for s, e in remaps):
            continue
        inside = sorted((h for h in out if k["start"] <= h["start"] and h["end"] <= k["end"]),
                        key=lambda h: h["start"])
        tiles = inside and inside[0]["start"] == k["start"] and inside[-1]["end"] == k["end"] and \
            all(a["end"] == b["start"] for a, b in zip(inside, inside[1:]))
        if len(inside) < 2 or not tiles or \
                any(h["perms"] != k["perms"] or h["name"] != k["name"] for h in inside):
            continue
        out = [h for h in out if h not in inside] + [dict(inside[0], off=k["off"], end=k["end"])]
        notes.add("nonlinear")
    return sorted(out, key=lambda h: h["start"])


def join_at(lines, edges, notes):
    """The host's anonymous lines split at a MAP_STACK edge, joined (stack-nohugepage)."""
    out = []
    for l in lines:
        p = out[-1] if out else None
        if (p and p["end"] == l["start"] and l["start"] in edges and p["perms"] == l["perms"]
                and p["name"] == l["name"] == "" and p["ino"] == l["ino"] == 0):
            p["end"] = l["end"]
            notes.add("stack-nohugepage")
            continue
        out.append(dict(l))
    return out


def show(l):
    return "%x-%x %s %08x %s %d %s" % (l["start"], l["end"], l["perms"], l["off"], l["dev"],
                                       l["ino"], l["name"])


def compare(host, kmm, notes):
    problems = []
    hv = [l for l in host if l["name"] in VVAR]
    kv = [l for l in kmm if l["name"] == "[vdso]"]
    kv += [l for l in kmm if l["name"] == STANDIN and kv and l["end"] == kv[0]["start"]]
    if hv and kv and (min(l["start"] for l in hv), max(l["end"] for l in hv)) == \
            (min(l["start"] for l in kv), max(l["end"] for l in kv)):
        notes.add("vvar")
        host = [l for l in host if l not in hv]
        kmm = [l for l in kmm if l not in kv]
    hk = {(l["start"], l["end"]): l for l in host}
    kk = {(l["start"], l["end"]): l for l in kmm}
    for key in sorted(set(hk) | set(kk)):
        h, k = hk.get(key), kk.get(key)
        if not h or not k:
            problems.append("%s only: %s" % ("host" if h else "kmm", show(h or k)))
            continue
        if h["name"] == "[vsyscall]" and k["name"] == "[vsyscall]":
            if h["perms"] != k["perms"]:
                notes.add("vsyscall-perms")
            continue
        if h["name"] == "" and k["name"] == "[heap]" and show(dict(k, name="")) == show(h):
            notes.add("bss-heap")
            continue
        if h["name"] == k["name"] == STANDIN and show(dict(h, dev="", ino=0)) == \
                show(dict(k, dev="", ino=0)):
            notes.add("shmem-ids")
            continue
        if h["name"] == k["name"] and h["name"].startswith("/dev/shm/") and \
                show(dict(h, dev="", ino=0)) == show(dict(k, dev="", ino=0)):
            notes.add("tmpfs-ids")
            continue
        if show(h) != show(k):
            problems.append("host %s\n            kmm  %s" % (show(h), show(k)))
    return problems


def main():
    log, hostdir, kmmdir = sys.argv[1:4]
    edges, remaps = scan_log(log)
    notes, bad, n = set(), 0, 0
    for name in sorted(os.listdir(hostdir)):
        pid = name.split(".")[0]
        kpath = os.path.join(kmmdir, pid, "maps")
        if not os.path.exists(kpath):
            print("pid %s: kmm wrote no maps" % pid)
            bad += 1
            continue
        host = join_at(parse(os.path.join(hostdir, name)), edges, notes)
        kmm = parse(kpath)
        host = join_nonlinear(host, kmm, remaps, notes)
        problems = compare(host, kmm, notes)
        n += 1
        print("pid %s: %d host lines, %d kmm lines, %d differ" % (pid, len(host), len(kmm),
                                                                 len(problems)))
        for p in problems:
            print("  DIFFERENCE: " + p)
        bad += bool(problems)
    print("documented differences seen: %s" % (", ".join(sorted(notes)) or "none"))
    if not n:
        print("no process wrote its maps")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
