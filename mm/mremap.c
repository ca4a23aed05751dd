/*
 * mremap.c - resizing and moving a mapping: mremap(2).
 *
 *   shrink            the tail is unmapped (do_munmap does the accounting)
 *   grow in place     when the range ends its VMA and the hole after it is
 *                     big enough: the VMA's end moves up (vma_adjust)
 *   move (MAYMOVE)    a new place is found (get_unmapped_area), a VMA made
 *                     there (copy_vma), the page tables' entries moved
 *                     (move_page_tables), the old range unmapped
 *   MREMAP_FIXED      the same move, to a place the caller names, which is
 *                     unmapped first
 *
 * A move carries PTEs, not pages: each present PTE is taken out of the
 * old table and written, unchanged, into the new one.  The page keeps its
 * mapcount, its reference, its rss count, and its rmap: page->index is
 * the page's offset in its VMA's linear numbering, and the new VMA gets
 * the pgoff that keeps that numbering (vm_pgoff of the old one plus the
 * offset of the range), so vma_address() finds the page at its new
 * address; the new VMA is linked to the anon_vmas of the old one
 * (copy_vma).  Nothing is copied and AnonPages does not move.
 *
 * Accounting (Committed_AS): growing a VM_ACCOUNT mapping charges the
 * growth first (vma_to_resize).  A move hides VM_ACCOUNT from the old
 * VMA while its range is unmapped, so that the charge moves with the
 * pages instead of being given back, and restores it on what remains
 * of the old VMA.  Every error gives back what the call charged.
 */
#include <kmm/bug.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/pgtable.h>
#include <kmm/resource.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/spinlock.h>
#include <kmm/tlbflush.h>
#include "mm/internal.h"

/* The most PTEs moved under one hold of page_table_lock. */
#define LATENCY_LIMIT	(64 * PAGE_SIZE)

/* ---- moving page-table entries ---- */

/* The PMD entry over @addr if every table down to it exists, else NULL. */
static pmd_t *get_old_pmd(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	pud_t *pud;
	pmd_t *pmd;

	if (pgd_none(pgdp_get(pgd)) || !pgd_present(pgdp_get(pgd)))
		return NULL;
	pud = pud_offset(pgd, addr);
	if (pud_none(pudp_get(pud)) || !pud_present(pudp_get(pud)))
		return NULL;
	pmd = pmd_offset(pud, addr);
	if (pmd_none(pmdp_get(pmd)) || !pmd_present(pmdp_get(pmd)))
		return NULL;
	return pmd;
}

/* The PMD entry over @addr with a PTE table under it, tables allocated as needed; NULL: no memory. */
static pmd_t *alloc_new_pmd(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	pud_t *pud;
	pmd_t *pmd;

	pud = pud_alloc(mm, pgd, addr);
	if (!pud)
		return NULL;
	pmd = pmd_alloc(mm, pud, addr);
	if (!pmd)
		return NULL;
	if (pmd_none(pmdp_get(pmd)) && __pte_alloc(mm, pmd, addr))
		return NULL;
	return pmd;
}

/*
 * Move the PTEs of [old_addr, old_end), all in one PTE table, to the
 * table under @new_pmd from @new_addr on.  Under page_table_lock (both
 * tables are the mm's: one lock), and a shared mapping's i_mmap_lock
 * outside it, so that no truncation of the object cleans the new range
 * before the old one and leaves stale pages behind.  Each entry is
 * cleared before its copy is written, and the old range's TLB entries
 * are flushed before the lock goes: from then on only the new address
 * reaches the page.  A CPU that still used a stale entry meanwhile
 * reached the same page, through a translation that is being withdrawn
 * (a write that needed the dirty bit set would have faulted and waited
 * for mmap_sem, held for writing by mremap).
 */
static void move_ptes(struct vm_area_struct *vma, pmd_t *old_pmd, unsigned long old_addr,
		      unsigned long old_end, pmd_t *new_pmd, unsigned long new_addr)
{
	struct mm_struct *mm = vma->vm_mm;
	struct address_space *mapping = NULL;
	unsigned long old_start = old_addr;
	pte_t *old_pte, *new_pte;
	bool moved = false;

	if (vma->vm_file) {
		mapping = vma->vm_file->f_mapping;
		spin_lock(&mapping->i_mmap_lock);
	}
	old_pte = pte_offset_map(old_pmd, old_addr);
	new_pte = pte_offset_map(new_pmd, new_addr);
	spin_lock(&mm->page_table_lock);
	for (; old_addr < old_end; old_pte = pte_next(old_pte), new_pte = pte_next(new_pte),
	     old_addr += PAGE_SIZE) {
		pte_t pte;

		if (pte_none(ptep_get(old_pte)))
			continue;
		pte = ptep_get_and_clear(old_pte);
		VM_BUG_ON(!pte_none(ptep_get(new_pte)));
		set_pte(new_pte, pte);
		moved = true;
	}
	if (moved)
		flush_tlb_mm_range(mm, old_start, old_end);
	spin_unlock(&mm->page_table_lock);
	if (mapping)
		spin_unlock(&mapping->i_mmap_lock);
}

