/*
 * mlock.c - keeping pages in memory: mlock, munlock, mlockall and
 * munlockall, and the state that makes a page stay (PG_mlocked, the
 * unevictable LRU list).
 *
 * Two levels, as in 2.6.34:
 *   - a VMA is locked (VM_LOCKED).  mlock_fixup sets or clears the flag
 *     on exactly [start, end), splitting the VMA or merging the range
 *     into a neighbour as mprotect does; mm->locked_vm counts the pages
 *     of locked VMAs and RLIMIT_MEMLOCK bounds it (mmap's MAP_LOCKED and
 *     mlockall(MCL_FUTURE)'s def_flags lock at mmap time, mm/mmap.c);
 *   - a page is mlocked (PG_mlocked) because a locked VMA maps it.  It
 *     then sits on its zone's unevictable list (PG_unevictable), counted
 *     in NR_MLOCK ("Mlocked") and LRU_UNEVICTABLE ("Unevictable"), where
 *     reclaim does not look.
 *
 * Locking a range faults each page in -- writing if the VMA is writable,
 * so that a page shared copy-on-write becomes the process's own -- and
 * mlocks it; a page faulted later in a locked VMA is mlocked as it is
 * mapped (page_add_new_anon_rmap).  Unlocking munlocks each page unless
 * another locked VMA maps it too (the rmap walk of try_to_munlock).
 * munmap and exit munlock a locked VMA before its pages go, so NR_MLOCK
 * and Unevictable come back exactly to what they were.
 *
 * Invariants (mm_check "mlock"):
 *   mm->locked_vm == the pages of mm's VM_LOCKED VMAs
 *   PG_mlocked <=> on the unevictable list (kmm has no other reason to be
 *                  there, and no lazy culling by reclaim)
 *   NR_MLOCK == pages with PG_mlocked;  each LRU list's length == its counter
 *
 * kmm's processes are unprivileged (no CAP_IPC_LOCK): RLIMIT_MEMLOCK,
 * 64 KiB by default, is the whole story.
 */
#include <kmm/bug.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/kernel.h>
#include <kmm/list.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/mman.h>
#include <kmm/resource.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/spinlock.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"

/* Without CAP_IPC_LOCK, mlock needs a non-zero RLIMIT_MEMLOCK. */
int can_do_mlock(void)
{
	return rlimit(RLIMIT_MEMLOCK) != 0;
}

/*
 * mmap's MAP_LOCKED or MCL_FUTURE, brk, stack growth: the new pages join
 * locked_vm, which must stay within the limit (in pages, rounded down).
 */
bool mlock_allowed(struct mm_struct *mm, unsigned long len)
{
	unsigned long locked = (len >> PAGE_SHIFT) + mm->locked_vm;

	return locked <= rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
}

/* ---- pages ---- */

/*
 * A page just made for @vma (not yet on any list): when @vma is locked
 * it is mlocked now and the caller puts it on the unevictable list.
 * Special VMAs never lock their pages.
 */
bool is_mlocked_vma(struct vm_area_struct *vma, struct page *page)
{
	VM_BUG_ON(PageLRU(page));
	if (likely((vma->vm_flags & (VM_LOCKED | VM_SPECIAL)) != VM_LOCKED))
		return false;
	if (!TestSetPageMlocked(page)) {
		mod_page_state(page, NR_MLOCK, 1);
		count_vm_event(UNEVICTABLE_PGMLOCKED);
	}
	return true;
}

/*
 * A locked VMA maps @page: mlock it.  The flag's test-and-set decides
 * who counts it, so a page mapped by two locked VMAs counts once; the
 * page then moves to the unevictable list.
 */
void mlock_vma_page(struct page *page)
{
	if (TestSetPageMlocked(page))
		return;
	mod_page_state(page, NR_MLOCK, 1);
	count_vm_event(UNEVICTABLE_PGMLOCKED);
	move_page_lru(page);
}

/*
 * Does a locked VMA other than the caller's (which cleared its VM_LOCKED
 * first) still map @page at @vma?  The PTE must map this very page: the
 * anon_vma also lists VMAs whose copy-on-write replaced it.  VM_LOCKED is
 * stable only under the VMA's mmap_sem; one that cannot be taken at once
 * (the caller's own, held for munlock or munmap) answers no, and the page
 * is munlocked -- 2.6.34 then relies on reclaim to find the page in a
 * locked VMA and mlock it again, which kmm's reclaim will do.
 */
