/*
 * show_mem.c - the memory summary printed on allocation failure and OOM
 * (show_mem, show_free_areas), and gfp flags as text.
 */
#include <kmm/gfp.h>
#include <kmm/highmem.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/printk.h>
#include <kmm/string.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"

#define K(x) ((x) << (PAGE_SHIFT - 10))
#define THREAD_SIZE 8192

static void show_node(struct zone *zone)
{
	if (arch->numa)
		printk("Node %d ", zone_to_nid(zone));
}

void show_free_areas(void)
{
	struct zone *zone;
	int cpu, k, idx;

	for_each_populated_zone(zone) {
		show_node(zone);
		printk("%s per-cpu:\n", zone->name);
		for_each_online_cpu(cpu) {
			struct per_cpu_pages *pcp = &zone->pageset[cpu].pcp;

			printk("CPU %4d: hi:%5d, btch:%4d usd:%4d\n", cpu, pcp->high, pcp->batch,
			       pcp->count);
		}
	}
	printk("active_anon:%lu inactive_anon:%lu isolated_anon:%lu\n"
	       " active_file:%lu inactive_file:%lu isolated_file:%lu\n"
	       " unevictable:%lu"
	       " dirty:%lu writeback:%lu unstable:%lu\n"
	       " free:%lu slab_reclaimable:%lu slab_unreclaimable:%lu\n"
	       " mapped:%lu shmem:%lu pagetables:%lu bounce:%lu\n",
	       global_page_state(NR_ACTIVE_ANON), global_page_state(NR_INACTIVE_ANON),
	       global_page_state(NR_ISOLATED_ANON), global_page_state(NR_ACTIVE_FILE),
	       global_page_state(NR_INACTIVE_FILE), global_page_state(NR_ISOLATED_FILE),
	       global_page_state(NR_UNEVICTABLE), global_page_state(NR_FILE_DIRTY),
	       global_page_state(NR_WRITEBACK), global_page_state(NR_UNSTABLE_NFS),
	       global_page_state(NR_FREE_PAGES), global_page_state(NR_SLAB_RECLAIMABLE),
	       global_page_state(NR_SLAB_UNRECLAIMABLE), global_page_state(NR_FILE_MAPPED),
	       global_page_state(NR_SHMEM), global_page_state(NR_PAGETABLE),
	       global_page_state(NR_BOUNCE));

	for_each_populated_zone(zone) {
		show_node(zone);
		printk("%s free:%lukB min:%lukB low:%lukB high:%lukB active_anon:%lukB inactive_anon:%lukB"
		       " active_file:%lukB inactive_file:%lukB unevictable:%lukB isolated(anon):%lukB"
		       " isolated(file):%lukB present:%lukB mlocked:%lukB dirty:%lukB writeback:%lukB"
		       " mapped:%lukB shmem:%lukB slab_reclaimable:%lukB slab_unreclaimable:%lukB"
		       " kernel_stack:%lukB pagetables:%lukB unstable:%lukB bounce:%lukB"
		       " writeback_tmp:%lukB pages_scanned:%lu all_unreclaimable? %s\n",
		       zone->name, K(zone_page_state(zone, NR_FREE_PAGES)), K(min_wmark_pages(zone)),
		       K(low_wmark_pages(zone)), K(high_wmark_pages(zone)),
		       K(zone_page_state(zone, NR_ACTIVE_ANON)), K(zone_page_state(zone, NR_INACTIVE_ANON)),
		       K(zone_page_state(zone, NR_ACTIVE_FILE)), K(zone_page_state(zone, NR_INACTIVE_FILE)),
		       K(zone_page_state(zone, NR_UNEVICTABLE)), K(zone_page_state(zone, NR_ISOLATED_ANON)),
		       K(zone_page_state(zone, NR_ISOLATED_FILE)), K(zone->present_pages),
		       K(zone_page_state(zone, NR_MLOCK)), K(zone_page_state(zone, NR_FILE_DIRTY)),
		       K(zone_page_state(zone, NR_WRITEBACK)), K(zone_page_state(zone, NR_FILE_MAPPED)),
		       K(zone_page_state(zone, NR_SHMEM)), K(zone_page_state(zone, NR_SLAB_RECLAIMABLE)),
		       K(zone_page_state(zone, NR_SLAB_UNRECLAIMABLE)),
		       zone_page_state(zone, NR_KERNEL_STACK) * THREAD_SIZE / 1024,
		       K(zone_page_state(zone, NR_PAGETABLE)), K(zone_page_state(zone, NR_UNSTABLE_NFS)),
		       K(zone_page_state(zone, NR_BOUNCE)), K(zone_page_state(zone, NR_WRITEBACK_TEMP)),
		       zone->pages_scanned, zone->all_unreclaimable ? "yes" : "no");
		printk("lowmem_reserve[]:");
		for_each_arch_zone(k, idx)
			printk(" %lu", zone->lowmem_reserve[idx]);
		printk("\n");
	}

	for_each_populated_zone(zone) {
		unsigned long nr[MAX_ORDER], flags, total = 0;

		show_node(zone);
		printk("%s: ", zone->name);
		spin_lock_irqsave(&zone->lock, flags);
		for (int order = 0; order < MAX_ORDER; order++) {
			nr[order] = zone->free_area[order].nr_free;
			total += nr[order] << order;
		}
		spin_unlock_irqrestore(&zone->lock, flags);
		for (int order = 0; order < MAX_ORDER; order++)
			printk("%lu*%lukB ", nr[order], K(1UL) << order);
		printk("= %lukB\n", K(total));
	}
	printk("%ld total pagecache pages\n", global_page_state(NR_FILE_PAGES));
	printk("%lu pages in swap cache\n", 0UL);
	printk("Swap cache stats: add %lu, delete %lu, find %lu/%lu\n", 0UL, 0UL, 0UL, 0UL);
	printk("Free swap  = %ldkB\n", 0L);
	printk("Total swap = %lukB\n", 0UL);
}

