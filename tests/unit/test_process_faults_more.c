/*
 * test_process_faults_more.c - fault injection at every allocation of
 * mremap, fork, page faults (stack growth among them), spawn and exit,
 * and of a few of them on i386 and PAE: each path swept (process_sweep.h:
 * the call's error or the OOM kill, the VMAs 2.6.34 leaves, mm_check,
 * every page and object back), its injection points pinned and derived
 * in the comments.  test_process_faults.c has mmap, brk and the splits.
 */
#include <stdio.h>

#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/process.h>
#include <kmm/sched.h>
#include <kmm/signal.h>
#include "tests/harness.h"
#include "tests/unit/process_sweep.h"

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
	 * A locked VMA moved and grown: copy_vma's two, the new place's
	 * tables (3), then the four new pages faulted in (hidden).
	 */
	{ .name = "mremap moving locked", .slab = 2, .pages = 7, .pages_hidden = 4,
	  .setup = setup_locked_blocked, .call = call_mremap_move_locked, .fail_ret = -ENOMEM },
	/*
	 * Both ranges cross a PMD boundary, at different offsets: the first
	 * two PTEs move into a new table (PUD, PMD, PTE), the next two need
	 * a second PTE table; when it fails, the two moved go back.
	 */
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
	 * fail_page_alloc: the PGD; the tables under what has pages and an
	 * anon_vma: the heap (PUD, PMD, PTE), BASE (a PMD and a PTE table
	 * under that PUD) -- not far, a shared mapping with no anon_vma,
	 * whose PTEs 2.6.34's copy_page_range leaves to the child's faults;
	 * the stack has none yet: 1 + 3 + 2.
	 */
	{ .name = "fork", .slab = 15, .pages = 6,
	  .setup = setup_varied, .call = call_fork, .check = check_fork, .fail_ret = -ENOMEM },
	/* A child's anon_vma chains are two long: one more link for each of three. */
	{ .name = "fork of a child", .slab = 18, .pages = 6,
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
 *                  PTE table for each of the heap and BASE (far, shared,
 *                  is not copied): 3, 6
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
	static const int want[][4] = { { 4, 5 }, { 15, 3 }, { 2, 2 }, { 2, 1 } };

	(void)state;
	boot_arch("arch=i386 ram=64M cpus=1", FAR_32);
	sweep_i386(want);
}

static void i386_pae_fails_cleanly(void **state)
{
	static const int want[][4] = { { 4, 8 }, { 15, 6 }, { 2, 2 }, { 2, 1 } };

	(void)state;
	boot_arch("arch=i386 pae ram=64M cpus=1", FAR_32);
	sweep_i386(want);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(mremap_fails_cleanly, teardown_machine),
	cmocka_unit_test_teardown(fork_fails_cleanly, teardown_machine),
	cmocka_unit_test_teardown(faults_fail_cleanly, teardown_machine),
	cmocka_unit_test_teardown(spawn_and_exit_fail_cleanly, teardown_machine),
	cmocka_unit_test_teardown(i386_fails_cleanly, teardown_machine),
	cmocka_unit_test_teardown(i386_pae_fails_cleanly, teardown_machine),
};

KMM_TEST_MAIN(tests)
