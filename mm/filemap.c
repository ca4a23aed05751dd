/*
 * filemap.c - the page cache: the pages of each file, indexed by offset in
 * its address_space's radix tree, found by faults and reads, filled from
 * the backing store on a miss (mm/filemap.c in 2.6.34).
 *
 *   find_get_page          the cached page at an offset, with a reference
 *   add_to_page_cache_lru  a new page enters the cache (locked, counted in
 *                          Cached; Shmem too when swap-backed) and its LRU
 *   remove_from_page_cache a page leaves (truncation, drop_caches)
 *   filemap_fault          ->fault of file mappings: a hit is a minor
 *                          fault (async readahead when it carries
 *                          PG_readahead); a miss reads ahead or around
 *                          (mm/readahead.c), counts PGMAJFAULT and is a
 *                          major fault
 *
 * The cache holds one reference on each of its pages; a mapping holds one
 * more per PTE.  A page in the cache has page->mapping == its address_space
 * and page->index == its offset: mm_check (filemap_check) verifies it for
 * every tree, with nrpages.
 *
 * Pages are read synchronously (kmm's disk answers at once): a page added
 * by readahead is up to date and unlocked before its fault looks at it.
 * Host files are never written: their pages are clean for life.
 */
#include <kmm/bug.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/gfp.h>
#include <kmm/highmem.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/page-flags.h>
#include <kmm/pagemap.h>
#include <kmm/radix-tree.h>
#include <kmm/slab.h>
#include <kmm/string.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"

static struct kmem_cache *radix_tree_node_cachep __state_zero;

static struct radix_tree_node *radix_node_alloc(gfp_t gfp)
{
	return kmem_cache_zalloc(radix_tree_node_cachep, gfp);
}

static void radix_node_free(struct radix_tree_node *node)
{
	kmem_cache_free(radix_tree_node_cachep, node);
}

/* The radix tree's node cache (2.6.34's radix_tree_init); made with the process caches. */
void filemap_cache_init(void)
{
	radix_tree_node_cachep = kmem_cache_create("radix_tree_node",
						   sizeof(struct radix_tree_node), 0,
						   SLAB_RECLAIM_ACCOUNT | SLAB_PANIC, NULL);
	radix_tree_init(radix_node_alloc, radix_node_free);
}

void address_space_init(struct address_space *mapping, struct inode *host)
{
	memset(mapping, 0, sizeof(*mapping));
	mapping->host = host;
	INIT_RADIX_TREE(&mapping->page_tree, GFP_NOWAIT);
	spin_lock_init(&mapping->tree_lock);
	spin_lock_init(&mapping->i_mmap_lock);
	INIT_LIST_HEAD(&mapping->i_mmap);
	INIT_LIST_HEAD(&mapping->i_mmap_nonlinear);
	mapping->ra_pages = VM_MAX_READAHEAD * 1024 / PAGE_SIZE;
}

/* ---- the page lock ---- */

/*
 * PG_locked: the page is being read in or taken out of the cache.  kmm
 * reads synchronously under it, so a waiter (parallel mode only) spins
 * briefly rather than sleeping on a page wait queue.
 */
void lock_page(struct page *page)
{
	unsigned long spins = 0;
	unsigned int relax = 0;

	while (TestSetPageLocked(page)) {
		/* Locks are held only across a read: this long means a lost unlock_page. */
		if (++spins == 1UL << 30)
			panic("lock_page: page pfn %lu of %s stays locked", page_to_pfn(page),
			      page->mapping ? page->mapping->host->i_path : "(no mapping)");
		cpu_relax_wait(&relax);
	}
}

void unlock_page(struct page *page)
{
	VM_BUG_ON(!PageLocked(page));
	ClearPageLocked(page);
}

/* ---- finding and adding pages ---- */

struct page *find_get_page(struct address_space *mapping, pgoff_t offset)
{
	struct page *page;

	spin_lock(&mapping->tree_lock);
	page = radix_tree_lookup(&mapping->page_tree, offset);
	if (page)
		get_page(page);
	spin_unlock(&mapping->tree_lock);
	return page;
}

/* find_get_page, and the page locked; still in @mapping when returned. */
struct page *find_lock_page(struct address_space *mapping, pgoff_t offset)
{
	struct page *page;

repeat:
	page = find_get_page(mapping, offset);
	if (page) {
		lock_page(page);
		if (unlikely(page->mapping != mapping)) {
			unlock_page(page);
			page_cache_release(page);
			goto repeat;
		}
	}
	return page;
}

