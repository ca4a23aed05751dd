#!/usr/bin/env python3
"""mutate.py - mutation testing of kmm's core rules (make mutate).

Each mutant in tests/mutate/mutants.txt changes one rule of the allocator by
one textual edit in one file of mm/.  For each mutant the script edits a
scratch copy of the tree, rebuilds the debug unit tests and the debug kmm
program (one build directory, reused: only the edited file recompiles),
runs the tests until the first one fails, and reports the mutant killed (a
test failed, crashed or hung) or survived (every test passed: no test pins
the rule down).  The run fails when a mutant is stale (its original text is
no longer in the file, or not exactly once), does not compile, or when
fewer than --min-score percent are killed.

    tests/mutate/mutate.py                  every mutant (make mutate)
    tests/mutate/mutate.py --sample 3       three, chosen by a hash of their names, one
                                            per file first (make test runs this)
    tests/mutate/mutate.py --only NAME...   those mutants
    tests/mutate/mutate.py --list           the list, checked for stale entries

The suite, in the order it runs (the rule tests first: they kill fastest):
every tests/unit/test_*.c binary (debug build), tests/scripts/*.kmm under
kmm_dbg, tests/errors/*.kmm through run_error_script.sh, the
parallel-mode tests, then libkmm-malloc.so's boot-option, thread-churn,
growth and start-up-memory tests (tests/malloc).  Before any mutant, the unmutated tree must pass it;
each command's time then sets its time limit (a hang kills the mutant).  A
sample (--sample) skips that run, to stay short: its commands get 30 s each,
and afterwards each command that killed a mutant must pass on the unmutated
tree.
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
MUTANTS = os.path.join(HERE, 'mutants.txt')
RULE_TESTS = ['test_migrate', 'test_pcp', 'test_watermark', 'test_slab_rules']
# The tests most likely to kill a mutant of each file run first (an order only: a
# mutant that survives them meets every other test too).
FIRST = {
    'mm/page_alloc.c': ['test_migrate', 'test_pcp', 'test_watermark', 'test_buddy', 'test_cpu_hotplug'],
    'mm/watermark.c': ['test_watermark', 'test_pcp', 'test_migrate', 'malloc/startup'],
    'mm/slab.c': ['test_slab_rules', 'test_slab', 'test_cpu_hotplug'],
    'include/kmm/slab.h': ['test_slab'],
    'mm/highmem.c': ['test_highmem', 'malloc/startup'],
    'arch/x86/setup.c': ['test_highmem'],
    'arch/x86/fault.c': ['scripts/oops_kills_task', 'test_highmem', 'test_kernel_fault'],
    'mm/slab_alloc.c': ['test_slab_rules', 'test_slab', 'test_slab_harden'],
    'mm/slab_harden.c': ['test_slab_harden'],
    'mm/slab.h': ['test_slab_harden', 'test_slab'],
    'mm/slab_check.c': ['test_slab_harden'],
    'mm/vmalloc.c': ['test_vmalloc'],
    'mm/vmalloc_proc.c': ['test_vmalloc'],
    'mm/ioremap.c': ['test_vmalloc'],
    'mm/mmap_check.c': ['test_mmap_check', 'test_fremap'],
    'kernel/proc_pid.c': ['scripts/proc_status'],
    'kernel/proc_pid_mem.c': ['test_deferred_lend', 'scripts/proc_kpageflags', 'scripts/proc_smaps', 'scripts/proc_pagemap', 'scripts/process_cow'],
    'mm/fork.c': ['test_mmap_check', 'scripts/proc_status', 'scripts/mlock_unevictable'],
    'mm/madvise.c': ['scripts/madvise_vmas', 'scripts/mlock_unevictable'],
    'mm/mlock.c': ['scripts/mlock_unevictable', 'scripts/mlock_i386'],
    'mm/mincore.c': ['scripts/mincore_vec', 'scripts/nonlinear_mappings'],
    'mm/swap.c': ['scripts/mlock_unevictable'],
    'mm/rmap.c': ['scripts/mlock_unevictable'],
    'mm/meminfo.c': ['scripts/madvise_vmas'],
    'mm/memory.c': ['test_vm_insert_page', 'scripts/nonlinear_mappings', 'scripts/process_cow', 'scripts/mlock_unevictable', 'scripts/mlock_i386'],
    'mm/mmap.c': ['scripts/mlock_unevictable', 'scripts/vmalloc_user_map'],
    'mm/vmalloc_rw.c': ['test_vm_insert_page', 'scripts/vmalloc_user_map'],
    'arch/x86/tlb.c': ['test_mmap_check', 'test_tlb'],
    'kernel/cpu.c': ['test_cpu_hotplug', 'scripts/cpu_hotplug', 'test_parallel_cpu_hotplug'],
    'hw/cpu.c': ['test_parallel_cpu_hotplug', 'test_cpu_hotplug'],
    'tools/malloc/machine.c': ['malloc/turns', 'malloc/boot_options', 'malloc/churn', 'malloc/startup'],
    'kernel/task.c': ['test_parallel_turns'],
    'lib/spinlock.c': ['test_parallel_turns'],
    'mm/deferred_init.c': ['test_deferred_lend', 'test_hotplug_deferred', 'test_deferred', 'malloc/startup'],
    'tools/malloc/malloc.c': ['malloc/sort', 'malloc/frag', 'malloc/grow', 'malloc/api_small'],
    'hw/ram.c': ['test_deferred_lend'],
    'include/kmm/compiler.h': ['malloc/startup'],
    'include/kmm/percpu.h': ['malloc/startup'],
    'lib/notifier.c': ['test_cpu_hotplug'],
    'mm/vmstat.c': ['test_cpu_hotplug', 'scripts/cpu_hotplug'],
    'kernel/process.c': ['scripts/process_clone', 'scripts/mlock_unevictable'],
    'mm/mprotect.c': ['scripts/process_mprotect', 'scripts/process_vma_merge', 'test_mprotect_mremap'],
    'mm/mremap.c': ['scripts/process_mremap', 'test_mprotect_mremap'],
    'mm/memory_hotplug.c': ['test_hotplug_deferred', 'test_deferred_lend', 'test_memory_hotplug', 'scripts/memory_hotplug', 'scripts/memory_hotplug_i386'],
    'mm/page_isolation.c': ['test_deferred_lend', 'test_memory_hotplug', 'scripts/memory_hotplug'],
    'mm/sparse.c': ['test_memory_hotplug', 'scripts/memory_hotplug'],
    'arch/x86/memory_hotplug.c': ['scripts/memory_hotplug', 'test_memory_hotplug'],
    'tools/kmm/strace_parse.c': ['test_strace_parse', 'errors/replay_malformed'],
    'tools/kmm/replay.c': ['scripts/replay_strace', 'scripts/replay_exec'],
    'kernel/sys.c': ['scripts/replay_strace'],
    'kernel/binfmt_elf.c': ['test_exec', 'scripts/exec_refused', 'scripts/exec_static'],
    'kernel/exec.c': ['test_exec', 'scripts/exec_refused'],
    'kernel/vdso.c': ['test_exec', 'scripts/exec_refused'],
    'mm/readahead.c': ['test_filemap'],
    'mm/filemap.c': ['test_filemap', 'scripts/file_mappings'],
    'mm/filemap_check.c': ['test_filemap', 'scripts/nonlinear_mappings'],
    'mm/truncate.c': ['scripts/file_mappings', 'test_filemap'],
    'mm/shmem.c': ['scripts/file_mappings', 'scripts/madvise_vmas'],
    'mm/msync.c': ['scripts/file_mappings'],
    'mm/fremap.c': ['test_fremap', 'scripts/nonlinear_mappings'],
    'lib/radix-tree.c': ['test_radix_tree', 'test_filemap'],
    'mm/vma.c': ['scripts/process_vma_merge', 'scripts/process_merge_pgoff', 'scripts/process_mremap', 'scripts/process_mprotect',
                 'scripts/madvise_vmas', 'scripts/mlock_unevictable'],
}


class Mutant:
    def __init__(self, name, path, old, new, line):
        self.name, self.path, self.old, self.new, self.line = name, path, old, new, line


def unescape(text):
    """The list writes a newline as \\n, a tab as \\t and a backslash as \\\\."""
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t', '\\': '\\'}.get(m.group(1),
                                                                           m.group(0)), text)


def parse_mutants(path):
    """Blocks of three lines: 'NAME FILE', '- ORIGINAL', '+ REPLACEMENT'."""
    mutants, errors, head = [], [], None
    with open(path) as f:
        lines = f.read().split('\n')
    for i, line in enumerate(lines, 1):
        if not line.strip() or line.startswith('#'):
            continue
        if line.startswith('- ') or line.startswith('+ '):
            if head is None:
                errors.append('%s:%d: text without a mutant line' % (path, i))
                continue
            head[line[0]] = unescape(line[2:])
            if '-' in head and '+' in head:
                mutants.append(Mutant(head['name'], head['file'], head['-'], head['+'],
                                      head['line']))
                head = None
            continue
        if head is not None:
            errors.append('%s:%d: mutant %s is incomplete' % (path, head['line'], head['name']))
        words = line.split()
        if len(words) != 2:
            errors.append('%s:%d: expected "NAME FILE"' % (path, i))
            head = None
            continue
        head = {'name': words[0], 'file': words[1], 'line': i}
    if head is not None:
        errors.append('%s:%d: mutant %s is incomplete' % (path, head['line'], head['name']))
    names = [m.name for m in mutants]
    for n in sorted(set(x for x in names if names.count(x) > 1)):
        errors.append('%s: mutant name %s is used twice' % (path, n))
    return mutants, errors


def stale_reason(m):
    """None if @m applies: its original text occurs exactly once in its file."""
    full = os.path.join(SOURCE, m.path)
    if not os.path.exists(full):
        return 'no file %s' % m.path
    if m.old == m.new:
        return 'the replacement is the original'
    count = open(full).read().count(m.old)
    if count == 0:
        return 'original text not found in %s' % m.path
    if count > 1:
        return 'original text occurs %d times in %s (add context with \\n)' % (count, m.path)
    return None


def source_files():
    """The tree's files: git's list when it is a git tree, else a walk."""
    try:
        out = subprocess.run(['git', '-C', SOURCE, 'ls-files', '-z', '--cached', '--others',
                              '--exclude-standard'], capture_output=True, check=True).stdout
        files = [f for f in out.decode().split('\0') if f]
        return [f for f in files if os.path.isfile(os.path.join(SOURCE, f))]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for root, dirs, names in os.walk(SOURCE):
            dirs[:] = [d for d in dirs if not d.startswith('build') and d != '.git']
            files += [os.path.relpath(os.path.join(root, n), SOURCE) for n in names]
        return files


def sync_tree(dst):
    """Make @dst a copy of the tree, rewriting only files that differ (the build stays
    warm) and removing those the tree no longer has."""
    files = source_files()
    keep = set(files)
    for root, dirs, names in os.walk(dst):
        for n in names:
            rel = os.path.relpath(os.path.join(root, n), dst)
            if rel not in keep:
                os.remove(os.path.join(root, n))
    for rel in files:
        src, out = os.path.join(SOURCE, rel), os.path.join(dst, rel)
        with open(src, 'rb') as f:
            data = f.read()
        if os.path.exists(out):
            with open(out, 'rb') as f:
                if f.read() == data:
                    continue
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, 'wb') as f:
            f.write(data)
        shutil.copymode(src, out)


def run(cmd, timeout=None, cwd=None):
    """(status, output); status 'ok', 'failed', 'timeout'."""
    try:
        p = subprocess.run(cmd, cwd=cwd, timeout=timeout, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=dict(os.environ, ASAN_OPTIONS='detect_leaks=0'))
    except subprocess.TimeoutExpired as e:
        return 'timeout', (e.output or b'').decode(errors='replace')
    return ('ok' if p.returncode == 0 else 'failed'), p.stdout.decode(errors='replace')


class Suite:
    """The debug tests of the scratch tree, as commands, rule tests first."""

    def __init__(self, src, build):
        self.src, self.build = src, build
        units = sorted(os.path.basename(f)[:-2] for f in os.listdir(os.path.join(src, 'tests', 'unit'))
                       if re.match(r'test_.*\.c$', f))
        par = sorted(os.path.basename(f)[:-2] for f in os.listdir(os.path.join(src, 'tests', 'parallel'))
                     if re.match(r'test_.*\.c$', f))
        units = [u for u in RULE_TESTS if u in units] + [u for u in units if u not in RULE_TESTS]
        self.targets = ['kmm_dbg'] + [u + '_dbg' for u in units + par]
        kmm = os.path.join(build, 'kmm_dbg')
        # (name, build target, command)
        self.commands = [(u, u + '_dbg', [os.path.join(build, 'tests', u + '_dbg')]) for u in units]
        for d, wrap in (('scripts', []), ('errors', [os.path.join(src, 'tests', 'run_error_script.sh')])):
            for s in sorted(os.listdir(os.path.join(src, 'tests', d))):
                if s.endswith('.kmm'):
                    path = os.path.join(src, 'tests', d, s)
                    name = '%s/%s' % (d, s[:-4])
                    self.commands.append((name, 'kmm_dbg', wrap + [kmm, path] if wrap else [kmm, 'run', path]))
        self.commands += [(p, p + '_dbg', [os.path.join(build, 'tests', p + '_dbg')]) for p in par]
        # libkmm-malloc.so's rules of its own (tools/malloc): its boot options and its
        # CPUs coming and going with threads, a shorter churn than CTest's.
        lib = '%s:%s' % (os.path.join(build, 'libkmm-malloc.so'),
                         os.path.join(build, 'tests', 'libmalloc_served.so'))
        mdir, tdir = os.path.join(src, 'tests', 'malloc'), os.path.join(build, 'tests')
        self.commands += [
            ('malloc/boot_options', 'malloc_programs',
             [os.path.join(mdir, 'boot_options.sh'), lib, os.path.join(tdir, 'malloc_api')]),
            ('malloc/churn', 'malloc_programs',
             [os.path.join(mdir, 'churn.sh'), lib, os.path.join(tdir, 'malloc_churn'), '2000']),
            ('malloc/grow', 'malloc_programs',
             [os.path.join(mdir, 'grow.sh'), os.path.join(build, 'libkmm-malloc.so'),
              os.path.join(tdir, 'malloc_grow')]),
            ('malloc/frag', 'malloc_programs',
             [os.path.join(mdir, 'frag.sh'), os.path.join(build, 'libkmm-malloc.so'),
              os.path.join(tdir, 'malloc_frag')]),
            ('malloc/sort', 'malloc_programs',
             [os.path.join(mdir, 'sort.sh'), lib, os.path.join(tdir, 'malloc_frag'),
              os.path.join(build, 'libkmm-malloc.so')]),
            ('malloc/startup', 'kmm-malloc',
             [os.path.join(mdir, 'startup.sh'), os.path.join(build, 'libkmm-malloc.so')]),
            ('malloc/api_small', 'malloc_programs',
             ['env', 'KMM_MALLOC_BOOT=ram=64M', os.path.join(mdir, 'compare.sh'), lib,
              os.path.join(tdir, 'malloc_api')]),
            ('malloc/turns', 'malloc_programs',
             [os.path.join(mdir, 'turns.sh'), lib, os.path.join(tdir, 'malloc_threads'),
              os.path.join(tdir, 'malloc_fork')]),
        ]
        self.targets.append('malloc_programs')
        self.limits = {}
        self.built = set()
        # Where CTest runs them: scripts name files the configure step writes there (exec/...).
        self.test_dir = os.path.join(build, 'tests')

    def configure(self):
        """(Re)configure: the tree may have gained files since the last run."""
        st, out = run(['cmake', '-S', self.src, '-B', self.build, '-DKMM_SANITIZERS=OFF'])
        if st != 'ok':
            sys.exit('mutate: cmake failed:\n' + out[-3000:])

    def compile(self, jobs, targets=None):
        """Build @targets (default: all); they are then up to date for this mutant."""
        self.built |= set(targets or self.targets)
        return run(['cmake', '--build', self.build, '-j', str(jobs), '--target'] + (targets or self.targets))

    def ordered(self, path):
        first = FIRST.get(path, [])
        return ([c for f in first for c in self.commands if c[0] == f] +
                [c for c in self.commands if c[0] not in first])

    def baseline(self, names=None):
        """Run the commands (@names, or all) on the unmutated tree: each must pass, and
        its time sets its limit under a mutant: 4x that, plus 10 s."""
        for name, target, cmd in self.commands:
            if names is not None and name not in names:
                continue
            t = time.time()
            st, out = run(cmd, timeout=600, cwd=self.test_dir)
            if st != 'ok':
                sys.exit('mutate: %s fails without any mutant:\n%s' % (name, out[-3000:]))
            self.limits[name] = 4 * (time.time() - t) + 10

    def kill(self, path, jobs, default_limit):
        """Build and run, most likely killers of a mutant of @path first, until the first
        failure: (command, test, how), or (None, None, None) if all pass; None if a
        build fails (the mutant does not compile)."""
        self.built = set()
        for name, target, cmd in self.ordered(path):
            if target not in self.built:
                st, out = self.compile(jobs, [target])
                if st != 'ok':
                    return None
            st, out = run(cmd, timeout=self.limits.get(name, default_limit), cwd=self.test_dir)
            if st != 'ok':
                failed = re.findall(r'\[  FAILED  \] (\w+)', out)
                what = '%s.%s' % (name, failed[0]) if failed else name
                return name, what, 'timeout' if st == 'timeout' else 'failed'
        return None, None, None


def pick_sample(mutants, n):
    """@n mutants spread over the files, chosen by a hash of their names (deterministic)."""
    ranked = sorted(mutants, key=lambda m: hashlib.sha1(m.name.encode()).hexdigest())
    picked, files = [], []
    for m in ranked:
        if len(picked) < n and m.path not in files:
            picked.append(m)
            files.append(m.path)
    for m in ranked:
        if len(picked) < n and m not in picked:
            picked.append(m)
    return picked


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--work', default=os.path.join(SOURCE, 'build', 'mutate'),
                    help='scratch directory (tree copy and build), reused between runs')
    ap.add_argument('--sample', type=int, help='run only this many mutants, chosen deterministically')
    ap.add_argument('--only', nargs='+', metavar='NAME', help='run only these mutants')
    ap.add_argument('--list', action='store_true', help='list the mutants and check they apply')
    ap.add_argument('--mutants', default=MUTANTS, help='the list of mutants (default: %(default)s)')
    ap.add_argument('--min-score', type=float, default=95.0, help='percent that must be killed')
    ap.add_argument('-j', '--jobs', type=int, default=2, help='build jobs')
    args = ap.parse_args()

    mutants, errors = parse_mutants(args.mutants)
    stale = [(m, stale_reason(m)) for m in mutants]
    for m, why in stale:
        if why:
            errors.append('stale mutant %s (%s:%d): %s' % (m.name, args.mutants, m.line, why))
    if args.list:
        for m in mutants:
            print('%-40s %s' % (m.name, m.path))
        by_file = {}
        for m in mutants:
            by_file[m.path] = by_file.get(m.path, 0) + 1
        print('%d mutants: %s' % (len(mutants), ', '.join('%s %d' % kv for kv in sorted(by_file.items()))))
    for e in errors:
        print('mutate: ' + e, file=sys.stderr)
    if errors:
        return 1
    if args.list:
        return 0
    if args.only:
        unknown = [n for n in args.only if n not in [m.name for m in mutants]]
        if unknown:
            print('mutate: no mutant named %s' % ', '.join(unknown), file=sys.stderr)
            return 1
        mutants = [m for m in mutants if m.name in args.only]
    elif args.sample:
        mutants = pick_sample(mutants, args.sample)

    src, build = os.path.join(args.work, 'src'), os.path.join(args.work, 'build')
    os.makedirs(src, exist_ok=True)
    sync_tree(src)
    suite = Suite(src, build)
    suite.configure()
    quick = bool(args.sample)
    if not quick:
        st, out = suite.compile(args.jobs)
        if st != 'ok':
            sys.exit('mutate: the unmutated tree does not build:\n' + out[-3000:])
    t0 = time.time()
    if quick:
        # A sample checks its killers afterwards instead of the whole suite first.
        print('mutate: %d mutants (sampled)' % len(mutants), flush=True)
    else:
        suite.baseline()
        print('mutate: %d mutants; the unmutated tree passes %d commands in %.1f s' %
              (len(mutants), len(suite.commands), time.time() - t0), flush=True)

    killed, survived, invalid, killers = [], [], [], set()
    for i, m in enumerate(mutants, 1):
        path = os.path.join(src, m.path)
        original = open(path).read()
        t = time.time()
        try:
            with open(path, 'w') as f:
                f.write(original.replace(m.old, m.new, 1))
            outcome = suite.kill(m.path, args.jobs, 30 if quick else 120)
            if outcome is None:
                invalid.append(m)
                st, out = suite.compile(args.jobs)
                verdict = 'DOES NOT COMPILE\n' + '\n'.join(l for l in out.split('\n') if 'error' in l)[:2000]
            else:
                command, killer, how = outcome
                if killer:
                    killed.append(m)
                    killers.add(command)
                    verdict = 'killed by %s (%s)' % (killer, how)
                else:
                    survived.append(m)
                    verdict = 'SURVIVED'
        finally:
            with open(path, 'w') as f:
                f.write(original)
        print('[%d/%d] %-40s %-20s %s (%.1f s)' % (i, len(mutants), m.name, m.path, verdict,
                                                   time.time() - t), flush=True)
    if quick:
        # A kill counts only if its test passes without the mutant.
        suite.compile(args.jobs, sorted(set(t for n, t, c in suite.commands if n in killers)))
        suite.baseline(killers)
    else:
        suite.compile(args.jobs)	# leave the scratch build unmutated

    counted = len(killed) + len(survived)
    score = 100.0 * len(killed) / counted if counted else 100.0
    print('mutate: %d/%d killed (%.1f%%)' % (len(killed), counted, score))
    for m in survived:
        print('mutate: survived: %s (%s)' % (m.name, m.path))
    if invalid:
        print('mutate: %d mutants do not compile: fix them in %s' % (len(invalid), args.mutants))
        return 1
    if score < args.min_score:
        print('mutate: the score is below %.0f%%' % args.min_score)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
