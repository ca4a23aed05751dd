/*
 * arch/x86/layout.c - the two architecture descriptors, and the conversion
 * between kernel (host) pointers and the addresses Linux would show.
 */
#include <kmm/mm.h>
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
 * minus a 128 MB vmalloc reserve) that the seed describes.
 */
#define I386_FIXADDR_TOP	0xfffff000ULL
#define I386_FIXMAP_PAGES	256
#define I386_MAXMEM		(896ULL << 20)

static const struct arch_desc arch_i386 = {
	.name = "i386",
	.bits = 32,
	.page_offset = 0xc0000000ULL,
	.vmalloc_start = 0xc0000000ULL + I386_MAXMEM + (8ULL << 20),
	.vmalloc_end = 0xff800000ULL - 2 * PAGE_SIZE,
	.pkmap_base = 0xff800000ULL,
	.fixaddr_start = I386_FIXADDR_TOP - I386_FIXMAP_PAGES * PAGE_SIZE,
	.fixaddr_top = I386_FIXADDR_TOP,
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
	.vmalloc_end = 0xffa00000ULL - 2 * PAGE_SIZE,
	.pkmap_base = 0xffa00000ULL,
	.fixaddr_start = I386_FIXADDR_TOP - I386_FIXMAP_PAGES * PAGE_SIZE,
	.fixaddr_top = I386_FIXADDR_TOP,
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
	if (pa >= hw_ram_size)
		return NULL;
	return __va(pa);
}
