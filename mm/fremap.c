/*
 * fremap.c - remap_file_pages(2): nonlinear file mappings (2.6.34's
 * mm/fremap.c).
 *
 * A shared file VMA normally maps its file linearly: the page at
 * vm_start + n pages is the file's page vm_pgoff + n, so a fault finds
 * the page from the address, and the reverse map finds the address from
 * the page.  remap_file_pages lets a process map any file page at any
 * page of the VMA without making a VMA per piece -- databases map a
 * window of a large file this way.  The VMA becomes VM_NONLINEAR, moves
 * from its file's i_mmap to i_mmap_nonlinear, and from then on its PTEs
 * carry the association:
 *
 *   remap_file_pages(A, 2 pages, 0, 7, 0) on a VMA [A, A + 4 pages) at pgoff 0
 *
 *     address   A       A+1     A+2     A+3
 *     PTE       file 7  file 8  (none)  (none)    installed by populate_range
 *     then      page 7  page 8                    faulted in (do_nonlinear_fault)
 *     a fault at A+2 maps page 2: an empty PTE is still read linearly
 *
 * A file PTE (asm/pgtable.h: _PAGE_FILE, not present, the offset in the
 * frame's bits) outlives the page it names: MADV_DONTNEED and truncation
 * of a nonlinear VMA leave one behind (zap_details), so the next access
 * finds the same offset again.  Only munmap and exit clear them.
 *
 * What 2.6.34 refuses, all with EINVAL: @prot other than 0 (the VMA's
 * protection is used; the argument is for a future that never came), a
 * span that wraps or is empty after rounding @size down to pages, an
 * offset the PTE cannot hold, an address outside any VMA or a range not
 * wholly inside one, a VMA that is not VM_SHARED (private mappings,
 * MAP_SHARED of a read-only descriptor), one whose file cannot be mapped
 * nonlinearly (no VM_CAN_NONLINEAR: devices), and one whose driver keeps
 * vm_private_data.  A call whose offset is the VMA's own linear one at
 * @start, on a VMA not yet nonlinear, succeeds and does nothing.  A file
 * whose dirty pages are accounted (a host file; page_mkclean cannot walk
 * nonlinear VMAs) gets the effect emulated with a new linear VMA over
 * the range instead (mmap_region) -- in kmm host files open read-only,
 * so their shared mappings are never VM_SHARED and only shmem becomes
 * nonlinear.  Later kernels (3.16 on) emulate every call that way: the
 * host splits where 2.6.34 keeps one VMA (docs/glossary.md).
 *
 * Locking: mmap_sem for reading, taken for writing (the call starts over)
 * when VM_NONLINEAR must be set, and given back for reading before the
 * pages are faulted in; page_table_lock around each PTE.
 */
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/pagemap.h>
#include <kmm/pgtable.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/spinlock.h>
#include <kmm/tlbflush.h>
#include "mm/internal.h"

/*
 * Empty the PTE at @addr (page_table_lock held): a present page loses
 * this mapping -- its dirty bit passed to the page, the TLB flushed
 * before the reference goes -- and a file PTE is simply overwritten.
 */
static void zap_pte(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
		    pte_t *ptep)
{
	pte_t pte = ptep_get(ptep);
	struct page *page;

	if (!pte_present(pte)) {
		pte_clear(ptep);	/* a swap entry's slot is freed here once swap exists */
		return;
	}
	pte = ptep_get_and_clear(ptep);
	flush_tlb_mm_range(mm, addr, addr + PAGE_SIZE);
	page = vm_normal_page(vma, addr, pte);
	if (!page)
		return;
	if (pte_dirty(pte))
		set_page_dirty(page);
	page_remove_rmap(page);
	update_hiwater_rss(mm);
	dec_mm_counter(mm, PageAnon(page) ? MM_ANONPAGES : MM_FILEPAGES);
	put_page(page);
}

/* Record file page @pgoff at @addr, dropping whatever was mapped there. */
static int install_file_pte(struct mm_struct *mm, struct vm_area_struct *vma,
			    unsigned long addr, pgoff_t pgoff)
{
	pte_t *pte = get_locked_pte(mm, addr);

	if (!pte)
		return -ENOMEM;
	if (!pte_none(ptep_get(pte)))
		zap_pte(mm, vma, addr, pte);
	/* Not present: no TLB entry can hold it, nothing to flush. */
	set_pte(pte, pgoff_to_pte(pgoff));
	spin_unlock(&mm->page_table_lock);
	return 0;
}

