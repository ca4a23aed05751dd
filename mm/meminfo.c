/*
 * meminfo.c - /proc/meminfo in 2.6.34's order and format.
 *
 * Fields whose mechanism kmm does not have yet read 0 (see docs/scenario.md
 * for the list); every other field is computed as Linux computes it.
 */
#include <kmm/highmem.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/procfs.h>
#include <kmm/seq_file.h>
#include <kmm/vmalloc.h>
#include <kmm/vmstat.h>
#include "arch/x86/setup.h"
#include "mm/internal.h"

#define K(x) ((unsigned long)(x) << (PAGE_SHIFT - 10))

/* Pages of the direct mapping by page size, counted by init_memory_mapping(). */
unsigned long direct_pages_count[3] __state_zero;	/* 4k, 2M (4M on non-PAE i386), 1G */

static int meminfo_show(struct seq_file *m, const char *rest)
{
	unsigned long pages[NR_LRU_LISTS];
	unsigned long freeram = global_page_state(NR_FREE_PAGES);
	unsigned long freehigh = nr_free_highpages();
	unsigned long committed = vm_committed_pages(), allowed = vm_commit_limit(), vmalloc_total;
	struct vmalloc_info vmi;
	unsigned long swap_total = 0, swap_free = 0, swapcache = 0, buffers = 0;
	long cached;

	for (int lru = 0; lru < NR_LRU_LISTS; lru++)
		pages[lru] = global_page_state(NR_LRU_BASE + lru);
	cached = global_page_state(NR_FILE_PAGES) - swapcache - buffers;
	if (cached < 0)
		cached = 0;
	/* Linux's whole area (VMALLOC_END - VMALLOC_START), whatever the host reserved. */
	vmalloc_total = (unsigned long)((arch->vmalloc_end - arch->vmalloc_start) >> 10);
	get_vmalloc_info(&vmi);

	seq_printf(m,
		   "MemTotal:       %8lu kB\n"
		   "MemFree:        %8lu kB\n"
		   "Buffers:        %8lu kB\n"
		   "Cached:         %8lu kB\n"
		   "SwapCached:     %8lu kB\n"
		   "Active:         %8lu kB\n"
		   "Inactive:       %8lu kB\n"
		   "Active(anon):   %8lu kB\n"
		   "Inactive(anon): %8lu kB\n"
		   "Active(file):   %8lu kB\n"
		   "Inactive(file): %8lu kB\n"
		   "Unevictable:    %8lu kB\n"
		   "Mlocked:        %8lu kB\n",
		   K(totalram_pages), K(freeram), K(buffers), K(cached), K(swapcache),
		   K(pages[LRU_ACTIVE_ANON] + pages[LRU_ACTIVE_FILE]),
		   K(pages[LRU_INACTIVE_ANON] + pages[LRU_INACTIVE_FILE]),
		   K(pages[LRU_ACTIVE_ANON]), K(pages[LRU_INACTIVE_ANON]),
		   K(pages[LRU_ACTIVE_FILE]), K(pages[LRU_INACTIVE_FILE]),
		   K(pages[LRU_UNEVICTABLE]), K(global_page_state(NR_MLOCK)));
	if (arch->highmem)
		seq_printf(m,
			   "HighTotal:      %8lu kB\n"
			   "HighFree:       %8lu kB\n"
			   "LowTotal:       %8lu kB\n"
			   "LowFree:        %8lu kB\n",
			   K(totalhigh_pages), K(freehigh), K(totalram_pages - totalhigh_pages),
			   K(freeram - freehigh));
	seq_printf(m,
		   "SwapTotal:      %8lu kB\n"
		   "SwapFree:       %8lu kB\n"
		   "Dirty:          %8lu kB\n"
		   "Writeback:      %8lu kB\n"
		   "AnonPages:      %8lu kB\n"
		   "Mapped:         %8lu kB\n"
		   "Shmem:          %8lu kB\n"
		   "Slab:           %8lu kB\n"
		   "SReclaimable:   %8lu kB\n"
		   "SUnreclaim:     %8lu kB\n"
		   "KernelStack:    %8lu kB\n"
		   "PageTables:     %8lu kB\n"
		   "NFS_Unstable:   %8lu kB\n"
		   "Bounce:         %8lu kB\n"
		   "WritebackTmp:   %8lu kB\n"
		   "CommitLimit:    %8lu kB\n"
		   "Committed_AS:   %8lu kB\n"
		   "VmallocTotal:   %8lu kB\n"
		   "VmallocUsed:    %8lu kB\n"
		   "VmallocChunk:   %8lu kB\n",
		   K(swap_total), K(swap_free), K(global_page_state(NR_FILE_DIRTY)),
		   K(global_page_state(NR_WRITEBACK)), K(global_page_state(NR_ANON_PAGES)),
		   K(global_page_state(NR_FILE_MAPPED)), K(global_page_state(NR_SHMEM)),
		   K(global_page_state(NR_SLAB_RECLAIMABLE) + global_page_state(NR_SLAB_UNRECLAIMABLE)),
		   K(global_page_state(NR_SLAB_RECLAIMABLE)), K(global_page_state(NR_SLAB_UNRECLAIMABLE)),
		   global_page_state(NR_KERNEL_STACK) * 8192 / 1024,
		   K(global_page_state(NR_PAGETABLE)), K(global_page_state(NR_UNSTABLE_NFS)),
		   K(global_page_state(NR_BOUNCE)), K(global_page_state(NR_WRITEBACK_TEMP)),
		   K(allowed), K(committed), vmalloc_total, vmi.used >> 10, vmi.largest_chunk >> 10);
	seq_printf(m,
		   "HugePages_Total:   %5lu\n"
		   "HugePages_Free:    %5lu\n"
		   "HugePages_Rsvd:    %5lu\n"
		   "HugePages_Surp:    %5lu\n"
		   "Hugepagesize:   %8lu kB\n",
		   0UL, 0UL, 0UL, 0UL, 1UL << (arch->pageblock_order + PAGE_SHIFT - 10));
	seq_printf(m, "DirectMap4k:    %8lu kB\n", direct_pages_count[0] << 2);
	if (arch->bits == 64 || arch->pae)
		seq_printf(m, "DirectMap2M:    %8lu kB\n", direct_pages_count[1] << 11);
	else
		seq_printf(m, "DirectMap4M:    %8lu kB\n", direct_pages_count[1] << 12);
	if (direct_gbpages_on())
		seq_printf(m, "DirectMap1G:    %8lu kB\n", direct_pages_count[2] << 20);
	return 0;
}
PROC_ENTRY(meminfo, "/proc/meminfo", meminfo_show, NULL, false);
