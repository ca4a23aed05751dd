/*
 * asm/page.h - page size, the descriptor of the simulated architecture,
 * and the direct map: what the public headers need to convert between
 * physical addresses, pfns and kernel (host) addresses.
 *
 * The architectures themselves, their address maps drawn out, live in
 * arch/x86/layout.h; RAM and its host windows in hw/ram.h.  This header is
 * their public face, as Linux's asm/page.h is.
 */
#ifndef KMM_ASM_PAGE_H
#define KMM_ASM_PAGE_H

#include <kmm/types.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PFN_UP(x)	(((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x)	((x) >> PAGE_SHIFT)
#define PFN_PHYS(x)	((phys_addr_t)(x) << PAGE_SHIFT)

#define MAX_DMA_PFN	((16UL << 20) >> PAGE_SHIFT)	/* ZONE_DMA ends at 16 MB */
#define MAX_DMA32_PFN	((4UL << 30) >> PAGE_SHIFT)	/* ZONE_DMA32 ends at 4 GB */

struct arch_desc {
	const char *name;		/* "x86_64", "i386" */
	int bits;			/* width of the simulated unsigned long */
	u64 page_offset;		/* start of the direct mapping */
	u64 vmalloc_start, vmalloc_end;
	u64 vmemmap_start;		/* x86_64 only */
	u64 pkmap_base;			/* i386 only */
	u64 fixaddr_start, fixaddr_top;	/* i386 only: the fixmap (asm/fixmap.h) */
	u64 fixaddr_boot_start;		/* i386: below the boot-time fixmap slots too */
	u64 kernel_text_map;		/* x86_64: __START_KERNEL_map */
	unsigned long max_arch_pfn;	/* physical address limit, in pages */
	unsigned long maxmem_pfn;	/* i386: largest lowmem, in pages */
	int pageblock_order;
	int sizeof_page;		/* sizeof(struct page) in that kernel */
	int sizeof_long;
	int sizeof_ptr;
	int last_pkmap;			/* i386: pages in the pkmap window */
	int free_chunk_order;		/* __free_pages_memory chunk: ilog2(BITS_PER_LONG) */
	bool highmem;			/* has ZONE_HIGHMEM */
	bool numa;			/* built with CONFIG_NUMA */
	bool pae;
	/* The zones this architecture configures, in index order. */
	int nr_zones;
	int zones[5];
};

extern const struct arch_desc *arch;	/* chosen at boot from hw.arch */

/*
 * The direct map: RAM is one host mapping, so physical address pa is the
 * kernel address hw_ram_base + pa (hw/ram.c sets both at machine setup).
 * It covers the first hw_direct_size bytes: all of RAM on x86_64, lowmem
 * on i386 (the rest of the range is reserved and inaccessible, so a
 * highmem page reached without kmap faults for real).
 */
extern char *hw_ram_base;	/* host address of physical address 0 */
extern u64 hw_ram_size;		/* bytes backed (== hw.phys_end) */
extern u64 hw_direct_size;	/* bytes the direct map covers, <= hw_ram_size */

/*
 * clear_page and copy_page: x86_64's clear_page_erms and copy_page on
 * CPUs with enhanced REP MOVSB/STOSB, one string instruction for the
 * page (the host CPU runs them; the compiler's inline expansion of a
 * 4096-byte memset is REP STOSQ, slower on cold memory).
 */
static inline void clear_page(void *page)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned long n = PAGE_SIZE;

	__asm__ volatile("rep stosb" : "+D"(page), "+c"(n) : "a"(0) : "memory");
#else
	__builtin_memset(page, 0, PAGE_SIZE);
#endif
}

static inline void copy_page(void *to, const void *from)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned long n = PAGE_SIZE;

	__asm__ volatile("rep movsb" : "+D"(to), "+S"(from), "+c"(n) : : "memory");
#else
	__builtin_memcpy(to, from, PAGE_SIZE);
#endif
}

#endif /* KMM_ASM_PAGE_H */
