/*
 * mprotect.c - changing what a range of an address space allows:
 * mprotect(2), its VMA surgery (mprotect_fixup) and its page-table walk
 * (change_protection).
 *
 *   sys_mprotect: check the request, then walk the VMAs of the range in
 *                 address order; each must touch the next (a hole is
 *                 -ENOMEM) and may be given only the rights its VM_MAY*
 *                 bits allow (-EACCES)
 *   mprotect_fixup: for one VMA's part [start, end): merge it into a
 *                 neighbour with the new flags if it can (vma_merge's
 *                 cases 4 to 8), else split the VMA at start and end so
 *                 that the part is a VMA of its own; set the flags and
 *                 vm_page_prot; rewrite the PTEs
 *   change_protection: every present PTE of the part gets the new
 *                 protection bits, keeping its frame, its special bit
 *                 and what the CPU recorded (accessed, dirty)
 *
 * Why copy-on-write survives: the new protection comes from
 * vm_get_page_prot, which maps a private writable VMA read-only.  A page
 * made writable again is therefore still write-protected in its PTE; the
 * first write faults and do_wp_page decides, as always, between reusing
 * the page (mapped once) and copying it (shared after fork).  mprotect
 * never makes a PTE writable that the fault path would not.
 *
 * Like Linux, mprotect is not atomic: VMAs changed before an error (a
 * hole further on, a VMA that refuses the rights) stay changed.
 */
#include <kmm/bug.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/pgtable.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/spinlock.h>
#include <kmm/tlbflush.h>
#include "mm/internal.h"

/* ---- the page tables ---- */

/*
 * Under page_table_lock, so that no fault populates or changes a PTE of
 * the range between our read and our write.  The PTE is cleared before
 * its new value is written (ptep_modify_prot_start/commit in Linux): a
 * CPU that sets the accessed or dirty bit meanwhile finds no PTE and
 * faults, instead of having its bit overwritten.  Entries that are not
 * present (none; swap entries, which carry no write bit) stay.
 */
static void change_pte_range(struct mm_struct *mm, pmd_t *pmd, unsigned long addr,
			     unsigned long end, pgprot_t newprot)
{
	pte_t *pte = pte_offset_map(pmd, addr);

	spin_lock(&mm->page_table_lock);
	for (; addr != end; pte = pte_next(pte), addr += PAGE_SIZE) {
		pte_t ptent = ptep_get(pte);

		if (!pte_present(ptent))
			continue;
		ptent = ptep_get_and_clear(pte);
		set_pte(pte, pte_modify(ptent, newprot));
	}
	spin_unlock(&mm->page_table_lock);
}

static void change_pmd_range(struct mm_struct *mm, pud_t *pud, unsigned long addr,
			     unsigned long end, pgprot_t newprot)
{
	pmd_t *pmd = pmd_offset(pud, addr);
	unsigned long next;

	do {
		next = pmd_addr_end(addr, end);
		if (pmd_none(pmdp_get(pmd)) || !pmd_present(pmdp_get(pmd)))
			continue;
		change_pte_range(mm, pmd, addr, next, newprot);
	} while (pmd = pmd_next(pmd), addr = next, addr != end);
}

static void change_pud_range(struct mm_struct *mm, pgd_t *pgd, unsigned long addr,
			     unsigned long end, pgprot_t newprot)
{
	pud_t *pud = pud_offset(pgd, addr);
	unsigned long next;

	do {
		next = pud_addr_end(addr, end);
		if (pud_none(pudp_get(pud)) || !pud_present(pudp_get(pud)))
			continue;
		change_pmd_range(mm, pud, addr, next, newprot);
	} while (pud = pud_next(pud), addr = next, addr != end);
}

/*
 * change_protection - give the present PTEs of [addr, end) in @vma the
 * protection @newprot, then flush the range from every CPU's TLB: until
 * then a CPU may still write through an entry that allowed it, which is
 * why the flush comes before mprotect returns (the caller holds mmap_sem
 * for writing, so no fault re-creates a PTE from the old flags meanwhile).
 */
void change_protection(struct vm_area_struct *vma, unsigned long addr, unsigned long end,
		       pgprot_t newprot)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long start = addr, next;
	pgd_t *pgd;

	BUG_ON(addr >= end);
	pgd = pgd_offset(mm, addr);
	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none(pgdp_get(pgd)) || !pgd_present(pgdp_get(pgd)))
			continue;
		change_pud_range(mm, pgd, addr, next, newprot);
	} while (pgd = pgd_next(pgd), addr = next, addr != end);
	flush_tlb_mm_range(mm, start, end);
}

/* ---- the VMAs ---- */

/*
 * mprotect_fixup - [start, end), inside @vma, takes @newflags.  *pprev is
 * the VMA before the range on entry (@vma itself when the range starts
 * inside it), and on return the VMA that now covers the range.
 *
 * Accounting: a private mapping that becomes writable may dirty every
 * page, so it is charged to Committed_AS now (and marked VM_ACCOUNT)
 * unless it already was, or is shared, or MAP_NORESERVE said not to.
 * Making it read-only again does not give the charge back: without
 * per-page accounting nobody knows which pages were dirtied meanwhile.
 *
 * Merging comes first, before any split, because a split that a merge
 * would have undone costs a VMA and may fail; the merge takes vma's
 * anon_vma and file and the range's own pgoff, so that pages already
 * faulted stay where rmap looks for them.  On error the charge is given
 * back; a split made before a failing second split stays (Linux's
 * behaviour too: the two halves are still a valid description).
 */
