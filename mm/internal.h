/*
 * mm/internal.h - what the files of mm/ share and nobody else uses.
 *
 * Lock order (outermost first), as Linux documents it in mm/rmap.c:
 *
 *   vmlist_lock                 (vmalloc: the list of areas; an rwsem here,
 *                                an rwlock in 2.6.34)
 *   purge_lock                  (vmalloc: one lazy purge at a time)
 *     vbq->lock                 (vmalloc: a CPU's queue of vmap blocks)
 *       vb->lock                (vmalloc: a vmap block's bitmaps)
 *     vmap_area_lock            (vmalloc: the range tree and list)
 *   cache_chain_mutex           (slab: cache creation, destruction, tuning)
 *     l3->list_lock (off-slab)  (slab: per-node lists of an off-slab cache)
 *       l3->list_lock           (slab: per-node slab lists; an off-slab
 *                                cache's slab descriptors live in one)
 *         zone->lock            (buddy free lists, pageblock bits)
 *   local_irq_save              (per-CPU data: pcp lists, array caches;
 *                                taken around, never inside, the above)
 *   logbuf_lock                 (printk; innermost, any context)
 *
 * vmalloc's locks come first: vmalloc calls the slab and page allocators
 * with none of its own held, and none of theirs is held when vmalloc is
 * entered.  Only mm_check() holds vmlist_lock and vmap_area_lock together.
 *
 * The order is declared to the lock validator from MM_LOCK_ORDER, once, at
 * boot (mm_declare_lock_order): taking these locks in any other order is
 * reported the first time it happens, even if the declared order was not
 * used yet.  A function named __foo() expects its caller to hold the lock
 * that foo() would take; debug builds assert it with assert_spin_locked().
 */
#ifndef KMM_MM_INTERNAL_H
#define KMM_MM_INTERNAL_H

#include <kmm/fault-inject.h>
#include <kmm/irqflags.h>
#include <kmm/mm.h>
#include <kmm/mutex.h>
#include "mm/boot.h"
#include "mm/vmalloc_internal.h"

/* The classes of the lock order above: X(key, name), outermost first. */
extern struct mutex cache_chain_mutex;
extern const struct lock_class_key l3_list_lock_off_slab_key, l3_list_lock_key, zone_lock_key;
extern const struct lock_class_key vbq_lock_key, vb_lock_key;
#define MM_LOCK_ORDER(X)							\
	X(&vmlist_lock, "vmlist_lock")						\
	X(&purge_lock, "purge_lock")						\
	X(&vbq_lock_key, "&vbq->lock")						\
	X(&vb_lock_key, "&vb->lock")						\
	X(&vmap_area_lock, "vmap_area_lock")					\
	X(&cache_chain_mutex, "cache_chain_mutex")				\
	X(&l3_list_lock_off_slab_key, "&l3->list_lock (off-slab)")		\
	X(&l3_list_lock_key, "&l3->list_lock")					\
	X(&zone_lock_key, "&zone->lock")


void __free_pages_bootmem(struct page *page, unsigned int order);
/* Keep a boot reservation for mm_check() after the hand-over (debug.c). */
void remember_boot_reservation(u64 start, u64 end);

/* A range of page frames [start, end). */
struct pfn_range {
	unsigned long start, end;
};

/* init_mm.c: the locks of an address space, one class each for all of them. */
void mm_init_locks(struct mm_struct *mm);

/*
 * Process address spaces.  Their locks, outermost first (mm/rmap.c's
 * order in 2.6.34):
 *
 *   mm->mmap_sem
 *     mapping->i_mmap_lock     (a shmem object's VMAs and pages)
 *       anon_vma->lock         (the VMAs that may map an anon_vma's pages)
 *         mm->page_table_lock  (page-table population, PTEs, rss counters)
 *           zone->lru_lock     (the LRU lists, PG_lru/active/unevictable moves)
 *           zone->lock ...     (the allocators, as above)
 *
 * munlock's rmap walk (mlock.c) holds anon_vma->lock or i_mmap_lock and
 * takes other address spaces' mmap_sem only with down_read_trylock.
 */
