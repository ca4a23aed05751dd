/*
 * disk.c - the host's files as the machine's read-only disk (hw/disk.h).
 *
 * Plain open/fstat/pread on the host.  The path is resolved with
 * realpath() because /proc/PID/maps prints the file's canonical path
 * (d_path of the dentry opened), never the name the program used.  Each
 * handle is a host file descriptor, closed when the last user of the
 * kernel's inode goes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <kmm/compiler.h>
#include "hw/disk.h"

/* The host descriptors open, so that a machine's teardown closes what its kernel left open. */
#define DISK_MAX_OPEN	4096
static int disk_open_fds[DISK_MAX_OPEN] __state_bulk;
static int disk_nr_open __state_zero;
static unsigned long disk_reads __state_zero;
static unsigned long long disk_bytes __state_zero;

int hw_disk_open(const char *path, struct hw_file_info *info)
{
	struct stat st;
	char *real;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	real = realpath(path, NULL);
	memset(info, 0, sizeof(*info));
	strncpy(info->path, real ? real : path, sizeof(info->path) - 1);
	free(real);
	info->size = (u64)st.st_size;
	info->ino = (u64)st.st_ino;
	info->dev_major = major(st.st_dev);
	info->dev_minor = minor(st.st_dev);
	info->mode = st.st_mode & 07777;
	if (S_ISREG(st.st_mode))
		info->type = HW_FILE_REGULAR;
	else if (S_ISDIR(st.st_mode))
		info->type = HW_FILE_DIRECTORY;
	else
		info->type = HW_FILE_OTHER;
	if (disk_nr_open == DISK_MAX_OPEN) {
		close(fd);
		return -EMFILE;
	}
	disk_open_fds[disk_nr_open++] = fd;
	return fd;
}

long hw_disk_pread(int handle, void *buf, unsigned long count, u64 offset)
{
	unsigned long done = 0;

	while (done < count) {
		ssize_t n = pread(handle, (char *)buf + done, count - done, (off_t)(offset + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += (unsigned long)n;
	}
	__atomic_fetch_add(&disk_reads, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&disk_bytes, done, __ATOMIC_RELAXED);
	return (long)done;
}

void hw_disk_close(int handle)
{
	for (int i = 0; i < disk_nr_open; i++) {
		if (disk_open_fds[i] == handle) {
			disk_open_fds[i] = disk_open_fds[--disk_nr_open];
			close(handle);
			return;
		}
	}
}

void hw_disk_teardown(void)
{
	while (disk_nr_open)
		close(disk_open_fds[--disk_nr_open]);
}

void hw_disk_stats(unsigned long *reads, unsigned long long *bytes)
{
	*reads = __atomic_load_n(&disk_reads, __ATOMIC_RELAXED);
	*bytes = __atomic_load_n(&disk_bytes, __ATOMIC_RELAXED);
}
