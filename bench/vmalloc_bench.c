/*
 * vmalloc_bench.c - what vmalloc + vfree costs, and how much of it is the
 * host's.
 *
 *   vmalloc+vfree SIZE   the whole pair: area, pages array, pages one by
 *                        one, PTEs, the host mirror; vfree: unmap, pages
 *                        back, the lazy range (and, every lazy_max_pages()
 *                        of them, a purge with its TLB flush)
 *   mirror SIZE          the host's part alone: mapping the pages' frames
 *                        at a window address and making it inaccessible
 *                        again (hw_window_map + hw_window_unmap: mmap of
 *                        the RAM memfd and back), for pages as scattered
 *                        as vmalloc's (one host mapping each) and for one
 *                        contiguous run (one mapping in all)
 *
 *   simulated alone SIZE the same pair with the host's share taken out:
 *                        hw_window_map and hw_window_unmap are no-ops
 *                        (the link wraps them, below), so nothing reaches
 *                        the host and the first touch is skipped; what is
 *                        left is kmm's own work, the figure Linux's ~1 us
 *                        for 16 KiB compares with.  Up to 1 MiB: beyond,
 *                        the pages array is itself vmalloc'd and written
 *                        through the window.
 *
 * The note of each vmalloc row splits its CPU time (getrusage): user and
 * system.  User time is not the simulated part alone: the host's mmap,
 * munmap and first-touch fault leave the caches and TLB cold, and the
 * simulated code pays for that in user time.  The "simulated alone" row
 * is the clean figure.  Sizes 4 KiB to 4 MiB.  Parallel mode, release
 * build.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/resource.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/vmalloc.h>
#include "arch/x86/kernel_map.h"
#include "bench/bench.h"
#include "hw/ram.h"

/*
 * The host mirror, switchable: kmm_bench links with
 * --wrap=hw_window_map,--wrap=hw_window_unmap (bench/CMakeLists.txt), so
 * every call from the core lands here; with host_mirror_off set they do
 * nothing.  Only while a "simulated alone" row runs.
 */
static bool host_mirror_off;
int __real_hw_window_map(void *va, u64 pa, u64 size);
int __real_hw_window_unmap(void *va, u64 size);
int __wrap_hw_window_map(void *va, u64 pa, u64 size);
int __wrap_hw_window_unmap(void *va, u64 size);

int __wrap_hw_window_map(void *va, u64 pa, u64 size)
{
	return host_mirror_off ? 0 : __real_hw_window_map(va, pa, size);
}

int __wrap_hw_window_unmap(void *va, u64 size)
{
	return host_mirror_off ? 0 : __real_hw_window_unmap(va, size);
}

struct vm_arg {
	unsigned long size;
	struct page *pages[1024];	/* the mirror rows: the frames to map */
	unsigned long nr;
	char *window;			/* a free stretch of the vmalloc window */
};

static void vmalloc_pair(void *arg, long n)
{
	struct vm_arg *a = arg;

	for (long i = 0; i < n; i++) {
		char *p = vmalloc(a->size);

		p[0] = 1;
		vfree(p);
	}
}

/* The pair with the host mirror off: no touch, the window is not mapped. */
static void vmalloc_pair_alone(void *arg, long n)
{
	struct vm_arg *a = arg;

	host_mirror_off = true;
	for (long i = 0; i < n; i++)
		vfree(vmalloc(a->size));
	host_mirror_off = false;
}

/* What arch_map_kernel_pages and arch_unmap_kernel_range ask of the host, one mapping per run of frames. */
static void mirror_pair(void *arg, long n)
{
	struct vm_arg *a = arg;

	for (long i = 0; i < n; i++) {
		unsigned long run = 0;

		for (unsigned long j = 1; j <= a->nr; j++) {
			if (j < a->nr && page_to_pfn(a->pages[j]) == page_to_pfn(a->pages[j - 1]) + 1)
				continue;
			hw_window_map(a->window + run * PAGE_SIZE, page_to_phys(a->pages[run]),
				      (j - run) * PAGE_SIZE);
			run = j;
		}
		a->window[0] = 1;	/* the first touch, as the vmalloc row's: a host page fault */
		hw_window_unmap(a->window, a->nr * PAGE_SIZE);
	}
}

/*
 * The CPU time of vmalloc+vfree pairs, split as the host accounts it: user
 * time is the simulated kernel's work, system time the host's (the mmap
 * and munmap of the window, the page fault of the first touch).  Robust
 * where a difference of two medians is not: both come from the same run.
 */