/* Are the PTEs of [addr, end) under @pmd all none (nothing to move)? */
static bool ptes_none(pmd_t *pmd, unsigned long addr, unsigned long end)
{
	pte_t *pte = pte_offset_map(pmd, addr);

	for (; addr < end; pte = pte_next(pte), addr += PAGE_SIZE)
		if (!pte_none(ptep_get(pte)))
			return false;
	return true;
}

/*
 * move_page_tables - PTE table by PTE table: each step moves what lies
 * in one old table and fits in one new table (an extent ends at the
 * first PMD boundary on either side), at most LATENCY_LIMIT at a time.
 * An old range with no table, or whose entries are all none where the
 * new range has no table yet, has nothing to move and gets no new table
 * (Linux allocates one anyway: docs/glossary.md).  New tables are
 * allocated as needed; when that fails the move stops there.  Returns
 * the bytes of [old_addr, old_addr + len) handled, len when all were.
 * A partial move is moved back by the caller, and that never allocates:
 * every range that holds moved entries has its old table still.
 */
unsigned long move_page_tables(struct vm_area_struct *vma, unsigned long old_addr,
			       struct vm_area_struct *new_vma, unsigned long new_addr,
			       unsigned long len)
{
	unsigned long extent, next, old_end = old_addr + len;
	struct mm_struct *mm = vma->vm_mm;
	pmd_t *old_pmd, *new_pmd;

	(void)new_vma;	/* x86 writes the PTE unchanged (move_pte is the identity) */
	for (; old_addr < old_end; old_addr += extent, new_addr += extent) {
		next = pmd_addr_end(old_addr, old_end);
		extent = next - old_addr;
		old_pmd = get_old_pmd(mm, old_addr);
		if (!old_pmd)
			continue;
		next = pmd_addr_end(new_addr, new_addr + extent);
		extent = min(extent, next - new_addr);
		extent = min(extent, (unsigned long)LATENCY_LIMIT);
		new_pmd = get_old_pmd(mm, new_addr);
		if (!new_pmd) {
			if (ptes_none(old_pmd, old_addr, old_addr + extent))
				continue;
			new_pmd = alloc_new_pmd(mm, new_addr);
			if (!new_pmd)
				break;
		}
		move_ptes(vma, old_pmd, old_addr, old_addr + extent, new_pmd, new_addr);
	}
	return len + old_addr - old_end;
}

/* ---- moving a mapping ---- */

/*
 * move_vma - [old_addr, +old_len) of @vma becomes [new_addr, +new_len):
 * a VMA there (merged with a neighbour when it fits), the PTEs moved, the
 * old range unmapped.  Returns new_addr or -errno.
 *
 * When the new tables cannot be had, the PTEs already moved go back (the
 * old tables are still there) and the new range is unmapped instead.
 *
 * VM_ACCOUNT: the pages keep their charge at the new place, so the old
 * VMA's flag is hidden while do_munmap runs (it would give the charge
 * back), then restored on the pieces of the old VMA that remain: excess
 * is their size.  If do_munmap fails (it cannot split), the old range
 * stays mapped and its charge is given back instead, so that the pages
 * are not counted twice.
 */
