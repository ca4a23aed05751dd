/*
 * watermark.c - how much each zone keeps free, and how large the per-CPU
 * lists are.
 *
 * min_free_kbytes, sqrt(16 * lowmem in KB) clamped to [128K, 64M], is split
 * over the lowmem zones in proportion to their size: that share is the
 * zone's min watermark; low is min + 1/4 of it and high min + 1/2.  Highmem
 * zones get a token min (1/1024 of their size, 32..128 pages).  Below min
 * only privileged allocations succeed; below low kswapd is woken; kswapd
 * reclaims up to high.
 *
 * lowmem_reserve protects lower zones from allocations that could have used
 * a higher one: zone i keeps (sum of the pages of zones i+1..j) / ratio[i]
 * pages away from allocations whose highest zone is j.
 *
 * Each zone also marks up to two pageblocks MIGRATE_RESERVE, the last
 * resort of every allocation, sized from the min watermark.
 */
#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/kernel.h>
#include <kmm/log2.h>
#include <kmm/mm.h>
#include <kmm/smp.h>
#include <kmm/string.h>
#include "mm/internal.h"

#define SWAP_CLUSTER_MAX	32

int min_free_kbytes __state = 1024;
int sysctl_lowmem_reserve_ratio[MAX_NR_ZONES] __state_zero;
int percpu_pagelist_fraction __state_zero;
unsigned long totalreserve_pages __state_zero;

/*
 * Mark the first reserve_blocks MOVABLE pageblocks of the zone RESERVE (and
 * return any RESERVE blocks beyond that to MOVABLE).  Caller holds
 * zone->lock.
 */
static void setup_zone_migrate_reserve(struct zone *zone)
{
	unsigned long start_pfn = zone->zone_start_pfn, pfn;
	unsigned long end_pfn = start_pfn + zone->spanned_pages;
	int reserve;

	reserve = roundup(min_wmark_pages(zone), pageblock_nr_pages) >> pageblock_order;
	reserve = min(2, reserve);
	for (pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages) {
		struct page *page;
		int block_migratetype;

		if (!pfn_valid(pfn))
			continue;
		/*
		 * Deferred memory (deferred_init.c) is free MOVABLE blocks,
		 * the lowest of them the last of the MOVABLE list.  With no
		 * reserve left to mark there is nothing to do in it; else its
		 * lowest block comes in, already on the RESERVE list where
		 * the code below moves it, and is handled like any other.
		 * The walk steps from the zone's first pfn, as 2.6.34's does:
		 * in the DMA zone (pfn 1 on) it meets each block one page in,
		 * so a block is taken at the walk's first pfn inside it.
		 */
		if (zone->nr_deferred && (pfn & (MAX_ORDER_NR_PAGES - 1)) < pageblock_nr_pages) {
			unsigned long dend = deferred_range_end(pfn);

			if (dend && !reserve && !deferred_lent_end(pfn)) {
				/* On to the walk's first pfn past the range. */
				pfn = dend + (pfn & (pageblock_nr_pages - 1)) - pageblock_nr_pages;
				continue;
			}
			if (dend && !deferred_lent_end(pfn))
				deferred_init_lowest(zone, pfn & ~(MAX_ORDER_NR_PAGES - 1), MIGRATE_RESERVE);
		}
		/*
		 * A lent pageblock (a big run's, unwritten): every page in use,
		 * so the type changes as below and no free page moves.
		 */
		if (deferred_lent_end(pfn)) {
			int mt = __get_pageblock_migratetype(zone, pfn);

			if (reserve > 0 && (mt == MIGRATE_RESERVE || mt == MIGRATE_MOVABLE)) {
				set_zone_pageblock_migratetype(zone, pfn, MIGRATE_RESERVE);
				reserve--;
			} else if (mt == MIGRATE_RESERVE) {
				set_zone_pageblock_migratetype(zone, pfn, MIGRATE_MOVABLE);
			}
			continue;
		}
		page = pfn_to_page(pfn);
		if (page_to_nid(page) != zone_to_nid(zone))
			continue;
		/* Blocks with reserved pages (kernel, boot data) never free up. */
		if (PageReserved(page))
			continue;
		block_migratetype = get_pageblock_migratetype(page);
		if (reserve > 0 && block_migratetype == MIGRATE_RESERVE) {
			reserve--;
			continue;
		}
		if (reserve > 0 && block_migratetype == MIGRATE_MOVABLE) {
			set_pageblock_migratetype(page, MIGRATE_RESERVE);
			move_freepages_block(zone, page, MIGRATE_RESERVE);
			reserve--;
			continue;
		}
		if (block_migratetype == MIGRATE_RESERVE) {
			set_pageblock_migratetype(page, MIGRATE_MOVABLE);
			move_freepages_block(zone, page, MIGRATE_MOVABLE);
		}
	}
}

