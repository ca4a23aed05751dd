/*
 * init_mm.c - the kernel's address space.
 *
 * init_mm has no VMAs and no users to count: it exists for its page tables
 * (swapper_pg_dir, set up by the architecture's paging_init) and their
 * lock, which every kernel mapping (vmalloc, ioremap, kmap) takes to
 * populate a table.  Kernel threads borrow the address space of whoever
 * ran before them; at boot that is init_mm.
 */
#include <kmm/pgtable.h>
#include <kmm/rwsem.h>
#include <kmm/spinlock.h>
#include "mm/boot.h"
#include "mm/internal.h"

struct mm_struct init_mm __state_zero;

/*
 * The locks of an address space.  One init site, so the lock validator
 * sees a single class per lock for all address spaces, as Linux's mm_init()
 * gives them.
 */
void mm_init_locks(struct mm_struct *mm)
{
	spin_lock_init(&mm->page_table_lock);
	init_rwsem(&mm->mmap_sem);
}

void init_mm_setup(pgd_t *pgd)
{
	init_mm.pgd = pgd;
	atomic_set(&init_mm.mm_users, 2);
	atomic_set(&init_mm.mm_count, 1);
	init_mm.nr_ptes = 0;
	mm_init_locks(&init_mm);
}