int mprotect_fixup(struct vm_area_struct *vma, struct vm_area_struct **pprev,
		   unsigned long start, unsigned long end, unsigned long newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long oldflags = vma->vm_flags;
	long nrpages = (long)((end - start) >> PAGE_SHIFT);
	unsigned long charged = 0;
	struct vm_area_struct *merged;
	int error;

	if (newflags == oldflags) {
		*pprev = vma;
		return 0;
	}
	if ((newflags & VM_WRITE) &&
	    !(oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE))) {
		charged = (unsigned long)nrpages;
		if (security_vm_enough_memory_mm(mm, (long)charged))
			return -ENOMEM;
		newflags |= VM_ACCOUNT;
	}

	merged = vma_modify_flags(*pprev, vma, start, end, newflags);
	if (IS_ERR(merged)) {
		error = (int)PTR_ERR(merged);
		goto fail;
	}
	vma = merged;
	*pprev = vma;
	/* vm_flags and vm_page_prot change under mmap_sem held for writing. */
	vma->vm_flags = newflags;
	vma->vm_page_prot = vm_get_page_prot(newflags);
	change_protection(vma, start, end, vma->vm_page_prot);
	vm_stat_account(mm, oldflags, vma->vm_file, -nrpages);
	vm_stat_account(mm, newflags, vma->vm_file, nrpages);
	return 0;

fail:
	*pprev = vma;
	if (charged)
		vm_unacct_memory((long)charged);
	return error;
}

/* ---- the system call ---- */

/* The PROT_ bits mprotect knows; PROT_SEM is accepted and means nothing on x86. */
#define PROT_KNOWN	(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)

/*
 * The VMA holding @start, and the range [*pstart, *pend) made whole for
 * PROT_GROWSDOWN (down to the VMA's start) and PROT_GROWSUP (up to its
 * end); *pprev as mprotect_fixup wants it.  -ENOMEM when nothing is
 * mapped at the start, -EINVAL when a PROT_GROWS flag names a VMA that
 * does not grow that way.
 */
static struct vm_area_struct *mprotect_first_vma(struct mm_struct *mm, unsigned long *pstart,
						 unsigned long *pend, int grows,
						 struct vm_area_struct **pprev, int *err)
{
	struct vm_area_struct *vma = find_vma_prev(mm, *pstart, pprev);

	*err = -ENOMEM;
	if (!vma)
		return NULL;
	if (grows & PROT_GROWSDOWN) {
		if (vma->vm_start >= *pend)
			return NULL;
		*pstart = vma->vm_start;
		*err = -EINVAL;
		if (!(vma->vm_flags & VM_GROWSDOWN))
			return NULL;
	} else {
		if (vma->vm_start > *pstart)
			return NULL;
		if (grows & PROT_GROWSUP) {
			*pend = vma->vm_end;
			*err = -EINVAL;
			if (!(vma->vm_flags & VM_GROWSUP))
				return NULL;
		}
	}
	if (*pstart > vma->vm_start)
		*pprev = vma;
	*err = 0;
	return vma;
}

/*
 * mprotect(2): [start, start + len) gets @prot.  The checks, in 2.6.34's
 * order: PROT_GROWSDOWN and PROT_GROWSUP together, an unaligned start,
 * unknown PROT_ bits -EINVAL; a length of 0 succeeds at once; a range
 * that wraps is -ENOMEM.  Then each VMA of the range in turn: the new
 * read/write/exec bits replace its own, refused with -EACCES where its
 * VM_MAY* bits (newflags >> 4 lines them up with VM_READ...) do not
 * allow them; the range must be mapped without a hole, else -ENOMEM
 * after the VMAs before the hole were changed.
 *
 * (Linux adds PROT_EXEC to PROT_READ for a READ_IMPLIES_EXEC
 * personality; kmm's processes never have it.)
 */
long sys_mprotect(unsigned long start, size_t len, unsigned long prot)
{
	struct mm_struct *mm = current->mm;
	const int grows = (int)(prot & (PROT_GROWSDOWN | PROT_GROWSUP));
	struct vm_area_struct *vma, *prev;
	unsigned long vm_flags, nstart, end, tmp;
	int error;

	prot &= ~(unsigned long)(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (prot & ~(unsigned long)PROT_KNOWN)
		return -EINVAL;
	if (!mm)
		return -EINVAL;
	vm_flags = calc_vm_prot_bits(prot);

	down_write(&mm->mmap_sem);
	vma = mprotect_first_vma(mm, &start, &end, grows, &prev, &error);
	if (!vma)
		goto out;
	for (nstart = start;;) {
		unsigned long newflags;

		/* Here vma->vm_start <= nstart < vma->vm_end. */
		newflags = vm_flags | (vma->vm_flags & ~(unsigned long)(VM_READ | VM_WRITE | VM_EXEC));
		if ((newflags & ~(newflags >> 4)) & (VM_READ | VM_WRITE | VM_EXEC)) {
			error = -EACCES;
			goto out;
		}
		tmp = min(vma->vm_end, end);
		error = mprotect_fixup(vma, &prev, nstart, tmp, newflags);
		if (error)
			goto out;
		nstart = max(tmp, prev->vm_end);
		if (nstart >= end)
			goto out;
		vma = prev->vm_next;
		if (!vma || vma->vm_start != nstart) {
			error = -ENOMEM;
			goto out;
		}
	}
out:
	up_write(&mm->mmap_sem);
	return error;
}
