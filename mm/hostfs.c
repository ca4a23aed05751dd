/*
 * hostfs.c - the host's files as a read-only file system: their inodes,
 * opening them (filp_open), their pages read from the host on demand
 * (->readpage over hw/disk.h), the last reference of a file (fput) and
 * of an inode (iput), and dropping clean caches (drop_caches).
 *
 * An inode stands for one host file (st_dev, st_ino): every open of the
 * same file, by any path, finds the same inode in the inode cache and so
 * the same page cache, as on Linux.  The inode stays cached with its
 * pages after its last file closes (Cached keeps counting them) until
 * drop_caches evicts it or the machine shuts down.  While some file has
 * it open it holds the host handle its pages are read through.
 *
 * Named shmem files ("/dev/shm/NAME", made with O_CREAT) live in the same
 * cache under their path; they stay, with their pages, until shutdown
 * (kmm has no unlink), like tmpfs files nobody removed.
 */
#include <kmm/bug.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/highmem.h>
#include <kmm/kernel.h>
#include <kmm/list.h>
#include <kmm/mm.h>
#include <kmm/mutex.h>
#include <kmm/pagemap.h>
#include <kmm/slab.h>
#include <kmm/string.h>
#include "hw/disk.h"
#include "mm/internal.h"

/* every cached inode, newest first */
static struct list_head inode_cache __state = LIST_HEAD_INIT(inode_cache);
static DEFINE_MUTEX(inode_cache_mutex);		/* guards inode_cache and i_count's 0 <-> 1 */

/* ---- reading pages ---- */

/*
 * Fill @page (locked, in the cache at page->index) from the host file:
 * the bytes past EOF zeroed.  Up to date and unlocked on success; on a
 * host error PG_error is set and the page stays not up to date (its
 * fault gets SIGBUS, its read -EIO).
 */
static int hostfs_readpage(struct file *file, struct page *page)
{
	struct inode *inode = page->mapping->host;
	char *kaddr = kmap(page);
	long n = -EBADF;

	(void)file;
	if (inode->i_host >= 0)
		n = hw_disk_pread(inode->i_host, kaddr, PAGE_SIZE, (u64)page->index << PAGE_SHIFT);
	if (n >= 0 && n < (long)PAGE_SIZE)
		memset(kaddr + n, 0, PAGE_SIZE - (unsigned long)n);
	kunmap(page);
	if (n < 0) {
		SetPageError(page);
		unlock_page(page);
		return (int)n;
	}
	SetPageUptodate(page);
	unlock_page(page);
	return 0;
}

static const struct address_space_operations hostfs_aops = {
	.readpage = hostfs_readpage,
};

static void hostfs_release(struct file *file)
{
	(void)file;
}

static const struct file_operations hostfs_file_ops = {
	.mmap = generic_file_mmap,
	.release = hostfs_release,
};

/* Directories and devices open (as open(2) allows) but cannot be mapped or read. */
static const struct file_operations hostfs_other_ops = {
	.release = hostfs_release,
};

/* ---- inodes ---- */

/* Free an unused inode: its pages first (truncated out of the cache), then it. */
static void evict_inode(struct inode *inode)
{
	list_del(&inode->i_list);
	truncate_inode_pages(inode->i_mapping, 0);
	if (inode->i_host >= 0)
		hw_disk_close(inode->i_host);
	kfree(inode->i_path);
	kfree(inode);
}

static struct inode *find_inode(unsigned int major, unsigned int minor, unsigned long ino)
{
	struct inode *inode;

	list_for_each_entry(inode, &inode_cache, i_list)
		if (inode->i_ino == ino && inode->i_dev_major == major &&
		    inode->i_dev_minor == minor && !inode->i_mapping->swap_backed)
			return inode;
	return NULL;
}

/*
 * The inode of the host file @info describes, with a reference, holding
 * @handle (given to it; closed if the inode already has one).  NULL when
 * no memory (the handle is then closed).
 */
static struct inode *iget_host(const struct hw_file_info *info, int handle)
{
	struct inode *inode;

