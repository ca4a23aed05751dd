/*
 * frag.c - a buffer grown by small steps while small objects pile up
 * between the steps: what perl does when `sort map {...}` pushes a few
 * hundred thousand strings onto its stack (tests/malloc/frag.sh).
 *
 *   frag FROM TO copy      grow a FROM KiB buffer to TO KiB in steps of
 *                          4104 bytes, each step a malloc of the new size,
 *                          a copy and a free of the old buffer (as a
 *                          vector that never calls realloc does)
 *   frag FROM TO realloc   the same steps by realloc (perl's av_extend);
 *                          prints how many times the buffer moved on
 *                          stderr ("moves N")
 *   frag rss COMMAND...    run COMMAND, print its peak RSS on stderr and
 *                          exit with its status (perl, in frag.sh)
 *
 * After each step, 513 objects of 24 to 72 bytes are allocated and kept
 * (perl's new strings).  The buffer's contents are checked at the end.
 * Prints the objects kept and a checksum on stdout (the same under any
 * malloc), and the process's peak RSS on stderr ("peak N kB"): frag.sh
 * compares the library's with the C library's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define STEP	4104	/* 513 pointers of 8 bytes, as perl's stack grows */
#define KEPT	513	/* small objects allocated after each step */

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Run argv[0..], print its peak RSS ("peak N kB") on stderr; its exit status. */
static int rss(char **argv)
{
	struct rusage ru;
	pid_t pid = fork();
	int st;

	if (pid < 0)
		die("fork");
	if (!pid) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) != pid)
		die("wait4");
	fprintf(stderr, "peak %ld kB\n", ru.ru_maxrss);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	size_t from, to, size, nkeep = 0, cap = 0, moves = 0;
	unsigned long sum = 0;
	unsigned char *buf;
	void **keep = NULL;
	struct rusage ru;
	int by_realloc;

	if (argc > 2 && !strcmp(argv[1], "rss"))
		return rss(argv + 2);
	if (argc != 4 || (strcmp(argv[3], "copy") && strcmp(argv[3], "realloc"))) {
		fprintf(stderr, "usage: frag FROM_KB TO_KB copy|realloc, or frag rss COMMAND...\n");
		return 2;
	}
	from = strtoul(argv[1], NULL, 10) << 10;
	to = strtoul(argv[2], NULL, 10) << 10;
	by_realloc = !strcmp(argv[3], "realloc");
	buf = malloc(from);
	if (!buf)
		die("malloc");
	for (size_t i = 0; i < from; i++)
		buf[i] = (unsigned char)(i / STEP);
	for (size = from; size + STEP <= to; size += STEP) {
		unsigned char *q;

		if (by_realloc) {
			q = realloc(buf, size + STEP);
		} else {
			q = malloc(size + STEP);
			if (q)
				memcpy(q, buf, size);
		}
		if (!q)
			die(by_realloc ? "realloc" : "malloc");
		if (!by_realloc)
			free(buf);
		moves += q != buf;
		buf = q;
		for (size_t i = size; i < size + STEP; i++)
			buf[i] = (unsigned char)(i / STEP);
		for (int i = 0; i < KEPT; i++) {
			if (nkeep == cap) {
				cap = cap ? cap * 2 : 1024;
				keep = realloc(keep, cap * sizeof(*keep));
				if (!keep)
					die("realloc");
			}
			keep[nkeep] = malloc(24 + (size_t)(i % 7) * 8);
			if (!keep[nkeep])
				die("malloc");
			memset(keep[nkeep++], i & 0xff, 24);
		}
	}
	/* Byte i of the buffer holds i / STEP (truncated): every copy kept it. */
	for (size_t i = 0; i < size; i++) {
		if (buf[i] != (unsigned char)(i / STEP)) {
			fprintf(stderr, "byte %zu of %zu is %u\n", i, size, buf[i]);
			return 1;
		}
		sum = (sum * 31 + buf[i]) % 1000003;
	}
	for (size_t i = 0; i < nkeep; i++)
		free(keep[i]);
	free(keep);
	free(buf);
	printf("%zu objects kept, %zu bytes, checksum %lu\n", nkeep, size, sum);
	if (getrusage(RUSAGE_SELF, &ru))
		die("getrusage");
	if (by_realloc)
		fprintf(stderr, "moves %zu\n", moves);
	fprintf(stderr, "peak %ld kB\n", ru.ru_maxrss);
	return 0;
}
