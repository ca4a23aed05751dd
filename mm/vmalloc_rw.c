/*
 * vmalloc_rw.c - reaching vmalloc'd memory from outside its owner: vread
 * and vwrite (/dev/kmem's and /proc/kcore's copies, 2.6.34), which walk
 * vmlist and copy page by page through kmap_atomic, treating what no area
 * maps as a hole.
 *
 * A hole is every byte outside an area's usable pages: between areas, a
 * guard page, an ioremap area (device memory is not read by a debug
 * interface), a page of an area with no struct page behind it.  vread
 * fills holes with zeros; vwrite skips them.  Ranges taken by vm_map_ram
 * have no vm_struct, so they are holes too, as in 2.6.34.
 *
 * vmlist_lock is held for reading across the copy: the areas cannot go
 * while they are copied (2.6.34 takes the same lock; the pages are reached
 * through kmap_atomic, never through the area's own mapping, so that a
 * concurrent unmap of the area cannot fault the copy).
 */
#include <kmm/highmem.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/rwsem.h>
#include <kmm/string.h>
#include <kmm/vmalloc.h>
#include "mm/internal.h"

/* Copy @count bytes between @buf and the area pages at @addr; @write: into them. */
static void aligned_vcopy(char *buf, char *addr, unsigned long count, bool write)
{
	while (count) {
		unsigned long offset = (unsigned long)addr & ~PAGE_MASK;
		unsigned long length = min(PAGE_SIZE - offset, count);
		struct page *p = vmalloc_to_page(addr);

		if (p) {
			char *map = kmap_atomic(p, KM_USER0);

			if (write)
				memcpy(map + offset, buf, length);
			else
				memcpy(buf, map + offset, length);
			kunmap_atomic(map, KM_USER0);
		} else if (!write) {
			memset(buf, 0, length);
		}
		addr += length;
		buf += length;
		count -= length;
	}
}

/*
 * Walk vmlist over [@addr, @addr + @count): the holes before each area are
 * zeroed (read) or skipped (write), the area's usable part copied.  Stops
 * after the last area.  Returns the bytes walked, *@copied the areas
 * written into (vwrite's "anything written?").
 */
static unsigned long vcopy(char *buf, char *addr, unsigned long count, bool write,
			   unsigned long *copied)
{
	char *buf_start = buf;

	*copied = 0;
	if ((unsigned long)addr + count < count)	/* no wrap past the top */
		count = -(unsigned long)addr;
	down_read(&vmlist_lock);
	for (struct vm_struct *tmp = vmlist; count && tmp; tmp = tmp->next) {
		char *vaddr = tmp->addr, *vend = vaddr + tmp->size - PAGE_SIZE;
		unsigned long n;

		if (addr >= vend)
			continue;
		if (addr < vaddr) {
			n = min((unsigned long)(vaddr - addr), count);
			if (!write)
				memset(buf, 0, n);
			buf += n;
			addr += n;
			count -= n;
			if (!count)
				break;
		}
		n = min((unsigned long)(vend - addr), count);
		if (!(tmp->flags & VM_IOREMAP)) {
			aligned_vcopy(buf, addr, n, write);
			(*copied)++;
		} else if (!write) {
			memset(buf, 0, n);
		}
		buf += n;
		addr += n;
		count -= n;
	}
	up_read(&vmlist_lock);
	return buf - buf_start;
}

long vread(char *buf, char *addr, unsigned long count)
{
	unsigned long copied, done = vcopy(buf, addr, count, false, &copied);

	if (!done)
		return 0;
	if (done != count)	/* past the last area: a hole to the end */
		memset(buf + done, 0, count - done);
	return count;
}

long vwrite(char *buf, char *addr, unsigned long count)
{
	unsigned long copied;

	if ((unsigned long)addr + count < count)
		count = -(unsigned long)addr;
	vcopy(buf, addr, count, true, &copied);
	return copied ? (long)count : 0;
}

/*
 * remap_vmalloc_range - a driver's ->mmap giving a process the pages of
 * its vmalloc_user() buffer (2.6.34: the way perf's and the sound
 * drivers' buffers reach user space).  @addr is the area's start, @pgoff
 * pages into it the mapping begins; the VMA is filled from its start to
 * its end.  Only an area made for this (VM_USERMAP: its pages were
 * zeroed, so no kernel data leaks) may be mapped, and the VMA must end
 * within the area's usable pages: -EINVAL otherwise, with nothing mapped.
 * A failure part way (a page table that cannot be made) leaves the pages
 * mapped so far for the caller's munmap to drop, as 2.6.34 does.  The
 * VMA becomes VM_RESERVED: its pages are the driver's, not the VM's to
 * swap, lock or migrate.
 */
int remap_vmalloc_range(struct vm_area_struct *vma, void *addr, unsigned long pgoff)
{
	unsigned long uaddr = vma->vm_start;
	unsigned long usize = vma->vm_end - vma->vm_start;
	struct vm_struct *area;

	if ((unsigned long)addr & ~PAGE_MASK)
		return -EINVAL;
	area = find_vm_area(addr);
	if (!area || !(area->flags & VM_USERMAP))
		return -EINVAL;
	if (pgoff > get_vm_area_size(area) >> PAGE_SHIFT ||
	    usize > get_vm_area_size(area) - (pgoff << PAGE_SHIFT))
		return -EINVAL;
	addr = (char *)addr + (pgoff << PAGE_SHIFT);
	for (; usize; uaddr += PAGE_SIZE, addr = (char *)addr + PAGE_SIZE, usize -= PAGE_SIZE) {
		int ret = vm_insert_page(vma, uaddr, vmalloc_to_page(addr));

		if (ret)
			return ret;
	}
	vma->vm_flags |= VM_RESERVED;
	return 0;
}