extern struct kmem_cache *vm_area_cachep, *anon_vma_cachep, *anon_vma_chain_cachep, *mm_cachep;

/* vma.c */
struct vm_area_struct *find_vma_prepare(struct mm_struct *mm, unsigned long addr,
					struct vm_area_struct **pprev,
					struct rb_node ***rb_link, struct rb_node **rb_parent);
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma, struct vm_area_struct *prev,
	      struct rb_node **rb_link, struct rb_node *rb_parent);
int __split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr,
		int new_below);
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig);
struct vm_area_struct *vma_modify_flags(struct vm_area_struct *prev, struct vm_area_struct *vma,
					unsigned long start, unsigned long end,
					unsigned long newflags);
/* rmap.c: @dst (no anon_vma yet) takes over every anon_vma link of the unlinked @src. */
void anon_vma_moveto(struct vm_area_struct *dst, struct vm_area_struct *src);
void vma_link_file(struct vm_area_struct *vma);
void vma_unlink_file(struct vm_area_struct *vma);

/* mmap.c */
int security_vm_enough_memory_mm(struct mm_struct *mm, long pages);
void vm_acct_memory(long pages);
struct vm_area_struct *remove_vma(struct vm_area_struct *vma);
unsigned long calc_vm_prot_bits(unsigned long prot);	/* PROT_READ... to VM_READ... */

/* memory.c */
void unmap_region(struct mm_struct *mm, struct vm_area_struct *vma, struct vm_area_struct *prev,
		  unsigned long start, unsigned long end);
/* The PTE of @address in @mm if every table down to it exists, else NULL; no lock taken. */
pte_t *get_locked_pte_nolock(struct mm_struct *mm, unsigned long address);
pte_t *get_locked_pte(struct mm_struct *mm, unsigned long addr);
#define FOLL_GET	0x04		/* follow_page: take a reference on the page */
struct page *follow_page(struct vm_area_struct *vma, unsigned long address,
			 unsigned int foll_flags);

/*
 * mlock.c: locked VMAs and mlocked pages.  PG_mlocked and the page's
 * move to or from the unevictable list change together, under
 * zone->lru_lock (swap.c's move_page_lru), and NR_MLOCK with them.
 */
int can_do_mlock(void);
/* Would @len more locked bytes stay within RLIMIT_MEMLOCK? */
bool mlock_allowed(struct mm_struct *mm, unsigned long len);
/* A new page for @vma: mlocked (true) when @vma is locked; the caller puts it on the right list. */
bool is_mlocked_vma(struct vm_area_struct *vma, struct page *page);
void mlock_vma_page(struct page *page);
void munlock_vma_page(struct page *page);
/* The page stops being mlocked whatever maps it (COW away from a locked VMA, truncation). */
void clear_page_mlock(struct page *page);
/* Fault in and mlock [start, end) of a VM_LOCKED VMA; the pages not counted in locked_vm. */
long mlock_vma_pages_range(struct vm_area_struct *vma, unsigned long start, unsigned long end);
/* Clear VM_LOCKED and munlock the pages of [start, end) (munlock, munmap, exit). */
void munlock_vma_pages_range(struct vm_area_struct *vma, unsigned long start, unsigned long end);
static inline void munlock_vma_pages_all(struct vm_area_struct *vma)
{
	munlock_vma_pages_range(vma, vma->vm_start, vma->vm_end);
}

/* swap.c: the unevictable list */
void add_page_to_unevictable_list(struct page *page);
bool move_page_lru(struct page *page);

struct inode;
struct file_operations;
/* shmem.c: punching a hole; an unnamed object's end; its file operations. */
int shmem_truncate_range(struct file *file, pgoff_t first, pgoff_t last);
void shmem_evict_inode(struct inode *inode);
const struct file_operations *shmem_file_operations(void);