void show_mem(void)
{
	pg_data_t *pgdat;
	unsigned long total = 0, reserved = 0, shared = 0, nonshared = 0, highmem = 0;

	printk("Mem-Info:\n");
	show_free_areas();
	for_each_online_pgdat(pgdat) {
		unsigned long end = pgdat->node_start_pfn + pgdat->node_spanned_pages;

		for (unsigned long pfn = pgdat->node_start_pfn; pfn < end; pfn++) {
			unsigned long dend;
			struct page *page;

			if (!pfn_valid(pfn))
				continue;
			/* Deferred memory (deferred_init.c): free lowmem pages, unwritten. */
			if (!(pfn & (MAX_ORDER_NR_PAGES - 1)) && (dend = deferred_range_end(pfn))) {
				dend = min(dend, end);
				total += dend - pfn;
				pfn = dend - 1;
				continue;
			}
			page = pfn_to_page(pfn);
			if (PageHighMem(page))
				highmem++;
			if (PageReserved(page))
				reserved++;
			else if (page_count(page) == 1)
				nonshared++;
			else if (page_count(page) > 1)
				shared += page_count(page) - 1;
			total++;
		}
	}
	printk("%lu pages RAM\n", total);
	if (arch->highmem)
		printk("%lu pages HighMem\n", highmem);
	printk("%lu pages reserved\n", reserved);
	printk("%lu pages shared\n", shared);
	printk("%lu pages non-shared\n", nonshared);
}

static const struct {
	gfp_t mask;
	const char *name;
} gfp_names[] = {
	{ GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
	{ GFP_HIGHUSER, "GFP_HIGHUSER" },
	{ GFP_USER, "GFP_USER" },
	{ GFP_TEMPORARY, "GFP_TEMPORARY" },
	{ GFP_KERNEL, "GFP_KERNEL" },
	{ GFP_NOFS, "GFP_NOFS" },
	{ GFP_ATOMIC, "GFP_ATOMIC" },
	{ GFP_NOIO, "GFP_NOIO" },
	{ __GFP_HIGH, "GFP_HIGH" },
	{ __GFP_WAIT, "GFP_WAIT" },
	{ __GFP_IO, "GFP_IO" },
	{ __GFP_COLD, "GFP_COLD" },
	{ __GFP_NOWARN, "GFP_NOWARN" },
	{ __GFP_REPEAT, "GFP_REPEAT" },
	{ __GFP_NOFAIL, "GFP_NOFAIL" },
	{ __GFP_NORETRY, "GFP_NORETRY" },
	{ __GFP_COMP, "GFP_COMP" },
	{ __GFP_ZERO, "GFP_ZERO" },
	{ __GFP_NOMEMALLOC, "GFP_NOMEMALLOC" },
	{ __GFP_HARDWALL, "GFP_HARDWALL" },
	{ __GFP_THISNODE, "GFP_THISNODE" },
	{ __GFP_RECLAIMABLE, "GFP_RECLAIMABLE" },
	{ __GFP_MOVABLE, "GFP_MOVABLE" },
};

void format_gfp_flags(char *buf, size_t size, gfp_t flags)
{
	size_t n = 0;
	const char *delim = "";

	if (!flags) {
		strlcpy(buf, "GFP_NOWAIT", size);
		return;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(gfp_names) && flags; i++) {
		if ((flags & gfp_names[i].mask) != gfp_names[i].mask)
			continue;
		flags &= ~gfp_names[i].mask;
		n += scnprintf(buf + n, size - n, "%s%s", delim, gfp_names[i].name);
		delim = "|";
	}
	if (flags)
		scnprintf(buf + n, size - n, "%s0x%x", delim, flags);
}