/* Pages each zone keeps out of reach of ordinary allocations (for dirty limits). */
static void calculate_totalreserve_pages(void)
{
	pg_data_t *pgdat;
	unsigned long reserve_pages = 0;

	for_each_online_pgdat(pgdat) {
		for (int i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = pgdat->node_zones + i;
			unsigned long max = 0;

			for (int j = i; j < MAX_NR_ZONES; j++)
				if (zone->lowmem_reserve[j] > max)
					max = zone->lowmem_reserve[j];
			max += high_wmark_pages(zone);
			if (max > zone->present_pages)
				max = zone->present_pages;
			reserve_pages += max;
		}
	}
	totalreserve_pages = reserve_pages;
}

void setup_per_zone_lowmem_reserve(void)
{
	pg_data_t *pgdat;
	int kj, j, ki, idx;

	for_each_online_pgdat(pgdat) {
		for_each_arch_zone(kj, j) {
			struct zone *zone = pgdat->node_zones + j;
			unsigned long present_pages = zone->present_pages;

			WRITE_ONCE(zone->lowmem_reserve[j], 0);
			for (ki = kj - 1; ki >= 0; ki--) {
				struct zone *lower;

				idx = arch->zones[ki];
				lower = pgdat->node_zones + idx;
				if (sysctl_lowmem_reserve_ratio[idx] < 1)
					sysctl_lowmem_reserve_ratio[idx] = 1;
				WRITE_ONCE(lower->lowmem_reserve[j], present_pages / sysctl_lowmem_reserve_ratio[idx]);
				present_pages += lower->present_pages;
			}
		}
	}
	calculate_totalreserve_pages();
}

void setup_per_zone_wmarks(void)
{
	unsigned long pages_min = min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;
	struct zone *zone;
	unsigned long flags;

	for_each_zone(zone)
		if (!is_highmem(zone))
			lowmem_pages += zone->present_pages;
	for_each_zone(zone) {
		u64 tmp;

		if (!zone->spanned_pages && !zone->present_pages)
			continue;
		spin_lock_irqsave(&zone->lock, flags);
		tmp = lowmem_pages ? (u64)pages_min * zone->present_pages / lowmem_pages : 0;
		if (is_highmem(zone)) {
			/* Highmem needs little: its users can wait, and lowmem is what runs out. */
			int min_pages = zone->present_pages / 1024;

			if (min_pages < SWAP_CLUSTER_MAX)
				min_pages = SWAP_CLUSTER_MAX;
			if (min_pages > 128)
				min_pages = 128;
			WRITE_ONCE(zone->watermark[WMARK_MIN], min_pages);
		} else {
			WRITE_ONCE(zone->watermark[WMARK_MIN], tmp);
		}
		WRITE_ONCE(zone->watermark[WMARK_LOW], min_wmark_pages(zone) + (tmp >> 2));
		WRITE_ONCE(zone->watermark[WMARK_HIGH], min_wmark_pages(zone) + (tmp >> 1));
		if (zone->spanned_pages)
			setup_zone_migrate_reserve(zone);
		spin_unlock_irqrestore(&zone->lock, flags);
	}
	calculate_totalreserve_pages();
}

/* The inactive anon ratio: sqrt(10 * GB of the zone), at least 1 (also after memory hotplug). */
void calculate_zone_inactive_ratio(struct zone *zone)
{
	unsigned long gb = zone->present_pages >> (30 - PAGE_SHIFT);

	zone->inactive_ratio = gb ? int_sqrt(10 * gb) : 1;
}

static void setup_per_zone_inactive_ratio(void)
{
	struct zone *zone;

	for_each_zone(zone)
		calculate_zone_inactive_ratio(zone);
}

/*
 * The initcall: size min_free_kbytes from lowmem (the DMA, DMA32 and
 * Normal zones), then everything that depends on it.
 */
void init_per_zone_wmark_min(void)
{
	unsigned long lowmem_kbytes = nr_free_buffer_pages() * (PAGE_SIZE >> 10);

	/* 256 for the DMA zones, 32 for Normal and HighMem: the 2.6.34 defaults. */
	sysctl_lowmem_reserve_ratio[ZONE_DMA] = 256;
	sysctl_lowmem_reserve_ratio[ZONE_DMA32] = 256;
	sysctl_lowmem_reserve_ratio[ZONE_NORMAL] = 32;
	sysctl_lowmem_reserve_ratio[ZONE_HIGHMEM] = 32;

	min_free_kbytes = int_sqrt(lowmem_kbytes * 16);
	if (min_free_kbytes < 128)
		min_free_kbytes = 128;
	if (min_free_kbytes > 65536)
		min_free_kbytes = 65536;
	setup_per_zone_wmarks();
	setup_per_zone_lowmem_reserve();
	setup_per_zone_inactive_ratio();
}

/* /proc/sys/vm/min_free_kbytes (minimum 0, as proc_dointvec_minmax with extra1 = 0). */
int min_free_kbytes_set(long long kbytes)
{
	if (kbytes < 0 || kbytes > INT_MAX)
		return -EINVAL;
	min_free_kbytes = kbytes;
	setup_per_zone_wmarks();
	return 0;
}

