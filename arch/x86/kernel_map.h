/*
 * arch/x86/kernel_map.h - the one way a kernel mapping is made or undone
 * outside the direct map: the PTE written in swapper_pg_dir *and* the same
 * physical pages mapped at the matching host address, so that C code uses
 * the memory through an ordinary pointer (DESIGN.md, "Addresses").
 *
 * Kernel address ranges outside the direct map (x86_64: the vmalloc area;
 * i386: the vmalloc area, the pkmap window and the fixmap) are host
 * windows reserved at boot with no access.  A Linux address in a window
 * converts to a host pointer by a constant offset (kernel_window_ptr), and
 * back (kernel_window_addr); kaddr_to_linux()/linux_to_kaddr() know them.
 *
 * Each run of physically contiguous pages costs the host one mapping, and
 * hosts allow about 65,530 per process (vm.max_map_count).  The runs in use
 * are counted against a budget (the host's limit less a margin for the
 * rest of the program, or the boot option host_maps=N); a mapping that
 * would pass it, or that the host refuses, fails with -ENOMEM and leaves
 * nothing of itself behind.  i386's pkmap window and fixmap are the
 * exception: kmap cannot fail in Linux, so their few thousand mappings at
 * most are counted apart and come out of the margin.
 *
 * Locking: callers own the range they map or unmap (vmalloc gets it from
 * its area allocator); page tables are populated under
 * init_mm.page_table_lock.  No TLB is flushed here: unmapping leaves stale
 * entries until the caller flushes (flush_tlb_kernel_range), as Linux's
 * vunmap_page_range does.
 */
#ifndef KMM_ARCH_X86_KERNEL_MAP_H
#define KMM_ARCH_X86_KERNEL_MAP_H

#include <kmm/mm_types.h>
#include <kmm/tlbflush.h>
#include <kmm/asm/pgtable_types.h>

/*
 * Map @nr pages at page-aligned kernel address @addr, page i at @addr + i
 * pages, with @prot (PAGE_KERNEL for vmalloc).  The range must be in a
 * window and unmapped.  0 or -ENOMEM.
 */
int arch_map_kernel_pages(unsigned long addr, struct page **pages, unsigned long nr, pgprot_t prot);

/* Map physical [@phys, @phys + @size) at @addr (ioremap): the same, by frame. */
int arch_map_kernel_phys(unsigned long addr, u64 phys, unsigned long size, pgprot_t prot);

/*
 * Clear the PTEs of [@addr, @addr + @size) (page-aligned; entries already
 * clear are skipped) and make the host range inaccessible again.  Page
 * tables stay, as Linux's stay.  No TLB flush.  One exception, for speed:
 * in release builds a single page of i386's fixmap (a kmap_atomic slot)
 * keeps its host mirror until the page is mapped again (kernel_map.c).
 */
void arch_unmap_kernel_range(unsigned long addr, unsigned long size);

/* The host pointer of window address @addr, or NULL outside every window. */
void *kernel_window_ptr(unsigned long addr);
/* The Linux address of host pointer @p inside a window, or 0. */
unsigned long kernel_window_addr(const void *p);

/*
 * The vmalloc area: Linux's [VMALLOC_START, VMALLOC_END), of which the host
 * reserved [vmalloc_start, vmalloc_limit) (all of it on i386; on x86_64 as
 * much of the 32 TB as the host would give, at least 1G).  vmalloc
 * allocates below vmalloc_limit; /proc/meminfo shows Linux's total.
 */
extern unsigned long vmalloc_start, vmalloc_end, vmalloc_limit;
#define VMALLOC_START	vmalloc_start
#define VMALLOC_END	vmalloc_end

/* Host mappings in use and the budget (for tests and /proc views). */
struct kernel_map_stats {
	unsigned long host_maps;	/* runs mirrored now */
	unsigned long fixed_maps;	/* of which in i386's pkmap window and fixmap: never refused */
	unsigned long host_map_budget;
	unsigned long refused;		/* mappings refused for the budget or by the host */
};
void kernel_map_stats(struct kernel_map_stats *st);

/*
 * The vmemmap (x86_64): its window, reserved by mm/sparse.c, is one of the
 * kernel's; its tables come from the boot allocator on the section's node
 * before each 2M block is (vmemmap_pgd_populate, vmemmap_pud_populate);
 * kernel_map_pmds() writes 2M pages for a run of blocks and mirrors it with
 * one host mapping.
 */
void kernel_window_add(unsigned long start, void *host, unsigned long size);
void vmemmap_tables(unsigned long addr, int nid);
int kernel_map_pmds(unsigned long addr, u64 pa, unsigned long size);
/* Memory hotplug: the same after boot, from the page allocator, and undone. */
int vmemmap_tables_alloc(unsigned long addr, int nid, void **tables, int *nr);
void vmemmap_tables_free(void **tables, int nr);
void kernel_unmap_pmds(unsigned long addr, unsigned long size);

/* Boot: reserve the windows (after the direct mapping), and give them back at shutdown. */
void kernel_windows_init(void);
void kernel_windows_release(void);

#endif /* KMM_ARCH_X86_KERNEL_MAP_H */
