/*
 * mm_init.c - sizing and initialising nodes, zones and the memory map at
 * boot (free_area_init_nodes and what it calls; seed 003, 2.3.2).
 *
 * The architecture gives the highest pfn of each zone type; with the
 * early_node_map this fixes every zone's span on every node.  A zone's
 * present pages are its span minus holes, minus the pages its own memory
 * map occupies (and, for the first zone, dma_reserve).  Every struct page
 * starts reserved with one reference and every pageblock starts MOVABLE;
 * the boot allocator's hand-over frees what is really free.
 *
 * kernelcore= / movablecore= carve ZONE_MOVABLE out of the highest zone of
 * each node: the kernel keeps the given amount spread evenly over the
 * nodes, the rest of each node becomes movable.
 */
#include <kmm/bootmem.h>
#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/log2.h>
#include <kmm/params.h>
#include <kmm/printk.h>
#include <kmm/slab.h>
#include <kmm/string.h>
#include "mm/internal.h"

/* The class of every zone->lock, for the lock order in mm/internal.h. */
const struct lock_class_key zone_lock_key;

unsigned long arch_zone_lowest_possible_pfn[MAX_NR_ZONES] __state_zero;
unsigned long arch_zone_highest_possible_pfn[MAX_NR_ZONES] __state_zero;
unsigned long zone_movable_pfn[MAX_NUMNODES] __state_zero;
unsigned long nr_kernel_pages __state_zero, nr_all_pages __state_zero;
static unsigned long dma_reserve __state_zero;
static unsigned long required_kernelcore __state_zero;
static unsigned long required_movablecore __state_zero;
int movable_zone __state_zero;

const char *const zone_names[MAX_NR_ZONES] = {
	"DMA", "DMA32", "Normal", "HighMem", "Movable",
};

static int cmdline_parse_core(const char *p, unsigned long *core)
{
	u64 coremem;

	if (!p || parse_size(p, &coremem))
		return kmm_error("%s=%s: not a size", param_current_name(), p ? p : "");
	*core = coremem >> PAGE_SHIFT;
	return 0;
}

static int set_kernelcore(const char *p)
{
	return cmdline_parse_core(p, &required_kernelcore);
}
early_param("kernelcore", set_kernelcore, "memory kept for unmovable allocations; the rest of each node becomes ZONE_MOVABLE");

static int set_movablecore(const char *p)
{
	return cmdline_parse_core(p, &required_movablecore);
}
early_param("movablecore", set_movablecore, "memory to put in ZONE_MOVABLE, spread over the nodes");

static bool node_has_memory(int nid)
{
	int i;

	for_each_active_range_index_in_nid(i, nid)
		return true;
	return false;
}

/* The highest configured zone (not MOVABLE) that has pages: movable pages come from it. */
static void find_usable_zone_for_movable(void)
{
	int k, zone_index;

	movable_zone = ZONE_DMA;
	for_each_arch_zone(k, zone_index) {
		if (zone_index == ZONE_MOVABLE)
			continue;
		if (arch_zone_highest_possible_pfn[zone_index] >
		    arch_zone_lowest_possible_pfn[zone_index])
			movable_zone = zone_index;
	}
}

