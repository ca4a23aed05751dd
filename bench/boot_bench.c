/*
 * boot_bench.c - what booting costs: the time kmm_boot() takes from the
 * e820 map to a running page allocator, the time to shut down, the mem_map
 * the simulated Linux pays for (56 bytes per page frame, as 2.6.34 on
 * x86_64), and the host memory the process really touched for it (PSS and
 * RSS).  With deferred struct page initialisation (mm/deferred_init.c) the
 * struct pages of free memory are written as the allocator reaches them:
 * the same machines booted with deferred_init=off show what that saves,
 * and taking the first 512 MiB after boot shows where the work went.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/mmzone.h>
#include "bench/bench.h"

/* Host memory in use (kB): the proportional and the resident set size. */
static void host_memory(long *pss, long *rss)
{
	char line[256];
	long v;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	*pss = *rss = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Pss: %ld kB", &v) == 1)
			*pss = v;
		else if (sscanf(line, "Rss: %ld kB", &v) == 1)
			*rss = v;
	}
	if (f)
		fclose(f);
}

/* The simulated mem_map: a struct page for every spanned page frame. */
static double memmap_mb(void)
{
	unsigned long pages = 0;
	pg_data_t *pgdat;

	for_each_online_pgdat(pgdat)
		pages += pgdat->node_spanned_pages;
	return pages * (double)sizeof(struct page) / (1 << 20);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Take then give back 512 MiB in order-0 pages: the struct pages of deferred memory get written. */
static double first_half_gib_ms(void)
{
	enum { PAGES = 1 << (29 - PAGE_SHIFT) };
	static struct page *held[PAGES];
	double t0 = bench_now_ns();
	long n = 0;

	while (n < PAGES &&
	       (held[n] = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN | __GFP_NORETRY, 0)))
		n++;
	while (n--)
		__free_pages(held[n], 0);
	return (bench_now_ns() - t0) / 1e6;
}

static void boot_machine(const char *cmdline, int runs)
{
	enum { MAX_RUNS = 7 };
	double boot[MAX_RUNS], down[MAX_RUNS], first[MAX_RUNS], pss[MAX_RUNS], rss[MAX_RUNS], mm = 0;
	char name[96], note[192];

	for (int r = 0; r < runs; r++) {
		long pss0, rss0, pss1, rss1;
		double t0;

		host_memory(&pss0, &rss0);
		t0 = bench_now_ns();
		if (kmm_boot(cmdline, 0)) {
			fprintf(stderr, "kmm_bench: boot %s: %s\n", cmdline, kmm_error_msg());
			exit(1);
		}
		boot[r] = (bench_now_ns() - t0) / 1e6;
		host_memory(&pss1, &rss1);
		pss[r] = (pss1 - pss0) / 1024.0;
		rss[r] = (rss1 - rss0) / 1024.0;
		mm = memmap_mb();
		first[r] = first_half_gib_ms();
		t0 = bench_now_ns();
		kmm_shutdown();
		down[r] = (bench_now_ns() - t0) / 1e6;
	}
	qsort(boot, runs, sizeof(double), cmp_double);
	qsort(down, runs, sizeof(double), cmp_double);
	qsort(first, runs, sizeof(double), cmp_double);
	qsort(pss, runs, sizeof(double), cmp_double);
	qsort(rss, runs, sizeof(double), cmp_double);
	snprintf(name, sizeof(name), "boot %s", cmdline);
	snprintf(note, sizeof(note),
		 "mem_map %.0f MiB; host memory +%.1f MiB PSS, +%.1f MiB RSS; then 512 MiB of pages %.0f ms; shutdown %.1f ms",
		 mm, pss[runs / 2], rss[runs / 2], first[runs / 2], down[runs / 2]);
	bench_row_value("boot", name, boot[runs / 2], "ms", note);
}

void bench_boot(void)
{
	static const struct {
		const char *cmdline;
		int runs;
	} machines[] = {
		{ "ram=1G", 7 },
		{ "ram=1G deferred_init=off", 7 },
		{ "ram=16G", 7 },
		{ "ram=16G deferred_init=off", 5 },
		{ "ram=64G", 7 },
		{ "ram=64G deferred_init=off", 3 },
		{ "ram=64G nodes=4", 7 },
		{ "ram=256G", 5 },
	};

	bench_header("boot: kmm_boot() to a running page allocator (ms; medians of 3 to 7 boots)");
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		boot_machine(machines[i].cmdline, bench_quick ? 1 : machines[i].runs);
}
