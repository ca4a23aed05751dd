/*
 * pagemap.h - the page cache's interface (2.6.34's linux/pagemap.h and the
 * readahead and truncation calls of linux/mm.h): mm/filemap.c,
 * mm/readahead.c, mm/truncate.c.
 */
#ifndef KMM_PAGEMAP_H
#define KMM_PAGEMAP_H

#include <kmm/fs.h>
#include <kmm/mm.h>

/* The default readahead maximum, KiB (128 KiB: 32 pages). */
#define VM_MAX_READAHEAD	128

/* The cache's own reference on a page goes (put_page). */
#define page_cache_release(page)	put_page(page)
#define page_cache_get(page)		get_page(page)

void lock_page(struct page *page);
void unlock_page(struct page *page);

static inline bool page_mapped(const struct page *page)
{
	return page_mapcount(page) > 0;
}

/* Host files account dirty pages (Dirty in meminfo); shmem, like tmpfs, does not. */
static inline bool mapping_cap_account_dirty(const struct address_space *mapping)
{
	return !mapping->swap_backed;
}

void address_space_init(struct address_space *mapping, struct inode *host);
struct page *find_get_page(struct address_space *mapping, pgoff_t offset);
struct page *find_lock_page(struct address_space *mapping, pgoff_t offset);
unsigned int find_get_pages(struct address_space *mapping, pgoff_t start,
			    unsigned int nr_pages, struct page **pages);
int add_to_page_cache_locked(struct page *page, struct address_space *mapping, pgoff_t offset,
			     gfp_t gfp_mask);
int add_to_page_cache_lru(struct page *page, struct address_space *mapping, pgoff_t offset,
			  gfp_t gfp_mask);
void remove_from_page_cache(struct page *page);
struct page *read_mapping_page(struct address_space *mapping, pgoff_t offset, struct file *file);
int filemap_fault(struct vm_area_struct *vma, struct vm_fault *vmf);
int generic_file_mmap(struct file *file, struct vm_area_struct *vma);
/* A page was used by a read: referenced, and activated on its second use. */
void mark_page_accessed(struct page *page);

/* mm/readahead.c */
void file_ra_state_init(struct file_ra_state *ra, struct address_space *mapping);
unsigned long max_sane_readahead(unsigned long nr);
unsigned long __do_page_cache_readahead(struct address_space *mapping, struct file *filp,
					pgoff_t offset, unsigned long nr_to_read,
					unsigned long lookahead_size);
int force_page_cache_readahead(struct address_space *mapping, struct file *filp, pgoff_t offset,
			       unsigned long nr_to_read);
void page_cache_sync_readahead(struct address_space *mapping, struct file_ra_state *ra,
			       struct file *filp, pgoff_t offset, unsigned long req_size);
void page_cache_async_readahead(struct address_space *mapping, struct file_ra_state *ra,
				struct file *filp, struct page *page, pgoff_t offset,
				unsigned long req_size);
void do_sync_mmap_readahead(struct vm_area_struct *vma, struct file_ra_state *ra,
			    struct file *file, pgoff_t offset);
void do_async_mmap_readahead(struct vm_area_struct *vma, struct file_ra_state *ra,
			     struct file *file, struct page *page, pgoff_t offset);

/* mm/truncate.c */
/* Drop every page at offsets >= @lstart (bytes, page-aligned up): unmapped, out of the cache, freed. */
void truncate_inode_pages(struct address_space *mapping, loff_t lstart);
/* Drop the pages of offsets [first, last], as truncation does. */
void truncate_inode_pages_range(struct address_space *mapping, pgoff_t first, pgoff_t last);
/* Drop the unmapped, clean, unlocked pages of [start, end]; how many went. */
unsigned long invalidate_mapping_pages(struct address_space *mapping, pgoff_t start, pgoff_t end);
/* Unmap offsets [first, last] of @mapping from every VMA mapping them (private COW copies too). */
void unmap_mapping_range(struct address_space *mapping, pgoff_t first, pgoff_t last);

#endif /* KMM_PAGEMAP_H */
