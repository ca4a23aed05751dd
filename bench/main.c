/*
 * kmm_bench - the benchmarks of `make bench`.
 *
 *   kmm_bench [--quick] [--csv FILE] [GROUP...]
 *
 * Groups: page, boot, antifrag, slab, slab-mt, slab-mem, programs, startup, mmu, vm,
 * vmalloc, kmap, replay, exec, file (default: all).
 * --quick takes few, short samples (a smoke run, not a measurement).
 * Results go to stdout as a table and, with --csv, to FILE as
 * comma-separated rows.
 *
 *   kmm_bench --worker NAME RFD WFD ARG
 *
 * is how the slab groups start their worker processes (peer.h); it is not
 * meant to be typed.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/peer.h"

static const struct {
	const char *name;
	void (*run)(void);
} groups[] = {
	{ "page", bench_page_alloc },
	{ "boot", bench_boot },
	{ "antifrag", bench_antifrag },
	{ "slab", bench_slab },
	{ "slab-mt", bench_slab_mt },
	{ "slab-mem", bench_slab_mem },
	{ "programs", bench_programs },
	{ "startup", bench_startup },
	{ "mmu", bench_mmu },
	{ "vmalloc", bench_vmalloc },
	{ "kmap", bench_kmap },
	{ "vm", bench_vm },
	{ "replay", bench_replay },
	{ "exec", bench_exec },
	{ "file", bench_file },
};

#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static void host_info(void)
{
	char line[256];
	double load[3];
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10)) {
			printf("host: %s", strchr(line, ':') + 2);
			break;
		}
	if (f)
		fclose(f);
	/* Other load on the host shows in the spread, most of all with threads. */
	f = fopen("/proc/loadavg", "r");
	if (f && fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) == 3)
		printf("host load average: %.2f %.2f %.2f\n", load[0], load[1], load[2]);
	if (f)
		fclose(f);
	printf("kmm release build; medians of %d samples, p10 and p90 show the spread\n",
	       bench_quick ? 5 : SAMPLES);
}

int main(int argc, char **argv)
{
	bool want[NGROUPS] = { false }, any = false;

	if (argc == 6 && !strcmp(argv[1], "--worker"))
		return peer_worker_main(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5]);

	for (int i = 1; i < argc; i++) {
		size_t g;

		if (!strcmp(argv[i], "--quick")) {
			bench_quick = true;
			continue;
		}
		if (!strcmp(argv[i], "--csv") && i + 1 < argc) {
			bench_csv = fopen(argv[++i], "w");
			if (!bench_csv) {
				perror(argv[i]);
				return 2;
			}
			fprintf(bench_csv, "group,name,median,p10,p90,unit,note\n");
			continue;
		}
		for (g = 0; g < NGROUPS; g++)
			if (!strcmp(argv[i], groups[g].name))
				break;
		if (g == NGROUPS) {
			fprintf(stderr, "kmm_bench: unknown group '%s' (page, boot, antifrag, "
				"slab, slab-mt, slab-mem, programs, startup, mmu, vmalloc, kmap, vm, replay, file)\n", argv[i]);
			return 2;
		}
		want[g] = any = true;
	}
	host_info();
	for (size_t g = 0; g < NGROUPS; g++)
		if (!any || want[g])
			groups[g].run();
	if (bench_csv)
		fclose(bench_csv);
	return 0;
}
