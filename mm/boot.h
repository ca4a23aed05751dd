/*
 * mm/boot.h - mm's interface to the boot sequence: what arch/x86's
 * setup_arch()/paging_init()/mem_init() and the kernel's start_kernel()
 * call, in the order start_kernel() calls them (kernel/main.c).  Linux
 * declares these in include/linux/mm.h, bootmem.h and slab.h; here they
 * have a header of their own so that the boot code sees nothing else of
 * mm/ (mm/internal.h is for mm/ alone).  The layering check allows arch/
 * and kernel/ to include this one file of mm/.
 */
#ifndef KMM_MM_BOOT_H
#define KMM_MM_BOOT_H

#include <kmm/mm.h>
#include <kmm/pgtable.h>

/* The lock order of mm/internal.h, declared to the lock validator (first thing). */
void mm_declare_lock_order(void);

/* start_kernel, before setup_arch: the table of highmem pages' addresses (highmem.c). */
void page_address_init(void);

/* setup_arch: the memory map and the zones. */
extern int pageblock_order;		/* set from the architecture before anything */
void sparse_init(void);				/* x86_64: the vmemmap memory map */
/* paging_init: the kernel's address space gets its top-level table, swapper_pg_dir. */
void init_mm_setup(pgd_t *pgd);
void free_area_init_nodes(unsigned long *max_zone_pfn);
/*
 * paging_init on i386: the pkmap window's PTE table, which arch's
 * permanent_kmaps_init() allocates and records here, then kmap_init()
 * (the kmap layer finds its windows; nothing on x86_64).
 */
extern pte_t *pkmap_page_table;
void kmap_init(void);
/* The memory map holds @p (a struct page): for the address layout. */
bool memmap_contains(const void *p);
/* The address Linux would show for a struct page (vmemmap or flat mem_map). */
u64 page_to_linux(const struct page *page);

/* start_kernel, after setup_arch. */
void build_all_zonelists(void);
/* mem_init: boot memory has gone to the buddy allocator. */
bool mm_boot_done(void);
void mm_set_boot_done(void);
void kmem_cache_init(void);
void kmem_cache_init_late(void);
void setup_per_cpu_pageset(void);
void pageset_cpu_up(int cpu);		/* a CPU coming online after boot: its pagesets */
void page_alloc_init(void);		/* the page allocator's CPU hotplug callback */
void setup_vmstat(void);		/* vmstat's CPU hotplug callback */
/* The initcalls that matter to memory, in Linux's order. */
void init_per_zone_wmark_min(void);
void refresh_zone_stat_thresholds(void);
void cpucache_init(void);		/* start cache_reap */
/* vmstat_update, every second: fold the per-CPU counter deltas. */
void refresh_all_vm_stats(void);

/* Shutdown: give the memory map's host windows back. */
void memmap_release(void);
/* At shutdown: the host memory of the slab page map (mm/slab.h). */
void slab_pagemap_release(void);

#endif /* KMM_MM_BOOT_H */
