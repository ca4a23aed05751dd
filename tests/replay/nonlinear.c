/*
 * nonlinear.c - a program that maps a tmpfs file (shm_open) shared and
 * rearranges its pages with remap_file_pages, for the strace replay test
 * (tests/replay/run_real.sh): the replay must give every call the log's
 * result and end with the mappings this process had.  It checks what it
 * reads itself (exit status 1 if a page is not the file page it should
 * be), so the test also shows the host ran what the log says.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG	4096
#define NPAGES	8

int main(void)
{
	char name[64];
	char *p;
	int fd, bad = 0;

	snprintf(name, sizeof(name), "/kmm-replay-nonlinear-%d", (int)getpid());
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, NPAGES * PG)) {
		perror("shm_open");
		return 1;
	}
	shm_unlink(name);
	p = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	for (int i = 0; i < NPAGES; i++)
		memset(p + i * PG, 'a' + i, PG);
	/* Page 0 maps file page 5, pages 1-2 file pages 6-7, page 4 file page 0. */
	if (remap_file_pages(p, PG, 0, 5, 0) || remap_file_pages(p + PG, 2 * PG, 0, 6, MAP_NONBLOCK) ||
	    remap_file_pages(p + 4 * PG, PG, 0, 0, 0))
		return 1;
	/* And the calls 2.6.34 refuses as today's kernels do: EINVAL. */
	if (!remap_file_pages(p, PG, PROT_READ, 1, 0) || !remap_file_pages(p + 7 * PG, 2 * PG, 0, 1, 0))
		return 1;
	bad |= p[0] != 'f' || p[PG] != 'g' || p[2 * PG] != 'h' || p[3 * PG] != 'd';
	bad |= p[4 * PG] != 'a' || p[5 * PG] != 'f';
	/* A second mapping of the same file, read-only and shared, untouched. */
	if (mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 2 * PG) == MAP_FAILED)
		return 1;
	close(fd);
	printf("%s\n", bad ? "wrong pages" : "ok");
	return bad;
}
