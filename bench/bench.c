/*
 * bench.c - the measuring and reporting of bench.h.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Operations per sample so that a sample takes about @target_ns. */
static long calibrate(bench_fn fn, void *arg, double target_ns)
{
	long n = 16;

	for (;;) {
		double t0 = bench_now_ns();

		fn(arg, n);
		double dt = bench_now_ns() - t0;

		if (dt >= target_ns / 4 || n >= (1L << 30))
			return dt > 0 ? (long)(n * target_ns / dt) + 1 : n;
		n *= 4;
	}
}

static int samples(void)
{
	return bench_quick ? 5 : SAMPLES;
}

static double target(void)
{
	return bench_quick ? 2e5 : 2e6;
}

struct bench_stat bench_measure(bench_fn fn, void *arg)
{
	int ns = samples();
	double v[SAMPLES];
	long n = calibrate(fn, arg, target());

	fn(arg, n);		/* warm-up */
	for (int i = 0; i < ns; i++) {
		double t0 = bench_now_ns();

		fn(arg, n);
		v[i] = (bench_now_ns() - t0) / n;
	}
	return summarize(v, ns);
}

void bench_compare(bench_fn a, void *arg_a, struct bench_stat *sa, bench_fn b, void *arg_b,
		   struct bench_stat *sb)
{
	int ns = samples();
	double va[SAMPLES], vb[SAMPLES];
	long na = calibrate(a, arg_a, target()), nb = calibrate(b, arg_b, target());

	a(arg_a, na);
	b(arg_b, nb);
	for (int i = 0; i < ns; i++) {
		double t0 = bench_now_ns();

		a(arg_a, na);
		va[i] = (bench_now_ns() - t0) / na;
		t0 = bench_now_ns();
		b(arg_b, nb);
		vb[i] = (bench_now_ns() - t0) / nb;
	}
	*sa = summarize(va, ns);
	*sb = summarize(vb, ns);
}

void bench_header(const char *title)
{
	printf("\n== %s ==\n", title);
	printf("%-44s %12s %12s %12s  %s\n", "benchmark", "median", "p10", "p90", "");
}

void bench_row(const char *group, const char *name, const struct bench_stat *s,
	       const char *unit, const char *note)
{
	printf("%-44s %9.1f %-2s %9.1f %-2s %9.1f %-2s %s\n", name, s->median, unit, s->p10, unit,
	       s->p90, unit, note ? note : "");
	if (bench_csv)
		fprintf(bench_csv, "%s,%s,%.2f,%.2f,%.2f,%s,\"%s\"\n", group, name, s->median, s->p10,
			s->p90, unit, note ? note : "");
	fflush(stdout);
}

void bench_row_value(const char *group, const char *name, double value, const char *unit,
		     const char *note)
{
	printf("%-44s %9.1f %-2s %29s %s\n", name, value, unit, "", note ? note : "");
	if (bench_csv)
		fprintf(bench_csv, "%s,%s,%.2f,,,%s,\"%s\"\n", group, name, value, unit,
			note ? note : "");
	fflush(stdout);
}
