/*
 * vma.c - the VMAs of an address space: the sorted list and the red-black
 * tree that hold them, lookups, and the three ways a VMA changes shape:
 * vma_adjust (move its boundaries, perhaps swallowing or inserting a
 * neighbour), vma_merge (a new or re-protected range joins its
 * neighbours), split_vma (one VMA becomes two).
 *
 * Each VMA is on two structures that must always agree: mm->mmap, the
 * list sorted by address (vm_next), which walks ranges in order, and
 * mm->mm_rb, keyed by vm_end, which finds the VMA of an address in
 * O(log n).  mm->map_count counts them; mm->mmap_cache remembers the last
 * lookup (a third of lookups hit it on real workloads, per 2.6.34's
 * comment).  Everything here runs with mmap_sem held for writing, except
 * the lookups, which need it held for reading.
 *
 * (Linux 2.6.34 keeps all of this in mm/mmap.c; kmm gives it a file of its
 * own, as Linux later did, so that mmap.c holds the system calls.)
 */
#include <kmm/bug.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/rbtree.h>
#include <kmm/slab.h>
#include <kmm/string.h>
#include "mm/internal.h"

struct kmem_cache *vm_area_cachep __state_zero;

/* ---- lookups ---- */

/*
 * The tree is ordered by vm_end: the answer for @addr is the leftmost
 * VMA whose end lies above it.  Walking down, a VMA ending above @addr is
 * a candidate (and the search goes left for a lower one), unless it also
 * starts at or below @addr: then it contains @addr and nothing to its
 * left can be a better answer.
 */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = READ_ONCE(mm->mmap_cache);
	struct rb_node *node;

	if (vma && vma->vm_end > addr && vma->vm_start <= addr)
		return vma;
	vma = NULL;
	node = mm->mm_rb.rb_node;
	while (node) {
		struct vm_area_struct *v = rb_entry(node, struct vm_area_struct, vm_rb);

		if (v->vm_end > addr) {
			vma = v;
			if (v->vm_start <= addr)
				break;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	if (vma)
		WRITE_ONCE(mm->mmap_cache, vma);
	return vma;
}

/*
 * find_vma and the VMA before the answer.  The walk keeps the last VMA
 * that ends at or below @addr (every step right passes one); it stops
 * early when that VMA's successor already ends above @addr.
 */
struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev)
{
	struct vm_area_struct *prev = NULL;
	struct rb_node *node = mm->mm_rb.rb_node;

	while (node) {
		struct vm_area_struct *v = rb_entry(node, struct vm_area_struct, vm_rb);

		if (addr < v->vm_end) {
			node = node->rb_left;
		} else {
			prev = v;
			if (!v->vm_next || addr < v->vm_next->vm_end)
				break;
			node = node->rb_right;
		}
	}
	*pprev = prev;
	return prev ? prev->vm_next : mm->mmap;
}

/*
 * Where a VMA starting at @addr would go: the VMA containing or following
 * @addr (returned), the one before (*pprev), and the tree slot a new node
 * would be linked at (*rb_link under *rb_parent).
 */
struct vm_area_struct *find_vma_prepare(struct mm_struct *mm, unsigned long addr,
					struct vm_area_struct **pprev,
					struct rb_node ***rb_link, struct rb_node **rb_parent)
{
	struct rb_node **link = &mm->mm_rb.rb_node, *parent = NULL, *before = NULL;
	struct vm_area_struct *vma = NULL;

	while (*link) {
		struct vm_area_struct *v;

		parent = *link;
		v = rb_entry(parent, struct vm_area_struct, vm_rb);
		if (v->vm_end > addr) {
			vma = v;
			if (v->vm_start <= addr)
				break;
			link = &parent->rb_left;
		} else {
			before = parent;
			link = &parent->rb_right;
		}
	}
	*pprev = before ? rb_entry(before, struct vm_area_struct, vm_rb) : NULL;
	*rb_link = link;
	*rb_parent = parent;
	return vma;
}

