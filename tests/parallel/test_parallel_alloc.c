/*
 * test_parallel_alloc.c - the page allocator in parallel mode: host threads
 * run as simulated CPUs and allocate, free, drain and retune at once.
 *
 * Built twice: with the debug checks, and under ThreadSanitizer, which
 * reports any access to shared state the locking does not order.  Each test
 * ends with every page back and mm_check() clean; the pattern each thread
 * writes into its pages proves no page was handed out twice.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/mmzone.h>
#include <kmm/procfs.h>
#include <kmm/vmstat.h>
#include "hw/cpu.h"
#include "mm/internal.h"
#include "tests/harness.h"
#include "tests/parallel/handoff.h"

#define NTHREADS	4
#define SLOTS		256

/* Rounds per worker (fewer under TSan, more under make stress). */
#define ROUNDS		stress_rounds(200000)

/* Free pages counted on the buddy lists themselves (exact, unlike vmstat). */
static unsigned long pcp_pages(void)
{
	unsigned long n = 0;
	struct zone *zone;

	for_each_populated_zone(zone)
		for (int cpu = 0; cpu < nr_cpu_ids; cpu++)
			n += zone->pageset[cpu].pcp.count;
	return n;
}

/* Quiesced: every per-CPU list drained and every counter delta folded. */
static void settle(void)
{
	drain_all_pages();
	assert_int_equal(proc_write("/proc/sys/vm/stat_refresh", "1"), 0);
	assert_int_equal(pcp_pages(), 0);
	assert_int_equal(global_page_state(NR_FREE_PAGES), buddy_free_pages());
}

static unsigned long pattern(int thread, int slot)
{
	return 0x5a5a000000000000ul | (unsigned long)thread << 32 | (unsigned long)slot;
}

static void fill_block(struct page *page, int order, unsigned long v)
{
	unsigned long *w = page_address(page);

	for (size_t i = 0; i < (PAGE_SIZE << order) / sizeof(*w); i += 64)
		w[i] = v;
}

static int block_intact(struct page *page, int order, unsigned long v)
{
	unsigned long *w = page_address(page);

	for (size_t i = 0; i < (PAGE_SIZE << order) / sizeof(*w); i += 64)
		if (w[i] != v)
			return 0;
	return 1;
}

/* ---- every CPU allocating and freeing its own blocks ---- */

struct worker {
	pthread_t tid;
	int id;
	int cpu;
	unsigned int seed;
	int drain_every;		/* 0: never */
	int retune_every;		/* 0: never */
	long allocs, failures, corrupt;
	int attach_err;
};

static void *churn(void *arg)
{
	struct worker *w = arg;
	struct page *slot[SLOTS] = { 0 };
	int order[SLOTS];

	w->attach_err = kmm_thread_attach(w->cpu);
	if (w->attach_err)
		return NULL;
	for (long r = 0, n = ROUNDS; r < n; r++) {
		int i = rand_r(&w->seed) % SLOTS;

		if (slot[i]) {
			if (!block_intact(slot[i], order[i], pattern(w->id, i)))
				w->corrupt++;
			__free_pages(slot[i], order[i]);
			slot[i] = NULL;
		} else {
			/* Mostly order 0 (the per-CPU lists), some buddy orders. */
			int o = rand_r(&w->seed) % 8 ? 0 : 1 + rand_r(&w->seed) % 3;
			gfp_t gfp = (rand_r(&w->seed) & 1 ? GFP_KERNEL : GFP_HIGHUSER_MOVABLE) |
				    __GFP_NOWARN | __GFP_NORETRY;

			slot[i] = alloc_pages(gfp, o);
			if (!slot[i]) {
				w->failures++;
				continue;
			}
			order[i] = o;
			fill_block(slot[i], o, pattern(w->id, i));
			w->allocs++;
		}
		if (w->drain_every && r % w->drain_every == 0)
			drain_all_pages();
		if (w->retune_every && r % w->retune_every == 0) {
			char v[16];

			snprintf(v, sizeof(v), "%d", 1024 + rand_r(&w->seed) % 4096);
			proc_write("/proc/sys/vm/min_free_kbytes", v);
			proc_write("/proc/sys/vm/percpu_pagelist_fraction",
				   rand_r(&w->seed) & 1 ? "8" : "64");
		}
	}
	for (int i = 0; i < SLOTS; i++)
		if (slot[i]) {
			if (!block_intact(slot[i], order[i], pattern(w->id, i)))
				w->corrupt++;
			__free_pages(slot[i], order[i]);
		}
	kmm_thread_detach();
	return NULL;
}

