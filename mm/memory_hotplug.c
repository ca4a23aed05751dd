/*
 * memory_hotplug.c - RAM added while the machine runs, and taken back
 * (2.6.34's mm/memory_hotplug.c and drivers/base/memory.c).
 *
 * Three steps, each its own call:
 *
 *   add_memory(nid, start, size)   the machine grows RAM; the direct map
 *       (arch_add_memory), struct pages (sparse_add_sections) and the
 *       zone's span (__add_zone: grow_zone_span, grow_pgdat_span) cover
 *       it; every new page is PG_reserved; a memory block per section
 *       appears in /sys/devices/system/memory, "offline".
 *   online_pages(pfn, nr)          each page freed to the buddy allocator
 *       (online_page); present pages, totalram, watermarks, the inactive
 *       ratio follow; a zone populated for the first time gets per-CPU
 *       lists and the zonelists are rebuilt.
 *   offline_pages(start, end)      the range's pageblocks isolated, the
 *       per-CPU lists drained, and every page must be free: 2.6.34 would
 *       migrate pages on the LRU, kmm has no migration yet, so a page in
 *       use refuses with -EBUSY and the isolation is undone exactly.  Free
 *       pages leave the buddy allocator and are PG_reserved again.
 *
 * And one step that is not 2.6.34's, for libkmm-malloc's growth:
 *
 *   add_memory_online(nid, start, size)   add_memory() then onlining of
 *       the whole range.  In a zone that defers (deferred_init.c), the
 *       range never reads as offline: the new blocks become
 *       deferred free blocks in the add's own commit (deferred_add_hot),
 *       their struct pages never written and their memory map's host
 *       pages given back, and the counters then move as online_pages()'s
 *       frees move them (online_deferred).  A machine that grows by
 *       gigabytes a program barely touches writes no struct page of them
 *       (2M of struct pages per 128M section).  The kmm program's steps
 *       stay separate and write everything: a deferred block waits at the
 *       top-order list's tail, where an onlined one goes to its head.
 *
 * Invariants (mm_check, here and in debug.c): every page of an offline
 * memory block is PG_reserved and off the buddy lists; the spans of a zone
 * and its node cover every present section of theirs; a hot-added section
 * is in the early_node_map (kmm keeps it after boot, so that its pages
 * count as RAM, not holes).  Adds, onlines and offlines are serialised by
 * mem_hotplug_mutex (2.6.34: lock_system_sleep and the block's
 * state_mutex).
 *
 * Other CPUs keep allocating meanwhile (the parallel mode: libkmm-malloc
 * grows its machine while its threads run).  What they read without a
 * lock - the zonelists, watermarks, per-CPU list sizes, the pageblock
 * bitmap's address, present and managed page counts - changes only inside
 * hotplug_stop_machine(), as 2.6.34 changes it inside stop_machine()
 * (build_all_zonelists, zone_pcp_update): every other CPU is held outside
 * its interrupts-disabled sections, so a reader in one sees all of a
 * change or none of it.  Not in 2.6.34's kmm: new nodes (hotadd_new_pgdat),
 * removing sections (remove_memory past offlining; 2.6.34 refuses it for
 * the vmemmap too), kswapd (it does not exist yet: onlining a node would
 * start it).
 */
#include <kmm/bootmem.h>
#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/highmem.h>
#include <kmm/kernel.h>
#include <kmm/memory_hotplug.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/mutex.h>
#include <kmm/params.h>
#include <kmm/printk.h>
#include <kmm/procfs.h>
#include <kmm/seq_file.h>
#include <kmm/slab.h>
#include <kmm/string.h>
#include <kmm/vmstat.h>
#include "arch/x86/e820.h"
#include "arch/x86/hotplug.h"
#include "hw/cpu.h"
#include "hw/ram.h"
#include "mm/internal.h"

#define MAX_BLOCKS	8192	/* sections of 1 TB of 128M (x86_64's simulator bound) */

enum { MEM_ONLINE = 1, MEM_OFFLINE = 2 };	/* drivers/base/memory.c's states */

static DEFINE_MUTEX(mem_hotplug_mutex);

static struct {
	u8 offline[MAX_BLOCKS];		/* 1: the block's pages are offline (PG_reserved) */
	u8 added[MAX_BLOCKS];		/* 1: the section was hot-added */
	/* Pages each zone's span grew by through hotplug (no memory map out of the zone's pages). */
	unsigned long hot_span[MAX_NUMNODES][MAX_NR_ZONES];
	/* The zone's pageblock bitmap is ours (kmalloc), not the boot allocator's. */
	bool usemap_ours[MAX_NUMNODES][MAX_NR_ZONES];
} mh __state_bulk;

