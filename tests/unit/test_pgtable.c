/*
 * test_pgtable.c - page-table formats of the three paging modes: the
 * address split, the entry helpers, the tables the boot writes for the
 * direct mapping and the kernel image, and tables allocated on demand.
 *
 * Expected values are worked out by hand in the comments from the bit
 * layout (asm/pgtable.h draws it): x86_64 splits 9/9/9/9/12, i386 PAE
 * 2/9/9/12, i386 10/10/12.
 */
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/pgtable.h>
#include <kmm/tlbflush.h>
#include <kmm/vmstat.h>
#include "hw/mmu.h"
#include "tests/harness.h"

extern unsigned long direct_pages_count[3];

/* ---- the address split ---- */

static void x86_64_split(void **state)
{
	boot_or_fail("ram=64M");
	assert_int_equal(PAGETABLE_LEVELS, 4);
	/*
	 * 0x00007f1234567abc = 0111 1111 0001 0010 0011 0100 0101 0110 0111 1010 1011 1100:
	 * bits 47-39 = 0 1111 1110 = 0xfe, 38-30 = 0 0100 1000 = 0x48,
	 * 29-21 = 1 1010 0010 = 0x1a2, 20-12 = 1 0110 0111 = 0x167, offset 0xabc.
	 */
	assert_int_equal(pgd_index(0x00007f1234567abcUL), 0xfe);
	assert_int_equal(pud_index(0x00007f1234567abcUL), 0x48);
	assert_int_equal(pmd_index(0x00007f1234567abcUL), 0x1a2);
	assert_int_equal(pte_index(0x00007f1234567abcUL), 0x167);
	/* PAGE_OFFSET 0xffff880000000000: bits 47-39 = 1 0001 0000 = 272; the image map: 511, PUD 510. */
	assert_int_equal(pgd_index(0xffff880000000000UL), 272);
	assert_int_equal(KERNEL_PGD_BOUNDARY, 272);
	assert_int_equal(pgd_index(0xffffffff80000000UL), 511);
	assert_int_equal(pud_index(0xffffffff80000000UL), 510);
	/* VMALLOC_START 0xffffc90000000000 + 0x1234: PGD 0x192 (402), then 0, 0, PTE 1. */
	assert_int_equal(pgd_index(0xffffc90000001234UL), 0x192);
	assert_int_equal(pte_index(0xffffc90000001234UL), 1);
	assert_int_equal(PGDIR_SIZE, 1UL << 39);
	assert_int_equal(PUD_SIZE, 1UL << 30);
	assert_int_equal(PMD_SIZE, 2UL << 20);
	assert_int_equal(PTRS_PER_PGD * PTRS_PER_PUD * PTRS_PER_PMD * PTRS_PER_PTE, 1UL << 36);
}

static void i386_split(void **state)
{
	boot_or_fail("arch=i386 ram=64M");
	assert_int_equal(PAGETABLE_LEVELS, 2);
	/* 0xc0801abc: bits 31-22 = 11 0000 0010 = 0x302, 21-12 = 00 0000 0001, offset 0xabc. */
	assert_int_equal(pgd_index(0xc0801abcUL), 0x302);
	assert_int_equal(pud_index(0xc0801abcUL), 0);
	assert_int_equal(pmd_index(0xc0801abcUL), 0);
	assert_int_equal(pte_index(0xc0801abcUL), 1);
	assert_int_equal(KERNEL_PGD_BOUNDARY, 768);
	assert_int_equal(PTRS_PER_PGD, 1024);
	assert_int_equal(PTRS_PER_PTE, 1024);
	assert_int_equal(PMD_SIZE, 4UL << 20);
	assert_int_equal(PGDIR_SIZE, 4UL << 20);
}