/* ---- linking and unlinking ---- */

static void __vma_link_list(struct mm_struct *mm, struct vm_area_struct *vma,
			    struct vm_area_struct *prev, struct rb_node *rb_parent)
{
	if (prev) {
		vma->vm_next = prev->vm_next;
		prev->vm_next = vma;
	} else {
		/* First by address: the tree parent, if any, is the VMA after it. */
		mm->mmap = vma;
		vma->vm_next = rb_parent ? rb_entry(rb_parent, struct vm_area_struct, vm_rb) : NULL;
	}
}

static void __vma_link(struct mm_struct *mm, struct vm_area_struct *vma,
		       struct vm_area_struct *prev, struct rb_node **rb_link,
		       struct rb_node *rb_parent)
{
	__vma_link_list(mm, vma, prev, rb_parent);
	rb_link_node(&vma->vm_rb, rb_parent, rb_link);
	rb_insert_color(&vma->vm_rb, &mm->mm_rb);
}

void vma_link(struct mm_struct *mm, struct vm_area_struct *vma, struct vm_area_struct *prev,
	      struct rb_node **rb_link, struct rb_node *rb_parent)
{
	__vma_link(mm, vma, prev, rb_link, rb_parent);
	if (vma->vm_file)
		vma_link_file(vma);
	mm->map_count++;
}

/* Link a VMA that split_vma made (its place is found afresh). */
static void __insert_vm_struct(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *next, *prev;
	struct rb_node **rb_link, *rb_parent;

	next = find_vma_prepare(mm, vma->vm_start, &prev, &rb_link, &rb_parent);
	BUG_ON(next && next->vm_start < vma->vm_end);
	__vma_link(mm, vma, prev, rb_link, rb_parent);
	mm->map_count++;
}

static void __vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma,
			 struct vm_area_struct *prev)
{
	prev->vm_next = vma->vm_next;
	rb_erase(&vma->vm_rb, &mm->mm_rb);
	if (mm->mmap_cache == vma)
		mm->mmap_cache = prev;
}

/*
 * Link a VMA built by the caller (the stack of a new process, a special
 * mapping).  An anonymous VMA's vm_pgoff is set to its start page, as
 * mmap and brk set it, so that merges and splits line up.  -ENOMEM if the
 * range is taken or cannot be charged.
 */
int insert_vm_struct(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *next, *prev;
	struct rb_node **rb_link, *rb_parent;

	if (!vma->vm_file) {
		BUG_ON(vma->anon_vma);
		vma->vm_pgoff = vma->vm_start >> PAGE_SHIFT;
	}
	next = find_vma_prepare(mm, vma->vm_start, &prev, &rb_link, &rb_parent);
	if (next && next->vm_start < vma->vm_end)
		return -ENOMEM;
	if ((vma->vm_flags & VM_ACCOUNT) && security_vm_enough_memory_mm(mm, vma_pages(vma)))
		return -ENOMEM;
	vma_link(mm, vma, prev, rb_link, rb_parent);
	return 0;
}

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = kmem_cache_zalloc(vm_area_cachep, GFP_KERNEL);

	if (vma) {
		vma->vm_mm = mm;
		INIT_LIST_HEAD(&vma->anon_vma_chain);
		INIT_LIST_HEAD(&vma->shared);
	}
	return vma;
}

/* A copy of @orig (same range, flags, file, anon_vma pointer), not linked anywhere. */
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *new = kmem_cache_alloc(vm_area_cachep, GFP_KERNEL);

	if (new) {
		*new = *orig;
		INIT_LIST_HEAD(&new->anon_vma_chain);
		INIT_LIST_HEAD(&new->shared);
		new->vm_next = NULL;
		RB_CLEAR_NODE(&new->vm_rb);
	}
	return new;
}

void vm_area_free(struct vm_area_struct *vma)
{
	kmem_cache_free(vm_area_cachep, vma);
}