/* SECTION_SIZE_BITS of arch/x86/include/asm/sparsemem.h: 27, i386 26, PAE 29. */
static unsigned int section_size_bits(void)
{
	if (arch->bits == 64)
		return 27;
	return arch->pae ? 29 : 26;
}

static unsigned long pages_per_section(void)
{
	return 1UL << (section_size_bits() - PAGE_SHIFT);
}

unsigned long memory_block_size_bytes(void)
{
	return 1UL << section_size_bits();
}

/* A block exists for each section with RAM at boot, and each hot-added one. */
static bool block_present(unsigned long nr)
{
	unsigned long pfn = nr * pages_per_section();

	if (nr >= MAX_BLOCKS || pfn >= max_pfn)
		return false;
	return mh.added[nr] || pfn_valid(pfn);
}

unsigned long zone_hotplug_span(const struct zone *zone)
{
	return mh.hot_span[zone_to_nid(zone)][zone_idx(zone)];
}

u64 memory_hotplug_next_start(void)
{
	return round_up((u64)max_pfn << PAGE_SHIFT, memory_block_size_bytes());
}

/*
 * Run @fn(@arg) while every other CPU is stopped outside its
 * interrupts-disabled sections (2.6.34's stop_machine, built on the CPU
 * freeze that fork() uses).  @fn must not wait for another CPU
 * (drain_all_pages, on_each_cpu: the frozen CPU would never answer) nor
 * sleep; its writes are seen by each other CPU from its next
 * interrupts-disabled section on (the freeze's release and acquire).
 */
static void hotplug_stop_machine(void (*fn)(void *), void *arg)
{
	hw_cpus_freeze();
	fn(arg);
	hw_cpus_thaw(false);
}

/* ---- adding ---- */

/*
 * The zone's pageblock bitmap, as hotplug needs it: the first add to a
 * zone replaces the boot bitmap (never freed: the boot allocator's) with
 * one from the slab allocator covering every pfn the zone may reach, up
 * to hotplug_max=, the old bits copied; later adds find it big enough.
 * So the pointer changes once, to memory that stays, and a reader racing
 * with an add (lock-free, __get_pageblock_migratetype) reads either
 * bitmap safely.  0 or -ENOMEM (nothing changed).
 */
