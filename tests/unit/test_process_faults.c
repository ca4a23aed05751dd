/*
 * test_process_faults.c - fault injection at every allocation of the
 * process paths: the system calls that change an address space, page
 * faults, fork, spawn and exit.  Each path is swept: the 1st, 2nd, ...
 * eligible allocation of the call is made to fail, once through failslab
 * (VMAs, anon_vma and its chains, mm_struct, shmem's object) and once
 * through fail_page_alloc (page tables, user pages, slab and vmalloc
 * pages), until a run of the call meets no injected failure.  For every
 * failure:
 *
 *   - the call fails as 2.6.34's does: -ENOMEM (-EAGAIN where madvise and
 *     mlock say so), a fault ends in the OOM hook (arch/x86/fault.c:
 *     VM_FAULT_OOM from a user access prints "Out of memory: kill process"
 *     and sends SIGKILL: the process dies of it; growing a stack that
 *     cannot get its anon_vma is a bad area, SIGSEGV), spawn and fork
 *     return no process; or, where 2.6.34 hides the failure
 *     (MAP_POPULATE, MAP_LOCKED, read-ahead, a merge that could not get
 *     its anon_vma link, mremap's unmapping of the old range, a slab page
 *     that the NUMA slab allocator asks for again), it succeeds with the
 *     address space the successful call leaves -- each path pins how
 *     many failures are hidden;
 *   - the address space is as Linux leaves it: the VMAs as they were,
 *     exactly, when nothing was changed before the failure; the same
 *     ranges with the same flags when a first split stays (munmap,
 *     mprotect, mlock and madvise split at the start, then at the end:
 *     2.6.34 keeps the first split when the second fails); the range
 *     unmapped when MAP_FIXED or MREMAP_FIXED had cleared it first;
 *   - mm_check() passes, in the process and after it;
 *   - once the process has exited, the machine is exactly as before it
 *     was spawned: free pages, every slab cache's objects and slabs,
 *     and /proc/meminfo line for line (Committed_AS, AnonPages,
 *     PageTables, Shmem, Mlocked...).
 *
 * Each run is a fresh process on a machine whose caches were shrunk, so
 * every run allocates the same sequence and the nth allocation is the
 * same one each time.  A reference run without injection gives what a
 * successful call leaves.  The number of injection points of each path
 * is pinned below, derived in the comments (x86_64: a user address needs
 * a PUD, a PMD and a PTE table below the PGD); i386 and PAE run a few
 * paths with their own numbers.  KMM_SWEEP_VERBOSE=1 prints every run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fault-inject.h>
#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/process.h>
#include <kmm/procfs.h>
#include <kmm/sched.h>
#include <kmm/signal.h>
#include <kmm/slab.h>
#include <kmm/uaccess.h>
#include <kmm/vmalloc.h>
#include "mm/boot.h"
#include "tests/harness.h"

#define P		PAGE_SIZE
#define BASE		0x40000000UL		/* below: nothing; its tables come with the first touch */
#define FAR_64		0x100000000000UL	/* x86_64: another PGD entry, PUD, PMD and PTE tables to make */
#define FAR_32		0xa0000000UL		/* i386 PAE: another PGD entry, its PMD made with the PGD */
#define RW		(PROT_READ | PROT_WRITE)
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define SHARED		(MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED)

/* An address far from the others, its page tables not yet made. */
static unsigned long far;

/* ---- the machine before and after ---- */

struct snapshot {
	char slabinfo[16384];
	char meminfo[4096];
	unsigned long free_pages;
};

static void snapshot(struct snapshot *s)
{
	char text[32768];
	size_t n = 0;

	vm_unmap_aliases();
	snprintf(text, sizeof(text), "%s", proc_text("/proc/slabinfo"));
	for (const char *line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		char name[64];

		if (line[1] != '#' && sscanf(line + 1, "%63s", name) == 1)
			kmem_cache_shrink(kmem_cache_find(name));
	}
	drain_all_pages();
	snprintf(text, sizeof(text), "%s", proc_text("/proc/slabinfo"));
	for (const char *line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		char name[64];
		unsigned long active, num, slabs;

		if (line[1] == '#')
			continue;
		assert_int_equal(sscanf(line + 1, "%63s %lu %lu %*u %*u %*u : tunables %*u %*u %*u"
					" : slabdata %*u %lu", name, &active, &num, &slabs), 4);
		n += snprintf(s->slabinfo + n, sizeof(s->slabinfo) - n, "%s %lu %lu %lu\n", name,
			      active, num, slabs);
	}
	s->free_pages = free_pages_drained();
	refresh_all_vm_stats();
	snprintf(s->meminfo, sizeof(s->meminfo), "%s", proc_text("/proc/meminfo"));
}

/* The lines of two texts that differ, line by line, into @out. */
static size_t diff_lines(char *out, size_t size, const char *a, const char *b)
{
	size_t n = 0;

	while ((*a || *b) && n < size) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		if (la != lb || memcmp(a, b, la))
			n += (size_t)snprintf(out + n, size - n, "  %.*s  ->  %.*s\n", (int)la, a,
					      (int)lb, b);
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
	return n;
}

static void assert_same(const struct snapshot *before, const char *what)
{
	struct snapshot after;
	char diff[2048];
	size_t n;

	snapshot(&after);
	if (!strcmp(before->slabinfo, after.slabinfo) && before->free_pages == after.free_pages &&
	    !strcmp(before->meminfo, after.meminfo))
		return;
	n = diff_lines(diff, sizeof(diff), before->slabinfo, after.slabinfo);
	diff_lines(diff + n, sizeof(diff) - n, before->meminfo, after.meminfo);
	fail_msg("%s: the allocators changed: free pages %lu -> %lu\n%s", what, before->free_pages,
		 after.free_pages, diff);
}

/* ---- the address space ---- */

/*
 * The VMAs of the current process that meet [lo, hi), clipped to it: one
 * line each (range, flags, offset, file or not).  @loose joins VMAs that
 * one VMA could be (touching, same flags and file, offsets continuing):
 * what a split changes, and what a merge that failed leaves apart.
 */
static void describe(char *buf, size_t size, unsigned long lo, unsigned long hi, bool loose)
{
	unsigned long s = 0, e = 0, flags = 0, pgoff = 0;
	struct file *file = NULL;
	bool open = false;
	size_t n = 0;

	buf[0] = 0;
	if (!current->is_process || !current->mm)
		return;		/* it exited */
	for (struct vm_area_struct *v = current->mm->mmap;; v = v->vm_next) {
		unsigned long vs = 0, ve = 0, pg = 0;

		if (v) {
			vs = v->vm_start > lo ? v->vm_start : lo;
			ve = v->vm_end < hi ? v->vm_end : hi;
			if (vs >= ve)
				continue;
			pg = v->vm_pgoff + ((vs - v->vm_start) >> PAGE_SHIFT);
			if (open && loose && e == vs && flags == v->vm_flags && file == v->vm_file &&
			    pgoff + ((e - s) >> PAGE_SHIFT) == pg) {
				e = ve;
				continue;
			}
		}
		if (open)
			n += (size_t)snprintf(buf + n, size - n, "%lx-%lx %08lx %lx %s\n", s, e, flags,
					      pgoff, file ? "file" : "anon");
		if (!v)
			break;
		s = vs;
		e = ve;
		flags = v->vm_flags;
		file = v->vm_file;
		pgoff = pg;
		open = true;
	}
}

