/*
 * arch/x86/setup.c - setup_arch(): from the firmware's memory map to nodes,
 * zones and the memory map, in 2.6.34's order (seed 003, 2.3.2.2).
 *
 *   head{32,64}: reserve the kernel image and the BIOS area below 1 MB;
 *   e820:        print the BIOS map; max_pfn; i386: the lowmem limit;
 *   trampoline:  the SMP trampoline at 0x6000;
 *   init_memory_mapping: page-table space for the direct mapping ("PGTABLE");
 *   initmem_init: the early_node_map, per node (x86_64: NODE_DATA);
 *   paging_init: the memory map (vmemmap or flat) and free_area_init_nodes.
 */
#include <kmm/bootmem.h>
#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/params.h>
#include <kmm/pgtable.h>
#include <kmm/printk.h>
#include <kmm/string.h>
#include "arch/x86/e820.h"
#include "arch/x86/kernel_map.h"
#include "arch/x86/setup.h"
#include "hw/machine.h"
#include "hw/ram.h"
#include "mm/boot.h"

#define KERNEL_LOAD_ADDR	0x100000ULL	/* the kernel image sits at 1 MB */
#define TRAMPOLINE_BASE		0x6000ULL
#define TRAMPOLINE_SIZE		0x2000ULL
#define DEFAULT_KERNEL_SIZE	(8ULL << 20)

struct kernel_image kimage __state_zero;
unsigned long max_pfn __state, max_low_pfn __state, num_physpages __state_zero;
unsigned long highstart_pfn __state, highend_pfn __state_zero;
static u64 kernel_size __state = DEFAULT_KERNEL_SIZE;

static int set_kernel_size(const char *val)
{
	u64 size;

	if (parse_size(val, &size) || size < (1ULL << 20) || size > (1ULL << 30))
		return kmm_error("kernel_size=%s: need a size from 1M to 1G", val ? val : "");
	kernel_size = size;
	return 0;
}
early_param("kernel_size", set_kernel_size, "size of the kernel image loaded at 1M (default 8M)");

/*
 * Lay the image out as a linker would: code, data, init sections, bss,
 * each page-aligned; proportions of a 2.6.34 defconfig kernel.
 */
static void layout_kernel_image(void)
{
	u64 pages = kernel_size >> PAGE_SHIFT;
	u64 code = pages * 50 / 100, data = pages * 25 / 100, init = pages * 10 / 100;
	u64 bss = pages - code - data - init;

	kimage.text = KERNEL_LOAD_ADDR;
	kimage.etext = kimage.text + (code << PAGE_SHIFT);
	kimage.edata = kimage.etext + (data << PAGE_SHIFT);
	kimage.init_begin = kimage.edata;
	kimage.init_end = kimage.init_begin + (init << PAGE_SHIFT);
	kimage.bss_start = kimage.init_end;
	kimage.bss_stop = kimage.bss_start + (bss << PAGE_SHIFT);
}

/*
 * The BIOS reports 639K of conventional memory and a 1K extended BIOS data
 * area at 0x9fc00 (the BIOS data area words at 0x413 and 0x40e); Linux
 * reserves from there to 1 MB.
 */
/* The BIOS data area's words are not naturally aligned (0x413). */
static u16 bda_read(unsigned long off)
{
	u16 v;

	memcpy(&v, __va(off), sizeof(v));
	return v;
}

static void bda_write(unsigned long off, u16 v)
{
	memcpy(__va(off), &v, sizeof(v));
}

static void reserve_ebda_region(void)
{
	u64 lowmem = (u64)bda_read(0x413) << 10;
	u64 ebda = (u64)bda_read(0x40e) << 4;

	if (ebda && lowmem > ebda && lowmem - ebda <= 0x10000)
		lowmem = ebda;
	if (ebda == 0 && lowmem >= 0x9f000)
		lowmem = 0x9f000;
	if (lowmem == 0 || lowmem >= 0x100000)
		lowmem = 0x9f000;
	reserve_early_overlap_ok(lowmem, 0x100000, "BIOS reserved");
}

/* What the simulated BIOS leaves in its data area (RAM always backs page 0). */
static void bios_write_data_area(void)
{
	bda_write(0x413, 639);		/* KB of conventional memory */
	bda_write(0x40e, 0x9fc0);	/* EBDA segment */
}

/* i386: where lowmem ends and highmem begins. */
static void find_low_pfn_range(void)
{
	if (max_pfn <= arch->maxmem_pfn) {
		max_low_pfn = max_pfn;
	} else {
		max_low_pfn = arch->maxmem_pfn;
		if (!arch->pae && max_pfn > (1UL << 20)) {
			max_pfn = 1UL << 20;
			printk(KERN_WARNING "Warning: only 4GB will be used. Use a HIGHMEM64G enabled kernel!\n");
		}
	}
}

