/*
 * test_parallel_kmap.c - kmap and kmap_atomic in parallel mode: host
 * threads run as simulated CPUs on i386 and map highmem pages at once.
 *
 * Built twice: with the debug checks, and under ThreadSanitizer, which
 * reports any access to shared state the locking does not order (kmap_lock
 * over the counts, the hash's bucket locks, the per-CPU slots owned by
 * their CPU).  Each thread writes a pattern of its own into its pages
 * through one mapping and checks it through another: a mapping that showed
 * the wrong frame (a stale TLB entry, a slot shared by two CPUs, an entry
 * handed out twice) breaks the pattern.  Each test ends with every kmap
 * undone and mm_check() clean.
 */
#include <pthread.h>
#include <time.h>
#include <stdlib.h>

#include <kmm/gfp.h>
#include <kmm/highmem.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/smp.h>
#include "tests/harness.h"

#define NTHREADS	4

/* Rounds per worker (fewer under TSan, more under make stress). */
#define ROUNDS		stress_rounds(20000)

static unsigned long pattern(int thread, int page, long round)
{
	return 0x6b6d0000000000ul | (unsigned long)thread << 40 | (unsigned long)page << 24 |
	       (unsigned long)(round & 0xffffff);
}

struct worker {
	pthread_t tid;
	int id;
	unsigned int seed;
	int nr_pages;			/* its own highmem pages */
	int batch;			/* most pages it holds kmapped at once */
	bool holder;			/* maps a whole window at a time */
	struct page **pages;
	unsigned long *want;		/* the pattern each page holds */
	long corrupt, atomics, kmaps;
	int attach_err;
};

/* The holder has finished: the others may stop once their rounds are done. */
static int holder_done;

/* Write @v at a few places of the page through @p. */
static void put(unsigned long *p, unsigned long v)
{
	for (size_t i = 0; i < PAGE_SIZE / sizeof(*p); i += 128)
		p[i] = v;
}

static bool holds(const unsigned long *p, unsigned long v)
{
	for (size_t i = 0; i < PAGE_SIZE / sizeof(*p); i += 128)
		if (p[i] != v)
			return false;
	return true;
}

/*
 * The holder's round: kmap a whole window's worth of its pages, keep them
 * until some other CPU sleeps for an entry (at most 100 ms), check and
 * rewrite them, kunmap them all (the kunmaps wake the sleepers).
 */