static bool vma_keeps_page_mlocked(struct vm_area_struct *vma, struct page *page)
{
	unsigned long address = vma_address(page, vma);
	bool locked;

	if (address == (unsigned long)-EFAULT || follow_page(vma, address, 0) != page)
		return false;
	if (!down_read_trylock(&vma->vm_mm->mmap_sem))
		return false;
	locked = vma->vm_flags & VM_LOCKED;
	up_read(&vma->vm_mm->mmap_sem);
	return locked;
}

/*
 * 2.6.34's try_to_munlock: walk every VMA that may map @page (its
 * anon_vma's list, or its object's i_mmap) and mlock the page again if a
 * locked one maps it.  True when one does.
 */
static bool try_to_munlock(struct page *page)
{
	struct vm_area_struct *vma;
	bool found = false;

	if (PageAnon(page)) {
		struct anon_vma *av = page_anon_vma(page);
		struct anon_vma_chain *avc;

		spin_lock(&av->lock);
		list_for_each_entry(avc, &av->head, same_anon_vma)
			if (vma_keeps_page_mlocked(avc->vma, page)) {
				found = true;
				break;
			}
		spin_unlock(&av->lock);
	} else if (page->mapping) {
		struct address_space *mapping = page->mapping;

		spin_lock(&mapping->i_mmap_lock);
		list_for_each_entry(vma, &mapping->i_mmap, shared)
			if (vma_keeps_page_mlocked(vma, page)) {
				found = true;
				break;
			}
		spin_unlock(&mapping->i_mmap_lock);
	}
	if (found)
		mlock_vma_page(page);
	return found;
}

/*
 * A locked VMA stops mapping @page (munlock, munmap, exit).  It stays
 * mlocked if another locked VMA maps it (NR_MLOCK goes down and up again,
 * and the mlock is counted again, as in 2.6.34); otherwise it goes back
 * to the inactive list of its kind.
 */
void munlock_vma_page(struct page *page)
{
	if (!TestClearPageMlocked(page))
		return;
	mod_page_state(page, NR_MLOCK, -1);
	if (!try_to_munlock(page))
		count_vm_event(UNEVICTABLE_PGMUNLOCKED);
	move_page_lru(page);
}

/* The page stops being mlocked, whoever maps it (no rmap walk). */
void clear_page_mlock(struct page *page)
{
	if (likely(!TestClearPageMlocked(page)))
		return;
	mod_page_state(page, NR_MLOCK, -1);
	count_vm_event(UNEVICTABLE_PGCLEARED);
	move_page_lru(page);
}

/* ---- ranges of a VMA ---- */

/*
 * Fault in each page of [start, end) of the locked @vma and mlock it, page
 * by page, so that a failure leaves the pages before it mlocked and those
 * after it untouched.  The zero page (a read-only VMA's untouched pages)
 * is no one's and is not mlocked.  0, or make_pages_present's -ENOMEM /
 * -EFAULT.  The caller holds mmap_sem; @vma is current's.
 */
static int __mlock_vma_pages_range(struct vm_area_struct *vma, unsigned long start,
				   unsigned long end)
{
	VM_BUG_ON((start | end) & ~PAGE_MASK);
	VM_BUG_ON(start < vma->vm_start || end > vma->vm_end);
	VM_BUG_ON(vma->vm_mm != current->mm);

	for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
		struct page *page;
		int ret = make_pages_present(addr, addr + PAGE_SIZE);

		if (ret)
			return ret;
		page = follow_page(vma, addr, FOLL_GET);
		if (!page)
			continue;
		if (page->mapping)
			mlock_vma_page(page);
		put_page(page);
	}
	return 0;
}

/* What mlock(2) says when faulting in failed: EFAULT means unmapped, ENOMEM means try again. */
static int mlock_posix_error(int err)
{
	if (err == -EFAULT)
		return -ENOMEM;
	if (err == -ENOMEM)
		return -EAGAIN;
	return err;
}

/*
 * For mmap, brk and stack growth of a locked VMA: mlock [start, end).
 * Errors are not the caller's (mmap succeeds with what it got).  Returns
 * 0 when the pages count in locked_vm, or the number of pages when the
 * VMA cannot be locked (I/O, PFN and fixed-size mappings: VM_LOCKED is
 * cleared, and the pages are made present all the same where that makes
 * sense).
 */
long mlock_vma_pages_range(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	long nr_pages = (long)((end - start) >> PAGE_SHIFT);

	BUG_ON(!(vma->vm_flags & VM_LOCKED));
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		goto no_mlock;
	if (!(vma->vm_flags & (VM_DONTEXPAND | VM_RESERVED | VM_HUGETLB))) {
		__mlock_vma_pages_range(vma, start, end);
		return 0;
	}
	make_pages_present(start, end);
no_mlock:
	vma->vm_flags &= ~VM_LOCKED;
	return nr_pages;
}

