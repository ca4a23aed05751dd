/*
 * vm_bench.c - a process's page faults and address-space calls, side by
 * side with the host kernel doing the same in this very process:
 *
 *   write fault, demand-zero   the first write to each page of a fresh
 *                              anonymous mapping (do_anonymous_page: a
 *                              zeroed page, its PTE), in 32 MiB rounds
 *                              (zeroing memory the caches lost: both
 *                              sides wait on DRAM) and in 1 MiB rounds
 *                              (the fault paths themselves)
 *   read fault, zero page      the first read: the shared zero page mapped
 *   COW fault                  a write to a page shared with a forked child
 *                              (do_wp_page: a copy)
 *   mmap+munmap                an 8 KiB anonymous mapping made and removed
 *   fork, 1 GiB touched        dup_mm of a process with 1 GiB written: per PTE
 *   find_vma, N VMAs           a lookup at a random address among N VMAs
 *
 * kmm's side runs a simulated process in deterministic mode (one host
 * thread), its accesses through the simulated MMU (kmm_user_access: the
 * TLB, the walk, the fault, the retry); only the faulting accesses are
 * timed, not the mmap that makes the pages or the munmap that frees them.
 * The host's side is this program's own mmap and memory.  The issue's
 * target: each simulated fault at most half the host's.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kmm/err.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/process.h>
#include <kmm/sched.h>
#include <kmm/uaccess.h>
#include "bench/bench.h"

#define CHUNK_PAGES	8192UL		/* pages mapped per round: 32 MiB, beyond the caches */
#define WARM_PAGES	256UL		/* or 1 MiB, which the L2 cache holds */
#define PG		4096UL

enum fault_kind { FAULT_WRITE, FAULT_READ, FAULT_COW };

/* What a fault row measures: the kind of fault, and how many pages a round maps and touches. */
struct fault_cfg {
	enum fault_kind kind;
	unsigned long chunk;
};

/* ---- kmm ---- */

static unsigned long kmm_map(unsigned long len)
{
	long r = sys_mmap(0, len, 3, 0x22, (unsigned long)-1, 0);	/* RW, PRIVATE|ANON */

	if (r < 0 && r > -4096) {
		fprintf(stderr, "kmm_bench: mmap: %ld\n", r);
		exit(1);
	}
	return (unsigned long)r;
}

static void kmm_touch(unsigned long addr, unsigned long pages, bool write)
{
	for (unsigned long i = 0; i < pages; i++) {
		unsigned long v = i;

		if (kmm_user_access(addr + i * PG, &v, sizeof(v), write, 0)) {
			fprintf(stderr, "kmm_bench: the access at %#lx failed\n", addr + i * PG);
			exit(1);
		}
	}
}

static double kmm_faults(void *ctx, long n)
{
	const struct fault_cfg *cfg = ctx;
	enum fault_kind kind = cfg->kind;
	double total = 0;

	while (n > 0) {
		unsigned long pages = (unsigned long)n < cfg->chunk ? (unsigned long)n : cfg->chunk;
		unsigned long addr = kmm_map(pages * PG);
		struct task_struct *parent = current, *child = NULL;
		double t0;

		if (kind == FAULT_COW) {
			kmm_touch(addr, pages, true);
			child = process_fork();
			if (IS_ERR(child))
				return -1;
		}
		t0 = bench_now_ns();
		kmm_touch(addr, pages, kind != FAULT_READ);
		total += bench_now_ns() - t0;
		if (child) {
			int status;

			process_enter(child);
			process_exit(0);
			process_wait(child->pid, &status);
			(void)parent;
		}
		sys_munmap(addr, pages * PG);
		n -= (long)pages;
	}
	return total;
}

static double kmm_mmap_pairs(void *ctx, long n)
{
	double t0 = bench_now_ns();

	(void)ctx;
	for (long i = 0; i < n; i++)
		sys_munmap(kmm_map(2 * PG), 2 * PG);
	return bench_now_ns() - t0;
}

