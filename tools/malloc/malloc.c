/*
 * malloc.c - the C library's allocation functions, served by kmm.
 *
 * Where a request goes, by size (and alignment):
 *
 *   0 .. 32 KiB       kmalloc: the general caches, size-32 .. size-32768;
 *                     per-CPU arrays make these fast (a page block costs
 *                     several buddy operations), and rounding to a power
 *                     of two wastes at most half
 *   32 KiB .. 4 MiB   a page block: alloc_pages() of the order that covers
 *                     it, from movable pageblocks, the pages beyond the size
 *                     (rounded up to an even number) given back at once as
 *                     naturally aligned pieces, so at most two pages are
 *                     wasted; realloc moves it with a quarter more room
 *   beyond 4 MiB      a page block of several contiguous blocks of the
 *                     largest order (10, MAX_ORDER - 1), lent from deferred
 *                     memory (struct pages unwritten but for its ends),
 *                     else found free around a seed or by a search of the
 *                     zones; freed, its blocks become deferred again; an
 *                     mmap block from the host only at the growth limit
 *
 * A request that fails grows the machine (km_recover, grow.c) and runs
 * again.
 *
 * Alignment: every kmalloc object of the general caches is 32-byte aligned
 * (size-32) or 64-byte aligned (the rest, SLAB_HWCACHE_ALIGN), unless slab
 * debugging is on; memalign() up to 64 asks kmalloc for at least the
 * alignment and checks the result.  Larger alignments take a page block,
 * whose buddy block is aligned to its own size (up to 4 MiB), or an mmap
 * block.
 *
 * Telling pointers apart (free, realloc, malloc_usable_size): an address in
 * the direct map of RAM is a slab object if its page has PG_slab, a page
 * block if its page carries our marker; an address in the arena is the
 * arena's; the mmap side table knows its blocks; anything else is foreign.
 * malloc(0) returns a real object (kmalloc(0) would return the shared
 * ZERO_SIZE_PTR).
 *
 * Misuse (harden.c): with slab_harden on (the library's default), kfree
 * itself checks slab objects (double frees, interior pointers, overwritten
 * slab records); an address in RAM that starts no block in use, and a
 * foreign pointer that is not the dynamic loader's, abort with a report.
 * Without it they are left alone.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <kmm/irqflags.h>
#include <kmm/list.h>
#include <kmm/mm.h>
#include <kmm/slab.h>
#include <kmm/spinlock.h>
#include "tools/malloc/kmm_malloc.h"

#define KM_SLAB_MAX	(8 * PAGE_SIZE)
#define KM_SLAB_ALIGN	64UL
#define KM_PAGES_MAX	(PAGE_SIZE << (MAX_ORDER - 1))
#define KM_MIN_ALIGN	16UL
#define PBLOCK_MAGIC	0x6b6d6d2d6d616c6cUL	/* "kmm-mall" */

/* The C library's allocator, for a process without a machine (KM_LIBC). */
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t align, size_t size);
void __libc_free(void *p);

bool km_in_ram(const void *p)
{
	return (uintptr_t)p - (uintptr_t)hw_ram_base < hw_direct_size;	/* i386: lowmem */
}

/* ---- page blocks ---- */

/*
 * Page blocks are allocated as movable, slab pages (GFP_MALLOC) as
 * unmovable: 2.6.34's grouping by mobility keeps them in pageblocks of
 * their own (the fallbacks mix them only when one type runs out).  A page
 * block's trimmed tail goes back to the free lists; among page blocks only
 * another page block takes it, so a freed block merges with its tail again
 * and the next block of its order reuses its pages.  Mixed with slab pages,
 * a tail piece went to a slab, which keeps it while any of its objects
 * lives, the freed block could not merge, and the next request of its
 * order took a fresh block: a buffer grown by malloc, copy and free in
 * 4 KiB steps from 1.6 to 3.2 MiB, small objects kept between the steps,
 * touched a new 4 MiB block at each step (a peak RSS of 600 MB against
 * glibc's 21 MB; tests/malloc/frag.sh).  Nothing is ever moved: movable
 * names the group, it promises no migration.
 *
 * For the same reason a page block holds an even number of pages (one page
 * more at most): an order-0 piece would go to a per-CPU list
 * (free_hot_cold_page), out of the buddy allocator's reach until the list
 * overflows, and keep its block from merging meanwhile (without this rule
 * the same program peaked at 290 MB).
 */
