/*
 * mincore.c - the mincore system call: which pages of a range are in
 * memory, one byte per page written to the process's own memory (bit 0
 * set: resident).
 *
 * "In memory" is 2.6.34's answer, page by page, from the PTE first:
 *   PTE present              1 (the zero page too: it is mapped, and
 *                              reading it takes no page-in)
 *   PTE none, anonymous VMA  0 (an untouched page, or one MADV_DONTNEED
 *                              dropped)
 *   PTE none, file VMA       whether the file (here: the shmem object)
 *                            holds the page, up to date -- a page another
 *                            process faulted in, or MADV_WILLNEED made,
 *                            is resident though this process never
 *                            touched it
 *   a file PTE               whether the file holds the page the PTE
 *                            names (a nonlinear VMA's, remap_file_pages)
 *   a swap entry             (no swap yet) 1, with a warning, as a
 *                            kernel without swap does
 * A missing page table answers "none" for every page it would hold.
 *
 * The answer is gathered under mmap_sem into a kernel page, one chunk at
 * a time -- up to the end of the VMA or of the PTE table, at most a
 * page's worth of bytes -- and each chunk is copied out with mmap_sem
 * dropped: copy_to_user may fault on the vector, and the fault takes
 * mmap_sem itself.
 */
#include <kmm/bug.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/gfp.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/pagemap.h>
#include <kmm/pgtable.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/spinlock.h>
#include <kmm/uaccess.h>
#include "mm/internal.h"

/* Does the object hold the page at @pgoff, up to date?  (No page-in would be needed.) */
static unsigned char mincore_page(struct address_space *mapping, pgoff_t pgoff)
{
	struct page *page = find_get_page(mapping, pgoff);
	unsigned char present = 0;

	if (page) {
		present = PageUptodate(page);
		put_page(page);
	}
	return present;
}

/*
 * do_mincore's marks for "no PTE, ask the file" and "a file PTE, ask the
 * file for the page it names", resolved once page_table_lock is dropped.
 */
#define ASK_FILE	0xff
#define ASK_NONLINEAR	0xfe

/* The pages of a VMA whose page table is missing: only a file can hold them. */
static void mincore_unmapped_range(struct vm_area_struct *vma, unsigned long addr,
				   unsigned long nr, unsigned char *vec)
{
	pgoff_t pgoff = linear_page_index(vma, addr);

	for (unsigned long i = 0; i < nr; i++, pgoff++)
		vec[i] = vma->vm_file ? mincore_page(vma->vm_file->f_mapping, pgoff) : 0;
}

/*
 * One chunk: the residency of up to @pages pages from @addr, stopping at
 * the end of the VMA and of the PTE table (one table is read under one
 * hold of page_table_lock).  Returns the pages answered, or -ENOMEM when
 * @addr is in no VMA.  mmap_sem is held for reading.
 */
static long do_mincore(unsigned long addr, unsigned char *vec, unsigned long pages)
{
	struct vm_area_struct *vma = find_vma(current->mm, addr);
	struct mm_struct *mm = current->mm;
	unsigned long nr;
	pte_t *ptep, *first;

	if (!vma || addr < vma->vm_start)
		return -ENOMEM;
	nr = PTRS_PER_PTE - pte_index(addr);
	nr = min(nr, (vma->vm_end - addr) >> PAGE_SHIFT);
	nr = min(nr, pages);

	ptep = get_locked_pte_nolock(mm, addr);
	if (!ptep) {
		mincore_unmapped_range(vma, addr, nr, vec);
		return (long)nr;
	}
	spin_lock(&mm->page_table_lock);
	first = ptep;
	for (unsigned long i = 0; i < nr; i++, ptep = pte_next(ptep)) {
		pte_t pte = ptep_get(ptep);

		if (pte_present(pte)) {
			vec[i] = 1;
		} else if (pte_none(pte)) {
			vec[i] = vma->vm_file ? ASK_FILE : 0;
		} else if (pte_file(pte)) {
			vec[i] = ASK_NONLINEAR;
		} else {
			WARN_ON_ONCE(1);	/* a swap entry, and no swap */
			vec[i] = 1;
		}
	}
	spin_unlock(&mm->page_table_lock);
	/* The object's lock nests outside page_table_lock: its pages are looked up now. */
	for (unsigned long i = 0; i < nr; i++, first = pte_next(first)) {
		if (vec[i] == ASK_FILE) {
			vec[i] = mincore_page(vma->vm_file->f_mapping, linear_page_index(vma, addr) + i);
		} else if (vec[i] == ASK_NONLINEAR) {
			/*
			 * The table stays (mmap_sem is held); the PTE read
			 * again is as good an answer as the one before.
			 */
			pte_t pte = ptep_get(first);

			vec[i] = pte_file(pte) ? mincore_page(vma->vm_file->f_mapping,
							      pte_to_pgoff(pte)) :
						 pte_present(pte);
		}
	}
	return (long)nr;
}

/* x86's access_ok: [addr, addr + size) lies below the end of user space, without wrapping. */
static bool range_ok(unsigned long addr, unsigned long size, unsigned long limit)
{
	return addr + size >= addr && addr + size <= limit;
}

/*
 * mincore(2).  EINVAL: start not page-aligned.  ENOMEM: the range runs
 * past the end of user space, or reaches a page no VMA maps (the bytes
 * of the chunks before it are written already).  EFAULT: the vector does
 * not fit below the end of user space, or writing it faults (a hole, a
 * read-only mapping).  EAGAIN: no page for the kernel's buffer.  A
 * partial last page counts as a page; len 0 writes nothing.
 */
long sys_mincore(unsigned long start, size_t len, unsigned char __user *vec)
{
	struct mm_struct *mm = current->mm;
	unsigned long pages;
	unsigned char *tmp;
	long retval;

	if (!mm)
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!range_ok(start, len, mm->task_size))
		return -ENOMEM;
	pages = (len >> PAGE_SHIFT) + ((len & ~PAGE_MASK) != 0);
	if (!range_ok((unsigned long)vec, pages, mm->task_size))
		return -EFAULT;
	tmp = (unsigned char *)__get_free_page(GFP_USER);
	if (!tmp)
		return -EAGAIN;

	retval = 0;
	while (pages) {
		down_read(&mm->mmap_sem);
		retval = do_mincore(start, tmp, min(pages, PAGE_SIZE));
		up_read(&mm->mmap_sem);
		if (retval <= 0)
			break;
		if (copy_to_user(vec, tmp, (unsigned long)retval)) {
			retval = -EFAULT;
			break;
		}
		pages -= (unsigned long)retval;
		vec += retval;
		start += (unsigned long)retval << PAGE_SHIFT;
		retval = 0;
	}
	free_page((unsigned long)tmp);
	return retval;
}
