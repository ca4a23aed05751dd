/*
 * readahead.c - reading file pages before they are asked for (2.6.34's
 * on-demand readahead, mm/readahead.c, and filemap.c's mmap read-around).
 *
 * Each open file has a window (file_ra_state): [start, start + size) was
 * the last readahead, and its last async_size pages were read ahead of
 * need; the first of those carries PG_readahead.  A fault or read that
 * meets the marker (async) or misses the cache where the window said the
 * stream would go (sync) pushes the window forward and ramps it up:
 *
 *   get_init_ra_size(req, max)  the first window: req rounded up to a
 *                               power of two, x4 if <= max/32, x2 if
 *                               <= max/4, else max (with max = 32 pages:
 *                               1 page -> 4, 2 -> 8, 4 -> 16, 8 -> 32)
 *   get_next_ra_size(ra, max)   the next: x4 while below max/16, else x2,
 *                               never above max
 *
 * mmap faults use the window differently (do_sync_mmap_readahead): a
 * miss right after the previous fault's page, or in a VM_SEQ_READ VMA,
 * is sequential and goes through ondemand_readahead; any other miss
 * reads around the offset, ra_pages pages centred on it (start =
 * offset - ra_pages/2, no async part), until more than MMAP_LOTSAMISS
 * misses outweigh the hits.  VM_RAND_READ (MADV_RANDOM) reads only the
 * page faulted.  The default maximum is 32 pages (128 KiB), everywhere
 * capped by max_sane_readahead: half of the node's free and inactive
 * file pages.
 *
 * kmm's reads complete at once, so a window is read when it is submitted.
 */
#include <kmm/bug.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/gfp.h>
#include <kmm/kernel.h>
#include <kmm/log2.h>
#include <kmm/mm.h>
#include <kmm/mmzone.h>
#include <kmm/page-flags.h>
#include <kmm/pagemap.h>
#include <kmm/radix-tree.h>
#include <kmm/trace.h>
#include "mm/internal.h"

#define MMAP_LOTSAMISS	100

void file_ra_state_init(struct file_ra_state *ra, struct address_space *mapping)
{
	ra->ra_pages = (unsigned int)mapping->ra_pages;
	ra->prev_pos = -1;
}

static unsigned long node_page_state(int nid, enum zone_stat_item item)
{
	unsigned long sum = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		sum += zone_page_state(&NODE_DATA(nid)->node_zones[i], item);
	return sum;
}

/* A readahead of @nr pages at most: no more than half of what could hold them. */
unsigned long max_sane_readahead(unsigned long nr)
{
	int nid = numa_node_id();

	return min(nr, (node_page_state(nid, NR_INACTIVE_FILE) +
			node_page_state(nid, NR_FREE_PAGES)) / 2);
}

/*
 * Read the pages of [offset, offset + nr_to_read) that are not cached and
 * lie before EOF; the page at nr_to_read - lookahead_size gets
 * PG_readahead.  Returns the pages read.  A page that cannot be had
 * (no memory, no tree node) ends the window early, as 2.6.34's does.
 */
unsigned long __do_page_cache_readahead(struct address_space *mapping, struct file *filp,
					pgoff_t offset, unsigned long nr_to_read,
					unsigned long lookahead_size)
{
	loff_t isize = i_size_read(mapping->host);
	unsigned long ret = 0;
	pgoff_t end_index;

	if (isize == 0)
		return 0;
	end_index = (pgoff_t)((isize - 1) >> PAGE_SHIFT);
	if (trace_on(readahead))
		trace_event(TRACE_readahead, "ino=%lu offset=%lu nr=%lu lookahead=%lu",
			    mapping->host->i_ino, offset, nr_to_read, lookahead_size);
	for (unsigned long i = 0; i < nr_to_read; i++) {
		pgoff_t index = offset + i;
		struct page *page;
		int err;

		if (index > end_index)
			break;
		spin_lock(&mapping->tree_lock);
		page = radix_tree_lookup(&mapping->page_tree, index);
		spin_unlock(&mapping->tree_lock);
		if (page)
			continue;
		page = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_COLD);
		if (!page)
			break;
		if (i == nr_to_read - lookahead_size)
			SetPageReadahead(page);
		err = add_to_page_cache_lru(page, mapping, index, GFP_KERNEL);
		if (!err) {
			mapping->a_ops->readpage(filp, page);
			ret++;
		} else {
			ClearPageReadahead(page);
		}
		page_cache_release(page);
		if (err == -ENOMEM)
			break;
	}
	return ret;
}

