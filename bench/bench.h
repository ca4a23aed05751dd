/*
 * bench.h - measuring: samples of a loop, their median, peers side by side.
 *
 * A benchmark is a function that runs @n operations.  bench_measure()
 * calibrates n so that one sample takes about a millisecond, takes a
 * warm-up sample, then SAMPLES timed ones, and reports the median time
 * per operation (and the 10th and 90th percentiles, to show the spread).
 * bench_compare() does the same for two functions with their samples
 * interleaved (A B A B ...), so that both see the same machine state:
 * frequency, cache, other load.
 */
#ifndef KMM_BENCH_H
#define KMM_BENCH_H

#include <stdbool.h>
#include <stdio.h>

#define SAMPLES		31

typedef void (*bench_fn)(void *arg, long n);

struct bench_stat {
	double median, p10, p90;	/* ns per operation */
};

/* @quick: fewer, shorter samples (the bounded run inside make test). */
extern bool bench_quick;

struct bench_stat bench_measure(bench_fn fn, void *arg);
void bench_compare(bench_fn a, void *arg_a, struct bench_stat *sa, bench_fn b, void *arg_b,
		   struct bench_stat *sb);
double bench_now_ns(void);

/* Output: a table on stdout, and the same rows as CSV in @csv (if open). */
extern FILE *bench_csv;
void bench_row(const char *group, const char *name, const struct bench_stat *s,
	       const char *unit, const char *note);
void bench_row_value(const char *group, const char *name, double value, const char *unit,
		     const char *note);
void bench_header(const char *title);

/* The groups. */
void bench_page_alloc(void);
void bench_boot(void);
void bench_antifrag(void);

#endif /* KMM_BENCH_H */