#define KM_PBLOCK_GFP	__GFP_MOVABLE

static bool is_pblock(const struct page *page, const void *p)
{
	return !((uintptr_t)p & (PAGE_SIZE - 1)) && page->private == PBLOCK_MAGIC &&
	       page_count(page) == 1 && !PageSlab(page);
}

/*
 * Page blocks are taken and given back inside one interrupts-disabled
 * section, as kmalloc's are: memory hotplug changes the zonelists and
 * watermarks that alloc_pages() reads with the other CPUs stopped outside
 * such sections (mm/memory_hotplug.c), so no CPU reads half a change.
 */
/*
 * calloc's page blocks are zeroed by discard_page_contents(): from 64 KiB
 * up a hole is punched in RAM's memfd, and the pages fault back in zeroed
 * only where the program touches them, as glibc's calloc of fresh mmapped
 * memory leaves untouched pages alone.  A memset wrote every page: git
 * callocs hash tables it fills sparsely, and git blame faulted 1,303
 * pages where glibc faults 574 (1,048 now; 0.61 s -> 0.39 s for the
 * bench's blame loop, glibc 0.29 s).
 */
static void *pblock_alloc(size_t size, size_t align, gfp_t gfp, bool zero)
{
	unsigned long nr = size ? PAGE_ALIGN(size) >> PAGE_SHIFT : 1, flags;
	int order = get_order(max(nr << PAGE_SHIFT, align));
	struct page *page;
	void *p;

	if (nr & 1 && nr < 1UL << order)
		nr++;		/* no order-0 piece: see KM_PBLOCK_GFP */
	local_irq_save(flags);
	page = alloc_pages(gfp | KM_PBLOCK_GFP, order);
	if (page)
		free_block_pieces(page, nr, 1UL << order);
	local_irq_restore(flags);
	if (!page)
		return NULL;
	page->private = PBLOCK_MAGIC;
	page->index = nr;
	p = page_address(page);
	if (zero)
		discard_page_contents(page, nr);	/* calloc: zeroed lazily, see below */
	return p;
}

/*
 * Blocks beyond 4 MiB give their host pages back when freed (discard_page_contents
 * punches a hole in RAM's memfd), as glibc unmaps the blocks it mmapped:
 * without it, every big block a program ever freed would stay in its RSS
 * (a realloc that doubles a big array copies it into a new run, and the
 * next run found is rarely the freed one).  Free pages' contents are
 * nobody's; they fault back in, zeroed, when used again.  Smaller page
 * blocks keep theirs, as glibc keeps freed chunks below its mmap threshold.
 */
static void big_free(struct page *page, unsigned long from, unsigned long to);

static void pblock_free(struct page *page)
{
	unsigned long nr = page->index, flags;

	page->private = 0;
	page->index = 0;
	if (nr > MAX_ORDER_NR_PAGES) {
		big_free(page, 0, nr);
		return;
	}
	local_irq_save(flags);
	free_block_pieces(page, 0, nr);
	local_irq_restore(flags);
}

/* Give back the blocks of MAX_ORDER_NR_PAGES pages chained on @list (their first pages' lru). */
static void big_free_list(struct list_head *list)
{
	while (!list_empty(list)) {
		struct page *page = list_first_entry(list, struct page, lru);

		list_del(&page->lru);
		__free_pages(page, MAX_ORDER - 1);
	}
}

#define KM_BIG_SEEDS	4	/* blocks tried as the start of a run, before a search of the zones */

/* One run search at a time: two would take turns at the free list's head and break each other's runs. */
static DEFINE_SPINLOCK(big_lock);

/*
 * Give back pages [@from, @to) of a big block (all of it, or the tail a
 * shrinking realloc leaves), their host pages first: its whole blocks of
 * the largest order go back to the deferred pool, their struct pages
 * unwritten again (free_run_pages, mm/deferred_init.c), so a big block
 * costs its struct pages only while it lives and a program that mallocs
 * and frees RAM-sized buffers does not keep them.  Under big_lock: a run
 * search reads the struct pages of free blocks, which this unwrites.
 */
static void big_free(struct page *page, unsigned long from, unsigned long to)
{
	unsigned long flags;

	discard_page_contents(page + from, to - from);
	spin_lock_irqsave(&big_lock, flags);
	free_run_pages(page, from, to);
	spin_unlock_irqrestore(&big_lock, flags);
}