static void i386_pae_split(void **state)
{
	boot_or_fail("arch=i386 pae ram=64M");
	assert_int_equal(PAGETABLE_LEVELS, 3);
	/* 0xc0801abc: bits 31-30 = 11, 29-21 = 00 0000 100 = 4, 20-12 = 0 0000 0001. */
	assert_int_equal(pgd_index(0xc0801abcUL), 3);
	assert_int_equal(pud_index(0xc0801abcUL), 0);
	assert_int_equal(pmd_index(0xc0801abcUL), 4);
	assert_int_equal(pte_index(0xc0801abcUL), 1);
	/* 0xf8812345: PGD 3, PMD 11 1000 100 = 0x1c4, PTE 0 0001 0010 = 0x12. */
	assert_int_equal(pmd_index(0xf8812345UL), 0x1c4);
	assert_int_equal(pte_index(0xf8812345UL), 0x12);
	assert_int_equal(KERNEL_PGD_BOUNDARY, 3);
	assert_int_equal(PTRS_PER_PGD, 4);
	assert_int_equal(PMD_SIZE, 2UL << 20);
}

/* ---- the entry helpers ---- */

static void entry_helpers(void **state)
{
	pte_t pte;

	boot_or_fail("ram=64M");
	pte = pfn_pte(0x1234, PAGE_KERNEL);
	assert_int_equal(pte_val(pte), 0x1234000ULL | _PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY |
					       _PAGE_ACCESSED | _PAGE_GLOBAL | _PAGE_NX);
	assert_int_equal(pte_pfn(pte), 0x1234);
	assert_true(pte_present(pte) && pte_write(pte) && pte_dirty(pte) && pte_young(pte));
	assert_false(pte_exec(pte));
	assert_false(pte_write(pte_wrprotect(pte)));
	assert_false(pte_dirty(pte_mkclean(pte)));
	assert_false(pte_young(pte_mkold(pte)));
	assert_true(pte_exec(pte_mkexec(pte)));
	assert_true(pte_write(pte_mkwrite(pte_wrprotect(pte))));
	assert_int_equal(pte_pfn(pte_wrprotect(pte)), 0x1234);
	/* pte_modify keeps the frame, A and D, and takes everything else from the new protection. */
	pte = pte_modify(pfn_pte(0x55, PAGE_SHARED), PAGE_READONLY);
	assert_int_equal(pte_val(pte), 0x55000ULL | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX);
	pte = pte_modify(pte_mkdirty(pfn_pte(0x55, PAGE_SHARED)), PAGE_NONE);
	assert_int_equal(pte_val(pte), 0x55000ULL | _PAGE_PROTNONE | _PAGE_ACCESSED | _PAGE_DIRTY);
	/* PROT_NONE: not present to the CPU, present to the kernel. */
	assert_true(pte_present(pte));
	assert_false(pte_val(pte) & _PAGE_PRESENT);
	assert_true(pte_none(__pte(0)) && !pte_present(__pte(0)));
	/* Table entries: a kernel table is good, a large page or stray bits are bad. */
	assert_false(pmd_bad(__pmd(0x5000 | _KERNPG_TABLE)));
	assert_false(pmd_bad(__pmd(0x5000 | _PAGE_TABLE)));
	assert_true(pmd_bad(__pmd(0x200000 | __PAGE_KERNEL_LARGE)));
	assert_true(pmd_large(__pmd(0x200000 | __PAGE_KERNEL_LARGE)));
	assert_false(pmd_large(__pmd(0x200000 | _PAGE_PSE)));	/* not present */
	assert_true(pud_large(__pud(0x40000000 | __PAGE_KERNEL_LARGE)));
	assert_true(pud_bad(__pud(0x40000000 | __PAGE_KERNEL_LARGE)));
	assert_false(pud_bad(__pud(0x5000 | _KERNPG_TABLE)));
	assert_true(pgd_bad(__pgd(0x5000 | _PAGE_PRESENT)));
	assert_true(pgd_none(__pgd(0)) && pud_none(__pud(0)));
}

