/*
 * test_parallel_cpu_up.c - CPUs coming online (maxcpus=, kmm_cpu_up) while
 * the others run: threads take CPUs as they come up and each brings up the
 * next one, as libkmm-malloc.so does, while CPU 0 creates, uses and
 * destroys caches (which walk the online CPUs), drains every CPU's lists
 * and reads /proc/slabinfo.  Built with the debug checks and under
 * ThreadSanitizer.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/procfs.h>
#include <kmm/slab.h>
#include <kmm/smp.h>
#include "mm/internal.h"
#include "tests/harness.h"

#define NCPUS		8
#define ROUNDS		stress_rounds(20000)

static int workers_done;
static pthread_barrier_t all_attached;

static void *worker(void *arg)
{
	unsigned int seed = (unsigned int)(long)arg;
	void *obj[64] = { 0 };
	int cpu;

	while (kmm_thread_attach(-1))
		sched_yield();
	cpu = smp_processor_id();
	/* Keep a spare: the next thread finds a CPU online. */
	if (cpu + 1 < NCPUS && kmm_cpu_up(cpu + 1))
		return (void *)1;
	pthread_barrier_wait(&all_attached);	/* every worker on a CPU of its own */
	for (long r = 0; r < ROUNDS; r++) {
		int i = rand_r(&seed) % 64;

		if (obj[i]) {
			kfree(obj[i]);
			obj[i] = NULL;
		} else if (rand_r(&seed) % 4) {
			obj[i] = kmalloc(8 + rand_r(&seed) % 2048, GFP_KERNEL);
		} else {
			int order = rand_r(&seed) % 3;
			struct page *page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);

			if (page)
				__free_pages(page, order);
		}
	}
	for (int i = 0; i < 64; i++)
		kfree(obj[i]);
	kmm_thread_detach();
	__atomic_add_fetch(&workers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_cpus_come_up_while_others_run(void **state)
{
	pthread_t t[NCPUS - 1];
	int round = 0;

	workers_done = 0;
	pthread_barrier_init(&all_attached, NULL, NCPUS - 1);
	boot_parallel("ram=256M cpus=8 maxcpus=1 seed=13");
	assert_int_equal(num_online_cpus(), 1);
	for (long i = 0; i < NCPUS - 1; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)(i + 1)), 0);
	assert_int_equal(kmm_cpu_up(1), 0);
	while (__atomic_load_n(&workers_done, __ATOMIC_ACQUIRE) < NCPUS - 1) {
		char name[32];
		struct kmem_cache *c;
		void *o;

		snprintf(name, sizeof(name), "cpu-up-%d", round++);
		c = kmem_cache_create(name, 96, 0, 0, NULL);
		assert_non_null(c);
		o = kmem_cache_alloc(c, GFP_KERNEL);
		kmem_cache_free(c, o);
		kmem_cache_destroy(c);
		drain_all_pages();
		proc_text("/proc/slabinfo");
	}
	for (int i = 0; i < NCPUS - 1; i++) {
		void *r;

		pthread_join(t[i], &r);
		assert_null(r);
	}
	pthread_barrier_destroy(&all_attached);
	assert_int_equal(num_online_cpus(), NCPUS);
	drain_all_pages();
	assert_mm_check();
	kmm_shutdown();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_cpus_come_up_while_others_run, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
