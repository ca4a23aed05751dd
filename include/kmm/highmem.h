/*
 * highmem.h - kernel addresses for any page: permanent (kmap) and atomic
 * (kmap_atomic) kernel mappings, and the helpers that clear and copy
 * pages through them.
 *
 * A lowmem page has a kernel address all the time (the direct map); on
 * i386 a highmem page has one only while it is mapped:
 *
 *   void *p = kmap(page);          may sleep; the address is the page's
 *   ...                            (page_address() returns it) until the
 *   kunmap(page);                  last kunmap
 *
 *   void *p = kmap_atomic(page, KM_USER0);   never sleeps, nor may its user;
 *   ...                                       this CPU's KM_USER0 slot
 *   kunmap_atomic(p, KM_USER0);
 *
 * kmap takes an entry of the pkmap window (LAST_PKMAP pages at PKMAP_BASE);
 * when every entry is in use it sleeps until a kunmap frees one.  An entry
 * freed by kunmap stays mapped until the window wraps, when one TLB flush
 * on every CPU retires all of them at once.  kmap_atomic writes the PTE of
 * a per-CPU, per-type fixmap slot and kunmap_atomic clears it with a local
 * invlpg: no lock, no shootdown, but nothing inside may sleep (it counts as
 * pagefault_disable()).  On x86_64, and for lowmem pages, both return the
 * direct-map address, as Linux's do.  The layout is in <kmm/asm/fixmap.h>.
 *
 * Signatures are 2.6.34's.  The debug API at the end (the pkmap entry of a
 * page, an entry's count, counters) is kmm's, for tools and tests.
 */
#ifndef KMM_HIGHMEM_H
#define KMM_HIGHMEM_H

#include <kmm/mm.h>
#include <kmm/string.h>
#include <kmm/uaccess.h>
#include <kmm/asm/kmap_types.h>
#include <kmm/asm/pgtable_types.h>

extern unsigned long totalhigh_pages;

/* ---- permanent mappings: may sleep ---- */

void *kmap(struct page *page);
void kunmap(struct page *page);
/* The highmem halves: map (or take another reference on) an entry of the pkmap window. */
void *kmap_high(struct page *page);
void kunmap_high(struct page *page);
/* Retire the entries no one uses now (count 1): their PTEs, one TLB flush. */
void kmap_flush_unused(void);

/* ---- atomic mappings: this CPU's slot of @type ---- */

void *__kmap_atomic_high(struct page *page, enum km_type type, pgprot_t prot);
void __kunmap_atomic_high(void *kvaddr, enum km_type type);

/*
 * The lowmem case inline (one test and the direct-map address), the slot
 * out of line.  The pagefault_disable() comes first in both, as in Linux:
 * what may not sleep is the user of the address, whichever page it is.
 */
static inline void *kmap_atomic_prot(struct page *page, enum km_type type, pgprot_t prot)
{
	pagefault_disable();
	if (!PageHighMem(page))
		return lowmem_page_address(page);
	return __kmap_atomic_high(page, type, prot);
}

static inline void *kmap_atomic(struct page *page, enum km_type type)
{
	return kmap_atomic_prot(page, type, PAGE_KERNEL);
}

/* @kvaddr may point anywhere inside the page kmap_atomic() mapped. */
static inline void kunmap_atomic(void *kvaddr, enum km_type type)
{
	if (!virt_addr_in_ram(kvaddr))
		__kunmap_atomic_high(kvaddr, type);
	pagefault_enable();
}

/* Map frame @pfn, which may have no struct page, in this CPU's slot of @type (i386). */
void *kmap_atomic_pfn(unsigned long pfn, enum km_type type);
/* The page behind an address kmap_atomic() returned (or a direct-map address). */
struct page *kmap_atomic_to_page(void *ptr);

/* ---- clearing and copying pages, through atomic mappings ---- */

static inline void clear_highpage(struct page *page)
{
	void *kaddr = kmap_atomic(page, KM_USER0);

	clear_page(kaddr);
	kunmap_atomic(kaddr, KM_USER0);
}

/* Zero [start1, end1) and [start2, end2) of @page (offsets within it). */
static inline void zero_user_segments(struct page *page, unsigned int start1, unsigned int end1,
				      unsigned int start2, unsigned int end2)
{
	char *kaddr = kmap_atomic(page, KM_USER0);

	BUG_ON(end1 > PAGE_SIZE || end2 > PAGE_SIZE);
	if (end1 > start1)
		memset(kaddr + start1, 0, end1 - start1);
	if (end2 > start2)
		memset(kaddr + start2, 0, end2 - start2);
	kunmap_atomic(kaddr, KM_USER0);
}

static inline void zero_user_segment(struct page *page, unsigned int start, unsigned int end)
{
	zero_user_segments(page, start, end, 0, 0);
}

static inline void zero_user(struct page *page, unsigned int start, unsigned int size)
{
	zero_user_segments(page, start, start + size, 0, 0);
}

/* The source in KM_USER0, the destination in KM_USER1: two slots, both live at once. */
static inline void copy_highpage(struct page *to, struct page *from)
{
	char *vfrom = kmap_atomic(from, KM_USER0);
	char *vto = kmap_atomic(to, KM_USER1);

	copy_page(vto, vfrom);
	kunmap_atomic(vfrom, KM_USER0);
	kunmap_atomic(vto, KM_USER1);
}

/* x86 has no cache aliases: a user page is cleared and copied like any other. */
struct vm_area_struct;
static inline void clear_user_highpage(struct page *page, unsigned long vaddr)
{
	(void)vaddr;
	clear_highpage(page);
}

static inline void copy_user_highpage(struct page *to, struct page *from, unsigned long vaddr,
				      struct vm_area_struct *vma)
{
	(void)vaddr;
	(void)vma;
	copy_highpage(to, from);
}

static inline unsigned long nr_free_highpages(void)
{
	struct zone *zone;
	unsigned long pages = 0;

	for_each_populated_zone(zone)
		if (is_highmem(zone))
			pages += zone_page_state(zone, NR_FREE_PAGES);
	return pages;
}

/* ---- debug API (kmm's): what the tools show and the tests check ---- */

/* The pkmap entry that maps @page now (kmapped, or awaiting the next flush), or -1. */
int kmap_pkmap_nr(struct page *page);
/* pkmap_count[@nr]: 0 free, 1 free once the TLBs are flushed, n: n - 1 users. */
int kmap_pkmap_count(unsigned int nr);

struct kmap_stats {
	unsigned long users;		/* kmaps not yet kunmapped: sum of (count - 1) */
	unsigned long entries;		/* entries with count >= 1 (each maps a page) */
	unsigned long flushes;		/* wraps that retired entries (one TLB flush each) */
	unsigned long waits;		/* times a kmap slept for want of a free entry */
	unsigned long sleepers;		/* tasks sleeping in kmap now */
	unsigned long atomic_maps;	/* highmem kmap_atomics (slot mappings) since boot */
};
void kmap_get_stats(struct kmap_stats *st);

#endif /* KMM_HIGHMEM_H */