	mutex_lock(&inode_cache_mutex);
	inode = find_inode(info->dev_major, info->dev_minor, (unsigned long)info->ino);
	if (!inode) {
		inode = kzalloc(sizeof(*inode), GFP_KERNEL);
		if (inode)
			inode->i_path = kstrdup(info->path, GFP_KERNEL);
		if (!inode || !inode->i_path) {
			kfree(inode);
			mutex_unlock(&inode_cache_mutex);
			hw_disk_close(handle);
			return NULL;
		}
		inode->i_ino = (unsigned long)info->ino;
		inode->i_dev_major = info->dev_major;
		inode->i_dev_minor = info->dev_minor;
		inode->i_host = -1;
		inode->i_mapping = &inode->i_data;
		address_space_init(&inode->i_data, inode);
		inode->i_data.a_ops = &hostfs_aops;
		list_add(&inode->i_list, &inode_cache);
	}
	inode->i_mode = info->mode | (info->type == HW_FILE_REGULAR ? S_IFREG :
				      info->type == HW_FILE_DIRECTORY ? S_IFDIR : 0);
	i_size_write(inode, (loff_t)info->size);
	if (inode->i_host < 0)
		inode->i_host = handle;
	else
		hw_disk_close(handle);
	atomic_inc(&inode->i_count);
	mutex_unlock(&inode_cache_mutex);
	return inode;
}

/*
 * A reference to @inode goes.  The last one of a host file closes its
 * host handle (the pages stay cached); of an unnamed shmem object it
 * frees the object and its pages.
 */
void iput(struct inode *inode)
{
	mutex_lock(&inode_cache_mutex);
	if (!atomic_dec_and_test(&inode->i_count)) {
		mutex_unlock(&inode_cache_mutex);
		return;
	}
	if (inode->i_mapping->swap_backed) {
		if (list_empty(&inode->i_list)) {
			mutex_unlock(&inode_cache_mutex);
			shmem_evict_inode(inode);
			return;
		}
	} else if (inode->i_host >= 0) {
		hw_disk_close(inode->i_host);
		inode->i_host = -1;
	}
	mutex_unlock(&inode_cache_mutex);
}

/* A named shmem inode joins the cache under its path. */
void hostfs_add_named(struct inode *inode)
{
	mutex_lock(&inode_cache_mutex);
	list_add(&inode->i_list, &inode_cache);
	mutex_unlock(&inode_cache_mutex);
}

static struct inode *find_named(const char *path)
{
	struct inode *inode;

	list_for_each_entry(inode, &inode_cache, i_list)
		if (inode->i_mapping->swap_backed && !strcmp(inode->i_path, path))
			return inode;
	return NULL;
}

#define SHM_DIR		"/dev/shm/"

/* "/dev/shm/NAME", NAME without a '/': a tmpfs file's name. */
static bool is_shm_name(const char *path)
{
	return !strncmp(path, SHM_DIR, strlen(SHM_DIR)) && path[strlen(SHM_DIR)] &&
	       !strchr(path + strlen(SHM_DIR), '/');
}

/*
 * The name goes: the inode leaves the cache, so open finds it no more
 * (O_CREAT makes a new file), and takes d_path's " (deleted)" for the
 * maps lines of what still maps it.  With no descriptor or mapping left
 * (i_count 0) the object and its pages go now, else at the last iput.
 */
static long unlink_named_shmem(const char *path)
{
	static const char suffix[] = " (deleted)";
	struct inode *inode;
	char *deleted, *old;
	bool evict;

	deleted = kmalloc(strlen(path) + sizeof(suffix), GFP_KERNEL);
	if (!deleted)
		return -ENOMEM;
	memcpy(deleted, path, strlen(path));
	memcpy(deleted + strlen(path), suffix, sizeof(suffix));
	mutex_lock(&inode_cache_mutex);
	inode = find_named(path);
	if (!inode) {
		mutex_unlock(&inode_cache_mutex);
		kfree(deleted);
		return -ENOENT;
	}
	list_del_init(&inode->i_list);
	old = (char *)inode->i_path;
	inode->i_path = deleted;
	evict = !atomic_read(&inode->i_count);
	mutex_unlock(&inode_cache_mutex);
	kfree(old);
	if (evict)
		shmem_evict_inode(inode);
	return 0;
}

long sys_unlink(const char *path)
{
	struct hw_file_info *info;
	int handle;

	if (is_shm_name(path))
		return unlink_named_shmem(path);
	/* A host file: looked up first (ENOENT), then refused as a read-only file system's. */
	info = kmalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	handle = hw_disk_open(path, info);
	kfree(info);
	if (handle < 0)
		return handle;
	hw_disk_close(handle);
	return -EROFS;
}

