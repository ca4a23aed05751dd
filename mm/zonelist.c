/*
 * zonelist.c - the order in which an allocation tries zones and nodes.
 *
 * Each node has two zonelists: [0] every zone an allocation starting on
 * this node may fall back to, [1] (__GFP_THISNODE) the node's own zones.
 * Within a node, higher zones come first, so that DMA memory is used last.
 * Across nodes there are two orders:
 *   node order: all zones of the nearest node, then of the next nearest...
 *   zone order: the highest zone of every node, nearest first, then the
 *               next zone of every node...
 * Zone order protects the low zones (DMA32) of a NUMA machine; node order
 * keeps allocations local.  The default picks node order unless the low
 * zones are a small part of memory that node order would exhaust.
 *
 * gfp_zone() and the boot pagesets are also set up here, as in
 * build_all_zonelists().
 */
#include <kmm/bitops.h>
#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/kernel.h>
#include <kmm/params.h>
#include <kmm/printk.h>
#include <kmm/string.h>
#include "mm/internal.h"

#define ZONELIST_ORDER_DEFAULT	0
#define ZONELIST_ORDER_NODE	1
#define ZONELIST_ORDER_ZONE	2
#define RECLAIM_DISTANCE	20
#define PENALTY_FOR_NODE_WITH_CPUS 1

static const char *const zonelist_order_name[3] = { "Default", "Node", "Zone" };
static int user_zonelist_order __state = ZONELIST_ORDER_DEFAULT;
static int current_zonelist_order __state_zero;
int policy_zone __state_zero;
static unsigned long vm_total_pages __state_zero;
static int node_load[MAX_NUMNODES] __state_zero;

static int set_numa_zonelist_order(const char *s)
{
	if (s && (*s == 'd' || *s == 'D'))
		user_zonelist_order = ZONELIST_ORDER_DEFAULT;
	else if (s && (*s == 'n' || *s == 'N'))
		user_zonelist_order = ZONELIST_ORDER_NODE;
	else if (s && (*s == 'z' || *s == 'Z'))
		user_zonelist_order = ZONELIST_ORDER_ZONE;
	else
		return kmm_error("numa_zonelist_order=%s: need default, node or zone", s ? s : "");
	return 0;
}
early_param("numa_zonelist_order", set_numa_zonelist_order, "zonelist order on NUMA machines: default, node or zone");

static void set_gfp_zone_table(void)
{
	u8 dma32 = arch->highmem ? ZONE_NORMAL : ZONE_DMA32;
	u8 high = arch->highmem ? ZONE_HIGHMEM : ZONE_NORMAL;

	memset(gfp_zone_table, ZONE_NORMAL, sizeof(gfp_zone_table));
	gfp_zone_table[0] = ZONE_NORMAL;
	gfp_zone_table[__GFP_DMA] = ZONE_DMA;
	gfp_zone_table[__GFP_HIGHMEM] = high;
	gfp_zone_table[__GFP_DMA32] = dma32;
	gfp_zone_table[__GFP_MOVABLE] = ZONE_NORMAL;
	gfp_zone_table[__GFP_MOVABLE | __GFP_DMA] = ZONE_DMA;
	gfp_zone_table[__GFP_MOVABLE | __GFP_HIGHMEM] = ZONE_MOVABLE;
	gfp_zone_table[__GFP_MOVABLE | __GFP_DMA32] = dma32;
}

static bool node_has_cpus(int nid)
{
	for (int cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_to_node(cpu) == nid)
			return true;
	return false;
}

/* Append @pgdat's populated zones, highest first; returns the new count. */
static int build_zonelists_node(pg_data_t *pgdat, struct zonelist *zonelist, int nr_zones)
{
	for (int zone_type = MAX_NR_ZONES - 1; zone_type >= 0; zone_type--) {
		struct zone *zone = pgdat->node_zones + zone_type;

		if (!populated_zone(zone))
			continue;
		zonelist->_zonerefs[nr_zones].zone = zone;
		zonelist->_zonerefs[nr_zones].zone_idx = zone_type;
		nr_zones++;
		if (zone_type > policy_zone && zone_type != ZONE_MOVABLE)
			policy_zone = zone_type;
	}
	return nr_zones;
}

/*
 * The next node to fall back to from @node: the local node first, then the
 * nearest unused node, preferring nodes without CPUs (their memory serves
 * nobody else) and, among equals, the least loaded.
 */
static int find_next_best_node(int node, unsigned long *used)
{
	int best_node = -1, min_val = INT_MAX, n;

	if (!(*used & (1UL << node))) {
		*used |= 1UL << node;
		return node;
	}
	for_each_online_node(n) {
		int val;

		if (*used & (1UL << n) || !NODE_DATA(n)->node_present_pages)
			continue;
		val = node_distance(node, n);
		val += (n < node);
		if (node_has_cpus(n))
			val += PENALTY_FOR_NODE_WITH_CPUS;
		val *= nr_online_nodes * MAX_NUMNODES;
		val += node_load[n];
		if (val < min_val) {
			min_val = val;
			best_node = n;
		}
	}
	if (best_node >= 0)
		*used |= 1UL << best_node;
	return best_node;
}

