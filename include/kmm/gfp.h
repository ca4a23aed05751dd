/*
 * gfp.h - allocation flags ("get free pages") and the page allocator API.
 *
 * The low four bits choose the highest zone an allocation may use (see
 * gfp_zone()); the rest say how hard to try, whether the caller may sleep,
 * and what mobility the pages will have (which sets the pageblock type they
 * come from).  Values are 2.6.34's.
 */
#ifndef KMM_GFP_H
#define KMM_GFP_H

#include <kmm/mmzone.h>
#include <kmm/types.h>

struct page;

#define __GFP_DMA		0x01u
#define __GFP_HIGHMEM		0x02u
#define __GFP_DMA32		0x04u
#define __GFP_MOVABLE		0x08u	/* page can be moved or reclaimed */
#define GFP_ZONEMASK		(__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE)
#define __GFP_WAIT		0x10u	/* can sleep */
#define __GFP_HIGH		0x20u	/* may use emergency pools */
#define __GFP_IO		0x40u	/* can start physical I/O */
#define __GFP_FS		0x80u	/* can call down to the filesystem */
#define __GFP_COLD		0x100u	/* cache-cold page wanted */
#define __GFP_NOWARN		0x200u	/* no failure warning */
#define __GFP_REPEAT		0x400u	/* try hard, may fail */
#define __GFP_NOFAIL		0x800u	/* retry forever */
#define __GFP_NORETRY		0x1000u	/* do not retry */
#define __GFP_COMP		0x4000u	/* compound page metadata */
#define __GFP_ZERO		0x8000u	/* zero the pages */
#define __GFP_NOMEMALLOC	0x10000u /* never use the emergency reserves */
#define __GFP_HARDWALL		0x20000u /* cpuset memory allocation hardwall */
#define __GFP_THISNODE		0x40000u /* no fallback to other nodes */
#define __GFP_RECLAIMABLE	0x80000u /* page is reclaimable */
#define __GFP_NOTRACK		0	/* kmemcheck is not simulated */

#define __GFP_BITS_SHIFT	22
#define __GFP_BITS_MASK		((gfp_t)((1 << __GFP_BITS_SHIFT) - 1))

#define GFP_NOWAIT		(GFP_ATOMIC & ~__GFP_HIGH)
#define GFP_ATOMIC		(__GFP_HIGH)
#define GFP_NOIO		(__GFP_WAIT)
#define GFP_NOFS		(__GFP_WAIT | __GFP_IO)
#define GFP_KERNEL		(__GFP_WAIT | __GFP_IO | __GFP_FS)
#define GFP_TEMPORARY		(__GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_RECLAIMABLE)
#define GFP_USER		(__GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_HIGHUSER		(GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE	(GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_IOFS		(__GFP_IO | __GFP_FS)
#define GFP_THISNODE		(__GFP_THISNODE | __GFP_NOWARN | __GFP_NORETRY)
#define GFP_DMA			__GFP_DMA
#define GFP_DMA32		__GFP_DMA32

#define GFP_MOVABLE_MASK	(__GFP_RECLAIMABLE | __GFP_MOVABLE)
#define GFP_RECLAIM_MASK	(__GFP_WAIT | __GFP_HIGH | __GFP_IO | __GFP_FS | \
				 __GFP_NOWARN | __GFP_REPEAT | __GFP_NOFAIL | \
				 __GFP_NORETRY | __GFP_NOMEMALLOC)
#define GFP_BOOT_MASK		(__GFP_BITS_MASK & ~(__GFP_WAIT | __GFP_IO | __GFP_FS))
#define GFP_CONSTRAINT_MASK	(__GFP_HARDWALL | __GFP_THISNODE)
#define GFP_SLAB_BUG_MASK	(__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK)

extern gfp_t gfp_allowed_mask;

/*
 * The zone an allocation's flags allow at most: built per architecture at
 * boot (GFP_ZONE_TABLE); invalid combinations (e.g. DMA|HIGHMEM) are a BUG
 * in debug builds.
 */
extern u8 gfp_zone_table[16];
static inline enum zone_type gfp_zone(gfp_t flags)
{
	return gfp_zone_table[flags & GFP_ZONEMASK];
}

