/*
 * programs_bench.c - real programs under each allocator: glibc's malloc,
 * libkmm-malloc.so, mimalloc, jemalloc and tcmalloc (the last four through
 * LD_PRELOAD); wall time and peak RSS, runs alternating (glibc, kmm,
 * mimalloc, jemalloc, tcmalloc, glibc, kmm, ...) so that all see the same
 * machine.  Issue 11's goal: kmm within 1.1x glibc's time and 1.2x its
 * peak RSS on every program.
 *
 *   python3 workload.py      tests/malloc/workload.py: dicts, strings, JSON,
 *                            threads, a subprocess and a fork
 *   python3 heap.py          bench/programs/heap.py: about 450 MB held
 *   perl heap.pl             bench/programs/heap.pl: about 300 MB held
 *   gcc -O2 -g -c            six of this project's files, one gcc driver
 *   git log -p, blame, gc    on a clone of this repository
 *   sqlite3                  a million rows inserted, indexed, sorted, grouped
 *   sort                     6 MB (also --parallel=2), and 100 MB
 *   threads 8, 128, 600      bench/programs/xthreads.c: malloc, realloc,
 *                            free of 8 B-256 KiB, cross-thread frees
 *   cmake configure          a small C project from scratch (many processes)
 *
 * The outputs are not compared here (tests/malloc does that); a run that
 * fails (or a peer's library that is missing) is reported.  Peak RSS is
 * the child's ru_maxrss from wait4(), which covers its waited-for
 * descendants too (gcc's cc1, git's pack-objects); for kmm it includes the
 * machine's memory map and the pages it touched.  Every run is bounded by
 * timeout(1): a program that hangs under one allocator is reported, not
 * waited for.
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

#define NR_ALLOCS	5
#define MAX_RUNS	7
#define MAX_PROGS	16
#define TIMEOUT		"600"		/* seconds, per run */

struct allocator {
	const char *name;
	char preload[4200];		/* "": glibc, nothing preloaded */
	bool missing;
};

static struct allocator allocs[NR_ALLOCS] = {
	{ "glibc" }, { "kmm" }, { "mimalloc" }, { "jemalloc" }, { "tcmalloc" },
};

/* Medians per program and allocator, for the summary table at the end. */
static struct {
	char name[64];
	double wall[NR_ALLOCS], rss[NR_ALLOCS];	/* < 0: failed */
} table[MAX_PROGS];
static int nr_progs;

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

/* A peer's library, by its soname, in the usual directories: "" if absent. */
static void find_lib(const char *soname, char *path, size_t size)
{
	static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
					    "/usr/local/lib" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, size, "%s/%s", dirs[i], soname);
		if (!access(path, R_OK))
			return;
	}
	path[0] = '\0';
}

/*
 * Run @argv (in @dir) under every allocator, @runs rounds, each round
 * going through the allocators in turn; rows for each allocator's median
 * time and RSS, with its ratios to glibc's.
 */
static void program(const char *name, char *const argv[], const char *dir, int runs)
{
	double wall[NR_ALLOCS][MAX_RUNS], rss[NR_ALLOCS][MAX_RUNS];
	bool failed[NR_ALLOCS] = { false };
	char *targv[64] = { "timeout", "-s", "KILL", TIMEOUT };
	char row[128], note[200];
	int t = nr_progs < MAX_PROGS ? nr_progs++ : MAX_PROGS - 1;
	int argc = 4;

	for (int i = 0; argv[i] && argc < 63; i++)
		targv[argc++] = argv[i];
	targv[argc] = NULL;
	snprintf(table[t].name, sizeof(table[t].name), "%s", name);
	for (int i = 0; i < runs; i++)
		for (int k = 0; k < NR_ALLOCS; k++) {
			struct bench_run r;

			if (allocs[k].missing || failed[k])
				continue;
			if (!bench_run_program(targv, dir, allocs[k].preload[0] ? allocs[k].preload : NULL,
					       true, &r)) {
				failed[k] = true;
				continue;
			}
			wall[k][i] = r.wall_ms;
			rss[k][i] = r.maxrss_mb;
		}
	for (int k = 0; k < NR_ALLOCS; k++) {
		table[t].wall[k] = table[t].rss[k] = -1;
		snprintf(row, sizeof(row), "%s: %s", name, allocs[k].name);
		if (allocs[k].missing) {
			bench_row_failed("programs", row, "the library is not installed");
			continue;
		}
		if (failed[k]) {
			bench_row_failed("programs", row, "the program failed or ran past " TIMEOUT " s");
			continue;
		}
		table[t].wall[k] = median(wall[k], runs);
		table[t].rss[k] = median(rss[k], runs);
		if (k == 0 || table[t].wall[0] < 0)
			snprintf(note, sizeof(note), "peak RSS %.1f MiB", table[t].rss[k]);
		else
			snprintf(note, sizeof(note), "peak RSS %.1f MiB; time / glibc = %.2f, RSS / glibc = %.2f",
				 table[t].rss[k], table[t].wall[k] / table[t].wall[0],
				 table[t].rss[k] / table[t].rss[0]);
		bench_row_value("programs", row, table[t].wall[k], "ms", note);
	}
}

