/*
 * test_parallel_deferred.c - deferred struct pages (mm/deferred_init.c) in
 * parallel mode: several CPUs bring deferred blocks in at once while
 * another reads the views that look at deferred memory without the zone
 * lock.  Built with the debug checks and under ThreadSanitizer.
 */
#include <pthread.h>
#include <stdlib.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/mmzone.h>
#include <kmm/procfs.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"
#include "tests/harness.h"

#define NTHREADS	4

static unsigned long deferred_blocks(void)
{
	unsigned long n = 0;
	struct zone *zone;

	for_each_zone(zone)
		n += READ_ONCE(zone->nr_deferred);
	return n;
}

static void settle(void)
{
	drain_all_pages();
	assert_int_equal(proc_write("/proc/sys/vm/stat_refresh", "1"), 0);
	assert_int_equal(global_page_state(NR_FREE_PAGES), buddy_free_pages());
}

struct hog {
	pthread_t tid;
	int cpu;
	struct page **pages;
	int *order;
	long n, cap;
};

/* Take blocks until the first failure: order 0 mostly, some order 3 and 10. */
static void *hog(void *arg)
{
	struct hog *g = arg;

	if (kmm_thread_attach(g->cpu))
		return (void *)1;
	while (g->n < g->cap) {
		int order = g->n % 16 == 5 ? 3 : g->n % 64 == 9 ? MAX_ORDER - 1 : 0;
		gfp_t gfp = (g->n & 1 ? GFP_KERNEL : GFP_HIGHUSER_MOVABLE) | __GFP_NOWARN |
			    __GFP_NORETRY;
		struct page *page = alloc_pages(gfp, order);

		if (!page)
			break;
		g->order[g->n] = order;
		g->pages[g->n++] = page;
	}
	kmm_thread_detach();
	return NULL;
}

/*
 * Four CPUs empty a 1G machine, whose DMA32 zone starts almost all
 * deferred, while CPU 0 reads /proc/pagetypeinfo and /proc/buddyinfo:
 * no page twice, every page accounted, mm_check clean, and at the end the
 * machine has as much free memory as before.
 */
static void test_grow_together(void **state)
{
	struct hog g[NTHREADS];
	unsigned long before, left, taken = 0, deferred_at_boot;

	boot_parallel("ram=1G cpus=5 seed=12");
	settle();
	before = buddy_free_pages();
	deferred_at_boot = deferred_blocks();
	assert_true(deferred_at_boot > 200);
	for (int i = 0; i < NTHREADS; i++) {
		g[i] = (struct hog){ .cpu = i + 1, .cap = before };
		g[i].pages = calloc(before, sizeof(struct page *));
		g[i].order = calloc(before, sizeof(int));
		assert_int_equal(pthread_create(&g[i].tid, NULL, hog, &g[i]), 0);
	}
	for (int reads = 0; reads < 20 || deferred_blocks() > deferred_at_boot / 2; reads++) {
		proc_text("/proc/pagetypeinfo");
		proc_text("/proc/buddyinfo");
		if (reads > 100000)
			break;
	}
	for (int i = 0; i < NTHREADS; i++) {
		void *r;

		pthread_join(g[i].tid, &r);
		assert_null(r);
		for (long k = 0; k < g[i].n; k++)
			taken += 1UL << g[i].order[k];
	}
	settle();
	left = buddy_free_pages();
	assert_int_equal(left + taken, before);
	assert_true(deferred_blocks() < deferred_at_boot / 2);
	assert_mm_check();
	/* Every block distinct: mark each, meeting a mark means a duplicate. */
	for (int i = 0; i < NTHREADS; i++)
		for (long k = 0; k < g[i].n; k++) {
			assert_false(PageReserved(g[i].pages[k]));
			SetPageReserved(g[i].pages[k]);
		}
	for (int i = 0; i < NTHREADS; i++) {
		for (long k = 0; k < g[i].n; k++) {
			ClearPageReserved(g[i].pages[k]);
			__free_pages(g[i].pages[k], g[i].order[k]);
		}
		free(g[i].pages);
		free(g[i].order);
	}
	settle();
	assert_int_equal(buddy_free_pages(), before);
	assert_mm_check();
	kmm_shutdown();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_grow_together, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