/*
 * hostfs.c and filemap.c: files and inodes.  Lock order: inode_cache_mutex,
 * then a mapping's i_mmap_lock, then mm->page_table_lock, then its
 * tree_lock (set_page_dirty under page_table_lock takes tree_lock).
 */
struct file *alloc_file(struct inode *inode, unsigned int f_mode,
			const struct file_operations *fop);
void iput(struct inode *inode);
void hostfs_add_named(struct inode *inode);
void for_each_cached_inode(void (*fn)(struct inode *inode, void *arg), void *arg);
void filemap_cache_init(void);

/* mm_init.c */
extern unsigned long arch_zone_lowest_possible_pfn[MAX_NR_ZONES];
extern unsigned long arch_zone_highest_possible_pfn[MAX_NR_ZONES];
extern unsigned long zone_movable_pfn[MAX_NUMNODES];
extern unsigned long nr_kernel_pages, nr_all_pages;
extern int movable_zone;
extern struct per_cpu_pageset boot_pageset[NR_CPUS];
int zone_batchsize(struct zone *zone);
void setup_pageset(struct per_cpu_pageset *p, unsigned long batch);
/* Initialise the struct pages of a MAX_ORDER block of @zone as memmap_init_zone() does. */
void memmap_init_block(struct zone *zone, unsigned long pfn);

/*
 * deferred_init.c: free top-order blocks whose struct pages wait until the
 * allocator reaches them.  The caller of deferred_grow_zone() and
 * deferred_init_lowest() holds zone->lock.
 */
#define NR_DEFERRED_RANGES	32	/* separate runs of deferred blocks, machine-wide */
bool deferred_block_candidate(const struct zone *zone, unsigned long pfn);
void deferred_init_boot(const struct pfn_range *res, int nres);
void deferred_grow_zone(struct zone *zone);
void deferred_init_lowest(struct zone *zone, unsigned long pfn, int migratetype);
void deferred_init_all(void);
/* Unwritten struct pages, deferred or lent (both tables): the walks skip them. */
unsigned long deferred_next(unsigned long pfn, unsigned long *end);
unsigned long deferred_range_end(unsigned long pfn);
/* Lent blocks (big runs' blocks in use, unwritten): the caller holds the zone's lock to change them. */
#define NR_LENT_RANGES		64	/* big runs holding lent blocks at once, machine-wide */
unsigned long deferred_lend_run(struct zone *zone, unsigned long blocks, bool write_last);
struct zone *deferred_lent_zone(unsigned long pfn);
void deferred_return_lent(struct zone *zone, unsigned long pfn);
void deferred_write_lent(struct zone *zone, unsigned long pfn);
bool deferred_absorb(struct zone *zone, unsigned long pfn);
bool deferred_add_hot(struct zone *zone, unsigned long start, unsigned long end);
unsigned long deferred_lent_end(unsigned long pfn);
bool deferred_lent_in(unsigned long start, unsigned long end);
int deferred_zone_ranges(const struct zone *zone, struct pfn_range *out, int max);
/* Blocks on free_area[order].free_list[mt], deferred ones included (the /proc views). */
unsigned long free_list_blocks(struct zone *zone, int order, int mt);

/* sparse.c (x86_64) and the flat map (i386) */
void *memmap_alloc_flat(pg_data_t *pgdat, unsigned long start_pfn, unsigned long end_pfn);
/* Host pages backing the struct pages of [pfn, pfn + nr) (x86_64; mm_check). */
long memmap_resident_pages(unsigned long pfn, unsigned long nr);
/* Give the host pages holding the struct pages of [pfn, pfn + nr) back: they read as zeroes (x86_64). */
void memmap_discard(unsigned long pfn, unsigned long nr);

/* pageblock flags */
#define NR_PAGEBLOCK_BITS	3
#define pageblock_nr_pages	(1UL << pageblock_order)
void set_pageblock_migratetype(struct page *page, int migratetype);
void set_zone_pageblock_migratetype(struct zone *zone, unsigned long pfn, int migratetype);