/* ---- files ---- */

struct file *alloc_file(struct inode *inode, unsigned int f_mode,
			const struct file_operations *fop)
{
	struct file *file = kzalloc(sizeof(*file), GFP_KERNEL);

	if (!file)
		return NULL;
	atomic_set(&file->f_count, 1);
	file->f_mode = f_mode;
	file->f_inode = inode;
	file->f_mapping = inode->i_mapping;
	file->f_op = fop;
	file_ra_state_init(&file->f_ra, inode->i_mapping);
	return file;
}

void fput(struct file *file)
{
	if (!atomic_dec_and_test(&file->f_count))
		return;
	if (file->f_op->release)
		file->f_op->release(file);
	iput(file->f_inode);
	kfree(file);
}


/* "/dev/shm/NAME": the named shmem file, made empty with O_CREAT. */
static struct file *open_named_shmem(const char *path, int flags)
{
	struct inode *inode;
	struct file *file;

	mutex_lock(&inode_cache_mutex);
	inode = find_named(path);
	if (inode)
		atomic_inc(&inode->i_count);
	mutex_unlock(&inode_cache_mutex);
	if (inode) {
		unsigned int mode = (flags & O_ACCMODE) == O_RDONLY ? FMODE_READ :
				    (flags & O_ACCMODE) == O_WRONLY ? FMODE_WRITE :
				    FMODE_READ | FMODE_WRITE;

		file = alloc_file(inode, mode, shmem_file_operations());
		if (!file) {
			iput(inode);
			return ERR_PTR(-ENOMEM);
		}
		if (flags & O_TRUNC)
			shmem_setsize(file, 0);
		return file;
	}
	if (!(flags & O_CREAT))
		return ERR_PTR(-ENOENT);
	file = shmem_file_setup(path, 0);
	if (!file)
		return ERR_PTR(-ENOMEM);
	hostfs_add_named(file->f_inode);
	return file;
}

struct file *filp_open(const char *path, int flags, int mode)
{
	struct hw_file_info *info;
	struct inode *inode;
	struct file *file;
	int handle;

	(void)mode;
	if (mm_caches_init())
		return ERR_PTR(-ENOMEM);
	if (is_shm_name(path))
		return open_named_shmem(path, flags);
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
		return ERR_PTR(-EROFS);
	info = kmalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);
	handle = hw_disk_open(path, info);
	if (handle < 0) {
		kfree(info);
		return ERR_PTR(handle);
	}
	inode = iget_host(info, handle);
	kfree(info);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	file = alloc_file(inode, FMODE_READ,
			  S_ISREG(inode->i_mode) ? &hostfs_file_ops : &hostfs_other_ops);
	if (!file) {
		iput(inode);
		return ERR_PTR(-ENOMEM);
	}
	file->f_flags = (unsigned int)flags;
	return file;
}

/* ---- dropping caches ---- */

/*
 * /proc/sys/vm/drop_caches: every host file's unmapped clean pages go
 * (invalidate_mapping_pages), and inodes no one has open are evicted.
 * Shmem pages stay: they are the only copy of their data.
 */
void drop_pagecache(void)
{
	struct inode *inode, *next;

	mutex_lock(&inode_cache_mutex);
	list_for_each_entry_safe(inode, next, &inode_cache, i_list) {
		if (inode->i_mapping->swap_backed)
			continue;
		if (!atomic_read(&inode->i_count) && !inode->i_mapping->i_mmap_writable &&
		    list_empty(&inode->i_mapping->i_mmap) &&
		    list_empty(&inode->i_mapping->i_mmap_nonlinear))
			evict_inode(inode);
		else
			invalidate_mapping_pages(inode->i_mapping, 0, ~0UL);
	}
	mutex_unlock(&inode_cache_mutex);
}

/* ---- mm_check ---- */

/* Call @fn for every cached inode (inode_cache_mutex held: @fn must not sleep for it). */
void for_each_cached_inode(void (*fn)(struct inode *inode, void *arg), void *arg)
{
	struct inode *inode;

	mutex_lock(&inode_cache_mutex);
	list_for_each_entry(inode, &inode_cache, i_list)
		fn(inode, arg);
	mutex_unlock(&inode_cache_mutex);
}
