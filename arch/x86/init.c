/*
 * arch/x86/init.c - mem_init(): the hand-over of boot memory to the buddy
 * allocator and the "Memory:" summary; on i386 also the highmem pages
 * (freed one by one, as set_highmem_pages_init() did) and the printed
 * virtual memory layout.
 */
#include <kmm/bootmem.h>
#include <kmm/gfp.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/printk.h>
#include <kmm/vmstat.h>
#include "arch/x86/e820.h"
#include "arch/x86/setup.h"
#include "mm/boot.h"

unsigned long totalram_pages __state_zero;
unsigned long totalhigh_pages __state_zero;
pg_data_t contig_page_data __state_bulk;

static void add_highpages_with_active_regions(int nid, unsigned long start_pfn,
					      unsigned long end_pfn)
{
	for (int i = 0; i < nr_nodemap_entries; i++) {
		unsigned long s = max(start_pfn, early_node_map[i].start_pfn);
		unsigned long e = min(end_pfn, early_node_map[i].end_pfn);

		if (early_node_map[i].nid != nid)
			continue;
		for (unsigned long pfn = s; pfn < e; pfn++) {
			struct page *page = pfn_to_page(pfn);

			if (!pfn_valid(pfn))
				continue;
			__ClearPageReserved(page);
			init_page_count(page);
			__free_page(page);
			totalhigh_pages++;
		}
	}
}

static void set_highmem_pages_init(void)
{
	struct zone *zone;

	for_each_zone(zone) {
		if (!is_highmem(zone) || !zone->spanned_pages)
			continue;
		printk(KERN_INFO "Initializing %s for node %d (%08lx:%08lx)\n", zone->name,
		       zone_to_nid(zone), zone->zone_start_pfn,
		       zone->zone_start_pfn + zone->spanned_pages);
		add_highpages_with_active_regions(zone_to_nid(zone), zone->zone_start_pfn,
						  zone->zone_start_pfn + zone->spanned_pages);
	}
	totalram_pages += totalhigh_pages;
}

static unsigned long nr_free_pages_now(void)
{
	return global_page_state(NR_FREE_PAGES);
}

static void mem_init_64(void)
{
	unsigned long absent, reserved;

	totalram_pages = free_all_bootmem();
	mm_set_boot_done();
	absent = absent_pages_in_range(0, max_pfn);
	reserved = max_pfn - totalram_pages - absent;
	printk(KERN_INFO "Memory: %luk/%luk available (%lluk kernel code, %luk absent, %luk reserved, %lluk data, %lluk init)\n",
	       nr_free_pages_now() << (PAGE_SHIFT - 10), max_pfn << (PAGE_SHIFT - 10),
	       (unsigned long long)(kimage.etext - kimage.text) >> 10,
	       absent << (PAGE_SHIFT - 10), reserved << (PAGE_SHIFT - 10),
	       (unsigned long long)(kimage.edata - kimage.etext) >> 10,
	       (unsigned long long)(kimage.init_end - kimage.init_begin) >> 10);
}

static void mem_init_32(void)
{
	unsigned long reserved = 0;
	u64 po = arch->page_offset;

	totalram_pages += free_all_bootmem();
	mm_set_boot_done();
	for (unsigned long pfn = 0; pfn < max_low_pfn; pfn++)
		if (page_is_ram(pfn) && pfn_valid(pfn) && PageReserved(pfn_to_page(pfn)))
			reserved++;
	set_highmem_pages_init();
	printk(KERN_INFO "Memory: %luk/%luk available (%lluk kernel code, %luk reserved, %lluk data, %lluk init, %luk highmem)\n",
	       nr_free_pages_now() << (PAGE_SHIFT - 10), num_physpages << (PAGE_SHIFT - 10),
	       (unsigned long long)(kimage.etext - kimage.text) >> 10,
	       reserved << (PAGE_SHIFT - 10),
	       (unsigned long long)(kimage.edata - kimage.etext) >> 10,
	       (unsigned long long)(kimage.init_end - kimage.init_begin) >> 10,
	       totalhigh_pages << (PAGE_SHIFT - 10));
	printk(KERN_INFO "virtual kernel memory layout:\n"
	       "    fixmap  : 0x%08llx - 0x%08llx   (%4lld kB)\n"
	       "    pkmap   : 0x%08llx - 0x%08llx   (%4lld kB)\n"
	       "    vmalloc : 0x%08llx - 0x%08llx   (%4lld MB)\n"
	       "    lowmem  : 0x%08llx - 0x%08llx   (%4lld MB)\n"
	       "      .init : 0x%08llx - 0x%08llx   (%4lld kB)\n"
	       "      .data : 0x%08llx - 0x%08llx   (%4lld kB)\n"
	       "      .text : 0x%08llx - 0x%08llx   (%4lld kB)\n",
	       arch->fixaddr_start, arch->fixaddr_top, (arch->fixaddr_top - arch->fixaddr_start) >> 10,
	       arch->pkmap_base, arch->pkmap_base + arch->last_pkmap * PAGE_SIZE,
	       (long long)(arch->last_pkmap * PAGE_SIZE) >> 10,
	       arch->vmalloc_start, arch->vmalloc_end, (arch->vmalloc_end - arch->vmalloc_start) >> 20,
	       po, po + ((u64)max_low_pfn << PAGE_SHIFT), (long long)((u64)max_low_pfn << PAGE_SHIFT) >> 20,
	       po + kimage.init_begin, po + kimage.init_end, (kimage.init_end - kimage.init_begin) >> 10,
	       po + kimage.etext, po + kimage.edata, (kimage.edata - kimage.etext) >> 10,
	       po + kimage.text, po + kimage.etext, (kimage.etext - kimage.text) >> 10);
}

void mem_init(void)
{
	if (arch->highmem)
		mem_init_32();
	else
		mem_init_64();
}