static unsigned long move_vma(struct vm_area_struct *vma, unsigned long old_addr,
			      unsigned long old_len, unsigned long new_len, unsigned long new_addr)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long vm_flags = vma->vm_flags;
	unsigned long new_pgoff, moved_len, excess = 0, hiwater_vm;
	struct vm_area_struct *new_vma;
	bool split = false;

	/* do_munmap may split one VMA into three: make sure it will not fail for that. */
	if (mm->map_count >= sysctl_max_map_count - 3)
		return -ENOMEM;
	new_pgoff = vma->vm_pgoff + ((old_addr - vma->vm_start) >> PAGE_SHIFT);
	new_vma = copy_vma(&vma, new_addr, new_len, new_pgoff);
	if (!new_vma)
		return -ENOMEM;

	moved_len = move_page_tables(vma, old_addr, new_vma, new_addr, old_len);
	if (moved_len < old_len) {
		move_page_tables(new_vma, new_addr, vma, old_addr, moved_len);
		vma = new_vma;
		old_len = new_len;
		old_addr = new_addr;
		new_addr = -ENOMEM;
	}

	if (vm_flags & VM_ACCOUNT) {
		vma->vm_flags &= ~VM_ACCOUNT;
		excess = vma->vm_end - vma->vm_start - old_len;
		if (old_addr > vma->vm_start && old_addr + old_len < vma->vm_end)
			split = true;
	}

	/*
	 * total_vm counts the new range now and loses the old one in
	 * do_munmap; the high-water mark must not see both at once.
	 */
	hiwater_vm = mm->hiwater_vm;
	mm->total_vm += new_len >> PAGE_SHIFT;
	vm_stat_account(mm, vma->vm_flags, vma->vm_file, (long)(new_len >> PAGE_SHIFT));
	if (do_munmap(mm, old_addr, old_len) < 0) {
		vm_unacct_memory((long)(excess >> PAGE_SHIFT));
		excess = 0;
	}
	mm->hiwater_vm = hiwater_vm;

	if (excess) {
		vma->vm_flags |= VM_ACCOUNT;
		if (split)
			vma->vm_next->vm_flags |= VM_ACCOUNT;
	}
	if (vm_flags & VM_LOCKED) {
		mm->locked_vm += new_len >> PAGE_SHIFT;
		if (new_len > old_len)
			make_pages_present(new_addr + old_len, new_addr + new_len);
	}
	return new_addr;
}

/*
 * vma_to_resize - the VMA of [addr, addr + old_len) that is to become
 * new_len long (new_len >= old_len), with the limits checked and the
 * growth charged (*charged, which the caller gives back on a later
 * error).  2.6.34's errors: -EFAULT when the range is not all inside
 * one VMA, when a VM_DONTEXPAND or VM_PFNMAP mapping would grow, and --
 * an odd choice that Linux made and later changed -- when the overcommit
 * policy refuses the growth; -EINVAL for huge pages; -EAGAIN past
 * RLIMIT_MEMLOCK for a locked mapping (kmm's processes lack
 * CAP_IPC_LOCK); -ENOMEM past RLIMIT_AS.
 */
static struct vm_area_struct *vma_to_resize(unsigned long addr, unsigned long old_len,
					    unsigned long new_len, unsigned long *charged)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma = find_vma(mm, addr);
	unsigned long pages = (new_len - old_len) >> PAGE_SHIFT;

	if (!vma || vma->vm_start > addr)
		return ERR_PTR(-EFAULT);
	if (vma->vm_flags & VM_HUGETLB)
		return ERR_PTR(-EINVAL);
	if (old_len > vma->vm_end - addr)
		return ERR_PTR(-EFAULT);
	if ((vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)) && new_len > old_len)
		return ERR_PTR(-EFAULT);
	if (vma->vm_flags & VM_LOCKED) {
		unsigned long locked = (mm->locked_vm << PAGE_SHIFT) + new_len - old_len;

		if (locked > rlimit(RLIMIT_MEMLOCK))
			return ERR_PTR(-EAGAIN);
	}
	if (!may_expand_vm(mm, pages))
		return ERR_PTR(-ENOMEM);
	if (vma->vm_flags & VM_ACCOUNT) {
		if (security_vm_enough_memory_mm(mm, (long)pages))
			return ERR_PTR(-EFAULT);
		*charged = pages;
	}
	return vma;
}

/* A new place below mmap_min_addr is refused, as mmap's MAP_FIXED is (security_file_mmap). */
static unsigned long check_new_addr(unsigned long new_addr)
{
	return new_addr < mmap_min_addr ? (unsigned long)-EPERM : 0;
}

/*
 * mremap_to - MREMAP_FIXED: move to exactly [new_addr, +new_len), which
 * may not overlap the old range and is unmapped first (whatever the
 * outcome of the rest).  A shrink unmaps the old tail before the move.
 */
static unsigned long mremap_to(unsigned long addr, unsigned long old_len, unsigned long new_addr,
			       unsigned long new_len)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long ret, charged = 0, map_flags;

	if (new_addr & ~PAGE_MASK)
		return -EINVAL;
	if (new_len > mm->task_size || new_addr > mm->task_size - new_len)
		return -EINVAL;
	/* The two ranges may not overlap, either way round. */
	if (new_addr <= addr && new_addr + new_len > addr)
		return -EINVAL;
	if (addr <= new_addr && addr + old_len > new_addr)
		return -EINVAL;
	ret = check_new_addr(new_addr);
	if (ret)
		return ret;

	ret = (unsigned long)do_munmap(mm, new_addr, new_len);
	if (ret)
		return ret;
	if (old_len >= new_len) {
		ret = (unsigned long)do_munmap(mm, addr + new_len, old_len - new_len);
		if (ret && old_len != new_len)
			return ret;
		old_len = new_len;
	}

	vma = vma_to_resize(addr, old_len, new_len, &charged);
	if (IS_ERR(vma))
		return (unsigned long)PTR_ERR(vma);
	map_flags = MAP_FIXED | (vma->vm_flags & VM_MAYSHARE ? MAP_SHARED : 0);
	ret = get_unmapped_area(vma->vm_file, new_addr, new_len,
				vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT), map_flags);
	if (!(ret & ~PAGE_MASK)) {
		ret = move_vma(vma, addr, old_len, new_len, new_addr);
		if (!(ret & ~PAGE_MASK))
			return ret;
	}
	if (charged)
		vm_unacct_memory((long)charged);
	return ret;
}