static void run_workers(struct worker *w, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(pthread_create(&w[i].tid, NULL, churn, &w[i]), 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(pthread_join(w[i].tid, NULL), 0);
	for (int i = 0; i < n; i++) {
		assert_int_equal(w[i].attach_err, 0);
		assert_int_equal(w[i].corrupt, 0);
		assert_true(w[i].allocs > 0);
	}
}

/* Four CPUs churn their own lists; CPU 0 (this thread) only watches. */
static void test_churn_per_cpu(void **state)
{
	struct worker w[NTHREADS];
	unsigned long before;

	boot_parallel("ram=256M cpus=5 seed=3");
	settle();
	before = buddy_free_pages();
	for (int i = 0; i < NTHREADS; i++)
		w[i] = (struct worker){ .id = i, .cpu = i + 1, .seed = 100 + i };
	run_workers(w, NTHREADS);
	settle();
	assert_int_equal(buddy_free_pages(), before);
	assert_mm_check();
	kmm_shutdown();
}

/*
 * drain_all_pages from every thread while the others use their lists:
 * the takeover protocol runs each drain as the owning CPU, never at the
 * same time as that CPU's own list operations.
 */
static void test_churn_with_remote_drains(void **state)
{
	struct worker w[NTHREADS];
	unsigned long before, takeovers;

	boot_parallel("ram=256M cpus=5 seed=4");
	settle();
	before = buddy_free_pages();
	for (int i = 0; i < NTHREADS; i++)
		w[i] = (struct worker){ .id = i, .cpu = i + 1, .seed = 200 + i, .drain_every = 97 };
	takeovers = __atomic_load_n(&hw_takeovers, __ATOMIC_RELAXED);
	run_workers(w, NTHREADS);
	/* The drains of busy CPUs went through the takeover protocol. */
	assert_true(__atomic_load_n(&hw_takeovers, __ATOMIC_RELAXED) > takeovers);
	settle();
	assert_int_equal(buddy_free_pages(), before);
	assert_mm_check();
	kmm_shutdown();
}

/*
 * Retuning while allocating: min_free_kbytes recomputes the watermarks and
 * the reserve blocks under the zone locks; percpu_pagelist_fraction changes
 * every CPU's high mark through on_each_cpu.
 */
static void test_churn_with_retuning(void **state)
{
	struct worker w[NTHREADS];
	unsigned long before;

	boot_parallel("ram=128M cpus=4 nodes=1 seed=5");
	settle();
	before = buddy_free_pages();
	for (int i = 0; i < NTHREADS; i++)
		w[i] = (struct worker){ .id = i, .cpu = i, .seed = 300 + i, .retune_every = 211 };
	/* Worker 0 runs as CPU 0, so this thread gives CPU 0 up first. */
	kmm_thread_detach();
	run_workers(w, NTHREADS);
	assert_int_equal(kmm_thread_attach(0), 0);
	assert_int_equal(proc_write("/proc/sys/vm/min_free_kbytes", "1024"), 0);
	settle();
	assert_int_equal(buddy_free_pages(), before);
	assert_mm_check();
	kmm_shutdown();
}

/* ---- pages allocated on one CPU and freed on another ---- */

static void *producer(void *arg)
{
	struct handoff *h = arg;
	unsigned int seed = 7;

	if (kmm_thread_attach(1))
		return (void *)1;
	for (long r = 0, n = ROUNDS; r < n; r++) {
		int order = rand_r(&seed) % 4 ? 0 : 2;
		struct page *page = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY, order);

		if (!page)
			continue;
		fill_block(page, order, (unsigned long)page);
		handoff_put(h, page, order);
	}
	handoff_close(h);
	kmm_thread_detach();
	return NULL;
}

