/*
 * page.h - page size and the conversions between physical addresses,
 * kernel virtual addresses (host pointers into the direct map) and pfns.
 */
#ifndef KMM_PAGE_H
#define KMM_PAGE_H

#include <kmm/asm/page.h>
#include <kmm/bug.h>

/*
 * Direct map: physical address <-> kernel (host) address.  Only lowmem has
 * a direct-map address on i386: __va() of a highmem address is a bug
 * (debug builds stop; release builds return an address that faults).
 */
static __always_inline void *__kmm_va(phys_addr_t pa)
{
	VM_BUG_ON(pa >= hw_direct_size);
	return hw_ram_base + pa;
}
#define __va(pa)	__kmm_va((phys_addr_t)(pa))
#define __pa(va)	((phys_addr_t)((const char *)(va) - hw_ram_base))
#define phys_to_virt(pa) __va(pa)
#define virt_to_phys(va) __pa(va)
#define pfn_to_kaddr(pfn) __va((phys_addr_t)(pfn) << PAGE_SHIFT)

/* True if @va is inside the direct mapping of RAM (lowmem only on i386). */
static inline bool virt_addr_in_ram(const void *va)
{
	return (const char *)va >= hw_ram_base && (const char *)va < hw_ram_base + hw_direct_size;
}

/* Smallest order with (PAGE_SIZE << order) >= size; size must be non-zero. */
static inline int get_order(unsigned long size)
{
	int order = 0;

	size = (size - 1) >> PAGE_SHIFT;
	while (size) {
		order++;
		size >>= 1;
	}
	return order;
}

/*
 * The address Linux would show for a kernel pointer (direct map, vmemmap,
 * vmalloc...), for /proc and dmesg.  Pointers outside every kernel range
 * are returned unchanged.
 */
u64 kaddr_to_linux(const void *p);
/* The reverse, for addresses that name kernel memory; NULL if none. */
void *linux_to_kaddr(u64 addr);

#endif /* KMM_PAGE_H */
