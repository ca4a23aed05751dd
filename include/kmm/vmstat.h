/*
 * vmstat.h - event counters (per CPU, summed when read) and the zone and
 * global page-state counters (see mm/vmstat.c).
 */
#ifndef KMM_VMSTAT_H
#define KMM_VMSTAT_H

#include <kmm/mmzone.h>
#include <kmm/percpu.h>

/* Per-zone events take MAX_NR_ZONES slots, in zone index order. */
#define FOR_ALL_ZONES(x) x##_DMA, x##_DMA32, x##_NORMAL, x##_HIGH, x##_MOVABLE

enum vm_event_item {
	PGPGIN, PGPGOUT, PSWPIN, PSWPOUT,
	FOR_ALL_ZONES(PGALLOC),
	PGFREE, PGACTIVATE, PGDEACTIVATE,
	PGFAULT, PGMAJFAULT,
	FOR_ALL_ZONES(PGREFILL),
	FOR_ALL_ZONES(PGSTEAL),
	FOR_ALL_ZONES(PGSCAN_KSWAPD),
	FOR_ALL_ZONES(PGSCAN_DIRECT),
	ZONE_RECLAIM_FAILED,		/* NUMA builds */
	PGINODESTEAL, SLABS_SCANNED, KSWAPD_STEAL, KSWAPD_INODESTEAL,
	KSWAPD_LOW_WMARK_HIT_QUICKLY, KSWAPD_HIGH_WMARK_HIT_QUICKLY,
	KSWAPD_SKIP_CONGESTION_WAIT,
	PAGEOUTRUN, ALLOCSTALL, PGROTATED,
	HTLB_BUDDY_PGALLOC, HTLB_BUDDY_PGALLOC_FAIL,
	UNEVICTABLE_PGCULLED, UNEVICTABLE_PGSCANNED, UNEVICTABLE_PGRESCUED,
	UNEVICTABLE_PGMLOCKED, UNEVICTABLE_PGMUNLOCKED, UNEVICTABLE_PGCLEARED,
	UNEVICTABLE_PGSTRANDED, UNEVICTABLE_MLOCKFREED,
	NR_VM_EVENT_ITEMS
};

struct vm_event_state {
	unsigned long event[NR_VM_EVENT_ITEMS];
} ____cacheline_aligned;

DECLARE_PER_CPU(struct vm_event_state, vm_event_states);

/* Callers run with interrupts disabled or accept a racy increment. */
static inline void __count_vm_event(enum vm_event_item item)
{
	__get_cpu_var(vm_event_states).event[item]++;
}

static inline void __count_vm_events(enum vm_event_item item, long delta)
{
	__get_cpu_var(vm_event_states).event[item] += delta;
}

#define count_vm_event(item)		__count_vm_event(item)
#define count_vm_events(item, d)	__count_vm_events(item, d)
#define __count_zone_vm_events(item, zone, delta) \
	__count_vm_events(item##_DMA + zone_idx(zone), delta)

void all_vm_events(unsigned long *ret);
unsigned long global_page_state(enum zone_stat_item item);
/* Zone state including the per-CPU deltas not yet folded in. */
unsigned long zone_page_state_snapshot(struct zone *zone, enum zone_stat_item item);
unsigned long nr_free_pages(void);

#endif /* KMM_VMSTAT_H */
