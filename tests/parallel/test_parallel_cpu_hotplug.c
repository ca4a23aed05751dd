/*
 * test_parallel_cpu_hotplug.c - CPUs going down and coming back while
 * the others run (kernel/cpu.c): two workers on CPUs 1 and 3 allocate
 * and free pages and objects (objects freed by the other worker too, so
 * the shared arrays carry traffic), while a third thread takes CPU 2 in
 * turns -- attach, fill its per-CPU lists and arrays, detach -- and the
 * test's thread, the boot CPU 0, takes CPU 2 down and up again each time.
 * CPU_DEAD empties CPU 2's lists and arrays into the zones and slabs
 * the workers use at that moment.  At the end every page and object is
 * accounted for (mm_check).  Built with the debug checks and under
 * ThreadSanitizer.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include <kmm/cpu.h>
#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/slab.h>
#include <kmm/smp.h>
#include "mm/internal.h"
#include "tests/harness.h"

#define ROUNDS		stress_rounds(200)
#define SLOTS		64

static void *handoff[SLOTS];		/* objects one worker leaves for the other to free */
static int stop, attached;

static void traffic(unsigned int *seed, void **obj)
{
	int i = rand_r(seed) % SLOTS;

	if (obj[i]) {
		void *old = __atomic_exchange_n(&handoff[i], obj[i], __ATOMIC_ACQ_REL);

		kfree(old);		/* the other worker's, perhaps: a cross-CPU free */
		obj[i] = NULL;
	} else if (rand_r(seed) % 3) {
		obj[i] = kmalloc(16 + rand_r(seed) % 1024, GFP_KERNEL);
	} else {
		int order = rand_r(seed) % 2;
		struct page *page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);

		if (page)
			__free_pages(page, order);
	}
}

static void *worker(void *arg)
{
	int cpu = (int)(long)arg;
	unsigned int seed = 7 + cpu;
	void *obj[SLOTS] = { 0 };

	if (kmm_thread_attach(cpu)) {
		__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);	/* the join reports it */
		__atomic_add_fetch(&attached, 1, __ATOMIC_RELEASE);
		return (void *)1;
	}
	__atomic_add_fetch(&attached, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
		traffic(&seed, obj);
	for (int i = 0; i < SLOTS; i++)
		kfree(obj[i]);
	kmm_thread_detach();
	return NULL;
}

/* One turn on CPU 2: its lists and arrays filled, then left for cpu_down. */
static void *visitor(void *arg)
{
	struct page *pages[32];
	void *objs[48];

	(void)arg;
	if (kmm_thread_attach(2))
		return (void *)1;
	for (int i = 0; i < 32; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	for (int i = 0; i < 48; i++)
		objs[i] = kmalloc(64 + 16 * (i % 8), GFP_KERNEL);
	for (int i = 0; i < 32; i++)
		if (pages[i])
			__free_page(pages[i]);
	for (int i = 0; i < 48; i++)
		kfree(objs[i]);
	kmm_thread_detach();
	return NULL;
}

static void test_cpu_down_and_up_under_traffic(void **state)
{
	pthread_t w[2];
	long rounds = ROUNDS;

	(void)state;
	stop = attached = 0;
	boot_parallel("ram=256M cpus=4 seed=5");
	for (long i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&w[i], NULL, worker, (void *)(1 + 2 * i)), 0);
	while (__atomic_load_n(&attached, __ATOMIC_ACQUIRE) < 2)
		sched_yield();
	for (long r = 0; r < rounds; r++) {
		pthread_t v;
		void *ret;

		assert_int_equal(pthread_create(&v, NULL, visitor, NULL), 0);
		pthread_join(v, &ret);
		assert_null(ret);
		/* A CPU a thread runs as cannot go: CPUs 1 and 3 have workers. */
		assert_int_equal(cpu_down(1), -EBUSY);
		assert_int_equal(cpu_down(2), 0);
		assert_false(cpu_online(2));
		assert_int_equal(cpu_up(2), 0);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 2; i++) {
		void *ret;

		pthread_join(w[i], &ret);
		assert_null(ret);
	}
	for (int i = 0; i < SLOTS; i++)
		kfree(handoff[i]);
	assert_int_equal(cpu_down(2), 0);
	assert_int_equal(cpu_down(3), 0);
	drain_all_pages();
	assert_mm_check();
	kmm_shutdown();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_cpu_down_and_up_under_traffic, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
