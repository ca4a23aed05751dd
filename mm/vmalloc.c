/*
 * vmalloc.c - virtually contiguous kernel memory (seed 002; seed 003,
 * 2.4.1): the allocator of ranges in the vmalloc area, the vm_struct areas
 * built on them, and vmalloc/vmap/vfree.
 *
 * Two layers, as in 2.6.34.  Ranges: each used piece of [VMALLOC_START,
 * vmalloc_limit) is a vmap_area, kept both in an rbtree and in a list,
 * both sorted by address.  A new range goes at the lowest address that
 * fits (alloc_vmap_area; a cache lets the search skip holes known to be
 * too small, with the same result).  A freed range is not given back at
 * once: it goes "lazy" and waits until enough have gathered, then one
 * purge gives them all back with a single TLB flush.  Areas: each range
 * that holds something is described by a vm_struct on vmlist (by
 * address), one page larger than asked; the last page, the guard, is
 * never mapped.
 *
 * vmalloc takes an area, a pages array (kmalloc, or a nested vmalloc when
 * the array passes a page), one page at a time from the page allocator,
 * and maps them through the one kernel-mapping primitive
 * (arch/x86/kernel_map.h), which also mirrors them into the host window so
 * that the pointer returned is ordinary memory.
 *
 * Invariants (mm_check verifies them):
 *   the tree and the list hold the same vmap_areas in the same order;
 *   areas are page aligned, disjoint and inside [VMALLOC_START, vmalloc_limit);
 *   a vmap_area is either an area's (VM_VM_AREA, private == its vm_struct,
 *     on vmlist once filled in) or lazy (VM_LAZY_FREE, PTEs clear);
 *   vmap_lazy_nr == sum over lazy areas of their pages;
 *   each page of a VM_ALLOC area is mapped by a present PTE to pages[i];
 *     the guard page of every area has no present PTE.
 *
 * Locking: vmap_area_lock (tree, list, vmap_area flags, the search
 * cache), vmlist_lock (vmlist, the vm_structs on it), purge_lock (one
 * purge at a time).  None is held while allocating memory or mapping;
 * purge_lock is taken outside vmap_area_lock (mm/internal.h has the
 * order).
 *
 * Elsewhere: /proc/vmallocinfo and get_vmalloc_info (vmalloc_proc.c),
 * ioremap (ioremap.c), the PTEs and host windows (arch/x86/kernel_map.c),
 * the invariant checks (vmalloc_check.c).
 */
#include <kmm/atomic.h>
#include <kmm/bitops.h>
#include <kmm/err.h>
#include <kmm/hash.h>
#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/log2.h>
#include <kmm/mm.h>
#include <kmm/pgtable.h>
#include <kmm/printk.h>
#include <kmm/rbtree.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/slab.h>
#include <kmm/smp.h>
#include <kmm/spinlock.h>
#include <kmm/vmalloc.h>
#include "arch/x86/kernel_map.h"
#include "mm/internal.h"

/* ---- the range allocator ---- */

DEFINE_SPINLOCK(vmap_area_lock);
DEFINE_SPINLOCK(purge_lock);
struct rb_root vmap_area_root __state = { NULL };
struct list_head vmap_area_list __state = LIST_HEAD_INIT(vmap_area_list);

/* Pages of lazily freed ranges not yet purged (VM_LAZY_FREE areas). */
atomic_long_t vmap_lazy_nr __state_zero;
/* Statistics of the purges (kmm only), written under purge_lock. */
static unsigned long nr_purges __state, nr_purge_flushes __state_zero;

/*
 * Who asked for an area, for /proc/vmallocinfo: a running script's line
 * (the kmm program names it FILE:LINE), else the C caller given.
 */
static void *area_caller(void *caller)
{
	return current->call_site ? (void *)current->call_site : caller;
}

/*
 * A cache in front of the tree for finding a range by its start (kmm
 * only; 2.6.34 walks the tree): slot hash(va_start) points at the range
 * last inserted there, until that range leaves the tree.  A hit is
 * checked against the address, a miss walks, so the answer is always the
 * tree's.  It matters because the tree also holds every lazy range
 * waiting for a purge (thousands under a stream of vmalloc/vfree): the
 * walk to the area being freed crosses a dozen or more nodes, each a
 * cache miss once the host's mapping calls have cooled the caches.
 */
#define VA_LOOKUP_BITS	7
static struct vmap_area *va_lookup[1 << VA_LOOKUP_BITS] __state_zero;

static struct vmap_area **va_lookup_slot(unsigned long addr)
{
	return &va_lookup[hash_long(addr >> PAGE_SHIFT, VA_LOOKUP_BITS)];
}

