/*
 * pgtable.h - page tables of an address space: finding the entry for an
 * address, and allocating the tables on the way down.
 *
 * Addresses here are the addresses Linux would use (0xffff880000000000 +
 * pa for the direct map on x86_64, 0xc0000000 + pa on i386, user addresses
 * below TASK_SIZE), not host pointers: page tables translate those.
 * kaddr_to_linux() gives the one for a kernel (host) pointer.
 *
 *   pgd = pgd_offset(mm, addr);        the mm's top-level entry
 *   pud = pud_alloc(mm, pgd, addr);    allocating the table below if none
 *   pmd = pmd_alloc(mm, pud, addr);
 *   pte = pte_alloc_kernel(pmd, addr); kernel mappings (init_mm)
 *
 * The _alloc helpers return NULL when no page could be had (the caller
 * fails with -ENOMEM); when another CPU populated the entry first, its
 * table is used and the new page given back.
 */
#ifndef KMM_PGTABLE_H
#define KMM_PGTABLE_H

#include <kmm/compiler.h>
#include <kmm/mm_types.h>
#include <kmm/asm/pgtable.h>

/* The kernel's address space; its pgd is swapper_pg_dir. */
extern struct mm_struct init_mm;
extern pgd_t *swapper_pg_dir;

#define pgd_offset(mm, address)	pgd_entry((mm)->pgd, (address))
#define pgd_offset_k(address)	pgd_offset(&init_mm, (address))

/* The first entry of the top-level table that maps the kernel (PAGE_OFFSET's). */
#define KERNEL_PGD_BOUNDARY	pgd_index(arch->page_offset)

/* Tables for one level, from the page allocator, zeroed (arch/x86/pgtable.c). */
pud_t *pud_alloc_one(struct mm_struct *mm, unsigned long address);
pmd_t *pmd_alloc_one(struct mm_struct *mm, unsigned long address);
pte_t *pte_alloc_one_kernel(struct mm_struct *mm, unsigned long address);
void pud_free(struct mm_struct *mm, pud_t *pud);
void pmd_free(struct mm_struct *mm, pmd_t *pmd);
void pte_free_kernel(struct mm_struct *mm, pte_t *pte);
/*
 * A new top-level table for @mm: the user part empty, the kernel part a
 * copy of swapper_pg_dir's (on PAE, its own PMD tables for the user part
 * and the kernel's shared).  NULL when out of memory.
 */
pgd_t *pgd_alloc(struct mm_struct *mm);
void pgd_free(struct mm_struct *mm, pgd_t *pgd);

/* Populate an empty entry with a new table (mm/memory.c): 0 or -ENOMEM. */
int __pud_alloc(struct mm_struct *mm, pgd_t *pgd, unsigned long address);
int __pmd_alloc(struct mm_struct *mm, pud_t *pud, unsigned long address);
int __pte_alloc_kernel(pmd_t *pmd, unsigned long address);

static inline pud_t *pud_alloc(struct mm_struct *mm, pgd_t *pgd, unsigned long address)
{
	if (unlikely(pgd_none(pgdp_get(pgd))) && __pud_alloc(mm, pgd, address))
		return NULL;
	return pud_offset(pgd, address);
}

static inline pmd_t *pmd_alloc(struct mm_struct *mm, pud_t *pud, unsigned long address)
{
	if (unlikely(pud_none(pudp_get(pud))) && __pmd_alloc(mm, pud, address))
		return NULL;
	return pmd_offset(pud, address);
}

static inline pte_t *pte_alloc_kernel(pmd_t *pmd, unsigned long address)
{
	if (unlikely(pmd_none(pmdp_get(pmd))) && __pte_alloc_kernel(pmd, address))
		return NULL;
	return pte_offset_kernel(pmd, address);
}

/* The levels a lookup stops at, as Linux's pageattr names them. */
enum pg_level {
	PG_LEVEL_NONE,
	PG_LEVEL_4K,
	PG_LEVEL_2M,		/* 4M on i386 without PAE */
	PG_LEVEL_1G,
	PG_LEVEL_NUM
};

/*
 * The entry that maps @address in @mm's tables, at whatever level maps it
 * (a large page's PMD or PUD entry, cast to pte_t *, with *@level saying
 * which), or NULL when a table on the way is missing.  The entry may be
 * non-present.  Allocates nothing.  lookup_address() looks in init_mm.
 */
pte_t *lookup_address_in(struct mm_struct *mm, unsigned long address, unsigned int *level);
pte_t *lookup_address(unsigned long address, unsigned int *level);

#endif /* KMM_PGTABLE_H */