/* Up to @nr_pages cached pages at offsets >= @start, with references; how many. */
unsigned int find_get_pages(struct address_space *mapping, pgoff_t start,
			    unsigned int nr_pages, struct page **pages)
{
	unsigned int n;

	spin_lock(&mapping->tree_lock);
	n = radix_tree_gang_lookup(&mapping->page_tree, (void **)pages, start, nr_pages);
	for (unsigned int i = 0; i < n; i++)
		get_page(pages[i]);
	spin_unlock(&mapping->tree_lock);
	return n;
}

/*
 * Insert the locked @page at @offset: the cache takes a reference, the
 * page points back (mapping, index), Cached (NR_FILE_PAGES) and, for a
 * swap-backed page, Shmem count it.  -EEXIST when another page got
 * there first, -ENOMEM when the tree has no node for it: nothing
 * changed.  The tree's nodes are allocated under tree_lock without
 * sleeping (GFP_NOWAIT), where 2.6.34 fills a per-CPU pool beforehand
 * (radix_tree_preload) and takes them from it: kmm keeps no pool, so a
 * machine at rest holds no nodes but the trees' own.
 */
int add_to_page_cache_locked(struct page *page, struct address_space *mapping, pgoff_t offset,
			     gfp_t gfp_mask)
{
	int error;

	(void)gfp_mask;
	VM_BUG_ON(!PageLocked(page));
	get_page(page);
	page->mapping = mapping;
	page->index = offset;
	spin_lock(&mapping->tree_lock);
	error = radix_tree_insert(&mapping->page_tree, offset, page);
	if (likely(!error)) {
		mapping->nrpages++;
		mod_page_state(page, NR_FILE_PAGES, 1);
		if (PageSwapBacked(page))
			mod_page_state(page, NR_SHMEM, 1);
	} else {
		page->mapping = NULL;
	}
	spin_unlock(&mapping->tree_lock);
	if (error)
		put_page(page);
	return error;
}

/*
 * add_to_page_cache locking the page first, then onto its LRU: a file
 * page on the inactive file list, a swap-backed (shmem) page on the
 * active anonymous list, as 2.6.34 does.
 */
int add_to_page_cache_lru(struct page *page, struct address_space *mapping, pgoff_t offset,
			  gfp_t gfp_mask)
{
	int ret;

	if (mapping->swap_backed)
		SetPageSwapBacked(page);
	__SetPageLocked(page);
	ret = add_to_page_cache_locked(page, mapping, offset, gfp_mask);
	if (ret) {
		__ClearPageLocked(page);
		return ret;
	}
	lru_cache_add_lru(page, PageSwapBacked(page) ? LRU_ACTIVE_ANON : LRU_INACTIVE_FILE);
	return 0;
}

/*
 * Take @page (locked, unmapped) out of its cache: the tree, the counters,
 * the dirty tag and count.  The cache's reference is the caller's to drop.
 */
void remove_from_page_cache(struct page *page)
{
	struct address_space *mapping = page->mapping;

	VM_BUG_ON(!PageLocked(page));
	BUG_ON(page_mapped(page));
	spin_lock(&mapping->tree_lock);
	radix_tree_delete(&mapping->page_tree, page->index);
	page->mapping = NULL;
	mapping->nrpages--;
	mod_page_state(page, NR_FILE_PAGES, -1);
	if (PageSwapBacked(page))
		mod_page_state(page, NR_SHMEM, -1);
	spin_unlock(&mapping->tree_lock);
	if (TestClearPageDirty(page) && mapping_cap_account_dirty(mapping))
		mod_page_state(page, NR_FILE_DIRTY, -1);
}

/* ---- dirty pages ---- */

/*
 * A file page was written (a shared mapping's write fault, or a dirty
 * PTE found at unmap or msync).  Host files account it in Dirty and tag
 * it in the tree (__set_page_dirty_nobuffers); shmem pages only take the
 * flag, as tmpfs (no writeback, no dirty accounting) does.  Anonymous
 * pages likewise only take the flag.  Returns 1 if the page was clean.
 */