static void cpu_split(struct vm_arg *a, double *user_ns, double *sys_ns)
{
	double t0 = bench_now_ns(), limit = bench_quick ? 20e6 : 300e6;
	struct rusage r0, r1;
	long n = 0;

	getrusage(RUSAGE_THREAD, &r0);
	do {
		vmalloc_pair(a, 16);
		n += 16;
	} while (bench_now_ns() - t0 < limit);
	getrusage(RUSAGE_THREAD, &r1);
	*user_ns = ((r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1e9 +
		    (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) * 1e3) / n;
	*sys_ns = ((r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1e9 +
		   (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) * 1e3) / n;
}

enum layout { LIKE_VMALLOC, SCATTERED, CONTIGUOUS };

/*
 * @nr frames to mirror: those a vmalloc of that size gets (taken from one
 * and given back: the mirror does not care whose they are), every other
 * page of a run (a run each), or one block (one run).  Returns the runs.
 */
static unsigned long take_pages(struct vm_arg *a, unsigned long nr, enum layout layout)
{
	unsigned long runs = 0;

	a->nr = nr;
	if (layout == LIKE_VMALLOC) {
		void *p = vmalloc(nr * PAGE_SIZE);

		for (unsigned long i = 0; i < nr; i++)
			a->pages[i] = find_vm_area(p)->pages[i];
		vfree(p);
	} else if (layout == CONTIGUOUS) {
		struct page *block = alloc_pages(GFP_KERNEL, get_order(nr * PAGE_SIZE));

		for (unsigned long i = 0; i < nr; i++)
			a->pages[i] = block + i;
	} else {
		for (unsigned long i = 0; i < nr; i++)
			a->pages[i] = alloc_pages(GFP_KERNEL, 1);	/* the pair's second page unused */
	}
	for (unsigned long i = 0; i < nr; i++)
		runs += !i || page_to_pfn(a->pages[i]) != page_to_pfn(a->pages[i - 1]) + 1;
	return runs;
}

static void give_pages(struct vm_arg *a, enum layout layout)
{
	if (layout == CONTIGUOUS)
		__free_pages(a->pages[0], get_order(a->nr * PAGE_SIZE));
	else if (layout == SCATTERED)
		for (unsigned long i = 0; i < a->nr; i++)
			__free_pages(a->pages[i], 1);
}

void bench_vmalloc(void)
{
	static const unsigned long sizes[] = { 4096, 16384, 65536, 1 << 20, 4 << 20 };
	static struct vm_arg a;
	char name[64], note[128];

	if (kmm_boot("ram=2G cpus=2", 0)) {
		fprintf(stderr, "kmm_bench: boot failed: %s\n", kmm_error_msg());
		exit(1);
	}
	/* High in the window, far from where vmalloc's areas go. */
	a.window = kernel_window_ptr(vmalloc_limit - (64UL << 20));

	bench_header("vmalloc: vmalloc + vfree, and the host's share (ns per pair)");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		static const char *const what[] = { "as vmalloc's", "scattered", "contiguous" };
		unsigned long nr = sizes[i] / PAGE_SIZE, runs[3];
		struct bench_stat v, alone, mirror[3];
		double user, sys;

		a.size = sizes[i];
		v = bench_measure(vmalloc_pair, &a);
		cpu_split(&a, &user, &sys);
		for (int l = LIKE_VMALLOC; l <= CONTIGUOUS; l++) {
			runs[l] = take_pages(&a, nr, l);
			mirror[l] = bench_measure(mirror_pair, &a);
			give_pages(&a, l);
		}
		snprintf(name, sizeof(name), "vmalloc+vfree %lu KiB", sizes[i] >> 10);
		snprintf(note, sizeof(note), "%lu pages in %lu runs; CPU %.0f ns user + %.0f ns system",
			 nr, runs[LIKE_VMALLOC], user, sys);
		bench_row("vmalloc", name, &v, "ns", note);
		if (nr <= PAGE_SIZE / sizeof(struct page *)) {
			alone = bench_measure(vmalloc_pair_alone, &a);
			snprintf(name, sizeof(name), "simulated alone %lu KiB", sizes[i] >> 10);
			snprintf(note, sizeof(note), "host mirror off: kmm's own work; the host's share is %.0f ns",
				 v.median - alone.median);
			bench_row("vmalloc", name, &alone, "ns", note);
		}
		for (int l = LIKE_VMALLOC; l <= CONTIGUOUS; l++) {
			snprintf(name, sizeof(name), "host mirror %lu KiB, %s", sizes[i] >> 10, what[l]);
			snprintf(note, sizeof(note), "%lu runs: hw_window_map each, one hw_window_unmap",
				 runs[l]);
			bench_row("vmalloc", name, &mirror[l], "ns", note);
		}
	}
	kmm_shutdown();
}
