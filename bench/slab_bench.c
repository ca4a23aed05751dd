/*
 * slab_bench.c - the slab groups: kmm's SLAB allocator and kmalloc
 * against glibc, mimalloc, jemalloc and tcmalloc, side by side.
 *
 *   slab       single-threaded: 64-byte objects from a kmem_cache
 *              (against malloc(64)) as pairs and in batches; kmalloc of
 *              random sizes 8-4096 with random frees (a window of live
 *              objects), the target being mimalloc's time
 *   slab-mt    threads: a producer allocating and a consumer freeing;
 *              a larson-style server
 *   slab-mem   memory: bytes held per byte live after a random workload
 *
 * Each allocator runs in a worker process of its own (peer.h); the
 * samples of all of them are taken in turn, every allocator running the
 * same operations (workloads.h).  Ratios are kmm's median over the
 * peer's: below 1, kmm is faster (or holds less).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/peer.h"

#define MAX_PEERS	8
#define SAMPLE_MS	2	/* single-threaded samples */
#define SAMPLE_MS_MT	20	/* threaded ones: longer, as the threads' spread is wider */

/* Every allocator, each in its worker; kmm first. */
struct lineup {
	struct peer p[MAX_PEERS];
	int nr;
};

/* Threads of the threaded workloads: one per host CPU, at least two. */
static int host_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2 : n > 8 ? 8 : (int)n;
}

/* Start every worker; with @show, print what each said it runs. */
static void lineup_start(struct lineup *l, int threads, bool show)
{
	char cmdline[192];

	allocator_kmm_cmdline(cmdline, sizeof(cmdline), threads);
	/* KMM_BENCH_BOOT adds boot options to kmm's (slab_harden=on: the checks' cost). */
	if (getenv("KMM_BENCH_BOOT"))
		snprintf(cmdline + strlen(cmdline), sizeof(cmdline) - strlen(cmdline), " %s",
			 getenv("KMM_BENCH_BOOT"));
	l->nr = nr_allocators < MAX_PEERS ? nr_allocators : MAX_PEERS;
	for (int i = 0; i < l->nr; i++)
		peer_start(&l->p[i], &allocators[i], allocators[i].library ? "" : cmdline);
	if (!show)
		return;
	printf("\nworkers (one process per allocator, samples interleaved):\n");
	for (int i = 0; i < l->nr; i++)
		printf("  %-9s %s\n", l->p[i].a->name,
		       l->p[i].dead ? "not available (see above)" : l->p[i].about);
}

static void lineup_stop(struct lineup *l)
{
	for (int i = 0; i < l->nr; i++)
		peer_stop(&l->p[i]);
}

static bool threaded(const struct work_params *wp)
{
	return wp->kind == WORK_PRODCONS || wp->kind == WORK_LARSON;
}

/*
 * Run @wp on every allocator, interleaved, and print a row each, named
 * "@what: allocator", with what was called and the ratio to kmm.  With
 * @target, mimalloc's row says whether kmm meets the target (at
 * most mimalloc's time).
 */
static void compare(struct lineup *l, const char *group, const char *what,
		    const struct work_params *wp, double sample_ms, bool target)
{
	struct bench_subject s[MAX_PEERS];
	int slot[MAX_PEERS];
	const struct bench_stat *k = NULL;
	char name[96], note[192];
	int nr = 0;

	for (int i = 0; i < l->nr; i++) {
		slot[i] = -1;
		if (!l->p[i].dead && !peer_setup(&l->p[i], wp)) {
			s[nr] = (struct bench_subject){ peer_sample, &l->p[i] };
			slot[i] = nr++;
		}
	}
	/*
	 * Single-threaded, every allocator runs the very same steps in each
	 * sample.  Threads interleave differently anyway; there, each gets
	 * its own n, so that a slow peer does not stretch the run.
	 */
	bench_interleave(s, nr, sample_ms, !threaded(wp));
	for (int i = 0; i < l->nr; i++)
		if (slot[i] >= 0)
			peer_teardown(&l->p[i]);

	if (slot[0] >= 0 && s[slot[0]].stat.median > 0)
		k = &s[slot[0]].stat;
	for (int i = 0; i < l->nr; i++) {
		struct allocator *a = l->p[i].a;
		const struct bench_stat *st = slot[i] >= 0 ? &s[slot[i]].stat : NULL;
		const char *calls = wp->fixed64 ? a->calls64 : a->calls;
		int len;

		snprintf(name, sizeof(name), "%s: %s", what, a->name);
		if (!st || st->median <= 0) {
			bench_row_failed(group, name, "failed or not available (see stderr)");
			continue;
		}
		len = snprintf(note, sizeof(note), "%s", calls);
		if (threaded(wp))
			len += snprintf(note + len, sizeof(note) - len, "; %.1f Mops/s",
					1e3 / st->median);
		if (k && i > 0)
			len += snprintf(note + len, sizeof(note) - len, "; kmm/%s = %.2f", a->name,
					k->median / st->median);
		if (k && i > 0 && target && !strcmp(a->name, "mimalloc"))
			snprintf(note + len, sizeof(note) - len, " (target <= 1: %s)",
				 k->median <= st->median ? "met" : "not met");
		bench_row(group, name, st, "ns", note);
	}
}