/* The pageblock type an allocation with these flags comes from. */
static inline int allocflags_to_migratetype(gfp_t gfp_flags)
{
	if (unlikely(page_group_by_mobility_disabled))
		return MIGRATE_UNMOVABLE;
	return (((gfp_flags & __GFP_MOVABLE) != 0) << 1) |
	       ((gfp_flags & __GFP_RECLAIMABLE) != 0);
}

static inline int gfp_zonelist(gfp_t flags)
{
	return (flags & __GFP_THISNODE) ? 1 : 0;
}

static inline struct zonelist *node_zonelist(int nid, gfp_t flags)
{
	return NODE_DATA(nid)->node_zonelists + gfp_zonelist(flags);
}

struct page *__alloc_pages_nodemask(gfp_t gfp_mask, unsigned int order,
				    struct zonelist *zonelist, unsigned long *nodemask);

static inline struct page *__alloc_pages(gfp_t gfp_mask, unsigned int order,
					 struct zonelist *zonelist)
{
	return __alloc_pages_nodemask(gfp_mask, order, zonelist, NULL);
}

/* Allocate 2^order pages on node @nid (-1: this CPU's node); NULL on failure. */
static inline struct page *alloc_pages_node(int nid, gfp_t gfp_mask, unsigned int order)
{
	if (nid < 0)
		nid = numa_node_id();
	return __alloc_pages(gfp_mask, order, node_zonelist(nid, gfp_mask));
}

#define alloc_pages(gfp_mask, order)	alloc_pages_node(numa_node_id(), gfp_mask, order)
#define alloc_page(gfp_mask)		alloc_pages(gfp_mask, 0)

unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order);
unsigned long get_zeroed_page(gfp_t gfp_mask);
void *alloc_pages_exact(size_t size, gfp_t gfp_mask);
void free_pages_exact(void *virt, size_t size);
/*
 * Take the pages [@start_pfn, @end_pfn) if all are free (mm/page_isolation.c;
 * Linux 3.5's alloc_contig_range without migration): 0, or -EBUSY / -ENOMEM
 * with nothing changed.  The range is then one block: the first page
 * counted, given back as aligned pieces through __free_pages().
 */
int alloc_free_range(unsigned long start_pfn, unsigned long end_pfn);
/* Find such a range of @nr_pages, MAX_ORDER-aligned, where @gfp_mask may allocate: its first page, or NULL. */
struct page *alloc_free_run(gfp_t gfp_mask, unsigned long nr_pages);
/*
 * A run of @nr_pages pages from the top of a deferred range, whose struct
 * pages stay unwritten but for its first block (and its last when
 * @nr_pages ends inside it): the caller uses pages [0, @nr_pages) and
 * gives back at most the rest of the last block with __free_pages();
 * NULL if no deferred range holds the run.
 */
struct page *alloc_deferred_run(gfp_t gfp_mask, unsigned long nr_pages);
/*
 * Give back pages [@from, @to) of a run from any of the three above
 * (@first its first page, MAX_ORDER-aligned), their contents discarded:
 * whole blocks of the largest order become deferred again.
 */
void free_run_pages(struct page *first, unsigned long from, unsigned long to);
/*
 * Free pages [@from, @to) of a block allocated whole at @first, as the
 * naturally aligned pieces they split into (a trimmed tail, a run's part).
 */
void free_block_pieces(struct page *first, unsigned long from, unsigned long to);

#define __get_free_page(gfp_mask)	__get_free_pages((gfp_mask), 0)
#define __get_dma_pages(gfp_mask, order) __get_free_pages((gfp_mask) | GFP_DMA, (order))

void __free_pages(struct page *page, unsigned int order);
void free_pages(unsigned long addr, unsigned int order);
void free_hot_cold_page(struct page *page, int cold);
void split_page(struct page *page, unsigned int order);

#define __free_page(page)	__free_pages((page), 0)
#define free_page(addr)		free_pages((addr), 0)

void drain_local_pages(void *dummy);
void drain_all_pages(void);

#endif /* KMM_GFP_H */
