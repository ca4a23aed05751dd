/*
 * test_cpu_hotplug.c - CPU hotplug (kernel/cpu.c, include/kmm/cpu.h): a
 * CPU with full per-CPU lists and slab arrays goes down and every page and
 * object comes back; the refusals; a CPU that cannot come up leaves
 * nothing behind; the notifier chain's order and vetoes.
 *
 * The machine: 256 MiB, 4 CPUs on one node, zones DMA (3,9xx pages) and
 * DMA32.  What cpu_down(2) must do, from 2.6.34's callbacks:
 *
 *   page allocator (CPU_DEAD)  CPU 2's per-CPU lists are emptied into the
 *                              buddy allocator; its stat deltas folded;
 *                              its event counts added to this CPU's
 *   slab (CPU_DEAD)            every cache's array of CPU 2 freed, its
 *                              objects back in their slabs, free_limit one
 *                              batch lower; the shared arrays stay (CPUs
 *                              0, 1, 3 are on the node); then every free
 *                              slab of the node destroyed
 *   vmstat (CPU_DEAD)          thresholds for 3 CPUs: 2 * fls(3) *
 *                              (1 + fls(MB / 128)): DMA (under 128 MB):
 *                              2 * 2 * 1 = 4 (it was 2 * fls(4) * 1 = 6);
 *                              DMA32 (1 unit of 128 MB): 2 * 2 * 2 = 8
 *                              (it was 2 * 3 * 2 = 12)
 *
 * So, with nothing else freed: free pages (buddy + the online CPUs'
 * lists) grow by exactly the slab pages the node gave back, and CPU 2's
 * lists are in the buddy allocator.
 */
#include <string.h>

#include <kmm/cpu.h>
#include <kmm/errno.h>
#include <kmm/fault-inject.h>
#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/slab.h>
#include <kmm/smp.h>
#include <kmm/vmstat.h>
#include <kmm/asm/topology.h>
#include "mm/internal.h"
#include "mm/slab.h"
#include "tests/harness.h"

#define CPUS	4

/* Pages on the per-CPU lists of @cpu, every zone. */
static unsigned long pcp_pages(int cpu)
{
	unsigned long n = 0;
	struct zone *zone;

	for_each_populated_zone(zone)
		n += zone->pageset[cpu].pcp.count;
	return n;
}

/* Free pages: the buddy allocator's and the online CPUs' lists. */
static unsigned long free_total(void)
{
	unsigned long n = buddy_free_pages();

	for (int cpu = 0; cpu < CPUS; cpu++)
		if (cpu_online(cpu))
			n += pcp_pages(cpu);
	return n;
}

static unsigned long slab_pages(void)
{
	refresh_all_vm_stats();
	return global_page_state(NR_SLAB_RECLAIMABLE) + global_page_state(NR_SLAB_UNRECLAIMABLE);
}

static void all_events(unsigned long *ev)
{
	all_vm_events(ev);
}

static struct zone *zone_named(const char *name)
{
	struct zone *zone;

	for_each_populated_zone(zone)
		if (!strcmp(zone->name, name))
			return zone;
	fail_msg("no zone %s", name);
	return NULL;
}

/*
 * CPU 2 allocates and frees 64 pages (its lists keep up to high of them)
 * and 40 objects of a cache only it uses (its array keeps them); then it
 * goes down, from CPU 0.
 */