static inline unsigned long pfn_to_bitidx(struct zone *zone, unsigned long pfn)
{
	pfn -= zone->zone_start_pfn & ~(pageblock_nr_pages - 1);
	return (pfn >> pageblock_order) * NR_PAGEBLOCK_BITS;
}

/*
 * The migrate type of the pageblock holding @pfn: its bits read with one
 * load of their word (two when they straddle words), without the zone
 * lock — see set_pageblock_migratetype().
 */
static inline int __get_pageblock_migratetype(struct zone *zone, unsigned long pfn)
{
	unsigned long bitidx = pfn_to_bitidx(zone, pfn);
	unsigned long word = bitidx / BITS_PER_LONG, shift = bitidx % BITS_PER_LONG;
	unsigned long v = READ_ONCE(zone->pageblock_flags[word]) >> shift;

	if (unlikely(shift + NR_PAGEBLOCK_BITS > BITS_PER_LONG))
		v |= READ_ONCE(zone->pageblock_flags[word + 1]) << (BITS_PER_LONG - shift);
	return v & ((1UL << NR_PAGEBLOCK_BITS) - 1);
}

static inline int get_pageblock_migratetype(struct page *page)
{
	return __get_pageblock_migratetype(page_zone(page), page_to_pfn(page));
}
unsigned long usemap_size(unsigned long zone_start_pfn, unsigned long zonesize);

/* The buddy lists without the per-CPU lists (benchmarks, tests). */
struct page *rmqueue_buddy(struct zone *zone, unsigned int order, int migratetype);
void free_buddy(struct page *page, unsigned int order);

/* slab.c: the bootstrap, in start_kernel's order */

/* zonelist.c */
extern int policy_zone;
unsigned int nr_free_zone_pages(int offset);
unsigned int nr_free_buffer_pages(void);
unsigned int nr_free_pagecache_pages(void);

/* page_alloc.c */
extern const int fallbacks[MIGRATE_TYPES][MIGRATE_TYPES - 1];
void page_alloc_init_late(void);

/* vmstat.c */
void __mod_zone_page_state(struct zone *zone, enum zone_stat_item item, int delta);

/* A zone counter of @page's zone changes by @delta, from any context (irqs saved). */
static inline void mod_page_state(struct page *page, enum zone_stat_item item, int delta)
{
	unsigned long flags;

	local_irq_save(flags);
	__mod_zone_page_state(page_zone(page), item, delta);
	local_irq_restore(flags);
}
void __dec_zone_state(struct zone *zone, enum zone_stat_item item);
/* Add @delta to a zone counter and the global one (the fold of a per-CPU delta). */
void zone_page_state_add(long delta, struct zone *zone, enum zone_stat_item item);

/*
 * Count one on this CPU's delta (interrupts disabled).  Increments
 * overshoot by half a threshold when they fold, so that a counter moving
 * steadily one way folds half as often.  Inline: the allocator's fast path
 * counts three of these per page.
 */
static __always_inline void __inc_pset_state(struct per_cpu_pageset *pcp, struct zone *zone,
					     enum zone_stat_item item)
{
	s8 *p = pcp->vm_stat_diff + item;
	s8 v = READ_ONCE(*p) + 1;
	s8 t = READ_ONCE(pcp->stat_threshold);	/* CPU hotplug rewrites it from another CPU */

	if (unlikely(v > t)) {
		int overstep = t / 2;

		zone_page_state_add(v + overstep, zone, item);
		v = -overstep;
	}
	WRITE_ONCE(*p, v);
}

static __always_inline void __inc_zone_state(struct zone *zone, enum zone_stat_item item)
{
	__inc_pset_state(&zone->pageset[smp_processor_id()], zone, item);
}
void refresh_cpu_vm_stats(int cpu);
void vm_events_fold_cpu(int cpu);	/* a dead CPU's event counts to this CPU's */
void zap_zone_vm_stats(struct zone *zone);
int calculate_threshold(struct zone *zone);

