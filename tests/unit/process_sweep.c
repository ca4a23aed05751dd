/*
 * process_sweep.c - the sweep harness of the process paths' fault
 * injection tests (process_sweep.h says what a sweep checks): the
 * machine's allocators before and after a process, the address space
 * described and compared, a process's memory, and the sweep itself --
 * a reference run, then the nth allocation failed until none is met.
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
#include <kmm/slab.h>
#include <kmm/uaccess.h>
#include <kmm/vmalloc.h>
#include "mm/boot.h"
#include "tests/harness.h"
#include "tests/unit/process_sweep.h"

/* An address far from the others, its page tables not yet made. */
unsigned long far;

/* ---- the machine before and after ---- */

struct snapshot {
	char slabinfo[16384];
	char meminfo[4096];
	unsigned long free_pages;
};

static void snapshot(struct snapshot *s)
{
	slab_counts_at_rest(s->slabinfo, sizeof(s->slabinfo));
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

static void assert_desc(const char *want, const char *have, const char *what)
{
	if (strcmp(want, have))
		fail_msg("%s: the VMAs differ\nexpected:\n%shave:\n%s", what, want, have);
}

/* The VMAs are exactly those before the call. */
void assert_unchanged(const struct ctx *c)
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
void assert_as_reference(const struct ctx *c)
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

void map(unsigned long addr, unsigned long len, unsigned long prot, unsigned long flags)
{
	assert_int_equal(sys_mmap(addr, len, prot, flags, -1UL, 0), (long)addr);
}

void poke(unsigned long addr, unsigned char b)
{
	assert_int_equal(kmm_user_access(addr, &b, 1, true, 0), 0);
}

unsigned char peek(unsigned long addr)
{
	unsigned char b = 0;

	assert_int_equal(kmm_user_access(addr, &b, 1, false, 0), 0);
	return b;
}

void poke_range(unsigned long addr, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++)
		poke(addr + i * P, (unsigned char)(0x10 + i));
}

void peek_range(unsigned long addr, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++)
		peek(addr + i * P);
}

/* A user write of one byte: 0, or the fatal signal it earned (not yet delivered). */
long user_write(unsigned long addr)
{
	unsigned char b = 0x77;

	if (!kmm_user_access(addr, &b, 1, true, 0))
		return 0;
	return current->pending_fatal ? current->pending_fatal : -EFAULT;
}

long user_read(unsigned long addr)
{
	unsigned char b;

	if (!kmm_user_access(addr, &b, 1, false, 0))
		return 0;
	return current->pending_fatal ? current->pending_fatal : -EFAULT;
}

/* brk: 0 when the break moved, -ENOMEM when it stayed. */
long move_break(unsigned long brk)
{
	return sys_brk(brk) == brk ? 0 : -ENOMEM;
}

/* Eight pages written: their VMA has an anon_vma, its splits clone the link. */
void setup_eight(struct ctx *c)
{
	(void)c;
	map(BASE, 8 * P, RW, ANON);
	poke_range(BASE, 8);
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
 * start, and the page cache's radix_tree_node cache its first slab (a
 * shmem page at offset 1 needs a node).
 */
void boot_arch(const char *cmdline, unsigned long far_addr)
{
	struct task_struct *p;
	long a;

	boot_or_fail(cmdline);
	far = far_addr;
	quiet_injection();
	vfree(vzalloc(2 * P));
	p = process_spawn("warmup");
	assert_non_null(p);
	process_enter(p);
	a = sys_mmap(0, 2 * P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1UL, 0);
	assert_false(IS_ERR_VALUE(a));
	poke((unsigned long)a + P, 1);	/* page 1: the tree needs a node */
	end_processes();
}

void boot_machine(void)
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
void sweep_points(const struct path *path, const int want[4])
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
void sweep_all(const struct path *paths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const int want[4] = { paths[i].slab, paths[i].pages, paths[i].slab_hidden,
				      paths[i].pages_hidden };

		sweep_points(&paths[i], want);
	}
}