static int grow_usemap(struct zone *zone, unsigned long start_pfn, unsigned long **new_out)
{
	unsigned long zstart = zone->spanned_pages ? zone->zone_start_pfn : start_pfn;
	unsigned long max_end = (unsigned long)(hw_ram_max() >> PAGE_SHIFT);
	unsigned long *map;

	if (mh.usemap_ours[zone_to_nid(zone)][zone_idx(zone)]) {
		*new_out = zone->pageblock_flags;
		return 0;
	}
	map = kzalloc(usemap_size(zstart, max_end - zstart), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	if (zone->spanned_pages)
		memcpy(map, zone->pageblock_flags, usemap_size(zstart, zone->spanned_pages));
	*new_out = map;
	return 0;
}

static void grow_zone_span(struct zone *zone, unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long old_end = zone->zone_start_pfn + zone->spanned_pages;

	if (!zone->spanned_pages || start_pfn < zone->zone_start_pfn)
		zone->zone_start_pfn = start_pfn;
	zone->spanned_pages = max(old_end, end_pfn) - zone->zone_start_pfn;
}

static void grow_pgdat_span(struct pglist_data *pgdat, unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long old_end = pgdat->node_start_pfn + pgdat->node_spanned_pages;

	if (!pgdat->node_spanned_pages || start_pfn < pgdat->node_start_pfn)
		pgdat->node_start_pfn = start_pfn;
	pgdat->node_spanned_pages = max(old_end, end_pfn) - pgdat->node_start_pfn;
}

/*
 * The new range joins @zone (__add_zone): its span and the node's grow,
 * and each struct page is initialised as memmap_init_zone(MEMMAP_HOTPLUG)
 * does - reserved, one reference, the zone and node in its flags - with
 * every pageblock MOVABLE.  Cannot fail: the caller allocated @usemap.
 * With *@defer (add_memory_online), the range's blocks go straight to
 * the deferred ranges, free and unwritten; *@defer is false on return
 * when they could not (then they are written, reserved, as above).
 */
static void __add_zone(struct zone *zone, unsigned long start_pfn, unsigned long nr_pages,
		       unsigned long *usemap, bool *defer)
{
	unsigned long old_end = zone->spanned_pages ? zone->zone_start_pfn + zone->spanned_pages : start_pfn;
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	zone->pageblock_flags = usemap;
	mh.usemap_ours[zone_to_nid(zone)][zone_idx(zone)] = true;
	mh.hot_span[zone_to_nid(zone)][zone_idx(zone)] += start_pfn + nr_pages - old_end;
	grow_zone_span(zone, start_pfn, start_pfn + nr_pages);
	grow_pgdat_span(zone->zone_pgdat, start_pfn, start_pfn + nr_pages);
	spin_unlock_irqrestore(&zone->lock, flags);
	/* By pfn: the struct pages may stay unwritten (below). */
	for (unsigned long pfn = start_pfn; pfn < start_pfn + nr_pages; pfn += pageblock_nr_pages)
		set_zone_pageblock_migratetype(zone, pfn, MIGRATE_MOVABLE);
	if (*defer) {
		spin_lock_irqsave(&zone->lock, flags);
		*defer = deferred_add_hot(zone, start_pfn, start_pfn + nr_pages);
		spin_unlock_irqrestore(&zone->lock, flags);
		if (*defer)
			return;
	}
	for (unsigned long pfn = start_pfn; pfn < start_pfn + nr_pages; pfn += MAX_ORDER_NR_PAGES)
		memmap_init_block(zone, pfn);
}

struct hot_add {
	int nid;
	struct zone *zone;
	u64 start, size;
	unsigned long *usemap;
	bool defer;		/* in: online deferred if the zone may; out: it was */
};

/*
 * The add becomes visible: the sections present, the range in the
 * early_node_map, the zone's and node's spans and bitmap, the firmware
 * map and max_pfn.  Run with the other CPUs stopped: the bitmap's
 * address and max_pfn are read without a lock.
 */
static void commit_memory(void *arg)
{
	struct hot_add *a = arg;
	unsigned long start_pfn = (unsigned long)(a->start >> PAGE_SHIFT);
	unsigned long nr_pages = (unsigned long)(a->size >> PAGE_SHIFT);

	sparse_commit_sections(start_pfn, nr_pages);
	add_active_range(a->nid, start_pfn, start_pfn + nr_pages);
	__add_zone(a->zone, start_pfn, nr_pages, a->usemap, &a->defer);
	arch_commit_memory(a->start, a->size);
	for (unsigned long s = start_pfn / pages_per_section();
	     s < (start_pfn + nr_pages) / pages_per_section(); s++) {
		mh.added[s] = 1;
		mh.offline[s] = !a->defer;	/* deferred: online from the start */
	}
}

static void online_deferred(struct zone *zone, unsigned long start_pfn, unsigned long nr_pages,
			    struct per_cpu_pageset *fresh);

/*
 * Add RAM [start, start + size) to node @nid, offline (and with @online,
 * online: add_memory_online).  The range must be
 * section-aligned, a whole number of sections, above all RAM there is
 * (the simulated memfd grows at its top) and within hotplug_max=.  Every
 * allocation comes before the first change that could be seen, so a
 * failure returns -ENOMEM (or -EEXIST, -EINVAL, -ERANGE for a bad range)
 * having changed nothing.
 */
static int __add_memory(int nid, u64 start, u64 size, bool online)
{
	unsigned long start_pfn = (unsigned long)(start >> PAGE_SHIFT);
	unsigned long nr_pages = (unsigned long)(size >> PAGE_SHIFT);
	u64 old_ram_size = hw_ram_size;
	unsigned long *new_map = NULL;
	struct per_cpu_pageset *fresh = NULL;
	struct hot_add a;
	struct zone *zone;
	int zone_type, err;

	if (!size || ((start | size) & (memory_block_size_bytes() - 1)))
		return kmm_error("add_memory: %#llx+%#llx is not a whole number of %luM sections",
				 (unsigned long long)start, (unsigned long long)size,
				 memory_block_size_bytes() >> 20);
	if (nid < 0 || nid >= MAX_NUMNODES || !node_online(nid))
		return kmm_error("add_memory: node %d is not online (kmm adds no new nodes)", nid);
	if (start < hw_ram_size || start < ((u64)max_pfn << PAGE_SHIFT)) {
		kmm_error("add_memory: System RAM resource %llx - %llx cannot be added (it overlaps RAM)",
			  (unsigned long long)start, (unsigned long long)(start + size - 1));
		return -EEXIST;
	}
	if (start + size > hw_ram_max() ||
	    (start + size) / memory_block_size_bytes() > MAX_BLOCKS) {
		kmm_error("add_memory: %#llx-%#llx is beyond hotplug_max=%lluM, the most RAM may grow to (a boot option)",
			  (unsigned long long)start, (unsigned long long)(start + size - 1),
			  (unsigned long long)(hw_ram_max() >> 20));
		return -ERANGE;
	}

	mutex_lock(&mem_hotplug_mutex);
	zone_type = arch_add_memory(nid, start, size);
	if (zone_type < 0) {
		err = zone_type;
		goto out;
	}
	zone = &NODE_DATA(nid)->node_zones[zone_type];
	err = sparse_add_sections(nid, start_pfn, nr_pages);
	if (err)
		goto out_arch;
	err = grow_usemap(zone, start_pfn, &new_map);
	if (err)
		goto out_sparse;
	if (!zone->wait_table) {
		err = init_currently_empty_zone(zone, start_pfn, nr_pages);
		if (err)
			goto out_usemap;
	}

	/* A zone's first pages need its first pagesets (as online_pages() makes them). */
	if (online && !populated_zone(zone)) {
		err = -ENOMEM;
		fresh = kzalloc_node(nr_cpu_ids * sizeof(*fresh), GFP_KERNEL, nid);
		if (!fresh)
			goto out_usemap;
	}
	a = (struct hot_add){ nid, zone, start, size, new_map, online };
	if (a.defer)
		memmap_discard(start_pfn, nr_pages);	/* a deferred block's struct pages have no host page */

	/* From here on nothing fails. */
	hotplug_stop_machine(commit_memory, &a);
	if (a.defer)
		online_deferred(zone, start_pfn, nr_pages, fresh);
	mutex_unlock(&mem_hotplug_mutex);
	if (online && !a.defer) {
		kfree(fresh);
		drain_local_pages(NULL);	/* as online_deferred() starts */
		return online_pages(start_pfn, nr_pages);
	}
	return 0;

out_usemap:
	if (new_map != zone->pageblock_flags)
		kfree(new_map);
out_sparse:
	sparse_remove_sections();
out_arch:
	arch_remove_memory(start, size, old_ram_size);
out:
	mutex_unlock(&mem_hotplug_mutex);
	if (err == -ENOMEM)
		kmm_error("add_memory: out of memory for the new range's tables and map");
	return err;
}

int add_memory(int nid, u64 start, u64 size)
{
	return __add_memory(nid, start, size, false);
}

/*
 * add_memory() and online_pages() in one step (libkmm-malloc's growth;
 * not 2.6.34's).  In a zone that defers (deferred_init.c), the range
 * never passes through "offline": its blocks go
 * straight from absent to deferred free blocks, their struct pages never
 * written, and the machine reads as the separate steps leave it.  The
 * current CPU's per-CPU lists are drained first either way, so that
 * both ways count the same frees from the same start (online_deferred).
 */
int add_memory_online(int nid, u64 start, u64 size)
{
	return __add_memory(nid, start, size, true);
}

/* ---- online ---- */

/*
 * The memory blocks of [start_pfn, end_pfn) are online (any of their pages
 * onlined) or offline (wholly offlined): the state file follows the pages
 * whichever way they went, sysfs or a direct call.
 */
static void mark_blocks(unsigned long start_pfn, unsigned long end_pfn, bool offline)
{
	unsigned long pps = pages_per_section();

	for (unsigned long s = start_pfn / pps; s < DIV_ROUND_UP(end_pfn, pps) && s < MAX_BLOCKS; s++)
		if (!offline || (s * pps >= start_pfn && (s + 1) * pps <= end_pfn))
			mh.offline[s] = offline;
}

/*
 * One page joins the buddy allocator (online_page; its counts are added
 * by online_commit, all at once).
 */
static void online_page(struct page *page)
{
	__ClearPageReserved(page);
	init_page_count(page);
	__free_page(page);
}

/*
 * The per-CPU lists follow the zone's new size (zone_pcp_update): a zone
 * populated for the first time gets its own pagesets (it used the boot
 * pageset, which holds nothing); the others take the new batch and high
 * mark.  Their lists were drained before the CPUs stopped: a list may
 * have refilled since, but never beyond the new mark, which only grows.
 */
static void zone_pcp_update(struct zone *zone, struct per_cpu_pageset *fresh)
{
	unsigned long batch = zone_batchsize(zone);
	int cpu;

	if (fresh) {
		for_each_possible_cpu(cpu) {
			setup_pageset(&fresh[cpu], batch);
			fresh[cpu].stat_threshold = calculate_threshold(zone);
		}
		zone->pageset = fresh;
		return;
	}
	for_each_possible_cpu(cpu) {
		struct per_cpu_pages *pcp = &zone->pageset[cpu].pcp;

		pcp->high = 6 * batch;
		pcp->batch = max(1UL, batch);
	}
}

struct online_work {
	struct zone *zone;
	struct per_cpu_pageset *fresh;	/* the zone's first pagesets, or NULL */
	unsigned long onlined, highmem, end_pfn;
};

/*
 * The onlined pages count (online_page's counters, present pages), and
 * what depends on the zone's size follows: per-CPU list sizes,
 * watermarks, the inactive ratio, the zonelists of a zone populated for
 * the first time.  Run with the other CPUs stopped (2.6.34: stop_machine
 * in build_all_zonelists and zone_pcp_update).
 */
static void online_commit(void *arg)
{
	struct online_work *w = arg;
	struct zone *zone = w->zone;

	totalram_pages += w->onlined;
	totalhigh_pages += w->highmem;
	if (w->onlined && w->end_pfn > num_physpages)
		num_physpages = w->end_pfn;
	zone->present_pages += w->onlined;
	zone->zone_pgdat->node_present_pages += w->onlined;
	zone_pcp_update(zone, w->fresh);
	setup_per_zone_wmarks();
	calculate_zone_inactive_ratio(zone);
	if (w->fresh)
		build_all_zonelists();
	else
		vm_total_pages_update();
}

/*
 * Online [pfn, pfn + nr_pages): every page PG_reserved so far is freed to
 * the buddy allocator of its zone.  A zone that had no present pages first
 * gets per-CPU pagesets (the only allocation: -ENOMEM changes nothing),
 * and the zonelists are rebuilt to include it.
 */
int online_pages(unsigned long pfn, unsigned long nr_pages)
{
	struct zone *zone = page_zone(pfn_to_page(pfn));
	struct online_work w = { .zone = zone };

	if (!populated_zone(zone)) {
		w.fresh = kzalloc_node(nr_cpu_ids * sizeof(*w.fresh), GFP_KERNEL, zone_to_nid(zone));
		if (!w.fresh) {
			printk(KERN_DEBUG "online_pages %lx at %lx failed\n", nr_pages, pfn);
			return -ENOMEM;
		}
	}
	for (unsigned long i = 0; i < nr_pages; i++) {
		struct page *page = pfn_to_page(pfn + i);

		if (page_is_ram(pfn + i) && PageReserved(page)) {
			w.onlined++;
			w.highmem += PageHighMem(page);
			w.end_pfn = pfn + i + 1;
			online_page(page);
		}
	}
	mark_blocks(pfn, pfn + nr_pages, false);
	if (!w.fresh)
		drain_all_pages();
	hotplug_stop_machine(online_commit, &w);
	return 0;
}

/*
 * The rest of onlining a range whose blocks went deferred at its add
 * (mem_hotplug_mutex held).  The counters move as online_pages()'s
 * frees move them: each page onto this CPU's per-CPU list (empty: the
 * caller drained it), a batch to the buddy allocator whenever the list
 * reaches its high mark, each batch one NR_FREE_PAGES delta folded by
 * the same threshold, and what the list would hold at the end counted
 * as drain_all_pages() counts it.  So /proc/zoneinfo's free pages read
 * the same, not just their sum.  A zone populated for the first time
 * still has the boot pageset (high mark 0: each page one delta), and no
 * drain, as online_pages().  Then the sizes follow (online_commit).
 */
static void online_deferred(struct zone *zone, unsigned long start_pfn, unsigned long nr_pages,
			    struct per_cpu_pageset *fresh)
{
	struct online_work w = {
		.zone = zone, .fresh = fresh, .onlined = nr_pages, .end_pfn = start_pfn + nr_pages,
		.highmem = is_highmem(zone) ? nr_pages : 0,
	};
	struct per_cpu_pages *pcp;
	unsigned long flags;
	long count;

	drain_local_pages(NULL);
	local_irq_save(flags);
	pcp = &zone->pageset[smp_processor_id()].pcp;
	count = pcp->count;
	zone->all_unreclaimable = 0;
	zone->pages_scanned = 0;
	for (unsigned long i = 0; i < nr_pages; i++)
		if (++count >= pcp->high) {
			__mod_zone_page_state(zone, NR_FREE_PAGES, pcp->batch);
			count -= pcp->batch;
		}
	if (count > pcp->count)
		__mod_zone_page_state(zone, NR_FREE_PAGES, (int)(count - pcp->count));
	__count_vm_events(PGFREE, nr_pages);
	local_irq_restore(flags);
	if (!fresh)
		drain_all_pages();
	hotplug_stop_machine(online_commit, &w);
}

/* ---- offline ---- */

static bool pages_in_one_zone(unsigned long start_pfn, unsigned long end_pfn)
{
	struct zone *zone = NULL;

	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn += MAX_ORDER_NR_PAGES) {
		if (!pfn_valid(pfn))
			continue;
		if (zone && page_zone(pfn_to_page(pfn)) != zone)
			return false;
		zone = page_zone(pfn_to_page(pfn));
	}
	return zone != NULL;
}