/*
 * NUMA hit/miss accounting of an allocation from @z for a request
 * preferring @preferred; @zpset is this CPU's pageset of @z.
 */
static __always_inline void __zone_statistics(struct zone *preferred, struct zone *z,
					      struct per_cpu_pageset *zpset)
{
	if (!arch->numa)
		return;
	if (z->zone_pgdat == preferred->zone_pgdat) {
		__inc_pset_state(zpset, z, NUMA_HIT);
	} else {
		__inc_pset_state(zpset, z, NUMA_MISS);
		__inc_zone_state(preferred, NUMA_FOREIGN);
	}
	if (z->node == numa_node_id())
		__inc_pset_state(zpset, z, NUMA_LOCAL);
	else
		__inc_pset_state(zpset, z, NUMA_OTHER);
}

static __always_inline void zone_statistics(struct zone *preferred, struct zone *z)
{
	__zone_statistics(preferred, z, &z->pageset[smp_processor_id()]);
}

/* Iterate the zone indices the architecture configures, low to high. */
#define for_each_arch_zone(k, idx) \
	for ((k) = 0; (k) < arch->nr_zones && ((idx) = arch->zones[(k)], 1); (k)++)

/*
 * nr_free changes under zone->lock but is read without it by the watermark
 * check (as in Linux): the updates are single relaxed stores so that the
 * lockless reader sees a whole value.
 */
static inline void area_add_free(struct free_area *area, long blocks)
{
	WRITE_ONCE(area->nr_free, area->nr_free + blocks);
}

/*
 * A page between owners has no references and no mappings: _count 0 and
 * _mapcount -1.  The two are adjacent 32-bit fields, tested here with one
 * 64-bit load (the free and allocation checks run on every page).
 */
_Static_assert(offsetof(struct page, _mapcount) == offsetof(struct page, _count) + 4,
	       "_count and _mapcount must be adjacent");
static __always_inline bool page_refs_idle(const struct page *page)
{
	const u64 *both = (const u64 *)&page->_count;

	return READ_ONCE(*both) == (u64)0xffffffff << 32;
}

/* page_debug.c */
void bad_page(struct page *page);
void bad_page_report(struct page *page);	/* report only, touch nothing */

/*
 * Debug builds mark pages that sit on a per-CPU list (a bit above the page
 * flags), so that a free of a larger order covering one is caught.
 */
#define PG_pcp_debug	(NR_PAGEFLAGS + 2)
static inline void pcp_mark(struct page *page, bool on)
{
	if (KMM_DEBUG) {
		if (on)
			__page_flags_set(page, 1UL << PG_pcp_debug);
		else
			__page_flags_clear(page, 1UL << PG_pcp_debug);
	}
}

static inline bool pcp_marked(const struct page *page)
{
	return KMM_DEBUG && test_bit(PG_pcp_debug, &page->flags);
}
void dump_page(struct page *page);
void __kernel_map_pages(struct page *page, int numpages, int enable);
/* Page poisoning, a debug-build feature (CONFIG_DEBUG_PAGEALLOC): free in release builds. */
static __always_inline void kernel_map_pages(struct page *page, int numpages, int enable)
{
	if (KMM_DEBUG)
		__kernel_map_pages(page, numpages, enable);
}
unsigned long bad_page_count(void);

/* Allocation flags for get_page_from_freelist(). */
#define ALLOC_WMARK_MIN		WMARK_MIN
#define ALLOC_WMARK_LOW		WMARK_LOW
#define ALLOC_WMARK_HIGH	WMARK_HIGH
#define ALLOC_NO_WATERMARKS	0x04	/* don't check watermarks at all */
#define ALLOC_WMARK_MASK	(ALLOC_NO_WATERMARKS - 1)
#define ALLOC_HARDER		0x10	/* try to alloc harder */
#define ALLOC_HIGH		0x20	/* __GFP_HIGH set */
#define ALLOC_CPUSET		0x40	/* check for correct cpuset */

