/*
 * grow.c - a program that needs more memory than the library's machine
 * boots with (run with KMM_MALLOC_BOOT="ram=64M": the machine must grow).
 *
 *   grow MB             fill MB of blocks of three kinds in turn: 2000
 *                       bytes (kmalloc), 100 KB (page blocks) and 9 MiB
 *                       (beyond the largest buddy block); check every
 *                       block's pattern; fork, and the child checks them
 *                       again, frees half and allocates that much anew;
 *                       realloc a big block up and down; free everything.
 *                       The output is the same under any malloc.
 *   grow MB until-fail  allocate 1 MiB blocks until malloc fails (ENOMEM)
 *                       or MB are held; print how many MiB it got.
 *   grow MB stepwise    grow a 5 MiB block to MB MiB by 64 KiB reallocs,
 *                       its contents checked at the end; print how many
 *                       times it moved (under the library: a few, since a
 *                       big block moves with room to spare).
 *   grow MB release     touch a block of MB MiB, free it: print whether the
 *                       process's RSS fell by at least three quarters of it
 *                       (glibc unmaps it; the library punches its pages out
 *                       of RAM's memfd).
 *   grow MB untouched   malloc MB MiB (the library's machine grows to hold
 *                       it), write its first and last pages only: print the
 *                       process's peak RSS in MiB (the struct pages of
 *                       what it never touched are never written).
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const size_t kinds[] = { 2000, 100000, 9 << 20 };

struct block {
	unsigned char *p;
	size_t size;
};

/* A pattern at each end and every 4 KiB, so that the check reads every page. */
static void fill(struct block *b, unsigned char seed)
{
	for (size_t i = 0; i < b->size; i += 4096)
		b->p[i] = (unsigned char)(seed + i / 4096);
	b->p[b->size - 1] = seed;
}

static int check(const struct block *b, unsigned char seed)
{
	for (size_t i = 0; i < b->size; i += 4096)
		if (b->p[i] != (unsigned char)(seed + i / 4096))
			return -1;
	return b->p[b->size - 1] == seed ? 0 : -1;
}

static int until_fail(size_t limit_mb)
{
	size_t got = 0;

	while (got < limit_mb) {
		char *p = malloc(1 << 20);

		if (!p) {
			printf("malloc failed after %zu MiB (%s)\n", got, strerror(errno));
			return 0;
		}
		memset(p, 1, 1 << 20);
		got++;
	}
	printf("got %zu MiB\n", got);
	return 0;
}

/* The process's resident pages, from /proc/self/statm. */
static long resident_pages(void)
{
	long size = 0, rss = -1;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &size, &rss) != 2)
			rss = -1;
		fclose(f);
	}
	return rss;
}

static int release(size_t mb)
{
	long page = sysconf(_SC_PAGESIZE), before, after;
	unsigned char *p = malloc(mb << 20);

	if (!p)
		return 1;
	/* Through a volatile pointer: a block freed unread is a dead store to a compiler. */
	for (size_t i = 0; i < mb << 20; i += 4096)
		((volatile unsigned char *)p)[i] = 1;
	before = resident_pages();
	free(p);
	after = resident_pages();
	printf("release: %zu MiB %s\n", mb,
	       before - after >= (long)((mb << 20) / page) * 3 / 4 ? "given back" : "kept");
	return 0;
}

static int stepwise(size_t limit_mb)
{
	struct block b = { malloc(5 << 20), 5 << 20 };
	int moves = 0;

	if (!b.p)
		return 1;
	fill(&b, 9);
	while (b.size < limit_mb << 20) {
		unsigned char *q = realloc(b.p, b.size + (64 << 10));

		if (!q)
			return 1;
		moves += q != b.p;
		b.p = q;
		b.size += 64 << 10;
		b.p[b.size - 1] = 9;
	}
	b.size = 5 << 20;
	printf("stepwise: %zu MiB, %d moves, %s\n", limit_mb, moves, check(&b, 9) ? "bad" : "kept");
	free(b.p);
	return 0;
}

static int untouched(size_t mb)
{
	char *p = malloc(mb << 20);
	struct rusage ru;

	if (!p) {
		printf("untouched: malloc(%zu MiB) failed\n", mb);
		return 1;
	}
	p[0] = 1;
	p[(mb << 20) - 1] = 1;
	getrusage(RUSAGE_SELF, &ru);
	printf("untouched: %zu MiB, peak RSS %ld MiB\n", mb, ru.ru_maxrss >> 10);
	free(p);
	return 0;
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 300, total = 0, n = 0, cap = 1024;
	struct block *b = malloc(cap * sizeof(*b));
	int status, bad = 0;
	pid_t pid;

	if (argc > 2 && !strcmp(argv[2], "until-fail"))
		return until_fail(mb);
	if (argc > 2 && !strcmp(argv[2], "stepwise"))
		return stepwise(mb);
	if (argc > 2 && !strcmp(argv[2], "release"))
		return release(mb);
	if (argc > 2 && !strcmp(argv[2], "untouched"))
		return untouched(mb);
	while (b && total < mb << 20) {
		if (n == cap)
			b = realloc(b, (cap *= 2) * sizeof(*b));
		b[n].size = kinds[n % 3];
		b[n].p = malloc(b[n].size);
		if (!b[n].p) {
			printf("malloc(%zu) failed after %zu MiB\n", b[n].size, total >> 20);
			return 1;
		}
		fill(&b[n], (unsigned char)n);
		total += b[n].size;
		n++;
	}
	for (size_t i = 0; i < n; i++)
		bad += check(&b[i], (unsigned char)i) != 0;
	printf("%zu blocks, %zu MiB, %d bad\n", n, total >> 20, bad);
	fflush(stdout);

	pid = fork();
	if (pid == 0) {
		/* The child has its own copy of everything the parent grew. */
		bad = 0;
		for (size_t i = 0; i < n; i++)
			bad += check(&b[i], (unsigned char)i) != 0;
		for (size_t i = 0; i < n; i += 2) {
			free(b[i].p);
			b[i].p = malloc(b[i].size);
			if (!b[i].p)
				_exit(2);
			fill(&b[i], (unsigned char)(i + 7));
		}
		for (size_t i = 0; i < n; i++)
			bad += check(&b[i], (unsigned char)(i % 2 ? i : i + 7)) != 0;
		printf("child: %d bad\n", bad);
		fflush(stdout);
		_exit(bad ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		printf("the child failed\n");
		return 1;
	}

	/* A big block grows and shrinks: its contents stay, its usable size follows. */
	b[2].p = realloc(b[2].p, 20 << 20);
	bad = !b[2].p || check(&(struct block){ b[2].p, 9 << 20 }, 2) || malloc_usable_size(b[2].p) < 20 << 20;
	b[2].p = realloc(b[2].p, 5 << 20);
	bad += !b[2].p || b[2].p[4096] != 3 || malloc_usable_size(b[2].p) < 5 << 20;
	b[2].size = 5 << 20;
	b[2].p[b[2].size - 1] = 2;
	for (size_t i = 0; i < n; i++)
		free(b[i].p);
	free(b);
	printf("realloc: %d bad; parent done\n", bad);
	return bad != 0;
}
