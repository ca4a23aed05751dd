/*
 * bootmem.c - the boot allocator and the hand-over to the buddy allocator
 * (2.6.34's CONFIG_NO_BOOTMEM scheme; seed 003, 2.3.1.3).
 *
 * Allocation: for each active range of the node, find_early_area() looks
 * for the lowest aligned address at or above the goal where the request
 * overlaps no early reservation; the range found is zeroed (whole pages by
 * giving them back to the host) and recorded as a "BOOTMEM" reservation.  A goal that cannot be met is dropped (goal 0)
 * before the allocator gives up.
 *
 * Hand-over: every active range minus every reservation (rounded outward to
 * whole pages) is freed page by page into the buddy allocator, in chunks of
 * BITS_PER_LONG pages where alignment allows, as __free_pages_memory() did;
 * wholly free MAX_ORDER blocks of large zones are only counted, their
 * struct pages initialised later (deferred_init.c).
 */
#include <kmm/bootmem.h>
#include <kmm/bug.h>
#include <kmm/gfp.h>
#include <kmm/kernel.h>
#include <kmm/log2.h>
#include <kmm/mm.h>
#include <kmm/sort.h>
#include <kmm/string.h>
#include "hw/ram.h"
#include "mm/internal.h"

unsigned long max_pfn_mapped __state_zero;

void *__alloc_memory_core_early(int nid, u64 size, u64 align, u64 goal, u64 limit)
{
	int i;

	limit = min(limit, (u64)max_pfn_mapped << PAGE_SHIFT);
	for_each_active_range_index_in_nid(i, nid) {
		u64 ei_start = (u64)early_node_map[i].start_pfn << PAGE_SHIFT;
		u64 ei_last = (u64)early_node_map[i].end_pfn << PAGE_SHIFT;
		u64 addr = find_early_area(ei_start, ei_last, goal, limit, size, align);
		void *ptr;

		if (addr == -1ULL)
			continue;
		ptr = __va(addr);
		hw_ram_zero(addr, size);	/* untouched RAM stays free to the host */
		reserve_early_without_check(addr, addr + size, "BOOTMEM");
		return ptr;
	}
	return NULL;
}

void *__alloc_bootmem_nopanic(unsigned long size, unsigned long align, unsigned long goal)
{
	void *ptr;

	BUG_ON(mm_boot_done());
	for (;;) {
		ptr = __alloc_memory_core_early(MAX_NUMNODES, size, align, goal, -1ULL);
		if (ptr || !goal)
			return ptr;
		goal = 0;
	}
}

void *__alloc_bootmem(unsigned long size, unsigned long align, unsigned long goal)
{
	void *ptr = __alloc_bootmem_nopanic(size, align, goal);

	if (!ptr) {
		printk(KERN_ALERT "bootmem alloc of %lu bytes failed!\n", size);
		panic("Out of memory");
	}
	return ptr;
}

void *__alloc_bootmem_node(pg_data_t *pgdat, unsigned long size, unsigned long align,
			   unsigned long goal)
{
	void *ptr;

	BUG_ON(mm_boot_done());
	ptr = __alloc_memory_core_early(pgdat->node_id, size, align, goal, -1ULL);
	if (ptr)
		return ptr;
	return __alloc_bootmem(size, align, goal);
}

void free_bootmem(unsigned long addr, unsigned long size)
{
	free_early(addr, addr + size);
}

/* Free pfns [start, end) to the buddy allocator, in aligned chunks where possible. */
static void __free_pages_memory(unsigned long start, unsigned long end)
{
	unsigned long chunk = 1UL << arch->free_chunk_order;
	unsigned long start_aligned = round_up(start, chunk);
	unsigned long end_aligned = round_down(end, chunk);
	unsigned long i;

	if (end_aligned <= start_aligned) {
		for (i = start; i < end; i++)
			__free_pages_bootmem(pfn_to_page(i), 0);
		return;
	}
	for (i = start; i < start_aligned; i++)
		__free_pages_bootmem(pfn_to_page(i), 0);
	for (i = start_aligned; i < end_aligned; i += chunk)
		__free_pages_bootmem(pfn_to_page(i), arch->free_chunk_order);
	for (i = end_aligned; i < end; i++)
		__free_pages_bootmem(pfn_to_page(i), 0);
}

static int cmp_res(const void *a, const void *b)
{
	const struct early_res *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Free pfns [start, end) but the deferred blocks (deferred_init.c), which
 * are counted free without being freed.  They are MAX_ORDER-aligned, so
 * the pieces around them are freed in the same chunks as the whole range.
 */
static void free_pages_but_deferred(unsigned long start, unsigned long end)
{
	while (start < end) {
		unsigned long dend, dstart = deferred_next(start, &dend);

		if (dstart >= end) {
			__free_pages_memory(start, end);
			return;
		}
		if (dstart > start)
			__free_pages_memory(start, dstart);
		start = dend;
	}
}

/*
 * Free the pages of [start, end) that no reservation covers.  @res is
 * sorted by start, in pfns rounded outward.
 */
static unsigned long free_range_minus(unsigned long start, unsigned long end,
				      const struct pfn_range *res, int nres)
{
	unsigned long freed = 0, pos = start;

	for (int i = 0; i < nres && pos < end; i++) {
		if (res[i].end <= pos)
			continue;
		if (res[i].start >= end)
			break;
		if (res[i].start > pos) {
			free_pages_but_deferred(pos, res[i].start);
			freed += res[i].start - pos;
		}
		pos = max(pos, res[i].end);
	}
	if (pos < end) {
		free_pages_but_deferred(pos, end);
		freed += end - pos;
	}
	return freed;
}

unsigned long free_all_bootmem(void)
{
	int n = early_res_nr(), first = 0, nres = 0;
	struct early_res *table = (struct early_res *)early_res_entry(0);
	struct pfn_range *res;
	unsigned long freed = 0, low_end = arch->highmem ? max_low_pfn : ~0UL;

	/*
	 * A table that moved into RAM describes itself in entry 0; like
	 * Linux, its storage is not subtracted, so it is freed with the rest
	 * (only pages no other reservation shares).  Freeing writes no page
	 * contents during boot, so the table stays readable throughout.
	 */
	if (!strcmp(table[0].name, "EARLY RES"))
		first = 1;
	printk(KERN_INFO "Subtract (%d early reservations)\n", n - first);
	for (int i = first; i < n; i++) {
		printk(KERN_INFO "  #%d [%010llx - %010llx] %15s\n", i,
		       (unsigned long long)table[i].start, (unsigned long long)table[i].end,
		       table[i].name);
		remember_boot_reservation(table[i].start, table[i].end);
	}

	/* Reuse the table in place as pfn ranges: it is dropped afterwards. */
	table += first;
	n -= first;
	sort(table, n, sizeof(*table), cmp_res, NULL);
	res = (struct pfn_range *)table;
	for (int i = 0; i < n; i++) {
		unsigned long s = PFN_DOWN(table[i].start), e = PFN_UP(table[i].end);

		if (s >= e)
			continue;
		res[nres].start = s;
		res[nres].end = e;
		nres++;
	}
	deferred_init_boot(res, nres);
	for (int i = 0; i < nr_nodemap_entries; i++) {
		unsigned long s = early_node_map[i].start_pfn;
		unsigned long e = min(early_node_map[i].end_pfn, low_end);

		if (s < e)
			freed += free_range_minus(s, e, res, nres);
	}
	early_res_drop_all();
	return freed;
}