int zone_watermark_ok(struct zone *z, int order, unsigned long mark, int classzone_idx,
		      int alloc_flags);
void prep_compound_page(struct page *page, unsigned long order);

/* Reclaim and OOM entry points the allocator's slow path calls (vmscan.c, oom_kill.c). */
#define ZONE_RECLAIM_NOSCAN	-2
#define ZONE_RECLAIM_FULL	-1
#define ZONE_RECLAIM_SOME	0
#define ZONE_RECLAIM_SUCCESS	1
extern int zone_reclaim_mode;
extern bool oom_killer_disabled;
int zone_reclaim(struct zone *zone, gfp_t gfp_mask, unsigned int order);
void wakeup_kswapd(struct zone *zone, int order);
unsigned long try_to_free_pages(struct zonelist *zonelist, int order, gfp_t gfp_mask,
				unsigned long *nodemask);
void out_of_memory(struct zonelist *zonelist, gfp_t gfp_mask, int order, unsigned long *nodemask);
void congestion_wait(long timeout);

/*
 * A simulator's guard: in deterministic mode nothing can free memory while
 * an allocation loops waiting for reclaim that will never come; after a
 * bounded number of rounds the allocation fails with a warning instead of
 * hanging.  See docs/glossary.md.
 */
void alloc_livelock_reset(void);
bool alloc_livelocked(void);

/* show_mem.c */
void show_mem(void);
void show_free_areas(void);
/* Print gfp flags as the tracepoints do ("GFP_KERNEL|GFP_ZERO"). */
void format_gfp_flags(char *buf, size_t size, gfp_t flags);

/* fault injection: fail_page_alloc */
bool __should_fail_alloc_page(gfp_t gfp_mask, unsigned int order);
/* Fault injection, tested inline so that an idle fail_page_alloc costs one load. */
static __always_inline bool should_fail_alloc_page(gfp_t gfp_mask, unsigned int order)
{
	if (likely(!fault_attr_active(&fail_page_alloc_attr)))
		return false;
	return __should_fail_alloc_page(gfp_mask, order);
}

int move_freepages_block(struct zone *zone, struct page *page, int migratetype);

/* watermark.c */
extern int min_free_kbytes;
extern int sysctl_lowmem_reserve_ratio[MAX_NR_ZONES];
extern int percpu_pagelist_fraction;
void setup_per_zone_wmarks(void);
void calculate_zone_inactive_ratio(struct zone *zone);

/* Memory hotplug (mm/page_isolation.c, mm/sparse.c, mm/mm_init.c, mm/memory_hotplug.c). */
int set_migratetype_isolate(struct page *page);
void unset_migratetype_isolate(struct page *page);
int start_isolate_page_range(unsigned long start_pfn, unsigned long end_pfn);
void undo_isolate_page_range(unsigned long start_pfn, unsigned long end_pfn);
int test_pages_isolated(unsigned long start_pfn, unsigned long end_pfn);
void __offline_isolated_pages(unsigned long start_pfn, unsigned long end_pfn);
int sparse_add_sections(int nid, unsigned long start_pfn, unsigned long nr_pages);
void sparse_remove_sections(void);
void sparse_commit_sections(unsigned long start_pfn, unsigned long nr_pages);
int init_currently_empty_zone(struct zone *zone, unsigned long start_pfn, unsigned long size);
/* Pages of @zone's span that memory hotplug added (their memory map is not the zone's). */
unsigned long zone_hotplug_span(const struct zone *zone);
void vm_total_pages_update(void);
void setup_per_zone_lowmem_reserve(void);
int min_free_kbytes_set(long long kbytes);
int lowmem_reserve_ratio_set(const int *ratios, int n);
int percpu_pagelist_fraction_set(long long fraction);

/* Boot option mobility_grouping=off: never group pages by mobility (kmm). */
extern bool mobility_grouping_off;

#endif /* KMM_MM_INTERNAL_H */