/*
 * Take [start_pfn, end_pfn) out of use: 0, -EINVAL (not pageblock-aligned,
 * or across zones) or -EBUSY (a pageblock could not be isolated, or a page
 * is in use; then the range is as it was, every block's type restored).
 */
int offline_pages(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long offlined = 0;
	struct zone *zone;
	int ret;

	if (start_pfn >= end_pfn || !IS_ALIGNED(start_pfn, pageblock_nr_pages) ||
	    !IS_ALIGNED(end_pfn, pageblock_nr_pages))
		return -EINVAL;
	if (deferred_lent_in(start_pfn, end_pfn)) {
		/* Pages in use (a big run's, unwritten): test_pages_isolated() would refuse. */
		printk(KERN_INFO "memory offlining %lx to %lx failed\n", start_pfn, end_pfn);
		return -EBUSY;
	}
	if (deferred_next(start_pfn, &(unsigned long){ 0 }) < end_pfn)
		deferred_init_all();	/* the range's struct pages are read from here on */
	if (!pages_in_one_zone(start_pfn, end_pfn))
		return -EINVAL;
	zone = page_zone(pfn_to_page(start_pfn));
	ret = start_isolate_page_range(start_pfn, end_pfn);
	if (ret)
		return ret;
	drain_all_pages();
	ret = test_pages_isolated(start_pfn, end_pfn);
	if (ret) {
		printk(KERN_INFO "memory offlining %lx to %lx failed\n", start_pfn, end_pfn);
		undo_isolate_page_range(start_pfn, end_pfn);
		return ret;
	}
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn++)
		offlined += page_is_ram(pfn);
	printk(KERN_INFO "Offlined Pages %lu\n", offlined);
	__offline_isolated_pages(start_pfn, end_pfn);
	mark_blocks(start_pfn, end_pfn, true);
	undo_isolate_page_range(start_pfn, end_pfn);
	zone->present_pages -= offlined;
	zone->zone_pgdat->node_present_pages -= offlined;
	totalram_pages -= offlined;
	if (is_highmem(zone))
		totalhigh_pages -= offlined;
	setup_per_zone_wmarks();
	calculate_zone_inactive_ratio(zone);
	vm_total_pages_update();
	return 0;
}

