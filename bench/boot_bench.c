/*
 * boot_bench.c - what booting costs: the time kmm_boot() takes from the
 * e820 map to a running page allocator, the time to shut down, the mem_map
 * the simulated Linux pays for (56 bytes per page frame, as 2.6.34 on
 * x86_64), and the host memory the process really touched for it (PSS).
 */
#include <stdlib.h>
#include <unistd.h>

#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/mmzone.h>
#include "bench/bench.h"

/*
 * Host memory in use, as the proportional set size: the simulated RAM is
 * mapped twice (the direct map, and the vmemmap window over the memory
 * map), and RSS would count those pages once per mapping.
 */
static long pss_kb(void)
{
	char line[256];
	long kb = 0;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Pss: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
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

void bench_boot(void)
{
	static const char *const machines[] = { "ram=1G", "ram=16G", "ram=64G", "ram=64G nodes=4" };
	char name[64], note[96];

	bench_header("boot: kmm_boot() to a running page allocator (ms)");
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
		int runs = bench_quick ? 1 : 5;
		double boot[5], down[5], mm = 0;
		long rss = 0;

		for (int r = 0; r < runs; r++) {
			long before = pss_kb();
			double t0 = bench_now_ns();

			if (kmm_boot(machines[i], 0)) {
				fprintf(stderr, "kmm_bench: boot %s: %s\n", machines[i], kmm_error_msg());
				exit(1);
			}
			boot[r] = (bench_now_ns() - t0) / 1e6;
			rss = pss_kb() - before;
			mm = memmap_mb();
			t0 = bench_now_ns();
			kmm_shutdown();
			down[r] = (bench_now_ns() - t0) / 1e6;
		}
		/* Few runs: sort by hand, report the median. */
		for (int a = 0; a < runs; a++)
			for (int b = a + 1; b < runs; b++) {
				if (boot[b] < boot[a]) {
					double t = boot[a]; boot[a] = boot[b]; boot[b] = t;
				}
				if (down[b] < down[a]) {
					double t = down[a]; down[a] = down[b]; down[b] = t;
				}
			}
		snprintf(name, sizeof(name), "boot %s", machines[i]);
		snprintf(note, sizeof(note), "mem_map %.1f MiB; host memory +%.1f MiB; shutdown %.1f ms",
			 mm, rss / 1024.0, down[runs / 2]);
		bench_row_value("boot", name, boot[runs / 2], "ms", note);
	}
}
