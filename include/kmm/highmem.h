/*
 * highmem.h - temporary kernel mappings of pages and page clearing.
 *
 * kmap_atomic() gives a kernel address for any page.  Lowmem pages have one
 * already (the direct map).  For highmem pages the simulator, until the
 * fixmap slots of the kmap issue exist, uses its own window onto all of RAM
 * (see docs/glossary.md): the contents are the same physical bytes.
 */
#ifndef KMM_HIGHMEM_H
#define KMM_HIGHMEM_H

#include <kmm/mm.h>
#include <kmm/string.h>

static inline void *kmap_atomic(struct page *page)
{
	return __va(page_to_phys(page));
}

static inline void kunmap_atomic(void *kaddr)
{
	(void)kaddr;
}

static inline void clear_highpage(struct page *page)
{
	void *kaddr = kmap_atomic(page);

	memset(kaddr, 0, PAGE_SIZE);
	kunmap_atomic(kaddr);
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

#endif /* KMM_HIGHMEM_H */
