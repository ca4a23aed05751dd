/*
 * rmap.c - reverse mapping: from a page to the PTEs that map it.
 *
 * An anonymous page points (page->mapping, with bit 0 set) to the
 * anon_vma of the VMA it was first faulted in, and page->index is its
 * offset in the VMA's linear page numbering (vm_pgoff + page offset).
 * The anon_vma lists every VMA that may map that page: the original, the
 * pieces split or moved from it, and after fork the children's copies.
 * 2.6.34's scheme (anon_vma_chain): every VMA links, through one
 * anon_vma_chain each, to its own anon_vma and to each of its ancestors'.
 *
 *   parent VMA P -- avc --> AV(P)        a page faulted in P: mapping = AV(P)
 *   child  VMA C -- avc --> AV(P)        so rmap of that page finds P and C
 *                -- avc --> AV(C)        a page C copies on write: AV(C) only
 *
 * page->_mapcount counts the PTEs mapping a page (minus one), kept exact:
 * a page is mapped exactly as many times as page tables point at it.
 * NR_ANON_PAGES and NR_FILE_MAPPED ("AnonPages", "Mapped") count pages
 * mapped at least once.
 *
 * Lock order: mmap_sem, anon_vma->lock, page_table_lock (mm/internal.h).
 */
#include <kmm/bug.h>
#include <kmm/errno.h>
#include <kmm/irqflags.h>
#include <kmm/list.h>
#include <kmm/mm.h>
#include <kmm/slab.h>
#include "mm/internal.h"

struct kmem_cache *anon_vma_cachep __state, *anon_vma_chain_cachep __state_zero;

static struct anon_vma *anon_vma_alloc(void)
{
	struct anon_vma *av = kmem_cache_alloc(anon_vma_cachep, GFP_KERNEL);

	if (av) {
		spin_lock_init(&av->lock);
		INIT_LIST_HEAD(&av->head);
		atomic_set(&av->ksm_refcount, 0);
		atomic_set(&av->refcount, 0);
		av->root = av;
	}
	return av;
}

static void anon_vma_free(struct anon_vma *av)
{
	kmem_cache_free(anon_vma_cachep, av);
}

static struct anon_vma_chain *anon_vma_chain_alloc(void)
{
	return kmem_cache_alloc(anon_vma_chain_cachep, GFP_KERNEL);
}

static void anon_vma_chain_free(struct anon_vma_chain *avc)
{
	kmem_cache_free(anon_vma_chain_cachep, avc);
}

/* Link @vma to @av through @avc (on both lists). */
static void anon_vma_chain_link(struct vm_area_struct *vma, struct anon_vma_chain *avc,
				struct anon_vma *av)
{
	avc->vma = vma;
	avc->anon_vma = av;
	list_add(&avc->same_vma, &vma->anon_vma_chain);
	spin_lock(&av->lock);
	list_add_tail(&avc->same_anon_vma, &av->head);
	atomic_inc(&av->refcount);
	spin_unlock(&av->lock);
}

/*
 * A neighbour's anon_vma can be shared when the two VMAs could one day
 * merge (adjacent, same file, flags differing only in rwx, offsets in
 * line) and the neighbour's anon_vma is its own only (not inherited
 * through fork): then repeated mprotect/fault sequences do not breed
 * anon_vmas that would keep VMAs from merging back.
 */
static bool anon_vma_compatible(struct vm_area_struct *a, struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) & ~(VM_READ | VM_WRITE | VM_EXEC)) &&
	       b->vm_pgoff == a->vm_pgoff + ((b->vm_start - a->vm_start) >> PAGE_SHIFT);
}

static struct anon_vma *reusable_anon_vma(struct vm_area_struct *old, struct vm_area_struct *a,
					  struct vm_area_struct *b)
{
	if (anon_vma_compatible(a, b)) {
		struct anon_vma *av = READ_ONCE(old->anon_vma);

		if (av && list_is_singular(&old->anon_vma_chain))
			return av;
	}
	return NULL;
}

struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma)
{
	struct vm_area_struct *near = vma->vm_next, *prev;
	struct anon_vma *av;

	if (near) {
		av = reusable_anon_vma(near, vma, near);
		if (av)
			return av;
	}
	BUG_ON(find_vma_prev(vma->vm_mm, vma->vm_start, &prev) != vma);
	if (prev)
		return reusable_anon_vma(prev, prev, vma);
	return NULL;
}

/*
 * anon_vma_prepare - give @vma an anon_vma before its first anonymous page
 * (a neighbour's if it can share one, else a new one).  Page faults call
 * it with mmap_sem held only for reading: two threads may race here, and
 * page_table_lock decides -- the loser frees what it allocated.
 */