static void find_zone_movable_pfns_for_nodes(void)
{
	unsigned long usable_startpfn, totalpages = 0, kernelcore_node;
	int usable_nodes = 0, nid, i;

	for (i = 0; i < nr_nodemap_entries; i++)
		totalpages += early_node_map[i].end_pfn - early_node_map[i].start_pfn;
	for (nid = 0; nid < MAX_NUMNODES; nid++)
		if (node_has_memory(nid))
			usable_nodes++;

	if (required_movablecore) {
		unsigned long corepages;

		required_movablecore = roundup(required_movablecore, MAX_ORDER_NR_PAGES);
		corepages = totalpages > required_movablecore ? totalpages - required_movablecore : 0;
		required_kernelcore = max(required_kernelcore, corepages);
	}
	if (!required_kernelcore)
		return;

	find_usable_zone_for_movable();
	usable_startpfn = arch_zone_lowest_possible_pfn[movable_zone];

restart:
	kernelcore_node = required_kernelcore / usable_nodes;
	for (nid = 0; nid < MAX_NUMNODES; nid++) {
		unsigned long kernelcore_remaining;

		if (!node_has_memory(nid))
			continue;
		if (required_kernelcore < kernelcore_node)
			kernelcore_node = required_kernelcore / usable_nodes;
		kernelcore_remaining = kernelcore_node;
		for_each_active_range_index_in_nid(i, nid) {
			unsigned long start_pfn = max(early_node_map[i].start_pfn, zone_movable_pfn[nid]);
			unsigned long end_pfn = early_node_map[i].end_pfn;
			unsigned long size_pages;

			if (start_pfn >= end_pfn)
				continue;
			/* Pages below the movable zone's range count as kernel memory. */
			if (start_pfn < usable_startpfn) {
				unsigned long kernel_pages = min(end_pfn, usable_startpfn) - start_pfn;

				kernelcore_remaining -= min(kernel_pages, kernelcore_remaining);
				required_kernelcore -= min(kernel_pages, required_kernelcore);
				if (end_pfn <= usable_startpfn) {
					zone_movable_pfn[nid] = end_pfn;
					continue;
				}
				start_pfn = usable_startpfn;
			}
			size_pages = min(end_pfn - start_pfn, kernelcore_remaining);
			zone_movable_pfn[nid] = start_pfn + size_pages;
			required_kernelcore -= min(required_kernelcore, size_pages);
			kernelcore_remaining -= size_pages;
			if (!kernelcore_remaining)
				break;
		}
	}
	usable_nodes--;
	if (usable_nodes && required_kernelcore > (unsigned long)usable_nodes)
		goto restart;
	for (nid = 0; nid < MAX_NUMNODES; nid++)
		zone_movable_pfn[nid] = roundup(zone_movable_pfn[nid], MAX_ORDER_NR_PAGES);
}

static void adjust_zone_range_for_zone_movable(int nid, unsigned long zone_type,
					       unsigned long node_end_pfn,
					       unsigned long *zone_start_pfn,
					       unsigned long *zone_end_pfn)
{
	if (!zone_movable_pfn[nid])
		return;
	if (zone_type == ZONE_MOVABLE) {
		*zone_start_pfn = zone_movable_pfn[nid];
		*zone_end_pfn = min(node_end_pfn, arch_zone_highest_possible_pfn[movable_zone]);
	} else if (*zone_start_pfn < zone_movable_pfn[nid] &&
		   *zone_end_pfn > zone_movable_pfn[nid]) {
		*zone_end_pfn = zone_movable_pfn[nid];
	} else if (*zone_start_pfn >= zone_movable_pfn[nid]) {
		*zone_start_pfn = *zone_end_pfn;
	}
}

static unsigned long zone_spanned_pages_in_node(int nid, unsigned long zone_type)
{
	unsigned long node_start_pfn, node_end_pfn, zone_start_pfn, zone_end_pfn;

	get_pfn_range_for_nid(nid, &node_start_pfn, &node_end_pfn);
	zone_start_pfn = arch_zone_lowest_possible_pfn[zone_type];
	zone_end_pfn = arch_zone_highest_possible_pfn[zone_type];
	adjust_zone_range_for_zone_movable(nid, zone_type, node_end_pfn,
					   &zone_start_pfn, &zone_end_pfn);
	if (zone_end_pfn < node_start_pfn || zone_start_pfn > node_end_pfn)
		return 0;
	zone_end_pfn = min(zone_end_pfn, node_end_pfn);
	zone_start_pfn = max(zone_start_pfn, node_start_pfn);
	return zone_end_pfn - zone_start_pfn;
}

static unsigned long zone_absent_pages_in_node(int nid, unsigned long zone_type)
{
	unsigned long node_start_pfn, node_end_pfn, zone_start_pfn, zone_end_pfn;

	get_pfn_range_for_nid(nid, &node_start_pfn, &node_end_pfn);
	zone_start_pfn = clamp(arch_zone_lowest_possible_pfn[zone_type], node_start_pfn, node_end_pfn);
	zone_end_pfn = clamp(arch_zone_highest_possible_pfn[zone_type], node_start_pfn, node_end_pfn);
	adjust_zone_range_for_zone_movable(nid, zone_type, node_end_pfn,
					   &zone_start_pfn, &zone_end_pfn);
	return __absent_pages_in_range(nid, zone_start_pfn, zone_end_pfn);
}