/* ---- memory blocks: /sys/devices/system/memory ---- */

/*
 * memory_block_change_state(): the block must be in the state the write
 * asks to leave (-EINVAL otherwise, as 2.6.34); onlining checks that
 * every page is still reserved (-EBUSY).
 */
static int memory_block_change_state(unsigned long nr, bool online)
{
	unsigned long pfn = nr * pages_per_section();
	int ret;

	mutex_lock(&mem_hotplug_mutex);
	if (mh.offline[nr] != (u8)online) {
		ret = kmm_error("memory%lu is %s already (EINVAL)", nr, online ? "online" : "offline");
		goto out;
	}
	if (online) {
		ret = online_pages(pfn, pages_per_section());
	} else {
		ret = offline_pages(pfn, pfn + pages_per_section());
		if (ret == -EINVAL)
			kmm_error("memory%lu: cannot offline (EINVAL): its pages are not all in one zone", nr);
		if (ret == -EBUSY)
			kmm_error("memory%lu: cannot offline (EBUSY): a pageblock is not MOVABLE, or a page is in use (kmm migrates nothing)",
				  nr);
	}
out:
	mutex_unlock(&mem_hotplug_mutex);
	return ret;
}

/* is_mem_section_removable(): every pageblock MOVABLE or wholly free, none starting reserved. */
static bool section_removable(unsigned long pfn)
{
	unsigned long end = pfn + pages_per_section();

	while (pfn < end) {
		struct page *page;
		unsigned long step = pageblock_nr_pages;

		if (page_init_deferred(pfn)) {
			pfn += MAX_ORDER_NR_PAGES;
			continue;
		}
		page = pfn_to_page(pfn);
		if (PageBuddy(page) && page_order(page) >= (unsigned long)pageblock_order)
			step = 1UL << page_order(page);
		else if (get_pageblock_migratetype(page) != MIGRATE_MOVABLE)
			return false;
		if (PageReserved(page))
			return false;
		pfn += step;
	}
	return true;
}

