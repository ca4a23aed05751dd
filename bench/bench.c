/*
 * bench.c - the measuring and reporting of bench.h.
 *
 * Every measurement goes through bench_interleave(): subjects are
 * calibrated one by one, warmed up, then sampled in turn, so that a
 * change of machine state (frequency, another process) lands on all of
 * them alike instead of on whichever ran at the time.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <kmm/kmm.h>
#include <kmm/process.h>
#include <kmm/sched.h>
#include "bench/bench.h"

bool bench_quick;
FILE *bench_csv;

double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct bench_stat summarize(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return (struct bench_stat){ .median = v[n / 2], .p10 = v[n / 10], .p90 = v[n * 9 / 10] };
}

/* Operations per sample so that a sample takes about @target_ns; -1 if the subject failed. */
static long calibrate(struct bench_subject *s, double target_ns)
{
	long n = 16;

	for (;;) {
		double dt = s->sample(s->ctx, n);

		if (dt < 0)
			return -1;
		if (dt >= target_ns / 4 || n >= (1L << 30))
			return dt > 0 ? (long)(n * target_ns / dt) + 1 : n;
		n *= 4;
	}
}

static int samples(void)
{
	return bench_quick ? 5 : SAMPLES;
}

static const struct bench_stat failed = { -1, -1, -1 };

void bench_interleave(struct bench_subject *s, int nr, double sample_ms, bool same_n)
{
	double target = sample_ms * (bench_quick ? 1e5 : 1e6);
	double (*v)[SAMPLES] = calloc(nr, sizeof(*v));
	long most = 0;
	int ns = samples();

	for (int i = 0; i < nr; i++) {
		s[i].n = calibrate(&s[i], target);
		s[i].stat = s[i].n < 0 ? failed : (struct bench_stat){ 0 };
		if (s[i].n > most)
			most = s[i].n;
	}
	for (int i = 0; i < nr; i++) {
		if (same_n && s[i].n > 0)
			s[i].n = most;
		if (s[i].n > 0 && s[i].sample(s[i].ctx, s[i].n) < 0)	/* warm-up */
			s[i].stat = failed;
	}
	for (int r = 0; r < ns; r++)
		for (int i = 0; i < nr; i++) {
			if (s[i].stat.median < 0)
				continue;
			double dt = s[i].sample(s[i].ctx, s[i].n);

			if (dt < 0)
				s[i].stat = failed;
			v[i][r] = dt / s[i].n;
		}
	for (int i = 0; i < nr; i++)
		if (s[i].stat.median >= 0)
			s[i].stat = summarize(v[i], ns);
	free(v);
}

/* A local function as a subject: the harness times it. */
struct local {
	bench_fn fn;
	void *arg;
};

static double local_sample(void *ctx, long n)
{
	struct local *l = ctx;
	double t0 = bench_now_ns();

	l->fn(l->arg, n);
	return bench_now_ns() - t0;
}

struct bench_stat bench_measure(bench_fn fn, void *arg)
{
	struct local l = { fn, arg };
	struct bench_subject s = { local_sample, &l };

	bench_interleave(&s, 1, 2, false);
	return s.stat;
}

void bench_compare(bench_fn a, void *arg_a, struct bench_stat *sa, bench_fn b, void *arg_b,
		   struct bench_stat *sb)
{
	struct local la = { a, arg_a }, lb = { b, arg_b };
	struct bench_subject s[2] = { { local_sample, &la }, { local_sample, &lb } };

	bench_interleave(s, 2, 2, false);
	*sa = s[0].stat;
	*sb = s[1].stat;
}

void bench_header(const char *title)
{
	printf("\n== %s ==\n", title);
	printf("%-44s %12s %12s %12s  %s\n", "benchmark", "median", "p10", "p90", "");
}

static void csv_row(const char *group, const char *name, const char *median, const char *p10,
		    const char *p90, const char *unit, const char *note)
{
	if (bench_csv)
		fprintf(bench_csv, "%s,%s,%s,%s,%s,%s,\"%s\"\n", group, name, median, p10, p90,
			unit, note ? note : "");
}

void bench_row(const char *group, const char *name, const struct bench_stat *s,
	       const char *unit, const char *note)
{
	char m[32], lo[32], hi[32];

	printf("%-44s %9.1f %-2s %9.1f %-2s %9.1f %-2s %s\n", name, s->median, unit, s->p10, unit,
	       s->p90, unit, note ? note : "");
	snprintf(m, sizeof(m), "%.2f", s->median);
	snprintf(lo, sizeof(lo), "%.2f", s->p10);
	snprintf(hi, sizeof(hi), "%.2f", s->p90);
	csv_row(group, name, m, lo, hi, unit, note);
	fflush(stdout);
}

void bench_row_value(const char *group, const char *name, double value, const char *unit,
		     const char *note)
{
	char v[32];

	printf("%-44s %9.1f %-2s %29s %s\n", name, value, unit, "", note ? note : "");
	snprintf(v, sizeof(v), "%.2f", value);
	csv_row(group, name, v, "", "", unit, note);
	fflush(stdout);
}

void bench_row_ratio(const char *group, const char *name, double ratio, const char *note)
{
	char v[32];

	printf("%-44s %9.2f %-2s %29s %s\n", name, ratio, "x", "", note ? note : "");
	snprintf(v, sizeof(v), "%.3f", ratio);
	csv_row(group, name, v, "", "", "x", note);
	fflush(stdout);
}

void bench_row_failed(const char *group, const char *name, const char *why)
{
	printf("%-44s %12s %42s %s\n", name, "-", "", why);
	csv_row(group, name, "", "", "", "", why);
	fflush(stdout);
}

bool bench_run_program(char *const argv[], const char *dir, const char *preload, bool quiet_stderr,
		       struct bench_run *r)
{
	struct rusage ru;
	double t0 = bench_now_ns();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			if (quiet_stderr)
				dup2(null, STDERR_FILENO);
		}
		if (dir && chdir(dir))
			_exit(126);
		if (preload)
			setenv("LD_PRELOAD", preload, 1);
		else
			unsetenv("LD_PRELOAD");
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		return false;
	r->wall_ms = (bench_now_ns() - t0) / 1e6;
	r->maxrss_mb = ru.ru_maxrss / 1024.0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void bench_kmm_vs_host(const char *group, const char *what, const char *per,
		       struct bench_subject s[2], const char *kmm_note, const char *host_note,
		       const char *ratio_note)
{
	char name[96];

	bench_interleave(s, 2, 20, false);
	snprintf(name, sizeof(name), "kmm %s, %s", what, per);
	bench_row(group, name, &s[0].stat, "ns", kmm_note);
	snprintf(name, sizeof(name), "host %s, %s", what, per);
	bench_row(group, name, &s[1].stat, "ns", host_note);
	snprintf(name, sizeof(name), "%s: kmm / host", what);
	bench_row_ratio(group, name, s[0].stat.median / s[1].stat.median, ratio_note);
}

struct task_struct *bench_boot_process(const char *cmdline)
{
	struct task_struct *p;

	if (kmm_boot(cmdline, KMM_BOOT_DETERMINISTIC)) {
		fprintf(stderr, "kmm_bench: boot failed: %s\n", kmm_error_msg());
		exit(1);
	}
	p = process_spawn("bench");
	if (!p) {
		fprintf(stderr, "kmm_bench: no process\n");
		exit(1);
	}
	process_enter(p);
	return p;
}