/*
 * The CPU's large pages: PSE (2M, or 4M on i386 without PAE) unless
 * nopse=; 1G pages on x86_64 only with gbpages= (the simulated CPU, like
 * most of 2.6.34's, has none unless asked: the default maps 2M pages).
 */
bool no_pse __state_zero;
static bool direct_gbpages __state_zero;

static int set_nopse(const char *val)
{
	(void)val;
	no_pse = true;
	return 0;
}
early_param("nopse", set_nopse, "the CPU has no large pages: the direct mapping is all 4K pages");

static int set_gbpages(const char *val)
{
	(void)val;
	direct_gbpages = true;
	return 0;
}
early_param("gbpages", set_gbpages, "x86_64: the CPU has 1G pages and the direct mapping uses them");

static int set_nogbpages(const char *val)
{
	(void)val;
	direct_gbpages = false;
	return 0;
}
early_param("nogbpages", set_nogbpages, "x86_64: no 1G pages in the direct mapping (the default)");

bool direct_gbpages_on(void)
{
	return direct_gbpages && arch->bits == 64;
}

static int save_mr(struct map_range *mr, int nr, unsigned long start, unsigned long end,
		   unsigned int mask)
{
	if (start >= end)
		return nr;
	if (nr >= NR_RANGE_MR)
		panic("run out of range for init_memory_mapping");
	mr[nr] = (struct map_range){ start, end, mask };
	return nr + 1;
}

/*
 * The direct mapping of [start, end) in ranges of one page size, as
 * init_memory_mapping() cuts it: 4K up to the first large-page boundary
 * (i386 never maps its first large page with one: fixed MTRRs live
 * there), large pages, on x86_64 1G pages from the first 1G boundary with
 * 2M pages around them, 4K for the tail; neighbours of the same size
 * merge.
 */
int split_mem_range(struct map_range *mr, unsigned long start, unsigned long end)
{
	unsigned long pmd = arch->bits == 32 && !arch->pae ? (4UL << 20) : (2UL << 20);
	unsigned long pud = 1UL << 30;
	unsigned int mask = (no_pse ? 0 : MAP_2M) | (direct_gbpages_on() ? MAP_1G : 0);
	unsigned long pos = start, s, e;
	int nr = 0;

	/* The head, in 4K pages. */
	e = arch->bits == 32 && pos == 0 ? pmd : round_up(pos, pmd);
	e = min(e, end);
	if (pos < e) {
		nr = save_mr(mr, nr, pos, e, 0);
		pos = e;
	}
	/* Large pages: on i386 to the end, on x86_64 up to the first 1G boundary. */
	s = round_up(pos, pmd);
	if (arch->bits == 32) {
		e = round_down(end, pmd);
	} else {
		e = min(round_up(pos, pud), round_down(end, pmd));
	}
	if (s < e) {
		nr = save_mr(mr, nr, s, e, mask & MAP_2M);
		pos = e;
	}
	if (arch->bits == 64) {
		s = round_up(pos, pud);
		e = round_down(end, pud);
		if (s < e) {
			nr = save_mr(mr, nr, s, e, mask & (MAP_2M | MAP_1G));
			pos = e;
		}
		s = round_up(pos, pmd);
		e = round_down(end, pmd);
		if (s < e) {
			nr = save_mr(mr, nr, s, e, mask & MAP_2M);
			pos = e;
		}
	}
	nr = save_mr(mr, nr, pos, end, 0);
	for (int i = 0; nr > 1 && i < nr - 1; i++) {
		if (mr[i].end != mr[i + 1].start || mr[i].page_size_mask != mr[i + 1].page_size_mask)
			continue;
		mr[i].end = mr[i + 1].end;
		memmove(&mr[i + 1], &mr[i + 2], (nr - i - 2) * sizeof(*mr));
		nr--;
		i--;
	}
	return nr;
}

unsigned int map_range_level(const struct map_range *mr)
{
	return mr->page_size_mask & MAP_1G ? PG_LEVEL_1G :
	       mr->page_size_mask & MAP_2M ? PG_LEVEL_2M : PG_LEVEL_4K;
}

