/*
 * page-flags.h - the flags of struct page, in 2.6.34's bit order (the order
 * "page flags:" reports print them in), and their accessors.
 *
 * The low NR_PAGEFLAGS bits of page->flags are these flags; the top bits
 * hold the node and zone (see mm.h).  PageFoo() tests, SetPageFoo() and
 * ClearPageFoo() change atomically, __SetPageFoo()/__ClearPageFoo() change
 * non-atomically for pages nobody else can see.
 */
#ifndef KMM_PAGE_FLAGS_H
#define KMM_PAGE_FLAGS_H

#include <kmm/bitops.h>
#include <kmm/mm_types.h>

enum pageflags {
	PG_locked,		/* page is locked for I/O */
	PG_error,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,			/* on an LRU list */
	PG_active,
	PG_slab,		/* owned by the slab allocator */
	PG_owner_priv_1,
	PG_arch_1,
	PG_reserved,		/* never freed to the buddy allocator */
	PG_private,		/* page->private is in use */
	PG_private_2,
	PG_writeback,
	PG_head,		/* first page of a compound page */
	PG_tail,		/* other pages of a compound page */
	PG_swapcache,
	PG_mappedtodisk,
	PG_reclaim,
	PG_buddy,		/* free, in the buddy allocator; order in ->private */
	PG_swapbacked,
	PG_unevictable,
	PG_mlocked,
	PG_uncached,		/* CONFIG_ARCH_USES_PG_UNCACHED (X86_PAT) */
	__NR_PAGEFLAGS,
};
#define NR_PAGEFLAGS __NR_PAGEFLAGS

/* Names for reports, indexed by flag bit. */
extern const char *const pageflag_names[NR_PAGEFLAGS];

/*
 * The non-atomic variants are for a page its caller owns alone.  Even
 * then another CPU may look at the flags word without owning the page:
 * __free_one_page reads a neighbouring block's zone id and PG_buddy to see
 * whether it can merge.  So the word is read and written with relaxed
 * single loads and stores (the same instructions as a plain |= on x86, but
 * never torn, and visible as such to ThreadSanitizer).
 */
static inline void __page_flags_set(struct page *page, unsigned long mask)
{
	WRITE_ONCE(page->flags, READ_ONCE(page->flags) | mask);
}

static inline void __page_flags_clear(struct page *page, unsigned long mask)
{
	WRITE_ONCE(page->flags, READ_ONCE(page->flags) & ~mask);
}

#define PAGEFLAG_FNS(uname, lname)						\
static inline bool Page##uname(const struct page *page)			\
	{ return test_bit(PG_##lname, &page->flags); }				\
static inline void SetPage##uname(struct page *page)			\
	{ set_bit(PG_##lname, &page->flags); }					\
static inline void ClearPage##uname(struct page *page)			\
	{ clear_bit(PG_##lname, &page->flags); }				\
static inline void __SetPage##uname(struct page *page)			\
	{ __page_flags_set(page, 1UL << PG_##lname); }				\
static inline void __ClearPage##uname(struct page *page)		\
	{ __page_flags_clear(page, 1UL << PG_##lname); }			\
static inline bool TestClearPage##uname(struct page *page)		\
	{ return test_and_clear_bit(PG_##lname, &page->flags); }		\
static inline bool __TestClearPage##uname(struct page *page)		\
	{ bool on = test_bit(PG_##lname, &page->flags);				\
	  __page_flags_clear(page, 1UL << PG_##lname); return on; }		\
static inline bool TestSetPage##uname(struct page *page)		\
	{ return test_and_set_bit(PG_##lname, &page->flags); }

PAGEFLAG_FNS(Locked, locked)
PAGEFLAG_FNS(Error, error)
PAGEFLAG_FNS(Referenced, referenced)
PAGEFLAG_FNS(Uptodate, uptodate)
PAGEFLAG_FNS(Dirty, dirty)
PAGEFLAG_FNS(LRU, lru)
PAGEFLAG_FNS(Active, active)
PAGEFLAG_FNS(Slab, slab)
PAGEFLAG_FNS(Reserved, reserved)
PAGEFLAG_FNS(Private, private)
PAGEFLAG_FNS(Private2, private_2)
PAGEFLAG_FNS(Writeback, writeback)
PAGEFLAG_FNS(Head, head)
PAGEFLAG_FNS(Tail, tail)
PAGEFLAG_FNS(SwapCache, swapcache)
PAGEFLAG_FNS(MappedToDisk, mappedtodisk)
PAGEFLAG_FNS(Reclaim, reclaim)
PAGEFLAG_FNS(Buddy, buddy)
PAGEFLAG_FNS(SwapBacked, swapbacked)
PAGEFLAG_FNS(Unevictable, unevictable)
PAGEFLAG_FNS(Mlocked, mlocked)
PAGEFLAG_FNS(Uncached, uncached)

/* PG_readahead shares PG_reclaim's bit (2.6.34): the page that starts the next async readahead. */
#define PG_readahead	PG_reclaim
PAGEFLAG_FNS(Readahead, readahead)

static inline bool PageCompound(const struct page *page)
{
	return READ_ONCE(page->flags) & ((1UL << PG_head) | (1UL << PG_tail));
}

/*
 * Flags a page must not have when it is freed; a free that finds one
 * reports "Bad page state" and leaks the page rather than corrupt a list.
 */
#define PAGE_FLAGS_CHECK_AT_FREE						\
	(1UL << PG_lru | 1UL << PG_locked | 1UL << PG_private |			\
	 1UL << PG_private_2 | 1UL << PG_buddy | 1UL << PG_writeback |		\
	 1UL << PG_reserved | 1UL << PG_slab | 1UL << PG_swapcache |		\
	 1UL << PG_active | 1UL << PG_unevictable | 1UL << PG_mlocked)

/* A page leaving the allocator must have no flag at all. */
#define PAGE_FLAGS_CHECK_AT_PREP	((1UL << NR_PAGEFLAGS) - 1)

#endif /* KMM_PAGE_FLAGS_H */
