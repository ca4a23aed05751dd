/*
 * mm.h - pages: reference counts, the zone and node encoded in page->flags,
 * and the conversions between struct page, pfn and kernel address.
 *
 * page->flags layout (64 bits):
 *
 *   63      58 57    55 54                     24 23              0
 *   +---------+--------+-------------------------+----------------+
 *   |  node   |  zone  |         unused          |   page flags   |
 *   +---------+--------+-------------------------+----------------+
 *
 * As in Linux, page_zone_id() (node and zone together) is what the buddy
 * allocator compares to refuse merging blocks of different zones.
 */
#ifndef KMM_MM_H
#define KMM_MM_H

#include <kmm/atomic.h>
#include <kmm/bug.h>
#include <kmm/mm_types.h>
#include <kmm/mmzone.h>
#include <kmm/page-flags.h>
#include <kmm/page.h>

#define NODES_SHIFT	6
#define NODES_WIDTH	NODES_SHIFT
#define ZONES_WIDTH	ZONES_SHIFT
#define NODES_PGSHIFT	(64 - NODES_WIDTH)
#define ZONES_PGSHIFT	(NODES_PGSHIFT - ZONES_WIDTH)
#define ZONEID_SHIFT	(NODES_SHIFT + ZONES_SHIFT)
#define ZONEID_PGSHIFT	ZONES_PGSHIFT
#define NODES_MASK	((1UL << NODES_WIDTH) - 1)
#define ZONES_MASK	((1UL << ZONES_WIDTH) - 1)
#define ZONEID_MASK	((1UL << ZONEID_SHIFT) - 1)

_Static_assert(ZONES_PGSHIFT >= NR_PAGEFLAGS, "page flags overlap the zone field");
_Static_assert(MAX_NR_ZONES <= (1 << ZONES_SHIFT), "ZONES_SHIFT too small");

static inline enum zone_type page_zonenum(const struct page *page)
{
	return (READ_ONCE(page->flags) >> ZONES_PGSHIFT) & ZONES_MASK;
}

static inline int page_to_nid(const struct page *page)
{
	return (READ_ONCE(page->flags) >> NODES_PGSHIFT) & NODES_MASK;
}

static inline int page_zone_id(const struct page *page)
{
	return (READ_ONCE(page->flags) >> ZONEID_PGSHIFT) & ZONEID_MASK;
}

static inline struct zone *page_zone(const struct page *page)
{
	return &NODE_DATA(page_to_nid(page))->node_zones[page_zonenum(page)];
}

static inline void set_page_links(struct page *page, enum zone_type zone, int nid)
{
	page->flags &= ~((ZONES_MASK << ZONES_PGSHIFT) | (NODES_MASK << NODES_PGSHIFT));
	page->flags |= ((unsigned long)zone << ZONES_PGSHIFT) |
		       ((unsigned long)nid << NODES_PGSHIFT);
}

static inline bool PageHighMem(const struct page *page)
{
	return is_highmem_idx(page_zonenum(page)) ||
	       (page_zonenum(page) == ZONE_MOVABLE && is_highmem(page_zone(page)));
}

/*
 * The memory map.  pfn_to_page() is "mem_map + pfn": on x86_64 mem_map is
 * the vmemmap window, whose present sections are backed by RAM; on i386 it
 * is one flat array.  pfn_valid() says whether a struct page exists.
 */
extern struct page *mem_map;
extern unsigned long max_mapnr;		/* pfns below this may have a struct page */
extern unsigned long mem_section_present[];	/* x86_64: sections with a memory map */
#define PFN_SECTION_SHIFT	(27 - PAGE_SHIFT)	/* 128 MB sections */

/* Inline: kfree() asks it of every pointer. */
static inline bool pfn_valid(unsigned long pfn)
{
	if (pfn >= max_mapnr)
		return false;
	if (arch->highmem)
		return true;	/* FLATMEM: one array covers every pfn */
	return test_bit(pfn >> PFN_SECTION_SHIFT, mem_section_present);
}