/* The summary: each allocator's time and RSS over glibc's, per program. */
static void summary(void)
{
	printf("\n   time / glibc's (peak RSS / glibc's)\n%-34s", "");
	for (int k = 1; k < NR_ALLOCS; k++)
		printf(" %15s", allocs[k].name);
	printf("\n");
	for (int t = 0; t < nr_progs; t++) {
		printf("%-34s", table[t].name);
		for (int k = 1; k < NR_ALLOCS; k++) {
			if (table[t].wall[k] < 0 || table[t].wall[0] <= 0)
				printf(" %15s", "-");
			else
				printf("     %4.2f (%4.2f)", table[t].wall[k] / table[t].wall[0],
				       table[t].rss[k] / table[t].rss[0]);
		}
		printf("\n");
	}
	fflush(stdout);
}

/* @lines pseudo-random lines (a fixed LCG) into a new file at @path (a mkstemp template). */
static bool write_lines(char *path, unsigned long lines)
{
	int fd = mkstemp(path);
	FILE *f;

	if (fd < 0)
		return false;
	f = fdopen(fd, "w");
	if (!f)
		return false;
	for (unsigned long i = 0, x = 7; i < lines; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		fprintf(f, "%08lx %lu the quick brown fox jumps over the lazy dog %lu\n", x >> 32, i,
			i % 31);
	}
	return !fclose(f);
}

static void run_shell(const char *fmt, const char *arg)
{
	char cmd[8600];

	snprintf(cmd, sizeof(cmd), fmt, arg, arg);
	if (system(cmd))
		fprintf(stderr, "kmm_bench: '%s' failed\n", cmd);
}

/* Python, perl, sqlite3: interpreters that hold a lot. */
static void interpreters(int runs)
{
	char *workload[] = { "python3", KMM_SOURCE_DIR "/tests/malloc/workload.py",
			     bench_quick ? "20000" : "150000", NULL };
	char *heap_py[] = { "python3", KMM_SOURCE_DIR "/bench/programs/heap.py",
			    bench_quick ? "20000" : "800000", NULL };
	char *heap_pl[] = { "perl", KMM_SOURCE_DIR "/bench/programs/heap.pl",
			    bench_quick ? "20000" : "1000000", NULL };
	char sql[800];
	char *sqlite[] = { "sqlite3", ":memory:", sql, NULL };

	snprintf(sql, sizeof(sql),
		 "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c INTEGER);"
		 "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d)"
		 " INSERT INTO t SELECT i, printf('%%08x-%%d', (i * 2654435761) %% 4294967296, i),"
		 " (i * 7919) %% 1000 FROM s;"
		 "CREATE INDEX tb ON t(b);"
		 "SELECT count(*), sum(length(b)) FROM t WHERE c > 500;"
		 "SELECT b FROM t ORDER BY b LIMIT 3;"
		 "SELECT c, count(*) FROM t GROUP BY c ORDER BY 2 DESC LIMIT 3;",
		 bench_quick ? 20000 : 1000000);
	program("python3 workload.py", workload, NULL, runs);
	program("python3 heap.py (~450 MB)", heap_py, NULL, runs);
	program("perl heap.pl (~300 MB)", heap_pl, NULL, runs);
	program("sqlite3, 1M rows", sqlite, NULL, runs);
}

