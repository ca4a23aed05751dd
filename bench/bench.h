/*
 * bench.h - measuring: samples of a loop, their median, peers side by side.
 *
 * A benchmark is a function that runs @n operations.  bench_measure()
 * calibrates n so that one sample takes about two milliseconds, takes a
 * warm-up sample, then SAMPLES timed ones, and reports the median time
 * per operation (and the 10th and 90th percentiles, to show the spread).
 * bench_compare() does the same for two functions with their samples
 * interleaved (A B A B ...), so that both see the same machine state:
 * frequency, cache, other load.
 *
 * bench_interleave() is the general form: any number of subjects, each
 * anything that can run n operations and say how long they took - a
 * local function, or a worker process driven over a pipe (peer.h) - with
 * their samples taken in turn (A B C D E A B C D E ...).
 */
#ifndef KMM_BENCH_H
#define KMM_BENCH_H

#include <stdbool.h>
#include <stdio.h>

struct task_struct;

#define SAMPLES		31

typedef void (*bench_fn)(void *arg, long n);

struct bench_stat {
	double median, p10, p90;	/* ns per operation; median < 0: the subject failed */
};

/*
 * One subject of bench_interleave(): sample() runs @n operations and
 * returns the nanoseconds they took, or a negative number if the subject
 * failed (it is then left out of the remaining samples).
 */
struct bench_subject {
	double (*sample)(void *ctx, long n);
	void *ctx;
	long n;				/* out: operations per sample */
	struct bench_stat stat;		/* out */
};

/* @quick: fewer, shorter samples (the bounded run inside make test). */
extern bool bench_quick;

struct bench_stat bench_measure(bench_fn fn, void *arg);
void bench_compare(bench_fn a, void *arg_a, struct bench_stat *sa, bench_fn b, void *arg_b,
		   struct bench_stat *sb);
/*
 * Calibrate each subject to samples of about @sample_ms (a tenth of it
 * under --quick), warm each up, then take the samples in turn.  With
 * @same_n every subject runs the largest calibrated n in every sample, so
 * that all of them run exactly the same operations.
 */
void bench_interleave(struct bench_subject *s, int nr, double sample_ms, bool same_n);
double bench_now_ns(void);

/* Output: a table on stdout, and the same rows as CSV in @csv (if open). */
extern FILE *bench_csv;
void bench_row(const char *group, const char *name, const struct bench_stat *s,
	       const char *unit, const char *note);
void bench_row_value(const char *group, const char *name, double value, const char *unit,
		     const char *note);
/* A dimensionless ratio, two decimals (bytes held per byte live, ...). */
void bench_row_ratio(const char *group, const char *name, double ratio, const char *note);
/*
 * Two subjects, kmm's and the host's doing the same, interleaved; their
 * rows ("kmm WHAT, PER" and "host WHAT, PER", with their notes) and the
 * ratio kmm / host.
 */
void bench_kmm_vs_host(const char *group, const char *what, const char *per,
		       struct bench_subject s[2], const char *kmm_note, const char *host_note,
		       const char *ratio_note);
/* Boot @cmdline (deterministic) and act as a new process: its task.  Exits on failure. */
struct task_struct *bench_boot_process(const char *cmdline);
/* A subject that produced no figure, with the reason. */
void bench_row_failed(const char *group, const char *name, const char *why);
void bench_header(const char *title);

/* The groups. */
void bench_page_alloc(void);
void bench_boot(void);
void bench_antifrag(void);
void bench_slab(void);
void bench_slab_mt(void);
void bench_slab_mem(void);
void bench_programs(void);
void bench_startup(void);
void bench_mmu(void);
void bench_vmalloc(void);
void bench_replay(void);
void bench_file(void);
void bench_kmap(void);
void bench_vm(void);
void bench_exec(void);

/* One run of a real program: its wall time and peak RSS. */
struct bench_run {
	double wall_ms;
	double maxrss_mb;
};
/*
 * Run @argv in @dir (NULL: here), LD_PRELOADing @preload (NULL: nothing),
 * its output to /dev/null (standard error too if @quiet_stderr); false if
 * it could not run or did not exit 0.
 */
bool bench_run_program(char *const argv[], const char *dir, const char *preload, bool quiet_stderr,
		       struct bench_run *r);
/* A small C project for cmake to configure (startup_bench.c), in a new directory @dir. */
bool bench_make_cmake_project(const char *dir);

#endif /* KMM_BENCH_H */
