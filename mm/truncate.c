/*
 * truncate.c - taking pages out of the page cache (2.6.34's
 * mm/truncate.c): truncation of a file (every page from an offset on
 * goes, mapped or not; a partial last page keeps only the bytes before
 * the new end) and invalidation (drop_caches: only pages nobody maps and
 * nobody dirtied go).
 *
 * A truncated page is first unmapped from every VMA (unmap_mapping_range:
 * shared mappings and the private ones still using the cache's page;
 * private COW copies are anonymous pages and keep their data, as on
 * Linux), then removed from the tree and released; the cache's reference
 * is the last, and the page returns to the allocator.  A fault on the
 * truncated range afterwards is past EOF: SIGBUS.
 */
#include <kmm/bug.h>
#include <kmm/fs.h>
#include <kmm/highmem.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/page-flags.h>
#include <kmm/pagemap.h>
#include "mm/internal.h"

#define TRUNCATE_BATCH	16

/* Out of the cache: the page, locked, unmapped or unmapped now. */
static void truncate_complete_page(struct address_space *mapping, struct page *page)
{
	if (page_mapped(page))
		unmap_mapping_range(mapping, page->index, page->index);
	if (page->mapping != mapping)
		return;
	clear_page_mlock(page);
	remove_from_page_cache(page);
	ClearPageUptodate(page);
	ClearPageReadahead(page);
	ClearPageReferenced(page);
	page_cache_release(page);	/* the cache's reference */
}

/* Every page at offsets [first, last] out of the cache (each unmapped first). */
void truncate_inode_pages_range(struct address_space *mapping, pgoff_t first, pgoff_t last)
{
	struct page *pages[TRUNCATE_BATCH];
	pgoff_t next = first;
	unsigned int n;

	while (mapping->nrpages && next <= last &&
	       (n = find_get_pages(mapping, next, TRUNCATE_BATCH, pages))) {
		for (unsigned int i = 0; i < n; i++) {
			struct page *page = pages[i];

			next = page->index + 1;
			if (page->index <= last) {
				lock_page(page);
				truncate_complete_page(mapping, page);
				unlock_page(page);
			}
			page_cache_release(page);	/* find_get_pages' reference */
		}
		if (!next)
			break;
	}
}

void truncate_inode_pages(struct address_space *mapping, loff_t lstart)
{
	pgoff_t start = (pgoff_t)((lstart + PAGE_SIZE - 1) >> PAGE_SHIFT);
	unsigned int partial = (unsigned int)(lstart & (PAGE_SIZE - 1));

	truncate_inode_pages_range(mapping, start, ~0UL);
	if (partial) {
		struct page *page = find_lock_page(mapping, start - 1);

		if (page) {
			zero_user_segment(page, partial, PAGE_SIZE);
			unlock_page(page);
			page_cache_release(page);
		}
	}
}

unsigned long invalidate_mapping_pages(struct address_space *mapping, pgoff_t start, pgoff_t end)
{
	struct page *pages[TRUNCATE_BATCH];
	unsigned long count = 0;
	pgoff_t next = start;
	unsigned int n;

	while (next <= end && (n = find_get_pages(mapping, next, TRUNCATE_BATCH, pages))) {
		for (unsigned int i = 0; i < n; i++) {
			struct page *page = pages[i];

			next = page->index + 1;
			if (page->index > end || TestSetPageLocked(page)) {
				page_cache_release(page);
				continue;
			}
			if (page->mapping == mapping && !PageDirty(page) && !PageWriteback(page) &&
			    !page_mapped(page)) {
				remove_from_page_cache(page);
				page_cache_release(page);
				count++;
			}
			unlock_page(page);
			page_cache_release(page);
		}
		if (!next)
			break;
	}
	return count;
}
