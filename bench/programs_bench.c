/*
 * programs_bench.c - real programs with glibc's malloc and with
 * libkmm-malloc.so (LD_PRELOAD): wall time and peak RSS, runs alternating
 * (glibc, kmm, glibc, kmm...) so that both see the same machine.
 *
 *   python3  tests/malloc/workload.py: dicts, strings, JSON, threads, a
 *            subprocess and a fork, allocating heavily
 *   sort     a few MB of generated lines, and the same with --parallel
 *
 * The outputs are not compared here (tests/malloc does that); a run that
 * fails is reported.  Peak RSS is the child's ru_maxrss (wait4), which for
 * kmm includes the machine's memory map and the pages it touched.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void program(const char *name, char *const argv[], const char *lib)
{
	enum { MAX_RUNS = 9 };
	int runs = bench_quick ? 1 : 7;
	double wall[2][MAX_RUNS], rss[2][MAX_RUNS];
	char row[96], note[160];

	for (int i = 0; i < runs; i++)
		for (int k = 0; k < 2; k++) {
			struct bench_run r;

			if (!bench_run_program(argv, NULL, k ? lib : NULL, false, &r)) {
				snprintf(row, sizeof(row), "%s (%s)", name, k ? "kmm" : "glibc");
				bench_row_failed("programs", row, "the program failed");
				return;
			}
			wall[k][i] = r.wall_ms;
			rss[k][i] = r.maxrss_mb;
		}
	for (int k = 0; k < 2; k++) {
		qsort(wall[k], runs, sizeof(double), cmp_double);
		qsort(rss[k], runs, sizeof(double), cmp_double);
	}
	snprintf(row, sizeof(row), "%s: glibc malloc", name);
	snprintf(note, sizeof(note), "peak RSS %.1f MiB", rss[0][runs / 2]);
	bench_row_value("programs", row, wall[0][runs / 2], "ms", note);
	snprintf(row, sizeof(row), "%s: libkmm-malloc.so", name);
	snprintf(note, sizeof(note), "peak RSS %.1f MiB; time kmm/glibc = %.2f, RSS kmm/glibc = %.2f",
		 rss[1][runs / 2], wall[1][runs / 2] / wall[0][runs / 2],
		 rss[1][runs / 2] / rss[0][runs / 2]);
	bench_row_value("programs", row, wall[1][runs / 2], "ms", note);
}

void bench_programs(void)
{
	char lib[4200], input[] = "/tmp/kmm-bench-sort-XXXXXX";
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;
	FILE *f;
	int fd;

	/* The library sits next to the benchmark's build directory: build/libkmm-malloc.so. */
	if (n <= 0)
		return;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(lib, sizeof(lib), "%s/../libkmm-malloc.so", exe);
	if (stat(lib, &st)) {
		bench_row_failed("programs", "real programs", "build/libkmm-malloc.so not built");
		return;
	}
	printf("\n== real programs: glibc's malloc against libkmm-malloc.so (median of %d runs) ==\n",
	       bench_quick ? 1 : 7);

	fd = mkstemp(input);
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	/* 150000 lines of pseudo-random keys (a fixed LCG), about 6 MB. */
	for (unsigned long i = 0, x = 7; i < 150000; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		fprintf(f, "%08lx %lu the quick brown fox jumps over the lazy dog %lu\n", x >> 32, i,
			i % 31);
	}
	fclose(f);

	{
		char *python[] = { "python3", KMM_SOURCE_DIR "/tests/malloc/workload.py",
				   bench_quick ? "20000" : "150000", NULL };
		char *sort1[] = { "sort", "-T", "/tmp", input, NULL };
		char *sort2[] = { "sort", "-T", "/tmp", "-S", "64M", "--parallel=2", "-k2,2n", input,
				  NULL };

		program("python3 workload.py", python, lib);
		program("sort 6 MB", sort1, lib);
		program("sort 6 MB --parallel=2 -k2,2n", sort2, lib);
	}
	unlink(input);
}
