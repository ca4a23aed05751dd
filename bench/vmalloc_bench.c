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
 * The simulated part is the difference: the note of each vmalloc row
 * gives it.  Sizes 4 KiB to 4 MiB.  Parallel mode, release build.
 */
#include <stdlib.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/vmalloc.h>
#include "arch/x86/kernel_map.h"
#include "bench/bench.h"
#include "hw/ram.h"

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
		hw_window_unmap(a->window, a->nr * PAGE_SIZE);
	}
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
		struct bench_stat v, mirror[3];

		a.size = sizes[i];
		v = bench_measure(vmalloc_pair, &a);
		for (int l = LIKE_VMALLOC; l <= CONTIGUOUS; l++) {
			runs[l] = take_pages(&a, nr, l);
			mirror[l] = bench_measure(mirror_pair, &a);
			give_pages(&a, l);
		}
		snprintf(name, sizeof(name), "vmalloc+vfree %lu KiB", sizes[i] >> 10);
		snprintf(note, sizeof(note), "%lu pages in %lu runs; simulated part %.0f ns", nr,
			 runs[LIKE_VMALLOC], v.median - mirror[LIKE_VMALLOC].median);
		bench_row("vmalloc", name, &v, "ns", note);
		for (int l = LIKE_VMALLOC; l <= CONTIGUOUS; l++) {
			snprintf(name, sizeof(name), "host mirror %lu KiB, %s", sizes[i] >> 10, what[l]);
			snprintf(note, sizeof(note), "%lu runs: hw_window_map each, one hw_window_unmap",
				 runs[l]);
			bench_row("vmalloc", name, &mirror[l], "ns", note);
		}
	}
	kmm_shutdown();
}