#define DESC	2048

struct ctx {
	/* what the path's setup leaves for its call and checks */
	unsigned long hole_lo, hole_hi;		/* a range a failed call may leave changed */
	struct task_struct *child;		/* made by the call (fork, spawn) */
	pid_t pid;				/* the process set up (exit) */
	/* before the call */
	char exact[DESC], loose[DESC];
	char outside[DESC], inside[DESC];	/* around and in [hole_lo, hole_hi) */
	/* what the reference run (no injection) returned and left */
	long ref_ret;
	char ref_loose[DESC], ref_inside[DESC];
};

static void assert_desc(const char *want, const char *have, const char *what)
{
	if (strcmp(want, have))
		fail_msg("%s: the VMAs differ\nexpected:\n%shave:\n%s", what, want, have);
}

/* The VMAs are exactly those before the call. */
static void assert_unchanged(const struct ctx *c)
{
	char now[DESC];

	describe(now, sizeof(now), 0, -1UL, false);
	assert_desc(c->exact, now, "unchanged");
}

/* The same ranges with the same flags, perhaps split where they were not. */
static void assert_unchanged_loosely(const struct ctx *c)
{
	char now[DESC];

	describe(now, sizeof(now), 0, -1UL, true);
	assert_desc(c->loose, now, "unchanged but for a split");
}

/* What the successful call leaves (the reference run), perhaps with more VMAs. */
static void assert_as_reference(const struct ctx *c)
{
	char now[DESC];

	describe(now, sizeof(now), 0, -1UL, true);
	assert_desc(c->ref_loose, now, "as the call succeeded");
}

/* The loose description of everything outside [lo, hi). */
static void describe_outside(char *buf, size_t size, unsigned long lo, unsigned long hi)
{
	size_t n;

	describe(buf, size, 0, lo, true);
	n = strlen(buf);
	describe(buf + n, size - n, hi, -1UL, true);
}

/*
 * Unchanged (loosely) outside the setup's [hole_lo, hole_hi); inside,
 * either unchanged or nothing mapped: MAP_FIXED and MREMAP_FIXED unmap
 * the target first, and 2.6.34 does not map it back on a failure.
 */
static void assert_unchanged_or_hole(const struct ctx *c)
{
	char now[DESC];

	describe_outside(now, sizeof(now), c->hole_lo, c->hole_hi);
	assert_desc(c->outside, now, "unchanged outside the target");
	describe(now, sizeof(now), c->hole_lo, c->hole_hi, true);
	if (now[0])
		assert_desc(c->inside, now, "the target unchanged or unmapped");
}

/*
 * Unchanged (loosely) outside [hole_lo, hole_hi); inside, unchanged or
 * as the successful call leaves it: mprotect and mlock change the VMAs
 * of a range one after the other, and a failure in a later one leaves
 * the earlier ones changed (2.6.34's behaviour).
 */
static void assert_unchanged_or_done(const struct ctx *c)
{
	char now[DESC];

	describe_outside(now, sizeof(now), c->hole_lo, c->hole_hi);
	assert_desc(c->outside, now, "unchanged outside the part done first");
	describe(now, sizeof(now), c->hole_lo, c->hole_hi, true);
	if (strcmp(now, c->ref_inside))
		assert_desc(c->inside, now, "the part done first unchanged or done");
}

/* ---- a process's memory ---- */

static void map(unsigned long addr, unsigned long len, unsigned long prot, unsigned long flags)
{
	assert_int_equal(sys_mmap(addr, len, prot, flags, -1UL, 0), (long)addr);
}

static void poke(unsigned long addr, unsigned char b)
{
	assert_int_equal(kmm_user_access(addr, &b, 1, true, 0), 0);
}

static unsigned char peek(unsigned long addr)
{
	unsigned char b = 0;

	assert_int_equal(kmm_user_access(addr, &b, 1, false, 0), 0);
	return b;
}

static void poke_range(unsigned long addr, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++)
		poke(addr + i * P, (unsigned char)(0x10 + i));
}

static void peek_range(unsigned long addr, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++)
		peek(addr + i * P);
}

/* A user write of one byte: 0, or the fatal signal it earned (not yet delivered). */
static long user_write(unsigned long addr)
{
	unsigned char b = 0x77;

	if (!kmm_user_access(addr, &b, 1, true, 0))
		return 0;
	return current->pending_fatal ? current->pending_fatal : -EFAULT;
}

static long user_read(unsigned long addr)
{
	unsigned char b;

	if (!kmm_user_access(addr, &b, 1, false, 0))
		return 0;
	return current->pending_fatal ? current->pending_fatal : -EFAULT;
}

/*
 * End the current process and every process it was entered from, last
 * first: a pending fatal signal is delivered (the process dies of it),
 * else it exits with 0; each is reaped by its parent.
 */
static void end_processes(void)
{
	while (current->is_process) {
		pid_t pid = current->pid;
		int sig = current->pending_fatal, status = -1;

		if (sig)
			assert_int_equal(process_deliver_signals(), sig);
		else
			process_exit(0);
		assert_int_equal(process_wait(pid, &status), pid);
		assert_int_equal(status, sig);
	}
}

/* ---- the sweep ---- */

enum on_failure {
	FAIL_UNCHANGED,		/* fails, the VMAs exactly as before */
	FAIL_SPLIT_MAY_STAY,	/* fails, the same ranges and flags (a first split may stay) */
	FAIL_HOLE_MAY_STAY,	/* fails, [hole_lo, hole_hi) perhaps unmapped */
	FAIL_AS_REFERENCE,	/* fails after changing the VMAs as success would (a grown stack) */
	FAIL_PART_DONE,		/* fails, [hole_lo, hole_hi) perhaps changed as success changes it */
	FAIL_CUSTOM,		/* the path's check says */
};

struct path {
	const char *name;
	/*
	 * Its injection points, failslab's and fail_page_alloc's (x86_64),
	 * and of those the failures the call hides: it succeeds, with the
	 * address space a successful call leaves.
	 */
	int slab, pages, slab_hidden, pages_hidden;
	void (*setup)(struct ctx *c);		/* in a new process; nothing injected */
	long (*call)(struct ctx *c);		/* what is swept */
	/*
	 * After the call (nothing injected any more), @hit when a failure
	 * was: checks of the path's own, the child of a fork...
	 */
	void (*check)(struct ctx *c, long ret, bool hit);
	long fail_ret;				/* what a failed call returns */
	enum on_failure on_failure;
	long late_ret;				/* 0, or a failure after the VMAs changed (mlock's -EAGAIN) */
	bool in_init;				/* the call runs in init, no process (spawn) */
};