int lowmem_reserve_ratio_set(const int *ratios, int n)
{
	int k, idx;

	for_each_arch_zone(k, idx) {
		if (idx == ZONE_MOVABLE || k >= n)
			break;
		sysctl_lowmem_reserve_ratio[idx] = ratios[k];
	}
	setup_per_zone_lowmem_reserve();
	return 0;
}

/* ---- per-CPU list sizes ---- */

/*
 * The per-CPU batch: about a quarter of 1/1024 of the zone, at most 512K
 * worth of pages, rounded to 2^n - 1 so that batches of neighbouring CPUs
 * do not keep hitting the same cache colours.
 */
int zone_batchsize(struct zone *zone)
{
	int batch = zone->present_pages / 1024;

	if (batch * PAGE_SIZE > 512 * 1024)
		batch = (512 * 1024) / PAGE_SIZE;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	return rounddown_pow_of_two(batch + batch / 2) - 1;
}

void setup_pageset(struct per_cpu_pageset *p, unsigned long batch)
{
	struct per_cpu_pages *pcp = &p->pcp;

	memset(p, 0, sizeof(*p));
	pcp->count = 0;
	pcp->high = 6 * batch;
	pcp->batch = max(1UL, 1 * batch);
	for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
		INIT_LIST_HEAD(&pcp->lists[mt]);
}

static void setup_pagelist_highmark(struct per_cpu_pageset *p, unsigned long high)
{
	struct per_cpu_pages *pcp = &p->pcp;

	pcp->high = high;
	pcp->batch = max(1UL, high / 4);
	if ((high / 4) > (PAGE_SHIFT * 8))
		pcp->batch = PAGE_SHIFT * 8;
}

/*
 * One pageset per possible CPU, from the zone's own node.  Not zeroed:
 * only the pagesets of online CPUs are ever read, and each is set up
 * before its CPU comes online (setup_per_cpu_pageset for the boot CPU,
 * pageset_cpu_up for the others), so the pagesets of CPUs that never come
 * up are never written: with 512 possible CPUs and two online, a zone's
 * 64 KiB array costs the host one page, not sixteen (Linux 2.6.34 sets up
 * every possible CPU's at boot; before 2.6.34 it allocated each CPU's at
 * CPU_UP_PREPARE, as kmm does in effect).
 */
static struct per_cpu_pageset *alloc_pageset_array(struct zone *zone)
{
	size_t size = nr_cpu_ids * sizeof(struct per_cpu_pageset);
	struct page *page = alloc_pages_node(zone_to_nid(zone), GFP_KERNEL, get_order(size));

	if (!page)
		panic("setup_per_cpu_pageset: no memory for %s pagesets", zone->name);
	return page_address(page);
}

/*
 * Give every populated zone its own per-CPU lists (the boot pageset,
 * shared by all zones with high 0 and batch 1, served until now).  The
 * pagesets come from the zone's node.  Only the boot CPU is online here
 * (smp_init comes later): the others' are set up as they come up.
 */
void setup_per_cpu_pageset(void)
{
	struct zone *zone;
	int cpu;

	for_each_populated_zone(zone) {
		zone->pageset = alloc_pageset_array(zone);
		for_each_online_cpu(cpu) {
			setup_pageset(&zone->pageset[cpu], zone_batchsize(zone));
			if (percpu_pagelist_fraction)
				setup_pagelist_highmark(&zone->pageset[cpu],
							zone->present_pages / percpu_pagelist_fraction);
		}
	}
	refresh_zone_stat_thresholds();
}

/*
 * A CPU comes online after boot (kmm_cpu_up): its pagesets are set up as
 * setup_per_cpu_pageset() would set them now, with the counter threshold
 * of the zone (the running CPUs keep theirs), and so is its boot pageset,
 * which the zones still unpopulated point to (build_all_zonelists set up
 * only the CPUs online then).  Nobody uses them until the CPU is online.
 */
void pageset_cpu_up(int cpu)
{
	struct zone *zone;

	setup_pageset(&boot_pageset[cpu], 0);
	for_each_populated_zone(zone) {
		struct per_cpu_pageset *p = &zone->pageset[cpu];

		setup_pageset(p, zone_batchsize(zone));
		if (percpu_pagelist_fraction)
			setup_pagelist_highmark(p, zone->present_pages / percpu_pagelist_fraction);
		WRITE_ONCE(p->stat_threshold, calculate_threshold(zone));
	}
}

static void set_highmark_local(void *data)
{
	struct zone *zone = data;
	int cpu = smp_processor_id();

	setup_pagelist_highmark(&zone->pageset[cpu], zone->present_pages / percpu_pagelist_fraction);
}

/* /proc/sys/vm/percpu_pagelist_fraction: at least 8 (it starts at 0, "unused"). */
int percpu_pagelist_fraction_set(long long fraction)
{
	struct zone *zone;

	if (fraction < 8 || fraction > INT_MAX)
		return -EINVAL;
	percpu_pagelist_fraction = fraction;
	for_each_populated_zone(zone)
		on_each_cpu(set_highmark_local, zone, 1);
	return 0;
}
