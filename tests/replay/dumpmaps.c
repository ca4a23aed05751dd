/*
 * dumpmaps.c - preloaded into a traced program (strace -E LD_PRELOAD=),
 * it writes the process's own /proc/self/maps to $REPLAY_MAPS_DIR/PID.maps
 * when the process exits through exit() (a destructor: it runs after the
 * program's own atexit handlers and destructors, as late as a library can).
 * Only system calls and a static buffer: no malloc, so nothing it does
 * changes the mappings it reports, and nothing after it does either
 * before exit_group.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char buf[1 << 20];

__attribute__((destructor)) static void dump_maps(void)
{
	const char *dir = getenv("REPLAY_MAPS_DIR");
	char path[4096];
	ssize_t n, len = 0;
	int fd;

	if (!dir)
		return;
	fd = open("/proc/self/maps", O_RDONLY);
	if (fd < 0)
		return;
	while (len < (ssize_t)sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += n;
	close(fd);
	snprintf(path, sizeof(path), "%s/%d.maps", dir, (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	if (write(fd, buf, (size_t)len) != len)
		_exit(97);
	close(fd);
}