/* ---- changing boundaries ---- */

/*
 * vma_adjust - set @vma to [start, end) at @pgoff, and keep the
 * neighbourhood consistent:
 *
 *   - with @insert (split_vma): @insert, the other half, is linked;
 *   - else, if @end reaches past vma's end into the next VMA:
 *       end >= next's end: next is swallowed (removed), and when end goes
 *         past it too, so is the one after (remove_next == 2, mprotect's
 *         case 6) -- vma_merge never asks for more than that;
 *       end inside next: next now starts at @end (case 5, the boundary
 *         moves up);
 *   - else, if @end is below vma's end (and no insert), next grows down
 *     to @end (case 4, the boundary moves down).
 *
 * Whichever VMA takes pages from the other (the importer) must also take
 * its anon_vma, or the pages it imports would not find their way back
 * through rmap: anon_vma_clone first, and that is the only failure.
 */
int vma_adjust(struct vm_area_struct *vma, unsigned long start, unsigned long end,
	       pgoff_t pgoff, struct vm_area_struct *insert)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *next = vma->vm_next;
	struct vm_area_struct *importer = NULL;
	long adjust_next = 0;	/* pages next's start moves by */
	int remove_next = 0;

	if (next && !insert) {
		struct vm_area_struct *exporter = NULL;

		if (end >= next->vm_end) {
again:
			remove_next = 1 + (end > next->vm_end);
			end = next->vm_end;
			exporter = next;
			importer = vma;
		} else if (end > next->vm_start) {
			adjust_next = (long)((end - next->vm_start) >> PAGE_SHIFT);
			exporter = next;
			importer = vma;
		} else if (end < vma->vm_end) {
			adjust_next = -(long)((vma->vm_end - end) >> PAGE_SHIFT);
			exporter = vma;
			importer = next;
		}
		if (exporter && exporter->anon_vma && !importer->anon_vma) {
			if (anon_vma_clone(importer, exporter))
				return -ENOMEM;
			importer->anon_vma = exporter->anon_vma;
		}
	}

	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = pgoff;
	if (adjust_next) {
		next->vm_start += adjust_next * (long)PAGE_SIZE;
		next->vm_pgoff += adjust_next;
	}
	if (remove_next) {
		__vma_unlink(mm, next, vma);
		if (next->vm_file)
			vma_unlink_file(next);
	} else if (insert) {
		if (insert->vm_file)
			vma_link_file(insert);
		__insert_vm_struct(mm, insert);
	}

	if (remove_next) {
		if (next->vm_file)
			fput(next->vm_file);
		if (next->anon_vma)
			anon_vma_merge(vma, next);
		mm->map_count--;
		vm_area_free(next);
		if (remove_next == 2) {
			next = vma->vm_next;
			goto again;
		}
	}
	return 0;
}

/* ---- merging ---- */

/* Same flags (but for VM_CAN_NONLINEAR), same file, and no close hook to keep count. */
static bool is_mergeable_vma(struct vm_area_struct *vma, struct file *file, unsigned long vm_flags)
{
	if ((vma->vm_flags ^ vm_flags) & ~VM_CAN_NONLINEAR)
		return false;
	if (vma->vm_file != file)
		return false;
	return !(vma->vm_ops && vma->vm_ops->close);
}

/* Pages of two anon_vmas cannot live in one VMA; no anon_vma yet joins anything. */
static bool is_mergeable_anon_vma(struct anon_vma *a, struct anon_vma *b)
{
	return !a || !b || a == b;
}

/* Can (flags, anon_vma, file, pgoff) go right in front of @vma? */
static bool can_vma_merge_before(struct vm_area_struct *vma, unsigned long vm_flags,
				 struct anon_vma *anon_vma, struct file *file, pgoff_t pgoff)
{
	return is_mergeable_vma(vma, file, vm_flags) &&
	       is_mergeable_anon_vma(anon_vma, vma->anon_vma) && vma->vm_pgoff == pgoff;
}

