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
#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/bug.h>
#include <kmm/kernel.h>
#include <kmm/pgtable.h>
#include <kmm/printk.h>
#include <kmm/string.h>
#include "arch/x86/kernel_map.h"
#include "hw/ram.h"
#include "mm/internal.h"

#define SECTION_SIZE_BITS	27
/* PFN_SECTION_SHIFT (include/kmm/mm.h) is SECTION_SIZE_BITS - PAGE_SHIFT. */
#define PAGES_PER_SECTION	(1UL << PFN_SECTION_SHIFT)
#define MAX_SECTIONS		(1UL << (40 - SECTION_SIZE_BITS))	/* 1 TB of physical space */

struct page *mem_map __state_zero;
unsigned long max_mapnr __state_zero;
/* x86_64: a bit per 128 MB section that has a memory map (read by pfn_valid()). */
unsigned long mem_section_present[BITS_TO_LONGS(MAX_SECTIONS)] __state_zero;

static struct {
	char *window;				/* host window holding mem_map */
	u64 window_size;
	unsigned long nr_sections;
	u64 flat_phys;				/* i386: simulated RAM reserved for the map */
	/* vmemmap_populate(): the current run of contiguous PMDs, mapped and printed together */
	unsigned long run_start, run_end;	/* offsets into the window */
	u64 run_phys;
	int run_node;
} sm __state_zero;

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
	/* The window reaches as far as RAM may grow (hotplug_max=): hot-added sections map there. */
	unsigned long window_sections = max(nr_sections,
					    (unsigned long)DIV_ROUND_UP(hw_ram_max() >> PAGE_SHIFT,
									PAGES_PER_SECTION));

	BUG_ON(window_sections > MAX_SECTIONS);
	sm.nr_sections = nr_sections;
	sm.window_size = round_up((u64)window_sections * PAGES_PER_SECTION * sizeof(struct page),
				  PMD_SIZE);
	sm.window = hw_window_reserve(sm.window_size);
	if (!sm.window)
		panic("vmemmap: cannot reserve a %llu MB window", (unsigned long long)(sm.window_size >> 20));
	mem_map = (struct page *)sm.window;
	max_mapnr = window_sections * PAGES_PER_SECTION;
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
 * Memory hotplug (x86_64): the struct pages of sections [@start_pfn,
 * @start_pfn + @nr_pages), as 2.6.34's sparse_add_one_section() gets them
 * through vmemmap_populate() once bootmem is gone: each 2M block of the
 * vmemmap not yet backed is an order-9 block of the page allocator on the
 * section's node, mapped with one PMD (and one host mapping), its PUD and
 * PMD tables from the page allocator too.  A block shared with a section
 * present already is backed already.  Every page is allocated before
 * anything is mapped, so a failure frees them and changes nothing.  The
 * sections become present (pfn_valid) only at sparse_commit_sections().
 */
#define HOTPLUG_MAX_BLOCKS	64	/* 2M vmemmap blocks of one add: 64 x 2M maps 2.3G of RAM */

static struct {
	struct page *block[HOTPLUG_MAX_BLOCKS];
	unsigned long block_addr[HOTPLUG_MAX_BLOCKS];	/* offsets into the window */
	int nr;
	void *tables[2 * HOTPLUG_MAX_BLOCKS];
	int nr_tables;
} hot __state_zero;

static bool vmemmap_block_backed(unsigned long addr)
{
	unsigned long first = addr / sizeof(struct page), last = (addr + PMD_SIZE - 1) / sizeof(struct page);

	for (unsigned long s = first >> PFN_SECTION_SHIFT; s <= last >> PFN_SECTION_SHIFT; s++)
		if (s < MAX_SECTIONS && test_bit(s, mem_section_present))
			return true;
	return false;
}

static void sparse_free_hot(void)
{
	for (int i = 0; i < hot.nr; i++)
		__free_pages(hot.block[i], PMD_SHIFT - PAGE_SHIFT);
	for (int i = 0; i < hot.nr_tables; i++)
		free_page((unsigned long)hot.tables[i]);
	hot.nr = hot.nr_tables = 0;
}

