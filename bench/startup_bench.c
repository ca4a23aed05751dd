/*
 * startup_bench.c - what a short-lived program pays for the machine that
 * libkmm-malloc.so boots inside it: wall time and peak RSS of each program
 * with glibc's malloc and with the library preloaded, runs alternating
 * (glibc, kmm, glibc, kmm...), medians, and the difference, which is the
 * machine's cost (the target: under 5 ms and 2 MiB).
 *
 *   /bin/true                       nothing but the start-up
 *   cmake --version                 a C++ program's start-up
 *   python3 -c pass                 an interpreter's start-up (/usr/bin/python3)
 *   gcc -fsyntax-only page_alloc.c  a compiler on one of kmm's files
 *   cmake configure                 a small C project, configured (many processes)
 *
 * A program that is missing is reported and skipped.
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

static double median(double *v, int n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return v[n / 2];
}

static void program(const char *name, char *const argv[], const char *dir, const char *lib,
		    int runs)
{
	enum { MAX_RUNS = 41 };
	double wall[2][MAX_RUNS], rss[2][MAX_RUNS], dwall[MAX_RUNS], drss[MAX_RUNS];
	char row[96], note[192];

	for (int i = 0; i < runs; i++) {
		struct bench_run r[2];

		for (int k = 0; k < 2; k++) {
			if (!bench_run_program(argv, dir, k ? lib : NULL, true, &r[k])) {
				snprintf(row, sizeof(row), "%s (%s)", name, k ? "kmm" : "glibc");
				bench_row_failed("startup", row, "the program failed or is missing");
				return;
			}
			wall[k][i] = r[k].wall_ms;
			rss[k][i] = r[k].maxrss_mb;
		}
		dwall[i] = r[1].wall_ms - r[0].wall_ms;
		drss[i] = r[1].maxrss_mb - r[0].maxrss_mb;
	}
	snprintf(row, sizeof(row), "%s: glibc malloc", name);
	snprintf(note, sizeof(note), "peak RSS %.1f MiB", median(rss[0], runs));
	bench_row_value("startup", row, median(wall[0], runs), "ms", note);
	snprintf(row, sizeof(row), "%s: libkmm-malloc.so", name);
	snprintf(note, sizeof(note), "peak RSS %.1f MiB; the machine: %+.2f ms, %+.2f MiB (medians of the pairs)",
		 median(rss[1], runs), median(dwall, runs), median(drss, runs));
	bench_row_value("startup", row, median(wall[1], runs), "ms", note);
}

/* A small C project for cmake to configure, in a new directory @dir. */
bool bench_make_cmake_project(const char *dir)
{
	char path[4200];
	FILE *f;

	if (mkdir(dir, 0700))
		return false;
	snprintf(path, sizeof(path), "%s/CMakeLists.txt", dir);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "cmake_minimum_required(VERSION 3.10)\nproject(hello C)\n"
		   "add_executable(hello hello.c)\n");
	fclose(f);
	snprintf(path, sizeof(path), "%s/hello.c", dir);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n");
	fclose(f);
	return true;
}

void bench_startup(void)
{
	char lib[4200], exe[4096], dir[64], script[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int runs = bench_quick ? 1 : 21;
	struct stat st;

	if (n <= 0)
		return;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(lib, sizeof(lib), "%s/../libkmm-malloc.so", exe);
	if (stat(lib, &st)) {
		bench_row_failed("startup", "short-lived programs", "build/libkmm-malloc.so not built");
		return;
	}
	printf("\n== start-up: short-lived programs, glibc's malloc against libkmm-malloc.so"
	       " (ram=1G cpus=512 maxcpus=2); medians of %d runs alternating ==\n", runs);
	{
		char *true_[] = { "/bin/true", NULL };
		char *cmake_version[] = { "cmake", "--version", NULL };
		/* The interpreter itself: a python3 on PATH may be a shim (pyenv) of many processes. */
		char *python[] = { access("/usr/bin/python3", X_OK) ? "python3" : "/usr/bin/python3",
				   "-c", "pass", NULL };
		char *gcc[] = { "gcc", "-fsyntax-only", "-I" KMM_SOURCE_DIR "/include",
				"-I" KMM_SOURCE_DIR, KMM_SOURCE_DIR "/mm/page_alloc.c", NULL };

		program("/bin/true", true_, NULL, lib, runs);
		program("cmake --version", cmake_version, NULL, lib, runs);
		program("python3 -c pass", python, NULL, lib, runs);
		program("gcc -fsyntax-only mm/page_alloc.c", gcc, NULL, lib, runs);
	}
	snprintf(dir, sizeof(dir), "/tmp/kmm-bench-cmake-%d", (int)getpid());
	if (bench_make_cmake_project(dir)) {
		/* Configure from scratch each time: the build directory is removed first. */
		char *configure[] = { "sh", "-c", script, NULL };

		snprintf(script, sizeof(script), "rm -rf build && cmake -S . -B build");
		program("cmake configure (small C project)", configure, dir, lib,
			bench_quick ? 1 : 7);
		snprintf(script, sizeof(script), "rm -rf '%s'", dir);
		if (system(script))
			fprintf(stderr, "kmm_bench: could not remove %s\n", dir);
	}
}