static void down_gives_everything_back(void **state)
{
	unsigned long ev_before[NR_VM_EVENT_ITEMS], ev_after[NR_VM_EVENT_ITEMS];
	unsigned long free0, slab0, on_lists;
	unsigned int limit0;
	struct page *pages[64];
	void *objs[40];
	struct kmem_cache *hot;
	struct kmem_cache *cachep;

	(void)state;
	boot_or_fail("ram=256M cpus=4");
	hot = kmem_cache_create("hot", 200, 0, 0, NULL);
	assert_non_null(hot);
	assert_int_equal(kmm_set_cpu(2), 0);
	for (int i = 0; i < 64; i++)
		assert_non_null(pages[i] = alloc_page(GFP_KERNEL));
	for (int i = 0; i < 64; i++)
		__free_page(pages[i]);
	for (int i = 0; i < 40; i++)
		assert_non_null(objs[i] = kmem_cache_alloc(hot, GFP_KERNEL));
	for (int i = 0; i < 40; i++)
		kmem_cache_free(hot, objs[i]);
	assert_int_equal(kmm_set_cpu(0), 0);

	on_lists = pcp_pages(2);
	assert_true(on_lists > 0);
	assert_true(hot->array[2]->avail >= 40);
	assert_int_equal(zone_named("DMA32")->pageset[2].stat_threshold, 12);
	assert_int_equal(zone_named("DMA")->pageset[0].stat_threshold, 6);
	free0 = free_total();
	slab0 = slab_pages();
	all_events(ev_before);
	limit0 = hot->nodelists[0]->free_limit;

	assert_int_equal(cpu_down(2), 0);
	assert_false(cpu_online(2));
	/* The pages: CPU 2's lists are empty, and no page was lost or made. */
	assert_int_equal(pcp_pages(2), 0);
	assert_int_equal(free_total(), free0 + (slab0 - slab_pages()));
	/* The objects: no cache keeps an array for CPU 2; hot's slabs are all gone. */
	list_for_each_entry(cachep, &cache_chain, next)
		assert_null(cachep->array[2]);
	assert_int_equal(hot->nodelists[0]->free_objects, 0);
	/* One CPU fewer on the node: free_limit one batch lower; the shared array stays. */
	assert_int_equal(hot->nodelists[0]->free_limit, limit0 - hot->batchcount);
	assert_non_null(hot->nodelists[0]->shared);
	assert_true(list_empty(&hot->nodelists[0]->slabs_free));
	assert_true(list_empty(&hot->nodelists[0]->slabs_partial));
	/* The counters: the sums over the online CPUs are what they were. */
	all_events(ev_after);
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		assert_true(ev_after[i] >= ev_before[i]);
	/* The thresholds for three CPUs. */
	assert_int_equal(zone_named("DMA32")->pageset[0].stat_threshold, 8);
	assert_int_equal(zone_named("DMA")->pageset[3].stat_threshold, 4);
	assert_mm_check();

	/* Back up: arrays again, and it allocates. */
	assert_int_equal(cpu_up(2), 0);
	list_for_each_entry(cachep, &cache_chain, next)
		assert_non_null(cachep->array[2]);
	assert_int_equal(kmm_set_cpu(2), 0);
	assert_non_null(objs[0] = kmem_cache_alloc(hot, GFP_KERNEL));
	assert_non_null(pages[0] = alloc_page(GFP_KERNEL));
	kmem_cache_free(hot, objs[0]);
	__free_page(pages[0]);
	assert_int_equal(kmm_set_cpu(0), 0);
	assert_mm_check();
}

/*
 * The free pages grow by exactly the slab pages given back: CPU 2's
 * list pages were free before (on its list) and are free after (in the
 * buddy allocator).  Checked apart from the count above, which holds them
 * on both sides: here they must be in the buddy allocator.
 */
static void dead_lists_land_in_the_buddy_allocator(void **state)
{
	struct page *pages[32];
	unsigned long buddy0, on_lists;

	(void)state;
	boot_or_fail("ram=256M cpus=4");
	assert_int_equal(kmm_set_cpu(3), 0);
	for (int i = 0; i < 32; i++)
		assert_non_null(pages[i] = alloc_page(GFP_KERNEL));
	for (int i = 0; i < 32; i++)
		__free_page(pages[i]);
	assert_int_equal(kmm_set_cpu(1), 0);
	on_lists = pcp_pages(3);
	assert_true(on_lists > 0);
	/* At least those: the node's free slabs may go too (cpuup_canceled drains them). */
	buddy0 = buddy_free_pages();
	assert_int_equal(cpu_down(3), 0);
	assert_true(buddy_free_pages() >= buddy0 + on_lists);
	assert_int_equal(pcp_pages(3), 0);
	assert_mm_check();
}

