/*
 * vmstat_proc.c - /proc/zoneinfo, /proc/buddyinfo, /proc/pagetypeinfo and
 * /proc/vmstat, in 2.6.34's formats.  Zones are shown per online node, in
 * index order, populated ones only.
 */
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/procfs.h>
#include <kmm/seq_file.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"

static const char *const vmstat_zone_text[NR_VM_ZONE_STAT_ITEMS] = {
	"nr_free_pages", "nr_inactive_anon", "nr_active_anon", "nr_inactive_file",
	"nr_active_file", "nr_unevictable", "nr_mlock", "nr_anon_pages", "nr_mapped",
	"nr_file_pages", "nr_dirty", "nr_writeback", "nr_slab_reclaimable",
	"nr_slab_unreclaimable", "nr_page_table_pages", "nr_kernel_stack", "nr_unstable",
	"nr_bounce", "nr_vmscan_write", "nr_writeback_temp", "nr_isolated_anon",
	"nr_isolated_file", "nr_shmem",
	"numa_hit", "numa_miss", "numa_foreign", "numa_interleave", "numa_local", "numa_other",
};

static const char *const zone_suffix[MAX_NR_ZONES] = {
	"_dma", "_dma32", "_normal", "_high", "_movable",
};

/* The event names before and after the per-zone groups (enum vm_event_item order). */
static const char *const vmstat_event_text[NR_VM_EVENT_ITEMS] = {
	[PGPGIN] = "pgpgin", [PGPGOUT] = "pgpgout", [PSWPIN] = "pswpin", [PSWPOUT] = "pswpout",
	[PGALLOC_DMA] = "pgalloc", [PGFREE] = "pgfree", [PGACTIVATE] = "pgactivate",
	[PGDEACTIVATE] = "pgdeactivate", [PGFAULT] = "pgfault", [PGMAJFAULT] = "pgmajfault",
	[PGREFILL_DMA] = "pgrefill", [PGSTEAL_DMA] = "pgsteal",
	[PGSCAN_KSWAPD_DMA] = "pgscan_kswapd", [PGSCAN_DIRECT_DMA] = "pgscan_direct",
	[ZONE_RECLAIM_FAILED] = "zone_reclaim_failed", [PGINODESTEAL] = "pginodesteal",
	[SLABS_SCANNED] = "slabs_scanned", [KSWAPD_STEAL] = "kswapd_steal",
	[KSWAPD_INODESTEAL] = "kswapd_inodesteal",
	[KSWAPD_LOW_WMARK_HIT_QUICKLY] = "kswapd_low_wmark_hit_quickly",
	[KSWAPD_HIGH_WMARK_HIT_QUICKLY] = "kswapd_high_wmark_hit_quickly",
	[KSWAPD_SKIP_CONGESTION_WAIT] = "kswapd_skip_congestion_wait",
	[PAGEOUTRUN] = "pageoutrun", [ALLOCSTALL] = "allocstall", [PGROTATED] = "pgrotated",
	[HTLB_BUDDY_PGALLOC] = "htlb_buddy_alloc_success",
	[HTLB_BUDDY_PGALLOC_FAIL] = "htlb_buddy_alloc_fail",
	[UNEVICTABLE_PGCULLED] = "unevictable_pgs_culled",
	[UNEVICTABLE_PGSCANNED] = "unevictable_pgs_scanned",
	[UNEVICTABLE_PGRESCUED] = "unevictable_pgs_rescued",
	[UNEVICTABLE_PGMLOCKED] = "unevictable_pgs_mlocked",
	[UNEVICTABLE_PGMUNLOCKED] = "unevictable_pgs_munlocked",
	[UNEVICTABLE_PGCLEARED] = "unevictable_pgs_cleared",
	[UNEVICTABLE_PGSTRANDED] = "unevictable_pgs_stranded",
	[UNEVICTABLE_MLOCKFREED] = "unevictable_pgs_mlockfreed",
};