/* For mm_check: does @va's slot point at it; how many slots point anywhere. */
bool va_lookup_holds(const struct vmap_area *va)
{
	return *va_lookup_slot(va->va_start) == va;
}

unsigned long va_lookup_used(void)
{
	unsigned long used = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(va_lookup); i++)
		used += va_lookup[i] != NULL;
	return used;
}

/* The vmap_area starting exactly at @addr.  Caller holds vmap_area_lock. */
static struct vmap_area *__find_vmap_area(unsigned long addr)
{
	struct vmap_area *hit = *va_lookup_slot(addr);
	struct rb_node *n = vmap_area_root.rb_node;

	if (hit && hit->va_start == addr)
		return hit;
	while (n) {
		struct vmap_area *va = rb_entry(n, struct vmap_area, rb_node);

		if (addr == va->va_start)
			return va;
		n = addr < va->va_start ? n->rb_left : n->rb_right;
	}
	return NULL;
}

/*
 * Link @va into the tree and the list, between @prev and @next, the
 * ranges the search found on either side of it (NULL: none).  A binary
 * search tree has exactly one empty slot between two neighbours: the
 * right child of @prev when @prev has none, else the left child of @next
 * (@next is then the leftmost node of @prev's right subtree, so its left
 * is empty); with no @prev, @next is the leftmost node of all.  So the
 * new node goes where a walk from the root would put it, without the
 * walk, which through the thousands of lazy ranges waiting for a purge
 * was the largest cost of a vmalloc.  The list place is the same: after
 * @prev.  Neighbours that do not surround @va are corruption: BUG.
 * Caller holds vmap_area_lock.
 */
static void __insert_vmap_area(struct vmap_area *va, struct vmap_area *prev,
			       struct vmap_area *next)
{
	struct rb_node **link, *parent;

	BUG_ON(prev && prev->va_end > va->va_start);
	BUG_ON(next && va->va_end > next->va_start);
	VM_BUG_ON((prev ? rb_next(&prev->rb_node) : rb_first(&vmap_area_root)) !=
		  (next ? &next->rb_node : NULL));
	if (prev && !prev->rb_node.rb_right) {
		parent = &prev->rb_node;
		link = &parent->rb_right;
	} else if (next) {
		BUG_ON(next->rb_node.rb_left);
		parent = &next->rb_node;
		link = &parent->rb_left;
	} else {
		BUG_ON(vmap_area_root.rb_node);
		parent = NULL;
		link = &vmap_area_root.rb_node;
	}
	rb_link_node(&va->rb_node, parent, link);
	rb_insert_color(&va->rb_node, &vmap_area_root);
	list_add(&va->list, prev ? &prev->list : &vmap_area_list);
	*va_lookup_slot(va->va_start) = va;
}

static void __vmap_cache_erase(struct vmap_area *va);

/* Unlink @va; the caller kfrees it after dropping vmap_area_lock, which it holds. */
static void __free_vmap_area(struct vmap_area *va)
{
	struct vmap_area **slot = va_lookup_slot(va->va_start);

	BUG_ON(RB_EMPTY_NODE(&va->rb_node));
	if (*slot == va)
		*slot = NULL;
	__vmap_cache_erase(va);
	rb_erase(&va->rb_node, &vmap_area_root);
	RB_CLEAR_NODE(&va->rb_node);
	list_del(&va->list);
}

/* The range after @va in address order, or NULL.  Caller holds vmap_area_lock. */
static struct vmap_area *next_vmap_area(struct vmap_area *va)
{
	if (list_is_last(&va->list, &vmap_area_list))
		return NULL;
	return list_entry(va->list.next, struct vmap_area, list);
}

/* The lowest range whose end is at or above @addr, or NULL.  Caller holds vmap_area_lock. */
static struct vmap_area *__first_ending_at_or_above(unsigned long addr)
{
	struct rb_node *n = vmap_area_root.rb_node;
	struct vmap_area *found = NULL;

