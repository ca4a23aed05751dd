/*
 * test_parallel_slab.c - the slab allocator in parallel mode: host threads
 * run as CPUs and allocate and free at once, hand objects to each other,
 * while another thread retunes caches, shrinks them and runs cache_reap
 * (which reaches every CPU through the takeover protocol).
 *
 * Each object carries a tag of its own in every word: a tag found changed
 * means two owners shared an object.  Built with the debug checks and
 * under ThreadSanitizer; each test ends with mm_check() clean.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/procfs.h>
#include <kmm/slab.h>
#include "mm/slab.h"
#include "tests/harness.h"
#include "tests/parallel/handoff.h"

#define NTHREADS	4
#define SLOTS		512

/* Rounds per worker (fewer under TSan, more under make stress). */
static long rounds(void)
{
	return stress_rounds(200000);
}

static void tag(void *p, size_t size, unsigned long v)
{
	for (size_t i = 0; i + sizeof(v) <= size; i += sizeof(v))
		memcpy((char *)p + i, &v, sizeof(v));
}

static bool tagged(const void *p, size_t size, unsigned long v)
{
	for (size_t i = 0; i + sizeof(v) <= size; i += sizeof(v))
		if (memcmp((const char *)p + i, &v, sizeof(v)))
			return false;
	return true;
}

struct worker {
	pthread_t tid;
	int id, cpu;
	unsigned int seed;
	struct kmem_cache *cache;
	long bad, allocs;
	int err;
};

/* Random kmalloc sizes and cache objects, freed in random order. */
static void *churn(void *arg)
{
	struct worker *w = arg;
	struct {
		void *p;
		size_t size;
		bool cache;
	} slot[SLOTS] = { 0 };

	w->err = kmm_thread_attach(w->cpu);
	if (w->err)
		return NULL;
	for (long r = 0, n = rounds(); r < n; r++) {
		int i = rand_r(&w->seed) % SLOTS;
		unsigned long t = ((unsigned long)w->id << 40) | (unsigned long)i;

		if (slot[i].p) {
			if (!tagged(slot[i].p, slot[i].size, t))
				w->bad++;
			if (slot[i].cache)
				kmem_cache_free(w->cache, slot[i].p);
			else
				kfree(slot[i].p);
			slot[i].p = NULL;
			continue;
		}
		slot[i].cache = rand_r(&w->seed) % 3 == 0;
		if (slot[i].cache) {
			slot[i].size = kmem_cache_size(w->cache);
			slot[i].p = kmem_cache_alloc(w->cache, GFP_KERNEL);
		} else {
			slot[i].size = 8 + rand_r(&w->seed) % (rand_r(&w->seed) % 8 ? 512 : 8192);
			slot[i].p = kmalloc(slot[i].size, GFP_KERNEL);
		}
		if (!slot[i].p) {
			w->bad++;
			continue;
		}
		tag(slot[i].p, slot[i].size, t);
		w->allocs++;
	}
	for (int i = 0; i < SLOTS; i++)
		if (slot[i].p) {
			if (slot[i].cache)
				kmem_cache_free(w->cache, slot[i].p);
			else
				kfree(slot[i].p);
		}
	kmm_thread_detach();
	return NULL;
}

struct meddler {
	pthread_t tid;
	struct kmem_cache *cache;
	int stop;
	long tunes;
	int err;
};

/*
 * CPU 0's thread: retune the shared cache and size-64 through
 * /proc/slabinfo (new arrays swapped in on every CPU), shrink them, and
 * move the clock so cache_reap visits every CPU.
 */
static void *meddle(void *arg)
{
	struct meddler *m = arg;
	static const char *const tunings[] = { "t-par 120 60 8", "t-par 16 8 0", "t-par 1 1 0",
					       "size-64 54 27 8", "size-64 120 60 8" };

	m->err = kmm_thread_attach(0);
	if (m->err)
		return NULL;
	while (!__atomic_load_n(&m->stop, __ATOMIC_RELAXED)) {
		if (proc_write("/proc/slabinfo", tunings[m->tunes % 5]))
			m->err = -1;
		if (m->tunes % 3 == 0)
			kmem_cache_shrink(m->cache);
		if (m->tunes % 4 == 0)
			kmm_advance_clock(2ULL * 1000000000ULL);
		m->tunes++;
	}
	kmm_thread_detach();
	return NULL;
}