static void hold_window(struct worker *w, long r)
{
	struct timespec t0, t;
	struct kmap_stats st;
	unsigned long *p;

	for (int i = 0; i < w->batch; i++)
		kmap(w->pages[i]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		kmap_get_stats(&st);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (!st.sleepers &&
		 (t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec < 100000000L);
	for (int i = 0; i < w->batch; i++) {
		p = page_address(w->pages[i]);
		w->corrupt += !holds(p, w->want[i]);
		w->want[i] = pattern(w->id, i, r);
		put(p, w->want[i]);
		w->kmaps++;
	}
	for (int i = 0; i < w->batch; i++)
		kunmap(w->pages[i]);
	/* One kmap_atomic too, so that every worker does both. */
	p = kmap_atomic(w->pages[0], KM_USER0);
	w->corrupt += !holds(p, w->want[0]);
	kunmap_atomic(p, KM_USER0);
	w->atomics++;
}

/*
 * Each round: either a kmap_atomic of one page (KM_USER0 to check it and
 * write a new pattern, KM_USER1 nested to check that one), or a batch of
 * kmaps (up to w->batch pages held at once, checked and rewritten through
 * the pkmap address), undone in another order.
 */
static void *mapper(void *arg)
{
	struct worker *w = arg;
	int *held = calloc(w->batch, sizeof(*held));

	w->attach_err = kmm_thread_attach(w->id + 1);
	if (w->attach_err)
		return NULL;
	for (int i = 0; i < w->nr_pages; i++) {
		unsigned long *p;

		w->pages[i] = alloc_page(GFP_HIGHUSER);
		p = kmap_atomic(w->pages[i], KM_USER0);
		w->want[i] = pattern(w->id, i, 0);
		put(p, w->want[i]);
		kunmap_atomic(p, KM_USER0);
	}
	for (long r = 1, n = ROUNDS; r < n || !__atomic_load_n(&holder_done, __ATOMIC_ACQUIRE);
	     r++) {
		if (w->holder) {
			hold_window(w, r);
			if (r >= 20) {
				__atomic_store_n(&holder_done, 1, __ATOMIC_RELEASE);
				break;
			}
			continue;
		}
		if (rand_r(&w->seed) % 4) {
			int i = rand_r(&w->seed) % w->nr_pages, j = rand_r(&w->seed) % w->nr_pages;
			unsigned long *a = kmap_atomic(w->pages[i], KM_USER0);
			unsigned long *b = kmap_atomic(w->pages[j], KM_USER1);

			w->corrupt += !holds(a, w->want[i]) + !holds(b, w->want[j]);
			if (i != j) {
				w->want[i] = pattern(w->id, i, r);
				put(a, w->want[i]);
			}
			kunmap_atomic(b, KM_USER1);
			kunmap_atomic(a, KM_USER0);
			w->atomics++;
			continue;
		}
		int k = 1 + rand_r(&w->seed) % w->batch, first = rand_r(&w->seed) % w->nr_pages;

		for (int m = 0; m < k; m++) {
			int i = (first + m) % w->nr_pages;
			unsigned long *p = kmap(w->pages[i]);

			held[m] = i;
			w->corrupt += !holds(p, w->want[i]);
			w->want[i] = pattern(w->id, i, r);
			put(p, w->want[i]);
			w->kmaps++;
		}
		for (int m = k - 1; m >= 0; m--)
			kunmap(w->pages[held[m]]);
	}
	for (int i = 0; i < w->nr_pages; i++) {
		unsigned long *p = kmap(w->pages[i]);

		w->corrupt += !holds(p, w->want[i]);
		kunmap(w->pages[i]);
		__free_page(w->pages[i]);
	}
	free(held);
	kmm_thread_detach();
	return NULL;
}

static void run(struct worker *w, int n)
{
	for (int i = 0; i < n; i++) {
		w[i].pages = calloc(w[i].nr_pages, sizeof(*w[i].pages));
		w[i].want = calloc(w[i].nr_pages, sizeof(*w[i].want));
		assert_int_equal(pthread_create(&w[i].tid, NULL, mapper, &w[i]), 0);
	}
	for (int i = 0; i < n; i++)
		assert_int_equal(pthread_join(w[i].tid, NULL), 0);
	for (int i = 0; i < n; i++) {
		assert_int_equal(w[i].attach_err, 0);
		assert_int_equal(w[i].corrupt, 0);
		assert_true(w[i].atomics > 0);
		assert_true(w[i].kmaps > 0);
		free(w[i].pages);
		free(w[i].want);
	}
}

/*
 * Four CPUs, each mapping its own 400 pages, at most 64 kmapped at once:
 * 256 of the 1024 entries at most, so nobody waits; but 1600 pages in all
 * need new entries again and again, so the window wraps over and over,
 * each wrap flushing every CPU's TLB while the others map.
 */
static void test_kmap_on_every_cpu(void **state)
{
	struct worker w[NTHREADS];
	struct kmap_stats st;

	boot_parallel("arch=i386 ram=2G cpus=5 seed=11");
	holder_done = 1;
	for (int i = 0; i < NTHREADS; i++)
		w[i] = (struct worker){ .id = i, .seed = 400 + i, .nr_pages = 400, .batch = 64 };
	run(w, NTHREADS);
	kmap_get_stats(&st);
	assert_int_equal(st.users, 0);
	assert_int_equal(st.sleepers, 0);
	assert_true(st.flushes > 0);
	assert_mm_check();
	kmm_shutdown();
}

/*
 * PAE's 512 entries, all kmapped by one CPU at a time (the holder), while
 * three CPUs kmap one page at a time: they find every entry taken and
 * sleep until the holder's kunmaps wake them.  No deadlock: the others
 * ask for an entry only while holding none, so when everyone waits the
 * holder holds fewer than 512 and the wrap frees it one.
 */
static void test_kmap_waits_for_entries(void **state)
{
	struct worker w[NTHREADS];
	struct kmap_stats st;

	boot_parallel("arch=i386 pae ram=2G cpus=5 seed=12");
	holder_done = 0;
	for (int i = 0; i < NTHREADS; i++)
		w[i] = (struct worker){ .id = i, .seed = 500 + i, .nr_pages = i ? 16 : 512,
					.batch = i ? 1 : 512, .holder = !i };
	run(w, NTHREADS);
	kmap_get_stats(&st);
	assert_true(st.waits > 0);
	assert_int_equal(st.users, 0);
	assert_int_equal(st.sleepers, 0);
	assert_mm_check();
	kmm_shutdown();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_kmap_on_every_cpu, teardown_machine),
		cmocka_unit_test_teardown(test_kmap_waits_for_entries, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