/* What cpu_down and cpu_up refuse, and that a refusal changes nothing. */
static void refusals(void **state)
{
	(void)state;
	boot_or_fail("ram=256M cpus=4");
	assert_int_equal(cpu_down(0), -EBUSY);		/* the boot processor */
	assert_int_equal(cpu_down(4), -EINVAL);		/* no such CPU */
	assert_int_equal(cpu_up(4), -EINVAL);
	assert_int_equal(cpu_up(1), -EINVAL);		/* online already */
	assert_int_equal(kmm_cpu_up(1), 0);		/* kmm's call: nothing to do */
	assert_int_equal(cpu_down(1), 0);
	assert_int_equal(cpu_down(1), -EINVAL);		/* offline already */
	assert_int_equal(cpu_down(2), 0);
	assert_int_equal(cpu_down(3), 0);
	assert_int_equal(num_online_cpus(), 1);
	assert_int_equal(cpu_down(0), -EBUSY);		/* the last one */
	assert_string_equal(proc_text("/sys/devices/system/cpu/online"), "0\n");
	assert_string_equal(proc_text("/sys/devices/system/cpu/offline"), "1-3\n");
	assert_int_equal(cpu_up(2), 0);
	assert_string_equal(proc_text("/sys/devices/system/cpu/online"), "0,2\n");
	assert_string_equal(proc_text("/sys/devices/system/cpu/offline"), "1,3\n");
	assert_string_equal(proc_text("/sys/devices/system/cpu/possible"), "0-3\n");
	assert_string_equal(proc_text("/sys/devices/system/cpu/cpu2/online"), "1\n");
	assert_string_equal(proc_text("/sys/devices/system/cpu/cpu3/online"), "0\n");
	assert_mm_check();
}

/*
 * cpu_up failing at each of its slab allocations in turn: -ENOMEM, the
 * CPU offline, and every object and slab as before -- the arrays made
 * before the failure freed (cpuup_canceled).  The node's lists and shared
 * arrays exist, so each cache costs its array, and a shared array that is
 * made and dropped if the cache has shared arrays (2.6.34 makes it before
 * it looks; caches of objects above a page have none): one or two failure
 * points a cache.  Other failures are hidden, as in 2.6.34: a kmalloc cache whose
 * objects are all used grows a slab, and the off-slab management of that
 * slab (a size-64 object for size-1024's slab, say) fails; the refill
 * tries the node again and gets it, and the CPU comes up.  Then the run
 * without a failure.
 */
static void failed_up_leaves_nothing(void **state)
{
	char before[16384], after[16384];
	unsigned long failures;
	int nth, err, failed = 0, hidden = 0, points = 0;
	struct kmem_cache *cachep;

	(void)state;
	boot_or_fail("ram=256M cpus=4");
	assert_int_equal(cpu_down(2), 0);
	*fault_filter_file("failslab", "ignore-gfp-wait") = 0;
	slab_counts_at_rest(before, sizeof(before));
	for (nth = 1;; nth++) {
		failures = failslab_attr.failures;
		fault_attr_set(&failslab_attr, "fail-nth", nth);
		err = cpu_up(2);
		fault_attr_set(&failslab_attr, "fail-nth", 0);
		if (failslab_attr.failures == failures)
			break;
		if (!err) {
			hidden++;
			assert_true(cpu_online(2));
			assert_int_equal(cpu_down(2), 0);
		} else {
			failed++;
			assert_int_equal(err, -ENOMEM);
			assert_false(cpu_online(2));
		}
		slab_counts_at_rest(after, sizeof(after));
		assert_string_equal(before, after);
		assert_mm_check();
	}
	assert_int_equal(err, 0);
	assert_true(cpu_online(2));
	print_message("cpu_up: %d failure points, %d of them hidden\n", failed + hidden, hidden);
	list_for_each_entry(cachep, &cache_chain, next)
		points += 1 + !!cachep->shared;
	assert_int_equal(failed, points);
	assert_true(hidden >= 1);
	assert_mm_check();
}

/*
 * Two nodes, CPUs 0-1 on node 0 and 2-3 on node 1.  The task of a CPU
 * going down moves to the first online CPU of its node (CPU 3's to CPU
 * 2), and to any online CPU when its node has none left (CPU 2's to CPU
 * 0).  A node's shared array stays while a CPU of the node is online,
 * and goes with the node's last one (cpuup_canceled).
 */