#define pfn_to_page(pfn)	(mem_map + (pfn))
#define page_to_pfn(page)	((unsigned long)((page) - mem_map))
#define virt_to_page(kaddr)	pfn_to_page(__pa(kaddr) >> PAGE_SHIFT)
#define page_to_phys(page)	((phys_addr_t)page_to_pfn(page) << PAGE_SHIFT)
#define virt_addr_valid(kaddr)	(virt_addr_in_ram(kaddr) && pfn_valid(__pa(kaddr) >> PAGE_SHIFT))

/*
 * Kernel address of a page: the direct map for lowmem; for highmem the
 * address of its current kmap, or NULL when it has none.
 */
void *page_address(const struct page *page);
extern unsigned long max_low_pfn;	/* end of lowmem (== max_pfn on x86_64) */

static inline void *lowmem_page_address(const struct page *page)
{
	return __va(page_to_phys(page));
}

/* Reference counts. */
static inline int page_count(const struct page *page)
{
	return atomic_read(&page->_count);
}

static inline void set_page_count(struct page *page, int v)
{
	atomic_set(&page->_count, v);
}

static inline void init_page_count(struct page *page)
{
	set_page_count(page, 1);
}

static inline void set_page_refcounted(struct page *page)
{
	VM_BUG_ON(PageTail(page));
	VM_BUG_ON(page_count(page));
	set_page_count(page, 1);
}

static inline void get_page(struct page *page)
{
	VM_BUG_ON(page_count(page) <= 0);
	atomic_inc(&page->_count);
}

/* Drop a reference; true when it was the last one. */
static inline bool put_page_testzero(struct page *page)
{
	VM_BUG_ON(page_count(page) == 0);
	return atomic_dec_and_test(&page->_count);
}

/*
 * put_page_testzero() for a caller that is about to free the page: when
 * it holds the only reference, nobody else can take one — taking a
 * reference needs one already, because kmm has no speculative references
 * (Linux's get_page_unless_zero on pages found without one, used by its
 * lockless page cache and pfn walkers).  So the count is cleared with a
 * plain store, and the freeing fast path loses its one locked
 * instruction.  A subsystem that adds speculative references must drop
 * this shortcut (docs/glossary.md).
 */
static inline bool put_page_last(struct page *page)
{
	if (likely(atomic_read(&page->_count) == 1)) {
		atomic_set(&page->_count, 0);
		return true;
	}
	return put_page_testzero(page);
}

static inline int page_mapcount(const struct page *page)
{
	return atomic_read(&page->_mapcount) + 1;
}

static inline void reset_page_mapcount(struct page *page)
{
	atomic_set(&page->_mapcount, -1);
}

static inline unsigned long page_private(const struct page *page)
{
	return page->private;
}

static inline void set_page_private(struct page *page, unsigned long v)
{
	page->private = v;
}

/* Buddy bookkeeping: a free block's first page carries PG_buddy and the order. */
static inline unsigned long page_order(const struct page *page)
{
	return page_private(page);
}

static inline void set_page_order(struct page *page, int order)
{
	set_page_private(page, order);
	__SetPageBuddy(page);
}

static inline void rmv_page_order(struct page *page)
{
	__ClearPageBuddy(page);
	set_page_private(page, 0);
}

/* Compound pages: order and destructor live in the first tail page. */
typedef void compound_page_dtor(struct page *);

static inline struct page *compound_head(struct page *page)
{
	return unlikely(PageTail(page)) ? page->first_page : page;
}

static inline void set_compound_page_dtor(struct page *page, compound_page_dtor *dtor)
{
	page[1].lru.next = (void *)dtor;
}

static inline compound_page_dtor *get_compound_page_dtor(struct page *page)
{
	return (compound_page_dtor *)page[1].lru.next;
}

static inline int compound_order(struct page *page)
{
	if (!PageHead(page))
		return 0;
	return (int)(unsigned long)page[1].lru.prev;
}

static inline void set_compound_order(struct page *page, unsigned long order)
{
	page[1].lru.prev = (void *)order;
}

void put_page(struct page *page);

extern unsigned long max_pfn;		/* highest pfn of RAM, plus one */
extern unsigned long totalram_pages;	/* pages handed to the buddy allocator */
extern unsigned long totalhigh_pages;
extern unsigned long num_physpages;
extern unsigned long totalreserve_pages;

#endif /* KMM_MM_H */