/* i386 without PAE has no NX: it is dropped from present protections, kept in others. */
static void i386_has_no_nx(void **state)
{
	boot_or_fail("arch=i386 ram=64M");
	assert_int_equal(pte_val(pfn_pte(0x1234, PAGE_KERNEL)), 0x1234000ULL | __PAGE_KERNEL_EXEC);
	assert_true(pte_exec(pfn_pte(1, PAGE_READONLY)));
	assert_int_equal(PTE_PFN_MASK, 0xfffff000ULL);
	/* Folded levels are never empty and never bad; their offset is the entry above. */
	assert_false(pgd_none(__pgd(0)) || pud_none(__pud(0)) || pgd_bad(__pgd(7)) || pud_bad(__pud(7)));
	assert_true(pgd_present(__pgd(0)) && pud_present(__pud(0)));
	{
		pgd_t *pgd = pgd_offset_k(0xc0000000UL);

		assert_ptr_equal(pud_offset(pgd, 0xc0000000UL), pgd);
		assert_ptr_equal(pmd_offset(pud_offset(pgd, 0xc0000000UL), 0xc0000000UL), pgd);
	}
	boot_or_fail("arch=i386 pae ram=64M");
	assert_int_equal(pte_val(pfn_pte(0x1234, PAGE_KERNEL)), 0x1234000ULL | __PAGE_KERNEL);
	assert_int_equal(PTE_PFN_MASK, 0xffffffff000ULL);
	assert_false(pgd_none(__pgd(0)));	/* folded */
	assert_true(pud_none(__pud(0)));	/* the PDPTE is real */
	assert_false(pud_bad(__pud(0x5000 | _PAGE_PRESENT)));
}

/* ---- the boot's tables ---- */

/* The physical address @va maps to in swapper_pg_dir, or -1; the page size in *@level. */
static long long kernel_pa(unsigned long va, unsigned int *level)
{
	pte_t *pte = lookup_address(va, level);
	pteval_t v;
	unsigned long size;

	if (!pte)
		return -1;
	v = *level == PG_LEVEL_4K ? pte_val(ptep_get(pte)) : pmd_val(pmdp_get((pmd_t *)pte));
	if (*level == PG_LEVEL_1G)
		v = pud_val(pudp_get((pud_t *)pte));
	if (!(v & _PAGE_PRESENT))
		return -1;
	size = *level == PG_LEVEL_4K ? PAGE_SIZE : *level == PG_LEVEL_2M ? PMD_SIZE : PUD_SIZE;
	return (long long)((v & PTE_PFN_MASK & ~(pteval_t)(size - 1)) | (va & (size - 1)));
}

static void expect_direct(u64 pa, unsigned int want_level)
{
	unsigned int level;

	assert_int_equal(kernel_pa((unsigned long)(arch->page_offset + pa), &level), (long long)pa);
	assert_int_equal(level, want_level);
}

/* Present leaf entries of the kernel part of swapper_pg_dir, by size (4K, PMD-level large, 1G). */
static void count_leaves(unsigned long counts[3])
{
	counts[0] = counts[1] = counts[2] = 0;
	for (unsigned long i = KERNEL_PGD_BOUNDARY; i < PTRS_PER_PGD; i++) {
		pgd_t *pgd = (pgd_t *)__pt_entry(swapper_pg_dir, i);
		unsigned long n_pud = PAGETABLE_LEVELS == 4 ? PTRS_PER_PUD : 1;

		if (pgd_none(pgdp_get(pgd)))
			continue;
		for (unsigned long j = 0; j < n_pud; j++) {
			pud_t *pud = PAGETABLE_LEVELS == 4 ?
				(pud_t *)__pt_entry(pgd_page_vaddr(pgdp_get(pgd)), j) : (pud_t *)pgd;
			unsigned long n_pmd = PAGETABLE_LEVELS >= 3 ? PTRS_PER_PMD : 1;

			if (pud_none(pudp_get(pud)))
				continue;
			if (pud_large(pudp_get(pud))) {
				counts[2]++;
				continue;
			}
			for (unsigned long k = 0; k < n_pmd; k++) {
				pmd_t *pmd = PAGETABLE_LEVELS >= 3 ?
					(pmd_t *)__pt_entry(pud_page_vaddr(pudp_get(pud)), k) : (pmd_t *)pud;

				if (pmd_none(pmdp_get(pmd)))
					continue;
				if (pmd_large(pmdp_get(pmd))) {
					counts[1]++;
					continue;
				}
				for (unsigned long l = 0; l < PTRS_PER_PTE; l++)
					if (pte_val(ptep_get((pte_t *)__pt_entry(pmd_page_vaddr(pmdp_get(pmd)), l))) &
					    _PAGE_PRESENT)
						counts[0]++;
			}
		}
	}
}

