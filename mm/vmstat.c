/*
 * vmstat.c - the VM counters.
 *
 * Zone counters (NR_FREE_PAGES, NR_SLAB_*, NUMA_HIT...) are atomic longs in
 * the zone and in a global array.  Updates go first to a small per-CPU
 * delta in the zone's pageset; only when a delta passes the pageset's
 * threshold is it folded into the zone and the global counter, so the hot
 * paths rarely touch a shared cache line.  The price, as in Linux, is that
 * a reader sees values up to threshold * CPUs out of date; a periodic
 * refresh (vmstat_update, every HZ) folds everything.
 *
 * Event counters (pgalloc, pgfree...) are plain per-CPU counters summed
 * when read.
 */
#include <kmm/cpu.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/smp.h>
#include <kmm/string.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"

DEFINE_PER_CPU(struct vm_event_state, vm_event_states);
static atomic_long_t vm_stat[NR_VM_ZONE_STAT_ITEMS] __state_zero;

void zone_page_state_add(long x, struct zone *zone, enum zone_stat_item item)
{
	atomic_long_add(x, &zone->vm_stat[item]);
	atomic_long_add(x, &vm_stat[item]);
}

unsigned long global_page_state(enum zone_stat_item item)
{
	long x = atomic_long_read(&vm_stat[item]);

	return x < 0 ? 0 : x;
}

unsigned long nr_free_pages(void)
{
	return global_page_state(NR_FREE_PAGES);
}

unsigned long zone_page_state_snapshot(struct zone *zone, enum zone_stat_item item)
{
	long x = atomic_long_read(&zone->vm_stat[item]);
	int cpu;

	for_each_online_cpu(cpu)
		x += READ_ONCE(zone->pageset[cpu].vm_stat_diff[item]);
	return x < 0 ? 0 : x;
}

/* Call with interrupts disabled. */
void __mod_zone_page_state(struct zone *zone, enum zone_stat_item item, int delta)
{
	struct per_cpu_pageset *pcp = &zone->pageset[smp_processor_id()];
	s8 *p = pcp->vm_stat_diff + item;
	long x = delta + READ_ONCE(*p);
	long t = READ_ONCE(pcp->stat_threshold);

	if (unlikely(x > t || x < -t)) {
		zone_page_state_add(x, zone, item);
		x = 0;
	}
	WRITE_ONCE(*p, (s8)x);
}

void __dec_zone_state(struct zone *zone, enum zone_stat_item item)
{
	struct per_cpu_pageset *pcp = &zone->pageset[smp_processor_id()];
	s8 *p = pcp->vm_stat_diff + item;
	s8 v = READ_ONCE(*p) - 1;
	s8 t = READ_ONCE(pcp->stat_threshold);

	if (unlikely(v < -t)) {
		int overstep = t / 2;

		zone_page_state_add(v - overstep, zone, item);
		v = overstep;
	}
	WRITE_ONCE(*p, v);
}

void zap_zone_vm_stats(struct zone *zone)
{
	memset(zone->vm_stat, 0, sizeof(zone->vm_stat));
}

/*
 * Fold CPU @cpu's deltas of every populated zone into the shared counters.
 * Runs on that CPU, with its interrupts disabled (see refresh_all_vm_stats).
 */
void refresh_cpu_vm_stats(int cpu)
{
	struct zone *zone;

	for_each_populated_zone(zone) {
		struct per_cpu_pageset *p = &zone->pageset[cpu];

		for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) {
			int v = READ_ONCE(p->vm_stat_diff[i]);

			if (v) {
				WRITE_ONCE(p->vm_stat_diff[i], 0);
				zone_page_state_add(v, zone, i);
			}
		}
	}
}

static void refresh_local_vm_stats(void *unused)
{
	refresh_cpu_vm_stats(smp_processor_id());
}

/* vmstat_update on every CPU: afterwards the shared counters are exact. */
void refresh_all_vm_stats(void)
{
	on_each_cpu(refresh_local_vm_stats, NULL, 1);
}

/*
 * The fold threshold grows with the number of CPUs and the zone's size:
 * more CPUs mean more contention on the shared counter, larger zones
 * tolerate more drift (2 * fls(cpus) * (1 + fls(MB / 128)), at most 125).
 */
int calculate_threshold(struct zone *zone)
{
	int mem = zone->present_pages >> (27 - PAGE_SHIFT);
	int threshold = 2 * fls(num_online_cpus()) * (1 + fls(mem));

	return min(125, threshold);
}

void refresh_zone_stat_thresholds(void)
{
	struct zone *zone;
	int cpu;

	for_each_populated_zone(zone) {
		int threshold = calculate_threshold(zone);

		for_each_online_cpu(cpu)
			WRITE_ONCE(zone->pageset[cpu].stat_threshold, threshold);
	}
}

/*
 * A dead CPU's event counts move to this CPU's (2.6.34's
 * vm_events_fold_cpu): the sums over online CPUs stay what they were.
 */
void vm_events_fold_cpu(int cpu)
{
	struct vm_event_state *fold = &per_cpu(vm_event_states, cpu);

	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++) {
		count_vm_events(i, fold->event[i]);
		fold->event[i] = 0;
	}
}

/* vmstat's CPU hotplug callback: one CPU fewer, smaller thresholds. */
static int vmstat_cpuup_callback(struct notifier_block *nb, unsigned long action, void *hcpu)
{
	if (action == CPU_DEAD)
		refresh_zone_stat_thresholds();
	return NOTIFY_OK;
}

static struct notifier_block vmstat_notifier __state = {
	.notifier_call = vmstat_cpuup_callback,
};

void setup_vmstat(void)
{
	register_cpu_notifier(&vmstat_notifier);
}

void all_vm_events(unsigned long *ret)
{
	int cpu;

	memset(ret, 0, NR_VM_EVENT_ITEMS * sizeof(unsigned long));
	for_each_online_cpu(cpu)
		for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
			ret[i] += per_cpu(vm_event_states, cpu).event[i];
}

/* NUMA hit/miss accounting of an allocation from @z when @preferred was wanted. */
