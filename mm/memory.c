/*
 * memory.c - page tables on demand: the tables between a top-level entry
 * and a PTE are allocated when a mapping first needs them.
 *
 * (The page-fault handlers, do_anonymous_page() and the rest, join this
 * file with processes.)
 */
#include <kmm/errno.h>
#include <kmm/pgtable.h>
#include <kmm/spinlock.h>

/*
 * Populating an entry.  The new table is allocated (zeroed) before the
 * lock, since allocation may sleep; under the lock, the entry is checked
 * again: another CPU may have populated it meanwhile, and then its table
 * stays and ours goes back.  The entry is written with release semantics
 * (set_pgd and friends), so a CPU that reads it and follows it finds the
 * table zeroed, never the page's old contents.
 */
int __pud_alloc(struct mm_struct *mm, pgd_t *pgd, unsigned long address)
{
	pud_t *new = pud_alloc_one(mm, address);

	if (!new)
		return -ENOMEM;
	spin_lock(&mm->page_table_lock);
	if (pgd_present(pgdp_get(pgd))) {
		spin_unlock(&mm->page_table_lock);
		pud_free(mm, new);
		return 0;
	}
	pgd_populate(pgd, new);
	spin_unlock(&mm->page_table_lock);
	return 0;
}

int __pmd_alloc(struct mm_struct *mm, pud_t *pud, unsigned long address)
{
	pmd_t *new = pmd_alloc_one(mm, address);

	if (!new)
		return -ENOMEM;
	spin_lock(&mm->page_table_lock);
	if (pud_present(pudp_get(pud))) {
		spin_unlock(&mm->page_table_lock);
		pmd_free(mm, new);
		return 0;
	}
	pud_populate(pud, new);
	spin_unlock(&mm->page_table_lock);
	return 0;
}

int __pte_alloc_kernel(pmd_t *pmd, unsigned long address)
{
	pte_t *new = pte_alloc_one_kernel(&init_mm, address);

	if (!new)
		return -ENOMEM;
	spin_lock(&init_mm.page_table_lock);
	if (pmd_present(pmdp_get(pmd))) {
		spin_unlock(&init_mm.page_table_lock);
		pte_free_kernel(&init_mm, new);
		return 0;
	}
	pmd_populate_kernel(pmd, new);
	spin_unlock(&init_mm.page_table_lock);
	return 0;
}
