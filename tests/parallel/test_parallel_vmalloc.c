/*
 * test_parallel_vmalloc.c - vmalloc with host threads running as CPUs at
 * once (parallel mode); built with the debug checks and under
 * ThreadSanitizer, which must stay silent.
 *
 * Three CPUs vmalloc areas of 1 to 600 pages (both ways of holding the
 * pages array), fill them with a pattern of their own and hand every
 * other one to the next CPU, which checks the pattern and frees it: frees
 * race with allocations, lazy ranges pile up and purges (each a TLB flush
 * of every CPU, reaching CPUs that are busy) run while the others
 * allocate.  A fourth thread reads /proc/vmallocinfo and /proc/meminfo
 * all along: it must never see an area half made.  At the end every
 * range is accounted for (mm_check) and every page is back.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/procfs.h>
#include <kmm/slab.h>
#include <kmm/seq_file.h>
#include <kmm/smp.h>
#include <kmm/vmalloc.h>
#include <kmm/vmstat.h>
#include "tests/harness.h"
#include "tests/parallel/handoff.h"

#define WORKERS		3
#define PAGE		4096UL

static struct handoff queues[WORKERS];
static long failures;
static int stop_reader;

/* The byte at @i of an area worker @w filled for round @r. */
static unsigned char pattern(int w, long r, unsigned long i)
{
	return (unsigned char)(w * 31 + r * 7 + i / PAGE);
}

/* The next item of @h if one is there now; false if none (never waits). */
static bool handoff_tryget(struct handoff *h, void **p, unsigned long *n)
{
	bool got;

	pthread_mutex_lock(&h->lock);
	got = h->head != h->tail;
	pthread_mutex_unlock(&h->lock);
	return got && handoff_get(h, p, n);
}

/*
 * Pages on the buddy lists, every cache shrunk (its per-CPU arrays
 * emptied, its free slabs freed) and every CPU's page lists drained first.
 */
static unsigned long free_pages_shrunk(void)
{
	char text[32768], name[64];

	snprintf(text, sizeof(text), "%s", proc_text("/proc/slabinfo"));
	for (const char *line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n'))
		if (line[1] != '#' && sscanf(line + 1, "%63s", name) == 1)
			kmem_cache_shrink(kmem_cache_find(name));
	return free_pages_drained();
}

/* Check and free an area another worker made (its size and tag in @n). */
static void check_and_free(unsigned char *p, unsigned long n)
{
	unsigned long size = n >> 16;
	int w = (int)((n >> 8) & 0xff);
	long r = (long)(n & 0xff);

	for (unsigned long i = 0; i < size; i += 509)
		if (p[i] != pattern(w, r, i))
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
	vfree(p);
}

static void *worker(void *arg)
{
	int w = (int)(long)arg;
	long rounds = stress_rounds(400);
	unsigned long seed = 12345 + w;
	void *p;
	unsigned long n;

	if (kmm_thread_attach(w + 1))
		return (void *)1;
	for (long r = 0; r < rounds; r++) {
		unsigned long pages, size;
		unsigned char *q;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		pages = 1 + (seed >> 33) % 600;
		size = pages * PAGE - (seed >> 20) % PAGE;
		q = vmalloc(size);
		if (!q) {
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
			break;
		}
		for (unsigned long i = 0; i < size; i += 509)
			q[i] = pattern(w, r & 0xff, i);
		if (r & 1)
			handoff_put(&queues[(w + 1) % WORKERS], q, size << 16 | w << 8 | (r & 0xff));
		else
			check_and_free(q, size << 16 | w << 8 | (r & 0xff));
		while (handoff_tryget(&queues[w], &p, &n))
			check_and_free(p, n);
	}
	handoff_close(&queues[(w + 1) % WORKERS]);
	while (handoff_get(&queues[w], &p, &n))
		check_and_free(p, n);
	kmm_thread_detach();
	return NULL;
}

/* Every line of /proc/vmallocinfo is a whole area: a vmalloc area says its pages. */
static void *reader(void *arg)
{
	if (kmm_thread_attach(WORKERS + 1))
		return (void *)1;
	while (!__atomic_load_n(&stop_reader, __ATOMIC_ACQUIRE)) {
		struct seq_file m;

		seq_init(&m);
		if (proc_read("/proc/vmallocinfo", &m))
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
		for (char *line = m.buf; line && *line; line = strchr(line, '\n') + 1) {
			if (strstr(line, " vmalloc") && !strstr(line, " pages="))
				__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
			if (!strchr(line, '\n'))
				break;
		}
		seq_release(&m);
		seq_init(&m);
		proc_read("/proc/meminfo", &m);
		seq_release(&m);
	}
	kmm_thread_detach();
	return NULL;
}

static void vmalloc_from_three_cpus_with_a_reader(void **state)
{
	pthread_t t[WORKERS], r;
	unsigned long before, after;
	void *ret;

	boot_parallel("ram=512M cpus=5");
	before = free_pages_shrunk();
	for (int i = 0; i < WORKERS; i++)
		queues[i] = (struct handoff)HANDOFF_INIT;
	assert_int_equal(pthread_create(&r, NULL, reader, NULL), 0);
	for (long i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(t[i], &ret);
		assert_null(ret);
	}
	__atomic_store_n(&stop_reader, 1, __ATOMIC_RELEASE);
	pthread_join(r, &ret);
	assert_null(ret);
	assert_int_equal(__atomic_load_n(&failures, __ATOMIC_RELAXED), 0);
	assert_string_equal(proc_text("/proc/vmallocinfo"), "");
	assert_mm_check();
	vm_unmap_aliases();
	/*
	 * Page tables made for the vmalloc area stay (a PTE table per 2M of
	 * the ranges used, lazy ones included: at most about 100M here);
	 * everything else came back.
	 */
	after = free_pages_shrunk();
	if (after > before || before - after > 128)
		fail_msg("free pages %lu before, %lu after", before, after);
	assert_mm_check();
	kmm_shutdown();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(vmalloc_from_three_cpus_with_a_reader, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
