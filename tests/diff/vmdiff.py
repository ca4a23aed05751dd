#!/usr/bin/env python3
"""vmdiff.py - kmm's process address spaces against the host kernel's.

Generates random, reproducible sequences of mmap, munmap, mprotect, mremap,
brk and one-byte writes inside a window of the address space, runs each
sequence in a fresh process on the host (host_vm, under setarch -R) and in
a fresh kmm process (scenario scripts run by `kmm run`), and compares, op
by op, the return values, the errno values and the VMAs of
/proc/self/maps within the region (and within the heap region, relative to
the initial brk).  kmm's VMAs are also held against the flags 2.6.34 gives
their pages (Flags2634, below), which the host cannot check.

Linux 2.6.34, which kmm re-implements, and the host's modern kernel differ
by design in a few places.  Those are listed below, each with its reason:
EXCLUDED are never generated; CLASSIFIED are recognised when they appear
(the first difference of a sequence is checked against them, each rule
requiring kmm's side to be what 2.6.34's code gives; a sequence stops
being compared at its first difference either way, because the two
address spaces no longer agree).  Any other difference is a mismatch: a
kmm bug, or a by-design difference to be understood and added here.

  vmdiff.py --kmm build/kmm --host build/tests/host_vm --seed 1 --count 2000
  vmdiff.py --host build/tests/host_vm --host-only --count 500
  vmdiff.py --kmm ... --host ... --seed 1 --show 17       # one sequence, side by side
  vmdiff.py --kmm ... --host ... --seed 1 --minimize 17   # its smallest failing form
  vmdiff.py --seed 1 --emit 17                            # its ops and its kmm script

KMM_STRESS=long (make stress) runs 50 times as many sequences; VMDIFF_SEED
and VMDIFF_COUNT override --seed and --count.  tests/diff/README.md has
the formats.  Python 3 standard library only.
"""

import argparse
import collections
import concurrent.futures
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile

PAGE = 4096
TASK_SIZE = 0x7FFFFFFFF000  # x86_64, 4-level paging: (1 << 47) - PAGE
WINDOW = 0x600000000000  # where the ops act: free on the host under setarch -R
WINDOW_PAGES = 16384  # 64 MiB
HOT_PAGES = 256  # most ops act in the first 1 MiB, so that they collide
REGION_LEN = 1 << 30  # compared: every op's reach from the window
HEAP_LEN = 256 << 20  # compared: [brk0, brk0 + HEAP_LEN)
BRK_MAX = 32 << 20
STACK_GUARD_GAP = 256 * PAGE  # the modern kernel's default stack_guard_gap
BOOT = "boot ram=256M cpus=1"

PROT_READ, PROT_WRITE, PROT_EXEC, PROT_SEM = 0x1, 0x2, 0x4, 0x8
PROT_GROWSDOWN, PROT_GROWSUP = 0x01000000, 0x02000000
MAP_SHARED, MAP_PRIVATE, MAP_TYPE = 0x01, 0x02, 0x0F
MAP_FIXED, MAP_ANONYMOUS = 0x10, 0x20
MAP_GROWSDOWN, MAP_NORESERVE = 0x0100, 0x4000
MAP_FIXED_NOREPLACE = 0x100000
MREMAP_MAYMOVE, MREMAP_FIXED = 1, 2

PROT_NAMES = [(PROT_READ, "PROT_READ"), (PROT_WRITE, "PROT_WRITE"), (PROT_EXEC, "PROT_EXEC"),
              (PROT_SEM, "PROT_SEM"), (PROT_GROWSDOWN, "PROT_GROWSDOWN"),
              (PROT_GROWSUP, "PROT_GROWSUP")]
