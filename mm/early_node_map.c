/*
 * early_node_map.c - the RAM ranges of each node, in page frame numbers
 * (seed 003, 2.3.1.3).
 *
 * The architecture registers every usable RAM range with add_active_range();
 * a range that touches or overlaps one already registered for the same node
 * extends it instead of taking a new slot.  After sort_node_map() the table
 * is ordered by start pfn, and zone sizing asks it two questions: where a
 * node's memory starts and ends, and how many pages of a pfn range are holes
 * (absent).
 */
#include <kmm/bootmem.h>
#include <kmm/kernel.h>
#include <kmm/printk.h>
#include <kmm/string.h>

struct node_active_region early_node_map[MAX_ACTIVE_REGIONS] __state_bulk;
int nr_nodemap_entries __state_zero;

void add_active_range(unsigned int nid, unsigned long start_pfn, unsigned long end_pfn)
{
	int i;

	for (i = 0; i < nr_nodemap_entries; i++) {
		struct node_active_region *r = &early_node_map[i];

		if (r->nid != (int)nid)
			continue;
		/* Already covered. */
		if (start_pfn >= r->start_pfn && end_pfn <= r->end_pfn)
			return;
		/* Extends an existing range forward... */
		if (start_pfn <= r->end_pfn && end_pfn > r->end_pfn) {
			r->end_pfn = end_pfn;
			if (start_pfn < r->start_pfn)
				r->start_pfn = start_pfn;
			return;
		}
		/* ...or backward. */
		if (start_pfn < r->start_pfn && end_pfn >= r->start_pfn) {
			r->start_pfn = start_pfn;
			return;
		}
	}
	if (i >= MAX_ACTIVE_REGIONS) {
		printk(KERN_CRIT "More than %d memory regions, truncating\n", MAX_ACTIVE_REGIONS);
		return;
	}
	early_node_map[i].nid = nid;
	early_node_map[i].start_pfn = start_pfn;
	early_node_map[i].end_pfn = end_pfn;
	nr_nodemap_entries = i + 1;
}

/* Insertion sort by start pfn: the table is short and nearly sorted. */
void sort_node_map(void)
{
	for (int i = 1; i < nr_nodemap_entries; i++) {
		struct node_active_region r = early_node_map[i];
		int j = i - 1;

		while (j >= 0 && early_node_map[j].start_pfn > r.start_pfn) {
			early_node_map[j + 1] = early_node_map[j];
			j--;
		}
		early_node_map[j + 1] = r;
	}
}

void get_pfn_range_for_nid(unsigned int nid, unsigned long *start_pfn, unsigned long *end_pfn)
{
	int i;

	*start_pfn = -1UL;
	*end_pfn = 0;
	for_each_active_range_index_in_nid(i, nid) {
		*start_pfn = min(*start_pfn, early_node_map[i].start_pfn);
		*end_pfn = max(*end_pfn, early_node_map[i].end_pfn);
	}
	if (*start_pfn == -1UL)
		*start_pfn = 0;
}

unsigned long find_min_pfn_with_active_regions(void)
{
	unsigned long min_pfn = ULONG_MAX;

	for (int i = 0; i < nr_nodemap_entries; i++)
		min_pfn = min(min_pfn, early_node_map[i].start_pfn);
	if (min_pfn == ULONG_MAX) {
		printk(KERN_WARNING "Could not find start_pfn for node %d\n", MAX_NUMNODES);
		return 0;
	}
	return min_pfn;
}

/*
 * Pages of [range_start_pfn, range_end_pfn) that no active range of @nid
 * (any node for MAX_NUMNODES) covers.  Ranges must be sorted.
 */
unsigned long __absent_pages_in_range(int nid, unsigned long range_start_pfn,
				      unsigned long range_end_pfn)
{
	unsigned long prev_end_pfn, hole_pages = 0;
	int i = -1;

	for (int k = 0; k < nr_nodemap_entries; k++)
		if (nid == MAX_NUMNODES || early_node_map[k].nid == nid) {
			i = k;
			break;
		}
	if (i < 0)
		return 0;
	prev_end_pfn = min(early_node_map[i].start_pfn, range_end_pfn);
	if (early_node_map[i].start_pfn > range_start_pfn)
		hole_pages = prev_end_pfn - range_start_pfn;
	for (; i < nr_nodemap_entries; i++) {
		unsigned long start_pfn;

		if (nid != MAX_NUMNODES && early_node_map[i].nid != nid)
			continue;
		if (prev_end_pfn >= range_end_pfn)
			break;
		start_pfn = min(early_node_map[i].start_pfn, range_end_pfn);
		prev_end_pfn = max(prev_end_pfn, range_start_pfn);
		if (start_pfn > range_start_pfn)
			hole_pages += start_pfn - prev_end_pfn;
		prev_end_pfn = early_node_map[i].end_pfn;
	}
	if (range_end_pfn > prev_end_pfn)
		hole_pages += range_end_pfn - max(range_start_pfn, prev_end_pfn);
	return hole_pages;
}

unsigned long absent_pages_in_range(unsigned long start_pfn, unsigned long end_pfn)
{
	return __absent_pages_in_range(MAX_NUMNODES, start_pfn, end_pfn);
}

int early_pfn_to_nid(unsigned long pfn)
{
	for (int i = 0; i < nr_nodemap_entries; i++)
		if (pfn >= early_node_map[i].start_pfn && pfn < early_node_map[i].end_pfn)
			return early_node_map[i].nid;
	return -1;
}
