/*
 * filemap_check.c - mm_check for files: every page cache (the cached
 * inodes' and those of the files mapped by some VMA, unnamed shmem
 * objects included) and every i_mmap list.
 *
 *   the radix tree's own invariants (radix_tree_check: node counts, tags
 *   propagated, no empty node), and its item count == nrpages
 *   each page in a tree: page->mapping == the tree's mapping, page->index
 *   == its slot, at least the cache's reference, and no more mappings
 *   than references (_mapcount + 1 <= _count)
 *   i_mmap and i_mmap_nonlinear: each VMA on them maps that file and is
 *   a VMA of its mm (found there by find_vma), VM_NONLINEAR exactly on
 *   the second; each VMA that maps a file is on the list of its kind
 *
 * Whether each PTE's mapcount is right is mmap_check's (it counts file
 * pages as it counts anonymous ones).
 */
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/pagemap.h>
#include <kmm/radix-tree.h>
#include <kmm/slab.h>
#include "mm/internal.h"

struct filemap_walk {
	struct seq_file *report;
	int problems;
	unsigned long tree_problems;	/* radix_tree_check's reports, counted */
	const char *path;		/* the file being checked, for the reports */
};

static struct filemap_walk *current_walk __state_zero;

static void report_tree(const char *what, unsigned long index)
{
	struct filemap_walk *w = current_walk;

	check_report(w->report, "%s: page cache radix tree: %s (index %lu)", w->path, what, index);
	w->problems++;
}

static void check_pages(struct filemap_walk *w, struct address_space *mapping)
{
	struct page *batch[16];
	pgoff_t next = 0;
	unsigned int n;

	while ((n = radix_tree_gang_lookup(&mapping->page_tree, (void **)batch, next, 16))) {
		for (unsigned int i = 0; i < n; i++) {
			struct page *page = batch[i];

			next = page->index + 1;
			if (page->mapping != mapping ||
			    radix_tree_lookup(&mapping->page_tree, page->index) != page) {
				check_report(w->report, "%s: cached pfn %#lx points at mapping %p index %lu",
					     w->path, page_to_pfn(page), (void *)page->mapping,
					     page->index);
				w->problems++;
			}
			if (page_count(page) < 1 || page_mapcount(page) + 1 > page_count(page)) {
				check_report(w->report, "%s: cached pfn %#lx: %d references, %d mappings",
					     w->path, page_to_pfn(page), page_count(page),
					     page_mapcount(page));
				w->problems++;
			}
		}
		if (!next)
			break;
	}
}

/*
 * The VMAs on one of @mapping's lists (@nonlinear: i_mmap_nonlinear) map
 * it, are of that kind, and each is one of its mm's VMAs.
 */
static void check_vma_list(struct filemap_walk *w, struct address_space *mapping,
			   struct list_head *list, bool nonlinear)
{
	const char *name = nonlinear ? "i_mmap_nonlinear" : "i_mmap";
	struct vm_area_struct *vma;
	int n = 0;

	list_for_each_entry(vma, list, shared) {
		if (!vma->vm_file || vma->vm_file->f_mapping != mapping) {
			check_report(w->report, "%s: VMA [%#lx, %#lx) on its %s maps another file",
				     w->path, vma->vm_start, vma->vm_end, name);
			w->problems++;
		} else if (find_vma(vma->vm_mm, vma->vm_start) != vma) {
			check_report(w->report, "%s: VMA [%#lx, %#lx) on its %s is no VMA of its mm",
				     w->path, vma->vm_start, vma->vm_end, name);
			w->problems++;
		} else if (!(vma->vm_flags & VM_NONLINEAR) != !nonlinear) {
			check_report(w->report, "%s: VMA [%#lx, %#lx) on its %s is %slinear", w->path,
				     vma->vm_start, vma->vm_end, name, nonlinear ? "" : "non");
			w->problems++;
		}
		if (++n > 1000000)
			break;
	}
}

static void check_mapping(struct filemap_walk *w, struct address_space *mapping)
{
	long items;

	w->path = mapping->host->i_path;
	current_walk = w;
	spin_lock(&mapping->tree_lock);
	items = radix_tree_check(&mapping->page_tree, report_tree);
	if (items >= 0 && (unsigned long)items != mapping->nrpages) {
		check_report(w->report, "%s: %ld pages in the radix tree, nrpages %lu", w->path, items,
			     mapping->nrpages);
		w->problems++;
	}
	check_pages(w, mapping);
	spin_unlock(&mapping->tree_lock);
	spin_lock(&mapping->i_mmap_lock);
	check_vma_list(w, mapping, &mapping->i_mmap, false);
	check_vma_list(w, mapping, &mapping->i_mmap_nonlinear, true);
	spin_unlock(&mapping->i_mmap_lock);
	current_walk = NULL;
}

static void check_cached_inode(struct inode *inode, void *arg)
{
	check_mapping(arg, inode->i_mapping);
}

/* Each file VMA of @mm: on one of its file's lists; its mapping checked unless the cache's. */
static void check_mm_files(struct mm_struct *mm, void *arg)
{
	struct filemap_walk *w = arg;
	int steps = 0;

	/* A list broken into a cycle is mmap_check's to report: stop after map_count VMAs. */
	for (struct vm_area_struct *vma = mm->mmap; vma && steps++ <= mm->map_count;
	     vma = vma->vm_next) {
		struct address_space *mapping;
		struct vm_area_struct *v;
		bool found = false;

		if (!vma->vm_file)
			continue;
		mapping = vma->vm_file->f_mapping;
		spin_lock(&mapping->i_mmap_lock);
		list_for_each_entry(v, &mapping->i_mmap, shared)
			found |= v == vma;
		list_for_each_entry(v, &mapping->i_mmap_nonlinear, shared)
			found |= v == vma;
		spin_unlock(&mapping->i_mmap_lock);
		if (!found) {
			check_report(w->report, "%s: VMA [%#lx, %#lx) maps it but is not on its i_mmap",
				     mapping->host->i_path, vma->vm_start, vma->vm_end);
			w->problems++;
		}
		if (list_empty(&mapping->host->i_list))	/* unnamed shmem: not in the cache */
			check_mapping(w, mapping);
	}
}

static int check_filemaps(struct seq_file *report)
{
	struct filemap_walk w = { .report = report };

	if (!READ_ONCE(mm_cachep))
		return 0;	/* no file was ever opened or mapped */
	for_each_cached_inode(check_cached_inode, &w);
	for_each_mm(check_mm_files, &w);
	return w.problems;
}
MM_CHECK(filemap, check_filemaps);
