/*
 * test_parallel_memory_hotplug.c - RAM added and onlined while other CPUs
 * allocate, as libkmm-malloc.so grows its machine: CPU 0 adds six 128M
 * sections one at a time (the first populates ZONE_NORMAL: new per-CPU
 * lists and zonelists; the others change watermarks and per-CPU list
 * sizes), while three CPUs allocate and free slab objects, page blocks
 * and runs of the largest order (alloc_free_run), each call one
 * interrupts-disabled section, as the library makes them.  Every page and
 * object goes back, the machine ends consistent (mm_check), and the
 * workers got memory from the new zone.  Built with the debug checks and
 * under ThreadSanitizer.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include <kmm/gfp.h>
#include <kmm/irqflags.h>
#include <kmm/memory_hotplug.h>
#include <kmm/mm.h>
#include <kmm/slab.h>
#include <kmm/smp.h>
#include "mm/internal.h"
#include "tests/harness.h"

#define NCPUS		4
#define SECTIONS	6
#define ROUNDS		stress_rounds(20000)
#define GFP_LIB		(GFP_NOWAIT | __GFP_NOWARN)

static int adds_done, from_normal;
static pthread_barrier_t all_attached;

/* A block of @order, or (order MAX_ORDER) a run of two of the largest order. */
static void free_block(struct page *page, int order)
{
	if (order < MAX_ORDER) {
		__free_pages(page, order);
		return;
	}
	__free_pages(page, MAX_ORDER - 1);
	__free_pages(page + MAX_ORDER_NR_PAGES, MAX_ORDER - 1);
}

/* One allocation or free, in one interrupts-disabled section. */
static void step(unsigned int *seed, void **obj, struct page **pages, int *order)
{
	int i = rand_r(seed) % 32;
	unsigned long flags;

	local_irq_save(flags);
	if (obj[i]) {
		kfree(obj[i]);
		obj[i] = NULL;
	} else {
		obj[i] = kmalloc(8 + rand_r(seed) % 4096, GFP_LIB);
	}
	i = rand_r(seed) % 8;
	if (pages[i]) {
		free_block(pages[i], order[i]);
		pages[i] = NULL;
	} else if (rand_r(seed) % 16) {
		order[i] = rand_r(seed) % 4;
		pages[i] = alloc_pages(GFP_LIB, order[i]);
	} else {
		/* Two blocks of the largest order, one run: freed as two blocks. */
		order[i] = MAX_ORDER;
		pages[i] = alloc_free_run(GFP_LIB, 2 * MAX_ORDER_NR_PAGES);
		if (pages[i])
			set_page_count(pages[i] + MAX_ORDER_NR_PAGES, 1);
	}
	if (pages[i] && page_zonenum(pages[i]) == ZONE_NORMAL)
		__atomic_store_n(&from_normal, 1, __ATOMIC_RELAXED);
	local_irq_restore(flags);
}

static void *worker(void *arg)
{
	unsigned int seed = (unsigned int)(long)arg;
	void *obj[32] = { 0 };
	struct page *pages[8] = { 0 };
	int order[8] = { 0 };

	if (kmm_thread_attach((int)(long)arg))
		return (void *)1;
	pthread_barrier_wait(&all_attached);
	for (long r = 0; r < ROUNDS || __atomic_load_n(&adds_done, __ATOMIC_ACQUIRE) < SECTIONS; r++)
		step(&seed, obj, pages, order);
	for (int i = 0; i < 32; i++)
		kfree(obj[i]);
	for (int i = 0; i < 8; i++)
		if (pages[i])
			free_block(pages[i], order[i]);
	kmm_thread_detach();
	return NULL;
}

static void test_ram_grows_while_others_allocate(void **state)
{
	unsigned long section, ram_before;
	pthread_t t[NCPUS - 1];

	adds_done = from_normal = 0;
	pthread_barrier_init(&all_attached, NULL, NCPUS);
	boot_parallel("ram=128M hotplug_max=1G cpus=4 seed=11");
	section = memory_block_size_bytes();
	ram_before = totalram_pages;
	for (long i = 0; i < NCPUS - 1; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)(i + 1)), 0);
	pthread_barrier_wait(&all_attached);
	for (int s = 0; s < SECTIONS; s++) {
		u64 start = memory_hotplug_next_start();

		assert_int_equal(add_memory(0, start, section), 0);
		assert_int_equal(online_pages(start >> PAGE_SHIFT, section >> PAGE_SHIFT), 0);
		__atomic_add_fetch(&adds_done, 1, __ATOMIC_RELEASE);
		sched_yield();
	}
	for (int i = 0; i < NCPUS - 1; i++) {
		void *r;

		pthread_join(t[i], &r);
		assert_null(r);
	}
	pthread_barrier_destroy(&all_attached);
	/* Six sections of 32768 pages, all onlined. */
	assert_int_equal(totalram_pages - ram_before, SECTIONS * (section >> PAGE_SHIFT));
	assert_int_equal(NODE_DATA(0)->node_zones[ZONE_NORMAL].present_pages,
			 SECTIONS * (section >> PAGE_SHIFT));
	assert_true(from_normal);
	drain_all_pages();
	assert_mm_check();
	kmm_shutdown();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ram_grows_while_others_allocate, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