/*
 * x86_64, 2G and a bit: the first GB is the image's level2_ident_pgt (2M
 * pages, executable), the second a PMD table from the table area, the
 * 2M-unaligned tail a PTE table; beyond RAM nothing.
 */
static void x86_64_direct_map(void **state)
{
	unsigned int level;
	unsigned long leaves[3];

	boot_or_fail("ram=2049M");
	expect_direct(0, PG_LEVEL_2M);
	expect_direct(0x1234, PG_LEVEL_2M);
	expect_direct((1ULL << 30) - 1, PG_LEVEL_2M);
	expect_direct(1ULL << 30, PG_LEVEL_2M);
	expect_direct((2ULL << 30) - PAGE_SIZE, PG_LEVEL_2M);
	expect_direct(2ULL << 30, PG_LEVEL_4K);
	expect_direct((2049ULL << 20) - 1, PG_LEVEL_4K);
	assert_int_equal(kernel_pa((unsigned long)(arch->page_offset + (2049ULL << 20)), &level), -1);
	assert_int_equal(kernel_pa((unsigned long)(arch->page_offset + (3ULL << 30)), &level), -1);
	/* The first GB's large pages are the image's (executable), the rest are not. */
	assert_false(pmd_val(pmdp_get((pmd_t *)lookup_address(arch->page_offset, &level))) & _PAGE_NX);
	assert_true(pmd_val(pmdp_get((pmd_t *)lookup_address(arch->page_offset + (1ULL << 30), &level))) &
		    _PAGE_NX);
	/* The image: 0xffffffff80000000 maps physical 0, up to the end of the image only. */
	assert_int_equal(kernel_pa(0xffffffff80100000UL, &level), 0x100000);
	assert_int_equal(level, PG_LEVEL_2M);
	assert_int_equal(kernel_pa(0xffffffff80000000UL + (64UL << 20), &level), -1);
	/*
	 * Every leaf is counted in DirectMap, plus the image's 2M pages (8M
	 * image at 1M: 5) and the vmemmap's: 17 sections of 128M hold RAM, each
	 * 32768 struct pages of 56 bytes (1.75M), 29.75M in all: 15 2M pages.
	 */
	count_leaves(leaves);
	assert_int_equal(leaves[0], direct_pages_count[0]);
	assert_int_equal(leaves[1], direct_pages_count[1] + 5 + 15);
	/* No user part: nothing below PAGE_OFFSET. */
	for (unsigned long i = 0; i < KERNEL_PGD_BOUNDARY; i++)
		assert_true(pgd_none(pgdp_get((pgd_t *)__pt_entry(swapper_pg_dir, i))));
	assert_mm_check();
}

/* Above 4G, a second call maps from 4G on: PMD tables reserved for what they used. */
static void x86_64_above_4g(void **state)
{
	boot_or_fail("ram=6G");
	expect_direct(0xbfe00000ULL, PG_LEVEL_2M);
	expect_direct(4ULL << 30, PG_LEVEL_2M);
	expect_direct((7ULL << 30) - PAGE_SIZE, PG_LEVEL_2M);
	/* 6G of RAM with the 1G PCI hole below 4G: the last GB is at 6G-7G, pud 4..6 new. */
	assert_true(dmesg_has("kernel direct mapping tables up to 1c0000000 @ "));
	assert_mm_check();
}

