/*
 * shmem.c - shared memory objects: the pages behind MAP_SHARED|
 * MAP_ANONYMOUS, shared by every process that maps the object (a parent
 * and its forked children).
 *
 * mmap of shared anonymous memory gives the VMA an object of its own
 * (shmem_zero_setup), as 2.6.34 does with a file on its internal tmpfs
 * mount named "/dev/zero (deleted)" in /proc/PID/maps.  A fault asks the
 * object for the page at its offset (shmem_fault): the page is made,
 * zeroed, on first use and kept in the object until the object goes
 * (its last fput, when the last VMA mapping it is gone).  Its pages are
 * swap-backed page-cache pages: counted in Cached and Shmem, on the
 * anonymous LRU.  An access past the object's size (after mremap grew
 * the mapping) is SIGBUS, as on Linux.
 *
 * The pages are indexed by an array sized when the object is made;
 * issue 10's page cache brings the radix tree that files need.
 */
#include <kmm/bug.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/gfp.h>
#include <kmm/irqflags.h>
#include <kmm/mm.h>
#include <kmm/slab.h>
#include <kmm/string.h>
#include <kmm/vmalloc.h>
#include "mm/internal.h"

struct shmem_object {
	struct file file;
	struct address_space mapping;
	unsigned long charged;		/* pages charged to Committed_AS (shmem_acct_size) */
};

static unsigned long shmem_next_ino __state = 2048;

static void *pages_array_alloc(unsigned long n)
{
	unsigned long bytes = n * sizeof(struct page *);

	if (!bytes)
		bytes = sizeof(struct page *);
	if (bytes <= PAGE_SIZE)
		return kzalloc(bytes, GFP_KERNEL);
	return vzalloc(bytes);
}

static void pages_array_free(void *p, unsigned long n)
{
	if (n * sizeof(struct page *) <= PAGE_SIZE)
		kfree(p);
	else
		vfree(p);
}

/* Give every page back: the object's last reference went. */
static void shmem_release(struct file *file)
{
	struct shmem_object *obj = container_of(file, struct shmem_object, file);
	struct address_space *mapping = &obj->mapping;

	for (unsigned long i = 0; i < mapping->max_pages; i++) {
		struct page *page = mapping->pages[i];

		if (!page)
			continue;
		mapping->pages[i] = NULL;
		mod_page_state(page, NR_FILE_PAGES, -1);
		mod_page_state(page, NR_SHMEM, -1);
		page->mapping = NULL;
		put_page(page);
	}
	mapping->nrpages = 0;
	if (obj->charged)
		vm_unacct_memory(obj->charged);
	pages_array_free(mapping->pages, mapping->max_pages);
	kfree(obj);
}

static int shmem_mmap(struct file *file, struct vm_area_struct *vma);

static const struct file_operations shmem_file_operations = {
	.mmap = shmem_mmap,
	.release = shmem_release,
};

struct file *shmem_file_setup(const char *name, unsigned long size)
{
	unsigned long npages = PAGE_ALIGN(size) >> PAGE_SHIFT;
	struct shmem_object *obj = kzalloc(sizeof(*obj), GFP_KERNEL);

	if (!obj)
		return NULL;
	obj->mapping.pages = pages_array_alloc(npages);
	if (!obj->mapping.pages) {
		kfree(obj);
		return NULL;
	}
	obj->mapping.max_pages = npages;
	obj->mapping.size = size;
	obj->mapping.name = name;
	obj->mapping.ino = shmem_next_ino++;
	spin_lock_init(&obj->mapping.i_mmap_lock);
	INIT_LIST_HEAD(&obj->mapping.i_mmap);
	atomic_set(&obj->file.f_count, 1);
	obj->file.f_mode = FMODE_READ | FMODE_WRITE;
	obj->file.f_mapping = &obj->mapping;
	obj->file.f_op = &shmem_file_operations;
	obj->file.dev_major = 0;
	obj->file.dev_minor = 4;
	return &obj->file;
}

void fput(struct file *f)
{
	if (atomic_dec_and_test(&f->f_count) && f->f_op->release)
		f->f_op->release(f);
}

/* No process has file descriptors until issue 10: every fd is bad. */
struct file *fget(unsigned int fd)
{
	(void)fd;
	return NULL;
}

/*
 * The page at vmf->pgoff, made on first use (zeroed, swap-backed, in the
 * page cache: Cached and Shmem count it, the anonymous LRU holds it).
 * The object keeps one reference; the caller gets another.
 */
static int shmem_fault(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	struct page *page, *new = NULL;

	if (vmf->pgoff >= (PAGE_ALIGN(mapping->size) >> PAGE_SHIFT) ||
	    vmf->pgoff >= mapping->max_pages)
		return VM_FAULT_SIGBUS;
	spin_lock(&mapping->i_mmap_lock);
	page = mapping->pages[vmf->pgoff];
	if (page)
		get_page(page);
	spin_unlock(&mapping->i_mmap_lock);
	if (page)
		goto out;

	new = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
	if (!new)
		return VM_FAULT_OOM;
	SetPageSwapBacked(new);
	SetPageUptodate(new);
	spin_lock(&mapping->i_mmap_lock);
	page = mapping->pages[vmf->pgoff];
	if (!page) {
		page = new;
		new = NULL;
		page->mapping = mapping;
		page->index = vmf->pgoff;
		mapping->pages[vmf->pgoff] = page;
		mapping->nrpages++;
		mod_page_state(page, NR_FILE_PAGES, 1);
		mod_page_state(page, NR_SHMEM, 1);
	}
	get_page(page);
	spin_unlock(&mapping->i_mmap_lock);
	if (new)
		put_page(new);
	else
		lru_cache_add_lru(page, LRU_INACTIVE_ANON);
out:
	vmf->page = page;
	return 0;
}

/* The page at @index, with a reference for the caller; NULL for a hole (mincore). */
struct page *shmem_find_get_page(struct address_space *mapping, pgoff_t index)
{
	struct page *page = NULL;

	spin_lock(&mapping->i_mmap_lock);
	if (index < mapping->max_pages) {
		page = mapping->pages[index];
		if (page)
			get_page(page);
	}
	spin_unlock(&mapping->i_mmap_lock);
	return page;
}

/*
 * Punch a hole (MADV_REMOVE, 2.6.34's shmem_truncate_range by way of
 * vmtruncate_range): offsets [first, last] lose their pages.  Every VMA
 * mapping them is unmapped there first, so that the object's reference
 * is the last; a page some locked VMA kept mlocked stops being so; the
 * pages leave Cached and Shmem and go back to the allocator.  The next
 * fault there finds the hole and gets a new zeroed page.  The caller
 * holds no mmap_sem (the unmapping reaches other address spaces).
 */
int shmem_truncate_range(struct file *file, pgoff_t first, pgoff_t last)
{
	struct address_space *mapping = file->f_mapping;

	unmap_mapping_range(mapping, first, last);
	for (pgoff_t i = first; i <= last && i < mapping->max_pages; i++) {
		struct page *page;

		spin_lock(&mapping->i_mmap_lock);
		page = mapping->pages[i];
		if (page) {
			mapping->pages[i] = NULL;
			mapping->nrpages--;
		}
		spin_unlock(&mapping->i_mmap_lock);
		if (!page)
			continue;
		clear_page_mlock(page);
		mod_page_state(page, NR_FILE_PAGES, -1);
		mod_page_state(page, NR_SHMEM, -1);
		page->mapping = NULL;
		put_page(page);
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
		container_of(file, struct shmem_object, file)->charged = pages;
	if (vma->vm_file)
		fput(vma->vm_file);
	vma->vm_file = file;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}