/* Is there room for @vma to grow by @delta bytes where it is? */
static bool vma_expandable(struct vm_area_struct *vma, unsigned long delta)
{
	unsigned long end = vma->vm_end + delta;

	if (end < vma->vm_end)
		return false;
	if (vma->vm_next && vma->vm_next->vm_start < end)
		return false;
	if (get_unmapped_area(NULL, vma->vm_start, end - vma->vm_start, 0, MAP_FIXED) & ~PAGE_MASK)
		return false;
	return true;
}

/*
 * do_mremap - the system call's work, mmap_sem held for writing.  The
 * lengths are rounded up to pages; an old length of 0 is allowed (old
 * programs duplicated shared mappings that way), a new one of 0 is not.
 * A shrink always succeeds in place (even over a hole: munmap's rule);
 * a growth stays in place when the range ends its VMA and the hole after
 * it is big enough, else moves if allowed (-ENOMEM if not).  Returns the
 * address of the mapping now, or -errno.
 */
unsigned long do_mremap(unsigned long addr, unsigned long old_len, unsigned long new_len,
			unsigned long flags, unsigned long new_addr)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long ret = -EINVAL, charged = 0;

	if (flags & ~(unsigned long)(MREMAP_FIXED | MREMAP_MAYMOVE))
		goto out;
	if (addr & ~PAGE_MASK)
		goto out;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (!new_len)
		goto out;

	if (flags & MREMAP_FIXED) {
		if (flags & MREMAP_MAYMOVE)
			ret = mremap_to(addr, old_len, new_addr, new_len);
		goto out;
	}

	if (old_len >= new_len) {
		ret = (unsigned long)do_munmap(mm, addr + new_len, old_len - new_len);
		if (ret && old_len != new_len)
			goto out;
		ret = addr;
		goto out;
	}

	vma = vma_to_resize(addr, old_len, new_len, &charged);
	if (IS_ERR(vma)) {
		ret = (unsigned long)PTR_ERR(vma);
		goto out;
	}

	/* The range ends its VMA: can the VMA just grow? */
	if (old_len == vma->vm_end - addr && vma_expandable(vma, new_len - old_len)) {
		long pages = (long)((new_len - old_len) >> PAGE_SHIFT);

		if (vma_adjust(vma, vma->vm_start, addr + new_len, vma->vm_pgoff, NULL)) {
			ret = -ENOMEM;
			goto out;
		}
		mm->total_vm += (unsigned long)pages;
		vm_stat_account(mm, vma->vm_flags, vma->vm_file, pages);
		/* 2.6.34 grows without merging: a neighbour it now touches stays apart. */
		if (vma->vm_next && vma->vm_next->vm_start == vma->vm_end)
			vma->kmm_apart_ok = 1;
		if (vma->vm_flags & VM_LOCKED) {
			mm->locked_vm += (unsigned long)pages;
			make_pages_present(addr + old_len, addr + new_len);
		}
		ret = addr;
		goto out;
	}

	ret = -ENOMEM;
	if (flags & MREMAP_MAYMOVE) {
		unsigned long map_flags = vma->vm_flags & VM_MAYSHARE ? MAP_SHARED : 0;

		new_addr = get_unmapped_area(vma->vm_file, 0, new_len,
					     vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT),
					     map_flags);
		if (new_addr & ~PAGE_MASK) {
			ret = new_addr;
			goto out;
		}
		ret = check_new_addr(new_addr);
		if (ret)
			goto out;
		ret = move_vma(vma, addr, old_len, new_len, new_addr);
	}
out:
	if ((ret & ~PAGE_MASK) && charged)
		vm_unacct_memory((long)charged);
	return ret;
}

unsigned long sys_mremap(unsigned long addr, unsigned long old_len, unsigned long new_len,
			 unsigned long flags, unsigned long new_addr)
{
	struct mm_struct *mm = current->mm;
	unsigned long ret;

	if (!mm)
		return -EINVAL;
	down_write(&mm->mmap_sem);
	ret = do_mremap(addr, old_len, new_len, flags, new_addr);
	up_write(&mm->mmap_sem);
	return ret;
}
