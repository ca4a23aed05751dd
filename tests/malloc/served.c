/*
 * served.c - proof that libkmm-malloc.so served the program.
 *
 * compare.sh preloads this library after libkmm-malloc.so for the run
 * under kmm.  At exit (its destructor runs before the kmm library's, which
 * dumps and stays in charge until then) it calls the process's malloc
 * family, which resolves to whatever the program's calls resolved to, and
 * checks that every block lies in kmm's simulated RAM: the mapping of the
 * memfd "kmm-ram" in /proc/self/maps (a forked child's copy carries the
 * same name).  A block elsewhere means the C library (or anything else)
 * served the program: the process then exits with status 97 and says so
 * on standard error, so the comparison fails.
 *
 * Sizes: a small and a medium object (kmalloc), a 100 KB block and a
 * 4096-aligned one (page blocks), a calloc and a realloc that moves.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SERVED_FAILED	97

static struct {
	uintptr_t start, end;
} ram[4096];
static int nr_ram;

/* The ranges of /proc/self/maps whose path names the kmm-ram memfd. */
static void find_ram(void)
{
	static char buf[1 << 20];
	ssize_t n, len = 0;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while (len < (ssize_t)sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	for (char *line = buf; *line && nr_ram < (int)(sizeof(ram) / sizeof(ram[0]));) {
		char *eol = strchr(line, '\n');

		if (eol)
			*eol = 0;
		if (strstr(line, "kmm-ram")) {
			unsigned long s, e;

			if (sscanf(line, "%lx-%lx", &s, &e) == 2) {
				ram[nr_ram].start = s;
				ram[nr_ram++].end = e;
			}
		}
		if (!eol)
			break;
		line = eol + 1;
	}
}

static int in_ram(const void *p)
{
	for (int i = 0; i < nr_ram; i++)
		if ((uintptr_t)p >= ram[i].start && (uintptr_t)p < ram[i].end)
			return 1;
	return 0;
}

static int failures;

static void check(const char *what, void *p)
{
	if (!p || !in_ram(p)) {
		dprintf(2, "served.c: pid %d: %s returned %p, outside kmm's RAM (%d ranges): "
			"libkmm-malloc.so did not serve it\n", (int)getpid(), what, p, nr_ram);
		failures++;
	}
}

__attribute__((destructor)) static void served_check(void)
{
	void *(*volatile do_malloc)(size_t) = malloc;
	void *small, *medium, *big, *aligned = NULL, *zeroed, *moved;

	find_ram();
	small = do_malloc(24);
	check("malloc(24)", small);
	medium = do_malloc(3000);
	check("malloc(3000)", medium);
	big = do_malloc(100000);
	check("malloc(100000)", big);
	if (posix_memalign(&aligned, 4096, 8192))
		aligned = NULL;
	check("posix_memalign(4096, 8192)", aligned);
	zeroed = calloc(10, 100);
	check("calloc(10, 100)", zeroed);
	moved = realloc(small, 40000);
	check("realloc(p, 40000)", moved);
	free(moved);
	free(medium);
	free(big);
	free(aligned);
	free(zeroed);
	if (failures)
		_exit(SERVED_FAILED);
}