static void calculate_node_totalpages(pg_data_t *pgdat)
{
	unsigned long totalpages = 0, realtotalpages;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		totalpages += zone_spanned_pages_in_node(pgdat->node_id, i);
	pgdat->node_spanned_pages = totalpages;
	realtotalpages = totalpages;
	for (i = 0; i < MAX_NR_ZONES; i++)
		realtotalpages -= zone_absent_pages_in_node(pgdat->node_id, i);
	pgdat->node_present_pages = realtotalpages;
	printk(KERN_DEBUG "On node %d totalpages: %lu\n", pgdat->node_id, realtotalpages);
}

/* Pageblock bitmap size: NR_PAGEBLOCK_BITS per block, blocks aligned to the block size. */
unsigned long usemap_size(unsigned long zone_start_pfn, unsigned long zonesize)
{
	unsigned long first = round_down(zone_start_pfn, pageblock_nr_pages);
	unsigned long last = roundup(zone_start_pfn + zonesize, pageblock_nr_pages);
	unsigned long bits = ((last - first) >> pageblock_order) * NR_PAGEBLOCK_BITS;

	return roundup(bits, 8 * sizeof(unsigned long)) / 8;
}

#define PAGES_PER_WAITQUEUE	256

static unsigned long wait_table_hash_nr_entries(unsigned long pages)
{
	unsigned long size = 1;

	pages /= PAGES_PER_WAITQUEUE;
	while (size < pages)
		size <<= 1;
	size = min(size, 4096UL);
	return max(size, 4UL);
}

static void zone_wait_table_init(struct zone *zone, unsigned long zone_size_pages)
{
	zone->wait_table_hash_nr_entries = wait_table_hash_nr_entries(zone_size_pages);
	zone->wait_table_bits = ilog2(zone->wait_table_hash_nr_entries);
	zone->wait_table = alloc_bootmem_node(zone->zone_pgdat,
			zone->wait_table_hash_nr_entries * sizeof(wait_queue_head_t));
	for (unsigned long i = 0; i < zone->wait_table_hash_nr_entries; i++)
		init_waitqueue_head(zone->wait_table + i);
}

/*
 * Memory hotplug: a zone that had no pages gets its wait table now, from
 * the slab allocator (2.6.34 took it from vmalloc after boot), sized for
 * @size pages as at boot; its span starts at @start_pfn.  0 or -ENOMEM
 * (then nothing changed).  The caller holds the zone's span lock.
 */
int init_currently_empty_zone(struct zone *zone, unsigned long start_pfn, unsigned long size)
{
	unsigned long entries = wait_table_hash_nr_entries(size);
	wait_queue_head_t *table = kmalloc(entries * sizeof(*table), GFP_KERNEL);
	struct pglist_data *pgdat = zone->zone_pgdat;

	if (!table)
		return -ENOMEM;
	for (unsigned long i = 0; i < entries; i++)
		init_waitqueue_head(table + i);
	zone->wait_table = table;
	zone->wait_table_hash_nr_entries = entries;
	zone->wait_table_bits = ilog2(entries);
	zone->zone_start_pfn = start_pfn;
	pgdat->nr_zones = max(pgdat->nr_zones, (int)zone_idx(zone) + 1);
	return 0;
}

static void zone_init_free_lists(struct zone *zone)
{
	for (int order = 0; order < MAX_ORDER; order++) {
		for (int t = 0; t < MIGRATE_TYPES; t++)
			INIT_LIST_HEAD(&zone->free_area[order].free_list[t]);
		zone->free_area[order].nr_free = 0;
	}
}

/* The node whose RAM @pfn is, or -1 for a hole. */
static int memmap_pfn_nid(unsigned long pfn, int *cache)
{
	int i = *cache;

	if (i < nr_nodemap_entries && pfn >= early_node_map[i].start_pfn &&
	    pfn < early_node_map[i].end_pfn)
		return early_node_map[i].nid;
	for (i = 0; i < nr_nodemap_entries; i++)
		if (pfn >= early_node_map[i].start_pfn && pfn < early_node_map[i].end_pfn) {
			*cache = i;
			return early_node_map[i].nid;
		}
	return -1;
}

/* What every struct page of a zone starts as: reserved, one reference, no mapping. */
static void init_single_page(struct page *page, unsigned long zone, int nid)
{
	memset(page, 0, sizeof(*page));
	set_page_links(page, zone, nid);
	init_page_count(page);
	reset_page_mapcount(page);
	__SetPageReserved(page);
	INIT_LIST_HEAD(&page->lru);
}