/*
 * Extend the run [*lo, *hi) (pfns, whole blocks of the largest order) by
 * the free blocks around it, down first, until it holds @need blocks.
 */
static void big_extend(unsigned long *lo, unsigned long *hi, unsigned long need)
{
	while ((*hi - *lo) / MAX_ORDER_NR_PAGES < need && *lo >= MAX_ORDER_NR_PAGES &&
	       !alloc_free_range(*lo - MAX_ORDER_NR_PAGES, *lo))
		*lo -= MAX_ORDER_NR_PAGES;
	while ((*hi - *lo) / MAX_ORDER_NR_PAGES < need &&
	       !alloc_free_range(*hi, *hi + MAX_ORDER_NR_PAGES))
		*hi += MAX_ORDER_NR_PAGES;
}

/*
 * A block beyond the largest buddy block (4 MiB): a page block of more
 * than MAX_ORDER_NR_PAGES pages, made of physically contiguous blocks of
 * the largest order, in the direct map like any page block.  The deferred
 * blocks come first (alloc_deferred_run): a run from them costs the
 * struct pages of its first and last blocks only, however large, where a
 * RAM-sized buffer (sort's) wrote 1.6% of itself.  Else a seed block
 * comes from alloc_pages(); the free blocks around it join it
 * (alloc_free_range); when they are not free, the next seed is tried, and
 * a seed just below or above the run joins it too (the free list offers
 * blocks that initialise on demand from the top down, see
 * mm/deferred_init.c).  Runs given up wait on a list until the end, so
 * that the next seed is another block.  A failed search gives everything
 * back; then the zones are searched for a free run (alloc_free_run), and
 * when there is none km_recover() grows the machine: fresh sections are
 * free from end to end.  All in one interrupts-disabled section, under big_lock.
 */
static void *big_alloc(size_t size, gfp_t gfp, bool zero)
{
	unsigned long nr = round_up(PAGE_ALIGN(size) >> PAGE_SHIFT, 2), flags, lo = 0, hi = 0;
	unsigned long need = DIV_ROUND_UP(nr, MAX_ORDER_NR_PAGES);
	LIST_HEAD(aside);
	struct page *first;

	if (nr < size >> PAGE_SHIFT)
		return NULL;
	spin_lock_irqsave(&big_lock, flags);
	first = alloc_deferred_run(gfp | KM_PBLOCK_GFP, nr);
	if (first) {
		lo = page_to_pfn(first);
		hi = lo + need * MAX_ORDER_NR_PAGES;
		goto found;
	}
	for (int seeds = 0; (hi - lo) / MAX_ORDER_NR_PAGES < need && seeds < KM_BIG_SEEDS; seeds++) {
		struct page *page = alloc_pages(gfp | KM_PBLOCK_GFP, MAX_ORDER - 1);
		unsigned long pfn;

		if (!page)
			break;
		pfn = page_to_pfn(page);
		if (pfn + MAX_ORDER_NR_PAGES == lo) {
			lo = pfn;
		} else if (pfn == hi && hi > lo) {
			hi = pfn + MAX_ORDER_NR_PAGES;
		} else {
			/* The old run waits, as one block per piece, to be given back. */
			for (unsigned long p = lo; p < hi; p += MAX_ORDER_NR_PAGES) {
				set_page_count(pfn_to_page(p), 1);
				list_add(&pfn_to_page(p)->lru, &aside);
			}
			lo = pfn;
			hi = pfn + MAX_ORDER_NR_PAGES;
		}
		big_extend(&lo, &hi, need);
	}
	big_free_list(&aside);
	first = hi > lo ? pfn_to_page(lo) : NULL;
	if ((hi - lo) / MAX_ORDER_NR_PAGES < need) {
		if (first)
			free_block_pieces(first, 0, hi - lo);
		/* No seed grew into a run: look for one in the whole zone. */
		first = alloc_free_run(gfp | KM_PBLOCK_GFP, need * MAX_ORDER_NR_PAGES);
		if (!first) {
			spin_unlock_irqrestore(&big_lock, flags);
			return NULL;
		}
		lo = page_to_pfn(first);
		hi = lo + need * MAX_ORDER_NR_PAGES;
	}
found:
	/* The run is one page block now; what lies beyond @nr (in its last block) goes back. */
	free_block_pieces(first, nr, hi - lo);
	spin_unlock_irqrestore(&big_lock, flags);
	first->private = PBLOCK_MAGIC;
	first->index = nr;
	if (zero)
		discard_page_contents(first, nr);
	return page_address(first);
}