int sparse_add_sections(int nid, unsigned long start_pfn, unsigned long nr_pages)
{
	unsigned long start = start_pfn * sizeof(struct page);
	unsigned long end = (start_pfn + nr_pages) * sizeof(struct page);
	int err;

	if (arch->highmem)
		return 0;	/* FLATMEM: the map's window was sized at boot (memmap_alloc_flat) */
	if (end > sm.window_size)
		return -ERANGE;
	hot.nr = hot.nr_tables = 0;
	for (unsigned long addr = round_down(start, PMD_SIZE); addr < end; addr += PMD_SIZE) {
		struct page *block;

		if (vmemmap_block_backed(addr))
			continue;
		err = -ENOMEM;
		if (hot.nr == HOTPLUG_MAX_BLOCKS)
			goto fail;
		block = alloc_pages_node(nid, GFP_KERNEL | __GFP_NOWARN, PMD_SHIFT - PAGE_SHIFT);
		if (!block)
			goto fail;
		hot.block_addr[hot.nr] = addr;
		hot.block[hot.nr++] = block;
		err = vmemmap_tables_alloc(arch->vmemmap_start + addr, nid, hot.tables, &hot.nr_tables);
		if (err)
			goto fail;
	}
	for (int i = 0; i < hot.nr; i++) {
		err = kernel_map_pmds(arch->vmemmap_start + hot.block_addr[i],
				      page_to_phys(hot.block[i]), PMD_SIZE);
		if (err) {
			for (int j = 0; j < i; j++)
				kernel_unmap_pmds(arch->vmemmap_start + hot.block_addr[j], PMD_SIZE);
			goto fail;
		}
		printk(KERN_DEBUG " [%llx-%llx] PMD -> [%llx-%llx] on node %d\n",
		       (unsigned long long)(arch->vmemmap_start + hot.block_addr[i]),
		       (unsigned long long)(arch->vmemmap_start + hot.block_addr[i] + PMD_SIZE - 1),
		       (unsigned long long)(arch->page_offset + page_to_phys(hot.block[i])),
		       (unsigned long long)(arch->page_offset + page_to_phys(hot.block[i]) + PMD_SIZE - 1),
		       nid);
	}
	return 0;
fail:
	vmemmap_tables_free(hot.tables, hot.nr_tables);
	sparse_free_hot();
	return err;
}

/* Undo the last sparse_add_sections() (a later step of the add failed). */
void sparse_remove_sections(void)
{
	for (int i = 0; i < hot.nr; i++)
		kernel_unmap_pmds(arch->vmemmap_start + hot.block_addr[i], PMD_SIZE);
	vmemmap_tables_free(hot.tables, hot.nr_tables);
	sparse_free_hot();
}

/* The add is final: its sections are present (pfn_valid), their blocks the map's for good. */
void sparse_commit_sections(unsigned long start_pfn, unsigned long nr_pages)
{
	for (unsigned long s = start_pfn >> PFN_SECTION_SHIFT;
	     s < (start_pfn + nr_pages) >> PFN_SECTION_SHIFT; s++)
		__set_bit(s, mem_section_present);
	if (arch->highmem)
		max_mapnr = max(max_mapnr, start_pfn + nr_pages);
	hot.nr = hot.nr_tables = 0;
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
	/* Room for highmem that memory hotplug may add, up to hotplug_max= (glossary). */
	sm.window_size = round_up((u64)max(end, (unsigned long)(hw_ram_max() >> PAGE_SHIFT)) *
				  sizeof(struct page), PAGE_SIZE);
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

/*
 * The struct pages of a range lie in the 2M blocks of RAM that back the
 * vmemmap (one PMD each, not contiguous in RAM): each PMD gives the
 * physical address of its piece, and the host pages wholly inside go
 * back to the host (a hole in RAM's memfd; a MAX_ORDER block's struct
 * pages are 14 whole host pages, and may straddle two PMDs).
 */
void memmap_discard(unsigned long pfn, unsigned long nr)
{
	unsigned long addr = arch->vmemmap_start + pfn * sizeof(struct page);
	unsigned long end = addr + nr * sizeof(struct page);

	if (arch->highmem)
		return;
	while (addr < end) {
		unsigned long next = min(end, (addr & PMD_MASK) + PMD_SIZE);
		unsigned int level;
		pte_t *pte = lookup_address(addr, &level);

		BUG_ON(!pte || level != PG_LEVEL_2M || !pte_present(ptep_get(pte)));
		hw_ram_discard(((u64)pte_pfn(ptep_get(pte)) << PAGE_SHIFT) + (addr & ~PMD_MASK),
			       next - addr);
		addr = next;
	}
}

bool memmap_contains(const void *p)
{
	return sm.window && (const char *)p >= sm.window && (const char *)p < sm.window + sm.window_size;
}
