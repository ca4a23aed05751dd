/*
 * replay_log.c - the strace log's text for the replay (replay.c): a
 * regular file mapped from the host read-only, anything else (a pipe, a
 * device, an empty file) read into memory.  Host I/O only: no kmm header
 * here, whose mman.h names clash with the host's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/kmm/replay.h"

static char *read_log(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 1 << 20, n = 0;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (n < cap) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		char *nb = realloc(buf, cap *= 2);

		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
	}
	fclose(f);
	*len = n;
	return buf;
}

/*
 * The log, mapped: a regular file is read through the host's page cache
 * in place (no copy, no buffer to grow: a million-line log is 70 MiB).
 * NULL with errno set if it cannot be; *@mapped says how to let it go.
 */
char *replay_log_map(const char *path, size_t *len, bool *mapped)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	char *text;

	*mapped = false;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return read_log(path, len);	/* a pipe, a device, an empty file */
	}
	text = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (text == MAP_FAILED)
		return read_log(path, len);
	madvise(text, (size_t)st.st_size, MADV_SEQUENTIAL);
	*mapped = true;
	*len = (size_t)st.st_size;
	return text;
}

void replay_log_unmap(char *text, size_t len, bool mapped)
{
	if (mapped)
		munmap(text, len);
	else
		free(text);
}