/* ---- routing ---- */

void *km_alloc(size_t size, size_t align, gfp_t gfp, bool zero)
{
	void *p;

	if (align < KM_MIN_ALIGN)
		align = KM_MIN_ALIGN;
	if (size > PTRDIFF_MAX)
		return NULL;
	if (size <= KM_SLAB_MAX && align <= KM_SLAB_ALIGN) {
		size_t want = size ? size : 1;

		if (align > KM_MIN_ALIGN && want < align)
			want = align;
		p = kmalloc(want, gfp);
		if (!p || !((uintptr_t)p & (align - 1))) {
			/* calloc needs its size zeroed, not the whole object (__GFP_ZERO). */
			if (p && zero)
				memset(p, 0, want);
			return p;
		}
		/* Slab debugging moved the objects off their alignment. */
		kfree(p);
	}
	if (align > KM_PAGES_MAX)
		return mblock_alloc(size, align);
	p = size <= KM_PAGES_MAX ? pblock_alloc(size, align, gfp, zero) : big_alloc(size, gfp, zero);
	km_grow_tick();		/* the first page block: keep room to grow (grow.c) */
	if (!p && size > KM_PAGES_MAX && km_grow_at_limit())
		return mblock_alloc(size, align);
	return p;
}

void km_free(void *p)
{
	if (!p)
		return;
	if (slab_pagemap_cache(p)) {
		kfree(p);	/* the slab page map knows it: no struct page read */
		return;
	}
	if (km_in_ram(p)) {
		struct page *page = virt_to_page(p);

		if (PageSlab(page))
			kfree(p);
		else if (is_pblock(page, p))
			pblock_free(page);
		else if (slab_hardened())
			km_bad_pointer(p, "not a block in use");
		/* Unhardened, anything else in RAM is no block of ours: leave it. */
		return;
	}
	if (arena_owns(p))
		return;
	if (!mblock_free(p) && slab_hardened() && !km_loader_owns(p))
		km_bad_pointer(p, "not from this allocator");
}

size_t km_usable_size(const void *p)
{
	if (!p)
		return 0;
	if (km_in_ram(p)) {
		struct page *page = virt_to_page(p);

		if (PageSlab(page))
			return ksize(p);
		if (is_pblock(page, p))
			return page->index << PAGE_SHIFT;
		return 0;
	}
	if (arena_owns(p))
		return arena_size(p);
	return mblock_size(p);
}

/* Move @p (@old usable bytes, copied up to @size) to a new block, freeing it if @owned. */
static void *km_move(void *p, size_t old, size_t size, gfp_t gfp, bool owned)
{
	void *q = km_alloc(size, 0, gfp, false);

	if (!q)
		return NULL;
	if (old)
		memcpy(q, p, min(old, size));
	else
		host_copy_readable(q, p, size);
	if (owned)
		km_free(p);
	return q;
}

/*
 * realloc() of page block @p (@nr pages) to a larger @size beyond 32 KiB:
 * it moves, a copy (the direct map cannot be remapped, where glibc's
 * mremap moves no bytes and its heap often grows in place), so it moves
 * with a quarter more room than asked: a block grown by small steps (an
 * interpreter's stack, a vector pushed onto) moves O(log n) times, not
 * once per step, and the room stays through shrinks of less than a
 * quarter.  Perl's stack grows by 4 KiB per realloc: without the room a
 * 1.6 MiB stack that reached 3.2 MiB moved 390 times, each move taking a
 * fresh 4 MiB buddy block (the old one's pages went to small objects
 * meanwhile), and the RSS reached 0.7 GB where glibc's was 92 MB.  The
 * room is the block's: malloc_usable_size() counts it, as the C standard
 * allows.
 */
static void *pblock_grow(void *p, unsigned long nr, size_t size, gfp_t gfp)
{
	void *q = NULL;

	if (size < SIZE_MAX / 2)
		q = km_move(p, nr << PAGE_SHIFT, size + size / 4, gfp, true);
	return q ? q : km_move(p, nr << PAGE_SHIFT, size, gfp, true);
}

