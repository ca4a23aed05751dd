/*
 * arch/x86/init_pgtable.c - the kernel's page tables at boot: the tables
 * the kernel image brings (head_64.S / head_32.S), the direct mapping of
 * RAM that init_memory_mapping() writes into them, and the loading of
 * swapper_pg_dir into every CPU's CR3.
 *
 * x86_64 (what head_64.S leaves, then init_memory_mapping):
 *
 *   swapper_pg_dir (init_level4_pgt)
 *     [272] 0xffff880000000000 -> level3_ident_pgt  [0] -> level2_ident_pgt: 1G of 2M pages
 *                                                   [1..] -> PMD tables from the table area
 *     [511] 0xffffff8000000000 -> level3_kernel_pgt [510] -> level2_kernel_pgt: the image, 2M pages
 *                                                   [511] -> level2_fixmap_pgt [506] -> level1_fixmap_pgt
 *
 * i386 (one level folded, or two without PAE): swapper_pg_dir in .bss; its
 * kernel entries (PGD index 768 on, or 3 with PAE) point at tables from the
 * table area: without PAE the first 4M in 4K pages, then 4M pages to the
 * end of lowmem; with PAE one PMD table for the last gigabyte, the first 2M
 * in 4K pages, 2M pages after.  The fixmap's PTE table comes from the area
 * too.
 *
 * The table area is the one find_early_table_space() found;
 * alloc_low_page() hands out its pages in order and never more than it
 * has, and init_memory_mapping() reserves the pages taken ("PGTABLE").
 * Tables made later (i386's pkmap window) come from the boot allocator;
 * those of hot-added memory from a pool its caller filled beforehand.
 */
#include <kmm/bootmem.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/pgtable.h>
#include <kmm/printk.h>
#include <kmm/string.h>
#include "arch/x86/layout.h"
#include "arch/x86/setup.h"
#include "mm/boot.h"

pgd_t *swapper_pg_dir __state_zero;

static struct {
	u64 next, top;			/* the table area: next free page, end */
	u64 first;			/* its start (what was taken is first..next) */
	bool closed;			/* after_bootmem: tables come from the boot allocator */
} tarea __state_zero;

/* Memory hotplug: the pages the direct map's new tables come from (table_pool_set). */
static struct {
	void **pages;
	int nr, taken;
} tpool __state_zero;

void table_area_set(u64 start, u64 top)
{
	tarea.first = tarea.next = start;
	tarea.top = top;
	tarea.closed = false;
}

void table_area_close(void)
{
	tarea.closed = true;
}

u64 table_area_used_end(void)
{
	return tarea.next;
}

/*
 * A zeroed page for a table, as a kernel address: from the table area
 * while init_memory_mapping() writes the direct map; once it has reserved
 * what it used (the rest of the area is free RAM again), from the boot
 * allocator, as 2.6.34's one_page_table_init does after_bootmem.
 */
void table_pool_set(void **pages, int nr)
{
	tpool.pages = pages;
	tpool.nr = nr;
	tpool.taken = 0;
}

int table_pool_taken(void)
{
	return tpool.taken;
}

static void *alloc_low_page(void)
{
	void *p;

	if (tpool.pages) {
		if (tpool.taken >= tpool.nr)
			panic("alloc_low_page: the hotplug table pool ran out");
		p = tpool.pages[tpool.taken++];
		memset(p, 0, PAGE_SIZE);
		return p;
	}
	if (tarea.closed) {
		p = alloc_bootmem_pages(PAGE_SIZE);
		memset(p, 0, PAGE_SIZE);
		return p;
	}
	if (tarea.next >= tarea.top)
		panic("alloc_low_page: ran out of memory");
	p = __va(tarea.next);
	tarea.next += PAGE_SIZE;
	memset(p, 0, PAGE_SIZE);
	return p;
}

/* The Linux address of physical @pa in the direct map. */
static unsigned long direct_va(u64 pa)
{
	return (unsigned long)(arch->page_offset + pa);
}

/* ---- what the kernel image brings ---- */

/* Pages of the image's data section, after its first (the static tables). */
enum {
	IMG_PGD,		/* init_level4_pgt, swapper_pg_dir */
	IMG_L3_IDENT, IMG_L2_IDENT, IMG_L3_KERNEL, IMG_L2_KERNEL, IMG_L2_FIXMAP, IMG_L1_FIXMAP,
	IMG_TABLES
};

#define KERNEL_IMAGE_START	0xffffffff80000000UL	/* __START_KERNEL_map */
#define KERNEL_IMAGE_SIZE	(512UL << 20)
#define FIXMAP_L2_INDEX		506			/* level2_fixmap_pgt's fixmap PMD */

static void *image_table(int which)
{
	return __va(kimage.etext + ((u64)which << PAGE_SHIFT));
}