static int nr_zone_stat_items(void)
{
	return arch->numa ? NR_VM_ZONE_STAT_ITEMS : NR_VM_ZONE_STAT_ITEMS_NONUMA;
}

static bool is_zone_group(int i)
{
	return i == PGALLOC_DMA || i == PGREFILL_DMA || i == PGSTEAL_DMA ||
	       i == PGSCAN_KSWAPD_DMA || i == PGSCAN_DIRECT_DMA;
}

static int vmstat_show(struct seq_file *m, const char *rest)
{
	unsigned long events[NR_VM_EVENT_ITEMS];
	int i, k, idx;

	for (i = 0; i < nr_zone_stat_items(); i++)
		seq_printf(m, "%s %lu\n", vmstat_zone_text[i], global_page_state(i));
	all_vm_events(events);
	events[PGPGIN] /= 2;
	events[PGPGOUT] /= 2;
	for (i = 0; i < NR_VM_EVENT_ITEMS; i++) {
		if (is_zone_group(i)) {
			for_each_arch_zone(k, idx)
				seq_printf(m, "%s%s %lu\n", vmstat_event_text[i], zone_suffix[idx],
					   events[i + idx]);
			i += MAX_NR_ZONES - 1;
			continue;
		}
		if (i == ZONE_RECLAIM_FAILED && !arch->numa)
			continue;
		seq_printf(m, "%s %lu\n", vmstat_event_text[i], events[i]);
	}
	return 0;
}
PROC_ENTRY(vmstat, "/proc/vmstat", vmstat_show, NULL, false);

static void zoneinfo_show_print(struct seq_file *m, pg_data_t *pgdat, struct zone *zone)
{
	int i, k, cpu;

	seq_printf(m, "Node %d, zone %8s", pgdat->node_id, zone->name);
	seq_printf(m, "\n  pages free     %lu"
		      "\n        min      %lu"
		      "\n        low      %lu"
		      "\n        high     %lu"
		      "\n        scanned  %lu"
		      "\n        spanned  %lu"
		      "\n        present  %lu",
		   zone_page_state(zone, NR_FREE_PAGES), min_wmark_pages(zone),
		   low_wmark_pages(zone), high_wmark_pages(zone), zone->pages_scanned,
		   zone->spanned_pages, zone->present_pages);
	for (i = 0; i < nr_zone_stat_items(); i++)
		seq_printf(m, "\n    %-12s %lu", vmstat_zone_text[i], zone_page_state(zone, i));
	seq_printf(m, "\n        protection: (");
	for (k = 0; k < arch->nr_zones; k++)
		seq_printf(m, k ? ", %lu" : "%lu", zone->lowmem_reserve[arch->zones[k]]);
	seq_printf(m, ")\n  pagesets");
	for_each_online_cpu(cpu) {
		struct per_cpu_pageset *pageset = &zone->pageset[cpu];

		seq_printf(m, "\n    cpu: %i"
			      "\n              count: %i"
			      "\n              high:  %i"
			      "\n              batch: %i",
			   cpu, pageset->pcp.count, pageset->pcp.high, pageset->pcp.batch);
		seq_printf(m, "\n  vm stats threshold: %d", READ_ONCE(pageset->stat_threshold));
	}
	seq_printf(m, "\n  all_unreclaimable: %u"
		      "\n  prev_priority:     %i"
		      "\n  start_pfn:         %lu"
		      "\n  inactive_ratio:    %u",
		   zone->all_unreclaimable, zone->prev_priority, zone->zone_start_pfn,
		   zone->inactive_ratio);
	seq_putc(m, '\n');
}

/* Run @print for every populated zone of every online node, under zone->lock. */
static void walk_zones(struct seq_file *m,
		       void (*print)(struct seq_file *m, pg_data_t *pgdat, struct zone *zone))
{
	pg_data_t *pgdat;

	for_each_online_pgdat(pgdat)
		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			unsigned long flags;

			if (!populated_zone(zone))
				continue;
			spin_lock_irqsave(&zone->lock, flags);
			print(m, pgdat, zone);
			spin_unlock_irqrestore(&zone->lock, flags);
		}
}