static int default_zonelist_order(void)
{
	unsigned long low_kmem_size = 0, total_size = 0, average_size;
	int nid, z;

	for_each_online_node(nid)
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[z];

			if (!populated_zone(zone))
				continue;
			if (z < ZONE_NORMAL)
				low_kmem_size += zone->present_pages;
			total_size += zone->present_pages;
		}
	if (!low_kmem_size || low_kmem_size > total_size / 2)
		return ZONELIST_ORDER_NODE;
	average_size = total_size / (nr_online_nodes + 1);
	for_each_online_node(nid) {
		unsigned long low = 0, total = 0;

		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[z];

			if (!populated_zone(zone))
				continue;
			if (z < ZONE_NORMAL)
				low += zone->present_pages;
			total += zone->present_pages;
		}
		if (low && total > average_size && low > total * 70 / 100)
			return ZONELIST_ORDER_NODE;
	}
	return ZONELIST_ORDER_ZONE;
}

static void build_zonelists(pg_data_t *pgdat)
{
	struct zonelist *zl = &pgdat->node_zonelists[0];
	int node_order[MAX_NUMNODES];
	int local_node = pgdat->node_id, prev_node = local_node, load = nr_online_nodes;
	int j = 0, nr = 0, node;
	unsigned long used = 0;

	memset(pgdat->node_zonelists, 0, sizeof(pgdat->node_zonelists));
	while ((node = find_next_best_node(local_node, &used)) >= 0) {
		int distance = node_distance(local_node, node);

		/* Far nodes: try reclaiming locally before going there. */
		if (distance > RECLAIM_DISTANCE)
			zone_reclaim_mode = 1;
		/* Spread the fallback of equidistant nodes. */
		if (distance != node_distance(local_node, prev_node))
			node_load[node] = load;
		prev_node = node;
		load--;
		if (current_zonelist_order == ZONELIST_ORDER_NODE)
			nr = build_zonelists_node(NODE_DATA(node), zl, nr);
		else
			node_order[j++] = node;
	}
	if (current_zonelist_order == ZONELIST_ORDER_ZONE) {
		for (int zone_type = MAX_NR_ZONES - 1; zone_type >= 0; zone_type--)
			for (int i = 0; i < j; i++) {
				struct zone *z = &NODE_DATA(node_order[i])->node_zones[zone_type];

				if (!populated_zone(z))
					continue;
				zl->_zonerefs[nr].zone = z;
				zl->_zonerefs[nr].zone_idx = zone_type;
				nr++;
				if (zone_type > policy_zone && zone_type != ZONE_MOVABLE)
					policy_zone = zone_type;
			}
	}
	zl->_zonerefs[nr].zone = NULL;
	zl->_zonerefs[nr].zone_idx = 0;

	/* The __GFP_THISNODE list: this node's zones only. */
	zl = &pgdat->node_zonelists[1];
	nr = build_zonelists_node(pgdat, zl, 0);
	zl->_zonerefs[nr].zone = NULL;
	zl->_zonerefs[nr].zone_idx = 0;
}

/*
 * Sum over the local node's zonelist of the pages above each zone's high
 * watermark, for zones up to @offset.
 */
unsigned int nr_free_zone_pages(int offset)
{
	struct zonelist *zonelist = node_zonelist(numa_node_id(), GFP_KERNEL);
	struct zoneref *z;
	struct zone *zone;
	unsigned int sum = 0;

	for_each_zone_zonelist(zone, z, zonelist, offset) {
		unsigned long size = zone->present_pages, high = high_wmark_pages(zone);

		if (size > high)
			sum += size - high;
	}
	return sum;
}

unsigned int nr_free_buffer_pages(void)
{
	return nr_free_zone_pages(gfp_zone(GFP_USER));
}

unsigned int nr_free_pagecache_pages(void)
{
	return nr_free_zone_pages(gfp_zone(GFP_HIGHUSER_MOVABLE));
}

/* Memory hotplug onlined or offlined pages of populated zones: the total follows. */
void vm_total_pages_update(void)
{
	vm_total_pages = nr_free_pagecache_pages();
}

void build_all_zonelists(void)
{
	int nid, cpu;

	set_gfp_zone_table();
	if (!arch->numa)
		current_zonelist_order = ZONELIST_ORDER_ZONE;
	else if (user_zonelist_order == ZONELIST_ORDER_DEFAULT)
		current_zonelist_order = default_zonelist_order();
	else
		current_zonelist_order = user_zonelist_order;

	memset(node_load, 0, sizeof(node_load));
	for_each_online_node(nid)
		build_zonelists(NODE_DATA(nid));
	/* The CPUs that come up later set theirs up then (pageset_cpu_up). */
	for_each_online_cpu(cpu)
		setup_pageset(&boot_pageset[cpu], 0);

	vm_total_pages = nr_free_pagecache_pages();
	page_group_by_mobility_disabled = vm_total_pages < pageblock_nr_pages * MIGRATE_TYPES ||
					  mobility_grouping_off;
	printk("Built %i zonelists in %s order, mobility grouping %s.  Total pages: %ld\n",
	       nr_online_nodes, zonelist_order_name[current_zonelist_order],
	       page_group_by_mobility_disabled ? "off" : "on", vm_total_pages);
	if (arch->numa)
		printk("Policy zone: %s\n", zone_names[policy_zone]);
}