int set_page_dirty(struct page *page)
{
	struct address_space *mapping = page->mapping;

	if (!mapping || PageAnon(page) || !mapping_cap_account_dirty(mapping))
		return !TestSetPageDirty(page);
	if (TestSetPageDirty(page))
		return 0;
	spin_lock(&mapping->tree_lock);
	if (page->mapping == mapping) {
		mod_page_state(page, NR_FILE_DIRTY, 1);
		radix_tree_tag_set(&mapping->page_tree, page->index, PAGECACHE_TAG_DIRTY);
	}
	spin_unlock(&mapping->tree_lock);
	return 1;
}

/* ---- reading ---- */

/*
 * Read the page at @offset into the cache (a page of its own, to be
 * found by the caller's next lookup).  0 when it is there (read now or
 * by someone else), -ENOMEM, or the read's error.
 */
static int page_cache_read(struct file *file, pgoff_t offset)
{
	struct address_space *mapping = file->f_mapping;
	struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE);
	int ret;

	if (!page)
		return -ENOMEM;
	ret = add_to_page_cache_lru(page, mapping, offset, GFP_KERNEL);
	if (ret == 0)
		ret = mapping->a_ops->readpage(file, page);
	else if (ret == -EEXIST)
		ret = 0;
	page_cache_release(page);
	return ret;
}

/* The page at @offset, read if not cached, up to date; with a reference.  ERR_PTR on failure. */
struct page *read_mapping_page(struct address_space *mapping, pgoff_t offset, struct file *file)
{
	struct page *page;
	int err;

	for (;;) {
		page = find_get_page(mapping, offset);
		if (page)
			break;
		err = page_cache_read(file, offset);
		if (err)
			return ERR_PTR(err);
	}
	if (!PageUptodate(page)) {
		lock_page(page);
		err = PageUptodate(page) ? 0 : mapping->a_ops->readpage(file, page);
		if (err || !PageUptodate(page)) {
			if (!err)
				unlock_page(page);
			page_cache_release(page);
			return ERR_PTR(err ? err : -EIO);
		}
	}
	return page;
}

/*
 * kernel_read - read(2) of @count bytes at @offset into a kernel buffer
 * (2.6.34's do_generic_file_read, exec's way of reading headers): page by
 * page through the cache, a miss starting synchronous readahead for the
 * rest of the request and a PG_readahead page the next window, each page
 * used marked accessed (a second read activates it).  ra->prev_pos ends
 * at the last page read and the offset within it after the read, as
 * Linux leaves it.  Returns the bytes read (short at EOF) or -errno.
 */
int kernel_read(struct file *file, loff_t offset, char *addr, unsigned long count)
{
	struct address_space *mapping = file->f_mapping;
	struct file_ra_state *ra = &file->f_ra;
	struct inode *inode = mapping->host;
	pgoff_t index, last_index, prev_index;
	unsigned long done = 0, in_page;
	unsigned int prev_offset;
	int error = 0;

	if (offset < 0)
		return -EINVAL;
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	if (S_ISDIR(inode->i_mode))
		return -EISDIR;
	if (!mapping->a_ops->readpage && !mapping->swap_backed)
		return -EINVAL;
	index = (pgoff_t)(offset >> PAGE_SHIFT);
	prev_index = (pgoff_t)(ra->prev_pos >> PAGE_SHIFT);
	prev_offset = (unsigned int)(ra->prev_pos & (PAGE_SIZE - 1));
	last_index = (pgoff_t)((offset + (loff_t)count + PAGE_SIZE - 1) >> PAGE_SHIFT);
	in_page = (unsigned long)(offset & (PAGE_SIZE - 1));

	while (done < count) {
		loff_t isize = i_size_read(inode);
		pgoff_t end_index;
		unsigned long nr;
		struct page *page;
		char *kaddr;

		if (!isize)
			break;
		end_index = (pgoff_t)((isize - 1) >> PAGE_SHIFT);
		if (index > end_index)
			break;
		page = find_get_page(mapping, index);
		if (!page && mapping->a_ops->readpage) {
			page_cache_sync_readahead(mapping, ra, file, index, last_index - index);
			page = find_get_page(mapping, index);
		}
		if (!page) {
			if (mapping->swap_backed) {	/* a tmpfs hole reads as zeroes */
				nr = min(PAGE_SIZE - in_page, count - done);
				memset(addr + done, 0, nr);
				goto advance;
			}
			page = read_mapping_page(mapping, index, file);
			if (IS_ERR(page)) {
				error = (int)PTR_ERR(page);
				break;
			}
		}
		if (PageReadahead(page))
			page_cache_async_readahead(mapping, ra, file, page, index, last_index - index);
		if (!PageUptodate(page)) {
			page_cache_release(page);
			page = read_mapping_page(mapping, index, file);
			if (IS_ERR(page)) {
				error = (int)PTR_ERR(page);
				break;
			}
		}
		nr = PAGE_SIZE;
		if (index == end_index) {
			nr = (unsigned long)((isize - 1) & (PAGE_SIZE - 1)) + 1;
			if (nr <= in_page) {
				page_cache_release(page);
				break;
			}
		}
		nr -= in_page;
		if (nr > count - done)
			nr = count - done;
		if (prev_index != index || in_page != prev_offset)
			mark_page_accessed(page);
		kaddr = kmap(page);
		memcpy(addr + done, kaddr + in_page, nr);
		kunmap(page);
		page_cache_release(page);
advance:
		prev_index = index;
		done += nr;
		in_page += nr;
		index += in_page >> PAGE_SHIFT;
		in_page &= PAGE_SIZE - 1;
		prev_offset = (unsigned int)in_page;
	}
	/* Shifted as unsigned: prev_index is -1 after a read that got nothing (no UB). */
	ra->prev_pos = (loff_t)(((u64)prev_index << PAGE_SHIFT) | prev_offset);
	return done ? (int)done : error;
}