/* Read [offset, offset + nr_to_read) in 2 MiB chunks, no readahead state (WILLNEED, MADV_RANDOM files). */
int force_page_cache_readahead(struct address_space *mapping, struct file *filp, pgoff_t offset,
			       unsigned long nr_to_read)
{
	unsigned long chunk_max = (2 * 1024 * 1024) / PAGE_SIZE;
	int ret = 0;

	if (!mapping->a_ops->readpage)
		return -EINVAL;
	nr_to_read = max_sane_readahead(nr_to_read);
	while (nr_to_read) {
		unsigned long chunk = min(chunk_max, nr_to_read);

		ret += (int)__do_page_cache_readahead(mapping, filp, offset, chunk, 0);
		offset += chunk;
		nr_to_read -= chunk;
	}
	return ret;
}

static unsigned long ra_submit(struct file_ra_state *ra, struct address_space *mapping,
			       struct file *filp)
{
	return __do_page_cache_readahead(mapping, filp, ra->start, ra->size, ra->async_size);
}

static unsigned long get_init_ra_size(unsigned long size, unsigned long max)
{
	unsigned long newsize = roundup_pow_of_two(size);

	if (newsize <= max / 32)
		newsize = newsize * 4;
	else if (newsize <= max / 4)
		newsize = newsize * 2;
	else
		newsize = max;
	return newsize;
}

static unsigned long get_next_ra_size(struct file_ra_state *ra, unsigned long max)
{
	unsigned long cur = ra->size;
	unsigned long newsize = cur < max / 16 ? 4 * cur : 2 * cur;

	return min(newsize, max);
}

/*
 * A miss with no window to follow: the pages cached just below @offset
 * tell how long a stream has been running (count_history_pages); a stream
 * from the file's start counts double.  None: a random read (0).
 */
static int try_context_readahead(struct address_space *mapping, struct file_ra_state *ra,
				 pgoff_t offset, unsigned long req_size, unsigned long max)
{
	pgoff_t size;

	spin_lock(&mapping->tree_lock);
	size = offset - 1 - radix_tree_prev_hole(&mapping->page_tree, offset - 1, max);
	spin_unlock(&mapping->tree_lock);
	if (!size)
		return 0;
	if (size >= offset)
		size *= 2;
	ra->start = offset;
	ra->size = (unsigned int)get_init_ra_size(size + req_size, max);
	ra->async_size = ra->size;
	return 1;
}

/*
 * The heart of readahead: decide the next window for an access at
 * @offset of @req_size pages (a miss, or a hit on the marker), then read
 * it.  The cases, in 2.6.34's order: the file's first page; the offset
 * the window expected (ramp up, move on); a marker met without a window
 * that explains it (look where the cached run ends); an oversize read; a
 * miss next to the previous access; a run of cached history; else a
 * lone random read, read as asked without touching the window.
 */