/* ---- the host ---- */

static void host_touch(volatile char *p, unsigned long pages, bool write)
{
	for (unsigned long i = 0; i < pages; i++) {
		if (write)
			p[i * PG] = (char)i;
		else
			(void)p[i * PG];
	}
}

static double host_faults(void *ctx, long n)
{
	const struct fault_cfg *cfg = ctx;
	enum fault_kind kind = cfg->kind;
	double total = 0;

	while (n > 0) {
		unsigned long pages = (unsigned long)n < cfg->chunk ? (unsigned long)n : cfg->chunk;
		char *p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		pid_t child = 0;
		int pipefd[2];
		double t0;

		if (p == MAP_FAILED)
			return -1;
		if (kind == FAULT_COW) {
			host_touch(p, pages, true);
			if (pipe(pipefd))
				return -1;
			child = fork();
			if (child == 0) {
				char c;

				close(pipefd[1]);
				if (read(pipefd[0], &c, 1) < 0)
					_exit(1);
				_exit(0);
			}
			close(pipefd[0]);
		}
		t0 = bench_now_ns();
		host_touch(p, pages, kind != FAULT_READ);
		total += bench_now_ns() - t0;
		if (child > 0) {
			close(pipefd[1]);
			waitpid(child, NULL, 0);
		}
		munmap(p, pages * PG);
		n -= (long)pages;
	}
	return total;
}

static double host_mmap_pairs(void *ctx, long n)
{
	double t0 = bench_now_ns();

	(void)ctx;
	for (long i = 0; i < n; i++) {
		void *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return -1;
		munmap(p, 2 * PG);
	}
	return bench_now_ns() - t0;
}

/* ---- fork of 1 GiB ---- */

#define FORK_BYTES	(1UL << 30)

static double kmm_fork_once(void)
{
	struct task_struct *child;
	double t0 = bench_now_ns(), dt;
	int status;

	child = process_fork();
	dt = bench_now_ns() - t0;
	if (IS_ERR(child))
		return -1;
	process_enter(child);
	process_exit(0);
	process_wait(child->pid, &status);
	return dt;
}

static double host_fork_once(void)
{
	double t0 = bench_now_ns(), dt;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	dt = bench_now_ns() - t0;
	waitpid(pid, NULL, 0);
	return dt;
}