static int verbose(void)
{
	const char *v = getenv("KMM_SWEEP_VERBOSE");

	return v ? atoi(v) : 0;
}

static void quiet_injection(void)
{
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/min-order", "0"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/failslab/ignore-gfp-wait", "N"), 0);
	/*
	 * KMM_SWEEP_VERBOSE=1 (or 2) in the environment: each run prints what
	 * it returned and what the log got (FAULT_INJECTION lines...).
	 */
	fault_attr_set(&fail_page_alloc_attr, "verbose", verbose());
	fault_attr_set(&failslab_attr, "verbose", verbose());
}

/*
 * Boot, and make what stays once made: the mm caches and the zero page
 * (the first process's), the kernel page tables of the vmalloc area's
 * start (shmem's large pages arrays are vmalloc'd).
 */
static void boot_arch(const char *cmdline, unsigned long far_addr)
{
	struct task_struct *p;

	boot_or_fail(cmdline);
	far = far_addr;
	quiet_injection();
	vfree(vzalloc(2 * P));
	p = process_spawn("warmup");
	assert_non_null(p);
	process_enter(p);
	end_processes();
}

static void boot_machine(void)
{
	boot_arch("ram=64M cpus=1", FAR_64);
}

/* Failures injected that the call did not report (it succeeded), in the current sweep. */
static int hidden;

/* One run: a new process, its setup, the call with the nth failure of @attr armed (0: none). */
static bool run_once(const struct path *path, struct ctx *c, struct fault_attr *attr, int nth)
{
	unsigned long failures = attr ? attr->failures : 0;
	size_t logged = 0;
	long ret;
	bool hit;

	if (!path->in_init) {
		struct task_struct *p = process_spawn("sweep");

		assert_non_null(p);
		process_enter(p);
		if (path->setup)
			path->setup(c);
		describe(c->exact, sizeof(c->exact), 0, -1UL, false);
		describe(c->loose, sizeof(c->loose), 0, -1UL, true);
		if (c->hole_hi) {
			describe_outside(c->outside, sizeof(c->outside), c->hole_lo, c->hole_hi);
			describe(c->inside, sizeof(c->inside), c->hole_lo, c->hole_hi, true);
		}
	}
	if (verbose())
		logged = strlen(dmesg_text());
	if (attr)
		fault_attr_set(attr, "fail-nth", nth);
	ret = path->call(c);
	if (attr)
		fault_attr_set(attr, "fail-nth", 0);
	hit = attr && attr->failures != failures;
	if (verbose())
		print_message("%s, %s %d: %ld\n%s", path->name, attr ? attr->name : "reference", nth,
			      ret, dmesg_text() + logged);

	if (!attr) {
		c->ref_ret = ret;
		if (!path->in_init)
			describe(c->ref_loose, sizeof(c->ref_loose), 0, -1UL, true);
		if (c->hole_hi)
			describe(c->ref_inside, sizeof(c->ref_inside), c->hole_lo, c->hole_hi, true);
	} else if (!hit) {
		assert_int_equal(ret, c->ref_ret);
		if (!path->in_init)
			assert_as_reference(c);
	} else if (path->on_failure == FAIL_CUSTOM) {
		/* The path's check decides. */
		hidden += ret == c->ref_ret;
	} else if (path->late_ret && ret == path->late_ret) {
		assert_as_reference(c);
	} else if (ret == path->fail_ret) {
		if (path->on_failure == FAIL_UNCHANGED)
			assert_unchanged(c);
		else if (path->on_failure == FAIL_SPLIT_MAY_STAY)
			assert_unchanged_loosely(c);
		else if (path->on_failure == FAIL_HOLE_MAY_STAY)
			assert_unchanged_or_hole(c);
		else if (path->on_failure == FAIL_PART_DONE)
			assert_unchanged_or_done(c);
		else
			assert_as_reference(c);
	} else if (ret == c->ref_ret) {
		/*
		 * Hidden (the paths pin how many): a merge given up, pages not
		 * populated, or a slab's page that the slab allocator asked
		 * for again (2.6.34's NUMA ____cache_alloc_node after
		 * ____cache_alloc failed).
		 */
		hidden++;
		assert_as_reference(c);
	} else {
		fail_msg("%s: failure %d of %s: the call returned %ld (%ld expected, %ld without failures)",
			 path->name, nth, attr->name, ret, path->fail_ret, c->ref_ret);
	}
	if (path->check)
		path->check(c, ret, hit);
	assert_mm_check();
	end_processes();
	return hit;
}

/*
 * Fail the 1st, 2nd... eligible allocation of @attr during the call until
 * a run meets none; each run checked as above, and the machine the same
 * after it as before.  Returns the number of injection points.
 */
static int sweep(const struct path *path, struct fault_attr *attr)
{
	struct snapshot before;
	struct ctx ref = { 0 };
	int nth;

	hidden = 0;
	snapshot(&before);
	run_once(path, &ref, NULL, 0);
	assert_same(&before, path->name);
	for (nth = 1;; nth++) {
		struct ctx c = { .ref_ret = ref.ref_ret };
		char label[96];

		memcpy(c.ref_loose, ref.ref_loose, sizeof(c.ref_loose));
		memcpy(c.ref_inside, ref.ref_inside, sizeof(c.ref_inside));
		if (!run_once(path, &c, attr, nth)) {
			snprintf(label, sizeof(label), "%s, %s, no failure", path->name, attr->name);
			assert_same(&before, label);
			return nth - 1;
		}
		snprintf(label, sizeof(label), "%s, %s failure %d", path->name, attr->name, nth);
		assert_same(&before, label);
	}
}

/*
 * Both sweeps of @path; their injection points and hidden failures are
 * @want: failslab's, fail_page_alloc's, then the hidden of each.
 */
static void sweep_points(const struct path *path, const int want[4])
{
	int slab = sweep(path, &failslab_attr), slab_hidden = hidden;
	int page = sweep(path, &fail_page_alloc_attr), page_hidden = hidden;

	print_message("%-24s failslab %2d (%d hidden)  fail_page_alloc %2d (%d hidden)\n",
		      path->name, slab, slab_hidden, page, page_hidden);
	assert_int_equal(slab, want[0]);
	assert_int_equal(page, want[1]);
	assert_int_equal(slab_hidden, want[2]);
	assert_int_equal(page_hidden, want[3]);
}

/* The sweeps of x86_64's paths, each with its own numbers. */
static void sweep_all(const struct path *paths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const int want[4] = { paths[i].slab, paths[i].pages, paths[i].slab_hidden,
				      paths[i].pages_hidden };

		sweep_points(&paths[i], want);
	}
}

/* ---- mmap and brk ---- */

static long call_mmap_anon(struct ctx *c)
{
	(void)c;
	return sys_mmap(BASE, 4 * P, RW, ANON, -1UL, 0);
}

static long call_mmap_shared(struct ctx *c)
{
	(void)c;
	return sys_mmap(BASE, 4 * P, RW, SHARED, -1UL, 0);
}

