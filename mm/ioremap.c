/*
 * ioremap.c - mapping device memory into the vmalloc area (Linux keeps
 * this in arch/x86/mm/ioremap.c; it is vmalloc's third user, so it sits
 * beside it here).
 *
 * An ioremap takes an area (VM_IOREMAP, aligned to its size up to 128
 * pages) and maps the physical frames by number: there may be no struct
 * page behind them.  The area records the physical address for
 * /proc/vmallocinfo ("phys=") and iounmap.  Like 2.6.34: the legacy
 * ISA range 640K-1M is always reachable through the direct map and is
 * returned as is; RAM the kernel uses (a page of the e820 map's RAM that
 * is not reserved) is refused, and RAM that is reserved is mapped with a
 * warning.  kmm has no PAT: no memory-type reservations, the cache mode
 * goes into the PTE only.
 */
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/page-flags.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/slab.h>
#include <kmm/vmalloc.h>
#include "arch/x86/e820.h"
#include "arch/x86/kernel_map.h"
#include "mm/vmalloc_internal.h"

#define ISA_START_ADDRESS	0xa0000
#define ISA_END_ADDRESS		0x100000

/* UC- (PCD without PWT): what ioremap_nocache asks for while PAT is not in charge. */
#define PAGE_KERNEL_IO_UC_MINUS	__pgprot(__PAGE_KERNEL | _PAGE_PCD | _PAGE_IOMAP)

/* The physical address fits the frame bits of the paging mode (x86_phys_bits). */
static bool phys_addr_valid(phys_addr_t addr)
{
	return !((addr & PAGE_MASK) & ~PTE_PFN_MASK);
}

/*
 * Is any page of [@phys, @last] RAM the kernel uses?  2.6.34's loop stops
 * before the last page, so that a one-page ioremap of RAM in use gets
 * through; kmm checks every page.  Reserved RAM (the kernel image, boot
 * reservations) may be mapped, with a one-time warning as in 2.6.34.  A
 * deferred page (mm/deferred_init.c) is free RAM, not reserved, and its
 * struct page is not to be read: it is in use as Linux counts it.
 */
static bool range_has_ram_in_use(phys_addr_t phys, phys_addr_t last)
{
	for (unsigned long pfn = phys >> PAGE_SHIFT; pfn <= last >> PAGE_SHIFT; pfn++) {
		bool is_ram = page_is_ram(pfn);

		if (is_ram && pfn_valid(pfn) &&
		    (page_init_deferred(pfn) || !PageReserved(pfn_to_page(pfn))))
			return true;
		WARN_ON_ONCE(is_ram);
	}
	return false;
}

/*
 * Map [@phys_addr, @phys_addr + @size) with @prot.  Returns the host
 * pointer of @phys_addr in the new area (the offset into its first page
 * kept), or NULL with nothing left behind.
 */
static void __iomem *__ioremap_caller(phys_addr_t phys_addr, unsigned long size, pgprot_t prot,
				      void *caller)
{
	phys_addr_t last_addr = phys_addr + size - 1, offset;
	struct vm_struct *area;

	if (!size || last_addr < phys_addr)
		return NULL;
	if (!phys_addr_valid(phys_addr)) {
		printk(KERN_WARNING "ioremap: invalid physical address %llx\n",
		       (unsigned long long)phys_addr);
		WARN_ON_ONCE(1);
		return NULL;
	}
	if (phys_addr >= ISA_START_ADDRESS && last_addr < ISA_END_ADDRESS)
		return (void __iomem *)phys_to_virt(phys_addr);
	if (range_has_ram_in_use(phys_addr, last_addr)) {
		/* 2.6.34 refuses silently; this is later Linux's message. */
		printk(KERN_WARNING "ioremap on RAM at 0x%0*llx - 0x%0*llx\n",
		       arch->bits == 64 || arch->pae ? 16 : 8, (unsigned long long)phys_addr,
		       arch->bits == 64 || arch->pae ? 16 : 8, (unsigned long long)last_addr);
		return NULL;
	}

	offset = phys_addr & ~PAGE_MASK;
	phys_addr &= PAGE_MASK;
	size = PAGE_ALIGN(last_addr + 1) - phys_addr;
	area = get_vm_area_caller(size, VM_IOREMAP | VM_UNLIST, caller);
	if (!area)
		return NULL;
	area->phys_addr = phys_addr;
	if (arch_map_kernel_phys(kernel_window_addr(area->addr), phys_addr, size, prot)) {
		free_vm_area(area);
		return NULL;
	}
	insert_vmalloc_vmlist(area);
	return (void __iomem *)((char *)area->addr + offset);
}

void __iomem *ioremap_nocache(phys_addr_t phys, unsigned long size)
{
	return __ioremap_caller(phys, size, PAGE_KERNEL_IO_UC_MINUS, __builtin_return_address(0));
}

void __iomem *ioremap(phys_addr_t phys, unsigned long size)
{
	return __ioremap_caller(phys, size, PAGE_KERNEL_IO_UC_MINUS, __builtin_return_address(0));
}

void __iomem *ioremap_cache(phys_addr_t phys, unsigned long size)
{
	return __ioremap_caller(phys, size, PAGE_KERNEL_IO, __builtin_return_address(0));
}

/*
 * Undo an ioremap: @addr is what it returned (any address in the first
 * page).  The ISA range and direct-map addresses were never areas;
 * anything else that is not the start of an area on vmlist is reported
 * and left alone.
 */
void iounmap(volatile void __iomem *addr)
{
	const void *a = (const void *)addr;
	struct vm_struct *p, *o;

	if (virt_addr_in_ram(a))
		return;
	a = (const void *)((unsigned long)a & PAGE_MASK);
	down_read(&vmlist_lock);
	for (p = vmlist; p && p->addr != a; p = p->next)
		;
	up_read(&vmlist_lock);
	if (!p) {
		printk(KERN_ERR "iounmap: bad address %0*llx\n", arch->sizeof_ptr * 2,
		       (unsigned long long)kaddr_to_linux(a));
		dump_stack();
		return;
	}
	o = remove_vm_area(a);
	BUG_ON(p != o || !o);
	kfree(p);
}