/* Can it go right after @vma: the offsets continue where vma's end? */
static bool can_vma_merge_after(struct vm_area_struct *vma, unsigned long vm_flags,
				struct anon_vma *anon_vma, struct file *file, pgoff_t pgoff)
{
	return is_mergeable_vma(vma, file, vm_flags) &&
	       is_mergeable_anon_vma(anon_vma, vma->anon_vma) &&
	       vma->vm_pgoff + vma_pages(vma) == pgoff;
}

/*
 * vma_merge - the range [addr, end) with these flags, anon_vma, file and
 * pgoff is about to exist after @prev (NULL: first); can it become part
 * of prev, of the VMA after it, or join both?  Returns the VMA that now
 * covers it, or NULL (the caller makes a new VMA, or for mprotect splits).
 *
 * For mmap, brk and mremap the range is unmapped.  For mprotect it is
 * mapped already, inside prev or at the start of the next VMA, and is
 * about to take these flags.  A = the range, P = prev, N = next, X = the
 * one after next:
 *
 *   mmap, brk, mremap:                       mprotect:
 *        AAAA         AAAA   AAAA      AAAA              AAAA       AAAA
 *   PPPP    NNNN   PPPP         NNNN  PPPPPPNNNNNN  PPPPPPNNNNNN  PPPPNNNNXXXX
 *   case 1: PPPPPPPPPPPP              case 4:       case 5:       case 6: PPPPPPPPPPPP
 *   case 2: PPPPPPPP                  PPNNNNNNNNNN  PPPPPPPPPPNN  case 7: PPPPPPPPXXXX
 *   case 3:          NNNNNNNN                                     case 8: PPPPNNNNNNNN
 *
 * Case 8 is the odd one: N grows over A but keeps X's flags only after
 * mprotect_fixup sets them.  The merge with prev is tried first; the one
 * with next only when prev will not do.
 */
struct vm_area_struct *vma_merge(struct mm_struct *mm, struct vm_area_struct *prev,
				 unsigned long addr, unsigned long end, unsigned long vm_flags,
				 struct anon_vma *anon_vma, struct file *file, pgoff_t pgoff)
{
	pgoff_t pglen = (end - addr) >> PAGE_SHIFT;
	struct vm_area_struct *area, *next;
	int err;

	/* VMAs of I/O or fixed size never merge (vm_flags must then be equal, so this tests both). */
	if (vm_flags & VM_SPECIAL)
		return NULL;

	next = prev ? prev->vm_next : mm->mmap;
	area = next;
	if (next && next->vm_end == end)	/* cases 6, 7, 8: A is all of next */
		next = next->vm_next;

	if (prev && prev->vm_end == addr &&
	    can_vma_merge_after(prev, vm_flags, anon_vma, file, pgoff)) {
		if (next && end == next->vm_start &&
		    can_vma_merge_before(next, vm_flags, anon_vma, file, pgoff + pglen) &&
		    is_mergeable_anon_vma(prev->anon_vma, next->anon_vma))
			err = vma_adjust(prev, prev->vm_start, next->vm_end, prev->vm_pgoff,
					 NULL);				/* cases 1, 6 */
		else
			err = vma_adjust(prev, prev->vm_start, end, prev->vm_pgoff,
					 NULL);				/* cases 2, 5, 7 */
		if (err)
			goto nomem;
		return prev;
	}