MAP_NAMES = [(MAP_SHARED, "MAP_SHARED"), (MAP_PRIVATE, "MAP_PRIVATE"),
             (MAP_FIXED, "MAP_FIXED"), (MAP_ANONYMOUS, "MAP_ANONYMOUS"),
             (MAP_GROWSDOWN, "MAP_GROWSDOWN"), (MAP_NORESERVE, "MAP_NORESERVE"),
             (MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE")]
MREMAP_NAMES = [(MREMAP_MAYMOVE, "MREMAP_MAYMOVE"), (MREMAP_FIXED, "MREMAP_FIXED")]

ENOMEM, EACCES, EFAULT = 12, 13, 14
ERRNO_NAMES = {1: "EPERM", 9: "EBADF", 11: "EAGAIN", 12: "ENOMEM", 13: "EACCES", 14: "EFAULT",
               16: "EBUSY", 17: "EEXIST", 22: "EINVAL", 75: "EOVERFLOW", 95: "EOPNOTSUPP"}

# ---------------------------------------------------------------------------
# By-design differences between Linux 2.6.34 (kmm) and the host's kernel.
# README.md mirrors these lists for docs/glossary.md.

# Never generated: (name, reason).
EXCLUDED = [
    ("map-shared-validate",
     "MAP_SHARED|MAP_PRIVATE is MAP_SHARED_VALIDATE since 4.15 (a shared mapping); 2.6.34: EINVAL"),
    ("map-droppable",
     "mapping type 0x08 is MAP_DROPPABLE since 6.11; 2.6.34: EINVAL"),
    ("shared-growsdown",
     "MAP_SHARED|MAP_ANONYMOUS|MAP_GROWSDOWN: EINVAL since 4.x; 2.6.34 maps it"),
    ("map-stack",
     "MAP_STACK sets VM_NOHUGEPAGE since 6.7, which stops merges; 2.6.34 ignores the flag"),
    ("capabilities",
     "MAP_LOCKED, MAP_HUGETLB, MAP_POPULATE, MAP_32BIT and addresses below mmap_min_addr "
     "depend on the host's rlimits, capabilities (the test may run as root) or hugetlbfs"),
    ("mremap-old-len-0",
     "mremap with old_len 0 of a private mapping: EINVAL since 4.15; 2.6.34 duplicates it"),
    ("mremap-dontunmap",
     "MREMAP_DONTUNMAP (4) with MREMAP_MAYMOVE moves since 5.7; 2.6.34: EINVAL"),
    ("brk-below-start",
     "brk below the initial brk: CONFIG_COMPAT_BRK lets 2.6.34 go down to end_code, "
     "which depends on the program image"),
    ("hint-unaligned",
     "an unaligned mmap hint: x86's 2.6.34 rounds it up (PAGE_ALIGN), the host down "
     "(addr &= PAGE_MASK, since 4.14)"),
    ("overcommit",
     "sizes are kept within the window (64 MiB) or far beyond any RAM (>= 2^47): "
     "2.6.34's heuristic overcommit counts free pages of kmm's 256 MiB machine, "
     "the modern one only total RAM + swap of the host"),
]

Rule = collections.namedtuple("Rule", "name reason match")


def _vma_at(vmas, addr):
    for v in vmas:
        if v[0] == "W" and v[1] <= addr < v[2]:
            return v
    return None


def _page_align(n):
    return (n + PAGE - 1) & ~(PAGE - 1) & (2**64 - 1)


def _coalesce(vmas):
    """The VMAs with neighbours that differ only in being two VMAs joined."""
    out = []
    for v in vmas:
        if out:
            p = out[-1]
            if (p[0] == v[0] and p[2] == v[1] and p[3] == v[3] and p[5] == v[5]
                    and (p[5] == "" or p[4] + (p[2] - p[1]) == v[4])):
                out[-1] = (p[0], p[1], v[2], p[3], p[4], p[5])
                continue
        out.append(v)
    return out


def _shrink_unmapped(op, d):
    """2.6.34's do_mremap, old_len >= new_len and no MREMAP_FIXED: do_munmap of
    the tail, then "ret = addr" -- no VMA is looked up.  The host (vma_lookup
    first) fails with EFAULT and changes nothing."""
    if op.kind != "mremap" or op.args[3] & MREMAP_FIXED:
        return False
    addr, old, new = op.args[0], _page_align(op.args[1]), _page_align(op.args[2])
    return (new != 0 and new <= old and _vma_at(d.before, addr) is None
            and d.h.ret == -1 and d.h.err == EFAULT and d.h.vmas == d.before
            and d.k.ret == addr and d.k.vmas == _clip(d.before, addr + new, addr + old))


def _fixed_unmaps_first(op, d):
    """2.6.34's mremap_to unmaps [new_addr, +new_len) and, when old_len >=
    new_len, the old tail [addr + new_len, addr + old_len) before
    vma_to_resize looks at the source; the host checks the source first."""
    a = op.args
    if op.kind != "mremap" or a[3] != MREMAP_MAYMOVE | MREMAP_FIXED:
        return False
    if d.h.ret != -1 or d.k.ret != -1 or d.h.err != d.k.err or d.h.vmas != d.before:
        return False
    addr, old, new, dst = a[0], _page_align(a[1]), _page_align(a[2]), a[4]
    want = _clip(d.before, dst, dst + new)
    if old > new:
        want = _clip(want, addr + new, addr + old)
    return d.k.vmas == want != d.before


def _grow_merges_next(op, d):
    """2.6.34 grows in place with vma_adjust(vma, start, addr + new_len), which
    merges nothing when the end meets the next VMA's start; the host merges."""
    a = op.args
    if op.kind != "mremap" or a[3] & MREMAP_FIXED:
        return False
    addr, old, new = a[0], _page_align(a[1]), _page_align(a[2])
    end = addr + new
    return (new > old and d.h.ret == d.k.ret == addr and d.h.err == d.k.err
            and any(v[0] == "W" and v[1] == end for v in d.before)
            and any(v[0] == "W" and v[1] <= addr and v[2] == end for v in d.k.vmas)
            and _split(d.h.vmas, end) == d.k.vmas != d.h.vmas)


def _moves_multiple(op, d):
    """Since 6.17 the host's mremap MREMAP_MAYMOVE|MREMAP_FIXED of an unchanged
    size moves every VMA of the range (holes stay holes); 2.6.34's
    vma_to_resize wants the range inside one VMA (EFAULT) -- after mremap_to
    unmapped the destination."""
    a = op.args
    if op.kind != "mremap" or a[3] != MREMAP_MAYMOVE | MREMAP_FIXED:
        return False
    addr, old, new, dst = a[0], _page_align(a[1]), _page_align(a[2]), a[4]
    if old != new or d.h.ret != dst or (d.k.ret, d.k.err) != (-1, EFAULT):
        return False
    v = _vma_from(d.before, addr)
    if v is not None and v[1] <= addr and old <= v[2] - addr:
        return False  # inside one VMA: 2.6.34 moves it
    return d.k.vmas == _clip(d.before, dst, dst + new)


def _hint_in_guard_gap(op, d):
    """A hint both kernels find free: 2.6.34's arch_get_unmapped_area takes it
    (addr + len <= vma->vm_start); the host wants it below vm_start_gap of the
    VMA above, which for a VM_GROWSDOWN one (VmFlags gd) is stack_guard_gap
    lower, and maps elsewhere."""
    a = op.args
    if op.kind != "mmap" or a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE):
        return False
    addr = _page_align(a[0])
    end = addr + _page_align(a[1])
    if d.k.ret != addr or d.h.ret != "OUT" or d.h.vmas != d.before:
        return False
    above = _vma_from(d.before, addr)
    if above is None or above[1] < end or _clip(d.k.vmas, addr, end) != d.before:
        return False
    return "gd" in d.host_flags(above) and above[1] - STACK_GUARD_GAP < end


def _account_kept(op, d):
    """2.6.34's mprotect_fixup never takes VM_ACCOUNT off (it only adds it, when
    a private mapping becomes writable); the host's (modern) one drops it from
    an anonymous VMA without an anon_vma made read-only.  VMAs that differ in
    that flag alone stay apart on one side and merge on the other.  Each
    joint (two VMAs touching) that one side has and the other not must be
    where the op could merge, and be explained: 2.6.34 (Flags2634, derived
    from the ops) apart because VM_ACCOUNT differs where the host merged a
    VMA without it; or 2.6.34 mergeable where the host's VmFlags differ only
    in "ac"."""
    if d.h.ret != d.k.ret or d.h.err != d.k.err or _coalesce(d.h.vmas) != _coalesce(d.k.vmas):
        return False
    if [v for v in d.h.vmas if v[0] == "H"] != [v for v in d.k.vmas if v[0] == "H"]:
        return False  # the heap is not the window: no joint of it is explained here
    reach = _merge_reach(op, d.k.ret, d.before)
    hj, kj = _joints(d.h.vmas), _joints(d.k.vmas)
    if reach is None or not hj ^ kj:
        return False
    m = d.model()
    for b in hj ^ kj:
        below, above = m.rec_at(b - PAGE), m.rec_at(b)
        if not reach[0] <= b <= reach[1] or below is None or above is None:
            return False
        side = d.k.vmas if b in kj else d.h.vmas
        v1, v2 = _vma_to(side, b), _vma_from(side, b)
        if any(v[3][1] == "w" or v[3][3] != "p" for v in (v1, v2)):
            return False  # the host drops VM_ACCOUNT from private read-only VMAs only
        if b in kj:  # 2.6.34 apart, the host merged
            if None in (below.acct, above.acct) or below.acct == above.acct:
                return False
            if "ac" in d.host_flags(_vma_from(d.h.vmas, b)):
                return False
        else:  # the host apart, 2.6.34 merged: it must be able to, and try to
            f1, f2 = d.host_flags(v1), d.host_flags(v2)
            if (f1 ^ f2) - {"sd"} != {"ac"} or not below.mergeable(above):
                return False
            if op.kind == "mprotect" and all(_perms(d.before, p) == _perms(d.k.vmas, p)
                                             for p in (b - PAGE, b)):
                return False  # mprotect_fixup leaves both sides alone: no vma_merge at b
    return True


def _perms(vmas, addr):
    v = _vma_at(vmas, addr)
    return v[3] if v else None


# Recognised at a sequence's first difference: Rule(name, reason, match(op, d)), where d
# is a Diff: d.before the VMAs both showed before the op, d.h and d.k the two results,
# d.host_flags(vma) the host's VmFlags of one of its VMAs, d.model() 2.6.34's flags.
CLASSIFIED = [
    Rule("mremap-shrink-unmapped",
         "mremap to a smaller or equal size: 2.6.34 unmaps the tail without looking for a "
         "VMA at the address and returns it; since 4.x the host fails with EFAULT",
         _shrink_unmapped),
    Rule("mremap-fixed-unmaps-first",
         "mremap MREMAP_FIXED: 2.6.34 unmaps the destination, and for a shrink the old "
         "tail, before it checks the source, so a failed call leaves holes; the host "
         "checks the source first",
         _fixed_unmaps_first),
    Rule("mremap-grow-merges",
         "mremap growing in place up to a compatible VMA: merged with it since 5.19; "
         "2.6.34 leaves two VMAs",
         _grow_merges_next),
    Rule("mremap-moves-multiple",
         "mremap MREMAP_MAYMOVE|MREMAP_FIXED of an unchanged size over several VMAs or "
         "holes: moves them all since 6.17; 2.6.34 fails with EFAULT (after unmapping "
         "the destination)",
         _moves_multiple),
    Rule("hint-in-guard-gap",
         "an mmap hint ending within stack_guard_gap (256 pages, since 4.12) below a "
         "MAP_GROWSDOWN VMA is refused by the host; 2.6.34 has no gap (the generator "
         "avoids the hints its model can tell)",
         _hint_in_guard_gap),
    Rule("mprotect-keeps-account",
         "mprotect of a private mapping to read-only: 2.6.34 keeps VM_ACCOUNT, the host "
         "drops it when the VMA has no anon_vma, so neighbours that differ in it alone "
         "merge on one side and not on the other",
         _account_kept),
]

# ---------------------------------------------------------------------------
# What the rules need: VMA lists (("W" or "H", start, end, perms, offset, name),
# sorted) cut and joined, and a model of the flags of 2.6.34's VMAs that
# /proc/self/maps does not show.


def _vma_from(vmas, addr):
    """The first window VMA ending above ADDR (find_vma), or None."""
    for v in vmas:
        if v[0] == "W" and v[2] > addr:
            return v
    return None


def _vma_to(vmas, addr):
    """The window VMA ending at ADDR, or None."""
    for v in vmas:
        if v[0] == "W" and v[2] == addr:
            return v
    return None


def _joints(vmas):
    """The addresses where one window VMA ends and the next begins."""
    w = [v for v in vmas if v[0] == "W"]
    return {p[2] for p, v in zip(w, w[1:]) if p[2] == v[1]}


def _piece(v, start, end):
    """[start, end) of VMA v; a named (file) VMA's offset follows its start."""
    off = v[4] + (start - v[1]) if v[5] else v[4]
    return (v[0], start, end, v[3], off, v[5])


def _clip(vmas, start, end):
    """The VMAs with [start, end) of the window unmapped (do_munmap)."""
    out = []
    for v in vmas:
        if v[0] != "W" or v[2] <= start or v[1] >= end:
            out.append(v)
            continue
        if v[1] < start:
            out.append(_piece(v, v[1], start))
        if v[2] > end:
            out.append(_piece(v, end, v[2]))
    return tuple(out)


def _split(vmas, addr):
    """The VMAs with the window VMA across ADDR split there."""
    out = []
    for v in vmas:
        if v[0] == "W" and v[1] < addr < v[2]:
            out += [_piece(v, v[1], addr), _piece(v, addr, v[2])]
        else:
            out.append(v)
    return tuple(out)


def _merge_reach(op, ret, before):
    """[lo, hi]: the joints an op's vma_merge calls can make or refuse (the
    edges of the range it maps or changes), or None for an op that merges
    nothing here."""
    a = op.args
    if op.kind == "mmap" and isinstance(ret, int) and ret != -1:
        return ret, ret + _page_align(a[1])
    if op.kind == "mprotect":
        lo = a[0]
        if a[2] & PROT_GROWSDOWN:
            v = _vma_from(before, lo)
            lo = v[1] if v else lo
        return lo, (a[0] + _page_align(a[1])) & (2**64 - 1)
    if op.kind == "mremap" and isinstance(ret, int) and ret not in (-1, a[0]):
        return ret, ret + _page_align(a[2])  # moved: copy_vma merges at the new place
    return None


class Rec(collections.namedtuple("Rec", "acct nores grows anon pgoff")):
    """2.6.34's VM_ACCOUNT, VM_NORESERVE, VM_GROWSDOWN, whether the VMA has an
    anon_vma, and vm_pgoff (of the first page of a run), for a run of
    pages; None where the model cannot tell."""

    def mergeable(self, above):
        """Can vma_merge join a VMA ending with self to one starting with
        above (flags equal, at most one anon_vma, offsets in line)?  Both
        anon_vmas set may be one (a split) or two: the model cannot tell."""
        fields = (self.acct, self.nores, self.grows, above.acct, above.nores, above.grows)
        return (None not in fields and self.acct == above.acct and self.nores == above.nores
                and self.grows == above.grows and self.anon is not None
                and above.anon is not None and not (self.anon and above.anon)
                and self.pgoff is not None and above.pgoff == self.pgoff + 1)


UNKNOWN_REC = Rec(None, None, None, None, None)


def _shift(rec, delta):
    """rec for a run starting delta bytes further on."""
    if not delta or rec.pgoff is None:
        return rec
    return Rec(rec.acct, rec.nores, rec.grows, rec.anon, rec.pgoff + delta // PAGE)


class Flags2634:
    """The flags 2.6.34 gives the window's pages, replayed from the ops and
    their results (agreed by both sides up to the first difference), from
    2.6.34's code:

      mmap (do_mmap_pgoff, mmap_region): VM_NORESERVE for MAP_NORESERVE
        (overcommit is not "never"); VM_ACCOUNT for a private writable
        mapping without it (accountable_mapping); vm_pgoff addr >> 12 for a
        private one, 0 for a shared one (shmem);
      mprotect (sys_mprotect, mprotect_fixup): each VMA from the start up to
        the end or the first hole takes the new protection; a private one
        becoming writable gains VM_ACCOUNT unless it has it, VM_WRITE or
        VM_NORESERVE; nothing takes VM_ACCOUNT off;
      mremap: growing in place extends the VMA (its flags, vm_pgoff running
        on); a move (move_vma, copy_vma) keeps the flags (VM_ACCOUNT is
        only hidden during the unmap and restored), and vm_pgoff, except an
        anonymous VMA without anon_vma, which takes new_addr >> 12;
      a write fault gives a private VMA an anon_vma (anon_vma_prepare in
        do_anonymous_page, __do_fault, do_wp_page); VMAs that
        merge or take pages from a neighbour share it (vma_adjust), so after
        each op a VMA with one anywhere has it everywhere.
    Pages unmapped by an op are dropped, pages the model did not see mapped
    are unknown."""

    def __init__(self):
        self.segs = []  # sorted, disjoint [start, end, Rec]

    def copy(self):
        m = Flags2634()
        m.segs = [list(x) for x in self.segs]
        return m

    def joined(self, vmas):
        """The first window VMA over pages whose flags 2.6.34 has different, or
        whose vm_pgoff does not run on (vma_merge joins neither), described;
        None if there is none."""
        for v, runs in self._by_vma(vmas):
            for (s1, e1, r1), (s2, e2, r2) in zip(runs, runs[1:]):
                for field, name in (("acct", "VM_ACCOUNT"), ("nores", "VM_NORESERVE"),
                                    ("grows", "VM_GROWSDOWN")):
                    x, y = getattr(r1, field), getattr(r2, field)
                    if x is not None and y is not None and x != y:
                        return "%x-%x (%s differs at %x)" % (v[1], v[2], name, s2)
                if (r1.pgoff is not None and r2.pgoff is not None and e1 == s2
                        and r2.pgoff != r1.pgoff + (e1 - s1) // PAGE):
                    return "%x-%x (vm_pgoff jumps at %x)" % (v[1], v[2], s2)
        return None

    def _by_vma(self, vmas):
        """(window VMA, the runs meeting it) for each of the sorted vmas."""
        i, segs = 0, self.segs
        for v in vmas:
            if v[0] != "W":
                continue
            while i < len(segs) and segs[i][1] <= v[1]:
                i += 1
            j = i
            while j < len(segs) and segs[j][0] < v[2]:
                j += 1
            yield v, segs[i:j]

    def _cut(self, start, end):
        """Removes [start, end) and returns its runs [[s, e, Rec]]."""
        keep, taken = [], []
        for s, e, r in self.segs:
            if e <= start or s >= end:
                keep.append([s, e, r])
                continue
            for lo, hi, out in ((s, min(e, start), keep), (max(s, start), min(e, end), taken),
                                (max(s, end), e, keep)):
                if lo < hi:
                    out.append([lo, hi, _shift(r, lo - s)])
        self.segs = keep
        return taken

    def set(self, start, end, rec):
        self._cut(start, end)
        self.segs.append([start, end, rec])
        self.segs.sort()

    def rec_at(self, addr):
        """The Rec of the page at addr (its own vm_pgoff), or None."""
        for s, e, r in self.segs:
            if s <= addr < e:
                return _shift(r, addr - s)
        return None

    def change(self, start, end, fn):
        taken = self._cut(start, end)
        self.segs = sorted(self.segs + [[s, e, fn(r)] for s, e, r in taken])

    def keep_only(self, vmas):
        """Drops the pages of no window VMA; a VMA's pages it does not know are unknown."""
        old, self.segs, i = self.segs, [], 0
        for v in vmas:
            if v[0] != "W":
                continue
            pos = v[1]
            while i < len(old) and old[i][1] <= v[1]:
                i += 1
            j = i
            while j < len(old) and old[j][0] < v[2]:
                s, e, r = old[j]
                lo, hi = max(s, v[1]), min(e, v[2])
                if lo > pos:
                    self.segs.append([pos, lo, UNKNOWN_REC])
                self.segs.append([lo, hi, _shift(r, lo - s)])
                pos = hi
                j += 1
            if pos < v[2]:
                self.segs.append([pos, v[2], UNKNOWN_REC])

    def share_anon(self, parts):
        """A window VMA of parts with an anon_vma on any page has it on all."""
        spread = []
        for v, runs in self._by_vma(parts):
            anon = [r.anon for _, _, r in runs]
            if any(anon) and not all(anon):
                spread.append(v)
        for v in spread:
            self.change(v[1], v[2], lambda r: r._replace(anon=True))

    def apply(self, op, before, res, parts):
        """Op's effect, given the VMAs before it, its Result and the VMAs (parts)
        it left in the window."""
        a = op.args
        if op.kind == "mmap" and isinstance(res.ret, int) and res.ret != -1:
            private = a[3] & MAP_TYPE == MAP_PRIVATE
            nores = bool(a[3] & MAP_NORESERVE)
            self.set(res.ret, res.ret + _page_align(a[1]),
                     Rec(private and bool(a[2] & PROT_WRITE) and not nores, nores,
                         bool(a[3] & MAP_GROWSDOWN), False, res.ret // PAGE if private else 0))
        elif op.kind == "mprotect" and (res.ret == 0 or res.err in (ENOMEM, EACCES)):
            self.apply_mprotect(a[0], a[1], a[2], before, res)
        elif op.kind == "mremap" and isinstance(res.ret, int) and res.ret != -1:
            addr, old, new = a[0], _page_align(a[1]), _page_align(a[2])
            r, v = self.rec_at(addr), _vma_at(before, addr)
            if r is None or v is None:
                r = UNKNOWN_REC
            if res.ret != addr:  # moved (copy_vma)
                pg = r.pgoff
                if v is not None and v[3][3] == "p" and r.anon is not True:
                    pg = res.ret // PAGE if r.anon is False else None
                self.set(res.ret, res.ret + new, r._replace(pgoff=pg))
            elif new > old:  # grown in place
                pg = None if r.pgoff is None else r.pgoff + old // PAGE
                self.set(addr + old, addr + new, r._replace(pgoff=pg))
        self.keep_only(parts)
        v = _vma_at(parts, a[0]) if op.kind == "touch" and res.ret == 0 else None
        if v is not None and v[3][3] == "p":  # a shared VMA's pages are shmem's
            self.change(a[0] & ~(PAGE - 1), (a[0] & ~(PAGE - 1)) + PAGE,
                        lambda r: r._replace(anon=True))
        self.share_anon(parts)

    def apply_mprotect(self, start, length, prot, before, res):
        end = (start + _page_align(length)) & (2**64 - 1)
        if start % PAGE or end <= start:
            return
        v = _vma_from(before, start)
        if v is None:
            return
        if prot & PROT_GROWSDOWN:
            start = v[1]
        elif v[1] > start:
            return
        if res.err == EACCES:  # stopped at a VMA that refused: the model cannot say where
            self.change(start, end, lambda r: r._replace(acct=None))
            return
        pos = start
        for v in before:
            if v[0] != "W" or v[2] <= pos:
                continue
            if v[1] > pos or pos >= end:
                break  # a hole: -ENOMEM, the VMAs before it changed
            if prot & PROT_WRITE and v[3][1] != "w" and v[3][3] == "p":
                self.change(pos, min(v[2], end), _gain_account)
            pos = min(v[2], end)


def _gain_account(r):
    """mprotect_fixup making a private VMA writable: VM_ACCOUNT unless it has
    it or VM_NORESERVE."""
    if r.acct or r.nores:
        return r
    if r.acct is None or r.nores is None:
        return r._replace(acct=None)
    return r._replace(acct=True)


class Diff:
    """A sequence's first difference, as the rules see it: the op, d.before
    (the VMAs both showed before it), d.h and d.k (the two Results)."""

    def __init__(self, op, hraw, results, before, model):
        self.op = op
        self.h, self.k = results
        self.before = before
        self._hraw = hraw
        self._before_model = model
        self._model = None

    def host_flags(self, vma):
        """The host's VmFlags of its window VMA vma after the op, as a set."""
        for v in self._hraw[2]:
            if v[0] == vma[1] and v[1] == vma[2]:
                return set(v[5]) if len(v) > 5 else set()
        return set()

    def model(self):
        """Flags2634 after the op, with kmm's result, its VMAs cut at the host's
        joints as well (anon_vmas are shared only where both sides joined)."""
        if self._model is None:
            m = self._before_model.copy()
            parts = self.k.vmas
            for b in _joints(self.h.vmas):
                parts = _split(parts, b)
            m.apply(self.op, self.before, self.k, parts)
            self._model = m
        return self._model

# ---------------------------------------------------------------------------
# Operations and their two spellings.

Op = collections.namedtuple("Op", "kind args")  # kind: mmap munmap mprotect mremap brk brkq touch touchbrk


def fmt_bits(value, names):
    """PROT_READ|PROT_WRITE; 0 as 0; bits without a name as one hex number."""
    parts = []
    rest = value
    for bit, name in names:
        if rest & bit:
            parts.append(name)
            rest &= ~bit
    if rest:
        parts.append(hex(rest))
    return "|".join(parts) if parts else "0"


def fmt_num(v):
    if v < 0:
        return str(v)
    return hex(v) if v >= 0x10000 else str(v)


def op_text(op):
    """The host_vm line of an op."""
    a = op.args
    if op.kind == "brkq":
        return "brk query"
    if op.kind == "mmap":
        return "mmap %s %s %s %s %d %s" % (hex(a[0]), fmt_num(a[1]), hex(a[2]), hex(a[3]), a[4],
                                           fmt_num(a[5]))
    return " ".join([op.kind] + [fmt_num(x) if i else hex(x) for i, x in enumerate(a)]
                    if op.kind not in ("brk", "touchbrk") else [op.kind, str(a[0])])


def op_pretty(op):
    """An op as a person reads it (also the kmm spelling of its call)."""
    a = op.args
    if op.kind == "mmap":
        return "mmap %s %s %s %s %d %s" % (hex(a[0]), fmt_num(a[1]), fmt_bits(a[2], PROT_NAMES),
                                           fmt_bits(a[3], MAP_NAMES), a[4], fmt_num(a[5]))
    if op.kind == "munmap":
        return "munmap %s %s" % (hex(a[0]), fmt_num(a[1]))
    if op.kind == "mprotect":
        return "mprotect %s %s %s" % (hex(a[0]), fmt_num(a[1]), fmt_bits(a[2], PROT_NAMES))
    if op.kind == "mremap":
        s = "mremap %s %s %s %s" % (hex(a[0]), fmt_num(a[1]), fmt_num(a[2]),
                                    fmt_bits(a[3], MREMAP_NAMES))
        return s + (" %s" % hex(a[4]) if len(a) > 4 else "")
    if op.kind == "brk":
        return "brk brk0%+d" % a[0]
    if op.kind == "brkq":
        return "brk 0"
    if op.kind == "touch":
        return "store %s 1 size=1" % hex(a[0])
    return "store brk0%+d 1 size=1" % a[0]


def kmm_lines(n, op):
    """The script lines of op N: the call, its result, the maps."""
    a = op.args
    if op.kind in ("brk", "touchbrk"):
        lines = ["x = value $b0.ret + %d" % a[0]]
        if op.kind == "brk":
            lines += ["r = brk $x.value", "echo @op %d $r.ret $r.errno" % n]
        else:
            lines += ["store $x.value 1 size=1", "echo @op %d 0 0" % n]
    elif op.kind == "touch":
        lines = ["store %s 1 size=1" % hex(a[0]), "echo @op %d 0 0" % n]
    else:
        lines = ["r = " + op_pretty(op), "echo @op %d $r.ret $r.errno" % n]
    return lines + ["cat /proc/self/maps"]


def kmm_script(seqs):
    """One script for a batch of (index, ops): a process per sequence."""
    out = ["# vmdiff.py: %d sequences" % len(seqs), BOOT]
    for index, ops in seqs:
        out += ["", "# sequence %d" % index, "p = spawn seq%d" % index, "echo @seq %d" % index,
                "b0 = brk 0", "echo @brk0 $b0.ret", "echo @op 0 0 0", "cat /proc/self/maps"]
        for n, op in enumerate(ops, 1):
            out += kmm_lines(n, op)
        out += ["exit", "echo @end %d" % index]
    return "\n".join(out) + "\n"


def host_input(seqs):
    out = []
    for index, ops in seqs:
        out.append("seq %d" % index)
        out += [op_text(op) for op in ops]
        out.append("end")
    return "\n".join(out) + "\n"

# ---------------------------------------------------------------------------
# The generator's model of the window: what each page is, as far as the
# ops so far decide it without knowing where VMAs begin and end.  A page is
# unmapped (absent), mapped (a State) or UNKNOWN (an mremap touched it, or a
# hint may or may not have been taken).  The model picks interesting
# addresses, keeps one-byte writes on pages that are surely writable, and
# steers clear of the by-design differences that depend on the state.

State = collections.namedtuple("State", "shared prot grows origin")
UNKNOWN = "?"


class Model:
    def __init__(self):
        self.segs = []  # sorted, disjoint [start, end, state]; unmapped pages have none
        self.brk = 0  # the brk, relative to brk0, as the ops so far set it
        self.origins = 0

    def set(self, start, end, state):
        out = []
        for s, e, st in self.segs:
            if e <= start or s >= end:
                out.append([s, e, st])
                continue
            if s < start:
                out.append([s, start, st])
            if e > end:
                out.append([end, e, st])
        if state is not None:
            out.append([start, end, state])
        out.sort()
        self.segs = out

    def parts(self, start, end):
        """[(s, e, state or None)] covering [start, end) in order."""
        res, pos = [], start
        for s, e, st in self.segs:
            if e <= start or s >= end:
                continue
            if s > pos:
                res.append((pos, s, None))
            res.append((max(s, start), min(e, end), st))
            pos = min(e, end)
        if pos < end:
            res.append((pos, end, None))
        return res

    def free(self, start, end):
        return all(st is None for _, _, st in self.parts(start, end))

    def mark_unknown(self, start, end, only_mapped=False):
        for s, e, st in self.parts(start, end):
            if st is not None or not only_mapped:
                self.set(s, e, UNKNOWN)

    def new_origin(self):
        self.origins += 1
        return self.origins

    def apply(self, op):
        a = op.args
        if op.kind == "mmap":
            self.apply_mmap(*a)
        elif op.kind == "munmap":
            if valid_munmap(a[0], a[1]):
                self.set(a[0], a[0] + _page_align(a[1]), None)
        elif op.kind == "mprotect":
            self.apply_mprotect(*a)
        elif op.kind == "mremap":
            self.apply_mremap(*a)
        elif op.kind == "brk":
            if 0 <= a[0] <= BRK_MAX:
                self.brk = a[0]

    def apply_mmap(self, addr, length, prot, flags, fd, off):
        alen = _page_align(length)
        if (length == 0 or alen == 0 or alen > TASK_SIZE or off % PAGE
                or flags & MAP_TYPE not in (MAP_SHARED, MAP_PRIVATE)
                or not flags & MAP_ANONYMOUS):
            return
        fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)
        if fixed and (addr % PAGE or addr > TASK_SIZE - alen):
            return
        if not fixed:
            addr = _page_align(addr)
            if addr > TASK_SIZE - alen:
                return
        end = addr + alen
        state = State(flags & MAP_TYPE == MAP_SHARED, prot & 7, bool(flags & MAP_GROWSDOWN),
                      self.new_origin())
        if flags & MAP_FIXED:
            self.set(addr, end, state)
            return
        parts = self.parts(addr, end)
        if all(st is None for _, _, st in parts):
            self.set(addr, end, state)
        elif not any(st is not None and st != UNKNOWN for _, _, st in parts):
            self.mark_unknown(addr, end)  # taken or not, as the unknown pages are

    def apply_mprotect(self, addr, length, prot):
        grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP)
        if (addr % PAGE or grows == PROT_GROWSDOWN | PROT_GROWSUP or length == 0
                or prot & ~(0xF | PROT_GROWSDOWN | PROT_GROWSUP)):
            return
        end = (addr + _page_align(length)) & (2**64 - 1)
        if end <= addr:
            return  # ENOMEM
        if grows:  # reaches down to the start of a VMA the model cannot see
            self.mark_unknown(max(WINDOW, addr - WINDOW_PAGES * PAGE), end, only_mapped=True)
            return
        for s, e, st in self.parts(addr, end):
            if st is None:
                return  # the first hole stops it: ENOMEM, the pages before keep their change
            if st == UNKNOWN:
                self.mark_unknown(s, end, only_mapped=True)
                return
            self.set(s, e, st._replace(prot=prot & 7))

    def apply_mremap(self, addr, old, new, flags, new_addr=0):
        old, new = _page_align(old), _page_align(new)
        if flags & ~3 or addr % PAGE or new == 0:
            return
        if flags & MREMAP_FIXED:
            if (not flags & MREMAP_MAYMOVE or new_addr % PAGE or new > TASK_SIZE
                    or new_addr > TASK_SIZE - new
                    or (new_addr <= addr < new_addr + new) or (addr <= new_addr < addr + old)):
                return
            self.mark_unknown(new_addr, new_addr + new)
            self.mark_unknown(addr, addr + max(old, new), only_mapped=True)
            return
        if new <= old and self.parts(addr, addr + PAGE)[0][2] not in (None, UNKNOWN):
            self.set(addr + new, addr + old, None)  # a shrink: the tail is unmapped
            return
        if addr + max(old, new) <= TASK_SIZE:
            self.mark_unknown(addr, addr + max(old, new))

    def writable_pages(self):
        return [(s, e) for s, e, st in self.segs if st != UNKNOWN and st.prot & PROT_WRITE]

    def guard_gap_near(self, end):
        """True if a page the model cannot rule out as MAP_GROWSDOWN is just above END."""
        return any(st == UNKNOWN or st.grows for _, _, st in self.parts(end, end + STACK_GUARD_GAP)
                   if st is not None)


def valid_munmap(addr, length):
    return (addr % PAGE == 0 and addr <= TASK_SIZE and length <= TASK_SIZE - addr
            and _page_align(length) != 0)

# ---------------------------------------------------------------------------
# The generator.


class Gen:
    def __init__(self, rng, model):
        self.r = rng
        self.m = model

    def chance(self, p):
        return self.r.random() < p

    def pages(self):
        x = self.r.random()
        if x < 0.5:
            return self.r.randint(1, 4)
        if x < 0.8:
            return self.r.randint(5, 32)
        if x < 0.95:
            return self.r.randint(33, 512)
        return self.r.randint(513, WINDOW_PAGES)

    def length(self):
        n = self.pages() * PAGE
        if self.chance(0.1):
            n -= self.r.randint(1, PAGE - 1)  # not a multiple of the page: rounded up
        return n

    def addr(self):
        r = self.r
        if self.m.segs and self.chance(0.45):
            s, e, _ = r.choice(self.m.segs)
            base = r.choice([s, e, s, r.randrange(s, e, PAGE)])
            a = base + r.choice([0, 0, 0, -1, 1, -2, 2]) * PAGE
            if WINDOW <= a < WINDOW + WINDOW_PAGES * PAGE:
                return a
        span = HOT_PAGES if self.chance(0.75) else WINDOW_PAGES
        return WINDOW + r.randrange(span) * PAGE

    def prot(self):
        return self.r.choice([PROT_READ | PROT_WRITE] * 4 + [PROT_READ] * 3 + [0] * 2 +
                             [PROT_WRITE, PROT_EXEC, PROT_READ | PROT_EXEC,
                              PROT_READ | PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC])

    def mapped_range(self):
        """(addr, len) inside one run of surely mapped pages of one origin and protection."""
        segs = [(s, e, st) for s, e, st in self.m.segs if st != UNKNOWN]
        if not segs:
            return None
        s, e, st = self.r.choice(segs)
        for s2, e2, st2 in self.m.segs:  # widen to neighbours of the same mapping
            if s2 == e and st2 == st:
                e = e2
        a = self.r.randrange(s, e, PAGE)
        n = self.r.randint(1, (e - a) // PAGE)
        return a, n * PAGE

    def op(self):
        x = self.r.random()
        for weight, make in ((0.24, self.mmap_fixed), (0.05, self.mmap_hint),
                             (0.04, self.mmap_noreplace), (0.13, self.munmap),
                             (0.18, self.mprotect), (0.16, self.mremap), (0.05, self.brk),
                             (0.11, self.touch)):
            if x < weight:
                return make()
            x -= weight
        return self.mmap_invalid()

    def map_flags(self):
        shared = self.chance(0.2)
        flags = (MAP_SHARED if shared else MAP_PRIVATE) | MAP_ANONYMOUS
        if self.chance(0.1):
            flags |= MAP_NORESERVE
        if not shared and self.chance(0.06):
            flags |= MAP_GROWSDOWN
        return flags

    def mmap_fixed(self):
        return Op("mmap", [self.addr(), self.length(), self.prot(), self.map_flags() | MAP_FIXED,
                           -1, 0 if self.chance(0.9) else PAGE * self.r.randint(1, 16)])

    def mmap_hint(self):
        a, n = self.addr(), self.length()  # an aligned hint: excluded, hint-unaligned
        end = _page_align(a) + _page_align(n)
        if self.m.free(_page_align(a), end) and self.m.guard_gap_near(end):
            return None  # avoided: hint-in-guard-gap (recognised where the model cannot tell)
        return Op("mmap", [a, n, self.prot(), self.map_flags(), -1, 0])

    def mmap_noreplace(self):
        return Op("mmap", [self.addr(), self.length(), self.prot(),
                           self.map_flags() | MAP_FIXED_NOREPLACE, -1, 0])

    def mmap_invalid(self):
        r = self.r
        a, n, p, f = self.addr(), self.length(), self.prot(), self.map_flags() | MAP_FIXED
        off = 0
        case = r.randrange(11)
        if case == 0:
            n = 0  # EINVAL
        elif case == 1:
            n = 2**64 - r.randint(1, PAGE - 1)  # rounds up to 0: ENOMEM
        elif case == 2:
            n = 1 << 47  # more than TASK_SIZE: ENOMEM
        elif case == 3:
            a += r.randint(1, PAGE - 1)  # MAP_FIXED, unaligned: EINVAL
        elif case == 4:
            a, n = TASK_SIZE, PAGE * r.randint(1, 4)  # beyond TASK_SIZE: ENOMEM
        elif case == 5:
            a = TASK_SIZE - PAGE * r.randint(0, 2)
            n = PAGE * 4  # crosses TASK_SIZE: ENOMEM
        elif case == 6:
            f &= ~MAP_TYPE  # neither shared nor private: EINVAL
            f |= r.choice([0, 4])
        elif case == 7:
            f &= ~MAP_ANONYMOUS  # a file mapping of fd -1: EBADF
        elif case == 8:
            off = r.randint(1, PAGE - 1)  # EINVAL
        elif case == 9:
            off = 2**64 - PAGE * r.randint(1, 4)  # ignored by an anonymous mapping
        else:
            f &= ~MAP_FIXED  # a hint beyond TASK_SIZE: mapped elsewhere
            a = r.choice([TASK_SIZE, 1 << 47, 1 << 56, 2**64 - PAGE])
        return Op("mmap", [a, n, p, f, -1, off])

    def munmap(self):
        r = self.r
        if r.random() < 0.12:
            case = r.randrange(4)
            a, n = self.addr(), self.length()
            if case == 0:
                a += r.randint(1, PAGE - 1)
            elif case == 1:
                n = 0
            elif case == 2:
                a = r.choice([TASK_SIZE + PAGE, 1 << 48, 2**64 - PAGE])
            else:
                n = r.choice([1 << 47, 2**64 - PAGE, 2**64 - 1])
            return Op("munmap", [a, n])
        rng = self.mapped_range() if self.chance(0.5) else None
        if rng:
            return Op("munmap", list(rng))
        return Op("munmap", [self.addr(), self.length()])

    def mprotect(self):
        r = self.r
        rng = self.mapped_range() if self.chance(0.5) else None
        a, n = rng if rng else (self.addr(), self.length())
        p = self.prot()
        if r.random() < 0.12:
            case = r.randrange(7)
            if case == 0:
                a += r.randint(1, PAGE - 1)  # EINVAL
            elif case == 1:
                n = 0  # 0, nothing done
            elif case == 2:
                n = r.choice([2**64 - 1, 2**64 - PAGE])  # end wraps: ENOMEM
            elif case == 3:
                p |= r.choice([0x10, 0x100, 0x80000000])  # EINVAL
            elif case == 4:
                p |= PROT_GROWSDOWN | PROT_GROWSUP  # EINVAL
            elif case == 5:
                p |= PROT_SEM  # allowed on x86
            else:
                p |= PROT_GROWSDOWN  # EINVAL unless the VMA grows down
        return Op("mprotect", [a, n, p])

    def mremap(self):
        r = self.r
        rng = self.mapped_range()
        if rng is None or self.chance(0.1):
            rng = (self.addr(), self.pages() * PAGE)
        a, old = rng
        kind = r.random()
        if kind < 0.25:
            new = r.randint(1, old // PAGE) * PAGE  # shrink (or same size)
            if self.m.parts(a, a + PAGE)[0][2] in (None, UNKNOWN):
                return None  # excluded from generation: mremap-shrink-unmapped
            flags = r.choice([0, 0, MREMAP_MAYMOVE])
            op = Op("mremap", [a, old, new, flags])
        elif kind < 0.75:
            new = old + self.pages() * PAGE  # grow: in place or moved out of the window
            op = Op("mremap", [a, old, new, r.choice([0, MREMAP_MAYMOVE])])
        else:
            new = r.choice([old, old // PAGE // 2 * PAGE or PAGE, old + self.pages() * PAGE])
            dst = self.addr()
            if dst < a + old and a < dst + new:
                dst = a + old + r.randint(0, 8) * PAGE  # not overlapping
            op = Op("mremap", [a, old, new, MREMAP_MAYMOVE | MREMAP_FIXED, dst])
        if r.random() < 0.1:
            op = self.mremap_invalid(op)
        if self.chance(0.08):
            op.args[1] -= r.randint(1, PAGE - 1)  # rounded up
        return op

    def mremap_invalid(self, op):
        r = self.r
        a = list(op.args)
        case = r.randrange(8)
        if case == 0:
            a[0] += r.randint(1, PAGE - 1)  # EINVAL
        elif case == 1:
            a[2] = 0  # EINVAL
        elif case == 2:
            a[3] = r.choice([4, 8, 0x80000000, 4 | 8])  # EINVAL (no MAYMOVE with DONTUNMAP)
        elif case == 3:
            a[3] = MREMAP_FIXED  # EINVAL without MAYMOVE
            a[4:] = [self.addr()]
        elif case == 4:
            a[3] = MREMAP_MAYMOVE | MREMAP_FIXED
            a[4:] = [self.addr() + r.randint(1, PAGE - 1)]  # EINVAL
        elif case == 5:
            a[3] = MREMAP_MAYMOVE | MREMAP_FIXED
            a[4:] = [a[0]]  # overlaps the source: EINVAL
        elif case == 6:
            a[3] = MREMAP_MAYMOVE | MREMAP_FIXED
            a[4:] = [r.choice([TASK_SIZE, 1 << 47, 2**64 - PAGE])]  # beyond TASK_SIZE: EINVAL
        else:
            a[2] = 2**64 - r.randint(1, PAGE - 1)  # rounds up to 0: EINVAL
        if a[3] & MREMAP_FIXED and len(a) < 5:
            a.append(self.addr())
        if not a[3] & MREMAP_FIXED:
            del a[4:]
        if a[1] == 0 or (a[3] & ~3 and a[3] & MREMAP_MAYMOVE and a[3] & 4):
            a[1] = PAGE  # excluded: mremap-old-len-0, mremap-dontunmap
        return Op("mremap", a)

    def brk(self):
        r = self.r
        x = r.random()
        if x < 0.15:
            return Op("brkq", [])
        if x < 0.25:
            return Op("brk", [r.choice([1 << 47, 1 << 46, TASK_SIZE])])  # fails: the old brk
        if x < 0.55:
            return Op("brk", [r.randrange(0, BRK_MAX // 4)])  # not page-aligned
        return Op("brk", [r.randrange(0, BRK_MAX // 4, PAGE) * r.choice([1, 1, 4])])

    def touch(self):
        r = self.r
        heap = _page_align(self.m.brk)
        pages = self.m.writable_pages()
        if heap and (not pages or self.chance(0.15)):
            return Op("touchbrk", [r.randrange(0, heap)])
        if not pages:
            return None
        s, e = r.choice(pages)
        return Op("touch", [r.randrange(s, e)])


ONLY = None  # --only: the calls to generate (mmap munmap mprotect mremap brk touch), or all


def gen_sequence(seed, index, nops):
    rng = random.Random("vmdiff:%d:%d" % (seed, index))
    model = Model()
    gen = Gen(rng, model)
    ops = []
    while len(ops) < nops:
        op = gen.op()
        if op is None or (ONLY and op.kind.replace("brkq", "brk").replace("touchbrk", "touch")
                          not in ONLY):
            continue
        check_reach(op)
        ops.append(op)
        model.apply(op)
    return ops


def check_reach(op):
    """Stops the generator before it writes an op that could change the host's
    process outside the region (its stack, its code): host_vm runs what it is given."""
    a = op.args
    lo, hi = WINDOW, WINDOW + REGION_LEN
    ranges = []
    if op.kind == "mmap" and a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE) and a[1]:
        if a[0] % PAGE == 0 and a[0] + _page_align(a[1]) <= TASK_SIZE and _page_align(a[1]):
            ranges.append((a[0], _page_align(a[1])))
    elif op.kind in ("munmap", "mprotect") and valid_munmap(a[0], a[1]):
        ranges.append((a[0], _page_align(a[1])))
    elif op.kind == "mremap" and a[0] % PAGE == 0:
        old, new = _page_align(a[1]), _page_align(a[2])
        if old + a[0] <= TASK_SIZE:
            ranges.append((a[0], old))
        if len(a) > 4 and a[4] % PAGE == 0 and new and a[4] <= TASK_SIZE - new:
            ranges.append((a[4], new))
    for start, length in ranges:
        if not (lo <= start and start + length <= hi):
            raise AssertionError("vmdiff: %s reaches outside the region" % op_pretty(op))

# ---------------------------------------------------------------------------
# Running the two sides and reading what they print.

Result = collections.namedtuple("Result", "ret err vmas")
KILLED = re.compile(r"^process \d+ killed by (SIG[A-Z]+)")
MAPS_LINE = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) \S+ \d+ ?\s*(.*)$")


def to_signed(v):
    v &= 2**64 - 1
    return v - 2**64 if v >= 2**63 else v


def parse_int(s):
    return to_signed(int(s, 0))


def parse_err(s):
    return s if s.startswith("SIG") else int(s, 0)


class SeqOut:
    """What one side printed for one sequence."""

    def __init__(self):
        self.brk0 = None
        self.ops = []  # [[ret, err, [(start, end, perms, off, name)]]]
        self.done = False
        self.error = None


def parse_host(text):
    seqs, cur = {}, None
    for line in text.splitlines():
        w = line.split(" ", 5)
        if w[0] == "seq":
            cur = seqs.setdefault(int(w[1]), SeqOut())
        elif w[0] == "brk0":
            cur.brk0 = int(w[1], 0)
        elif w[0] == "op":
            cur.ops.append([parse_int(w[2]), parse_err(w[3]), []])
        elif w[0] == "vma":
            cur.ops[-1][2].append((int(w[1], 0), int(w[2], 0), w[3], int(w[4], 0),
                                   w[5].strip() if len(w) > 5 else ""))
        elif w[0] == "flags":  # the VmFlags of the VMA above: only the rules read them
            cur.ops[-1][2][-1] += (frozenset(line.split()[1:]),)
        elif w[0] == "end":
            cur.done = True
        elif w[0] in ("crash", "busy"):
            s = seqs.setdefault(int(w[1]), SeqOut())
            s.error = "host: " + line
    return seqs


def parse_kmm(text):
    """A write that kills the process prints "process N killed by SIGSEGV (...)"
    before its @op line: that op's result is then -1 SIGSEGV."""
    seqs, cur, killed = {}, None, None
    for line in text.splitlines():
        m = KILLED.match(line)
        if m:
            killed = m.group(1)
            continue
        if line.startswith("@"):
            w = line[1:].split()
            if w[0] == "seq":
                cur = seqs.setdefault(int(w[1]), SeqOut())
            elif cur is None:
                continue
            elif w[0] == "brk0":
                cur.brk0 = parse_int(w[1])
            elif w[0] == "op" and len(w) == 4:
                if killed:
                    cur.ops.append([-1, killed, []])
                else:
                    cur.ops.append([parse_int(w[2]), parse_err(w[3]), []])
                killed = None
            elif w[0] == "op":
                cur.error = "kmm printed %r" % line
            elif w[0] == "end":
                cur.done = True
                cur = None
                killed = None
            continue
        m = MAPS_LINE.match(line)
        if m and cur is not None and cur.ops:
            cur.ops[-1][2].append((int(m.group(1), 16), int(m.group(2), 16), m.group(3),
                                   int(m.group(4), 16), m.group(5).strip()))
    return seqs


def normalise(op, raw, brk0):
    """A Result both sides can be compared on."""
    ret, err, vmas = raw
    if op is None:
        pass
    elif op.kind in ("brk", "brkq"):
        ret -= brk0
        err = 0
    elif op.kind in ("mmap", "mremap") and ret != -1:
        ret = ret if WINDOW <= ret < WINDOW + REGION_LEN else "OUT"
    if ret != -1:
        err = 0
    out = []
    for s, e, perms, off, name in (v[:5] for v in vmas):
        if s < WINDOW + REGION_LEN and e > WINDOW:
            out.append(("W", s, e, perms, off, name))
        elif brk0 is not None and s < brk0 + HEAP_LEN and e > brk0:
            out.append(("H", s - brk0, e - brk0, perms, off, name))
    return Result(ret, err, tuple(out))


def run_host(host, seqs, setarch):
    cmd = setarch + [host, "--region", hex(WINDOW), hex(REGION_LEN), "--heap", hex(HEAP_LEN)]
    p = subprocess.run(cmd, input=host_input(seqs), capture_output=True, text=True)
    out = parse_host(p.stdout)
    for index, _ in seqs:
        s = out.setdefault(index, SeqOut())
        if not s.done and not s.error:
            s.error = "host: no output (status %d) %s" % (p.returncode, p.stderr.strip()[-300:])
    return out


def run_kmm(kmm, seqs, workdir):
    """Runs a batch; a script that stops early costs its sequence, and the rest run again."""
    results = {}
    while seqs:
        fd, path = tempfile.mkstemp(suffix=".kmm", dir=workdir)
        with os.fdopen(fd, "w") as f:
            f.write(kmm_script(seqs))
        try:
            p = subprocess.run([kmm, "run", path], capture_output=True, text=True, timeout=1800)
            stdout, stderr, status = p.stdout, p.stderr, p.returncode
        except subprocess.TimeoutExpired as e:
            stdout = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            stderr, status = "timed out", -1
        os.unlink(path)
        out = parse_kmm(stdout)
        why = (stderr.strip() or stdout.strip()).splitlines()[-3:]
        why = "kmm: status %d: %s" % (status, " | ".join(why).replace(path, "SCRIPT"))
        rest = []
        for i, (index, ops) in enumerate(seqs):
            s = out.get(index)
            if s is not None and s.done:
                results[index] = s
                continue
            s = s or SeqOut()
            s.error = s.error or why
            results[index] = s
            started = index in out
            rest = seqs[i + 1:]
            if not started:  # the script never reached it: nothing will run
                for j, _ in rest:
                    results[j] = SeqOut()
                    results[j].error = why
                rest = []
            break
        seqs = rest
    return results


def compare(ops, h, k):
    """(verdict, op number, detail): verdict is equal, mismatch, error or a Rule's name.
    Where the two sides agree, kmm's VMAs are also held against the flags 2.6.34
    gives their pages (Flags2634), which the host cannot check: kmm and the
    host may agree where both differ from 2.6.34 (one VMA over pages that
    2.6.34 keeps apart for their VM_ACCOUNT, say)."""
    if h.error:
        return "error", None, h.error
    if len(h.ops) != len(ops) + 1:
        return "error", None, "host printed %d results for %d ops" % (len(h.ops) - 1, len(ops))
    before = ()
    model = Flags2634()
    for n in range(len(ops) + 1):
        op = ops[n - 1] if n else None
        if n >= len(k.ops):
            return "error", n, k.error or "kmm printed no result for op %d" % n
        hr = normalise(op, h.ops[n], h.brk0)
        kr = normalise(op, k.ops[n], k.brk0)
        if hr == kr and op is not None and op.kind.startswith("touch") and hr.ret == -1:
            return "killed", n, None  # both faulted: kmm's process is dead, the host's is not
        if hr != kr:
            d = Diff(op, h.ops[n], (hr, kr), before, model) if op is not None else None
            for rule in CLASSIFIED:
                if d is not None and rule.match(op, d):
                    return rule.name, n, None
            return "mismatch", n, None
        if op is not None:
            model.apply(op, before, kr, kr.vmas)
            joined = model.joined(kr.vmas)
            if joined:
                return "mismatch", n, "2.6.34 would not join " + joined
        before = hr.vmas
    if k.error:
        return "error", None, k.error
    return "equal", None, None

# ---------------------------------------------------------------------------
# Output for people.


def fmt_result(res):
    if res is None:
        return ["(nothing)"]
    if res.ret == -1:
        err = res.err if isinstance(res.err, str) else ERRNO_NAMES.get(res.err, str(res.err))
        head = "-1 " + err
    else:
        head = hex(res.ret) if isinstance(res.ret, int) and res.ret > 0xFFFF else str(res.ret)
    lines = [head]
    for v in res.vmas:
        base = "" if v[0] == "W" else "brk0+"
        lines.append(("  %s%x-%s%x %s %x %s" % (base, v[1], base, v[2], v[3], v[4], v[5])).rstrip())
    return lines


def show(index, ops, h, k, out=sys.stdout):
    verdict, at, detail = compare(ops, h, k)
    print("sequence %d: %s%s%s" % (index, verdict, " at op %d" % at if at is not None else "",
                                    ": " + detail if detail else ""), file=out)
    for n in range(len(ops) + 1):
        op = ops[n - 1] if n else None
        print("%s%3d %s" % ("*" if n == at else " ", n, op_pretty(op) if op else "(start)"),
              file=out)
        hr = normalise(op, h.ops[n], h.brk0) if n < len(h.ops) else None
        kr = normalise(op, k.ops[n], k.brk0) if n < len(k.ops) else None
        hl, kl = fmt_result(hr), fmt_result(kr)
        for i in range(max(len(hl), len(kl))):
            a = hl[i] if i < len(hl) else ""
            b = kl[i] if i < len(kl) else ""
            print("      %-52s %s %s" % (a, "|" if a == b else "#", b), file=out)


def find_setarch():
    if shutil.which("setarch"):
        cmd = ["setarch", os.uname().machine, "-R"]
        if subprocess.run(cmd + ["true"], capture_output=True).returncode == 0:
            return cmd
    return []  # host_vm checks that the window is free and says so


def run_all(args, indices, host_only):
    seqs = [(i, gen_sequence(args.seed, i, args.ops)) for i in indices]
    batches = [seqs[i:i + args.batch] for i in range(0, len(seqs), args.batch)]
    setarch = find_setarch()
    hres, kres = {}, {}
    workdir = tempfile.mkdtemp(prefix="vmdiff.")
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            hf = [pool.submit(run_host, args.host, b, setarch) for b in batches]
            if host_only:  # the same sequences again, in reverse order: nothing may leak
                kf = [pool.submit(run_host, args.host, b[::-1], setarch) for b in batches]
            else:
                kf = [pool.submit(run_kmm, args.kmm, b, workdir) for b in batches]
            for f in hf:
                hres.update(f.result())
            for f in kf:
                kres.update(f.result())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return seqs, hres, kres


def minimize(args, index):
    """Drops ops from sequence INDEX while a mismatch remains at an op of the same kind."""
    ops = gen_sequence(args.seed, index, args.ops)
    seqs, h, k = run_all_custom(args, [(index, ops)])
    verdict, at, _ = compare(ops, h[index], k[index])
    if verdict != "mismatch":
        print("sequence %d: %s, nothing to minimise" % (index, verdict))
        return ops, h[index], k[index]
    kind = ops[at - 1].kind
    ops = ops[:at]
    changed = True
    while changed:
        changed = False
        cands = [(j, ops[:j] + ops[j + 1:]) for j in range(len(ops) - 1)]
        if not cands:
            break
        _, h, k = run_all_custom(args, cands)
        for j, cand in cands:
            v, a, _ = compare(cand, h[j], k[j])
            if v == "mismatch" and cand[a - 1].kind == kind:
                ops = cand[:a]
                changed = True
                break
    _, h, k = run_all_custom(args, [(index, ops)])
    return ops, h[index], k[index]


def run_all_custom(args, seqs):
    setarch = find_setarch()
    workdir = tempfile.mkdtemp(prefix="vmdiff.")
    try:
        h = run_host(args.host, seqs, setarch)
        k = run_host(args.host, seqs, setarch) if args.host_only else run_kmm(args.kmm, seqs,
                                                                                workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return seqs, h, k


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kmm", help="the kmm program")
    ap.add_argument("--host", help="the host_vm program")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=200, help="sequences")
    ap.add_argument("--ops", type=int, default=30, help="ops per sequence")
    ap.add_argument("--batch", type=int, default=200, help="sequences per kmm run")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--host-only", action="store_true",
                    help="compare the host with itself (sequences run again in reverse order)")
    ap.add_argument("--show", type=int, metavar="N", help="sequence N side by side")
    ap.add_argument("--minimize", type=int, metavar="N",
                    help="the fewest ops of sequence N that still mismatch")
    ap.add_argument("--emit", type=int, metavar="N",
                    help="print sequence N's host_vm input and kmm script, run nothing")
    ap.add_argument("--list-differences", action="store_true",
                    help="print the by-design differences")
    ap.add_argument("--only", metavar="CALLS",
                    help="generate only these calls, e.g. mmap,munmap,brk,touch "
                         "(other sequences than without it)")
    ap.add_argument("-v", "--verbose", action="store_true", help="every failing sequence")
    args = ap.parse_args()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # --show | head
    if "VMDIFF_SEED" in os.environ:
        args.seed = int(os.environ["VMDIFF_SEED"])
    if "VMDIFF_COUNT" in os.environ:
        args.count = int(os.environ["VMDIFF_COUNT"])
    elif os.environ.get("KMM_STRESS") == "long":
        args.count *= 50

    if args.only:
        global ONLY
        ONLY = set(args.only.split(","))
    if args.list_differences:
        for name, reason in EXCLUDED:
            print("excluded    %-26s %s" % (name, reason))
        for rule in CLASSIFIED:
            print("classified  %-26s %s" % (rule.name, rule.reason))
        return 0
    if args.emit is not None:
        seq = [(args.emit, gen_sequence(args.seed, args.emit, args.ops))]
        sys.stdout.write(host_input(seq) + "\n" + kmm_script(seq))
        return 0
    if not args.host or not (args.kmm or args.host_only):
        ap.error("--host and --kmm (or --host-only) are needed")

    if args.minimize is not None:
        ops, h, k = minimize(args, args.minimize)
        show(args.minimize, ops, h, k)
        print("\nhost_vm input:\n" + host_input([(args.minimize, ops)]))
        print("kmm script:\n" + kmm_script([(args.minimize, ops)]))
        return 0
    if args.show is not None:
        seqs, h, k = run_all_custom(args, [(args.show, gen_sequence(args.seed, args.show,
                                                                    args.ops))])
        show(args.show, seqs[0][1], h[args.show], k[args.show])
        return 0

    seqs, h, k = run_all(args, range(args.count), args.host_only)
    tally = collections.Counter()
    bad = []
    for index, ops in seqs:
        verdict, at, detail = compare(ops, h[index], k[index])
        tally[verdict] += 1
        if verdict in ("mismatch", "error"):
            bad.append((index, verdict, at, detail))
    other = "host (again, reversed)" if args.host_only else "kmm"
    print("vmdiff: seed %d, %d sequences of %d ops, host against %s" %
          (args.seed, args.count, args.ops, other))
    for verdict in ["equal", "killed"] + [r.name for r in CLASSIFIED] + ["mismatch", "error"]:
        if tally[verdict]:
            print("  %-28s %d" % (verdict, tally[verdict]))
    errors = collections.Counter(d for _, v, _, d in bad if v == "error")
    for detail, n in errors.most_common():
        first = min(i for i, v, _, d in bad if v == "error" and d == detail)
        print("  ERROR in %d sequence%s (the first: %d): %s" % (n, "s" * (n > 1), first, detail))
    bad = [b for b in bad if b[1] != "error"] + [b for b in bad if b[1] == "error"]
    shown = [b for b in bad if b[1] != "error"]
    for index, verdict, at, detail in shown[:None if args.verbose else 10]:
        where = " at op %d" % at if at is not None else ""
        what = ""
        if verdict == "mismatch":
            ops = dict(seqs)[index]
            what = ": " + op_pretty(ops[at - 1]) if at else ": the initial maps"
            hr = normalise(ops[at - 1] if at else None, h[index].ops[at], h[index].brk0)
            kr = normalise(ops[at - 1] if at else None, k[index].ops[at], k[index].brk0)
            what += "\n      host %s\n      %s %s" % (" / ".join(fmt_result(hr)), other,
                                                     " / ".join(fmt_result(kr)))
        print("  %s: sequence %d%s%s%s" % (verdict.upper(), index, where, what,
                                           ": " + detail if detail else ""))
    if len(shown) > 10 and not args.verbose:
        print("  ... %d more (-v shows them; --show N, --minimize N for one)" % (len(shown) - 10))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