/* 4 MiB: the object's pages array is 8 KiB, vmalloc'd. */
static long call_mmap_shared_4m(struct ctx *c)
{
	(void)c;
	return sys_mmap(BASE, 1024 * P, RW, SHARED, -1UL, 0);
}

/* P, untouched, and N, with an anon_vma, both rw-; the call fills the gap between them. */
static void setup_merge_gap(struct ctx *c)
{
	(void)c;
	map(BASE, 4 * P, RW, ANON);
	map(BASE + 8 * P, 4 * P, RW, ANON);
	poke(BASE + 8 * P, 1);
}

static long call_mmap_gap(struct ctx *c)
{
	(void)c;
	return sys_mmap(BASE + 4 * P, 4 * P, RW, ANON, -1UL, 0);
}

/* Eight pages written: their VMA has an anon_vma, its splits clone the link. */
static void setup_eight(struct ctx *c)
{
	(void)c;
	map(BASE, 8 * P, RW, ANON);
	poke_range(BASE, 8);
}

static void setup_fixed_over(struct ctx *c)
{
	setup_eight(c);
	c->hole_lo = BASE + 2 * P;
	c->hole_hi = BASE + 4 * P;
}

static long call_mmap_fixed_over(struct ctx *c)
{
	(void)c;
	return sys_mmap(BASE + 2 * P, 2 * P, PROT_READ, ANON, -1UL, 0);
}

static long call_mmap_populate(struct ctx *c)
{
	(void)c;
	return sys_mmap(far, 4 * P, RW, ANON | MAP_POPULATE, -1UL, 0);
}

static long call_mmap_locked(struct ctx *c)
{
	(void)c;
	return sys_mmap(far, 4 * P, RW, ANON | MAP_LOCKED, -1UL, 0);
}

static long call_mmap_shared_populate(struct ctx *c)
{
	(void)c;
	return sys_mmap(far, 4 * P, RW, SHARED | MAP_POPULATE, -1UL, 0);
}

/* Pages that populating left out are faulted in later as usual (mlocked in a locked VMA). */
static void check_populated(struct ctx *c, long ret, bool hit)
{
	(void)c;
	(void)hit;
	if (ret == (long)far)
		poke_range(far, 4);
}

/* brk: 0 when the break moved, -ENOMEM when it stayed. */
static long move_break(unsigned long brk)
{
	return sys_brk(brk) == brk ? 0 : -ENOMEM;
}

static long call_brk_first(struct ctx *c)
{
	(void)c;
	return move_break(current->mm->start_brk + 4 * P);
}

static void setup_heap(struct ctx *c)
{
	(void)c;
	assert_int_equal(move_break(current->mm->start_brk + 8 * P), 0);
	poke_range(current->mm->start_brk, 8);
}

static long call_brk_shrink(struct ctx *c)
{
	(void)c;
	return move_break(current->mm->start_brk + 4 * P);
}

static long call_brk_grow(struct ctx *c)
{
	(void)c;
	return move_break(current->mm->start_brk + 12 * P);
}

/* mlockall(MCL_FUTURE): the heap is locked as it grows, its pages faulted in. */
static void setup_mcl_future(struct ctx *c)
{
	(void)c;
	assert_int_equal(sys_mlockall(MCL_FUTURE), 0);
}

/*
 * The numbers: each run starts with every cache shrunk, and the spawn
 * before the call made the slabs of mm_struct, vm_area_struct,
 * anon_vma_chain and anon_vma, so the call's objects come from slabs
 * that exist; a user address at BASE or far has no page tables yet.
 */
static const struct path mmap_paths[] = {
	/* failslab: the VMA. */
	{ .name = "mmap", .slab = 1, .pages = 0,
	  .call = call_mmap_anon, .fail_ret = -ENOMEM },
	/* failslab: the VMA, shmem's object, its pages array (kmalloc'd). */
	{ .name = "mmap shared", .slab = 3, .pages = 0,
	  .call = call_mmap_shared, .fail_ret = -ENOMEM },
	/*
	 * failslab: the VMA, the object, and vmalloc's vm_struct, vmap_area
	 * and pages array; fail_page_alloc: the array's two pages.
	 */
	{ .name = "mmap shared 4M", .slab = 5, .pages = 2,
	  .call = call_mmap_shared_4m, .fail_ret = -ENOMEM },
	/*
	 * Case 1 of vma_merge: P takes the gap and N, and must first be
	 * linked to N's anon_vma (failslab: the link); when it cannot be,
	 * there is no merge (2.6.34's vma_merge returns NULL), a VMA of its
	 * own maps the gap and mmap succeeds: hidden.
	 */
	{ .name = "mmap merging", .slab = 1, .pages = 0, .slab_hidden = 1,
	  .setup = setup_merge_gap, .call = call_mmap_gap, .fail_ret = -ENOMEM },
	/*
	 * MAP_FIXED over the middle of a written VMA: do_munmap splits at
	 * both ends (a VMA and an anon_vma link each; the first split stays
	 * when the second fails), then the new VMA; without it the range
	 * stays unmapped, as in 2.6.34.  failslab: 2 + 2 + 1.
	 */
	{ .name = "mmap MAP_FIXED over", .slab = 5, .pages = 0,
	  .setup = setup_fixed_over, .call = call_mmap_fixed_over, .fail_ret = -ENOMEM,
	  .on_failure = FAIL_HOLE_MAY_STAY },
	/*
	 * failslab: the VMA, then the first fault's anon_vma link and
	 * anon_vma; fail_page_alloc: PUD, PMD and PTE tables, four pages.
	 * Populating and locking never fail mmap (2.6.34 ignores what
	 * make_pages_present and mlock_vma_pages_range say): every failure
	 * after the VMA's is hidden, the pages left out simply not there.
	 */
	{ .name = "mmap MAP_POPULATE", .slab = 3, .pages = 7, .slab_hidden = 2, .pages_hidden = 7,
	  .call = call_mmap_populate, .check = check_populated, .fail_ret = -ENOMEM },
	{ .name = "mmap MAP_LOCKED", .slab = 3, .pages = 7, .slab_hidden = 2, .pages_hidden = 7,
	  .call = call_mmap_locked, .check = check_populated, .fail_ret = -ENOMEM },
	/* The VMA, the object, its array; the tables and shmem's four pages (hidden). */
	{ .name = "mmap shared MAP_POPULATE", .slab = 3, .pages = 7, .pages_hidden = 7,
	  .call = call_mmap_shared_populate, .check = check_populated, .fail_ret = -ENOMEM },
	/* The first brk makes the heap's VMA: failslab 1; brk says the old break. */
	{ .name = "brk (the heap's VMA)", .slab = 1, .pages = 0,
	  .call = call_brk_first, .fail_ret = -ENOMEM },
	/* Shrinking splits the heap (a VMA, a link); growing extends it (vma_merge case 2). */
	{ .name = "brk shrinking", .slab = 2, .pages = 0,
	  .setup = setup_heap, .call = call_brk_shrink, .fail_ret = -ENOMEM },
	{ .name = "brk growing", .slab = 0, .pages = 0,
	  .setup = setup_heap, .call = call_brk_grow, .fail_ret = -ENOMEM },
	/*
	 * The heap's VMA, then it is locked: the anon_vma and its link, the
	 * tables and four pages, whose failures brk does not report.
	 */
	{ .name = "brk under MCL_FUTURE", .slab = 3, .pages = 7, .slab_hidden = 2, .pages_hidden = 7,
	  .setup = setup_mcl_future, .call = call_brk_first, .fail_ret = -ENOMEM },
};