	if (next && end == next->vm_start &&
	    can_vma_merge_before(next, vm_flags, anon_vma, file, pgoff + pglen)) {
		if (prev && addr < prev->vm_end)			/* case 4 */
			err = vma_adjust(prev, prev->vm_start, addr, prev->vm_pgoff, NULL);
		else							/* cases 3, 8 */
			err = vma_adjust(area, addr, next->vm_end, next->vm_pgoff - pglen, NULL);
		if (err)
			goto nomem;
		return area;
	}
	return NULL;

nomem:
	/*
	 * The importer could not be linked to the exporter's anon_vma: no
	 * merge, as in 2.6.34, and the caller goes on without one (a VMA of
	 * its own for mmap, the range split off for mprotect).  The range
	 * stays apart from its neighbours though one VMA could hold them.
	 */
	if (prev)
		prev->kmm_apart_ok |= KMM_APART_NEXT;
	if (next)
		next->kmm_apart_ok |= KMM_APART_PREV;
	return NULL;
}

/* ---- splitting ---- */

/*
 * Split @vma at @addr into two VMAs.  The new VMA is the lower part when
 * @new_below, else the upper part; @vma keeps the other.  Both share the
 * anon_vmas (the new one is linked to every anon_vma the old one is).
 * __split_vma does not check max_map_count: munmap may go one over it
 * briefly on its way to fewer VMAs.
 */
int __split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
		int new_below)
{
	struct vm_area_struct *new;
	int err;

	new = vm_area_dup(vma);
	if (!new)
		return -ENOMEM;
	if (new_below) {
		new->vm_end = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	}
	/* Each half keeps what mm_check allows of the neighbour on its side. */
	new->kmm_apart_ok &= new_below ? KMM_APART_PREV : KMM_APART_NEXT;
	err = anon_vma_clone(new, vma);
	if (err)
		goto out_free;
	if (new->vm_file)
		get_file(new->vm_file);
	if (new->vm_ops && new->vm_ops->open)
		new->vm_ops->open(new);

	if (new_below)
		err = vma_adjust(vma, addr, vma->vm_end,
				 vma->vm_pgoff + ((addr - new->vm_start) >> PAGE_SHIFT), new);
	else
		err = vma_adjust(vma, vma->vm_start, addr, vma->vm_pgoff, new);
	if (!err) {
		vma->kmm_apart_ok &= new_below ? KMM_APART_NEXT : KMM_APART_PREV;
		return 0;
	}

	if (new->vm_ops && new->vm_ops->close)
		new->vm_ops->close(new);
	if (new->vm_file)
		fput(new->vm_file);
	unlink_anon_vmas(new);
out_free:
	vm_area_free(new);
	return err;
}

int split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, int new_below)
{
	if (mm->map_count >= sysctl_max_map_count)
		return -ENOMEM;
	return __split_vma(mm, vma, addr, new_below);
}

/*
 * vma_modify_flags - make [start, end) of @vma (@prev: the VMA before the
 * range, or @vma itself when the range starts inside it) exactly one VMA
 * that is about to take @newflags: merged into a neighbour first (a split
 * that a merge would undo costs a VMA and may fail), else split off @vma
 * at the range's ends.  Returns that VMA; the caller sets the flags.  The
 * merge takes @vma's anon_vma and file and the range's own pgoff, so that
 * faulted pages stay where rmap looks for them.  ERR_PTR(-ENOMEM) when a
 * split fails; one made before a failing second split stays (so does
 * Linux's: the two halves still describe the space).  mprotect, mlock
 * and madvise all change a range's flags this way.
 */
struct vm_area_struct *vma_modify_flags(struct vm_area_struct *prev, struct vm_area_struct *vma,
					unsigned long start, unsigned long end,
					unsigned long newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	pgoff_t pgoff = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	struct vm_area_struct *merged;
	bool split_at_start = start != vma->vm_start;
	int error;

	merged = vma_merge(mm, prev, start, end, newflags, vma->anon_vma, vma->vm_file, pgoff);
	if (merged)
		return merged;
	if (split_at_start) {
		error = split_vma(mm, vma, start, 1);
		if (error)
			return ERR_PTR(error);
	}
	if (end != vma->vm_end) {
		error = split_vma(mm, vma, end, 0);
		if (error) {
			/* The split at start stays: its two halves are apart. */
			if (split_at_start)
				vma->kmm_apart_ok |= KMM_APART_PREV;
			return ERR_PTR(error);
		}
	}
	return vma;
}