void memmap_init_block(struct zone *zone, unsigned long pfn)
{
	struct page *page = pfn_to_page(pfn);

	for (unsigned long i = 0; i < MAX_ORDER_NR_PAGES; i++)
		init_single_page(page + i, zone_idx(zone), zone_to_nid(zone));
}

/*
 * Every page starts reserved, with one reference and no mapping; every
 * pageblock starts MOVABLE.  A hole's struct pages belong to the zone that
 * spans them; another node's RAM is left to that node.  Blocks that may
 * turn out free at the hand-over are left to it (deferred_init.c): only
 * their pageblocks are typed here.
 */
static void memmap_init_zone(unsigned long size, int nid, unsigned long zone,
			     unsigned long start_pfn)
{
	struct zone *z = &NODE_DATA(nid)->node_zones[zone];
	unsigned long end_pfn = start_pfn + size, pfn;
	int cache = 0;

	for (pfn = start_pfn; pfn < end_pfn; pfn++) {
		struct page *page;

		if (!(pfn & (MAX_ORDER_NR_PAGES - 1)) && deferred_block_candidate(z, pfn)) {
			for (unsigned long i = 0; i < MAX_ORDER_NR_PAGES; i += pageblock_nr_pages)
				set_zone_pageblock_migratetype(z, pfn + i, MIGRATE_MOVABLE);
			pfn += MAX_ORDER_NR_PAGES - 1;
			continue;
		}
		if (!pfn_valid(pfn))
			continue;
		int owner = memmap_pfn_nid(pfn, &cache);

		if (owner >= 0 && owner != nid)
			continue;
		page = pfn_to_page(pfn);
		init_single_page(page, zone, nid);
		if (pfn >= z->zone_start_pfn && pfn < z->zone_start_pfn + z->spanned_pages &&
		    !(pfn & (pageblock_nr_pages - 1)))
			set_pageblock_migratetype(page, MIGRATE_MOVABLE);
	}
}

static void zone_pcp_init(struct zone *zone)
{
	zone->pageset = boot_pageset;
	if (zone->present_pages)
		printk(KERN_DEBUG "  %s zone: %lu pages, LIFO batch:%u\n", zone->name,
		       zone->present_pages, zone_batchsize(zone));
}

static void free_area_init_core(struct pglist_data *pgdat)
{
	int nid = pgdat->node_id;
	unsigned long zone_start_pfn = pgdat->node_start_pfn;
	int j;

	pgdat->nr_zones = 0;
	init_waitqueue_head(&pgdat->kswapd_wait);
	pgdat->kswapd_max_order = 0;

	for (j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *zone = pgdat->node_zones + j;
		unsigned long size, realsize, memmap_pages;

		size = zone_spanned_pages_in_node(nid, j);
		realsize = size - zone_absent_pages_in_node(nid, j);

		/* The memory map of the zone comes out of the zone. */
		memmap_pages = PAGE_ALIGN(size * arch->sizeof_page) >> PAGE_SHIFT;
		if (realsize >= memmap_pages) {
			realsize -= memmap_pages;
			if (memmap_pages)
				printk(KERN_DEBUG "  %s zone: %lu pages used for memmap\n",
				       zone_names[j], memmap_pages);
		} else {
			printk(KERN_WARNING "  %s zone: %lu pages exceeds realsize %lu\n",
			       zone_names[j], memmap_pages, realsize);
		}
		if (j == 0 && realsize > dma_reserve) {
			realsize -= dma_reserve;
			printk(KERN_DEBUG "  %s zone: %lu pages reserved\n", zone_names[0], dma_reserve);
		}
		if (!is_highmem_idx(j))
			nr_kernel_pages += realsize;
		nr_all_pages += realsize;

		zone->spanned_pages = size;
		zone->present_pages = realsize;
		zone->node = nid;
		zone->min_unmapped_pages = realsize * 1 / 100;
		zone->min_slab_pages = realsize * 5 / 100;
		zone->name = zone_names[j];
		spin_lock_set_class(&zone->lock, &zone_lock_key, "&zone->lock");
		spin_lock_init(&zone->lru_lock);
		zone->zone_pgdat = pgdat;
		zone->prev_priority = 12;	/* DEF_PRIORITY */
		zone_pcp_init(zone);
		for (int l = 0; l < NR_LRU_LISTS; l++)
			INIT_LIST_HEAD(&zone->lru[l].list);
		zone->flags = 0;
		zap_zone_vm_stats(zone);
		zone_init_free_lists(zone);
		if (!size)
			continue;

		zone->pageblock_flags = alloc_bootmem_node(pgdat, usemap_size(zone_start_pfn, size));
		zone_wait_table_init(zone, size);
		pgdat->nr_zones = j + 1;
		zone->zone_start_pfn = zone_start_pfn;
		memmap_init_zone(size, nid, j, zone_start_pfn);
		zone_start_pfn += size;
	}
}