static void run(const char *cmdline, bool meddling)
{
	struct worker w[NTHREADS];
	struct meddler m = { 0 };
	struct kmem_cache *c;

	boot_parallel(cmdline);
	c = kmem_cache_create("t-par", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	m.cache = c;
	if (meddling) {
		/* The meddler runs as CPU 0, this thread's until now. */
		kmm_thread_detach();
		assert_int_equal(pthread_create(&m.tid, NULL, meddle, &m), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .id = i, .cpu = i + 1, .seed = 17 * i + 1, .cache = c };
		assert_int_equal(pthread_create(&w[i].tid, NULL, churn, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(w[i].tid, NULL), 0);
	if (meddling) {
		__atomic_store_n(&m.stop, 1, __ATOMIC_RELAXED);
		pthread_join(m.tid, NULL);
		assert_int_equal(m.err, 0);
		assert_true(m.tunes > 0);
		assert_int_equal(kmm_thread_attach(0), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(w[i].err, 0);
		assert_int_equal(w[i].bad, 0);
		assert_true(w[i].allocs > 0);
	}
	assert_int_equal(kmem_cache_shrink(c), 0);	/* every object came back */
	kmem_cache_destroy(c);
	assert_null(kmem_cache_find("t-par"));
	assert_mm_check();
	kmm_shutdown();
}

static void test_churn(void **state)
{
	run("ram=256M cpus=5 seed=1", false);
}

static void test_churn_while_tuning_and_reaping(void **state)
{
	run("ram=256M cpus=5 seed=2", true);
}

/* Two nodes: frees of the other node's objects go through the alien arrays. */
static void test_churn_two_nodes(void **state)
{
	run("ram=512M nodes=2 cpus=6 seed=3", true);
}

/*
 * slab_harden=on: every free checks and changes its object's free-index
 * entry without a lock, while other CPUs refill and flush the same slabs
 * under list_lock (mm/slab.h: each entry has one owner at a time).  Under
 * TSan, no race; at the end mm_check reads every entry.
 */
static void test_churn_hardened(void **state)
{
	run("ram=256M cpus=5 seed=6 slab_harden=on", true);
}

static void test_churn_two_nodes_hardened(void **state)
{
	run("ram=512M nodes=2 cpus=6 seed=7 slab_harden=on", true);
}

/* ---- objects made on one CPU, freed on another ---- */

static void *producer(void *arg)
{
	struct handoff *h = arg;
	unsigned int seed = 5;

	if (kmm_thread_attach(1))
		return (void *)1;
	for (long r = 0, n = rounds(); r < n; r++) {
		size_t size = 8 + rand_r(&seed) % 1000;
		void *p = kmalloc(size, GFP_KERNEL);

		if (!p)
			continue;
		tag(p, size, (unsigned long)p);
		handoff_put(h, p, size);
	}
	handoff_close(h);
	kmm_thread_detach();
	return NULL;
}

static void *consumer(void *arg)
{
	struct handoff *h = arg;
	unsigned long size;
	long bad = 0;
	void *p;

	if (kmm_thread_attach(2))
		return (void *)1;
	while (handoff_get(h, &p, &size)) {
		if (!tagged(p, size, (unsigned long)p))
			bad++;
		kfree(p);
	}
	kmm_thread_detach();
	return (void *)bad;
}

static void remote_frees(const char *cmdline)
{
	static struct handoff h = HANDOFF_INIT;
	pthread_t p, c;
	void *rp, *rc;

	h = (struct handoff)HANDOFF_INIT;
	boot_parallel(cmdline);
	assert_int_equal(pthread_create(&c, NULL, consumer, &h), 0);
	assert_int_equal(pthread_create(&p, NULL, producer, &h), 0);
	pthread_join(p, &rp);
	pthread_join(c, &rc);
	assert_null(rp);
	assert_null(rc);
	assert_mm_check();
	kmm_shutdown();
}

static void test_remote_frees(void **state)
{
	remote_frees("ram=256M cpus=3 seed=4");
}

/* Hardened: the entry set "handed out" on CPU 1 is checked by the free on CPU 2. */
static void test_remote_frees_hardened(void **state)
{
	remote_frees("ram=256M cpus=3 seed=8 slab_harden=on");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_churn, teardown_machine),
		cmocka_unit_test_teardown(test_churn_while_tuning_and_reaping, teardown_machine),
		cmocka_unit_test_teardown(test_churn_two_nodes, teardown_machine),
		cmocka_unit_test_teardown(test_churn_hardened, teardown_machine),
		cmocka_unit_test_teardown(test_churn_two_nodes_hardened, teardown_machine),
		cmocka_unit_test_teardown(test_remote_frees_hardened, teardown_machine),
		cmocka_unit_test_teardown(test_remote_frees, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
