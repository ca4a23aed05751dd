#!/usr/bin/env python3
"""compare_maps.py LOG HOSTDIR KMMDIR: the strace replay ends with the
mappings the real process had.

HOSTDIR/PID.maps is a traced process's own /proc/self/maps, written by
dumpmaps.so as it exited; KMMDIR/PID/maps is kmm's /proc/PID/maps of the
process that replayed that pid, written by `kmm replay --proc-dir` at the
same point of the log (the process's exit_group).

Which lines are compared, and why: only the pages that some call of the
log itself mapped -- a successful mmap (its result and length), mremap
(its result and new length) or the heap between the image's first
brk(NULL) and its highest break -- in that pid, or in its parent before a
fork or clone made it, since its last successful execve.  The rest of the
host's maps (the program's image, ld.so, [stack], [vvar], [vdso],
[vsyscall]) was made by the exec that the log does not show, and kmm's
stand-in process has its own stack there: neither side is compared.
Within those pages every page must be unmapped on both sides, or mapped on
both with the same permissions (r, w, x and p/s) and the same file: kmm
maps the host file the log's openat named, so a file page's path must be
the host's (offsets, devices and inodes are pc's concern, tested there).
"""
import re
import sys

CALL = re.compile(r'^(\d+)\s+(?:[\d:.]+\s+)?(.*)$')
PAGE = 4096


def traced_ranges(log):
    """pid -> list of (start, end) the log's own calls mapped."""
    ranges, heap, pending, unfinished = {}, {}, {}, {}
    for raw in open(log, errors='replace'):
        m = CALL.match(raw.rstrip('\n'))
        if not m:
            continue
        pid, text = int(m.group(1)), m.group(2)
        if text.endswith('<unfinished ...>'):
            name = text.split('(', 1)[0]
            unfinished[pid] = text[:-len('<unfinished ...>')].rstrip()
            if name in ('clone', 'clone3', 'fork', 'vfork'):
                pending[pid] = True
            continue
        r = re.match(r'<\.\.\. (\w+) resumed>(.*)$', text)
        if r:
            text = unfinished.pop(pid, r.group(1) + '(') + r.group(2)
        if pid not in ranges:
            # the child of a clone/fork still unfinished in its parent
            parent = [p for p in pending if pending[p]]
            ranges[pid] = list(ranges[parent[-1]]) if parent else []
            heap[pid] = dict(heap[parent[-1]]) if parent else {}
        res = re.search(r'\) += (-?\w+)', text)
        if not res or res.group(1) == '-1':
            continue
        ret = int(res.group(1), 0)
        name = text.split('(', 1)[0]
        args = [a.strip() for a in text.split('(', 1)[1].split(')')[0].split(',')]
        if name in ('mmap', 'mmap2'):
            ranges[pid].append((ret, ret + int(args[1], 0)))
        elif name == 'mremap':
            ranges[pid].append((ret, ret + int(args[2], 0)))
        elif name == 'brk':
            h = heap[pid]
            h.setdefault('start', ret)
            h['end'] = max(h.get('end', ret), ret)
        elif name == 'execve':
            ranges[pid], heap[pid] = [], {}
        elif name in ('clone', 'clone3', 'fork', 'vfork'):
            pending[pid] = False
            if ret not in ranges:
                ranges[ret], heap[ret] = list(ranges[pid]), dict(heap[pid])
    for pid, h in heap.items():
        if 'start' in h:
            ranges[pid].append((h['start'], h['end']))
    return ranges


def pages_of(ranges):
    pages = set()
    for start, end in ranges:
        pages.update(range(start // PAGE, (end + PAGE - 1) // PAGE))
    return pages


def maps(path):
    """page -> (permissions, file path or '') of a maps file."""
    out = {}
    for line in open(path):
        f = line.split()
        start, end = (int(x, 16) for x in f[0].split('-'))
        if start >= 1 << 47:
            continue        # [vsyscall]
        name = f[5] if len(f) > 5 and f[5].startswith('/') else ''
        for p in range(start // PAGE, end // PAGE):
            out[p] = (f[1], name)
    return out


def runs(pages):
    """[(first, last)] of consecutive page numbers, for messages."""
    out = []
    for p in sorted(pages):
        if out and out[-1][1] == p - 1:
            out[-1][1] = p
        else:
            out.append([p, p])
    return out


def main():
    log, hostdir, kmmdir = sys.argv[1:4]
    import os
    ranges = traced_ranges(log)
    checked = bad = 0
    for name in sorted(os.listdir(hostdir)):
        pid = int(name.split('.')[0])
        kmm_path = os.path.join(kmmdir, str(pid), 'maps')
        if not os.path.exists(kmm_path):
            print(f'pid {pid}: kmm wrote no maps (the replay did not end it?)')
            bad += 1
            continue
        host, kmm = maps(os.path.join(hostdir, name)), maps(kmm_path)
        wrong = set()
        pages = pages_of(ranges.get(pid, []))
        for p in pages:
            if host.get(p) != kmm.get(p):
                wrong.add(p)
        mapped = sum(1 for p in pages if p in host)
        print(f'pid {pid}: {len(pages)} traced pages compared ({mapped} mapped at exit), '
              f'{len(wrong)} differ')
        for first, last in runs(wrong)[:10]:
            print(f'  {first * PAGE:x}-{(last + 1) * PAGE:x}: host {host.get(first)}, '
                  f'kmm {kmm.get(first)}')
        checked += mapped > 0
        bad += len(wrong) > 0
    if not checked:
        print('no traced page was mapped at any exit: nothing was compared')
        return 1
    return 1 if bad else 0


sys.exit(main())
