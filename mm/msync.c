/*
 * msync.c - msync(2) (2.6.34's mm/msync.c).
 *
 * Since 2.6.19 MS_ASYNC does nothing at all: dirty pages of shared
 * mappings are already known to the page cache (set_page_dirty at the
 * write fault), and writeback finds them.  MS_SYNC waits for the file's
 * writeback (vfs_fsync) of each shared file mapping in the range: kmm's
 * host files are never written and tmpfs has nothing to write, so it
 * only walks.  What msync does decide is its errors, in 2.6.34's order:
 *
 *   EINVAL  unknown flags, an unaligned start, MS_ASYNC with MS_SYNC
 *   ENOMEM  the range wraps, or some of it is not mapped (the mapped
 *           parts are still walked: the error comes at the end)
 *   EBUSY   MS_INVALIDATE over a locked (VM_LOCKED) mapping
 */
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include "mm/internal.h"

long sys_msync(unsigned long start, size_t len, int flags)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	int unmapped_error = 0;
	unsigned long end;
	long error = -EINVAL;

	if (!mm)
		return -EINVAL;
	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return error;
	if (start & ~PAGE_MASK)
		return error;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return error;
	len = (len + ~PAGE_MASK) & PAGE_MASK;
	end = start + len;
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;
	down_read(&mm->mmap_sem);
	vma = find_vma(mm, start);
	for (;;) {
		error = -ENOMEM;
		if (!vma)
			break;
		if (start < vma->vm_start) {
			start = vma->vm_start;
			if (start >= end)
				break;
			unmapped_error = -ENOMEM;
		}
		if ((flags & MS_INVALIDATE) && (vma->vm_flags & VM_LOCKED)) {
			error = -EBUSY;
			break;
		}
		/* MS_SYNC of a shared file mapping: vfs_fsync, which has nothing to write here. */
		start = vma->vm_end;
		if (start >= end) {
			error = 0;
			break;
		}
		vma = vma->vm_next;
	}
	up_read(&mm->mmap_sem);
	return error ? error : unmapped_error;
}