static void fork_rows(void)
{
	unsigned long pages = FORK_BYTES / PG;
	unsigned long addr = kmm_map(FORK_BYTES);
	char *hp = mmap(NULL, FORK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double k[5], h[5];
	struct bench_stat sk, sh;
	int runs = bench_quick ? 1 : 5;

	kmm_touch(addr, pages, true);
	if (hp == MAP_FAILED) {
		bench_row_failed("vm", "host fork, 1 GiB touched", "no host memory");
		return;
	}
	host_touch(hp, pages, true);
	for (int i = 0; i < runs; i++) {
		k[i] = kmm_fork_once();
		h[i] = host_fork_once();
	}
	/* The median of a few: sort the runs. */
	for (int i = 0; i < runs; i++)
		for (int j = i + 1; j < runs; j++) {
			if (k[j] < k[i]) { double t = k[i]; k[i] = k[j]; k[j] = t; }
			if (h[j] < h[i]) { double t = h[i]; h[i] = h[j]; h[j] = t; }
		}
	sk = (struct bench_stat){ k[runs / 2] / pages, k[0] / pages, k[runs - 1] / pages };
	sh = (struct bench_stat){ h[runs / 2] / pages, h[0] / pages, h[runs - 1] / pages };
	bench_row("vm", "kmm fork, 1 GiB touched, per PTE", &sk, "ns", "dup_mm: VMAs, PTEs write-protected");
	bench_row("vm", "host fork, 1 GiB touched, per PTE", &sh, "ns", "the host kernel, this process");
	bench_row_ratio("vm", "fork: kmm / host", sk.median / sh.median, "per PTE");
	munmap(hp, FORK_BYTES);
	sys_munmap(addr, FORK_BYTES);
}

/* ---- find_vma ---- */

struct lookup_arg {
	struct mm_struct *mm;
	unsigned long base, span;
	unsigned long seed;
};

static double find_vma_lookups(void *ctx, long n)
{
	struct lookup_arg *a = ctx;
	unsigned long found = 0;
	double t0 = bench_now_ns();

	for (long i = 0; i < n; i++) {
		a->seed = a->seed * 6364136223846793005UL + 1442695040888963407UL;
		found += (unsigned long)find_vma(a->mm, a->base + (a->seed >> 20) % a->span) & 1;
	}
	if (found == ~0UL)
		return -1;
	return bench_now_ns() - t0;
}

static void find_vma_rows(void)
{
	static const long counts[] = { 10, 100, 1000, 10000, 100000 };
	unsigned long base = 0x100000000UL;
	long made = 0;

	sysctl_max_map_count = 1 << 20;
	for (unsigned int c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		struct lookup_arg a = { current->mm, base, 0, 12345 };
		struct bench_subject s = { find_vma_lookups, &a, 0, { 0 } };
		char name[64];

		/* One page each, a page apart: no two merge. */
		for (; made < counts[c]; made++)
			if (sys_mmap(base + (unsigned long)made * 2 * PG, PG, 1, 0x32,
				     (unsigned long)-1, 0) < 0)
				return;
		a.span = (unsigned long)made * 2 * PG;
		bench_interleave(&s, 1, 20, false);
		snprintf(name, sizeof(name), "find_vma, %ld VMAs, random address", counts[c]);
		bench_row("vm", name, &s.stat, "ns", "the rbtree walk (mmap_cache misses)");
	}
	sys_munmap(base, (unsigned long)made * 2 * PG);
	sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;
}

/* ---- the group ---- */

static void fault_rows(const char *what, enum fault_kind kind, unsigned long chunk)
{
	struct fault_cfg cfg = { kind, chunk };
	struct bench_subject s[2] = {
		{ kmm_faults, &cfg, 0, { 0 } },
		{ host_faults, &cfg, 0, { 0 } },
	};

	bench_kmm_vs_host("vm", what, "per fault", s, "through the simulated MMU",
			  "the host kernel, this process", "target <= 0.5");
}

void bench_vm(void)
{
	bench_header("a process's faults and address-space calls (kmm against the host)");
	bench_boot_process("ram=3G cpus=1");
	fault_rows("write fault, demand-zero", FAULT_WRITE, CHUNK_PAGES);
	fault_rows("read fault, zero page", FAULT_READ, CHUNK_PAGES);
	fault_rows("COW fault", FAULT_COW, CHUNK_PAGES);
	/* The same in 1 MiB rounds: the fault paths, with the new pages' zeroing warm on both sides. */
	fault_rows("write fault, 1 MiB rounds", FAULT_WRITE, WARM_PAGES);
	fault_rows("COW fault, 1 MiB rounds", FAULT_COW, WARM_PAGES);
	{
		struct bench_subject s[2] = {
			{ kmm_mmap_pairs, NULL, 0, { 0 } },
			{ host_mmap_pairs, NULL, 0, { 0 } },
		};

		bench_interleave(s, 2, 20, false);
		bench_row("vm", "kmm mmap+munmap, 8 KiB", &s[0].stat, "ns", "sys_mmap, sys_munmap");
		bench_row("vm", "host mmap+munmap, 8 KiB", &s[1].stat, "ns", "the host kernel");
		bench_row_ratio("vm", "mmap+munmap: kmm / host", s[0].stat.median / s[1].stat.median,
				"");
	}
	if (!bench_quick)
		fork_rows();
	find_vma_rows();
	process_exit(0);
	kmm_shutdown();
}
