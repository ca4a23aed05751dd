/*
 * madvise.c - the madvise system call: what a process tells the kernel
 * about how it will use a range of its memory.
 *
 *   MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL   the read-ahead hints
 *                     (VM_RAND_READ, VM_SEQ_READ)
 *   MADV_DONTFORK, MADV_DOFORK                 leave the range out of a
 *                     fork's child, or not (VM_DONTCOPY)
 *   MADV_WILLNEED     read ahead: a host file's pages are read into the
 *                     page cache (force_page_cache_readahead), a shmem
 *                     object makes its missing pages now; anonymous
 *                     memory has nothing to read (EBADF)
 *   MADV_DONTNEED     drop the pages: private anonymous memory reads
 *                     zeros afterwards, a shared mapping finds its object's
 *                     pages again
 *   MADV_REMOVE       punch a hole in a shared, writable shmem mapping's
 *                     object: its pages go, in every process
 *
 * The flag-setting advice changes vm_flags on exactly the range: as
 * mprotect does, the range first tries to merge with a neighbour, else
 * the VMA is split at its ends -- so VMAs split and join again as advice
 * comes and goes.  That needs mmap_sem for writing; the advice that only
 * walks the VMAs (WILLNEED, DONTNEED, REMOVE) takes it for reading.
 *
 * The range is walked VMA by VMA.  A hole in it does not stop the walk
 * (unlike mlock): the mapped parts are advised and ENOMEM is returned
 * at the end; an error of the advice itself stops the walk at once.
 */
#include <kmm/bug.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/pagemap.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include "mm/internal.h"

/* Advice that changes vm_flags needs mmap_sem for writing; the rest only walks. */
static bool madvise_need_mmap_write(int behavior)
{
	switch (behavior) {
	case MADV_REMOVE:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
		return false;
	default:
		return true;
	}
}

/*
 * Set the flags the advice asks for on [start, end) of @vma.  An
 * unchanged VMA is left alone; else the range merges into a neighbour
 * (vma_merge with the new flags) or the VMA is split at start and end.
 * *prev ends at the VMA holding the range.  A split that runs out of
 * memory (or of map_count) is EAGAIN, as 2.6.34 says it.
 */
static long madvise_behavior(struct vm_area_struct *vma, struct vm_area_struct **prev,
			     unsigned long start, unsigned long end, int behavior)
{
	unsigned long new_flags = vma->vm_flags;
	struct vm_area_struct *modified;
	int error = 0;

	switch (behavior) {
	case MADV_NORMAL:
		new_flags &= ~(VM_RAND_READ | VM_SEQ_READ);
		break;
	case MADV_SEQUENTIAL:
		new_flags = (new_flags & ~VM_RAND_READ) | VM_SEQ_READ;
		break;
	case MADV_RANDOM:
		new_flags = (new_flags & ~VM_SEQ_READ) | VM_RAND_READ;
		break;
	case MADV_DONTFORK:
		new_flags |= VM_DONTCOPY;
		break;
	case MADV_DOFORK:
		if (vma->vm_flags & VM_IO) {
			error = -EINVAL;
			goto out;
		}
		new_flags &= ~VM_DONTCOPY;
		break;
	}

	if (new_flags == vma->vm_flags) {
		*prev = vma;
		goto out;
	}
	modified = vma_modify_flags(*prev, vma, start, end, new_flags);
	if (IS_ERR(modified)) {
		*prev = vma;
		error = (int)PTR_ERR(modified);
		goto out;
	}
	*prev = vma = modified;
	vma->vm_flags = new_flags;
out:
	if (error == -ENOMEM)
		error = -EAGAIN;
	return error;
}

/*
 * Read ahead: 2.6.34 reads the file's pages of the range into the page
 * cache without mapping them.  kmm's only files are shmem objects, whose
 * "reading" makes the missing pages (zeroed) in the object: each is
 * asked of the object as a fault would, and the reference dropped --
 * mapped nowhere, counted in Cached and Shmem, shown by mincore.  Past
 * the object's end there is nothing to read.  Anonymous memory has no
 * file: EBADF.  Advice only, so running out of memory is not an error.
 */
static long madvise_willneed(struct vm_area_struct *vma, struct vm_area_struct **prev,
			     unsigned long start, unsigned long end)
{
	*prev = vma;
	if (!vma->vm_file)
		return -EBADF;
	if (!vma->vm_ops || !vma->vm_ops->fault)
		return 0;
	end = min(end, vma->vm_end);
	if (!vma_is_shmem(vma)) {
		/* A host file: its pages read into the cache now, 2 MiB at a time. */
		pgoff_t first = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
		pgoff_t last = vma->vm_pgoff + ((end - vma->vm_start) >> PAGE_SHIFT);

		force_page_cache_readahead(vma->vm_file->f_mapping, vma->vm_file, first, last - first);
		return 0;
	}
	for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
		struct vm_fault vmf = {
			.pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT),
			.virtual_address = addr,
		};

		int ret = vma->vm_ops->fault(vma, &vmf);

		if (ret & VM_FAULT_ERROR)
			break;
		if (ret & VM_FAULT_LOCKED)
			unlock_page(vmf.page);
		put_page(vmf.page);
	}
	return 0;
}

/*
 * The pages of [start, end) go: their PTEs are cleared and the pages
 * freed once no one else maps them.  Private anonymous memory then reads
 * as the zero page and a write gets a new zeroed page; a shared
 * mapping's pages stay in their object and come back on the next
 * access -- in a nonlinear one, from the offset remap_file_pages gave
 * the address.  Locked, huge-page and PFN mappings refuse (EINVAL): their
 * pages are meant to stay.
 */