static int populate_range(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
			  unsigned long size, pgoff_t pgoff)
{
	for (; size; size -= PAGE_SIZE, addr += PAGE_SIZE, pgoff++) {
		int err = install_file_pte(mm, vma, addr, pgoff);

		if (err)
			return err;
	}
	return 0;
}

/* Can a PTE of this mode hold offsets up to those of [pgoff, pgoff + pages)? */
static bool offset_fits(pgoff_t pgoff, unsigned long pages)
{
	int bits = pte_file_max_bits();

	/* PAE's 32 bits are a 32-bit long's: Linux has nothing to check there. */
	if (PAGETABLE_LEVELS == 3)
		return true;
	return pgoff + pages < (1UL << bits);
}

/*
 * The VMA becomes nonlinear (mmap_sem held for writing): or, for a file
 * whose dirty pages are accounted, the range gets a linear VMA of its
 * own.  Returns 1 when the VMA is now nonlinear, else 0 or -errno (the
 * emulation's result: the call is over).
 */
static long make_nonlinear(struct vm_area_struct *vma, unsigned long start, unsigned long size,
			   pgoff_t pgoff, unsigned long flags)
{
	struct address_space *mapping = vma->vm_file->f_mapping;

	if (mapping_cap_account_dirty(mapping)) {
		struct file *file = vma->vm_file;
		unsigned long addr;

		get_file(file);
		addr = mmap_region(file, start, size, flags & MAP_NONBLOCK, vma->vm_flags, pgoff);
		fput(file);
		return IS_ERR_VALUE(addr) ? (long)addr : 0;
	}
	spin_lock(&mapping->i_mmap_lock);
	vma->vm_flags |= VM_NONLINEAR;
	list_move_tail(&vma->shared, &mapping->i_mmap_nonlinear);
	spin_unlock(&mapping->i_mmap_lock);
	return 1;
}

long sys_remap_file_pages(unsigned long start, unsigned long size, unsigned long prot,
			  unsigned long pgoff, unsigned long flags)
{
	struct mm_struct *mm = current->mm;
	unsigned long end = start + size;	/* before rounding, as 2.6.34 checks it */
	struct vm_area_struct *vma;
	bool write_locked = false;
	long err = -EINVAL;

	if (!mm || prot)
		return err;
	start &= PAGE_MASK;
	size &= PAGE_MASK;
	if (start + size <= start)
		return err;
	if (!offset_fits(pgoff, size >> PAGE_SHIFT))
		return err;

	down_read(&mm->mmap_sem);
retry:
	vma = find_vma(mm, start);
	if (!vma || !(vma->vm_flags & VM_SHARED))
		goto out;
	if (vma->vm_private_data && !(vma->vm_flags & VM_NONLINEAR))
		goto out;
	if (!(vma->vm_flags & VM_CAN_NONLINEAR))
		goto out;
	if (end <= start || start < vma->vm_start || end > vma->vm_end)
		goto out;

	if (!(vma->vm_flags & VM_NONLINEAR)) {
		if (pgoff == linear_page_index(vma, start)) {
			err = 0;	/* already mapped so: nothing to do */
			goto out;
		}
		if (!write_locked) {
			/* vm_flags changes under the write lock; the VMA may change meanwhile. */
			up_read(&mm->mmap_sem);
			down_write(&mm->mmap_sem);
			write_locked = true;
			goto retry;
		}
		err = make_nonlinear(vma, start, size, pgoff, flags);
		if (err <= 0)
			goto out;
	}

	if (vma->vm_flags & VM_LOCKED) {
		/* The pages mapped over stop being this VMA's: munlock them, keep the flag. */
		unsigned long saved = vma->vm_flags;

		munlock_vma_pages_range(vma, start, start + size);
		vma->vm_flags = saved;
	}
	err = populate_range(mm, vma, start, size, pgoff);
	if (!err && !(flags & MAP_NONBLOCK)) {
		if (vma->vm_flags & VM_LOCKED) {
			mlock_vma_pages_range(vma, start, start + size);
		} else {
			if (write_locked) {
				downgrade_write(&mm->mmap_sem);
				write_locked = false;
			}
			/* Past the file's end the fault fails: the call still succeeds. */
			make_pages_present(start, start + size);
		}
	}
out:
	if (write_locked)
		up_write(&mm->mmap_sem);
	else
		up_read(&mm->mmap_sem);
	return err;
}