/* gcc, git and cmake: programs of many processes, on this project's own files. */
static void developer_tools(int runs)
{
	char scratch[] = "/tmp/kmm-bench-programs-XXXXXX", repo[128], project[128];
	char *gcc[] = { "gcc", "-O2", "-g", "-c", "-I" KMM_SOURCE_DIR "/include", "-I" KMM_SOURCE_DIR,
			KMM_SOURCE_DIR "/mm/page_alloc.c", KMM_SOURCE_DIR "/mm/slab.c",
			KMM_SOURCE_DIR "/mm/memory.c", KMM_SOURCE_DIR "/mm/mmap.c",
			KMM_SOURCE_DIR "/mm/filemap.c", KMM_SOURCE_DIR "/kernel/exec.c", NULL };
	char *git_log[] = { "git", "log", "-p", NULL };
	char *git_blame[] = { "sh", "-c", "for f in mm/*.c; do git blame $f; done", NULL };
	char *git_gc[] = { "git", "gc", "-q", "--aggressive", NULL };
	char *configure[] = { "sh", "-c", "rm -rf build && cmake -S . -B build", NULL };

	if (!mkdtemp(scratch))
		return;
	program("gcc -O2 -g -c, 6 files", gcc, scratch, runs);
	snprintf(repo, sizeof(repo), "%s/repo", scratch);
	run_shell("git clone -q --no-local " KMM_SOURCE_DIR " '%s'", repo);
	if (!bench_quick) {
		program("git log -p", git_log, repo, runs);
		program("git blame mm/*.c", git_blame, repo, runs);
		program("git gc --aggressive", git_gc, repo, runs);
	}
	snprintf(project, sizeof(project), "%s/project", scratch);
	if (bench_make_cmake_project(project))
		program("cmake configure (small C project)", configure, project, runs);
	run_shell("rm -rf '%s'", scratch);
}

/* sort(1) and the threaded C program. */
static void sort_and_threads(const char *bindir, int runs)
{
	char small[] = "/tmp/kmm-bench-sort-XXXXXX", big[] = "/tmp/kmm-bench-sort-XXXXXX";
	char threads[4200];
	char *sort1[] = { "sort", "-T", "/tmp", small, NULL };
	char *sort2[] = { "sort", "-T", "/tmp", "-S", "64M", "--parallel=2", "-k2,2n", small, NULL };
	char *sort3[] = { "sort", "-T", "/tmp", big, NULL };
	char *threads8[] = { threads, "8", bench_quick ? "20000" : "2000000", NULL };
	char *threads128[] = { threads, "128", bench_quick ? "2000" : "150000", NULL };
	char *threads600[] = { threads, "600", bench_quick ? "500" : "32000", NULL };

	/* About 6 MB (150,000 lines) and 100 MB (1,650,000 lines). */
	if (write_lines(small, 150000)) {
		program("sort 6 MB", sort1, NULL, runs);
		program("sort 6 MB --parallel=2 -k2,2n", sort2, NULL, runs);
	}
	unlink(small);
	if (!bench_quick && write_lines(big, 1650000))
		program("sort 100 MB", sort3, NULL, runs);
	unlink(big);
	snprintf(threads, sizeof(threads), "%s/bench_xthreads", bindir);
	program("threads 8, cross-thread frees", threads8, NULL, runs);
	program("threads 128, cross-thread frees", threads128, NULL, runs);
	program("threads 600, cross-thread frees", threads600, NULL, runs);
}

void bench_programs(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int runs = bench_quick ? 1 : 3;
	struct stat st;

	/* The library sits next to the benchmark's build directory: build/libkmm-malloc.so. */
	if (n <= 0)
		return;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(allocs[1].preload, sizeof(allocs[1].preload), "%s/../libkmm-malloc.so", exe);
	if (stat(allocs[1].preload, &st)) {
		bench_row_failed("programs", "real programs", "build/libkmm-malloc.so not built");
		return;
	}
	find_lib("libmimalloc.so.2", allocs[2].preload, sizeof(allocs[2].preload));
	find_lib("libjemalloc.so.2", allocs[3].preload, sizeof(allocs[3].preload));
	find_lib("libtcmalloc.so.4", allocs[4].preload, sizeof(allocs[4].preload));
	for (int k = 2; k < NR_ALLOCS; k++)
		allocs[k].missing = !allocs[k].preload[0];
	printf("\n== real programs: glibc's malloc, libkmm-malloc.so, mimalloc, jemalloc, tcmalloc"
	       " (median of %d runs, alternating) ==\n", runs);
	nr_progs = 0;
	interpreters(runs);
	developer_tools(runs);
	sort_and_threads(exe, runs);
	summary();
}
