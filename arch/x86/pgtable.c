/*
 * arch/x86/pgtable.c - the shape of the page tables in the booted paging
 * mode, and the allocation of tables: one page per table at every level
 * (the PAE top level, 4 entries, takes a page too, as 2.6.34's did).
 *
 * Kernel tables are not counted anywhere but in the allocator; PTE tables
 * of user address spaces count as NR_PAGETABLE ("PageTables" in meminfo)
 * as Linux's pgtable_page_ctor() counts them (they come with processes).
 */
#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/pgtable.h>
#include <kmm/string.h>
#include <kmm/tlbflush.h>
#include "arch/x86/layout.h"

struct pgtable_shape pgtable_shape __state_zero;

/* __PHYSICAL_MASK_SHIFT of each mode: the frame bits Linux lets an entry use. */
#define PHYS_BITS_64	46
#define PHYS_BITS_PAE	44
#define PHYS_BITS_32	32

static pteval_t frame_mask(int phys_bits)
{
	return (((pteval_t)1 << phys_bits) - 1) & ~(pteval_t)(PAGE_SIZE - 1);
}

void pgtable_shape_init(bool nx)
{
	struct pgtable_shape *s = &pgtable_shape;

	if (arch->bits == 64) {
		*s = (struct pgtable_shape){
			.levels = 4, .entry_shift = 3,
			.pgdir_shift = 39, .pud_shift = 30, .pmd_shift = 21,
			.ptrs_per_pgd = 512, .ptrs_per_pud = 512, .ptrs_per_pmd = 512,
			.ptrs_per_pte = 512, .pfn_mask = frame_mask(PHYS_BITS_64),
		};
	} else if (arch->pae) {
		*s = (struct pgtable_shape){
			.levels = 3, .entry_shift = 3,
			.pgdir_shift = 30, .pud_shift = 30, .pmd_shift = 21,
			.ptrs_per_pgd = 4, .ptrs_per_pud = 1, .ptrs_per_pmd = 512,
			.ptrs_per_pte = 512, .pfn_mask = frame_mask(PHYS_BITS_PAE),
		};
	} else {
		*s = (struct pgtable_shape){
			.levels = 2, .entry_shift = 2,
			.pgdir_shift = 22, .pud_shift = 22, .pmd_shift = 22,
			.ptrs_per_pgd = 1024, .ptrs_per_pud = 1, .ptrs_per_pmd = 1,
			.ptrs_per_pte = 1024, .pfn_mask = frame_mask(PHYS_BITS_32),
		};
		nx = false;	/* 32-bit entries have no bit 63 */
	}
	s->supported_mask = ~(pteval_t)0;
	if (!nx)
		s->supported_mask &= ~_PAGE_NX;
}

/* ---- tables ---- */

#define PGALLOC_GFP	(GFP_KERNEL | __GFP_NOTRACK | __GFP_REPEAT | __GFP_ZERO)

static void *table_alloc(void)
{
	return (void *)__get_free_page(PGALLOC_GFP);
}

static void table_free(void *table)
{
	free_page((unsigned long)table);
}

pud_t *pud_alloc_one(struct mm_struct *mm, unsigned long address)
{
	(void)mm;
	(void)address;
	return table_alloc();
}

pmd_t *pmd_alloc_one(struct mm_struct *mm, unsigned long address)
{
	(void)mm;
	(void)address;
	return table_alloc();
}

pte_t *pte_alloc_one_kernel(struct mm_struct *mm, unsigned long address)
{
	(void)mm;
	(void)address;
	return table_alloc();
}

void pud_free(struct mm_struct *mm, pud_t *pud)
{
	(void)mm;
	table_free(pud);
}

void pmd_free(struct mm_struct *mm, pmd_t *pmd)
{
	(void)mm;
	table_free(pmd);
}

void pte_free_kernel(struct mm_struct *mm, pte_t *pte)
{
	(void)mm;
	table_free(pte);
}

void pud_populate(struct mm_struct *mm, pud_t *pud, void *pmd_table)
{
	if (PAGETABLE_LEVELS != 3) {
		set_pud(pud, __pud(__pa(pmd_table) | _PAGE_TABLE));
		return;
	}
	set_pud(pud, __pud(__pa(pmd_table) | _PAGE_PRESENT));
	pae_reload_pdptes(mm);
}

/*
 * The user entries of a PAE top level each get their PMD table up front,
 * as 2.6.34 did (a PDPTE is loaded with CR3 and cannot change under a
 * running CPU); the kernel's entry is shared with swapper_pg_dir.
 */
static int pgd_prepopulate_pmd(struct mm_struct *mm, pgd_t *pgd)
{
	for (unsigned long i = 0; i < KERNEL_PGD_BOUNDARY; i++) {
		pmd_t *pmd = pmd_alloc_one(mm, i << PGDIR_SHIFT);

		if (!pmd) {
			while (i-- > 0)
				pmd_free(mm, pud_page_vaddr(pudp_get((pud_t *)__pt_entry(pgd, i))));
			return -ENOMEM;
		}
		pud_populate(mm, (pud_t *)__pt_entry(pgd, i), pmd);
	}
	return 0;
}

pgd_t *pgd_alloc(struct mm_struct *mm)
{
	pgd_t *pgd = table_alloc();
	unsigned long first = KERNEL_PGD_BOUNDARY;

	if (!pgd)
		return NULL;
	/* The kernel's part: the same entries as swapper_pg_dir's (pgd_ctor). */
	memcpy(__pt_entry(pgd, first), __pt_entry(swapper_pg_dir, first),
	       (PTRS_PER_PGD - first) << pgtable_shape.entry_shift);
	if (PAGETABLE_LEVELS == 3 && pgd_prepopulate_pmd(mm, pgd)) {
		table_free(pgd);
		return NULL;
	}
	return pgd;
}

void pgd_free(struct mm_struct *mm, pgd_t *pgd)
{
	if (PAGETABLE_LEVELS == 3)
		for (unsigned long i = 0; i < KERNEL_PGD_BOUNDARY; i++) {
			pud_t *pud = (pud_t *)__pt_entry(pgd, i);

			if (pud_present(pudp_get(pud)))
				pmd_free(mm, pud_page_vaddr(pudp_get(pud)));
		}
	table_free(pgd);
}

/* ---- looking up ---- */

pte_t *lookup_address_in(struct mm_struct *mm, unsigned long address, unsigned int *level)
{
	pgd_t *pgd = pgd_offset(mm, address);
	pud_t *pud;
	pmd_t *pmd;

	*level = PG_LEVEL_NONE;
	if (pgd_none(pgdp_get(pgd)))
		return NULL;
	pud = pud_offset(pgd, address);
	if (pud_none(pudp_get(pud)))
		return NULL;
	*level = PG_LEVEL_1G;
	if (pud_large(pudp_get(pud)) || !pud_present(pudp_get(pud)))
		return (pte_t *)pud;
	pmd = pmd_offset(pud, address);
	*level = PG_LEVEL_2M;
	if (pmd_none(pmdp_get(pmd)))
		return NULL;
	if (pmd_large(pmdp_get(pmd)) || !pmd_present(pmdp_get(pmd)))
		return (pte_t *)pmd;
	*level = PG_LEVEL_4K;
	return pte_offset_kernel(pmd, address);
}

pte_t *lookup_address(unsigned long address, unsigned int *level)
{
	return lookup_address_in(&init_mm, address, level);
}
