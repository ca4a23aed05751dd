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
 *   fffff000          FIXADDR_TOP; fixmap slots below it (kmap_atomic's:
 *                     KM_TYPE_NR per CPU), to FIXADDR_START ffaf6000
 *   ff9f5000          FIXADDR_BOOT_START (PAE: ff8fe000), boot-time slots above
 *   ff400000          PKMAP_BASE (PAE: ff600000): persistent kmap window,
 *                     LAST_PKMAP pages (1024; PAE: 512)
 *   f8800000          vmalloc area, after an 8 MB gap above lowmem, to
 *                     VMALLOC_END = PKMAP_BASE - 2 pages
 *   c0000000          PAGE_OFFSET: direct mapping of lowmem (at most MAXMEM):
 *                     the only RAM with a kernel address; highmem pages
 *                     get one from kmap (include/kmm/asm/fixmap.h)
 *   00000000          user space, 3 GB
 *
 * Kernel virtual addresses are host pointers (see DESIGN.md); the values
 * above are what /proc, dmesg and page tables show.  kaddr_to_linux() and
 * linux_to_kaddr() (<kmm/page.h>, arch/x86/layout.c) convert, in O(1),
 * through a small range table.
 */
#ifndef KMM_ARCH_X86_LAYOUT_H
#define KMM_ARCH_X86_LAYOUT_H

#include <kmm/asm/page.h>

/* Select the architecture for the configured machine (and its page-table shape). */
void arch_select(void);
/* The page-table shape of the selected architecture; @nx: the CPU has NX (arch/x86/pgtable.c). */
void pgtable_shape_init(bool nx);

#endif /* KMM_ARCH_X86_LAYOUT_H */