static unsigned long ondemand_readahead(struct address_space *mapping, struct file_ra_state *ra,
					struct file *filp, bool hit_readahead_marker,
					pgoff_t offset, unsigned long req_size)
{
	unsigned long max = max_sane_readahead(ra->ra_pages);

	if (!offset)
		goto initial_readahead;
	if (offset == ra->start + ra->size - ra->async_size || offset == ra->start + ra->size) {
		ra->start += ra->size;
		ra->size = (unsigned int)get_next_ra_size(ra, max);
		ra->async_size = ra->size;
		goto readit;
	}
	if (hit_readahead_marker) {
		pgoff_t start;

		spin_lock(&mapping->tree_lock);
		start = radix_tree_next_hole(&mapping->page_tree, offset + 1, max);
		spin_unlock(&mapping->tree_lock);
		if (!start || start - offset > max)
			return 0;
		ra->start = start;
		ra->size = (unsigned int)(start - offset);
		ra->size += (unsigned int)req_size;
		ra->size = (unsigned int)get_next_ra_size(ra, max);
		ra->async_size = ra->size;
		goto readit;
	}
	if (req_size > max)
		goto initial_readahead;
	if (offset - (pgoff_t)(ra->prev_pos >> PAGE_SHIFT) <= 1UL)
		goto initial_readahead;
	if (try_context_readahead(mapping, ra, offset, req_size, max))
		goto readit;
	return __do_page_cache_readahead(mapping, filp, offset, req_size, 0);

initial_readahead:
	ra->start = offset;
	ra->size = (unsigned int)get_init_ra_size(req_size, max);
	ra->async_size = ra->size > req_size ? ra->size - (unsigned int)req_size : ra->size;
readit:
	/* The marker would fall on this very access: take the next window now, merged. */
	if (offset == ra->start && ra->size == ra->async_size) {
		ra->async_size = (unsigned int)get_next_ra_size(ra, max);
		ra->size += ra->async_size;
	}
	return ra_submit(ra, mapping, filp);
}

void page_cache_sync_readahead(struct address_space *mapping, struct file_ra_state *ra,
			       struct file *filp, pgoff_t offset, unsigned long req_size)
{
	if (!ra->ra_pages)
		return;
	if (filp && (filp->f_mode & FMODE_RANDOM)) {
		force_page_cache_readahead(mapping, filp, offset, req_size);
		return;
	}
	ondemand_readahead(mapping, ra, filp, false, offset, req_size);
}

void page_cache_async_readahead(struct address_space *mapping, struct file_ra_state *ra,
				struct file *filp, struct page *page, pgoff_t offset,
				unsigned long req_size)
{
	if (!ra->ra_pages)
		return;
	if (PageWriteback(page))
		return;
	ClearPageReadahead(page);
	ondemand_readahead(mapping, ra, filp, true, offset, req_size);
}

/* A fault missed the cache: sequential readahead, read-around, or nothing (MADV_RANDOM). */
void do_sync_mmap_readahead(struct vm_area_struct *vma, struct file_ra_state *ra,
			    struct file *file, pgoff_t offset)
{
	struct address_space *mapping = file->f_mapping;
	unsigned long ra_pages;

	if (vma->vm_flags & VM_RAND_READ)
		return;
	if ((vma->vm_flags & VM_SEQ_READ) || offset - 1 == (pgoff_t)(ra->prev_pos >> PAGE_SHIFT)) {
		page_cache_sync_readahead(mapping, ra, file, offset, ra->ra_pages);
		return;
	}
	if (ra->mmap_miss < INT_MAX)
		ra->mmap_miss++;
	if (ra->mmap_miss > MMAP_LOTSAMISS)
		return;
	ra_pages = max_sane_readahead(ra->ra_pages);
	if (ra_pages) {
		ra->start = offset > ra_pages / 2 ? offset - ra_pages / 2 : 0;
		ra->size = (unsigned int)ra_pages;
		ra->async_size = 0;
		ra_submit(ra, mapping, file);
	}
}

/* A fault hit the cache: one miss forgiven; the marker starts the next window. */
void do_async_mmap_readahead(struct vm_area_struct *vma, struct file_ra_state *ra,
			     struct file *file, struct page *page, pgoff_t offset)
{
	if (vma->vm_flags & VM_RAND_READ)
		return;
	if (ra->mmap_miss > 0)
		ra->mmap_miss--;
	if (PageReadahead(page))
		page_cache_async_readahead(file->f_mapping, ra, file, page, offset, ra->ra_pages);
}