/* realloc() for @p != NULL and @size != 0: NULL (and @p untouched) on failure. */
static void *km_realloc(void *p, size_t size, gfp_t gfp)
{
	if (size > PTRDIFF_MAX)
		return NULL;
	if (km_in_ram(p)) {
		struct page *page = virt_to_page(p);

		if (PageSlab(page)) {
			size_t old;
			void *q;

			kmem_harden_check(p, "krealloc");	/* before the object is used */
			old = ksize(p);
			/* Stay while the object fits and is not more than twice too big. */
			if (size <= old && (size > old / 2 || old <= 64))
				return p;
			q = km_move(p, old, size, gfp, true);
			/* A shrink that cannot move stays where it is. */
			return q || size > old ? q : p;
		}
		if (is_pblock(page, p)) {
			unsigned long nr = page->index, want = PAGE_ALIGN(size) >> PAGE_SHIFT, flags;
			void *q;

			/* Beyond kmalloc's sizes, a page block moves with room (pblock_grow). */
			if (want > nr && size > KM_SLAB_MAX)
				return pblock_grow(p, nr, size, gfp);
			/* One shrunk by less than a quarter keeps its room. */
			if (want <= nr && want >= nr - nr / 4 && size > KM_SLAB_MAX)
				return p;
			/* Small enough for kmalloc: move there if it can, else shrink in place. */
			if (want > nr || size <= KM_SLAB_MAX) {
				q = km_move(p, nr << PAGE_SHIFT, size, gfp, true);
				if (q || want > nr)
					return q;
			}
			if (want & 1 && want < nr)
				want++;		/* no order-0 piece (KM_PBLOCK_GFP) */
			page->index = want;
			if (nr > MAX_ORDER_NR_PAGES) {
				big_free(page, want, nr);
				return p;
			}
			local_irq_save(flags);
			free_block_pieces(page, want, nr);
			local_irq_restore(flags);
			return p;
		}
		if (slab_hardened())
			km_bad_pointer(p, "not a block in use");
		/* Not ours: copy what can be read, never free it. */
		return km_move(p, 0, size, gfp, false);
	}
	if (arena_owns(p))
		return km_move(p, arena_size(p), size, gfp, false);
	if (mblock_size(p)) {
		void *q = NULL;

		/* Down to page-block sizes: move into RAM if it can, else remap. */
		if (size <= KM_PAGES_MAX)
			q = km_move(p, mblock_size(p), size, gfp, true);
		return q ? q : mblock_realloc(p, size);
	}
	if (slab_hardened() && !km_loader_owns(p))
		km_bad_pointer(p, "not from this allocator");
	return km_move(p, 0, size, gfp, false);
}

static __always_inline void req_run(struct km_req *r)
{
	switch (r->op) {
	case KM_ALLOC:
		r->ret = km_alloc(r->size, r->align, r->gfp, r->zero);
		break;
	case KM_FREE:
		km_free(r->ptr);
		break;
	case KM_REALLOC:
		r->ret = km_realloc(r->ptr, r->size, r->gfp);
		break;
	case KM_DUMP:
		km_dump();
		break;
	}
}

void km_req_run(void *arg)
{
	req_run(arg);
}

/* ---- the C library's view ---- */

/*
 * Everything that is not a thread on its own CPU outside the library takes
 * the slow path: before boot and inside the library (the arena), without a
 * machine (the C library), on a borrowed CPU.
 */
static void *slow(struct km_req *r)
{
	struct km_thread *t = &km_self;
	int mode = __atomic_load_n(&km_mode, __ATOMIC_ACQUIRE);

	if (t->depth || mode == KM_COLD) {
		switch (r->op) {
		case KM_ALLOC:
			r->ret = arena_alloc(r->size, r->align);
			if (r->ret && r->zero)
				memset(r->ret, 0, r->size);
			break;
		case KM_REALLOC:
			/* The arena copy of any block; the block itself is left as it is. */
			r->ret = arena_alloc(r->size, 0);
			if (r->ret && arena_owns(r->ptr))
				memcpy(r->ret, r->ptr, min(arena_size(r->ptr), r->size));
			else if (r->ret && !km_in_ram(r->ptr))
				host_copy_readable(r->ret, r->ptr, r->size);
			else if (r->ret)
				memcpy(r->ret, r->ptr, min(km_usable_size(r->ptr), r->size));
			break;
		default:
			break;	/* a free inside the library: arena blocks are never freed */
		}
		return r->ret;
	}
	if (mode == KM_LIBC) {
		switch (r->op) {
		case KM_ALLOC:
			if (r->align > KM_MIN_ALIGN)
				r->ret = __libc_memalign(r->align, r->size);
			else
				r->ret = r->zero ? __libc_calloc(1, r->size)
						 : __libc_malloc(r->size);
			break;
		case KM_FREE:
			if (km_in_ram(r->ptr) || arena_owns(r->ptr))
				break;
			if (!mblock_free(r->ptr))
				__libc_free(r->ptr);
			break;
		case KM_REALLOC:
			if (km_in_ram(r->ptr) || arena_owns(r->ptr) || mblock_size(r->ptr)) {
				r->ret = __libc_malloc(r->size);
				if (r->ret)
					memcpy(r->ret, r->ptr,
					       min(km_usable_size(r->ptr), r->size));
				if (r->ret)
					mblock_free(r->ptr);
			} else {
				r->ret = __libc_realloc(r->ptr, r->size);
			}
			break;
		default:
			break;
		}
		return r->ret;
	}
	km_call(r);
	return r->ret;
}

