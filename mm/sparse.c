/*
 * sparse.c - the memory map (the array of struct page) and pfn_valid().
 *
 * x86_64 uses SPARSEMEM_VMEMMAP: physical memory is cut into 128 MB
 * sections; a section containing any RAM is "present" and gets struct pages.
 * The struct pages of all sections form one virtually contiguous array at
 * VMEMMAP_START, so pfn_to_page() is an addition.  Each 2 MB piece of that
 * array is backed by RAM from the section's own node, allocated by the boot
 * allocator and mapped with one PMD, exactly as vmemmap_populate() did: the
 * PMD written in swapper_pg_dir (its PUD and PMD tables from the boot
 * allocator too, before the first block that needs them) and mirrored by a
 * host mapping of the RAM memfd into a reserved window, one mapping per run
 * of physically contiguous blocks (arch/x86/kernel_map.h).  The blocks' RAM is
 * given back to the host when the boot allocator zeroes it, so a struct
 * page never written (deferred_init.c) costs nothing.
 *
 * i386 uses FLATMEM: one array for all pfns.  Linux's i386 struct page is
 * 32 bytes and ours is 56, so the boot allocator reserves Linux's size in
 * lowmem (keeping every count Linux prints) while the array itself lives in
 * a host window of its own; see docs/glossary.md.
 */
#include <kmm/bootmem.h>
#include <kmm/bug.h>
#include <kmm/kernel.h>
#include <kmm/printk.h>
#include <kmm/string.h>
#include "arch/x86/kernel_map.h"
#include "hw/ram.h"
#include "mm/internal.h"

#define SECTION_SIZE_BITS	27
/* PFN_SECTION_SHIFT (include/kmm/mm.h) is SECTION_SIZE_BITS - PAGE_SHIFT. */
#define PAGES_PER_SECTION	(1UL << PFN_SECTION_SHIFT)
#define MAX_SECTIONS		(1UL << (40 - SECTION_SIZE_BITS))	/* 1 TB of physical space */

struct page *mem_map __state;
unsigned long max_mapnr __state;
/* x86_64: a bit per 128 MB section that has a memory map (read by pfn_valid()). */
unsigned long mem_section_present[BITS_TO_LONGS(MAX_SECTIONS)] __state;

static struct {
	char *window;				/* host window holding mem_map */
	u64 window_size;
	unsigned long nr_sections;
	u64 flat_phys;				/* i386: simulated RAM reserved for the map */
	/* vmemmap_populate(): the current run of contiguous PMDs, mapped and printed together */
	unsigned long run_start, run_end;	/* offsets into the window */
	u64 run_phys;
	int run_node;
} sm __state;

u64 page_to_linux(const struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	if (arch->highmem)
		return arch->page_offset + sm.flat_phys + (u64)pfn * arch->sizeof_page;
	return arch->vmemmap_start + (u64)pfn * sizeof(struct page);
}

/* Map the current run of contiguous PMDs with one host mapping, and print it. */
static void flush_vmemmap_run(void)
{
	if (sm.run_end == sm.run_start)
		return;
	if (kernel_map_pmds(arch->vmemmap_start + sm.run_start, sm.run_phys, sm.run_end - sm.run_start))
		panic("vmemmap: cannot map %#lx-%#lx", sm.run_start, sm.run_end);
	printk(KERN_DEBUG " [%llx-%llx] PMD -> [%llx-%llx] on node %d\n",
	       (unsigned long long)(arch->vmemmap_start + sm.run_start),
	       (unsigned long long)(arch->vmemmap_start + sm.run_end - 1),
	       (unsigned long long)(arch->page_offset + sm.run_phys),
	       (unsigned long long)(arch->page_offset + sm.run_phys + (sm.run_end - sm.run_start) - 1),
	       sm.run_node);
	sm.run_start = sm.run_end;
}

/* Back the window's [start, end) with RAM of @nid, one 2 MB block at a time. */
static void vmemmap_populate(unsigned long start, unsigned long end, int nid)
{
	unsigned long addr;

	for (addr = round_down(start, PMD_SIZE); addr < end; addr += PMD_SIZE) {
		void *block;
		u64 phys;

		if (addr < sm.run_end)
			continue;	/* populated for the previous section */
		vmemmap_tables(arch->vmemmap_start + addr, nid);
		block = __alloc_bootmem_node(NODE_DATA(nid), PMD_SIZE, PMD_SIZE, BOOTMEM_GOAL);
		phys = __pa(block);
		if (sm.run_end != addr || nid != sm.run_node ||
		    sm.run_phys + (sm.run_end - sm.run_start) != phys) {
			flush_vmemmap_run();
			sm.run_start = addr;
			sm.run_phys = phys;
			sm.run_node = nid;
		}
		sm.run_end = addr + PMD_SIZE;
	}
}

