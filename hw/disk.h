/*
 * hw/disk.h - the host's files as the machine's read-only disk.
 *
 * The page cache reads file pages from here, as Linux's reads them from a
 * block device: a file is opened by its host path (read-only: kmm never
 * writes the host's files), its identity taken from the host's fstat so
 * that /proc/PID/maps names it exactly as the host's own maps would (the
 * device's major:minor, the inode number, the canonical path), and read
 * at an offset.  mm/ and kernel/ reach the host only through these
 * calls; this header includes no libc header.
 */
#ifndef KMM_HW_DISK_H
#define KMM_HW_DISK_H

#include <kmm/types.h>

/* What a file is (the S_IFMT part of st_mode). */
enum hw_file_type {
	HW_FILE_REGULAR,
	HW_FILE_DIRECTORY,
	HW_FILE_OTHER,		/* a device, a fifo, a socket */
};

struct hw_file_info {
	u64 size;			/* st_size, bytes */
	u64 ino;			/* st_ino */
	unsigned int dev_major;		/* major(st_dev) */
	unsigned int dev_minor;		/* minor(st_dev) */
	enum hw_file_type type;
	unsigned int mode;		/* st_mode & 07777 */
	char path[4096];		/* the canonical path: symlinks and "..", "." resolved */
};

/*
 * Open @path for reading.  Returns a handle (>= 0) and fills @info, or a
 * negative errno (-ENOENT, -EACCES, -ENOTDIR, -ELOOP...; a directory opens
 * too, as open(2) allows, and its reads fail with -EISDIR).
 */
int hw_disk_open(const char *path, struct hw_file_info *info);
/* Read up to @count bytes at @offset: the bytes read (0 at end of file) or -errno. */
long hw_disk_pread(int handle, void *buf, unsigned long count, u64 offset);
void hw_disk_close(int handle);
/* The machine goes: every handle still open is closed. */
void hw_disk_teardown(void);
/* Reads made and bytes read since boot (for reports and benchmarks). */
void hw_disk_stats(unsigned long *reads, unsigned long long *bytes);

#endif /* KMM_HW_DISK_H */