int anon_vma_prepare(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma *av, *allocated = NULL;
	struct anon_vma_chain *avc;

	might_sleep();
	if (likely(READ_ONCE(vma->anon_vma)))
		return 0;
	avc = anon_vma_chain_alloc();
	if (!avc)
		return -ENOMEM;
	av = find_mergeable_anon_vma(vma);
	if (!av) {
		av = anon_vma_alloc();
		if (!av) {
			anon_vma_chain_free(avc);
			return -ENOMEM;
		}
		allocated = av;
	}
	spin_lock(&av->lock);
	spin_lock(&mm->page_table_lock);
	if (likely(!vma->anon_vma)) {
		avc->vma = vma;
		avc->anon_vma = av;
		list_add(&avc->same_vma, &vma->anon_vma_chain);
		list_add_tail(&avc->same_anon_vma, &av->head);
		atomic_inc(&av->refcount);
		WRITE_ONCE(vma->anon_vma, av);
		allocated = NULL;
		avc = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	spin_unlock(&av->lock);
	if (allocated)
		anon_vma_free(allocated);
	if (avc)
		anon_vma_chain_free(avc);
	return 0;
}

/* @dst (a split or moved part of @src) is linked to every anon_vma @src is. */
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct anon_vma_chain *avc, *pavc;

	list_for_each_entry_reverse(pavc, &src->anon_vma_chain, same_vma) {
		avc = anon_vma_chain_alloc();
		if (!avc)
			goto enomem;
		anon_vma_chain_link(dst, avc, pavc->anon_vma);
	}
	return 0;
enomem:
	unlink_anon_vmas(dst);
	return -ENOMEM;
}

/*
 * fork: the child's VMA @vma shares the parent's (@pvma) anon_vmas, so
 * rmap finds the child's PTEs of the pages they share, and gets one of
 * its own for the pages it will copy on write.
 */
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av;

	if (!pvma->anon_vma)
		return 0;
	if (anon_vma_clone(vma, pvma))
		return -ENOMEM;
	av = anon_vma_alloc();
	if (!av)
		goto out_error;
	avc = anon_vma_chain_alloc();
	if (!avc) {
		anon_vma_free(av);
		goto out_error;
	}
	vma->anon_vma = av;
	anon_vma_chain_link(vma, avc, av);
	return 0;
out_error:
	unlink_anon_vmas(vma);
	return -ENOMEM;
}

/* Drop every link of @vma; an anon_vma no VMA links to any more is freed. */
void unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc, *next;

	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		struct anon_vma *av = avc->anon_vma;
		bool empty;

		spin_lock(&av->lock);
		list_del(&avc->same_anon_vma);
		empty = atomic_dec_and_test(&av->refcount);
		spin_unlock(&av->lock);
		if (empty)
			anon_vma_free(av);
		list_del(&avc->same_vma);
		anon_vma_chain_free(avc);
	}
	vma->anon_vma = NULL;
}

/*
 * @dst, which has no anon_vma, takes over every link of @src (a VMA that
 * is not linked in the address space: copy_vma's spare); @src is left
 * with none.  Nothing is allocated, so nothing can fail.
 */
void anon_vma_moveto(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct anon_vma_chain *avc, *next;

	VM_BUG_ON(dst->anon_vma || !list_empty(&dst->anon_vma_chain));
	list_for_each_entry_safe(avc, next, &src->anon_vma_chain, same_vma) {
		spin_lock(&avc->anon_vma->lock);
		avc->vma = dst;
		spin_unlock(&avc->anon_vma->lock);
		list_move_tail(&avc->same_vma, &dst->anon_vma_chain);
	}
	WRITE_ONCE(dst->anon_vma, src->anon_vma);
	src->anon_vma = NULL;
}

/* vma_adjust swallowed @next into @vma: next's links go (vma has the same anon_vma). */
void anon_vma_merge(struct vm_area_struct *vma, struct vm_area_struct *next)
{
	VM_BUG_ON(vma->anon_vma != next->anon_vma);
	unlink_anon_vmas(next);
}

/* ---- pages ---- */

static void __page_set_anon_rmap(struct page *page, struct vm_area_struct *vma,
				 unsigned long address)
{
	page->mapping = (struct address_space *)((unsigned long)vma->anon_vma + PAGE_MAPPING_ANON);
	page->index = linear_page_index(vma, address);
}

/*
 * A page just allocated for @vma at @address: mapped once, anonymous,
 * swap-backed, on the active anonymous LRU -- or, in a locked VMA,
 * mlocked and on the unevictable list.  The caller holds the
 * page_table_lock and has not yet published the PTE.
 */
void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long address)
{
	VM_BUG_ON(address < vma->vm_start || address >= vma->vm_end);
	SetPageSwapBacked(page);
	atomic_set(&page->_mapcount, 0);
	__page_set_anon_rmap(page, vma, address);
	mod_page_state(page, NR_ANON_PAGES, 1);
	if (is_mlocked_vma(vma, page))
		add_page_to_unevictable_list(page);
	else
		lru_cache_add_lru(page, LRU_ACTIVE_ANON);
}

void page_add_file_rmap(struct page *page)
{
	if (atomic_inc_return(&page->_mapcount) == 0)
		mod_page_state(page, NR_FILE_MAPPED, 1);
}

/*
 * One mapping less.  The last one takes the page out of AnonPages or
 * Mapped; page->mapping stays (the free path clears an anon page's).
 */
void page_remove_rmap(struct page *page)
{
	if (atomic_dec_return(&page->_mapcount) >= 0)
		return;
	mod_page_state(page, PageAnon(page) ? NR_ANON_PAGES : NR_FILE_MAPPED, -1);
}

unsigned long vma_address(struct page *page, struct vm_area_struct *vma)
{
	pgoff_t pgoff = page->index;
	unsigned long address = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);

	if (unlikely(address < vma->vm_start || address >= vma->vm_end))
		return -EFAULT;
	return address;
}