static void mmap_and_brk_fail_cleanly(void **state)
{
	(void)state;
	boot_machine();
	sweep_all(mmap_paths, ARRAY_SIZE(mmap_paths));
}

/* ---- munmap, mprotect, mlock, madvise: splits ---- */

static long call_munmap_hole(struct ctx *c)
{
	(void)c;
	return sys_munmap(BASE + 2 * P, 2 * P);
}

static long call_mprotect_ro(struct ctx *c)
{
	(void)c;
	return sys_mprotect(BASE + 2 * P, 2 * P, PROT_READ);
}

/* Read-only, read: the zero page.  Made writable, the range is charged first. */
static void setup_eight_ro(struct ctx *c)
{
	(void)c;
	map(BASE, 8 * P, PROT_READ, ANON);
	peek_range(BASE, 8);
}

static long call_mprotect_rw(struct ctx *c)
{
	(void)c;
	return sys_mprotect(BASE + 2 * P, 2 * P, RW);
}

/*
 * P r-- (once writable: VM_ACCOUNT) without an anon_vma, then A rw- with
 * one; A made read-only joins P (vma_merge case 6/7 without a next),
 * which must first be linked to A's anon_vma.
 */
static void setup_merge_prev(struct ctx *c)
{
	(void)c;
	map(BASE, 4 * P, RW, ANON);
	assert_int_equal(sys_mprotect(BASE, 4 * P, PROT_READ), 0);
	map(BASE + 4 * P, 4 * P, RW, ANON);
	poke(BASE + 4 * P, 1);
}

static long call_mprotect_merge(struct ctx *c)
{
	(void)c;
	return sys_mprotect(BASE + 4 * P, 4 * P, PROT_READ);
}

/* Pages 2 and 3 not yet written: mlock faults them in. */
static void setup_eight_gap(struct ctx *c)
{
	(void)c;
	map(BASE, 8 * P, RW, ANON);
	poke_range(BASE, 2);
	poke_range(BASE + 4 * P, 4);
}

static long call_mlock(struct ctx *c)
{
	(void)c;
	return sys_mlock(BASE + 2 * P, 2 * P);
}

static long call_madvise(struct ctx *c)
{
	(void)c;
	return sys_madvise(BASE + 2 * P, 2 * P, MADV_DONTFORK);
}

/*
 * A rw- and B rw- MAP_NORESERVE, both written (B's flags differ: its own
 * anon_vma, no merge): the range takes A's upper half and B's lower half,
 * each split off in turn.  A failure at B leaves A's half changed
 * (2.6.34's mprotect and mlock change VMA after VMA).
 */
static void setup_two(struct ctx *c)
{
	map(BASE, 4 * P, RW, ANON);
	poke_range(BASE, 4);
	map(BASE + 4 * P, 4 * P, RW, ANON | MAP_NORESERVE);
	poke_range(BASE + 4 * P, 4);
	c->hole_lo = BASE + 2 * P;
	c->hole_hi = BASE + 4 * P;
}

static long call_mprotect_two(struct ctx *c)
{
	(void)c;
	return sys_mprotect(BASE + 2 * P, 4 * P, PROT_READ);
}

static long call_mlock_two(struct ctx *c)
{
	(void)c;
	return sys_mlock(BASE + 2 * P, 4 * P);
}

static void setup_far_shared4(struct ctx *c)
{
	(void)c;
	map(far, 4 * P, RW, SHARED);
}

/* Read-ahead of shmem: the object's pages made, mapped nowhere; advice, so never an error. */
static long call_willneed(struct ctx *c)
{
	(void)c;
	return sys_madvise(far, 4 * P, MADV_WILLNEED);
}

static const struct path split_paths[] = {
	/*
	 * A range inside a written VMA: split at its start, then at its end
	 * (failslab: a VMA and an anon_vma link each); when the second
	 * fails the first stays, as in 2.6.34.
	 */
	{ .name = "munmap", .slab = 4, .pages = 0,
	  .setup = setup_eight, .call = call_munmap_hole, .fail_ret = -ENOMEM,
	  .on_failure = FAIL_SPLIT_MAY_STAY },
	{ .name = "mprotect", .slab = 4, .pages = 0,
	  .setup = setup_eight, .call = call_mprotect_ro, .fail_ret = -ENOMEM,
	  .on_failure = FAIL_SPLIT_MAY_STAY },
	/* Read only, so no anon_vma: two VMAs; the charge is given back on failure. */
	{ .name = "mprotect charging", .slab = 2, .pages = 0,
	  .setup = setup_eight_ro, .call = call_mprotect_rw, .fail_ret = -ENOMEM,
	  .on_failure = FAIL_SPLIT_MAY_STAY },
	/*
	 * P must be linked to A's anon_vma to take A (failslab 1); without
	 * the link A stays apart, read-only, and mprotect succeeds: hidden.
	 */
	{ .name = "mprotect merging", .slab = 1, .pages = 0, .slab_hidden = 1,
	  .setup = setup_merge_prev, .call = call_mprotect_merge, .fail_ret = -ENOMEM },
	/*
	 * The two splits, then pages 2 and 3 faulted in (their PTE table
	 * exists): fail_page_alloc 2.  A split fails mlock with -ENOMEM;
	 * faulting in, after the VMA is locked, with -EAGAIN (2.6.34's
	 * __mlock_posix_error_return), the VMA staying locked.
	 */
	{ .name = "mlock", .slab = 4, .pages = 2,
	  .setup = setup_eight_gap, .call = call_mlock, .fail_ret = -ENOMEM,
	  .on_failure = FAIL_SPLIT_MAY_STAY, .late_ret = -EAGAIN },
	/* madvise says -EAGAIN for a split that failed (2.6.34's madvise_behavior). */
	{ .name = "madvise", .slab = 4, .pages = 0,
	  .setup = setup_eight, .call = call_madvise, .fail_ret = -EAGAIN,
	  .on_failure = FAIL_SPLIT_MAY_STAY },
	/* A's split (2), then B's (2): a failure at B leaves A's upper half changed. */
	{ .name = "mprotect over two", .slab = 4, .pages = 0,
	  .setup = setup_two, .call = call_mprotect_two, .fail_ret = -ENOMEM,
	  .on_failure = FAIL_PART_DONE },
	{ .name = "mlock over two", .slab = 4, .pages = 0,
	  .setup = setup_two, .call = call_mlock_two, .fail_ret = -ENOMEM,
	  .on_failure = FAIL_PART_DONE },
	/* fail_page_alloc: shmem's four pages; read-ahead stops at a failure, madvise says 0. */
	{ .name = "madvise WILLNEED", .slab = 0, .pages = 4, .pages_hidden = 4,
	  .setup = setup_far_shared4, .call = call_willneed, .fail_ret = -ENOMEM },
};

