/*
 * arch/x86/setup.h - the architecture's part of booting, and the kernel
 * image it describes.
 */
#ifndef KMM_ARCH_X86_SETUP_H
#define KMM_ARCH_X86_SETUP_H

#include <kmm/types.h>

/* The simulated kernel image: physical addresses of its sections. */
struct kernel_image {
	u64 text, etext;	/* _text, _etext: code */
	u64 edata;		/* _edata: code + data */
	u64 init_begin, init_end;
	u64 bss_start, bss_stop;	/* __bss_stop == _end */
};
extern struct kernel_image kimage;

/*
 * setup_arch: the firmware map, early reservations, lowmem/highmem limits,
 * the direct mapping's page-table space, nodes and their active ranges, and
 * paging_init (memory map and zones).  Returns 0 or -EINVAL with a message
 * for machines that cannot boot (e.g. RAM smaller than the kernel).
 */
int setup_arch(const char *cmdline);
/* The arch's end of boot: free boot memory to the buddy allocator, print "Memory:". */
void mem_init(void);

/* The kernel's page tables at boot (arch/x86/init_pgtable.c). */
void kernel_pgtables_init(void);	/* swapper_pg_dir and the image's own tables */
void table_area_set(u64 start, u64 top);	/* where alloc_low_page() takes tables */
u64 table_area_used_end(void);
void table_area_close(void);	/* from now on alloc_low_page() takes boot-allocator pages */
void kernel_physical_mapping_init(u64 start, u64 end, unsigned int level);	/* PG_LEVEL_* */
bool direct_gbpages_on(void);
extern bool no_pse;

/* init_memory_mapping()'s cut of a range into pieces of one page size each. */
#define MAP_2M	0x1	/* page_size_mask bits: PG_LEVEL_2M, PG_LEVEL_1G */
#define MAP_1G	0x2
#define NR_RANGE_MR	5
struct map_range {
	unsigned long start, end;
	unsigned int page_size_mask;
};
int split_mem_range(struct map_range *mr, unsigned long start, unsigned long end);
unsigned int map_range_level(const struct map_range *mr);	/* PG_LEVEL_* */
void print_mem_ranges(const struct map_range *mr, int nr, unsigned long start, unsigned long end);
/*
 * Memory hotplug: alloc_low_page() takes the direct map's new tables from
 * @pages (filled by the caller, who knows how many the range needs, so
 * that writing the mapping cannot fail); NULL ends it.  Returns how many
 * were taken.
 */
void table_pool_set(void **pages, int nr);
int table_pool_taken(void);
void page_table_range_init(unsigned long start, unsigned long end);
/* The MMU in the booted paging mode, the boot CPU's CR3 on swapper_pg_dir (arch/x86/tlb.c). */
void paging_start(void);
/* A secondary CPU coming up: its TLB reset, its CR3 on swapper_pg_dir. */
void paging_cpu_up(int cpu);
/* A CPU going offline: its CR3 back on swapper_pg_dir, its TLB emptied. */
void paging_cpu_down(int cpu);

/* x86_64 NUMA (arch/x86/numa.c). */
void numa_initmem_init(unsigned long start_pfn, unsigned long last_pfn);
extern unsigned long highstart_pfn, highend_pfn;
extern struct pglist_data contig_page_data;

#endif /* KMM_ARCH_X86_SETUP_H */
