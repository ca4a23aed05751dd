/*
 * kmm_bench - the benchmarks of `make bench`.
 *
 *   kmm_bench [--quick] [--csv FILE] [GROUP...]
 *
 * Groups: page, boot, antifrag (default: all).  --quick takes few, short
 * samples (a smoke run, not a measurement).  Results go to stdout as a
 * table and, with --csv, to FILE as comma-separated rows.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"

static const struct {
	const char *name;
	void (*run)(void);
} groups[] = {
	{ "page", bench_page_alloc },
	{ "boot", bench_boot },
	{ "antifrag", bench_antifrag },
};

#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static void host_info(void)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10)) {
			printf("host: %s", strchr(line, ':') + 2);
			break;
		}
	if (f)
		fclose(f);
	printf("kmm release build; medians of %d samples, p10 and p90 show the spread\n",
	       bench_quick ? 5 : SAMPLES);
}

int main(int argc, char **argv)
{
	bool want[NGROUPS] = { false }, any = false;

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
			fprintf(stderr, "kmm_bench: unknown group '%s' (page, boot, antifrag)\n",
				argv[i]);
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
