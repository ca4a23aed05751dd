/*
 * replay_bench.c - the strace replay's speed on a log of 1,000,000 lines
 * that the benchmark writes itself (issue 10's goal: at least a million
 * memory system calls a second).
 *
 * The log is what `strace -f -tt` writes for a program of four threads
 * that maps, unmaps, protects and advises anonymous memory and moves its
 * break: pid prefixes and timestamps on every line, one call in twenty
 * cut into "<unfinished ...>" and "<... resumed>" halves, one line in ten
 * a call the replay ignores (read, write, futex).  Each thread keeps up to
 * 256 mappings alive; the addresses are those a top-down allocator gives,
 * never reused, so every placement is free in kmm too.  A fixed seed:
 * every run replays the same log.
 *
 * Rows: the parser alone (strace_reader_feed over the log in memory), and
 * the whole replay (`R = replay LOG` in a script on a booted machine, the
 * boot's time taken out by timing a script that only boots), each in
 * lines per second and memory calls per second; median of 3 runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kmm/kmm.h>
#include "bench/bench.h"
#include "tools/kmm/script.h"
#include "tools/kmm/strace_parse.h"

#define LINES		1000000
#define THREADS		4
#define LIVE		256

struct gen_thread {
	int pid;
	unsigned long addr[LIVE], len[LIVE];
	int n;
};

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned long next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned long)rng;
}

/* Write the log to @path; the number of memory calls in it. */
static long write_log(const char *path)
{
	FILE *f = fopen(path, "w");
	struct gen_thread t[THREADS];
	unsigned long top = 0x7f0000000000UL, brk = 0x555555559000UL;
	long mem = 0, line = 0;
	int sec = 0, usec = 0;

	if (!f)
		return -1;
	fprintf(f, "1000  12:00:00.000000 execve(\"/usr/bin/bench\", [\"bench\"], 0x7ffc00000000 /* 3 vars */) = 0\n");
	fprintf(f, "1000  12:00:00.000001 brk(NULL)                = 0x%lx\n", brk);
	line = 2;
	memset(t, 0, sizeof(t));
	for (int i = 0; i < THREADS; i++) {
		t[i].pid = 1000 + i;
		if (i)
			fprintf(f, "1000  12:00:00.000002 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|"
				"CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|"
				"CLONE_CHILD_CLEARTID, child_tid=0x7f0000001990, parent_tid=0x7f0000001990, "
				"exit_signal=0, stack=0x7f0000000000, stack_size=0x7fff80, tls=0x7f00000016c0}"
				" => {parent_tid=[%d]}, 88) = %d\n", 1000 + i, 1000 + i);
		line += i > 0;
	}
	while (line < LINES) {
		struct gen_thread *g = &t[next_rand() % THREADS];
		unsigned long r = next_rand();
		char ts[32], call[256];
		int k = g->n ? (int)((r >> 8) % (unsigned long)g->n) : 0;

		usec += 3;
		if (usec >= 1000000) {
			usec -= 1000000;
			sec++;
		}
		snprintf(ts, sizeof(ts), "12:%02d:%02d.%06d", sec / 60 % 60, sec % 60, usec);
		if (r % 10 == 0) {
			fprintf(f, "%d  %s read(3, \"abcdefgh\"..., 4096) = 4096\n", g->pid, ts);
			line++;
			continue;
		}
		mem++;
		switch (g->n < LIVE / 2 ? 0 : (r >> 4) % 6) {
		case 0:
		case 1: {	/* a new mapping, placed by the kernel */
			unsigned long len = ((r >> 20) % 64 + 1) * 4096;

			if (g->n == LIVE) {
				g->n--;
				snprintf(call, sizeof(call), "munmap(0x%lx, %lu) = 0", g->addr[0], g->len[0]);
				memmove(g->addr, g->addr + 1, g->n * sizeof(g->addr[0]));
				memmove(g->len, g->len + 1, g->n * sizeof(g->len[0]));
				break;
			}
			top -= len + 4096;
			g->addr[g->n] = top;
			g->len[g->n++] = len;
			snprintf(call, sizeof(call), "mmap(NULL, %lu, PROT_READ|PROT_WRITE, "
				 "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x%lx", len, top);
			break;
		}
		case 2:		/* unmap one */
			snprintf(call, sizeof(call), "munmap(0x%lx, %lu) = 0", g->addr[k], g->len[k]);
			g->addr[k] = g->addr[--g->n];
			g->len[k] = g->len[g->n];
			break;
		case 3:
			snprintf(call, sizeof(call), "mprotect(0x%lx, 4096, PROT_READ) = 0", g->addr[k]);
			break;
		case 4:
			snprintf(call, sizeof(call), "madvise(0x%lx, %lu, MADV_DONTNEED) = 0",
				 g->addr[k], g->len[k]);
			break;
		default:
			brk += (r & 0x100000) ? 4096 * 33 : 0;
			snprintf(call, sizeof(call), "brk(0x%lx) = 0x%lx", brk, brk);
			break;
		}
		if (r % 20 == 1 && line + 2 < LINES) {
			char *paren = strrchr(call, ')');

			fprintf(f, "%d  %s %.*s <unfinished ...>\n", g->pid, ts, (int)(paren - call), call);
			fprintf(f, "%d  %s <... %.*s resumed>%s\n", g->pid, ts,
				(int)(strchr(call, '(') - call), call, paren);
			line += 2;
			continue;
		}
		fprintf(f, "%d  %s %s\n", g->pid, ts, call);
		line++;
	}
	fclose(f);
	return mem;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The parser alone over the log in memory: ns for all its lines. */
static double parse_all(const char *text, size_t len)
{
	struct strace_reader r = { 0 };
	double t0 = bench_now_ns();
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text - pos) : len - pos;
		struct strace_call c;
		const char *why;

		strace_reader_feed(&r, text + pos, n, &c, &why);
		pos += n + 1;
	}
	t0 = bench_now_ns() - t0;
	strace_reader_free(&r);
	return t0;
}