/*
 * copy_vma - for mremap's move: a VMA at [addr, addr + len) with @vma's
 * flags, file and anon_vma, merged into a neighbour if one fits.  An
 * anonymous VMA that never faulted takes the pgoff of its new address
 * (the best chance to merge there).  *vmap is updated when the source
 * itself was merged into the result.  NULL when out of memory, with
 * nothing changed.
 *
 * The pages about to move in point at vma's anon_vma, so the VMA that
 * receives them must be linked to every anon_vma vma is, or rmap would
 * not find them there.  A new VMA is cloned from vma; a neighbour that
 * takes the range has vma's anon_vma or none (vma_merge's rule), and one
 * with none gets vma's links -- 2.6.34 forgets this, and once the old
 * VMA is unmapped its anon_vma may be freed under pages still mapped.
 * The links are made before the merge, on the VMA that would otherwise
 * be linked in, so that no allocation can fail after the merge.
 */
struct vm_area_struct *copy_vma(struct vm_area_struct **vmap, unsigned long addr,
				unsigned long len, pgoff_t pgoff)
{
	struct vm_area_struct *vma = *vmap, *new_vma, *merged, *prev;
	unsigned long vma_start = vma->vm_start;
	struct mm_struct *mm = vma->vm_mm;
	struct rb_node **rb_link, *rb_parent;

	if (!vma->vm_file && !vma->anon_vma)
		pgoff = addr >> PAGE_SHIFT;
	new_vma = vm_area_dup(vma);
	if (!new_vma)
		return NULL;
	if (anon_vma_clone(new_vma, vma)) {
		vm_area_free(new_vma);
		return NULL;
	}
	new_vma->vm_start = addr;
	new_vma->vm_end = addr + len;
	new_vma->vm_pgoff = pgoff;

	find_vma_prepare(mm, addr, &prev, &rb_link, &rb_parent);
	merged = vma_merge(mm, prev, addr, addr + len, vma->vm_flags, vma->anon_vma,
			   vma->vm_file, pgoff);
	if (merged) {
		if (vma->anon_vma && !merged->anon_vma)
			anon_vma_moveto(merged, new_vma);
		else
			unlink_anon_vmas(new_vma);
		vm_area_free(new_vma);
		if (vma_start >= merged->vm_start && vma_start < merged->vm_end)
			*vmap = merged;
		return merged;
	}
	if (new_vma->vm_file)
		get_file(new_vma->vm_file);
	if (new_vma->vm_ops && new_vma->vm_ops->open)
		new_vma->vm_ops->open(new_vma);
	vma_link(mm, new_vma, prev, rb_link, rb_parent);
	return new_vma;
}

/*
 * ---- the file side: a VMA on its object's i_mmap, holding a file reference ----
 *
 * A linear VMA goes on i_mmap, a nonlinear one (remap_file_pages made it
 * so; its split pieces and mremap'd copies inherit the flag) on
 * i_mmap_nonlinear: the walks that find a page from its index
 * (try_to_munlock) take only the first.
 */
void vma_link_file(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma->vm_file->f_mapping;

	spin_lock(&mapping->i_mmap_lock);
	if (vma->vm_flags & VM_SHARED)
		mapping->i_mmap_writable++;
	list_add_tail(&vma->shared, vma->vm_flags & VM_NONLINEAR ? &mapping->i_mmap_nonlinear :
								    &mapping->i_mmap);
	spin_unlock(&mapping->i_mmap_lock);
}

void vma_unlink_file(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma->vm_file->f_mapping;

	spin_lock(&mapping->i_mmap_lock);
	if (vma->vm_flags & VM_SHARED)
		mapping->i_mmap_writable--;
	list_del_init(&vma->shared);
	spin_unlock(&mapping->i_mmap_lock);
}