static void free_area_init_node(int nid, unsigned long node_start_pfn)
{
	pg_data_t *pgdat = NODE_DATA(nid);
	unsigned long end;

	pgdat->node_id = nid;
	pgdat->node_start_pfn = node_start_pfn;
	calculate_node_totalpages(pgdat);
	end = pgdat->node_start_pfn + pgdat->node_spanned_pages;
	if (pgdat->node_spanned_pages)
		pgdat->node_mem_map = memmap_alloc_flat(pgdat, node_start_pfn, end);
	free_area_init_core(pgdat);
}

void free_area_init_nodes(unsigned long *max_zone_pfn)
{
	unsigned long prev_highest = 0;
	int k, i, nid;

	sort_node_map();
	memset(arch_zone_lowest_possible_pfn, 0, sizeof(arch_zone_lowest_possible_pfn));
	memset(arch_zone_highest_possible_pfn, 0, sizeof(arch_zone_highest_possible_pfn));
	for_each_arch_zone(k, i) {
		if (i == ZONE_MOVABLE)
			continue;
		arch_zone_lowest_possible_pfn[i] = k == 0 ? find_min_pfn_with_active_regions()
						     : prev_highest;
		arch_zone_highest_possible_pfn[i] = max(max_zone_pfn[i],
							arch_zone_lowest_possible_pfn[i]);
		prev_highest = arch_zone_highest_possible_pfn[i];
	}

	memset(zone_movable_pfn, 0, sizeof(zone_movable_pfn));
	find_zone_movable_pfns_for_nodes();

	printk("Zone PFN ranges:\n");
	for_each_arch_zone(k, i) {
		if (i == ZONE_MOVABLE)
			continue;
		printk("  %-8s ", zone_names[i]);
		if (arch_zone_lowest_possible_pfn[i] == arch_zone_highest_possible_pfn[i])
			printk("empty\n");
		else
			printk("0x%08lx -> 0x%08lx\n", arch_zone_lowest_possible_pfn[i],
			       arch_zone_highest_possible_pfn[i]);
	}
	printk("Movable zone start PFN for each node\n");
	for (nid = 0; nid < MAX_NUMNODES; nid++)
		if (zone_movable_pfn[nid])
			printk("  Node %d: %lu\n", nid, zone_movable_pfn[nid]);
	printk("early_node_map[%d] active PFN ranges\n", nr_nodemap_entries);
	for (i = 0; i < nr_nodemap_entries; i++)
		printk("  %3d: 0x%08lx -> 0x%08lx\n", early_node_map[i].nid,
		       early_node_map[i].start_pfn, early_node_map[i].end_pfn);

	for_each_online_node(nid) {
		unsigned long start_pfn, end_pfn;

		get_pfn_range_for_nid(nid, &start_pfn, &end_pfn);
		free_area_init_node(nid, start_pfn);
	}
}

bool is_highmem(const struct zone *zone)
{
	int idx = zone_idx(zone);

	return idx == ZONE_HIGHMEM || (idx == ZONE_MOVABLE && movable_zone == ZONE_HIGHMEM);
}

/* The lock order of mm/internal.h, declared to the validator once, at boot. */
void mm_declare_lock_order(void)
{
#define ORDER_KEY(key, name)	(const void *)(key),
#define ORDER_NAME(key, name)	name,
	static const void *const keys[] = { MM_LOCK_ORDER(ORDER_KEY) };
	static const char *const names[] = { MM_LOCK_ORDER(ORDER_NAME) };

	lockdep_declare_order(keys, names, ARRAY_SIZE(keys), "mm/internal.h");
#undef ORDER_KEY
#undef ORDER_NAME
}
