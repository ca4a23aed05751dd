/*
 * test_startup.c - what a machine costs to start, for programs that boot
 * one and exit soon (libkmm-malloc.so): CPUs left offline at boot
 * (maxcpus=) and brought up when first used, with what boot would have
 * given them; and a boot that takes no snapshot for a reboot
 * (KMM_BOOT_ONLY_ONCE), which must stay the last test of the binary.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/slab.h>
#include <kmm/smp.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"
#include "tests/harness.h"

static unsigned long slab_pages(void)
{
	refresh_all_vm_stats();
	return global_page_state(NR_SLAB_UNRECLAIMABLE) + global_page_state(NR_SLAB_RECLAIMABLE);
}

/*
 * maxcpus=2 of 8: CPUs 2-7 exist but are offline, without slab arrays or
 * a place in the views; switching to one brings it up.
 */
static void maxcpus_leaves_cpus_offline_until_used(void **state)
{
	unsigned long slab_two, slab_eight;
	struct zone *zone;
	void *obj;

	boot_or_fail("ram=256M cpus=8");
	slab_eight = slab_pages();
	boot_or_fail("ram=256M cpus=8 maxcpus=2");
	slab_two = slab_pages();
	assert_int_equal(nr_cpu_ids, 8);
	assert_int_equal(num_online_cpus(), 2);
	assert_true(slab_two < slab_eight);
	assert_non_null(strstr(proc_text("/proc/zoneinfo"), "cpu: 1\n"));
	assert_null(strstr(proc_text("/proc/zoneinfo"), "cpu: 2\n"));
	assert_mm_check();

	assert_int_equal(kmm_set_cpu(6), 0);
	assert_true(cpu_online(6));
	assert_false(cpu_online(5));
	assert_int_equal(num_online_cpus(), 3);
	assert_non_null(strstr(proc_text("/proc/zoneinfo"), "cpu: 6\n"));
	/* Its lists are sized as boot sizes them, and they work. */
	for_each_populated_zone(zone) {
		assert_int_equal(zone->pageset[6].pcp.batch, zone->pageset[0].pcp.batch);
		assert_int_equal(zone->pageset[6].pcp.high, zone->pageset[0].pcp.high);
		assert_true(zone->pageset[6].stat_threshold > 0);
	}
	__free_pages(alloc_pages(GFP_KERNEL, 0), 0);
	obj = kmalloc(100, GFP_KERNEL);
	assert_non_null(obj);
	kfree(obj);
	assert_int_equal(kmm_cpu_up(6), 0);	/* already up: nothing to do */
	assert_int_equal(kmm_cpu_up(8), -EINVAL);
	assert_int_equal(kmm_set_cpu(0), 0);
	drain_all_pages();
	assert_mm_check();
}

/* Every CPU brought up later: the slab holds what a boot with all of them holds. */
static void cpus_brought_up_later_cost_what_boot_gives(void **state)
{
	unsigned long want;

	boot_or_fail("ram=256M cpus=4");
	want = slab_pages();
	boot_or_fail("ram=256M cpus=4 maxcpus=1");
	for (int cpu = 1; cpu < 4; cpu++)
		assert_int_equal(kmm_cpu_up(cpu), 0);
	assert_int_equal(num_online_cpus(), 4);
	assert_int_equal(slab_pages(), want);
	assert_mm_check();
}

static void *attach_offline(void *arg)
{
	long err = kmm_thread_attach(3);

	if (!err)
		kmm_thread_detach();
	return (void *)err;
}

static void *attach_any(void *arg)
{
	long cpu = kmm_thread_attach(-1);

	if (cpu == 0) {
		cpu = smp_processor_id();
		kmm_thread_detach();
	}
	return (void *)cpu;
}

/* A thread may not run as an offline CPU; asking for any CPU gives an online one. */
static void threads_attach_only_to_online_cpus(void **state)
{
	pthread_t t;
	void *r;

	boot_parallel("ram=256M cpus=4 maxcpus=2");
	assert_int_equal(pthread_create(&t, NULL, attach_offline, NULL), 0);
	pthread_join(t, &r);
	assert_int_equal((long)r, -EAGAIN);
	assert_int_equal(pthread_create(&t, NULL, attach_any, NULL), 0);
	pthread_join(t, &r);
	assert_int_equal((long)r, 1);
	assert_int_equal(kmm_cpu_up(3), 0);	/* this thread is CPU 0, online */
	assert_int_equal(pthread_create(&t, NULL, attach_offline, NULL), 0);
	pthread_join(t, &r);
	assert_int_equal((long)r, 0);
	assert_mm_check();
}

static void bad_maxcpus_values_are_refused(void **state)
{
	static const char *const bad[] = { "maxcpus=0", "maxcpus=65", "maxcpus=two", "maxcpus=" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[64];

		snprintf(line, sizeof(line), "ram=64M %s", bad[i]);
		assert_int_not_equal(kmm_boot(line, KMM_BOOT_DETERMINISTIC), 0);
		assert_non_null(strstr(kmm_error_msg(), "maxcpus="));
	}
	boot_or_fail("ram=64M cpus=2 maxcpus=64");	/* more than the machine has: all of them */
	assert_int_equal(num_online_cpus(), 2);
}

/*
 * KMM_BOOT_ONLY_ONCE: no snapshot of the kernel's globals is taken, so no
 * other machine may follow in the process.  Last: it leaves this process
 * unable to boot.
 */
static void booting_only_once_refuses_another_machine(void **state)
{
	assert_int_equal(kmm_boot("ram=64M cpus=1", KMM_BOOT_DETERMINISTIC | KMM_BOOT_ONLY_ONCE), 0);
	__free_pages(alloc_pages(GFP_KERNEL, 3), 3);
	assert_mm_check();
	kmm_shutdown();
	assert_false(kmm_booted());
	assert_int_not_equal(kmm_boot("ram=64M", KMM_BOOT_DETERMINISTIC), 0);
	assert_non_null(strstr(kmm_error_msg(), "KMM_BOOT_ONLY_ONCE"));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(maxcpus_leaves_cpus_offline_until_used, teardown_machine),
	cmocka_unit_test_teardown(cpus_brought_up_later_cost_what_boot_gives, teardown_machine),
	cmocka_unit_test_teardown(threads_attach_only_to_online_cpus, teardown_machine),
	cmocka_unit_test_teardown(bad_maxcpus_values_are_refused, teardown_machine),
	cmocka_unit_test_teardown(booting_only_once_refuses_another_machine, teardown_machine),
};

KMM_TEST_MAIN(tests)
