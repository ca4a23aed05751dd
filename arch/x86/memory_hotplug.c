/*
 * arch/x86/memory_hotplug.c - the architecture's half of hot-adding RAM
 * (2.6.34's arch_add_memory in arch/x86/mm/init_64.c and init_32.c): the
 * machine grows its RAM, the direct map covers the new range (x86_64), and
 * the firmware map and the end-of-memory variables say so.
 *
 * x86_64: init_memory_mapping() maps the new range as at boot, in the
 * largest pages allowed (2M, or 1G for a whole aligned gigabyte with
 * gbpages), into swapper_pg_dir.  Its new tables come from the page
 * allocator, counted and allocated before a single entry is written, so
 * the mapping itself cannot fail half-way (2.6.34 took them one by one
 * with get_zeroed_page and did not check).  i386: new memory is HIGHMEM
 * (arch_add_memory puts it in ZONE_HIGHMEM), outside the direct map, so
 * only the machine's own view grows.
 *
 * Without PSE (nopse) the direct map would need a PTE table per 2M; kmm
 * refuses such an add (glossary).  What lives elsewhere: the struct pages
 * (mm/sparse.c), zones, memory blocks and onlining (mm/memory_hotplug.c).
 */
#include <kmm/bootmem.h>
#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/pgtable.h>
#include <kmm/printk.h>
#include <kmm/tlbflush.h>
#include "arch/x86/e820.h"
#include "arch/x86/hotplug.h"
#include "arch/x86/setup.h"
#include "hw/ram.h"

/* At most: a PUD table and a PMD table per gigabyte of one add; hot-adds are a few GB. */
#define MAX_HOTPLUG_TABLES	64

/* The tables the last arch_add_memory() took, for arch_remove_memory(). */
static struct {
	void *table[MAX_HOTPLUG_TABLES];
	int nr;
	unsigned long direct_2m, direct_1g;	/* DirectMap leaves it added */
} last __state_zero;

extern unsigned long direct_pages_count[];

/* The direct map's Linux address of physical @pa. */
static unsigned long direct_va(u64 pa)
{
	return (unsigned long)(arch->page_offset + pa);
}

/*
 * How many table pages mapping the pieces @mr needs: a PUD table for a
 * missing PGD entry, a PMD table for each gigabyte whose PUD entry is
 * missing, unless that gigabyte becomes one 1G page.  The same decisions
 * kernel_physical_mapping_init() makes, taken before it runs.
 */
static int tables_needed(const struct map_range *mr, int nr)
{
	unsigned long pgd_seen = ~0UL;
	int need = 0;

	for (int i = 0; i < nr; i++) {
		for (u64 pa = mr[i].start; pa < mr[i].end; pa = (pa & PUD_MASK) + PUD_SIZE) {
			pgd_t *pgd = pgd_offset_k(direct_va(pa));
			bool whole = map_range_level(&mr[i]) == PG_LEVEL_1G && !(pa & ~PUD_MASK) &&
				     pa + PUD_SIZE <= mr[i].end;

			if (pgd_none(pgdp_get(pgd))) {
				if (pgd_index(direct_va(pa)) != pgd_seen)
					need++;
				pgd_seen = pgd_index(direct_va(pa));
				need += !whole;
				continue;
			}
			if (pud_none(pudp_get(pud_offset(pgd, direct_va(pa)))) && !whole)
				need++;
		}
	}
	return need;
}

static bool table_taken(const void *table)
{
	for (int i = 0; i < last.nr; i++)
		if (last.table[i] == table)
			return true;
	return false;
}

static void free_tables(void **table, int nr)
{
	for (int i = 0; i < nr; i++)
		free_page((unsigned long)table[i]);
}

/*
 * The direct mapping of [start, end) after boot.  Fails only before
 * writing: -ENOMEM when a table page cannot be had (nothing changed).
 */
