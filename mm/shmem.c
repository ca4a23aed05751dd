/*
 * shmem.c - shared memory objects (2.6.34's tmpfs in mm/shmem.c): the
 * pages behind MAP_SHARED|MAP_ANONYMOUS, shared by every process that
 * maps the object (a parent and its forked children), and tmpfs files
 * ("/dev/shm/NAME", mm/hostfs.c opens them) that can be written through
 * shared mappings and truncated.
 *
 * mmap of shared anonymous memory gives the VMA an object of its own
 * (shmem_zero_setup), as 2.6.34 does with a file on its internal tmpfs
 * mount named "/dev/zero (deleted)" in /proc/PID/maps.  An object is an
 * inode whose address_space is swap-backed: a fault asks it for the page
 * at its offset (shmem_fault), made zeroed on first use and added to the
 * page cache (add_to_page_cache_lru: Cached and Shmem count it, the
 * active anonymous LRU holds it), kept until the object goes (its last
 * iput, when no file and no VMA uses it) or a truncation or hole punch
 * removes it.  An access past the object's size is SIGBUS, as on Linux.
 *
 * Writes through a shared mapping dirty the page (PG_dirty) but, as on
 * tmpfs, are not counted in Dirty: there is no writeback to wait for.
 */
#include <kmm/bug.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/gfp.h>
#include <kmm/irqflags.h>
#include <kmm/mm.h>
#include <kmm/pagemap.h>
#include <kmm/slab.h>
#include <kmm/string.h>
#include "mm/internal.h"

struct shmem_inode_info {
	unsigned long charged;		/* pages charged to Committed_AS (shmem_acct_size) */
	struct inode vfs_inode;
};

static unsigned long shmem_next_ino __state = 2048;

static struct shmem_inode_info *SHMEM_I(struct inode *inode)
{
	return container_of(inode, struct shmem_inode_info, vfs_inode);
}

/* The last reference to an unnamed object went: its pages and the object go. */
void shmem_evict_inode(struct inode *inode)
{
	struct shmem_inode_info *info = SHMEM_I(inode);

	truncate_inode_pages(inode->i_mapping, 0);
	if (info->charged)
		vm_unacct_memory(info->charged);
	kfree(inode->i_path);
	kfree(info);
}

static int shmem_mmap(struct file *file, struct vm_area_struct *vma);

static const struct file_operations shmem_file_ops = {
	.mmap = shmem_mmap,
};

const struct file_operations *shmem_file_operations(void)
{
	return &shmem_file_ops;
}

bool file_is_shmem(const struct file *file)
{
	return file->f_op == &shmem_file_ops;
}

static const struct address_space_operations shmem_aops = {
	.readpage = NULL,	/* pages are made, never read */
};

struct file *shmem_file_setup(const char *name, unsigned long size)
{
	struct shmem_inode_info *info = kzalloc(sizeof(*info), GFP_KERNEL);
	struct inode *inode;
	struct file *file;

	if (!info)
		return NULL;
	inode = &info->vfs_inode;
	inode->i_path = kstrdup(name, GFP_KERNEL);
	if (!inode->i_path) {
		kfree(info);
		return NULL;
	}
	inode->i_ino = shmem_next_ino++;
	inode->i_dev_major = 0;
	inode->i_dev_minor = 4;
	inode->i_mode = S_IFREG | 0600;
	inode->i_host = -1;
	inode->i_size = (loff_t)size;
	inode->i_mapping = &inode->i_data;
	address_space_init(&inode->i_data, inode);
	inode->i_data.a_ops = &shmem_aops;
	inode->i_data.swap_backed = true;
	inode->i_data.ra_pages = 0;	/* tmpfs reads nothing ahead */
	INIT_LIST_HEAD(&inode->i_list);
	atomic_set(&inode->i_count, 1);
	file = alloc_file(inode, FMODE_READ | FMODE_WRITE, &shmem_file_ops);
	if (!file) {
		kfree(inode->i_path);
		kfree(info);
		return NULL;
	}
	return file;
}