static void set_entry(void *table, unsigned long index, pteval_t v)
{
	__pt_write(__pt_entry(table, index), v);
}

static void head64_tables(void)
{
	void *l3_ident = image_table(IMG_L3_IDENT), *l2_ident = image_table(IMG_L2_IDENT);
	void *l3_kernel = image_table(IMG_L3_KERNEL), *l2_kernel = image_table(IMG_L2_KERNEL);
	void *l2_fixmap = image_table(IMG_L2_FIXMAP), *l1_fixmap = image_table(IMG_L1_FIXMAP);
	unsigned long image_pmds = DIV_ROUND_UP(kimage.bss_stop, PMD_SIZE);

	for (int t = 0; t < IMG_TABLES; t++)
		memset(image_table(t), 0, PAGE_SIZE);
	swapper_pg_dir = image_table(IMG_PGD);
	set_entry(swapper_pg_dir, pgd_index(arch->page_offset), __pa(l3_ident) | _KERNPG_TABLE);
	set_entry(l3_ident, 0, __pa(l2_ident) | _KERNPG_TABLE);
	for (unsigned long i = 0; i < PTRS_PER_PMD; i++)
		set_entry(l2_ident, i, (i << PMD_SHIFT) | __PAGE_KERNEL_LARGE_EXEC);
	/* The image mapping, trimmed to the image as cleanup_highmap() leaves it. */
	set_entry(swapper_pg_dir, pgd_index(KERNEL_IMAGE_START), __pa(l3_kernel) | _PAGE_TABLE);
	set_entry(l3_kernel, pud_index(KERNEL_IMAGE_START), __pa(l2_kernel) | _PAGE_TABLE);
	set_entry(l3_kernel, pud_index(KERNEL_IMAGE_START) + 1, __pa(l2_fixmap) | _PAGE_TABLE);
	for (unsigned long i = 0; i < min(image_pmds, KERNEL_IMAGE_SIZE >> PMD_SHIFT); i++)
		set_entry(l2_kernel, i, (i << PMD_SHIFT) | __PAGE_KERNEL_LARGE_EXEC);
	set_entry(l2_fixmap, FIXMAP_L2_INDEX, __pa(l1_fixmap) | _PAGE_TABLE);
}

static void head32_tables(void)
{
	swapper_pg_dir = __va(kimage.bss_start);
	memset(swapper_pg_dir, 0, PAGE_SIZE);
}

void kernel_pgtables_init(void)
{
	if (arch->bits == 64)
		head64_tables();
	else
		head32_tables();
	init_mm_setup(swapper_pg_dir);
}

/* ---- the direct mapping ---- */

/* DirectMap4k/2M/1G of /proc/meminfo: the leaves the direct mapping has (mm/meminfo.c). */
extern unsigned long direct_pages_count[3];

/*
 * Map [pa, end) of one PTE table's range with 4K pages; entries past @end
 * are cleared (the boot tables may have mapped beyond RAM).
 */
static void phys_pte_init(pte_t *pte, u64 pa, u64 end, pgprot_t prot)
{
	for (unsigned long i = pte_index(direct_va(pa)); i < PTRS_PER_PTE; i++, pa += PAGE_SIZE) {
		pte_t *p = (pte_t *)__pt_entry(pte, i);

		if (pa >= end) {
			set_pte(p, __pte(0));
			continue;
		}
		set_pte(p, pfn_pte(pa >> PAGE_SHIFT, prot));
		direct_pages_count[0]++;
	}
}

/*
 * The protection of 4K pages replacing a large entry of the boot tables
 * (nopse): the large page's own, without PSE, as Linux's split keeps it.
 */
static pgprot_t split_prot(pmd_t pmd)
{
	if (!pmd_large(pmd))
		return PAGE_KERNEL;
	return __pgprot(pmd_flags(pmd) & ~_PAGE_PSE);
}

/* The PTE table under @pmd, allocated if the entry is empty (or a large page being split). */
static pte_t *pte_table(pmd_t *pmd)
{
	pte_t *table;

	if (pmd_present(pmdp_get(pmd)) && !pmd_large(pmdp_get(pmd)))
		return pmd_page_vaddr(pmdp_get(pmd));
	table = alloc_low_page();
	pmd_populate_kernel(pmd, table);
	return table;
}

/* 4K pages for [pa, end) of one PMD entry's range. */
static void map_4k(pmd_t *pmd, u64 pa, u64 end)
{
	pgprot_t prot = split_prot(pmdp_get(pmd));

	phys_pte_init(pte_table(pmd), pa, end, prot);
}

/*
 * One PMD table's range: large pages where allowed (an existing large
 * entry of the boot tables stays as it is), 4K pages through a PTE table
 * otherwise; past @end, entries are cleared.
 */