/*
 * x86_64: mark the sections that hold RAM present and give each its slice
 * of the vmemmap, on the node that owns the section's first RAM.
 */
void sparse_init(void)
{
	unsigned long nr_sections = DIV_ROUND_UP(max_pfn, PAGES_PER_SECTION);

	BUG_ON(nr_sections > MAX_SECTIONS);
	sm.nr_sections = nr_sections;
	sm.window_size = round_up((u64)nr_sections * PAGES_PER_SECTION * sizeof(struct page), PMD_SIZE);
	sm.window = hw_window_reserve(sm.window_size);
	if (!sm.window)
		panic("vmemmap: cannot reserve a %llu MB window", (unsigned long long)(sm.window_size >> 20));
	mem_map = (struct page *)sm.window;
	max_mapnr = nr_sections * PAGES_PER_SECTION;
	kernel_window_add(arch->vmemmap_start, sm.window, sm.window_size);

	for (int i = 0; i < nr_nodemap_entries; i++) {
		unsigned long s;

		for (s = early_node_map[i].start_pfn >> PFN_SECTION_SHIFT;
		     s <= (early_node_map[i].end_pfn - 1) >> PFN_SECTION_SHIFT; s++)
			__set_bit(s, mem_section_present);
	}
	for (unsigned long s = 0; s < nr_sections; s++) {
		unsigned long first = s * PAGES_PER_SECTION;
		int nid = 0;

		if (!test_bit(s, mem_section_present))
			continue;
		for (int i = 0; i < nr_nodemap_entries; i++)
			if (early_node_map[i].end_pfn > first &&
			    early_node_map[i].start_pfn < first + PAGES_PER_SECTION) {
				nid = early_node_map[i].nid;
				break;
			}
		vmemmap_populate(first * sizeof(struct page),
				 (first + PAGES_PER_SECTION) * sizeof(struct page), nid);
	}
	flush_vmemmap_run();
}

/*
 * i386: reserve Linux's map in lowmem (FLAT_NODE_MEM_MAP, aligned to
 * MAX_ORDER blocks) and give the host array a window of its own.
 */
void *memmap_alloc_flat(pg_data_t *pgdat, unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long start = start_pfn & ~(MAX_ORDER_NR_PAGES - 1);
	unsigned long end = ALIGN(end_pfn, MAX_ORDER_NR_PAGES);
	void *map;

	if (!arch->highmem)
		return pfn_to_page(start_pfn);	/* x86_64: the vmemmap is already there */
	map = alloc_bootmem_node(pgdat, (end - start) * arch->sizeof_page);
	sm.flat_phys = __pa(map) - (u64)start * arch->sizeof_page;
	sm.window_size = round_up((u64)end * sizeof(struct page), PAGE_SIZE);
	sm.window = hw_window_reserve(sm.window_size);
	if (!sm.window || hw_window_anon(sm.window, sm.window_size))
		panic("memmap: cannot reserve %llu KB for the memory map",
		      (unsigned long long)(sm.window_size >> 10));
	mem_map = (struct page *)sm.window;
	max_mapnr = end_pfn;
	printk(KERN_DEBUG "free_area_init_node: node %d, pgdat %08lx, node_mem_map %08lx\n",
	       pgdat->node_id, (unsigned long)kaddr_to_linux(pgdat),
	       (unsigned long)(arch->page_offset + sm.flat_phys + (u64)start_pfn * arch->sizeof_page));
	return pfn_to_page(start_pfn);
}

void memmap_release(void)
{
	hw_window_release(sm.window, sm.window_size);
}

long memmap_resident_pages(unsigned long pfn, unsigned long nr)
{
	return hw_resident_pages(pfn_to_page(pfn), (u64)nr * sizeof(struct page));
}

bool memmap_contains(const void *p)
{
	return sm.window && (const char *)p >= sm.window && (const char *)p < sm.window + sm.window_size;
}