static void splits_fail_cleanly(void **state)
{
	(void)state;
	boot_machine();
	sweep_all(split_paths, ARRAY_SIZE(split_paths));
}

/* ---- mremap ---- */

static long call_mremap_shrink(struct ctx *c)
{
	(void)c;
	return (long)sys_mremap(BASE, 8 * P, 4 * P, 0, 0);
}

static long call_mremap_grow(struct ctx *c)
{
	(void)c;
	return (long)sys_mremap(BASE, 8 * P, 12 * P, 0, 0);
}

/* Eight pages written, and a page just above them: growing must move. */
static void setup_eight_blocked(struct ctx *c)
{
	setup_eight(c);
	map(BASE + 8 * P, P, PROT_READ, ANON);
}

static long call_mremap_move(struct ctx *c)
{
	(void)c;
	return (long)sys_mremap(BASE, 8 * P, 16 * P, MREMAP_MAYMOVE, 0);
}

static long call_mremap_move_middle(struct ctx *c)
{
	(void)c;
	return (long)sys_mremap(BASE + 2 * P, 2 * P, 4 * P, MREMAP_MAYMOVE, 0);
}

/*
 * Moving the middle of a VMA: when the old range cannot be unmapped
 * (do_munmap's split fails), 2.6.34's move_vma keeps it mapped -- empty,
 * its PTEs moved -- and succeeds; the old VMA loses VM_ACCOUNT, the
 * charge staying with the new one.
 */
static void check_move_middle(struct ctx *c, long ret, bool hit)
{
	struct vm_area_struct *vma;

	if (!hit)
		return;
	if (ret == -ENOMEM) {
		assert_unchanged(c);
		return;
	}
	assert_int_equal(ret, c->ref_ret);
	vma = find_vma(current->mm, (unsigned long)ret);
	assert_int_equal(vma->vm_start, ret);
	assert_int_equal(vma->vm_end, ret + 4 * P);
	assert_true(vma->vm_flags & VM_ACCOUNT);
	for (unsigned long a = BASE; a < BASE + 8 * P; a += P) {
		vma = find_vma(current->mm, a);
		assert_true(vma->vm_start <= a);
		assert_false(vma->vm_flags & VM_ACCOUNT);
	}
}

static void setup_fixed_target(struct ctx *c)
{
	(void)c;
	map(BASE, 4 * P, RW, ANON);
	poke_range(BASE, 4);
	map(far, 8 * P, PROT_READ, ANON);
	c->hole_lo = far + 2 * P;
	c->hole_hi = far + 6 * P;
}

static long call_mremap_fixed(struct ctx *c)
{
	(void)c;
	return (long)sys_mremap(BASE, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, far + 2 * P);
}

static void setup_locked(struct ctx *c)
{
	(void)c;
	map(BASE, 4 * P, RW, ANON | MAP_LOCKED);
}

static long call_mremap_grow_locked(struct ctx *c)
{
	(void)c;
	return (long)sys_mremap(BASE, 4 * P, 8 * P, 0, 0);
}

static void setup_locked_blocked(struct ctx *c)
{
	setup_locked(c);
	map(BASE + 4 * P, P, PROT_READ, ANON);
}

static long call_mremap_move_locked(struct ctx *c)
{
	(void)c;
	return (long)sys_mremap(BASE, 4 * P, 8 * P, MREMAP_MAYMOVE, 0);
}

/* Eight pages written across a PMD boundary, four below it. */
#define ACROSS		(BASE + PMD_SIZE - 4 * P)

static void setup_across(struct ctx *c)
{
	(void)c;
	map(ACROSS, 8 * P, RW, ANON);
	poke_range(ACROSS, 8);
}

static long call_mremap_across(struct ctx *c)
{
	(void)c;
	return (long)sys_mremap(ACROSS, 8 * P, 8 * P, MREMAP_MAYMOVE | MREMAP_FIXED,
				far + PMD_SIZE - 2 * P);
}

/* The pages, wherever they are now, hold what was written. */
static void check_across(struct ctx *c, long ret, bool hit)
{
	unsigned long at = ret == -ENOMEM ? ACROSS : (unsigned long)ret;

	(void)c;
	(void)hit;
	for (unsigned long i = 0; i < 8; i++)
		assert_int_equal(peek(at + i * P), 0x10 + i);
}

static const struct path mremap_paths[] = {
	/* Shrinking splits at the new end (a VMA, a link). */
	{ .name = "mremap shrinking", .slab = 2, .pages = 0,
	  .setup = setup_eight, .call = call_mremap_shrink, .fail_ret = -ENOMEM },
	/* Growing in place moves the VMA's end: nothing to allocate. */
	{ .name = "mremap growing", .slab = 0, .pages = 0,
	  .setup = setup_eight, .call = call_mremap_grow, .fail_ret = -ENOMEM },
	/* A locked VMA grown is faulted in: four pages; those not had stay out, mremap succeeds. */
	{ .name = "mremap growing locked", .slab = 0, .pages = 4, .pages_hidden = 4,
	  .setup = setup_locked, .call = call_mremap_grow_locked, .fail_ret = -ENOMEM },
	/*
	 * copy_vma: a VMA and its anon_vma link; move_page_tables: the new
	 * place's PUD, PMD and PTE tables.  A failure moves nothing.
	 */
	{ .name = "mremap moving", .slab = 2, .pages = 3,
	  .setup = setup_eight_blocked, .call = call_mremap_move, .fail_ret = -ENOMEM },
	/*
	 * copy_vma's two, the tables' three, then do_munmap's two splits of
	 * the old VMA (2 + 2), whose failures are hidden: the move succeeds.
	 */
	{ .name = "mremap moving a middle", .slab = 6, .pages = 3, .slab_hidden = 4,
	  .setup = setup_eight, .call = call_mremap_move_middle, .check = check_move_middle,
	  .on_failure = FAIL_CUSTOM },
	/*
	 * The target's two splits (no anon_vma there), copy_vma's two; the
	 * target's tables (3).  The target stays unmapped on a failure.
	 */
	{ .name = "mremap MREMAP_FIXED", .slab = 4, .pages = 3,
	  .setup = setup_fixed_target, .call = call_mremap_fixed, .fail_ret = -ENOMEM,
	  .on_failure = FAIL_HOLE_MAY_STAY },
	/*
	 * Both ranges cross a PMD boundary, at different offsets: the first
	 * two PTEs move into a new table (PUD, PMD, PTE), the next two need
	 * a second PTE table; when it fails, the two moved go back.
	 */
	/*
	 * A locked VMA moved and grown: copy_vma's two, the new place's
	 * tables (3), then the four new pages faulted in (hidden).
	 */
	{ .name = "mremap moving locked", .slab = 2, .pages = 7, .pages_hidden = 4,
	  .setup = setup_locked_blocked, .call = call_mremap_move_locked, .fail_ret = -ENOMEM },
	{ .name = "mremap moving in parts", .slab = 2, .pages = 4,
	  .setup = setup_across, .call = call_mremap_across, .check = check_across,
	  .fail_ret = -ENOMEM },
};

