/*
 * test_process_faults.c - fault injection at every allocation of mmap
 * and brk, and of the splits of munmap, mprotect, mlock and madvise: each
 * path swept (process_sweep.h: the call's error, the VMAs 2.6.34 leaves,
 * mm_check, every page and object back), its injection points pinned and
 * derived in the comments.  test_process_faults_more.c has mremap, fork,
 * page faults, spawn and exit, and i386.
 */
#include <kmm/errno.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/sched.h>
#include "tests/harness.h"
#include "tests/unit/process_sweep.h"

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
	/* failslab: the VMA, shmem's inode, its name, its file. */
	{ .name = "mmap shared", .slab = 4, .pages = 0,
	  .call = call_mmap_shared, .fail_ret = -ENOMEM },
	/*
	 * The same four: the object's pages are in a radix tree that grows
	 * with its pages, not an array sized up front.
	 */
	{ .name = "mmap shared 4M", .slab = 4, .pages = 0,
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
	/*
	 * The VMA, the inode, its name, its file; then (hidden: populating
	 * does not fail mmap) the radix tree node of its four pages, and the
	 * node's slab page, the tables and the four pages.
	 */
	{ .name = "mmap shared MAP_POPULATE", .slab = 5, .pages = 8, .slab_hidden = 1, .pages_hidden = 8,
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
	/*
	 * failslab: the radix tree node of the object's pages; fail_page_alloc:
	 * its slab's page, then shmem's four pages.  Read-ahead stops at a
	 * failure, madvise says 0: all hidden.
	 */
	{ .name = "madvise WILLNEED", .slab = 1, .pages = 5, .slab_hidden = 1, .pages_hidden = 5,
	  .setup = setup_far_shared4, .call = call_willneed, .fail_ret = -ENOMEM },
};

static void splits_fail_cleanly(void **state)
{
	(void)state;
	boot_machine();
	sweep_all(split_paths, ARRAY_SIZE(split_paths));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(mmap_and_brk_fail_cleanly, teardown_machine),
	cmocka_unit_test_teardown(splits_fail_cleanly, teardown_machine),
};

KMM_TEST_MAIN(tests)