/* "memoryN/FILE" -> N and FILE, or false. */
static bool parse_block(const char *rest, unsigned long *nr, const char **file)
{
	unsigned long n = 0;
	const char *p = rest + 6;

	if (strncmp(rest, "memory", 6) || *p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		n = n * 10 + (unsigned long)(*p++ - '0');
	if (*p != '/' || !block_present(n))
		return false;
	*nr = n;
	*file = p + 1;
	return true;
}

static int memory_sysfs_show(struct seq_file *m, const char *rest)
{
	unsigned long nr;
	const char *file;

	if (!strcmp(rest, "block_size_bytes"))
		return seq_printf(m, "%lx\n", memory_block_size_bytes());
	if (!parse_block(rest, &nr, &file))
		return -ENOENT;
	if (!strcmp(file, "state"))
		return seq_printf(m, "%s\n", mh.offline[nr] ? "offline" : "online");
	if (!strcmp(file, "phys_index"))
		return seq_printf(m, "%08lx\n", nr);
	if (!strcmp(file, "phys_device"))
		return seq_printf(m, "%d\n", 0);
	if (!strcmp(file, "removable")) {
		int removable;

		mutex_lock(&mem_hotplug_mutex);
		removable = section_removable(nr * pages_per_section());
		mutex_unlock(&mem_hotplug_mutex);
		return seq_printf(m, "%d\n", removable);
	}
	return -ENOENT;
}

static int memory_sysfs_write(const char *rest, const char *value)
{
	unsigned long nr;
	const char *file;

	if (!parse_block(rest, &nr, &file) || strcmp(file, "state"))
		return kmm_error("/sys/devices/system/memory/%s: no such writable file", rest);
	if (!strcmp(value, "online"))
		return memory_block_change_state(nr, true);
	if (!strcmp(value, "offline"))
		return memory_block_change_state(nr, false);
	return kmm_error("/sys/devices/system/memory/%s: '%s' is neither online nor offline (EINVAL)",
			 rest, value);
}
PROC_ENTRY(memory_sysfs, "/sys/devices/system/memory", memory_sysfs_show, memory_sysfs_write, true);

/* ---- mm_check ---- */

/* An offline block's pages are all reserved and outside the buddy allocator. */
static int check_memory_blocks(struct seq_file *report)
{
	int problems = 0;

	for (unsigned long nr = 0; nr < MAX_BLOCKS && nr * pages_per_section() < max_pfn; nr++) {
		unsigned long pfn = nr * pages_per_section();

		if (!mh.added[nr])
			continue;
		if (!pfn_valid(pfn) || !pfn_valid(pfn + pages_per_section() - 1)) {
			check_report(report, "memory%lu: hot-added but pfn %#lx has no struct page", nr, pfn);
			problems++;
			continue;
		}
		for (unsigned long i = 0; i < pages_per_section(); i++) {
			struct page *page = pfn_to_page(pfn + i);

			if (mh.offline[nr] && (!PageReserved(page) || PageBuddy(page))) {
				check_report(report, "memory%lu is offline but pfn %#lx is not reserved",
					     nr, pfn + i);
				problems++;
				break;
			}
		}
	}
	return problems;
}
MM_CHECK(memory_hotplug, check_memory_blocks);