	while (n) {
		struct vmap_area *va = rb_entry(n, struct vmap_area, rb_node);

		if (va->va_end >= addr) {
			found = va;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return found;
}

/* The range before @va in address order, or NULL.  Caller holds vmap_area_lock. */
static struct vmap_area *prev_vmap_area(struct vmap_area *va)
{
	if (va->list.prev == &vmap_area_list)
		return NULL;
	return list_entry(va->list.prev, struct vmap_area, list);
}

/*
 * The room of the hole before @next: from one page past @prev's end (the
 * first place the search tries after @prev) or from VMALLOC_START (no
 * @prev), to @next's start; 0 if none.  A request larger than a hole's
 * room cannot fit in it, whatever its alignment.
 */
static unsigned long hole_room(const struct vmap_area *prev, const struct vmap_area *next)
{
	unsigned long from = prev ? prev->va_end + PAGE_SIZE : VMALLOC_START;

	return next->va_start > from ? next->va_start - from : 0;
}

/* A search in progress: the candidate, the ranges around it, the largest hole passed. */
struct hole_search {
	unsigned long addr;
	struct vmap_area *prev, *next;	/* next NULL: no range above the candidate */
	unsigned long room;
};

/*
 * __walk_to_hole - 2.6.34's search, from where @s stands, for @size bytes
 * aligned to @align below @vend.  Returns true with s->addr where they
 * fit, between s->prev and s->next.
 *
 * Why it finds the lowest fit.  Ranges are disjoint, so sorted by start
 * they are also sorted by end; they are visited in address order.  If the
 * candidate ends at or before the next range's start, it fits in the
 * hole before that range, and since every earlier position was either
 * below the start of the search or refused, it is the lowest.  Otherwise
 * the range is in the way, and the next candidate is the first aligned
 * address one page past its end: 2.6.34 leaves that page free on top of
 * the guard page, so areas placed after one another are two unmapped
 * pages apart (one when an area fills a hole exactly up to the next).
 * Candidates only grow, so once one runs past @vend (or wraps past the
 * top of the address space) every later one would too: fail.  Caller
 * holds vmap_area_lock.
 */
static bool __walk_to_hole(struct hole_search *s, unsigned long size, unsigned long align,
			   unsigned long vend)
{
	for (; s->next; s->prev = s->next, s->next = next_vmap_area(s->next)) {
		if (s->addr + size - 1 < s->addr || s->addr + size > vend)
			return false;
		if (s->addr + size <= s->next->va_start)
			return true;
		s->room = max(s->room, hole_room(s->prev, s->next));
		s->addr = ALIGN(s->next->va_end + PAGE_SIZE, align);
		if (s->addr <= s->next->va_end)
			return false;
	}
	return s->addr + size - 1 >= s->addr && s->addr + size <= vend;
}

/* 2.6.34's start: ALIGN(vstart), then the first range that ends at or above it. */
static bool __search_from(struct hole_search *s, unsigned long vstart, unsigned long align)
{
	s->addr = ALIGN(vstart, align);
	if (s->addr < vstart)
		return false;
	s->next = __first_ending_at_or_above(s->addr);
	s->prev = s->next ? prev_vmap_area(s->next) :
		  list_empty(&vmap_area_list) ? NULL :
		  list_entry(vmap_area_list.prev, struct vmap_area, list);
	s->room = 0;
	return true;
}

/*
 * The search cache (later Linux's free_vmap_cache, kept exact): no hole
 * below free_vmap_cache has more room than cached_hole_size.  A request
 * for more than that, from VMALLOC_START, can skip every hole up to the
 * cached range and start one page past its end, where 2.6.34's walk
 * would arrive after refusing them all: the same address, without
 * stepping over the thousands of lazy ranges a stream of vfrees leaves
 * behind.  The cache is set by searches that start at the bottom or at
 * the cache (they see every hole below the new range), survives new
 * ranges (holes only shrink), and is dropped when a range at or below
 * it is erased (a hole below it may grow).
 */
static struct vmap_area *free_vmap_cache __state_zero;
static unsigned long cached_hole_size __state_zero;

/*
 * __find_hole - where @size bytes aligned to @align go in [@vstart,
 * @vend): the lowest fit of 2.6.34's search, through the cache when it
 * may be used (debug builds check the answer against the walk from the
 * bottom).  On success fills @s: the address, the ranges around it, and
 * whether the cache may be set to the new range (@s->room then bounds
 * the holes below it).  Caller holds vmap_area_lock.
 */
static bool __find_hole(unsigned long size, unsigned long align, unsigned long vstart,
			unsigned long vend, struct hole_search *s, bool *cacheable)
{
	bool from_bottom = vstart == VMALLOC_START && IS_ALIGNED(vstart, align);
	bool found;

	*cacheable = from_bottom;
	if (from_bottom && free_vmap_cache && size > cached_hole_size) {
		s->prev = free_vmap_cache;
		s->next = next_vmap_area(free_vmap_cache);
		s->room = cached_hole_size;
		s->addr = ALIGN(free_vmap_cache->va_end + PAGE_SIZE, align);
		found = s->addr > free_vmap_cache->va_end && __walk_to_hole(s, size, align, vend);
		if (KMM_DEBUG) {
			struct hole_search plain;
			bool plain_found = __search_from(&plain, vstart, align) &&
					   __walk_to_hole(&plain, size, align, vend);

			BUG_ON(plain_found != found || (found && plain.addr != s->addr));
		}
		return found;
	}
	return __search_from(s, vstart, align) && __walk_to_hole(s, size, align, vend);
}

/* @va leaves the tree: the cache goes if a hole at or below it grows. */
static void __vmap_cache_erase(struct vmap_area *va)
{
	if (free_vmap_cache && va->va_start <= free_vmap_cache->va_start) {
		free_vmap_cache = NULL;
		cached_hole_size = 0;
	}
}

static void purge_vmap_area_lazy(void);

/*
 * Reserve @size bytes (page multiple, guard included) aligned to @align in
 * [@vstart, @vend).  When no hole is found the lazily freed ranges are
 * purged and the search is tried once more, as 2.6.34 does: a range
 * waiting for its TLB flush is not free yet.  Returns the new vmap_area,
 * or ERR_PTR(-ENOMEM) (no memory for it) or ERR_PTR(-EBUSY) (no space),
 * leaving nothing behind.
 */
struct vmap_area *alloc_vmap_area(unsigned long size, unsigned long align, unsigned long vstart,
				  unsigned long vend, int node, gfp_t gfp_mask)
{
	struct hole_search s;
	struct vmap_area *va;
	bool purged = false, cacheable;

	BUG_ON(!size || (size & ~PAGE_MASK) || !is_power_of_2(align));
	va = kmalloc_node(sizeof(*va), gfp_mask & GFP_RECLAIM_MASK, node);
	if (unlikely(!va))
		return ERR_PTR(-ENOMEM);
	for (;;) {
		spin_lock(&vmap_area_lock);
		if (__find_hole(size, align, vstart, vend, &s, &cacheable)) {
			va->va_start = s.addr;
			va->va_end = s.addr + size;
			va->flags = 0;
			va->private = NULL;
			__insert_vmap_area(va, s.prev, s.next);
			if (cacheable) {
				free_vmap_cache = va;
				cached_hole_size = max(s.room, hole_room(s.prev, va));
			}
			spin_unlock(&vmap_area_lock);
			return va;
		}
		spin_unlock(&vmap_area_lock);
		if (purged)
			break;
		purge_vmap_area_lazy();
		purged = true;
	}
	if (printk_ratelimit())
		printk(KERN_WARNING "vmap allocation for size %lu failed: "
		       "use vmalloc=<size> to increase size.\n", size);
	kfree(va);
	return ERR_PTR(-EBUSY);
}

/* ---- lazy freeing ---- */

/*
 * How many pages of freed ranges may wait for a purge: 32M worth per
 * doubling of the CPU count (fls), 2.6.34's trade between the cost of
 * global TLB flushes and the address space held back.
 */
static unsigned long lazy_max_pages(void)
{
	return fls(num_online_cpus()) * (32UL * 1024 * 1024 / PAGE_SIZE);
}

/*
 * __purge_vmap_area_lazy - give back every lazily freed range.
 *
 * A freed range had its PTEs cleared at free time, but another CPU may
 * still hold a stale TLB entry for it, so the range must not be handed out
 * again before a TLB flush.  Instead of a flush per free, freed ranges
 * are marked VM_LAZY_FREE and gathered; a purge takes them all (they
 * become VM_LAZY_FREEING, invisible to the next purge and still reserved),
 * flushes once over the span from the lowest start to the highest end,
 * and only then erases them from the tree, where the range allocator can
 * find the space again.  purge_lock keeps two purges from flushing for
 * each other's ranges; a purge that would only be an optimisation
 * (!@sync) gives up if one runs already.  A @sync purge first gives back
 * the vmap blocks that can serve nothing more (vmalloc_block.c), so that
 * their ranges go in the same batch.  *@start and *@end grow to cover
 * what was purged; @force_flush flushes even when nothing was.
 */
void __purge_vmap_area_lazy(unsigned long *start, unsigned long *end, bool sync,
			    bool force_flush)
{
	LIST_HEAD(valist);
	struct vmap_area *va, *n;
	long nr = 0;

	if (!sync && !force_flush) {
		if (!spin_trylock(&purge_lock))
			return;
	} else {
		spin_lock(&purge_lock);
	}
	if (sync)
		purge_fragmented_blocks_allcpus();

	spin_lock(&vmap_area_lock);
	list_for_each_entry(va, &vmap_area_list, list) {
		if (!(va->flags & VM_LAZY_FREE))
			continue;
		*start = min(*start, va->va_start);
		*end = max(*end, va->va_end);
		nr += (va->va_end - va->va_start) >> PAGE_SHIFT;
		list_add_tail(&va->purge_list, &valist);
		va->flags = (va->flags & ~VM_LAZY_FREE) | VM_LAZY_FREEING;
	}
	spin_unlock(&vmap_area_lock);

	if (nr)
		atomic_long_sub(nr, &vmap_lazy_nr);
	if (nr || force_flush) {
		flush_tlb_kernel_range(*start, *end);
		WRITE_ONCE(nr_purge_flushes, nr_purge_flushes + 1);
	}
	if (nr) {
		spin_lock(&vmap_area_lock);
		list_for_each_entry(va, &valist, purge_list)
			__free_vmap_area(va);
		spin_unlock(&vmap_area_lock);
		WRITE_ONCE(nr_purges, nr_purges + 1);
	}
	spin_unlock(&purge_lock);

	list_for_each_entry_safe(va, n, &valist, purge_list)
		kfree(va);
}

/* A purge because the lazy pages passed the limit: skipped if one is running. */
static void try_purge_vmap_area_lazy(void)
{
	unsigned long start = ULONG_MAX, end = 0;

	__purge_vmap_area_lazy(&start, &end, false, false);
}

/* A purge that must happen (the allocator found no space). */
static void purge_vmap_area_lazy(void)
{
	unsigned long start = ULONG_MAX, end = 0;

	__purge_vmap_area_lazy(&start, &end, true, false);
}

/*
 * @va's PTEs are clear: make it lazy, and purge if the lazy pages passed
 * the limit.  Its VM_VM_AREA was dropped when its area was claimed.
 */
void free_unmap_vmap_area(struct vmap_area *va)
{
	long nr = (va->va_end - va->va_start) >> PAGE_SHIFT;

	spin_lock(&vmap_area_lock);
	va->flags |= VM_LAZY_FREE;
	spin_unlock(&vmap_area_lock);
	if (unlikely(atomic_long_add_return(nr, &vmap_lazy_nr) > (long)lazy_max_pages()))
		try_purge_vmap_area_lazy();
}

void vmalloc_get_lazy_stats(struct vmalloc_lazy_stats *st)
{
	st->lazy_pages = atomic_long_read(&vmap_lazy_nr);
	st->lazy_max = lazy_max_pages();
	st->purges = READ_ONCE(nr_purges);
	st->tlb_flushes = READ_ONCE(nr_purge_flushes);
}

/* ---- areas: vm_struct on vmlist ---- */

DECLARE_RWSEM(vmlist_lock);
struct vm_struct *vmlist __state_zero;

/*
 * Put @vm on vmlist at its place by address.  Its fields are final: a
 * reader of vmlist (/proc/vmallocinfo) sees each area whole.
 */
void insert_vmalloc_vmlist(struct vm_struct *vm)
{
	struct vm_struct **p;

	down_write(&vmlist_lock);
	vm->flags &= ~VM_UNLIST;
	for (p = &vmlist; *p && (*p)->addr < vm->addr; p = &(*p)->next)
		;
	vm->next = *p;
	*p = vm;
	up_write(&vmlist_lock);
}

/* Describe @va's range with @vm; on vmlist now unless @flags has VM_UNLIST. */
static void insert_vmalloc_vm(struct vm_struct *vm, struct vmap_area *va, unsigned long flags,
			      void *caller)
{
	vm->flags = flags;
	vm->addr = kernel_window_ptr(va->va_start);
	vm->size = va->va_end - va->va_start;
	vm->caller = caller;
	spin_lock(&vmap_area_lock);
	va->private = vm;
	va->flags |= VM_VM_AREA;
	spin_unlock(&vmap_area_lock);
	if (!(flags & VM_UNLIST))
		insert_vmalloc_vmlist(vm);
}

/*
 * __get_vm_area_node - an area of @size bytes (rounded up to pages) plus
 * its guard page in [@start, @end), aligned to @align (ioremap areas: to
 * their size, up to IOREMAP_MAX_ORDER, so that large mappings could use
 * large pages), with its descriptor from @node.  Nothing is mapped.  The
 * range is clamped to what the host reserved for the area.  NULL, with
 * nothing left behind, when memory or space runs out.
 */
static struct vm_struct *__get_vm_area_node(unsigned long size, unsigned long align,
					    unsigned long flags, unsigned long start,
					    unsigned long end, int node, gfp_t gfp_mask,
					    void *caller)
{
	struct vm_struct *area;
	struct vmap_area *va;

	BUG_ON(in_interrupt());
	if (flags & VM_IOREMAP)
		align = 1UL << clamp(fls64(size), PAGE_SHIFT, IOREMAP_MAX_ORDER);
	size = PAGE_ALIGN(size);
	if (unlikely(!size || size + PAGE_SIZE < size))
		return NULL;
	area = kzalloc_node(sizeof(*area), gfp_mask & GFP_RECLAIM_MASK, node);
	if (unlikely(!area))
		return NULL;
	size += PAGE_SIZE;	/* the guard page */
	va = alloc_vmap_area(size, align, max(start, VMALLOC_START), min(end, vmalloc_limit),
			     node, gfp_mask);
	if (IS_ERR(va)) {
		kfree(area);
		return NULL;
	}
	insert_vmalloc_vm(area, va, flags, area_caller(caller));
	return area;
}

struct vm_struct *__get_vm_area(unsigned long size, unsigned long flags, unsigned long start,
				unsigned long end)
{
	return __get_vm_area_node(size, 1, flags, start, end, -1, GFP_KERNEL,
				  __builtin_return_address(0));
}

struct vm_struct *__get_vm_area_caller(unsigned long size, unsigned long flags,
				       unsigned long start, unsigned long end, void *caller)
{
	return __get_vm_area_node(size, 1, flags, start, end, -1, GFP_KERNEL, caller);
}

struct vm_struct *get_vm_area(unsigned long size, unsigned long flags)
{
	return __get_vm_area_node(size, 1, flags, VMALLOC_START, VMALLOC_END, -1, GFP_KERNEL,
				  __builtin_return_address(0));
}

struct vm_struct *get_vm_area_caller(unsigned long size, unsigned long flags, void *caller)
{
	return __get_vm_area_node(size, 1, flags, VMALLOC_START, VMALLOC_END, -1, GFP_KERNEL,
				  caller);
}

struct vm_struct *get_vm_area_node(unsigned long size, unsigned long flags, int node,
				   gfp_t gfp_mask)
{
	return __get_vm_area_node(size, 1, flags, VMALLOC_START, VMALLOC_END, node, gfp_mask,
				  __builtin_return_address(0));
}

struct vmap_area *find_vmap_area(unsigned long addr)
{
	struct vmap_area *va;

	spin_lock(&vmap_area_lock);
	va = __find_vmap_area(addr);
	spin_unlock(&vmap_area_lock);
	return va;
}

struct vm_struct *find_vm_area(const void *addr)
{
	unsigned long a = kernel_window_addr(addr);
	struct vm_struct *vm = NULL;
	struct vmap_area *va;

	if (!a)
		return NULL;
	spin_lock(&vmap_area_lock);
	va = __find_vmap_area(a);
	if (va && (va->flags & VM_VM_AREA))
		vm = va->private;
	spin_unlock(&vmap_area_lock);
	return vm;
}

/*
 * remove_vm_area - the area at @addr leaves vmlist, its PTEs are cleared
 * and its range goes lazy.  The area is claimed first, under
 * vmap_area_lock, by taking VM_VM_AREA off its range: a second remove of
 * the same address (a double vfree) finds no area instead of a freed
 * descriptor.  It leaves vmlist (if it made it there) before it is
 * unmapped, so nobody walking vmlist reaches an area in the middle of
 * going.  The PTEs are cleared
 * here rather than at the purge (2.6.34 clears them at the purge): the
 * pages are about to be freed, and the host window must stop reaching
 * them now.  The stale TLB entries that remain are the purge's to flush.
 */
struct vm_struct *remove_vm_area(const void *addr)
{
	unsigned long a = kernel_window_addr(addr);
	struct vm_struct *vm = NULL, **p;
	struct vmap_area *va;

	if (!a)
		return NULL;
	spin_lock(&vmap_area_lock);
	va = __find_vmap_area(a);
	if (va && (va->flags & VM_VM_AREA)) {
		vm = va->private;
		va->flags &= ~VM_VM_AREA;
		va->private = NULL;
	}
	spin_unlock(&vmap_area_lock);
	if (!vm)
		return NULL;

	if (!(vm->flags & VM_UNLIST)) {
		down_write(&vmlist_lock);
		for (p = &vmlist; *p != vm; p = &(*p)->next)
			BUG_ON(!*p);
		*p = vm->next;
		up_write(&vmlist_lock);
	}

	arch_unmap_kernel_range(va->va_start, va->va_end - va->va_start);
	free_unmap_vmap_area(va);
	vm->size -= PAGE_SIZE;
	return vm;
}

void free_vm_area(struct vm_struct *area)
{
	struct vm_struct *ret = remove_vm_area(area->addr);

	BUG_ON(ret != area);
	kfree(area);
}

/* ---- mapping ---- */

int map_vm_area(struct vm_struct *area, pgprot_t prot, struct page ***pages)
{
	unsigned long nr = get_vm_area_size(area) >> PAGE_SHIFT;
	int err;

	err = arch_map_kernel_pages(kernel_window_addr(area->addr), *pages, nr, prot);
	if (!err)
		*pages += nr;
	return err;
}

/* ---- freeing ---- */

/*
 * Take the area at @addr down; with @deallocate_pages, free its pages and
 * its pages array too (a nested vfree for a VM_VPAGES array).  Misuse is
 * reported as 2.6.34 reports it, with the address Linux would show, and
 * changes nothing.
 */
static void __vunmap(const void *addr, bool deallocate_pages)
{
	int w = arch->sizeof_ptr * 2;
	struct vm_struct *area;

	if (!addr)
		return;
	if ((unsigned long)addr & ~PAGE_MASK) {
		WARN(1, "Trying to vfree() bad address (%0*llx)\n", w,
		     (unsigned long long)kaddr_to_linux(addr));
		return;
	}
	area = remove_vm_area(addr);
	if (unlikely(!area)) {
		WARN(1, "Trying to vfree() nonexistent vm area (%0*llx)\n", w,
		     (unsigned long long)kaddr_to_linux(addr));
		return;
	}
	if (deallocate_pages) {
		for (unsigned int i = 0; i < area->nr_pages; i++) {
			BUG_ON(!area->pages[i]);
			__free_page(area->pages[i]);
		}
		if (area->flags & VM_VPAGES)
			vfree(area->pages);
		else
			kfree(area->pages);
	}
	kfree(area);
}

void vfree(const void *addr)
{
	BUG_ON(in_interrupt());
	__vunmap(addr, true);
}

void vunmap(const void *addr)
{
	BUG_ON(in_interrupt());
	might_sleep();
	__vunmap(addr, false);
}

/* ---- allocating ---- */

void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot)
{
	struct vm_struct *area;

	might_sleep();
	if (count > totalram_pages)
		return NULL;
	area = get_vm_area_caller((unsigned long)count << PAGE_SHIFT, flags,
				  __builtin_return_address(0));
	if (!area)
		return NULL;
	if (map_vm_area(area, prot, &pages)) {
		vunmap(area->addr);
		return NULL;
	}
	return area->addr;
}

/*
 * __vmalloc_area_node - fill @area with pages and map them.
 *
 * The pages array needs 8 bytes a page; up to a page of it (512 pages of
 * area) comes from kmalloc, beyond that from a vmalloc of its own
 * (VM_VPAGES).  The recursion stops after one level: an array for N pages
 * needs 8N bytes, whose own array needs 8N/512 bytes, under a page for any
 * area the vmalloc range can hold.  The array is zeroed, so that on any
 * failure __vunmap frees exactly the nr_pages taken so far.  Pages come
 * one at a time, from @node when given (alloc_pages_node), else from this
 * CPU's node, anywhere in the zones @gfp_mask allows: nothing needs them
 * contiguous.  On failure everything is undone through vfree: the pages
 * taken, the array, the area (its range lazily).  Returns the host
 * pointer of the area, or NULL.
 */
static void *__vmalloc_area_node(struct vm_struct *area, gfp_t gfp_mask, pgprot_t prot, int node,
				 void *caller)
{
	gfp_t nested_gfp = (gfp_mask & GFP_RECLAIM_MASK) | __GFP_ZERO;
	unsigned long nr_pages = get_vm_area_size(area) >> PAGE_SHIFT;
	unsigned long array_size = nr_pages * sizeof(struct page *);
	struct page **pages;

	area->nr_pages = nr_pages;
	if (array_size > PAGE_SIZE) {
		pages = __vmalloc_node(array_size, 1, nested_gfp | __GFP_HIGHMEM, PAGE_KERNEL, node,
				       caller);
		area->flags |= VM_VPAGES;
	} else {
		pages = kmalloc_node(array_size, nested_gfp, node);
	}
	area->pages = pages;
	area->caller = caller;
	if (!pages) {
		remove_vm_area(area->addr);
		kfree(area);
		return NULL;
	}

	for (unsigned long i = 0; i < nr_pages; i++) {
		struct page *page = node < 0 ? alloc_page(gfp_mask) : alloc_pages_node(node, gfp_mask, 0);

		if (unlikely(!page)) {
			area->nr_pages = i;	/* what __vunmap frees */
			goto fail;
		}
		pages[i] = page;
	}
	if (map_vm_area(area, prot, &pages))
		goto fail;
	return area->addr;

fail:
	/* Linux 2.6.36's message: allocated so far, of the area's size with its guard page. */
	printk(KERN_WARNING "vmalloc: allocation failure, allocated %ld of %ld bytes\n",
	       (long)area->nr_pages * (long)PAGE_SIZE, (long)area->size);
	vfree(area->addr);
	return NULL;
}

void *__vmalloc_node(unsigned long size, unsigned long align, gfp_t gfp_mask, pgprot_t prot,
		     int node, void *caller)
{
	struct vm_struct *area;

	size = PAGE_ALIGN(size);
	if (!size || (size >> PAGE_SHIFT) > totalram_pages)
		return NULL;
	caller = area_caller(caller);
	area = __get_vm_area_node(size, align, VM_ALLOC | VM_UNLIST, VMALLOC_START, VMALLOC_END,
				  node, gfp_mask, caller);
	if (!area)
		return NULL;
	if (!__vmalloc_area_node(area, gfp_mask, prot, node, caller))
		return NULL;
	insert_vmalloc_vmlist(area);
	return area->addr;
}

void *__vmalloc(unsigned long size, gfp_t gfp_mask, pgprot_t prot)
{
	return __vmalloc_node(size, 1, gfp_mask, prot, -1, __builtin_return_address(0));
}

void *vmalloc(unsigned long size)
{
	return __vmalloc_node(size, 1, GFP_KERNEL | __GFP_HIGHMEM, PAGE_KERNEL, -1,
			      __builtin_return_address(0));
}

void *vzalloc(unsigned long size)
{
	return __vmalloc_node(size, 1, GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO, PAGE_KERNEL, -1,
			      __builtin_return_address(0));
}

void *vmalloc_node(unsigned long size, int node)
{
	return __vmalloc_node(size, 1, GFP_KERNEL | __GFP_HIGHMEM, PAGE_KERNEL, node,
			      __builtin_return_address(0));
}

void *vmalloc_exec(unsigned long size)
{
	return __vmalloc_node(size, 1, GFP_KERNEL | __GFP_HIGHMEM, PAGE_KERNEL_EXEC, -1,
			      __builtin_return_address(0));
}

/* A VM_USERMAP mark on the area at @addr, under vmlist_lock like every flag a reader sees. */
static void *mark_usermap(void *addr)
{
	struct vm_struct *area;

	if (addr) {
		area = find_vm_area(addr);
		down_write(&vmlist_lock);
		area->flags |= VM_USERMAP;
		up_write(&vmlist_lock);
	}
	return addr;
}

/* SHMLBA is a page on x86: user mappings need no more alignment than that. */
void *vmalloc_user(unsigned long size)
{
	return mark_usermap(__vmalloc_node(size, PAGE_SIZE,
					   GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO, PAGE_KERNEL, -1,
					   __builtin_return_address(0)));
}

/* 32-bit addressable pages: ZONE_DMA32 on x86_64; on i386 lowmem is below 4G already. */
static gfp_t gfp_vmalloc32(void)
{
	return arch->bits == 64 ? GFP_DMA32 | GFP_KERNEL : GFP_KERNEL;
}

void *vmalloc_32(unsigned long size)
{
	return __vmalloc_node(size, 1, gfp_vmalloc32(), PAGE_KERNEL, -1,
			      __builtin_return_address(0));
}

void *vmalloc_32_user(unsigned long size)
{
	return mark_usermap(__vmalloc_node(size, 1, gfp_vmalloc32() | __GFP_ZERO, PAGE_KERNEL, -1,
					   __builtin_return_address(0)));
}

/* ---- looking addresses up ---- */

bool is_vmalloc_addr(const void *addr)
{
	unsigned long a = kernel_window_addr(addr);

	return a >= VMALLOC_START && a < VMALLOC_END;
}

/* The frame the kernel PTE of window address @addr maps, if one does. */
static bool vmalloc_pte_pfn(const void *addr, unsigned long *pfn)
{
	unsigned long a = kernel_window_addr(addr);
	unsigned int level;
	pte_t *ptep;
	pte_t pte;

	if (!a)
		return false;
	ptep = lookup_address(a, &level);
	if (!ptep || level != PG_LEVEL_4K)
		return false;
	pte = ptep_get(ptep);
	if (!pte_present(pte))
		return false;
	*pfn = pte_pfn(pte);
	return true;
}

struct page *vmalloc_to_page(const void *addr)
{
	unsigned long pfn;

	if (!vmalloc_pte_pfn(addr, &pfn) || !pfn_valid(pfn))
		return NULL;
	return pfn_to_page(pfn);
}

unsigned long vmalloc_to_pfn(const void *addr)
{
	unsigned long pfn;

	return vmalloc_pte_pfn(addr, &pfn) ? pfn : 0;
}