/* i386: the first 4M in 4K pages, 4M pages to the end of lowmem, nothing above. */
static void i386_direct_map(void **state)
{
	unsigned int level;
	unsigned long leaves[3];

	boot_or_fail("arch=i386 ram=2G");
	expect_direct(0, PG_LEVEL_4K);
	expect_direct((4ULL << 20) - 1, PG_LEVEL_4K);
	expect_direct(4ULL << 20, PG_LEVEL_2M);
	expect_direct((896ULL << 20) - 1, PG_LEVEL_2M);
	/* The vmalloc area starts empty. */
	assert_int_equal(kernel_pa(0xf8800000UL, &level), -1);
	/* 1024 4K pages for the first 4M, 223 4M pages for the rest of 896M. */
	count_leaves(leaves);
	assert_int_equal(leaves[0], 1024);
	assert_int_equal(leaves[1], 223);
	assert_int_equal(direct_pages_count[0], 1024);
	assert_int_equal(direct_pages_count[1], 223);
	/* The fixmap's PTE table exists, empty. */
	assert_non_null(lookup_address(0xfffff000UL - PAGE_SIZE, &level));
	assert_int_equal(level, PG_LEVEL_4K);
	assert_mm_check();
}

static void i386_pae_direct_map(void **state)
{
	unsigned long leaves[3];

	boot_or_fail("arch=i386 pae ram=2G");
	expect_direct(0, PG_LEVEL_4K);
	expect_direct((2ULL << 20) - 1, PG_LEVEL_4K);
	expect_direct(2ULL << 20, PG_LEVEL_2M);
	expect_direct((896ULL << 20) - 1, PG_LEVEL_2M);
	/* The PDPTE of the kernel's gigabyte carries P alone. */
	assert_int_equal(pgd_val(pgdp_get(pgd_offset_k(0xc0000000UL))) & ~PTE_PFN_MASK, _PAGE_PRESENT);
	count_leaves(leaves);
	assert_int_equal(leaves[0], 512);
	assert_int_equal(leaves[1], 447);
	assert_mm_check();
}

/*
 * gbpages: 1G pages wherever a whole aligned gigabyte of RAM is, except
 * the first, which the image's own tables map in 2M pages already (Linux
 * keeps them).  6G: RAM at [0, 3G) and [4G, 7G) (the PCI hole), so 1G
 * pages for 1G-3G and 4G-7G: 5 of them, DirectMap1G 5242880 kB.
 */
static void x86_64_gbpages(void **state)
{
	unsigned long leaves[3];

	boot_or_fail("ram=6G gbpages");
	assert_true(dmesg_has("Using GB pages for direct mapping"));
	/*
	 * find_early_table_space with GB pages: 3 PUD entries (one page), no
	 * PMD entries (3G is whole gigabytes), no PTEs: one page at 0x8000.
	 */
	assert_true(dmesg_has("kernel direct mapping tables up to c0000000 @ 8000-9000\n"));
	expect_direct(0x100000, PG_LEVEL_2M);
	expect_direct(1ULL << 30, PG_LEVEL_1G);
	expect_direct((3ULL << 30) - 1, PG_LEVEL_1G);
	expect_direct((5ULL << 30) + 12345, PG_LEVEL_1G);
	assert_int_equal(direct_pages_count[2], 5);
	assert_int_equal(direct_pages_count[1], 512);
	assert_non_null(strstr(proc_text("/proc/meminfo"), "DirectMap1G:     5242880 kB\n"));
	count_leaves(leaves);
	/*
	 * PMD leaves: the first GB, the image, and the vmemmap: sections 0-23
	 * (RAM below 3G) at window offsets 0-42M and 32-55 (4G-7G) at 56M-98M,
	 * 21 2M pages each.
	 */
	assert_int_equal(leaves[1], 512 + 5 + 42);
	assert_int_equal(leaves[2], 5);
	assert_mm_check();
}

