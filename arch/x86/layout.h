/*
 * arch/x86/layout.h - the two simulated architectures: their kernel address
 * maps, page sizes and the constants that differ between them.
 *
 * x86_64, 4-level paging, 48-bit virtual addresses:
 *
 *   ffffffffff600000  vsyscall
 *   ffffffffa0000000  modules
 *   ffffffff80000000  kernel text mapping (physical 0)
 *   ffffea0000000000  vmemmap: struct page array, 1 TB
 *   ffffc90000000000  vmalloc/ioremap space, 32 TB (VMALLOC_START..VMALLOC_END)
 *   ffff880000000000  direct mapping of all physical memory, 64 TB (PAGE_OFFSET)
 *   0000800000000000  (non-canonical hole)
 *   0000000000000000  user space, 128 TB
 *
 * i386, 3G/1G split, 2-level paging (3-level with PAE):
 *
 *   fffff000          FIXADDR_TOP; fixmap slots below it (kmap_atomic)
 *   ff800000          PKMAP_BASE: persistent kmap window, LAST_PKMAP pages
 *   f8000000+         vmalloc area, after an 8 MB gap above lowmem
 *   c0000000          PAGE_OFFSET: direct mapping of lowmem (at most MAXMEM)
 *   00000000          user space, 3 GB
 *
 * Kernel virtual addresses are host pointers (see DESIGN.md); the values
 * above are what /proc, dmesg and page tables show.  arch_to_linux() and
 * linux_to_arch() convert, in O(1), through a small range table.
 */
#ifndef KMM_ARCH_X86_LAYOUT_H
#define KMM_ARCH_X86_LAYOUT_H

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
	u64 fixaddr_start, fixaddr_top;	/* i386 only */
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

/* Select the architecture for the configured machine. */
void arch_select(void);

#endif /* KMM_ARCH_X86_LAYOUT_H */