static void *consumer(void *arg)
{
	struct handoff *h = arg;
	unsigned long order;
	long bad = 0;
	void *p;

	if (kmm_thread_attach(2))
		return (void *)1;
	while (handoff_get(h, &p, &order)) {
		struct page *page = p;

		if (!block_intact(page, order, (unsigned long)page))
			bad++;
		__free_pages(page, order);
	}
	kmm_thread_detach();
	return (void *)bad;
}

/*
 * Order-0 frees land on the freeing CPU's list, so pages drift from the
 * producer's CPU to the consumer's, and the consumer's list keeps spilling
 * batches back to the buddy lists.
 */
static void test_cross_cpu_free(void **state)
{
	static struct handoff h = HANDOFF_INIT;
	pthread_t p, c;
	void *rp, *rc;
	unsigned long before;

	boot_parallel("ram=128M cpus=3 seed=6");
	settle();
	before = buddy_free_pages();
	assert_int_equal(pthread_create(&c, NULL, consumer, &h), 0);
	assert_int_equal(pthread_create(&p, NULL, producer, &h), 0);
	pthread_join(p, &rp);
	pthread_join(c, &rc);
	assert_null(rp);
	assert_null(rc);
	settle();
	assert_int_equal(buddy_free_pages(), before);
	assert_mm_check();
	kmm_shutdown();
}

/* ---- running out together ---- */

struct hog {
	pthread_t tid;
	int cpu;
	struct page **pages;
	long n, cap;
};

static void *hog(void *arg)
{
	struct hog *g = arg;

	if (kmm_thread_attach(g->cpu))
		return (void *)1;
	while (g->n < g->cap) {
		struct page *page = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY, 0);

		if (!page)
			break;
		g->pages[g->n++] = page;
	}
	kmm_thread_detach();
	return NULL;
}

/*
 * Several CPUs exhaust memory at once: each stops at its first failure,
 * nobody gets a page twice, and what is left free is at most the min
 * watermarks (GFP_KERNEL may not dig below them).
 */
static void test_exhaust_together(void **state)
{
	struct hog g[NTHREADS];
	unsigned long before, left, mins = 0, taken = 0;
	struct zone *zone;

	boot_parallel("ram=64M cpus=5 seed=8");
	settle();
	before = buddy_free_pages();
	for (int i = 0; i < NTHREADS; i++) {
		g[i] = (struct hog){ .cpu = i + 1, .cap = before };
		g[i].pages = calloc(before, sizeof(struct page *));
		assert_int_equal(pthread_create(&g[i].tid, NULL, hog, &g[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		void *r;

		pthread_join(g[i].tid, &r);
		assert_null(r);
		taken += g[i].n;
	}
	settle();
	left = buddy_free_pages();
	for_each_populated_zone(zone)
		mins += min_wmark_pages(zone);
	assert_int_equal(left + taken, before);
	assert_true(left <= mins + NTHREADS * 64);
	/* Every page distinct: mark each, meeting a mark means a duplicate. */
	for (int i = 0; i < NTHREADS; i++)
		for (long k = 0; k < g[i].n; k++) {
			assert_false(PageReserved(g[i].pages[k]));
			assert_int_equal(page_count(g[i].pages[k]), 1);
			SetPageReserved(g[i].pages[k]);
		}
	for (int i = 0; i < NTHREADS; i++) {
		for (long k = 0; k < g[i].n; k++) {
			ClearPageReserved(g[i].pages[k]);
			__free_pages(g[i].pages[k], 0);
		}
		free(g[i].pages);
	}
	settle();
	assert_int_equal(buddy_free_pages(), before);
	assert_mm_check();
	kmm_shutdown();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_churn_per_cpu, teardown_machine),
		cmocka_unit_test_teardown(test_churn_with_remote_drains, teardown_machine),
		cmocka_unit_test_teardown(test_churn_with_retuning, teardown_machine),
		cmocka_unit_test_teardown(test_cross_cpu_free, teardown_machine),
		cmocka_unit_test_teardown(test_exhaust_together, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
