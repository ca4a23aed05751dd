/*
 * mmu_bench.c - the simulated MMU's costs (hw/mmu.c, hw/tlb.c): what one
 * hw_mmu_translate() costs when the TLB has the page and when it walks.
 *
 *   TLB hit          64 pages, one in each set of the 4K TLB, in turn:
 *                    every lookup hits (the inline fast path)
 *   N walk           8192 pages in turn: each set sees 128 pages through
 *                    its 4 ways round-robin, so every lookup misses and
 *                    walks (A already set everywhere: no atomic on the way);
 *                    4-level (PML4E, PDPTE, PDE, PTE), PAE (PDPTE, PDE,
 *                    PTE) and 2-level (PDE, PTE) machines.  The large TLB
 *                    is empty, as it is for user space (2.6.34 maps user
 *                    memory with 4K pages only)
 *   invlpg + walk    one page, flushed and translated again: the walk
 *                    with its tables in L1, plus the flush
 *   large TLB hit    16 2M pages in turn: the fully associative TLB,
 *                    reached out of line after the 4K set misses
 *   walk, large TLB full   the 4-level walk again, every miss now also
 *                    looking through 16 large entries
 *
 * The machine runs in parallel mode (this thread is CPU 0), on the release
 * build.  The tables are built by hand, as the tests do; the pages they
 * map are never touched (only addresses are computed).  Each note gives
 * the share of lookups that hit, from the TLB's own counters.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include "bench/bench.h"
#include "hw/mmu.h"

#define TBL		(X86_PG_P | X86_PG_RW | X86_PG_US)
#define BASE		0x10000000ULL	/* first page mapped: a 4K and a 2M boundary */
#define WALK_PAGES	8192
#define HIT_PAGES	HW_TLB_SETS

/* A paging format, as far as building tables goes. */
struct fmt {
	enum hw_paging_mode mode;
	const char *boot, *name;
	int levels, size;	/* size: bytes per entry */
	int shift[4], bits[4];
};

static const struct fmt formats[] = {
	{ HW_PAGING_4LEVEL, "ram=256M cpus=1", "4-level", 4, 8, { 39, 30, 21, 12 }, { 9, 9, 9, 9 } },
	{ HW_PAGING_PAE, "arch=i386 pae ram=256M cpus=1", "PAE", 3, 8, { 30, 21, 12 }, { 2, 9, 9 } },
	{ HW_PAGING_32, "arch=i386 ram=256M cpus=1", "2-level", 2, 4, { 22, 12 }, { 10, 10 } },
};

static u64 top;		/* the top table of the machine booted */

static u64 entry_get(u64 pa, int size)
{
	return size == 4 ? *(u32 *)(hw_ram_base + pa) : *(u64 *)(hw_ram_base + pa);
}

static void entry_set(u64 pa, int size, u64 v)
{
	if (size == 4)
		*(u32 *)(hw_ram_base + pa) = (u32)v;
	else
		*(u64 *)(hw_ram_base + pa) = v;
}

static u64 new_table(void)
{
	struct page *page = alloc_page(GFP_KERNEL);

	if (!page) {
		fprintf(stderr, "kmm_bench: no page for a page table\n");
		exit(1);
	}
	memset(hw_ram_base + page_to_phys(page), 0, PAGE_SIZE);
	return page_to_phys(page);
}

/* Write @leaf at level @depth for @va (a large page above the last), creating tables. */
static void map(const struct fmt *f, u64 va, int depth, u64 leaf)
{
	u64 table = top, mask = f->size == 4 ? X86_PG_ADDR_MASK_32 : X86_PG_ADDR_MASK;

	for (int l = 0;; l++) {
		u64 pa = table + ((va >> f->shift[l]) & ((1ULL << f->bits[l]) - 1)) * f->size;
		u64 e = entry_get(pa, f->size);

		if (l == depth) {
			entry_set(pa, f->size, leaf);
			return;
		}
		if (!(e & X86_PG_P)) {
			/* A PAE PDPTE has no RW or US: they are reserved there. */
			e = new_table() | (f->mode == HW_PAGING_PAE && l == 0 ? X86_PG_P : TBL);
			entry_set(pa, f->size, e);
		}
		table = e & mask;
	}
}