/*
 * nopse: 4K pages only.  x86_64 2G: 524288 PTEs in 1024 PTE tables; the
 * first GB's were the image's executable 2M pages, split keeping their
 * protection; the table area: 1 PUD page, 2 PMD pages (1024 entries), 1024
 * PTE pages.  i386 896M of lowmem: 229376 PTEs.
 */
static void no_large_pages(void **state)
{
	unsigned long leaves[3];
	unsigned int level;

	boot_or_fail("ram=2G nopse");
	expect_direct(0x1000, PG_LEVEL_4K);
	expect_direct((2ULL << 30) - 1, PG_LEVEL_4K);
	assert_false(pte_val(ptep_get(lookup_address(arch->page_offset + 0x5000, &level))) & _PAGE_NX);
	assert_true(pte_val(ptep_get(lookup_address(arch->page_offset + (1ULL << 30), &level))) & _PAGE_NX);
	assert_true(dmesg_has("kernel direct mapping tables up to 80000000 @ 900000-d03000"));
	count_leaves(leaves);
	assert_int_equal(leaves[0], 524288);
	assert_int_equal(direct_pages_count[0], 524288);
	assert_int_equal(direct_pages_count[1], 0);
	boot_or_fail("arch=i386 ram=2G nopse");
	expect_direct((896ULL << 20) - 1, PG_LEVEL_4K);
	count_leaves(leaves);
	assert_int_equal(leaves[0], 229376);
	assert_int_equal(leaves[1], 0);
	assert_mm_check();
}

/* ---- /sys/kernel/debug/kernel_page_tables ---- */

/*
 * i386 with 2G: lowmem is 896M, mapped with 4K pages for the first 4M
 * (one PTE table, kernel protection without NX: "RW GLB x") and 4M pages
 * (PSE) for the 892M after; the vmalloc area (to VMALLOC_END 0xff3fe000)
 * has no tables.  From PKMAP_BASE 0xff400000 to 4G every 4M has a PTE
 * table allocated at boot, mapping nothing: the pkmap window's
 * (permanent_kmaps_init) and the fixmap's two (from FIXADDR_BOOT_START
 * 0xff9f5000, rounded down to 0xff800000).  The markers are printed as
 * 2.6.34's ptdump prints them: the level changes at 0xff400000, where the
 * pkmap marker starts, so that marker comes one entry late.  The last run
 * ends at 4G, which a 32-bit long prints as 0.
 */
static void ptdump_i386(void **state)
{
	boot_or_fail("arch=i386 ram=2G");
	assert_string_equal(proc_text("/sys/kernel/debug/kernel_page_tables"),
		"---[ User Space ]---\n"
		"0x00000000-0xc0000000           3G                           pgd\n"
		"---[ Kernel Mapping ]---\n"
		"0xc0000000-0xc0400000           4M     RW             GLB x  pte\n"
		"0xc0400000-0xf8000000         892M     RW         PSE GLB x  pgd\n"
		"0xf8000000-0xf8800000           8M                           pgd\n"
		"---[ vmalloc() Area ]---\n"
		"0xf8800000-0xff400000         108M                           pgd\n"
		"---[ vmalloc() End ]---\n"
		"0xff400000-0xff401000           4K                           pte\n"
		"---[ Persisent kmap() Area ]---\n"
		"0xff401000-0xffaf6000        7124K                           pte\n"
		"---[ Fixmap Area ]---\n"
		"0xffaf6000-0x00000000        5160K                           pte\n");
}

/*
 * x86_64 with 2049M: the first GB in the image's executable 2M pages, the
 * second in 2M pages with NX, the 1M tail in 4K pages; the image at
 * 0xffffffff80000000 in five 2M pages (10M: an 8M image at 1M ends at 9M).
 */