void bench_slab(void)
{
	static const int batches[] = { 100, 1000 };
	static const int windows[] = { 1000, 10000 };
	struct lineup l;
	char what[64];

	lineup_start(&l, 1, true);
	bench_header("slab: 64-byte objects, kmem_cache vs malloc(64) (ns per alloc+free)");
	compare(&l, "slab", "cache-64 pair",
		&(struct work_params){ .kind = WORK_PAIR, .fixed64 = true, .size_min = 64 },
		SAMPLE_MS, false);
	for (size_t i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
		snprintf(what, sizeof(what), "cache-64 %d out, %d back", batches[i], batches[i]);
		compare(&l, "slab", what,
			&(struct work_params){ .kind = WORK_BATCH, .fixed64 = true,
					       .size_min = 64, .count = batches[i] },
			SAMPLE_MS, false);
	}

	bench_header("slab: kmalloc+kfree, random sizes 8-4096, random frees (ns per alloc+free)");
	for (size_t i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		snprintf(what, sizeof(what), "kmalloc 8-4096, %d live", windows[i]);
		compare(&l, "slab", what,
			&(struct work_params){ .kind = WORK_WINDOW, .size_min = 8,
					       .size_max = 4096, .count = windows[i] },
			SAMPLE_MS, true);
	}
	lineup_stop(&l);
}

void bench_slab_mt(void)
{
	int threads = host_threads();
	struct lineup l;
	char what[64], title[128];

	lineup_start(&l, threads, true);
	bench_header("slab, threads: a producer allocates, a consumer frees (ns per object)");
	compare(&l, "slab-mt", "prodcons 64 B",
		&(struct work_params){ .kind = WORK_PRODCONS, .fixed64 = true, .size_min = 64 },
		SAMPLE_MS_MT, false);
	compare(&l, "slab-mt", "prodcons 8-4096",
		&(struct work_params){ .kind = WORK_PRODCONS, .size_min = 8, .size_max = 4096 },
		SAMPLE_MS_MT, false);

	snprintf(title, sizeof(title),
		 "slab, threads: larson-style server, %d threads (ns per op, all threads)",
		 threads);
	bench_header(title);
	snprintf(what, sizeof(what), "larson %dx1000 slots, 8-4096", threads);
	compare(&l, "slab-mt", what,
		&(struct work_params){ .kind = WORK_LARSON, .size_min = 8, .size_max = 4096,
				       .count = 1000, .threads = threads },
		SAMPLE_MS_MT, false);
	lineup_stop(&l);
}

static double mib(double bytes)
{
	return bytes / (1 << 20);
}

/* One distribution, fresh workers: nothing earlier shapes what they hold. */
static void memory_case(int size_min, int size_max, int count)
{
	struct mem_result r[MAX_PEERS];
	bool ok[MAX_PEERS];
	struct work_params wp = { .size_min = size_min, .size_max = size_max, .count = count };
	char name[96], note[256];
	struct lineup l;

	lineup_start(&l, 1, false);
	for (int i = 0; i < l.nr; i++)
		ok[i] = !l.p[i].dead && !peer_memory(&l.p[i], &wp, &r[i]) && r[i].live > 0 &&
			r[i].held > 0;
	lineup_stop(&l);

	for (int i = 0; i < l.nr; i++) {
		struct allocator *a = l.p[i].a;
		double ratio = ok[i] ? r[i].held / r[i].live : 0;
		int len;

		snprintf(name, sizeof(name), "%d-%d x%d, half freed: %s", size_min, size_max, count,
			 a->name);
		if (!ok[i]) {
			bench_row_failed("slab-mem", name, "failed or not available (see stderr)");
			continue;
		}
		len = snprintf(note, sizeof(note),
			       "%s %.1f MiB / live %.1f MiB; all allocated %.2f; after %s %.2f",
			       a->held_how, mib(r[i].held), mib(r[i].live),
			       r[i].held_full / r[i].live_full, a->release_how,
			       r[i].held_released / r[i].live);
		if (i > 0 && ok[0])
			snprintf(note + len, sizeof(note) - len, "; kmm/%s = %.2f", a->name,
				 (r[0].held / r[0].live) / ratio);
		bench_row_ratio("slab-mem", name, ratio, note);
	}
}

void bench_slab_mem(void)
{
	int scale = bench_quick ? 10 : 1;

	bench_header("slab, memory: bytes held per byte live, after freeing a random half");
	memory_case(8, 4096, 100000 / scale);
	memory_case(8, 512, 400000 / scale);
}
