/*
 * mmzone.h - nodes, zones and the buddy allocator's free areas.
 *
 * Memory is organised node -> zone -> page (seed 003, 2.2).  A node
 * (pg_data_t) is a bank of memory close to some CPUs; it is cut into zones
 * by physical address limits (DMA < 16M; DMA32 < 4G on x86_64; NORMAL up to
 * the end of lowmem; HIGHMEM above it on i386; MOVABLE carved out by
 * kernelcore=/movablecore=).  Each zone runs its own buddy allocator.
 *
 * Invariants of a zone, checked by mm_check():
 *   free_area[o].nr_free == number of blocks on free_area[o].free_list[*]
 *     (+ nr_deferred for o == MAX_ORDER-1: see mm/deferred_init.c)
 *   NR_FREE_PAGES == sum over o of free_area[o].nr_free << o
 *   every block on free_list[t] of free_area[o] is 2^o-aligned (pfn),
 *   has PG_buddy and ->private == o, and lies inside the zone
 */
#ifndef KMM_MMZONE_H
#define KMM_MMZONE_H

#include <kmm/atomic.h>
#include <kmm/list.h>
#include <kmm/spinlock.h>
#include <kmm/wait.h>
#include <kmm/asm/page.h>
#include <kmm/asm/smp.h>
#include <kmm/asm/topology.h>
#include <kmm/numa.h>

#define MAX_ORDER		11
#define MAX_ORDER_NR_PAGES	(1 << (MAX_ORDER - 1))
#define PAGE_ALLOC_COSTLY_ORDER	3

/* Page mobility, per pageblock (seed 003, 2.5.4). */
#define MIGRATE_UNMOVABLE	0
#define MIGRATE_RECLAIMABLE	1
#define MIGRATE_MOVABLE		2
#define MIGRATE_PCPTYPES	3	/* the number of types on the pcp lists */
#define MIGRATE_RESERVE		3
#define MIGRATE_ISOLATE		4	/* can't allocate from here */
#define MIGRATE_TYPES		5

extern const char *const migratetype_names[MIGRATE_TYPES];
extern int page_group_by_mobility_disabled;

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;		/* blocks (not pages) on all lists */
};

/*
 * The zone indices: the union of both architectures' zones.  x86_64 has
 * DMA, DMA32, NORMAL, MOVABLE; i386 has DMA, NORMAL, HIGHMEM, MOVABLE.  A
 * zone the architecture lacks stays empty and is never shown (the arch
 * descriptor lists the zones that exist).
 */
enum zone_type {
	ZONE_DMA,
	ZONE_DMA32,
	ZONE_NORMAL,
	ZONE_HIGHMEM,
	ZONE_MOVABLE,
	__MAX_NR_ZONES
};
#define MAX_NR_ZONES	__MAX_NR_ZONES
#define ZONES_SHIFT	3

enum zone_stat_item {
	NR_FREE_PAGES,
	NR_LRU_BASE,
	NR_INACTIVE_ANON = NR_LRU_BASE,
	NR_ACTIVE_ANON,
	NR_INACTIVE_FILE,
	NR_ACTIVE_FILE,
	NR_UNEVICTABLE,
	NR_MLOCK,
	NR_ANON_PAGES,
	NR_FILE_MAPPED,
	NR_FILE_PAGES,
	NR_FILE_DIRTY,
	NR_WRITEBACK,
	NR_SLAB_RECLAIMABLE,
	NR_SLAB_UNRECLAIMABLE,
	NR_PAGETABLE,
	NR_KERNEL_STACK,
	NR_UNSTABLE_NFS,
	NR_BOUNCE,
	NR_VMSCAN_WRITE,
	NR_WRITEBACK_TEMP,
	NR_ISOLATED_ANON,
	NR_ISOLATED_FILE,
	NR_SHMEM,
	NUMA_HIT,		/* the NUMA items exist on NUMA builds (x86_64) */
	NUMA_MISS,
	NUMA_FOREIGN,
	NUMA_INTERLEAVE_HIT,
	NUMA_LOCAL,
	NUMA_OTHER,
	NR_VM_ZONE_STAT_ITEMS
};
#define NR_VM_ZONE_STAT_ITEMS_NONUMA	NUMA_HIT

enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	NR_WMARK
};

struct per_cpu_pages {
	int count;		/* pages on the lists */
	int high;		/* above this, free a batch to the buddy lists */
	int batch;		/* chunk size for refills and frees */
	struct list_head lists[MIGRATE_PCPTYPES];	/* hot at the head, cold at the tail */
};

struct per_cpu_pageset {
	struct per_cpu_pages pcp;
	s8 expire;
	s8 stat_threshold;	/* fold vm_stat_diff into the zone beyond this */
	s8 vm_stat_diff[NR_VM_ZONE_STAT_ITEMS];
} ____cacheline_aligned;

struct pglist_data;

struct zone {
	/* Read by the allocation fast path. */
	unsigned long watermark[NR_WMARK];	/* pages */
	unsigned long lowmem_reserve[MAX_NR_ZONES]; /* pages kept from allocations of higher classes */
	int node;
	unsigned long min_unmapped_pages;
	unsigned long min_slab_pages;
	struct per_cpu_pageset *pageset;	/* [cpu]; the shared boot pagesets until setup_per_cpu_pageset() */