static void phys_pmd_init(void *pmd_table, u64 pa, u64 end, bool large)
{
	unsigned long i = pmd_index(direct_va(pa));

	for (; i < PTRS_PER_PMD; i++) {
		pmd_t *pmd = (pmd_t *)__pt_entry(pmd_table, i);
		u64 next = (pa & PMD_MASK) + PMD_SIZE;

		if (pa >= end) {
			pmd_clear(pmd);
			pa = next;
			continue;
		}
		if (large && !(pa & ~PMD_MASK) && next <= end) {
			if (!pmd_large(pmdp_get(pmd)))
				set_pmd(pmd, pfn_pmd(pa >> PAGE_SHIFT, PAGE_KERNEL_LARGE));
			direct_pages_count[1]++;
		} else {
			map_4k(pmd, pa, min(end, next));
		}
		pa = next;
	}
}

/* The PMD table under @pud, allocated (or the boot tables' one) if needed. */
static void *pmd_table(pud_t *pud)
{
	void *table;

	if (PAGETABLE_LEVELS == 2)
		return pud;		/* folded: the PGD entry is the PMD entry */
	if (pud_present(pudp_get(pud)) && !pud_large(pudp_get(pud)) && !pud_none(pudp_get(pud)))
		return pud_page_vaddr(pudp_get(pud));
	table = alloc_low_page();
	if (PAGETABLE_LEVELS == 3)
		pud_populate(&init_mm, pud, table);	/* before paging: the first CR3 load takes it */
	else
		set_pud(pud, __pud(__pa(table) | _KERNPG_TABLE));
	return table;
}

/*
 * Write the direct mapping of physical [start, end) (the ranges of
 * init_memory_mapping(), each of one page size: @level) into
 * swapper_pg_dir, table by table, counting the leaves in DirectMap.  A
 * gigabyte the boot tables map already through a PMD table keeps it (2M
 * pages), as Linux's phys_pud_init does.
 */
void kernel_physical_mapping_init(u64 start, u64 end, unsigned int level)
{
	bool large = level >= PG_LEVEL_2M;
	u64 pa = start;

	while (pa < end) {
		unsigned long va = direct_va(pa);
		pgd_t *pgd = pgd_offset_k(va);
		pud_t *pud;
		u64 span_end;

		if (PAGETABLE_LEVELS == 4 && pgd_none(pgdp_get(pgd))) {
			void *t = alloc_low_page();

			set_pgd(pgd, __pgd(__pa(t) | _KERNPG_TABLE));
		}
		pud = pud_offset(pgd, va);
		if (PAGETABLE_LEVELS == 2) {
			/* The PGD entry is a PMD entry: one 4M page or one PTE table. */
			span_end = min(end, (pa & PMD_MASK) + PMD_SIZE);
			if (large && !(pa & ~PMD_MASK) && span_end == (pa & PMD_MASK) + PMD_SIZE) {
				set_pmd((pmd_t *)pud, pfn_pmd(pa >> PAGE_SHIFT, PAGE_KERNEL_LARGE));
				direct_pages_count[1]++;
			} else {
				map_4k((pmd_t *)pud, pa, span_end);
			}
			pa = span_end;
			continue;
		}
		/* One PMD table's worth: up to the next PUD boundary. */
		span_end = min(end, (pa & PUD_MASK) + PUD_SIZE);
		/* A whole gigabyte in one 1G page, unless the boot tables map it already. */
		if (level == PG_LEVEL_1G && !(pa & ~PUD_MASK) && span_end == pa + PUD_SIZE &&
		    (pud_none(pudp_get(pud)) || pud_large(pudp_get(pud)))) {
			set_pud(pud, pfn_pud(pa >> PAGE_SHIFT, PAGE_KERNEL_LARGE));
			direct_pages_count[2]++;
			pa = span_end;
			continue;
		}
		phys_pmd_init(pmd_table(pud), pa, span_end, large);
		pa = span_end;
	}
}

/*
 * i386: the PTE tables of a fixed kernel range (the fixmap, later pkmap),
 * allocated now so that mapping a slot there never allocates
 * (page_table_range_init).
 */
void page_table_range_init(unsigned long start, unsigned long end)
{
	for (unsigned long va = start & PMD_MASK; va < end; va += PMD_SIZE) {
		pgd_t *pgd = pgd_offset_k(va);
		pud_t *pud = pud_offset(pgd, va);
		pmd_t *pmd;

		if (PAGETABLE_LEVELS == 2)
			pmd = (pmd_t *)pud;
		else
			pmd = (pmd_t *)__pt_entry(pmd_table(pud), pmd_index(va));
		pte_table(pmd);
		if (va + PMD_SIZE < va)
			break;
	}
}