/* ---- the fault ---- */

/* Pages of the file @inode, rounded up: offsets at or past it are beyond EOF. */
static pgoff_t size_in_pages(struct inode *inode)
{
	return (pgoff_t)((i_size_read(inode) + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

/*
 * filemap_fault - the page a file mapping's fault needs.  A cached page
 * is a minor fault (and advances readahead if it carries the marker);
 * a miss first reads around the offset (do_sync_mmap_readahead), counts
 * PGMAJFAULT and returns VM_FAULT_MAJOR.  Past EOF (checked before and
 * after) is SIGBUS.  The page returns locked (VM_FAULT_LOCKED) with a
 * reference; ra->prev_pos remembers the offset for the sequential test.
 */
int filemap_fault(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	struct file *file = vma->vm_file;
	struct address_space *mapping = file->f_mapping;
	struct file_ra_state *ra = &file->f_ra;
	struct inode *inode = mapping->host;
	pgoff_t offset = vmf->pgoff;
	struct page *page;
	int error, ret = 0;

	if (offset >= size_in_pages(inode))
		return VM_FAULT_SIGBUS;
	page = find_get_page(mapping, offset);
	if (likely(page)) {
		do_async_mmap_readahead(vma, ra, file, page, offset);
		lock_page(page);
		if (unlikely(page->mapping != mapping)) {
			unlock_page(page);
			put_page(page);
			goto no_cached_page;
		}
	} else {
		do_sync_mmap_readahead(vma, ra, file, offset);
		count_vm_event(PGMAJFAULT);
		ret = VM_FAULT_MAJOR;
retry_find:
		page = find_lock_page(mapping, offset);
		if (!page)
			goto no_cached_page;
	}
	if (unlikely(!PageUptodate(page)))
		goto page_not_uptodate;
	if (unlikely(offset >= size_in_pages(inode))) {
		unlock_page(page);
		page_cache_release(page);
		return VM_FAULT_SIGBUS;
	}
	ra->prev_pos = (loff_t)offset << PAGE_SHIFT;
	vmf->page = page;
	return ret | VM_FAULT_LOCKED;

no_cached_page:
	error = page_cache_read(file, offset);
	if (error >= 0)
		goto retry_find;
	if (error == -ENOMEM)
		return VM_FAULT_OOM;
	return VM_FAULT_SIGBUS;

page_not_uptodate:
	/* A read that failed: try once more, synchronously; SIGBUS if it fails again. */
	ClearPageError(page);
	error = mapping->a_ops->readpage(file, page);
	if (!error && !PageUptodate(page))
		error = -EIO;
	page_cache_release(page);
	if (!error)
		goto retry_find;
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct generic_file_vm_ops = {
	.fault = filemap_fault,
	.name = "file",
};

/* ->mmap of host files: faults go to filemap_fault; a file is mappable only if readable. */
int generic_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!file->f_mapping->a_ops->readpage)
		return -ENOEXEC;
	vma->vm_ops = &generic_file_vm_ops;
	vma->vm_flags |= VM_CAN_NONLINEAR;
	return 0;
}