static long madvise_dontneed(struct vm_area_struct *vma, struct vm_area_struct **prev,
			     unsigned long start, unsigned long end)
{
	*prev = vma;
	if (vma->vm_flags & (VM_LOCKED | VM_HUGETLB | VM_PFNMAP))
		return -EINVAL;
	if (unlikely(vma->vm_flags & VM_NONLINEAR)) {
		/* The pages go, what remap_file_pages set up stays (file PTEs). */
		struct zap_details details = { .nonlinear_vma = vma, .last_index = ULONG_MAX };

		zap_page_range(vma, start, end - start, &details);
		return 0;
	}
	zap_page_range(vma, start, end - start, NULL);
	return 0;
}

/*
 * Free the pages and their backing store: a hole in the object, seen by
 * every process mapping it.  Only for a shared writable mapping (EACCES
 * otherwise) of a file that can punch holes -- shmem; ENOSYS for any
 * other file, EINVAL without one or for locked, nonlinear or huge-page
 * mappings.  mmap_sem is dropped around the hole-punching, as 2.6.34
 * does (the unmapping reaches other processes): *prev is NULL to tell
 * the caller to find its place again; the file is held meanwhile.
 */
static long madvise_remove(struct vm_area_struct *vma, struct vm_area_struct **prev,
			   unsigned long start, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	struct file *file = vma->vm_file;
	pgoff_t first, last;
	int error;

	*prev = NULL;
	if (vma->vm_flags & (VM_LOCKED | VM_NONLINEAR | VM_HUGETLB))
		return -EINVAL;
	if (!file || !file->f_mapping)
		return -EINVAL;
	if ((vma->vm_flags & (VM_SHARED | VM_WRITE)) != (VM_SHARED | VM_WRITE))
		return -EACCES;
	if (!vma_is_shmem(vma))
		return -ENOSYS;

	first = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	last = vma->vm_pgoff + ((end - vma->vm_start) >> PAGE_SHIFT) - 1;
	get_file(file);
	up_read(&mm->mmap_sem);
	error = shmem_truncate_range(file, first, last);
	down_read(&mm->mmap_sem);
	fput(file);
	return error;
}

static long madvise_vma(struct vm_area_struct *vma, struct vm_area_struct **prev,
			unsigned long start, unsigned long end, int behavior)
{
	switch (behavior) {
	case MADV_REMOVE:
		return madvise_remove(vma, prev, start, end);
	case MADV_WILLNEED:
		return madvise_willneed(vma, prev, start, end);
	case MADV_DONTNEED:
		return madvise_dontneed(vma, prev, start, end);
	default:
		return madvise_behavior(vma, prev, start, end, behavior);
	}
}

/* The advice 2.6.34 knows (without KSM and memory-failure injection). */
static bool madvise_behavior_valid(int behavior)
{
	switch (behavior) {
	case MADV_DOFORK:
	case MADV_DONTFORK:
	case MADV_NORMAL:
	case MADV_SEQUENTIAL:
	case MADV_RANDOM:
	case MADV_REMOVE:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
		return true;
	default:
		return false;
	}
}

/*
 * madvise(2) on [start, start + len).  EINVAL: unknown advice (checked
 * first), start not page-aligned, a length that wraps (a "small
 * negative" one rounds up to 0), or advice the VMA refuses.  0 for an
 * empty range.  Then the walk: the part of each VMA inside the range is
 * advised; a hole is skipped and remembered, the call then returning
 * ENOMEM after the mapped parts were done (also when nothing at all is
 * mapped there).  An advice's own error (EBADF, EACCES, EAGAIN...) stops
 * the walk and is returned.
 */
long sys_madvise(unsigned long start, size_t len_in, int behavior)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma, *prev;
	long error = -EINVAL, unmapped_error = 0;
	unsigned long end, tmp;
	bool write;
	size_t len;

	if (!madvise_behavior_valid(behavior) || !mm)
		return -EINVAL;
	write = madvise_need_mmap_write(behavior);
	if (write)
		down_write(&mm->mmap_sem);
	else
		down_read(&mm->mmap_sem);

	if (start & ~PAGE_MASK)
		goto out;
	len = (len_in + ~PAGE_MASK) & PAGE_MASK;
	if (len_in && !len)
		goto out;
	end = start + len;
	if (end < start)
		goto out;
	error = 0;
	if (end == start)
		goto out;

	vma = find_vma_prev(mm, start, &prev);
	if (vma && start > vma->vm_start)
		prev = vma;
	for (;;) {
		/* start < end here */
		error = -ENOMEM;
		if (!vma)
			goto out;
		if (start < vma->vm_start) {
			unmapped_error = -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				goto out;
		}
		/* vma->vm_start <= start < min(end, vma->vm_end) == tmp */
		tmp = min(end, vma->vm_end);
		error = madvise_vma(vma, &prev, start, tmp, behavior);
		if (error)
			goto out;
		start = tmp;
		if (prev && start < prev->vm_end)
			start = prev->vm_end;
		error = unmapped_error;
		if (start >= end)
			goto out;
		/* MADV_REMOVE let go of mmap_sem: the VMAs may have changed. */
		vma = prev ? prev->vm_next : find_vma(mm, start);
	}
out:
	if (write)
		up_write(&mm->mmap_sem);
	else
		up_read(&mm->mmap_sem);
	return error;
}