	spinlock_t lock;			/* protects free_area and pageblock_flags */
	int all_unreclaimable;
	unsigned int nr_deferred;		/* free MAX_ORDER-1 blocks whose struct pages are not
						   initialised yet, counted in nr_free (deferred_init.c) */
	struct free_area free_area[MAX_ORDER];
	unsigned long *pageblock_flags;		/* NR_PAGEBLOCK_BITS per pageblock */

	/* Read by reclaim. */
	spinlock_t lru_lock;
	struct {
		struct list_head list;
	} lru[NR_LRU_LISTS];
	unsigned long recent_rotated[2];
	unsigned long recent_scanned[2];
	unsigned long pages_scanned;		/* since last reclaim */
	unsigned long flags;
	atomic_long_t vm_stat[NR_VM_ZONE_STAT_ITEMS];
	int prev_priority;
	unsigned int inactive_ratio;

	wait_queue_head_t *wait_table;
	unsigned long wait_table_hash_nr_entries;
	unsigned long wait_table_bits;

	struct pglist_data *zone_pgdat;
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;		/* including holes */
	unsigned long present_pages;		/* excluding holes, memmap and dma_reserve */
	const char *name;
} ____cacheline_aligned;

#define MAX_ZONES_PER_ZONELIST	(MAX_NUMNODES * MAX_NR_ZONES)
#define MAX_ZONELISTS		2	/* [0] with fallback, [1] __GFP_THISNODE only */

struct zoneref {
	struct zone *zone;
	int zone_idx;
};

struct zonelist {
	struct zoneref _zonerefs[MAX_ZONES_PER_ZONELIST + 1];
};

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	struct zonelist node_zonelists[MAX_ZONELISTS];
	int nr_zones;
	struct page *node_mem_map;		/* first struct page of the node */
	unsigned long node_start_pfn;
	unsigned long node_present_pages;	/* total number of physical pages */
	unsigned long node_spanned_pages;	/* including holes */
	int node_id;
	wait_queue_head_t kswapd_wait;
	struct task_struct *kswapd;
	int kswapd_max_order;
} pg_data_t;

extern struct pglist_data *node_data[MAX_NUMNODES];
#define NODE_DATA(nid)		(node_data[(nid)])

extern int nr_online_nodes;
extern unsigned long node_online_mask;	/* bit n: node n is online */
#define node_online(nid)	(node_online_mask & (1UL << (nid)))
#define for_each_online_node(nid) \
	for ((nid) = 0; (nid) < MAX_NUMNODES; (nid)++) if (node_online(nid))

static inline int zone_idx(const struct zone *zone)
{
	return zone - zone->zone_pgdat->node_zones;
}

static inline bool populated_zone(const struct zone *zone)
{
	return zone->present_pages != 0;
}

static inline int zone_to_nid(const struct zone *zone)
{
	return zone->node;
}

static inline bool is_highmem_idx(enum zone_type idx)
{
	return idx == ZONE_HIGHMEM;
}

/* ZONE_MOVABLE counts as highmem when carved out of ZONE_HIGHMEM (i386). */
bool is_highmem(const struct zone *zone);

static inline unsigned long zone_page_state(const struct zone *zone, enum zone_stat_item item)
{
	long x = atomic_long_read(&zone->vm_stat[item]);

	return x < 0 ? 0 : x;
}

/* Read without the zone lock by the allocator; updated under it. */
#define min_wmark_pages(z)	READ_ONCE((z)->watermark[WMARK_MIN])
#define low_wmark_pages(z)	READ_ONCE((z)->watermark[WMARK_LOW])
#define high_wmark_pages(z)	READ_ONCE((z)->watermark[WMARK_HIGH])

struct zone *next_zone(struct zone *zone);
struct pglist_data *first_online_pgdat(void);
struct pglist_data *next_online_pgdat(struct pglist_data *pgdat);

#define for_each_online_pgdat(pgdat) \
	for (pgdat = first_online_pgdat(); pgdat; pgdat = next_online_pgdat(pgdat))
#define for_each_zone(zone) \
	for (zone = first_online_pgdat()->node_zones; zone; zone = next_zone(zone))
#define for_each_populated_zone(zone) \
	for_each_zone(zone) if (!populated_zone(zone)) ; else

/* Zonelist iteration: zones with index <= @highest_zoneidx, in list order. */
#define for_each_zone_zonelist(zone, z, zlist, highidx)				\
	for (z = (zlist)->_zonerefs; ((zone) = (z)->zone) != NULL; z++)		\
		if ((z)->zone_idx > (int)(highidx)) ; else

static inline int zonelist_zone_idx(const struct zoneref *z)
{
	return z->zone_idx;
}

/* First zone of @zonelist at or below @highest_zoneidx; NULL if none. */
static inline struct zoneref *first_zones_zonelist(struct zonelist *zonelist,
						   enum zone_type highest_zoneidx,
						   struct zone **zone)
{
	struct zoneref *z = zonelist->_zonerefs;

	while (z->zone && z->zone_idx > (int)(highest_zoneidx))
		z++;
	*zone = z->zone;
	return z;
}

/* The zone names, by index; the arch decides which exist. */
extern const char *const zone_names[MAX_NR_ZONES];

#endif /* KMM_MMZONE_H */
