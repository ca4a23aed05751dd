/*
 * process_sweep.h - the sweep of the process paths' fault injection tests
 * (test_process_faults.c: mmap, brk, and the splits of munmap, mprotect,
 * mlock and madvise; test_process_faults_more.c: mremap, fork, page
 * faults, spawn and exit, i386): every allocation of the system calls
 * that change an address space, page faults, fork, spawn and exit made
 * to fail in turn.  Each path is swept: the 1st, 2nd, ... eligible
 * allocation of the call is made to fail, once through failslab (VMAs,
 * anon_vma and its chains, mm_struct, shmem's object) and once through
 * fail_page_alloc (page tables, user pages, slab and vmalloc pages),
 * until a run of the call meets no injected failure.  For every failure:
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
 * is pinned in the test files, derived in the comments (x86_64: a user
 * address needs a PUD, a PMD and a PTE table below the PGD); i386 and PAE
 * run a few paths with their own numbers.  KMM_SWEEP_VERBOSE=1 prints
 * every run.
 */
#ifndef KMM_TEST_PROCESS_SWEEP_H
#define KMM_TEST_PROCESS_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/types.h>

#define P		PAGE_SIZE
#define BASE		0x40000000UL		/* below: nothing; its tables come with the first touch */
#define FAR_64		0x100000000000UL	/* x86_64: another PGD entry, PUD, PMD and PTE tables to make */
#define FAR_32		0xa0000000UL		/* i386 PAE: another PGD entry, its PMD made with the PGD */
#define RW		(PROT_READ | PROT_WRITE)
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define SHARED		(MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED)

/* An address far from the others, its page tables not yet made (FAR_64 or FAR_32). */
extern unsigned long far;

/* ---- a run's context, and the VMAs a failure leaves ---- */

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

/* The VMAs are exactly those before the call. */
void assert_unchanged(const struct ctx *c);
/* The VMAs are what the successful call leaves (the reference run), perhaps more of them. */
void assert_as_reference(const struct ctx *c);

/* ---- a process's memory (each asserts that it worked) ---- */

/* mmap of [@addr, @addr + @len), at @addr. */
void map(unsigned long addr, unsigned long len, unsigned long prot, unsigned long flags);
/* A user write of @b at @addr. */
void poke(unsigned long addr, unsigned char b);
/* A user read of the byte at @addr. */
unsigned char peek(unsigned long addr);
/* Each of @pages pages from @addr written: page i gets 0x10 + i. */
void poke_range(unsigned long addr, unsigned long pages);
/* Each of @pages pages from @addr read. */
void peek_range(unsigned long addr, unsigned long pages);
/* A user write (read) of one byte: 0, or the fatal signal it earned (not yet delivered). */
long user_write(unsigned long addr);
long user_read(unsigned long addr);
/* brk: 0 when the break moved to @brk, -ENOMEM when it stayed. */
long move_break(unsigned long brk);
/* A setup: eight pages at BASE written, so their VMA has an anon_vma. */
void setup_eight(struct ctx *c);

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

/* Boot @cmdline with @far_addr as far, and make what stays once made. */
void boot_arch(const char *cmdline, unsigned long far_addr);
/* The x86_64 machine: 64 MiB, one CPU. */
void boot_machine(void);
/*
 * Both sweeps of @path (failslab, then fail_page_alloc); their injection
 * points and hidden failures must be @want: failslab's, fail_page_alloc's,
 * then the hidden of each.
 */
void sweep_points(const struct path *path, const int want[4]);
/* The sweeps of @n x86_64 paths, each with the numbers it pins. */
void sweep_all(const struct path *paths, size_t n);

#endif