/*
 * The page at vmf->pgoff, made on first use: zeroed, up to date, swap-
 * backed, in the page cache.  Returned locked (VM_FAULT_LOCKED) with a
 * reference for the caller; the cache keeps its own.
 */
static int shmem_fault(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	struct page *page;
	int err;

	for (;;) {
		if (vmf->pgoff >= (pgoff_t)((i_size_read(mapping->host) + PAGE_SIZE - 1) >> PAGE_SHIFT))
			return VM_FAULT_SIGBUS;
		page = find_lock_page(mapping, vmf->pgoff);
		if (page)
			break;
		page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
		if (!page)
			return VM_FAULT_OOM;
		SetPageUptodate(page);
		err = add_to_page_cache_lru(page, mapping, vmf->pgoff, GFP_KERNEL);
		if (!err)
			break;		/* locked, two references: the cache's and ours */
		put_page(page);
		if (err != -EEXIST)
			return VM_FAULT_OOM;
	}
	vmf->page = page;
	return VM_FAULT_LOCKED;
}

/*
 * Punch a hole (MADV_REMOVE, 2.6.34's shmem_truncate_range by way of
 * vmtruncate_range): offsets [first, last] lose their pages.  Every VMA
 * mapping them is unmapped there first, so that the cache's reference is
 * the last; the pages leave Cached and Shmem and go back to the
 * allocator.  The next fault there finds the hole and gets a new zeroed
 * page.  The caller holds no mmap_sem (the unmapping reaches other
 * address spaces).
 */
int shmem_truncate_range(struct file *file, pgoff_t first, pgoff_t last)
{
	struct address_space *mapping = file->f_mapping;

	unmap_mapping_range(mapping, first, last);
	truncate_inode_pages_range(mapping, first, last);
	return 0;
}

/*
 * ftruncate of a tmpfs file: a shrink unmaps the pages past the new end
 * from every mapping and frees them (later accesses there: SIGBUS); the
 * partial last page keeps only the bytes before the end.  A growth adds
 * a hole that faults fill with zeroes.
 */
int shmem_setsize(struct file *file, loff_t size)
{
	struct inode *inode = file->f_mapping->host;
	loff_t old = i_size_read(inode);

	if (!file_is_shmem(file))
		return -EINVAL;
	if (size < 0)
		return -EINVAL;
	if (!(file->f_mode & FMODE_WRITE))
		return -EINVAL;
	i_size_write(inode, size);
	if (size < old) {
		pgoff_t first = (pgoff_t)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);

		unmap_mapping_range(inode->i_mapping, first, ~0UL);
		truncate_inode_pages(inode->i_mapping, size);
	}
	return 0;
}

static const struct vm_operations_struct shmem_vm_ops = {
	.fault = shmem_fault,
	.name = "shmem",
};

static int shmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	(void)file;
	vma->vm_ops = &shmem_vm_ops;
	vma->vm_flags |= VM_CAN_NONLINEAR;
	return 0;
}

bool vma_is_shmem(const struct vm_area_struct *vma)
{
	return vma->vm_ops == &shmem_vm_ops;
}

/*
 * The object of a shared anonymous mapping, charged to Committed_AS for
 * its whole size unless MAP_NORESERVE (2.6.34's shmem_acct_size).
 */
int shmem_zero_setup(struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	unsigned long pages = size >> PAGE_SHIFT;
	bool account = !(vma->vm_flags & VM_NORESERVE);
	struct file *file;

	if (account && security_vm_enough_memory_mm(vma->vm_mm, pages))
		return -ENOMEM;
	file = shmem_file_setup("/dev/zero (deleted)", size);
	if (!file) {
		if (account)
			vm_unacct_memory(pages);
		return -ENOMEM;
	}
	if (account)
		SHMEM_I(file->f_inode)->charged = pages;
	if (vma->vm_file)
		fput(vma->vm_file);
	vma->vm_file = file;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}