/* init_memory_mapping()'s log: the range, then each piece with its page size. */
void print_mem_ranges(const struct map_range *mr, int nr, unsigned long start, unsigned long end)
{
	static const char *const size_name[] = { [PG_LEVEL_4K] = "4k", [PG_LEVEL_2M] = "2M",
						 [PG_LEVEL_1G] = "1G" };

	printk(KERN_INFO "init_memory_mapping: %016lx-%016lx\n", start, end);
	for (int i = 0; i < nr; i++)
		printk(KERN_DEBUG " %010lx - %010lx page %s\n", mr[i].start, mr[i].end,
		       size_name[map_range_level(&mr[i])]);
}

/* Page-table pages to map [0, end) directly (find_early_table_space). */
static unsigned long table_space(unsigned long end)
{
	unsigned long pud_size, pmd_size, entry, tables, puds, pmds, ptes, extra;
	bool use_pse = !no_pse, use_gbpages = direct_gbpages_on();

	if (arch->bits == 64 || arch->pae) {
		pud_size = 1UL << 30, pmd_size = 1UL << 21;
		entry = 8;
	} else {
		pud_size = pmd_size = 1UL << 22;
		entry = 4;
	}
	puds = (end + pud_size - 1) / pud_size;
	tables = roundup(puds * entry, PAGE_SIZE);
	if (use_gbpages) {
		extra = end - round_down(end, pud_size);
		pmds = (extra + pmd_size - 1) / pmd_size;
	} else {
		pmds = (end + pmd_size - 1) / pmd_size;
	}
	tables += roundup(pmds * entry, PAGE_SIZE);
	if (use_pse) {
		extra = end - round_down(end, pmd_size);
		if (arch->bits == 32)
			extra += pmd_size;
		ptes = (extra + PAGE_SIZE - 1) >> PAGE_SHIFT;
	} else {
		ptes = (end + PAGE_SIZE - 1) >> PAGE_SHIFT;
	}
	tables += roundup(ptes * entry, PAGE_SIZE);
	if (arch->bits == 32)	/* the fixmap: __end_of_fixed_addresses PTEs */
		tables += roundup(((arch->fixaddr_top - arch->fixaddr_boot_start) >> PAGE_SHIFT) *
				  entry, PAGE_SIZE);
	return tables;
}

/*
 * The direct mapping of [start, end): the page sizes printed, the table
 * space found, and the tables written into swapper_pg_dir.  Each call
 * reserves the pages its tables used ("PGTABLE"), not the whole space it
 * computed, as 2.6.34 does (reserve_early of e820_table_start..end); the
 * rest of the space stays free RAM, and later tables come from the boot
 * allocator.
 */
static void init_memory_mapping(unsigned long start, unsigned long end, bool first)
{
	struct map_range mr[NR_RANGE_MR];
	int nr = split_mem_range(mr, start, end);
	unsigned long tables;
	u64 table_start;

	print_mem_ranges(mr, nr, start, end);
	tables = table_space(end);
	table_start = find_e820_area(arch->bits == 64 ? 0x8000 : 0x7000,
				     (u64)max_pfn_mapped << PAGE_SHIFT, tables, PAGE_SIZE);
	if (table_start == -1ULL)
		panic("Cannot find space for the kernel page tables");
	printk(KERN_DEBUG "kernel direct mapping tables up to %lx @ %llx-%llx\n", end,
	       (unsigned long long)table_start, (unsigned long long)(table_start + tables));
	table_area_set(table_start, table_start + tables);
	for (int i = 0; i < nr; i++)
		kernel_physical_mapping_init(mr[i].start, mr[i].end, map_range_level(&mr[i]));
	if (arch->bits == 32)	/* early_ioremap_page_table_range_init */
		page_table_range_init(arch->fixaddr_boot_start, arch->fixaddr_top);
	if (first)
		paging_start();
	if (table_area_used_end() > table_start)
		reserve_early(table_start, table_area_used_end(), "PGTABLE");
	table_area_close();
	max_pfn_mapped = max(max_pfn_mapped, end >> PAGE_SHIFT);
}

/* i386: RAM of node 0, lowmem and highmem; the node is the static contig_page_data. */
static void i386_initmem_init(void)
{
	node_data[0] = &contig_page_data;
	contig_page_data.node_id = 0;
	node_online_mask = 1;
	nr_online_nodes = 1;
	highstart_pfn = highend_pfn = max_pfn;
	if (max_pfn > max_low_pfn)
		highstart_pfn = max_low_pfn;
	e820_register_active_regions(0, 0, highend_pfn);
	printk(KERN_NOTICE "%ldMB HIGHMEM available.\n", (highend_pfn - highstart_pfn) >> 8);
	num_physpages = highend_pfn;
	printk(KERN_NOTICE "%ldMB LOWMEM available.\n", max_low_pfn >> 8);
	printk(KERN_INFO "  mapped low ram: 0 - %08lx\n", max_pfn_mapped << PAGE_SHIFT);
	printk(KERN_INFO "  low ram: 0 - %08lx\n", max_low_pfn << PAGE_SHIFT);
}