static int hotplug_memory_mapping(u64 start, u64 end)
{
	struct map_range mr[NR_RANGE_MR];
	int nr = split_mem_range(mr, start, end), need = tables_needed(mr, nr);
	unsigned long c1 = direct_pages_count[1], c2 = direct_pages_count[2];

	if (need > MAX_HOTPLUG_TABLES)
		return -ENOMEM;
	for (last.nr = 0; last.nr < need; last.nr++) {
		last.table[last.nr] = (void *)__get_free_page(GFP_KERNEL);
		if (!last.table[last.nr]) {
			free_tables(last.table, last.nr);
			last.nr = 0;
			return -ENOMEM;
		}
	}
	print_mem_ranges(mr, nr, start, end);
	table_pool_set(last.table, last.nr);
	for (int i = 0; i < nr; i++)
		kernel_physical_mapping_init(mr[i].start, mr[i].end, map_range_level(&mr[i]));
	BUG_ON(table_pool_taken() != last.nr);
	table_pool_set(NULL, 0);
	last.direct_2m = direct_pages_count[1] - c1;
	last.direct_1g = direct_pages_count[2] - c2;
	max_pfn_mapped = max(max_pfn_mapped, (unsigned long)(end >> PAGE_SHIFT));
	return 0;
}

/* Clear the direct map of [start, end) and give back the tables the add took. */
static void hotplug_memory_unmap(u64 start, u64 end)
{
	for (u64 pa = start; pa < end;) {
		unsigned long va = direct_va(pa);
		pud_t *pud = pud_offset(pgd_offset_k(va), va);

		if (pud_large(pudp_get(pud))) {
			pud_clear(pud);
			pa += PUD_SIZE;
			continue;
		}
		pmd_clear(pmd_offset(pud, va));
		pa += PMD_SIZE;
	}
	/* A table taken by this add serves only the new range: unlink it, then free it. */
	for (u64 pa = start & PUD_MASK; pa < end; pa += PUD_SIZE) {
		unsigned long va = direct_va(pa);
		pgd_t *pgd = pgd_offset_k(va);
		pud_t *pud;

		if (pgd_none(pgdp_get(pgd)))
			continue;
		pud = pud_offset(pgd, va);
		if (!pud_none(pudp_get(pud)) && !pud_large(pudp_get(pud)) &&
		    table_taken(pud_page_vaddr(pudp_get(pud))))
			pud_clear(pud);
		if (table_taken(pgd_page_vaddr(pgdp_get(pgd))))
			pgd_clear(pgd);
	}
	free_tables(last.table, last.nr);
	last.nr = 0;
	direct_pages_count[1] -= last.direct_2m;
	direct_pages_count[2] -= last.direct_1g;
	flush_tlb_kernel_range(direct_va(start), direct_va(end));
}

/*
 * RAM grows to cover [start, start + size) (the range starts at or above
 * the end of RAM: the memfd only grows at its top), then the direct map
 * covers it on x86_64.  Returns the zone the new pages belong to, ZONE_NORMAL
 * (x86_64) or ZONE_HIGHMEM (i386), or a negative errno with nothing changed.
 */
int arch_add_memory(int nid, u64 start, u64 size)
{
	bool direct = !arch->highmem;
	u64 old_size = hw_ram_size;
	int err;

	(void)nid;
	if (direct && no_pse)
		return -EINVAL;
	if (e820.nr_map >= E820MAX)
		return -ENOSPC;
	err = hw_ram_grow(start + size, direct);
	if (err)
		return err;
	if (direct) {
		err = hotplug_memory_mapping(start, start + size);
		if (err) {
			hw_ram_shrink(old_size);
			return err;
		}
	}
	return direct ? ZONE_NORMAL : ZONE_HIGHMEM;
}

void arch_remove_memory(u64 start, u64 size, u64 old_ram_size)
{
	if (!arch->highmem)
		hotplug_memory_unmap(start, start + size);
	hw_ram_shrink(old_ram_size);
}

/*
 * The add is done (the other CPUs stopped): RAM's size, the firmware map lists the new RAM (what /proc/iomem
 * shows as "System RAM"), and max_pfn, max_low_pfn (x86_64) and
 * num_physpages reach its end, as update_end_of_memory_vars() did.
 */
void arch_commit_memory(u64 start, u64 size)
{
	unsigned long end_pfn = (unsigned long)((start + size) >> PAGE_SHIFT);

	hw_ram_commit();
	e820_add_ram(start, size);
	if (end_pfn > max_pfn) {
		max_pfn = end_pfn;
		if (!arch->highmem)
			max_low_pfn = end_pfn;
	}
	if (arch->highmem)
		highend_pfn = max(highend_pfn, end_pfn);
}