/*
 * VM_LOCKED goes first, so that the rmap walk of each page does not find
 * this VMA still locked; then every page it maps is munlocked.  The zero
 * page and holes are skipped.
 */
void munlock_vma_pages_range(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	vma->vm_flags &= ~VM_LOCKED;
	for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
		struct page *page = follow_page(vma, addr, FOLL_GET);

		if (!page)
			continue;
		if (page->mapping)
			munlock_vma_page(page);
		put_page(page);
	}
}

/*
 * mlock_fixup - give [start, end) of @vma the flags @newflags (VM_LOCKED
 * set or cleared).  As mprotect_fixup: the range first tries to join a
 * neighbour (vma_merge), else the VMA is split at start and end, so that
 * exactly the range changes; *prev is left at the VMA that now holds
 * the range's end, for the caller's walk.  locked_vm moves by the range's
 * pages, then the pages are mlocked or munlocked.  VMAs that cannot be
 * locked are left alone (and not counted).  0, -ENOMEM (a split, or
 * faulting reported as mlock(2) does: -ENOMEM/-EAGAIN).
 */
static int mlock_fixup(struct vm_area_struct *vma, struct vm_area_struct **prev,
		       unsigned long start, unsigned long end, unsigned long newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	bool lock = newflags & VM_LOCKED;
	struct vm_area_struct *modified;
	long nr_pages;
	int ret = 0;

	if (newflags == vma->vm_flags || (vma->vm_flags & (VM_IO | VM_PFNMAP)))
		goto out;
	if (vma->vm_flags & (VM_DONTEXPAND | VM_RESERVED | VM_HUGETLB)) {
		if (lock)
			make_pages_present(start, end);
		goto out;
	}

	modified = vma_modify_flags(*prev, vma, start, end, newflags);
	if (IS_ERR(modified)) {
		ret = (int)PTR_ERR(modified);
		goto out;
	}
	vma = modified;
	nr_pages = (long)((end - start) >> PAGE_SHIFT);
	mm->locked_vm += lock ? nr_pages : -nr_pages;
	if (lock) {
		vma->vm_flags = newflags;
		ret = __mlock_vma_pages_range(vma, start, end);
		if (ret < 0)
			ret = mlock_posix_error(ret);
	} else {
		munlock_vma_pages_range(vma, start, end);
	}
out:
	*prev = vma;
	return ret;
}

/*
 * Lock (@on) or unlock every VMA of [start, start + len), page-aligned.
 * Unlike madvise, a hole stops the walk with -ENOMEM -- after the VMAs
 * before it were done, as in 2.6.34.
 */
static int do_mlock(unsigned long start, size_t len, bool on)
{
	struct vm_area_struct *vma, *prev;
	unsigned long nstart, end = start + len, tmp;
	int error;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	vma = find_vma_prev(current->mm, start, &prev);
	if (!vma || vma->vm_start > start)
		return -ENOMEM;
	if (start > vma->vm_start)
		prev = vma;

	for (nstart = start;;) {
		unsigned long newflags = on ? vma->vm_flags | VM_LOCKED : vma->vm_flags & ~VM_LOCKED;

		/* vma->vm_start <= nstart < vma->vm_end here. */
		tmp = min(vma->vm_end, end);
		error = mlock_fixup(vma, &prev, nstart, tmp, newflags);
		if (error)
			return error;
		nstart = max(tmp, prev->vm_end);
		if (nstart >= end)
			return 0;
		vma = prev->vm_next;
		if (!vma || vma->vm_start != nstart)
			return -ENOMEM;
	}
}

/* ---- the system calls ---- */

/*
 * mlock(2): an unaligned start takes in the whole page it falls in.  The
 * limit is checked against locked_vm plus the whole range, even the part
 * already locked (2.6.34 counts it twice).  EPERM when RLIMIT_MEMLOCK is
 * 0, ENOMEM over the limit or for a hole, EAGAIN when faulting in ran out
 * of memory.
 */
long sys_mlock(unsigned long start, size_t len)
{
	struct mm_struct *mm = current->mm;
	unsigned long locked;
	long error = -ENOMEM;

	if (!mm)
		return -EINVAL;
	if (!can_do_mlock())
		return -EPERM;
	down_write(&mm->mmap_sem);
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	locked = (len >> PAGE_SHIFT) + mm->locked_vm;
	if (locked <= rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT)
		error = do_mlock(start, len, true);
	up_write(&mm->mmap_sem);
	return error;
}