/*
 * i386: the pkmap window's PTE table, allocated now so that kmap() never
 * allocates (it maps under a spinlock); the kmap layer finds its entries
 * through pkmap_page_table.  The window is PMD-aligned and LAST_PKMAP
 * pages long, exactly one PTE table in both paging modes.
 */
static void permanent_kmaps_init(void)
{
	unsigned int level;

	page_table_range_init(arch->pkmap_base, arch->pkmap_base + arch->last_pkmap * PAGE_SIZE);
	pkmap_page_table = lookup_address((unsigned long)arch->pkmap_base, &level);
	BUG_ON(!pkmap_page_table || level != PG_LEVEL_4K);
}

static void paging_init(void)
{
	unsigned long max_zone_pfns[MAX_NR_ZONES] = { 0 };

	if (arch->highmem)
		permanent_kmaps_init();
	kmap_init();

	max_zone_pfns[ZONE_DMA] = MAX_DMA_PFN;
	if (arch->highmem) {
		max_zone_pfns[ZONE_NORMAL] = max_low_pfn;
		max_zone_pfns[ZONE_HIGHMEM] = highend_pfn;
	} else {
		max_zone_pfns[ZONE_DMA32] = MAX_DMA32_PFN;
		max_zone_pfns[ZONE_NORMAL] = max_pfn;
		sparse_init();
	}
	free_area_init_nodes(max_zone_pfns);
}

int setup_arch(const char *cmdline)
{
	u64 kernel_end;

	layout_kernel_image();
	if (arch->bits == 64)
		printk(KERN_INFO "Command line: %s\n", cmdline);
	setup_memory_map();

	kernel_end = kimage.bss_stop;
	if (!e820_all_mapped(kimage.text, kernel_end, E820_RAM))
		return kmm_error("the kernel image (%lluK at 1M) does not fit in RAM: the e820 map has no usable RAM at %#llx-%#llx",
				 (unsigned long long)(kernel_size >> 10),
				 (unsigned long long)kimage.text, (unsigned long long)kernel_end);

	/* head32.c / head64.c */
	if (arch->bits == 32)
		reserve_early_overlap_ok(PAGE_SIZE, 2 * PAGE_SIZE, "EX TRAMPOLINE");
	reserve_early(kimage.text, kimage.bss_stop, "TEXT DATA BSS");
	bios_write_data_area();
	reserve_ebda_region();

	max_pfn = e820_end_of_ram_pfn();
	num_physpages = max_pfn;
	if (arch->highmem) {
		find_low_pfn_range();
		/* From here on only lowmem has a kernel address: highmem needs kmap. */
		if (hw_ram_limit_direct((u64)max_low_pfn << PAGE_SHIFT))
			return kmm_error("cannot map the machine's own view of RAM on this host");
	} else {
		max_low_pfn = max_pfn;
		if (max_pfn > MAX_DMA32_PFN)
			max_low_pfn = e820_end_of_low_ram_pfn();
	}
	max_pfn_mapped = arch->bits == 64 ? (512UL << 20) >> PAGE_SHIFT
					  : round_up(kernel_end + (8UL << 20), 4UL << 20) >> PAGE_SHIFT;
	max_pfn_mapped = min(max_pfn_mapped, max_pfn);
	printk(KERN_DEBUG "initial memory mapped : 0 - %08lx\n", max_pfn_mapped << PAGE_SHIFT);

	if (e820_all_mapped(TRAMPOLINE_BASE, TRAMPOLINE_BASE + TRAMPOLINE_SIZE, E820_RAM))
		reserve_early(TRAMPOLINE_BASE, TRAMPOLINE_BASE + TRAMPOLINE_SIZE, "TRAMPOLINE");

	kernel_pgtables_init();
	if (direct_gbpages_on())
		printk(KERN_INFO "Using GB pages for direct mapping\n");
	init_memory_mapping(0, max_low_pfn << PAGE_SHIFT, true);
	if (arch->bits == 64 && max_pfn > max_low_pfn)
		init_memory_mapping(1UL << 32, max_pfn << PAGE_SHIFT, false);

	kernel_windows_init();
	if (arch->highmem)
		i386_initmem_init();
	else
		numa_initmem_init(0, max_pfn);
	if (nr_nodemap_entries == 0)
		return kmm_error("the e820 map leaves no usable RAM");
	paging_init();
	return 0;
}