/* Boot @f's machine and map @pages 4K pages from BASE (and 16 2M pages above them). */
static void boot_and_map(const struct fmt *f, int pages)
{
	if (kmm_boot(f->boot, 0)) {
		fprintf(stderr, "kmm_bench: boot failed: %s\n", kmm_error_msg());
		exit(1);
	}
	hw_mmu_setup(f->mode, true, true);
	top = new_table();
	for (int i = 0; i < pages; i++)
		map(f, BASE + (u64)i * PAGE_SIZE, f->levels - 1, ((u64)i << PAGE_SHIFT) | TBL);
	if (f->mode == HW_PAGING_4LEVEL)
		for (int i = 0; i < 16; i++)
			map(f, BASE + 0x10000000ULL + ((u64)i << 21), 2,
			    ((u64)i << 21) | X86_PG_PS | TBL);
	hw_load_cr3(top);
}

static volatile u64 sink;

struct loop {
	u64 base;		/* first address */
	u64 stride;		/* between the addresses visited */
	unsigned int count;	/* how many, visited in turn (a power of 2) */
};

static void translate_loop(void *arg, long n)
{
	const struct loop *l = arg;
	u64 sum = 0, pa;

	for (long i = 0; i < n; i++) {
		if (hw_mmu_translate(l->base + (i & (l->count - 1)) * l->stride + 8, 0, &pa))
			abort();
		sum += pa;
	}
	sink = sum;
}

static void invlpg_walk(void *arg, long n)
{
	u64 va = *(u64 *)arg, pa, sum = 0;

	for (long i = 0; i < n; i++) {
		hw_tlb_flush_one(va);
		if (hw_mmu_translate(va, 0, &pa))
			abort();
		sum += pa;
	}
	sink = sum;
}

/* Measure @fn and report it, with the hit rate the TLB counted meanwhile. */
static struct bench_stat measure(const char *name, bench_fn fn, void *arg)
{
	struct hw_tlb_stats s;
	struct bench_stat st;
	char note[96];

	hw_tlb_stats_reset(0);
	st = bench_measure(fn, arg);
	hw_tlb_stats(0, &s);
	snprintf(note, sizeof(note), "%.1f%% hits, %.2f walks per lookup",
		 s.lookups ? 100.0 * s.hits / s.lookups : 0.0,
		 s.lookups ? (double)s.walks / s.lookups : 0.0);
	bench_row("mmu", name, &st, "ns", note);
	return st;
}

void bench_mmu(void)
{
	char name[64];

	bench_header("simulated MMU: hw_mmu_translate() (ns per translation)");
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const struct fmt *f = &formats[i];
		struct loop walk = { BASE, PAGE_SIZE, WALK_PAGES };
		struct bench_stat st;

		boot_and_map(f, WALK_PAGES);
		if (f->mode == HW_PAGING_4LEVEL) {
			struct loop hit = { BASE, PAGE_SIZE, HIT_PAGES };

			measure("TLB hit (4K, 64 pages)", translate_loop, &hit);
		}
		snprintf(name, sizeof(name), "%s walk (%d pages in turn)", f->name, WALK_PAGES);
		st = measure(name, translate_loop, &walk);
		snprintf(name, sizeof(name), "%s walks per second", f->name);
		bench_row_value("mmu", name, 1e3 / st.median, "M/s", "from the median above");
		if (f->mode == HW_PAGING_4LEVEL) {
			struct loop large = { BASE + 0x10000000ULL, 1ULL << 21, 16 };
			u64 va = BASE;

			measure("4-level invlpg + walk (1 page)", invlpg_walk, &va);
			measure("large TLB hit (2M, 16 pages)", translate_loop, &large);
			measure("4-level walk, large TLB full", translate_loop, &walk);
		}
		kmm_shutdown();
	}
}
