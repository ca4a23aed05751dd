/*
 * vmscan.c - the allocator's entry points into page reclaim.
 *
 * Reclaim frees pages from the LRU lists; until user memory (page cache,
 * anonymous pages) exists, the LRU lists are empty and there is nothing to
 * reclaim, so these entry points report no progress, which is the truth.
 * kswapd's wake-up records the order it is asked for, as Linux does, for
 * the reclaim issue's kswapd to act on.
 */
#include <kmm/gfp.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/sched.h>
#include <kmm/vmstat.h>
#include "hw/machine.h"
#include "mm/internal.h"

int zone_reclaim_mode __state_zero;

static unsigned long lru_pages(struct zone *zone)
{
	unsigned long n = 0;

	for (int l = NR_LRU_BASE; l < NR_LRU_BASE + NR_LRU_LISTS; l++)
		n += zone_page_state(zone, l);
	return n;
}

void wakeup_kswapd(struct zone *zone, int order)
{
	pg_data_t *pgdat = zone->zone_pgdat;

	if (!populated_zone(zone))
		return;
	if (zone_watermark_ok(zone, order, low_wmark_pages(zone), 0, 0))
		return;
	/* Several CPUs may wake kswapd at once: a racy maximum, as in Linux, read and written once. */
	if (READ_ONCE(pgdat->kswapd_max_order) < order)
		WRITE_ONCE(pgdat->kswapd_max_order, order);
	wake_up_interruptible(&pgdat->kswapd_wait);
}

unsigned long try_to_free_pages(struct zonelist *zonelist, int order, gfp_t gfp_mask,
				unsigned long *nodemask)
{
	struct zoneref *z;
	struct zone *zone;
	unsigned long reclaimable = 0;

	count_vm_event(ALLOCSTALL);
	for_each_zone_zonelist(zone, z, zonelist, gfp_zone(gfp_mask))
		reclaimable += lru_pages(zone);
	(void)reclaimable;	/* no LRU pages exist yet: nothing is reclaimed */
	return 0;
}

int zone_reclaim(struct zone *zone, gfp_t gfp_mask, unsigned int order)
{
	return ZONE_RECLAIM_NOSCAN;
}

#define LIVELOCK_ROUNDS	64

static __thread unsigned int livelock_rounds;

void alloc_livelock_reset(void)
{
	livelock_rounds = 0;
}

bool alloc_livelocked(void)
{
	if (!hw_deterministic() || ++livelock_rounds < LIVELOCK_ROUNDS)
		return false;
	printk(KERN_WARNING "%s: allocation livelock: no task can free memory, failing the allocation\n",
	       current->comm);
	return true;
}

void congestion_wait(long timeout)
{
	schedule_timeout_uninterruptible(timeout);
}
