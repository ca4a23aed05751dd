/*
 * bootmem.h - memory management before the page allocator exists.
 *
 * Three tables describe early memory (seed 003, 2.3.1):
 *   e820            what the firmware says is RAM (arch/x86/e820.c);
 *   early_node_map  the RAM ranges of each node, in pfns ("active ranges");
 *   early_res       the ranges already taken: the kernel image, BIOS areas,
 *                   page tables and everything the boot allocator handed out.
 * The boot allocator finds a free, suitably aligned range inside an active
 * range that overlaps no early reservation, and reserves it.  At the
 * hand-over (free_all_bootmem) every active page not covered by a
 * reservation is freed to the buddy allocator; the rest stay PG_reserved.
 */
#ifndef KMM_BOOTMEM_H
#define KMM_BOOTMEM_H

#include <kmm/mmzone.h>
#include <kmm/types.h>

/* ---- early_res (mm/early_res.c) ---- */

#define MAX_EARLY_RES_X	32

struct early_res {
	u64 start, end;		/* [start, end), bytes */
	char name[15];
	char overlap_ok;	/* a later reservation may overlap (and split) it */
};

/* Reserve [start, end); overlapping a non-overlap_ok reservation panics. */
void reserve_early(u64 start, u64 end, const char *name);
void reserve_early_overlap_ok(u64 start, u64 end, const char *name);
/* Append without any overlap check (the boot allocator's own records). */
void reserve_early_without_check(u64 start, u64 end, const char *name);
/* Release a reservation; it must match an existing one exactly. */
void free_early(u64 start, u64 end);
/* Shrink reservations so that [start, end) is no longer reserved. */
void free_early_partial(u64 start, u64 end);
/*
 * Find @size bytes aligned to @align in [@ei_start, @ei_last) that overlap
 * no reservation, starting at the goal @start and ending by @end; the
 * lowest such address wins.  Returns -1ULL when there is none.
 */
u64 find_early_area(u64 ei_start, u64 ei_last, u64 start, u64 end, u64 size, u64 align);
/* True if [start, end) overlaps any reservation. */
bool early_res_overlaps(u64 start, u64 end);
/* Iterate the reservations (for the hand-over and for tests). */
int early_res_nr(void);
const struct early_res *early_res_entry(int i);
/* After the hand-over the table is gone; further calls are a BUG. */
void early_res_drop_all(void);

/* ---- early_node_map (mm/early_node_map.c) ---- */

#define MAX_ACTIVE_REGIONS	3200

struct node_active_region {
	unsigned long start_pfn;
	unsigned long end_pfn;		/* exclusive */
	int nid;
};

extern struct node_active_region early_node_map[MAX_ACTIVE_REGIONS];
extern int nr_nodemap_entries;

/* Register [start_pfn, end_pfn) as RAM of node @nid, merging with neighbours. */
void add_active_range(unsigned int nid, unsigned long start_pfn, unsigned long end_pfn);
void sort_node_map(void);
void get_pfn_range_for_nid(unsigned int nid, unsigned long *start_pfn, unsigned long *end_pfn);
unsigned long find_min_pfn_with_active_regions(void);
unsigned long __absent_pages_in_range(int nid, unsigned long range_start_pfn,
				      unsigned long range_end_pfn);
unsigned long absent_pages_in_range(unsigned long start_pfn, unsigned long end_pfn);
int early_pfn_to_nid(unsigned long pfn);

#define for_each_active_range_index_in_nid(i, nid)				\
	for (i = 0; i < nr_nodemap_entries; i++)				\
		if ((int)(nid) != MAX_NUMNODES && early_node_map[i].nid != (int)(nid)) ; else

/* ---- the boot allocator (mm/bootmem.c) ---- */

/* Upper bound of what the boot allocator may hand out (mapped memory). */
extern unsigned long max_pfn_mapped;

void *__alloc_memory_core_early(int nid, u64 size, u64 align, u64 goal, u64 limit);
void *__alloc_bootmem_nopanic(unsigned long size, unsigned long align, unsigned long goal);
void *__alloc_bootmem(unsigned long size, unsigned long align, unsigned long goal);
void *__alloc_bootmem_node(pg_data_t *pgdat, unsigned long size, unsigned long align,
			   unsigned long goal);
void free_bootmem(unsigned long addr, unsigned long size);

#define BOOTMEM_GOAL		(MAX_DMA_PFN << PAGE_SHIFT)	/* __pa(MAX_DMA_ADDRESS) */
#define alloc_bootmem(x)	__alloc_bootmem(x, SMP_CACHE_BYTES, BOOTMEM_GOAL)
#define alloc_bootmem_pages(x)	__alloc_bootmem(x, PAGE_SIZE, BOOTMEM_GOAL)
#define alloc_bootmem_low(x)	__alloc_bootmem(x, SMP_CACHE_BYTES, 0)
#define alloc_bootmem_node(pgdat, x) \
	__alloc_bootmem_node(pgdat, x, SMP_CACHE_BYTES, BOOTMEM_GOAL)
#define alloc_bootmem_pages_node(pgdat, x) \
	__alloc_bootmem_node(pgdat, x, PAGE_SIZE, BOOTMEM_GOAL)

/*
 * The hand-over: free every active page outside the early reservations to
 * the buddy allocator.  Returns the number of pages freed.
 */
unsigned long free_all_bootmem(void);

#endif /* KMM_BOOTMEM_H */
