/*
 * kmap_bench.c - what a kernel mapping of a page costs, i386 (ns per
 * map+unmap pair, a word written through the address each time):
 *
 *   kmap lowmem            kmap/kunmap of a lowmem page: the direct-map
 *                          address (might_sleep, PageHighMem)
 *   kmap highmem, same     the same highmem page again and again: its entry
 *                          stays mapped at count 1 between pairs, so a
 *                          pair is kmap_lock, the hash lookup, count up and
 *                          down; no host mapping
 *   kmap highmem, 2048     2048 highmem pages in turn, more than the
 *                          window holds: each kmap takes a new entry (a
 *                          PTE and a host mmap), each turn of the window
 *                          wraps once (the unused entries' PTEs and host
 *                          mappings undone run by run, one TLB shootdown)
 *   kmap_atomic lowmem     kmap_atomic/kunmap_atomic of a lowmem page:
 *                          pagefault_disable and the direct-map address
 *   kmap_atomic highmem,   the CPU's KM_USER0 slot, 2048 pages in turn:
 *   pages in turn          PTE written, the frame mirrored into the fixmap
 *                          window over the last one (one mmap), then PTE
 *                          cleared and a local invlpg; the release build
 *                          leaves the mirror for the next map (a debug
 *                          build would unmap it: a second mmap)
 *   kmap_atomic highmem,   the same page again and again: its mirror is
 *   same page              still there, no host call at all
 *   host share             the mirror alone: hw_window_map of one page at
 *                          a slot's host address over the last, a word
 *                          written: what the host charges per highmem
 *                          kmap_atomic pair of the pages-in-turn row; the
 *                          rest of that row is the simulated kernel's
 *
 * The machine runs in parallel mode (C callers' mode) on the release build.
 */
#include <stdlib.h>

#include <kmm/gfp.h>
#include <kmm/highmem.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/asm/fixmap.h>
#include "arch/x86/kernel_map.h"
#include "bench/bench.h"
#include "hw/ram.h"

#define NR_HIGH	2048	/* twice i386's window: every kmap needs a new entry */

struct kmap_arg {
	struct page *pages[NR_HIGH];
	unsigned int nr;		/* pages used in turn */
	unsigned int next;		/* the next one, across samples */
};

/* The next page in turn: samples go on where the last stopped, so all nr are used. */
static struct page *next_page(struct kmap_arg *a)
{
	struct page *page = a->pages[a->next];

	a->next = (a->next + 1) % a->nr;
	return page;
}

static void kmap_pairs(void *arg, long n)
{
	struct kmap_arg *a = arg;

	for (long i = 0; i < n; i++) {
		struct page *page = next_page(a);
		unsigned long *p = kmap(page);

		*p = (unsigned long)i;
		kunmap(page);
	}
}

static void kmap_atomic_pairs(void *arg, long n)
{
	struct kmap_arg *a = arg;

	for (long i = 0; i < n; i++) {
		unsigned long *p = kmap_atomic(next_page(a), KM_USER0);

		*p = (unsigned long)i;
		kunmap_atomic(p, KM_USER0);
	}
}

struct host_arg {
	char *va;
	u64 pa;
};

static void host_maps(void *arg, long n)
{
	struct host_arg *h = arg;

	for (long i = 0; i < n; i++) {
		if (hw_window_map(h->va, h->pa + (u64)(i & 1) * PAGE_SIZE, PAGE_SIZE))
			abort();
		*(volatile long *)h->va = i;
	}
	hw_window_unmap(h->va, PAGE_SIZE);
}

static void fill(struct kmap_arg *a, gfp_t gfp, unsigned int nr)
{
	a->nr = nr;
	a->next = 0;
	for (unsigned int i = 0; i < nr; i++) {
		a->pages[i] = alloc_page(gfp);
		if (!a->pages[i]) {
			fprintf(stderr, "kmm_bench: no page\n");
			exit(1);
		}
	}
}

static void drop(struct kmap_arg *a)
{
	for (unsigned int i = 0; i < a->nr; i++)
		__free_page(a->pages[i]);
}

static void run(const char *boot, const char *label)
{
	static struct kmap_arg low, high, turn;
	struct host_arg host;
	struct bench_stat st;
	struct kmap_stats ks;
	char name[80], note[96];
	unsigned long flushes;

	if (kmm_boot(boot, 0)) {
		fprintf(stderr, "kmm_bench: boot failed: %s\n", kmm_error_msg());
		exit(1);
	}
	fill(&low, GFP_KERNEL, 1);
	fill(&high, GFP_HIGHUSER, 1);
	fill(&turn, GFP_HIGHUSER, NR_HIGH);

	snprintf(name, sizeof(name), "%s kmap+kunmap, lowmem", label);
	st = bench_measure(kmap_pairs, &low);
	bench_row("kmap", name, &st, "ns", "the direct-map address");
	snprintf(name, sizeof(name), "%s kmap+kunmap, highmem, same page", label);
	st = bench_measure(kmap_pairs, &high);
	bench_row("kmap", name, &st, "ns", "entry stays mapped: no host call");
	kmap_get_stats(&ks);
	flushes = ks.flushes;
	snprintf(name, sizeof(name), "%s kmap+kunmap, highmem, %d pages in turn", label, NR_HIGH);
	st = bench_measure(kmap_pairs, &turn);
	kmap_get_stats(&ks);
	snprintf(note, sizeof(note), "new entry each time; %lu wraps, one shootdown each",
		 ks.flushes - flushes);
	bench_row("kmap", name, &st, "ns", note);

	snprintf(name, sizeof(name), "%s kmap_atomic+kunmap_atomic, lowmem", label);
	st = bench_measure(kmap_atomic_pairs, &low);
	bench_row("kmap", name, &st, "ns", "the direct-map address");
	snprintf(name, sizeof(name), "%s kmap_atomic+kunmap_atomic, highmem, %d pages", label,
		 NR_HIGH);
	st = bench_measure(kmap_atomic_pairs, &turn);
	bench_row("kmap", name, &st, "ns", "PTE, one host mmap, invlpg");
	snprintf(name, sizeof(name), "%s kmap_atomic+kunmap_atomic, highmem, same page", label);
	st = bench_measure(kmap_atomic_pairs, &high);
	bench_row("kmap", name, &st, "ns", "PTE and invlpg: the mirror is there");

	host.va = kernel_window_ptr(__fix_to_virt(FIX_KMAP_BEGIN + KM_USER1));
	host.pa = page_to_phys(turn.pages[0]) & ~(2 * PAGE_SIZE - 1);
	snprintf(name, sizeof(name), "%s host share: one page mapped over the last", label);
	st = bench_measure(host_maps, &host);
	bench_row("kmap", name, &st, "ns", "hw_window_map alone, two frames in turn");

	drop(&low);
	drop(&high);
	drop(&turn);
	kmm_shutdown();
}

void bench_kmap(void)
{
	bench_header("kmap, kmap_atomic (ns per map+unmap pair, a word written)");
	run("arch=i386 ram=2G cpus=1", "i386");
	run("arch=i386 pae ram=2G cpus=1", "PAE");
}