/* A script's run time (ns), its output thrown away; < 0 if it failed. */
static double run_script(const char *text)
{
	struct script s;
	char err[512];
	FILE *null = fopen("/dev/null", "w");
	double t0;
	int status = -1;

	t0 = bench_now_ns();
	if (!script_parse(text, strlen(text), "bench", &s, err, sizeof(err)))
		status = script_run(&s, null);
	t0 = bench_now_ns() - t0;
	script_free(&s);
	fclose(null);
	return status ? -1 : t0;
}

void bench_replay(void)
{
	char path[] = "/tmp/kmm-replay-bench-XXXXXX";
	char script[256], note[160];
	double parse[3], whole[3];
	int runs = bench_quick ? 1 : 3, fd = mkstemp(path);
	long mem;
	FILE *f;
	char *text;
	size_t len;

	bench_header("replay: a 1,000,000-line strace -f -tt log of four threads");
	if (fd < 0) {
		bench_row_failed("replay", "write the log", "mkstemp failed");
		return;
	}
	close(fd);
	mem = write_log(path);
	f = fopen(path, "r");
	text = f ? malloc(64 << 20) : NULL;
	len = text ? fread(text, 1, 64 << 20, f) : 0;
	if (f)
		fclose(f);
	snprintf(script, sizeof(script), "boot ram=1G cpus=1\nr = replay %s\nexpect $r.refused == 0\n"
		 "expect $r.differ == 0\n", path);
	for (int i = 0; i < runs; i++) {
		double boot = run_script("boot ram=1G cpus=1\n");

		parse[i] = text ? parse_all(text, len) : -1;
		whole[i] = run_script(script);
		if (whole[i] < 0 || boot < 0) {
			bench_row_failed("replay", "replay 1M lines", "the replay failed or differed");
			goto out;
		}
		whole[i] -= boot;
	}
	qsort(parse, runs, sizeof(double), cmp_double);
	qsort(whole, runs, sizeof(double), cmp_double);
	snprintf(note, sizeof(note), "%.2f M memory calls/s (%ld of the lines); median of %d",
		 mem / parse[runs / 2] * 1e3, mem, runs);
	bench_row_value("replay", "parse: lines per second", LINES / parse[runs / 2] * 1e9,
			"lines/s", note);
	snprintf(note, sizeof(note), "%.2f M memory calls/s (goal >= 1 M); median of %d",
		 mem / whole[runs / 2] * 1e3, runs);
	bench_row_value("replay", "replay: lines per second", LINES / whole[runs / 2] * 1e9,
			"lines/s", note);
out:
	free(text);
	unlink(path);
}