static void mremap_fails_cleanly(void **state)
{
	(void)state;
	boot_machine();
	sweep_all(mremap_paths, ARRAY_SIZE(mremap_paths));
}

/* ---- fork ---- */

/*
 * Four kinds of VMA: written (an anon_vma, pages to share), never
 * touched, shared anonymous memory written, the heap written; and the
 * stack, which exec's growth gave an anon_vma.
 */
static void setup_varied(struct ctx *c)
{
	c->pid = current->pid;
	map(BASE, 4 * P, RW, ANON);
	poke_range(BASE, 4);
	map(BASE + 8 * P, 4 * P, RW, ANON);
	map(far, 4 * P, RW, SHARED);
	poke_range(far, 2);
	assert_int_equal(move_break(current->mm->start_brk + 2 * P), 0);
	poke_range(current->mm->start_brk, 2);
}

/* What setup_varied wrote is still there. */
static void assert_varied_memory(void)
{
	for (unsigned long i = 0; i < 4; i++)
		assert_int_equal(peek(BASE + i * P), 0x10 + i);
	for (unsigned long i = 0; i < 2; i++) {
		assert_int_equal(peek(far + i * P), 0x10 + i);
		assert_int_equal(peek(current->mm->start_brk + i * P), 0x10 + i);
	}
}

static long call_fork(struct ctx *c)
{
	struct task_struct *p = process_fork();

	if (IS_ERR(p))
		return PTR_ERR(p);
	c->child = p;
	return 0;
}

/* The parent's memory is intact; a child made sees the same, then exits. */
static void check_fork(struct ctx *c, long ret, bool hit)
{
	struct task_struct *parent = current;
	pid_t pid;
	int status;

	(void)ret;
	(void)hit;
	assert_varied_memory();
	if (!c->child)
		return;
	pid = c->child->pid;
	process_enter(c->child);
	assert_varied_memory();
	assert_mm_check();
	process_exit(0);
	assert_ptr_equal(current, parent);
	assert_int_equal(process_wait(pid, &status), pid);
}

/* The process under test is a child: its VMA's anon_vma chain is two long. */
static void setup_forked(struct ctx *c)
{
	struct task_struct *child;

	setup_varied(c);
	child = process_fork();
	assert_false(IS_ERR(child));
	process_enter(child);
	poke(BASE, 0x10);	/* a copy of its own, in its own anon_vma */
}

static const struct path fork_paths[] = {
	/*
	 * failslab: the mm_struct; a copy of each of the five VMAs; for the
	 * three with an anon_vma (heap, BASE, stack) anon_vma_fork's link
	 * to the parent's, its own anon_vma and the link to it: 1 + 5 + 9.
	 * fail_page_alloc: the PGD; the tables under what has pages: the
	 * heap (PUD, PMD, PTE), BASE (a PMD and a PTE table under that
	 * PUD), far (PUD, PMD, PTE) -- the stack has none yet: 1 + 3 + 2 + 3.
	 */
	{ .name = "fork", .slab = 15, .pages = 9,
	  .setup = setup_varied, .call = call_fork, .check = check_fork, .fail_ret = -ENOMEM },
	/* A child's anon_vma chains are two long: one more link for each of three. */
	{ .name = "fork of a child", .slab = 18, .pages = 9,
	  .setup = setup_forked, .call = call_fork, .check = check_fork, .fail_ret = -ENOMEM },
};

static void fork_fails_cleanly(void **state)
{
	(void)state;
	boot_machine();
	sweep_all(fork_paths, ARRAY_SIZE(fork_paths));
}

/* ---- page faults ---- */

static void setup_far(struct ctx *c)
{
	(void)c;
	map(far, 4 * P, RW, ANON);
}

static void setup_far_read(struct ctx *c)
{
	setup_far(c);
	peek(far);
}

static void setup_far_shared(struct ctx *c)
{
	(void)c;
	map(far, 4 * P, RW, SHARED);
}

static long call_write_far(struct ctx *c)
{
	(void)c;
	return user_write(far);
}

static long call_read_far(struct ctx *c)
{
	(void)c;
	return user_read(far);
}

/* A page written, then shared with a child, which is the process under test. */
static void setup_cow_child(struct ctx *c)
{
	struct task_struct *child;

	map(BASE, 4 * P, RW, ANON);
	poke(BASE, 0x42);
	c->pid = current->pid;
	child = process_fork();
	assert_false(IS_ERR(child));
	process_enter(child);
}

static long call_write_base(struct ctx *c)
{
	(void)c;
	return user_write(BASE);
}

/* The fault killed the child, not the parent's page: the parent reads it intact. */
static void check_cow_child(struct ctx *c, long ret, bool hit)
{
	pid_t pid = current->pid;
	int status;

	(void)c;
	if (!hit || ret != SIGKILL)
		return;
	assert_int_equal(process_deliver_signals(), SIGKILL);
	assert_int_equal(process_wait(pid, &status), pid);
	assert_int_equal(status, SIGKILL);
	assert_int_equal(peek(BASE), 0x42);
}

/* The OOM hook's line names the process that the fault killed. */
static void check_oom(struct ctx *c, long ret, bool hit)
{
	char line[80];

	(void)c;
	if (!hit || ret != SIGKILL)
		return;
	snprintf(line, sizeof(line), "Out of memory: kill process %d (sweep) (page fault)",
		 current->pid);
	assert_true(dmesg_has(line));
}

/*
 * The stack's bottom page, one below it: within 64 KiB and 32 words of
 * the stack pointer (put there), so the stack grows by a page before the
 * fault is handled -- and stays grown when the fault then fails.
 */
#define STACK_VMA_START	0x7ffffffde000UL

static void setup_stack(struct ctx *c)
{
	(void)c;
	assert_int_equal(find_vma(current->mm, STACK_VMA_START)->vm_start, STACK_VMA_START);
	current->user_sp = STACK_VMA_START + 64;
}

static long call_write_below_stack(struct ctx *c)
{
	(void)c;
	return user_write(STACK_VMA_START - 8);
}

/*
 * A MAP_GROWSDOWN mapping never touched: growing it needs its first
 * anon_vma (expand_stack's anon_vma_prepare), whose failure is a bad
 * area -- SIGSEGV, the VMA as it was (2.6.34's do_page_fault); a failure
 * after it is the OOM hook's, the VMA grown.
 */
static void setup_growsdown(struct ctx *c)
{
	(void)c;
	map(far + 16 * P, 4 * P, RW, ANON | MAP_GROWSDOWN);
	current->user_sp = far + 16 * P;
}

static long call_write_below_growsdown(struct ctx *c)
{
	(void)c;
	return user_write(far + 15 * P);
}