static void ptdump_x86_64(void **state)
{
	const char *t;

	boot_or_fail("ram=2049M");
	t = proc_text("/sys/kernel/debug/kernel_page_tables");
	assert_non_null(strstr(t,
		"---[ Low Kernel Mapping ]---\n"
		"0xffff880000000000-0xffff880040000000           1G     RW         PSE GLB x  pmd\n"
		"0xffff880040000000-0xffff880080000000           1G     RW         PSE GLB NX pmd\n"
		"0xffff880080000000-0xffff880080100000           1M     RW             GLB NX pte\n"
		"0xffff880080100000-0xffff880080200000           1M                           pte\n"));
	assert_non_null(strstr(t,
		"---[ High Kernel Mapping ]---\n"
		"0xffffffff80000000-0xffffffff80a00000          10M     RW         PSE GLB x  pmd\n"));
	assert_non_null(strstr(t, "0x0000000000000000-0xffff800000000000    16777088T                           pgd\n"));
}

/* ---- tables on demand ---- */

/*
 * Mapping one page at VMALLOC_START on x86_64 takes a PUD, a PMD and a PTE
 * table; a second page next to it takes nothing; a new top-level table
 * made after that shares the kernel's entries.
 */
static void tables_on_demand(void **state)
{
	unsigned long va = 0xffffc90000000000UL;
	unsigned long before;
	struct page *page;
	pgd_t *pgd, *copy;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;
	unsigned int level;

	boot_or_fail("ram=64M");
	/* Past RAM, the image's first-GB tables were cleared. */
	assert_int_equal(kernel_pa((unsigned long)arch->page_offset + (64UL << 20), &level), -1);
	assert_int_equal(kernel_pa((unsigned long)arch->page_offset + (1UL << 30) - 1, &level), -1);
	expect_direct((64UL << 20) - 1, PG_LEVEL_2M);
	page = alloc_page(GFP_KERNEL);
	before = free_pages_drained();
	pgd = pgd_offset_k(va);
	assert_true(pgd_none(pgdp_get(pgd)));
	pud = pud_alloc(&init_mm, pgd, va);
	pmd = pud ? pmd_alloc(&init_mm, pud, va) : NULL;
	pte = pmd ? pte_alloc_kernel(pmd, va) : NULL;
	assert_non_null(pte);
	assert_int_equal(free_pages_drained(), before - 3);
	assert_false(pgd_bad(pgdp_get(pgd)) || pud_bad(pudp_get(pud)) || pmd_bad(pmdp_get(pmd)));
	set_pte(pte, mk_pte(page, PAGE_KERNEL));
	assert_int_equal(kernel_pa(va + 5, &level), (long long)(page_to_phys(page) + 5));
	assert_int_equal(level, PG_LEVEL_4K);
	/* The next page: the same tables. */
	assert_ptr_equal(pte_alloc_kernel(pmd_alloc(&init_mm, pud_alloc(&init_mm, pgd, va + PAGE_SIZE),
						    va + PAGE_SIZE), va + PAGE_SIZE), pte_next(pte));
	assert_int_equal(free_pages_drained(), before - 3);
	copy = pgd_alloc(&init_mm);
	assert_non_null(copy);
	assert_int_equal(pgd_val(pgdp_get(pgd_entry(copy, va))), pgd_val(pgdp_get(pgd)));
	assert_true(pgd_none(pgdp_get(pgd_entry(copy, 0x7f0000000000UL))));
	pgd_free(&init_mm, copy);
	set_pte(pte, __pte(0));
	__free_page(page);
	assert_mm_check();
}