static int zoneinfo_show(struct seq_file *m, const char *rest)
{
	walk_zones(m, zoneinfo_show_print);
	return 0;
}
PROC_ENTRY(zoneinfo, "/proc/zoneinfo", zoneinfo_show, NULL, false);

static void frag_show_print(struct seq_file *m, pg_data_t *pgdat, struct zone *zone)
{
	seq_printf(m, "Node %d, zone %8s ", pgdat->node_id, zone->name);
	for (int order = 0; order < MAX_ORDER; order++)
		seq_printf(m, "%6lu ", zone->free_area[order].nr_free);
	seq_putc(m, '\n');
}

static int buddyinfo_show(struct seq_file *m, const char *rest)
{
	walk_zones(m, frag_show_print);
	return 0;
}
PROC_ENTRY(buddyinfo, "/proc/buddyinfo", buddyinfo_show, NULL, false);

static void pagetypeinfo_showfree_print(struct seq_file *m, pg_data_t *pgdat, struct zone *zone)
{
	for (int mtype = 0; mtype < MIGRATE_TYPES; mtype++) {
		seq_printf(m, "Node %4d, zone %8s, type %12s ", pgdat->node_id, zone->name,
			   migratetype_names[mtype]);
		for (int order = 0; order < MAX_ORDER; order++)
			seq_printf(m, "%6lu ", free_list_blocks(zone, order, mtype));
		seq_putc(m, '\n');
	}
}

static void pagetypeinfo_showblockcount_print(struct seq_file *m, pg_data_t *pgdat,
					      struct zone *zone)
{
	unsigned long count[MIGRATE_TYPES] = { 0 };
	unsigned long end = zone->zone_start_pfn + zone->spanned_pages;

	for (unsigned long pfn = zone->zone_start_pfn; pfn < end; pfn += pageblock_nr_pages) {
		int mtype;

		if (!pfn_valid(pfn))
			continue;
		/* A deferred block's struct pages are not written yet: its zone is this one. */
		if (deferred_range_end(pfn))
			mtype = __get_pageblock_migratetype(zone, pfn);
		else
			mtype = get_pageblock_migratetype(pfn_to_page(pfn));
		if (mtype < MIGRATE_TYPES)
			count[mtype]++;
	}
	seq_printf(m, "Node %d, zone %8s ", pgdat->node_id, zone->name);
	for (int mtype = 0; mtype < MIGRATE_TYPES; mtype++)
		seq_printf(m, "%12lu ", count[mtype]);
	seq_putc(m, '\n');
}

static int pagetypeinfo_show(struct seq_file *m, const char *rest)
{
	pg_data_t *pgdat;

	for_each_online_pgdat(pgdat) {
		if (!pgdat->node_present_pages)
			continue;
		seq_printf(m, "Page block order: %d\n", pageblock_order);
		seq_printf(m, "Pages per block:  %lu\n", pageblock_nr_pages);
		seq_putc(m, '\n');
		seq_printf(m, "%-43s ", "Free pages count per migrate type at order");
		for (int order = 0; order < MAX_ORDER; order++)
			seq_printf(m, "%6d ", order);
		seq_putc(m, '\n');
		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			unsigned long flags;

			if (!populated_zone(zone))
				continue;
			spin_lock_irqsave(&zone->lock, flags);
			pagetypeinfo_showfree_print(m, pgdat, zone);
			spin_unlock_irqrestore(&zone->lock, flags);
		}
		seq_printf(m, "\n%-23s", "Number of blocks type ");
		for (int mtype = 0; mtype < MIGRATE_TYPES; mtype++)
			seq_printf(m, "%12s ", migratetype_names[mtype]);
		seq_putc(m, '\n');
		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];

			if (populated_zone(zone))
				pagetypeinfo_showblockcount_print(m, pgdat, zone);
		}
	}
	return 0;
}
PROC_ENTRY(pagetypeinfo, "/proc/pagetypeinfo", pagetypeinfo_show, NULL, false);