static void check_growsdown(struct ctx *c, long ret, bool hit)
{
	if (!hit)
		return;
	if (ret == 0) {
		assert_as_reference(c);
		return;
	}
	if (ret == SIGSEGV) {
		assert_unchanged(c);
		assert_int_equal(current->last_siginfo.code, SEGV_MAPERR);
		return;
	}
	assert_int_equal(ret, SIGKILL);
	assert_as_reference(c);
	check_oom(c, ret, hit);
}

static const struct path fault_paths[] = {
	/* failslab: the anon_vma's link and the anon_vma; pages: PUD, PMD, PTE tables, the page. */
	{ .name = "write fault", .slab = 2, .pages = 4,
	  .setup = setup_far, .call = call_write_far, .check = check_oom, .fail_ret = SIGKILL },
	/* The tables only: the zero page is mapped. */
	{ .name = "read fault", .slab = 0, .pages = 3,
	  .setup = setup_far, .call = call_read_far, .check = check_oom, .fail_ret = SIGKILL },
	/* Copy-on-write of the zero page: the anon_vma and its link, the page. */
	{ .name = "write after read", .slab = 2, .pages = 1,
	  .setup = setup_far_read, .call = call_write_far, .check = check_oom,
	  .fail_ret = SIGKILL },
	/* Copy-on-write after fork: the copy (the child has its anon_vma from fork). */
	{ .name = "copy-on-write", .slab = 0, .pages = 1,
	  .setup = setup_cow_child, .call = call_write_base, .check = check_cow_child,
	  .fail_ret = SIGKILL },
	/* Shared anonymous memory: the tables and shmem's page. */
	{ .name = "shared write fault", .slab = 0, .pages = 4,
	  .setup = setup_far_shared, .call = call_write_far, .check = check_oom,
	  .fail_ret = SIGKILL },
	/* The stack has its anon_vma (exec's growth): its tables and the page. */
	{ .name = "stack growth", .slab = 0, .pages = 4,
	  .setup = setup_stack, .call = call_write_below_stack, .check = check_oom,
	  .fail_ret = SIGKILL, .on_failure = FAIL_AS_REFERENCE },
	/* expand_stack's anon_vma and link (SIGSEGV), then the tables and the page (OOM). */
	{ .name = "MAP_GROWSDOWN growth", .slab = 2, .pages = 4,
	  .setup = setup_growsdown, .call = call_write_below_growsdown, .check = check_growsdown,
	  .on_failure = FAIL_CUSTOM },
};

static void faults_fail_cleanly(void **state)
{
	(void)state;
	boot_machine();
	sweep_all(fault_paths, ARRAY_SIZE(fault_paths));
}

/* ---- spawn and exit ---- */

static long call_spawn(struct ctx *c)
{
	c->child = process_spawn("sweep");
	return c->child ? 0 : -ENOMEM;
}

/* A process made is entered, so that the sweep's end makes it exit. */
static void check_spawn(struct ctx *c, long ret, bool hit)
{
	(void)ret;
	(void)hit;
	if (c->child)
		process_enter(c->child);
}

static long call_exit(struct ctx *c)
{
	(void)c;
	process_exit(0);
	return 0;
}

static void check_exit(struct ctx *c, long ret, bool hit)
{
	int status;

	(void)ret;
	(void)hit;
	assert_int_equal(process_wait(c->pid, &status), c->pid);
}

static const struct path spawn_exit_paths[] = {
	/*
	 * failslab: the mm_struct, the stack's VMA, its anon_vma's link and
	 * anon_vma (expand_stack).  fail_page_alloc: the slab of mm_struct
	 * (the caches were shrunk), the PGD, the slabs of vm_area_struct,
	 * anon_vma_chain and anon_vma: the four slabs' pages are asked for
	 * again (hidden), the PGD's failure is spawn's.
	 */
	{ .name = "spawn", .slab = 4, .pages = 5, .pages_hidden = 4,
	  .call = call_spawn, .check = check_spawn, .fail_ret = -ENOMEM, .in_init = true },
	/* Exit allocates nothing. */
	{ .name = "exit", .slab = 0, .pages = 0,
	  .setup = setup_varied, .call = call_exit, .check = check_exit },
};

static void spawn_and_exit_fail_cleanly(void **state)
{
	(void)state;
	boot_machine();
	sweep_all(spawn_exit_paths, ARRAY_SIZE(spawn_exit_paths));
}

/* ---- i386 ---- */

/*
 * The 32-bit page tables: without PAE a PGD entry points at a PTE table
 * (no PUD or PMD to make); with PAE the PGD comes with its three user PMD
 * tables (pgd_alloc), so a user address needs only a PTE table.  And no
 * NUMA: a slab whose page cannot be had is not asked for again, the
 * object allocation fails.
 *
 *   spawn          failslab 4 as on x86_64; pages: the slabs of mm_struct,
 *                  vm_area_struct, anon_vma_chain and anon_vma (the caches
 *                  were shrunk), the PGD (+ 3 PMDs with PAE): 5, 8
 *   fork           failslab 15 as on x86_64; pages: the PGD (+ 3 PMDs), a
 *                  PTE table for each of the heap, BASE and far: 4, 7
 *   write fault    failslab 2; pages: the PTE table, the page: 2
 *   mremap moving  failslab 2; pages: the PTE table at the new place: 1
 */
static const struct path *const i386_paths[] = {
	&spawn_exit_paths[0], &fork_paths[0], &fault_paths[0], &mremap_paths[3],
};

static void sweep_i386(const int (*want)[4])
{
	for (size_t i = 0; i < ARRAY_SIZE(i386_paths); i++)
		sweep_points(i386_paths[i], want[i]);
}

static void i386_fails_cleanly(void **state)
{
	static const int want[][4] = { { 4, 5 }, { 15, 4 }, { 2, 2 }, { 2, 1 } };

	(void)state;
	boot_arch("arch=i386 ram=64M cpus=1", FAR_32);
	sweep_i386(want);
}

static void i386_pae_fails_cleanly(void **state)
{
	static const int want[][4] = { { 4, 8 }, { 15, 7 }, { 2, 2 }, { 2, 1 } };

	(void)state;
	boot_arch("arch=i386 pae ram=64M cpus=1", FAR_32);
	sweep_i386(want);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(mmap_and_brk_fail_cleanly, teardown_machine),
	cmocka_unit_test_teardown(splits_fail_cleanly, teardown_machine),
	cmocka_unit_test_teardown(mremap_fails_cleanly, teardown_machine),
	cmocka_unit_test_teardown(fork_fails_cleanly, teardown_machine),
	cmocka_unit_test_teardown(faults_fail_cleanly, teardown_machine),
	cmocka_unit_test_teardown(spawn_and_exit_fail_cleanly, teardown_machine),
	cmocka_unit_test_teardown(i386_fails_cleanly, teardown_machine),
	cmocka_unit_test_teardown(i386_pae_fails_cleanly, teardown_machine),
};

KMM_TEST_MAIN(tests)