/*
 * A thread on its own CPU, outside the library, calls the kernel directly;
 * every KM_TICK_MASK + 1 calls it also runs the timers that are due.
 */
static __always_inline void *run(struct km_thread *t, struct km_req *r)
{
	if (!km_fast(t))
		return slow(r);
	t->depth = 1;
	r->gfp = GFP_MALLOC;
	req_run(r);
	if (__builtin_expect(!r->ret && r->op != KM_FREE, 0))
		km_recover(r);
	t->depth = 0;
	if (__builtin_expect(!(++t->calls & KM_TICK_MASK), 0))
		km_tick(t);
	return r->ret;
}

KM_EXPORT void *malloc(size_t size)
{
	struct km_req r = { .op = KM_ALLOC, .size = size };

	if (!run(&km_self, &r))
		errno = ENOMEM;
	return r.ret;
}

KM_EXPORT void free(void *p)
{
	struct km_req r = { .op = KM_FREE, .ptr = p };

	if (p)
		run(&km_self, &r);
}

KM_EXPORT void *calloc(size_t n, size_t size)
{
	struct km_req r = { .op = KM_ALLOC, .zero = true };

	if (__builtin_mul_overflow(n, size, &r.size) || !run(&km_self, &r)) {
		errno = ENOMEM;
		return NULL;
	}
	return r.ret;
}

/* glibc's realloc: NULL is malloc, size 0 frees and returns NULL. */
KM_EXPORT void *realloc(void *p, size_t size)
{
	struct km_req r = { .op = KM_REALLOC, .ptr = p, .size = size };

	if (!p)
		return malloc(size);
	km_libc_call = "realloc";	/* for a report of misuse */
	if (!size) {
		free(p);
		r.ret = NULL;
	} else if (!run(&km_self, &r)) {
		errno = ENOMEM;
	}
	km_libc_call = NULL;
	return r.ret;
}

KM_EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, bytes);
}

static void *aligned(size_t align, size_t size)
{
	struct km_req r = { .op = KM_ALLOC, .size = size, .align = align };

	if (!run(&km_self, &r))
		errno = ENOMEM;
	return r.ret;
}

KM_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;
	int saved = errno;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	if (align > PTRDIFF_MAX)
		return ENOMEM;
	p = aligned(align, size);
	errno = saved;
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

/* glibc's memalign: an alignment that is not a power of two is rounded up to one. */
KM_EXPORT void *memalign(size_t align, size_t size)
{
	if (align > PTRDIFF_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if (align & (align - 1))
		align = 1UL << (64 - __builtin_clzl(align));
	return aligned(align, size);
}

KM_EXPORT void *aligned_alloc(size_t align, size_t size)
{
	return memalign(align, size);
}

KM_EXPORT void *valloc(size_t size)
{
	return aligned(PAGE_SIZE, size);
}

KM_EXPORT void *pvalloc(size_t size)
{
	size_t rounded = PAGE_ALIGN(size);

	if (rounded < size) {
		errno = ENOMEM;
		return NULL;
	}
	return aligned(PAGE_SIZE, rounded ? rounded : PAGE_SIZE);
}

KM_EXPORT size_t malloc_usable_size(void *p)
{
	if (__atomic_load_n(&km_mode, __ATOMIC_ACQUIRE) == KM_LIBC && p && !km_in_ram(p) &&
	    !arena_owns(p) && !mblock_size(p)) {
		/* The C library's block: ask the C library's function. */
		static size_t (*libc_usable)(void *);

		if (!libc_usable)
			libc_usable = (size_t (*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
		return libc_usable ? libc_usable(p) : 0;
	}
	return km_usable_size(p);
}