static void numa_fallback_and_node_arrays(void **state)
{
	struct kmem_cache *hot;
	void *obj;

	(void)state;
	boot_or_fail("ram=256M nodes=2 cpus=2,2");
	hot = kmem_cache_create("hot", 200, 0, 0, NULL);
	assert_non_null(hot);
	assert_int_equal(cpu_to_node(3), 1);
	assert_non_null(hot->nodelists[1]->shared);
	assert_int_equal(kmm_set_cpu(3), 0);
	assert_int_equal(cpu_down(3), 0);
	assert_int_equal(smp_processor_id(), 2);
	assert_non_null(hot->nodelists[1]->shared);	/* CPU 2 is on the node still */
	assert_int_equal(cpu_down(2), 0);
	assert_int_equal(smp_processor_id(), 0);
	assert_null(hot->nodelists[1]->shared);
	assert_null(hot->nodelists[1]->alien);
	assert_non_null(hot->nodelists[0]->shared);
	obj = kmalloc(64, GFP_KERNEL);		/* CPU 0 allocates on */
	assert_non_null(obj);
	kfree(obj);
	assert_int_equal(cpu_up(3), 0);
	assert_non_null(hot->nodelists[1]->shared);	/* made again by its first CPU */
	assert_mm_check();
}

/* ---- the notifier chain ---- */

static int calls[8], ncalls;

static int record(struct notifier_block *nb, unsigned long action, void *hcpu)
{
	calls[ncalls++] = nb->priority * 100 + (int)action;
	return NOTIFY_OK;
}

static int veto(struct notifier_block *nb, unsigned long action, void *hcpu)
{
	calls[ncalls++] = nb->priority * 100 + (int)action;
	return action == CPU_DOWN_PREPARE || action == CPU_UP_PREPARE ?
	       notifier_from_errno(-EBUSY) : NOTIFY_OK;
}

/*
 * Higher priority first, equal ones in registration order; a veto stops
 * the chain, and those before it hear the event undone (CPU_DOWN_FAILED,
 * CPU_UP_CANCELED); the vetoed call returns the errno carried.
 */
static void chain_order_and_veto(void **state)
{
	struct notifier_block a = { .notifier_call = record, .priority = 50 };
	struct notifier_block b = { .notifier_call = veto, .priority = 40 };
	struct notifier_block c = { .notifier_call = record, .priority = 30 };

	(void)state;
	boot_or_fail("ram=256M cpus=4");
	register_cpu_notifier(&c);
	register_cpu_notifier(&a);
	register_cpu_notifier(&b);
	ncalls = 0;
	assert_int_equal(cpu_down(3), -EBUSY);
	assert_true(cpu_online(3));
	assert_int_equal(ncalls, 3);
	assert_int_equal(calls[0], 5000 + CPU_DOWN_PREPARE);
	assert_int_equal(calls[1], 4000 + CPU_DOWN_PREPARE);
	assert_int_equal(calls[2], 5000 + CPU_DOWN_FAILED);	/* only a, before the veto */
	unregister_cpu_notifier(&b);
	ncalls = 0;
	assert_int_equal(cpu_down(3), 0);
	assert_int_equal(ncalls, 6);
	assert_int_equal(calls[0], 5000 + CPU_DOWN_PREPARE);
	assert_int_equal(calls[1], 3000 + CPU_DOWN_PREPARE);
	assert_int_equal(calls[2], 5000 + CPU_DEAD);
	assert_int_equal(calls[3], 3000 + CPU_DEAD);
	assert_int_equal(calls[4], 5000 + CPU_POST_DEAD);
	assert_int_equal(calls[5], 3000 + CPU_POST_DEAD);
	register_cpu_notifier(&b);
	ncalls = 0;
	assert_int_equal(cpu_up(3), -EBUSY);
	assert_false(cpu_online(3));
	assert_int_equal(ncalls, 3);
	assert_int_equal(calls[2], 5000 + CPU_UP_CANCELED);
	unregister_cpu_notifier(&a);
	unregister_cpu_notifier(&b);
	unregister_cpu_notifier(&c);
	assert_int_equal(cpu_up(3), 0);
	assert_mm_check();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(down_gives_everything_back, teardown_machine),
		cmocka_unit_test_teardown(dead_lists_land_in_the_buddy_allocator, teardown_machine),
		cmocka_unit_test_teardown(refusals, teardown_machine),
		cmocka_unit_test_teardown(failed_up_leaves_nothing, teardown_machine),
		cmocka_unit_test_teardown(numa_fallback_and_node_arrays, teardown_machine),
		cmocka_unit_test_teardown(chain_order_and_veto, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