/* PAE: a new top level comes with the PMD tables of its three user gigabytes. */
static void pae_pgd_alloc(void **state)
{
	unsigned long before;
	pgd_t *pgd;

	boot_or_fail("arch=i386 pae ram=64M");
	before = free_pages_drained();
	pgd = pgd_alloc(&init_mm);
	assert_non_null(pgd);
	assert_int_equal(free_pages_drained(), before - 4);
	for (unsigned long i = 0; i < 3; i++)
		assert_int_equal(pgd_val(pgdp_get((pgd_t *)__pt_entry(pgd, i))) & ~PTE_PFN_MASK, _PAGE_PRESENT);
	assert_int_equal(pgd_val(pgdp_get((pgd_t *)__pt_entry(pgd, 3))),
			 pgd_val(pgdp_get((pgd_t *)__pt_entry(swapper_pg_dir, 3))));
	pgd_free(&init_mm, pgd);
	assert_int_equal(free_pages_drained(), before);
}

/*
 * PAE: a PDPTE of the address space a CPU runs is seen only after a CR3
 * load.  Both CPUs run swapper_pg_dir (CPU 1 idles on it).  pud_populate()
 * reloads on both (the registers hold the new entry, and mm_check agrees);
 * the same entry written without it leaves both registers stale, which
 * mm_check reports once per CPU.
 */
static void pae_pud_populate_reloads_cr3(void **state)
{
	pud_t *pud;
	pmd_t *pmd, *other;
	u64 reg[4];

	boot_or_fail("arch=i386 pae ram=64M cpus=2");
	assert_int_equal(hw_cpu_cr3(0, reg), __pa(swapper_pg_dir));
	assert_int_equal(hw_cpu_cr3(1, reg), __pa(swapper_pg_dir));
	pud = pud_offset(pgd_offset_k(0), 0);
	assert_true(pud_none(pudp_get(pud)));		/* swapper's user gigabytes are empty */
	pmd = (pmd_t *)get_zeroed_page(GFP_KERNEL);
	other = (pmd_t *)get_zeroed_page(GFP_KERNEL);
	pud_populate(&init_mm, pud, pmd);
	for (int cpu = 0; cpu < 2; cpu++) {
		hw_cpu_cr3(cpu, reg);
		assert_int_equal(reg[0], __pa(pmd) | _PAGE_PRESENT);
	}
	assert_int_equal(mm_check(NULL), 0);

	set_pud(pud, __pud(__pa(other) | _PAGE_PRESENT));	/* no reload */
	hw_cpu_cr3(0, reg);
	assert_int_equal(reg[0], __pa(pmd) | _PAGE_PRESENT);
	assert_int_equal(mm_check(NULL), 2);
	pae_reload_pdptes(&init_mm);
	hw_cpu_cr3(0, reg);
	assert_int_equal(reg[0], __pa(other) | _PAGE_PRESENT);

	pud_clear(pud);
	pae_reload_pdptes(&init_mm);
	free_page((unsigned long)pmd);
	free_page((unsigned long)other);
	assert_mm_check();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(x86_64_split, teardown_machine),
		cmocka_unit_test_teardown(i386_split, teardown_machine),
		cmocka_unit_test_teardown(i386_pae_split, teardown_machine),
		cmocka_unit_test_teardown(entry_helpers, teardown_machine),
		cmocka_unit_test_teardown(i386_has_no_nx, teardown_machine),
		cmocka_unit_test_teardown(x86_64_direct_map, teardown_machine),
		cmocka_unit_test_teardown(x86_64_above_4g, teardown_machine),
		cmocka_unit_test_teardown(i386_direct_map, teardown_machine),
		cmocka_unit_test_teardown(i386_pae_direct_map, teardown_machine),
		cmocka_unit_test_teardown(x86_64_gbpages, teardown_machine),
		cmocka_unit_test_teardown(no_large_pages, teardown_machine),
		cmocka_unit_test_teardown(ptdump_i386, teardown_machine),
		cmocka_unit_test_teardown(ptdump_x86_64, teardown_machine),
		cmocka_unit_test_teardown(tables_on_demand, teardown_machine),
		cmocka_unit_test_teardown(pae_pgd_alloc, teardown_machine),
		cmocka_unit_test_teardown(pae_pud_populate_reloads_cr3, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