long sys_munlock(unsigned long start, size_t len)
{
	struct mm_struct *mm = current->mm;
	long ret;

	if (!mm)
		return -EINVAL;
	down_write(&mm->mmap_sem);
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	ret = do_mlock(start, len, false);
	up_write(&mm->mmap_sem);
	return ret;
}

/*
 * MCL_FUTURE: mappings made from now on are locked (def_flags); without
 * it, def_flags is cleared.  MCL_CURRENT locks every VMA, else every VMA
 * is unlocked (munlockall is mlockall with neither).  Errors of single
 * VMAs are ignored, as 2.6.34 ignores them.
 */
static int do_mlockall(struct mm_struct *mm, int flags)
{
	struct vm_area_struct *vma, *prev = NULL;

	mm->def_flags = (flags & MCL_FUTURE) ? VM_LOCKED : 0;
	if (flags == MCL_FUTURE)
		return 0;
	for (vma = mm->mmap; vma; vma = prev->vm_next) {
		unsigned long newflags = (flags & MCL_CURRENT) ? vma->vm_flags | VM_LOCKED :
								 vma->vm_flags & ~VM_LOCKED;

		mlock_fixup(vma, &prev, vma->vm_start, vma->vm_end, newflags);
	}
	return 0;
}

/*
 * mlockall(2): EINVAL for no flag or an unknown one, EPERM when
 * RLIMIT_MEMLOCK is 0, ENOMEM when MCL_CURRENT would lock more than the
 * limit (the whole address space, total_vm, is what counts).
 */
long sys_mlockall(int flags)
{
	struct mm_struct *mm = current->mm;
	long ret = -ENOMEM;

	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE)))
		return -EINVAL;
	if (!can_do_mlock())
		return -EPERM;
	if (!mm)
		return -EINVAL;
	down_write(&mm->mmap_sem);
	if (!(flags & MCL_CURRENT) || mm->total_vm <= rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT)
		ret = do_mlockall(mm, flags);
	up_write(&mm->mmap_sem);
	return ret;
}

long sys_munlockall(void)
{
	struct mm_struct *mm = current->mm;
	long ret;

	if (!mm)
		return -EINVAL;
	down_write(&mm->mmap_sem);
	ret = do_mlockall(mm, 0);
	up_write(&mm->mmap_sem);
	return ret;
}

/* ---- mm_check ---- */

/*
 * Every LRU list against its counter and its pages' flags: PG_lru on
 * all; PG_unevictable and PG_mlocked on the unevictable list and only
 * there; PG_active exactly on the active lists.  NR_MLOCK then counts
 * the unevictable pages.  (Each mm's locked_vm against its VMAs is
 * mmap_check's.)
 */
static int check_mlock(struct seq_file *report)
{
	struct { struct seq_file *report; int problems; } c = { report, 0 };
	unsigned long mlocked = 0, nr_mlock = 0;
	struct zone *zone;

	for_each_populated_zone(zone) {
		unsigned long flags;

		spin_lock_irqsave(&zone->lru_lock, flags);
		for (int lru = 0; lru < NR_LRU_LISTS; lru++) {
			bool unevictable = lru == LRU_UNEVICTABLE;
			bool active = lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE;
			unsigned long n = 0, want = zone_page_state_snapshot(zone, NR_LRU_BASE + lru);
			struct page *page;

			list_for_each_entry(page, &zone->lru[lru].list, lru) {
				n++;
				if (!PageLRU(page) || PageUnevictable(page) != unevictable ||
				    PageMlocked(page) != unevictable || PageActive(page) != active) {
					check_report(report, "zone %s: pfn %#lx on LRU list %d has flags %#lx",
						     zone->name, page_to_pfn(page), lru, page->flags);
					c.problems++;
				}
				mlocked += PageMlocked(page);
			}
			if (n != want) {
				check_report(report, "zone %s: LRU list %d holds %lu pages, its counter says %lu",
					     zone->name, lru, n, want);
				c.problems++;
			}
		}
		spin_unlock_irqrestore(&zone->lru_lock, flags);
		nr_mlock += zone_page_state_snapshot(zone, NR_MLOCK);
	}
	if (mlocked != nr_mlock) {
		check_report(report, "%lu pages are mlocked, NR_MLOCK says %lu", mlocked, nr_mlock);
		c.problems++;
	}
	return c.problems;
}
MM_CHECK(mlock, check_mlock);
