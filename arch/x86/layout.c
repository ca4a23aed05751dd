/*
 * arch/x86/layout.c - the two architecture descriptors, and the conversion
 * between kernel (host) pointers and the addresses Linux would show.
 */
#include <kmm/mm.h>
#include <kmm/asm/fixmap.h>
#include "arch/x86/kernel_map.h"
#include "arch/x86/layout.h"
#include "arch/x86/setup.h"
#include "hw/machine.h"
#include "mm/boot.h"

static const struct arch_desc arch_x86_64 = {
	.name = "x86_64",
	.bits = 64,
	.page_offset = 0xffff880000000000ULL,
	.vmalloc_start = 0xffffc90000000000ULL,
	.vmalloc_end = 0xffffe8ffffffffffULL,
	.vmemmap_start = 0xffffea0000000000ULL,
	.kernel_text_map = 0xffffffff80000000ULL,
	.max_arch_pfn = 1UL << (46 - PAGE_SHIFT),	/* MAXMEM: 64 TB */
	.pageblock_order = 9,				/* HUGETLB_PAGE_ORDER, 2 MB */
	.sizeof_page = 56,
	.sizeof_long = 8,
	.sizeof_ptr = 8,
	.free_chunk_order = 6,				/* ilog2(BITS_PER_LONG) */
	.highmem = false,
	.numa = true,
	.nr_zones = 4,
	.zones = { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE },
};

/*
 * i386: lowmem ends at 896 MB, the classic MAXMEM (1 GB of kernel space
 * minus a 128 MB vmalloc reserve) that the seed describes.  Above the
 * vmalloc area: the pkmap window, then the fixmap, laid out from 2.6.34's
 * formulas (asm/fixmap.h): the fixmap is the same size in both paging
 * modes, its boot-time slots and so the pkmap window are not.
 */
#define I386_FIXADDR_TOP	0xfffff000ULL
#define I386_MAXMEM		(896ULL << 20)
#define I386_FIXADDR_START	(I386_FIXADDR_TOP - FIXADDR_SIZE)
#define I386_FIXADDR_BOOT_START(ptrs)						\
	(I386_FIXADDR_TOP - ((u64)__END_OF_FIXED_ADDRESSES(ptrs) << PAGE_SHIFT))
#define I386_PKMAP_BASE(ptrs, last_pkmap, pmd_size)				\
	((I386_FIXADDR_BOOT_START(ptrs) - PAGE_SIZE * ((last_pkmap) + 1)) & ~((u64)(pmd_size) - 1))

static const struct arch_desc arch_i386 = {
	.name = "i386",
	.bits = 32,
	.page_offset = 0xc0000000ULL,
	.vmalloc_start = 0xc0000000ULL + I386_MAXMEM + (8ULL << 20),
	.vmalloc_end = I386_PKMAP_BASE(1024, 1024, 4UL << 20) - 2 * PAGE_SIZE,
	.pkmap_base = I386_PKMAP_BASE(1024, 1024, 4UL << 20),
	.fixaddr_start = I386_FIXADDR_START,
	.fixaddr_top = I386_FIXADDR_TOP,
	.fixaddr_boot_start = I386_FIXADDR_BOOT_START(1024),
	.max_arch_pfn = 1UL << (32 - PAGE_SHIFT),
	.maxmem_pfn = I386_MAXMEM >> PAGE_SHIFT,
	.pageblock_order = 10,				/* 4 MB large pages */
	.sizeof_page = 32,
	.sizeof_long = 4,
	.sizeof_ptr = 4,
	.last_pkmap = 1024,
	.free_chunk_order = 5,
	.highmem = true,
	.numa = false,
	.nr_zones = 4,
	.zones = { ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM, ZONE_MOVABLE },
};

static const struct arch_desc arch_i386_pae = {
	.name = "i386",
	.bits = 32,
	.page_offset = 0xc0000000ULL,
	.vmalloc_start = 0xc0000000ULL + I386_MAXMEM + (8ULL << 20),
	.vmalloc_end = I386_PKMAP_BASE(512, 512, 2UL << 20) - 2 * PAGE_SIZE,
	.pkmap_base = I386_PKMAP_BASE(512, 512, 2UL << 20),
	.fixaddr_start = I386_FIXADDR_START,
	.fixaddr_top = I386_FIXADDR_TOP,
	.fixaddr_boot_start = I386_FIXADDR_BOOT_START(512),
	.max_arch_pfn = 1UL << (36 - PAGE_SHIFT),
	.maxmem_pfn = I386_MAXMEM >> PAGE_SHIFT,
	.pageblock_order = 9,				/* 2 MB large pages */
	.sizeof_page = 32,
	.sizeof_long = 4,
	.sizeof_ptr = 4,
	.last_pkmap = 512,
	.free_chunk_order = 5,
	.highmem = true,
	.numa = false,
	.pae = true,
	.nr_zones = 4,
	.zones = { ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM, ZONE_MOVABLE },
};

#if NR_CPUS == 64	/* the kmap_atomic slots grow the fixmap with NR_CPUS (asm/fixmap.h) */
_Static_assert(I386_PKMAP_BASE(1024, 1024, 4UL << 20) == 0xff400000ULL, "i386 PKMAP_BASE");
_Static_assert(I386_PKMAP_BASE(512, 512, 2UL << 20) == 0xff600000ULL, "PAE PKMAP_BASE");
_Static_assert(I386_FIXADDR_START == 0xffaf6000ULL, "FIXADDR_START");
#endif
_Static_assert(LAST_PKMAP_MAX >= 1024, "pkmap arrays hold every entry");

const struct arch_desc *arch __state = &arch_x86_64;

void arch_select(void)
{
	if (hw.arch == HW_ARCH_X86_64)
		arch = &arch_x86_64;
	else
		arch = hw.pae ? &arch_i386_pae : &arch_i386;
	pgtable_shape_init(true);
}

u64 kaddr_to_linux(const void *p)
{
	/* i386's node 0 is a static variable: it lives at the start of .data. */
	if (p == &contig_page_data)
		return arch->page_offset + kimage.etext;
	if (virt_addr_in_ram(p))
		return arch->page_offset + __pa(p);
	if (kernel_window_addr(p))
		return kernel_window_addr(p);
	if (memmap_contains(p))
		return page_to_linux((const struct page *)p) +
		       ((const char *)p - (const char *)pfn_to_page(page_to_pfn((const struct page *)p)));
	return (u64)(unsigned long)p;
}

void *linux_to_kaddr(u64 addr)
{
	u64 pa;

	if (kernel_window_ptr((unsigned long)addr))
		return kernel_window_ptr((unsigned long)addr);
	if (addr < arch->page_offset)
		return NULL;
	pa = addr - arch->page_offset;
	if (pa >= hw_direct_size)
		return NULL;
	return __va(pa);
}
