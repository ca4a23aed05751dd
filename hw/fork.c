/*
 * hw/fork.c - a private copy of RAM for a forked child (see hw/fork.h).
 *
 * The copy is made in the parent before fork(), while every CPU is frozen,
 * so it is a consistent picture of the machine; it costs what RAM holds,
 * not what it spans: the memfd's data extents (SEEK_DATA/SEEK_HOLE) are
 * copied and its holes stay holes.  The child then replaces each mapping of
 * the old memfd, found in /proc/self/maps by device and inode, with the
 * same range of the copy, so that aliases (the vmemmap window maps RAM
 * pages a second time) stay aliases.
 *
 * Everything here runs between fork()'s prepare handler and its child
 * handler, where the process's allocator may be half-stopped: it uses
 * system calls and the stack only, never malloc or stdio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <kmm/compiler.h>
#include <kmm/lockdep.h>
#include "hw/cpu.h"
#include "hw/fork.h"
#include "hw/ram.h"

static int copy_fd __state = -1;	/* the child's RAM, between prepare and fork */
u64 hw_fork_copied __state_zero;

/*
 * Copy [@pos, @end) of @from to the same offsets of @to: in the kernel, file
 * to file, where it can; else through the machine's view of RAM at @base.  Threads
 * outside their critical sections may be writing some of these pages (an
 * object they are filling, a program's data): such a page is theirs alone
 * and is as torn in the copy as memory is in any fork() of a running
 * multi-threaded process.
 */
static int copy_range(int from, int to, const char *base, off_t pos, off_t end)
{
	bool in_kernel = true;

	while (pos < end) {
		loff_t in = pos, out = pos;
		ssize_t n = -1;

		if (in_kernel) {
			n = copy_file_range(from, &in, to, &out, end - pos, 0);
			if (n < 0 && errno != EINTR) {
				in_kernel = false;
				continue;
			}
		} else {
			n = pwrite(to, base + pos, end - pos, pos);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		pos += n;
		hw_fork_copied += n;
	}
	return 0;
}

/* Copy the data extents of @from's first @size bytes (mapped at @base) to @to. */
static int copy_extents(int from, int to, const char *base, u64 size)
{
	off_t off = 0;

	hw_fork_copied = 0;
	while ((u64)off < size) {
		off_t data = lseek(from, off, SEEK_DATA), hole;
		int err;

		if (data < 0)
			return errno == ENXIO ? 0 : -errno;
		hole = lseek(from, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		if ((u64)hole > size)
			hole = size;
		err = copy_range(from, to, base, data, hole);
		if (err)
			return err;
		off = hole;
	}
	return 0;
}

int hw_fork_prepare(void)
{
	int fd, err;

	hw_cpus_freeze();
	/*
	 * The lock validator's graph lock is held only for short stretches,
	 * never across a local_irq_save(): with the CPUs stopped it is free
	 * or about to be, and taking it keeps the child from inheriting it
	 * held by a thread it does not have.
	 */
	lockdep_fork_prepare();
	if (hw_ram_fd() < 0)
		return 0;
	fd = memfd_create("kmm-ram", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)hw_ram_size) < 0) {
		err = -errno;
		goto fail;
	}
	err = copy_extents(hw_ram_fd(), fd, hw_phys_base, hw_ram_size);
	if (err)
		goto fail;
	copy_fd = fd;
	return 0;
fail:
	close(fd);
	return err;
}

void hw_fork_parent(void)
{
	if (copy_fd >= 0)
		close(copy_fd);
	copy_fd = -1;
	lockdep_fork_finish();
	hw_cpus_thaw(false);
}

/* The whole of /proc/self/maps in an anonymous mapping (*@cap bytes); NULL on failure. */
static char *read_maps(size_t *len, size_t *cap)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	char *buf;
	size_t n = 0;

	if (fd < 0)
		return NULL;
	*cap = 1 << 16;
	buf = mmap(NULL, *cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		goto fail;
	for (;;) {
		ssize_t r;

		if (n == *cap) {
			char *nb = mremap(buf, *cap, *cap * 2, MREMAP_MAYMOVE);

			if (nb == MAP_FAILED) {
				munmap(buf, *cap);
				goto fail;
			}
			buf = nb;
			*cap *= 2;
		}
		r = read(fd, buf + n, *cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			munmap(buf, *cap);
			goto fail;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	*len = n;
	return buf;
fail:
	close(fd);
	return NULL;
}

/*
 * One line of /proc/self/maps: "start-end perms offset major:minor inode
 * path".  Returns the start of the next line.
 */
struct maps_line {
	unsigned long start, end, offset, major, minor, inode;
	int prot;
};

static const char *parse_line(const char *p, const char *end, struct maps_line *l)
{
	char *q;

	l->start = strtoul(p, &q, 16);
	l->end = strtoul(q + 1, &q, 16);
	l->prot = (q[1] == 'r' ? PROT_READ : 0) | (q[2] == 'w' ? PROT_WRITE : 0) |
		  (q[3] == 'x' ? PROT_EXEC : 0);
	l->offset = strtoul(q + 6, &q, 16);
	l->major = strtoul(q + 1, &q, 16);
	l->minor = strtoul(q + 1, &q, 16);
	l->inode = strtoul(q + 1, &q, 10);
	p = q;
	while (p < end && *p != '\n')
		p++;
	return p + 1;
}

/* Map @to over every mapping of @from, same addresses, same offsets. */
static int remap_ram(int from, int to)
{
	struct stat st;
	size_t len, cap;
	char *maps;
	const char *p, *end;
	int err = 0, found = 0;

	if (fstat(from, &st) < 0)
		return -errno;
	maps = read_maps(&len, &cap);
	if (!maps)
		return -EIO;
	end = maps + len;
	for (p = maps; p < end && !err;) {
		struct maps_line l;

		p = parse_line(p, end, &l);
		if (l.inode != st.st_ino || l.major != major(st.st_dev) ||
		    l.minor != minor(st.st_dev))
			continue;
		if (mmap((void *)l.start, l.end - l.start, l.prot, MAP_SHARED | MAP_FIXED, to,
			 (off_t)l.offset) == MAP_FAILED)
			err = -errno;
		found++;
	}
	munmap(maps, cap);
	return err ? err : found ? 0 : -ENOENT;
}

int hw_fork_child(void)
{
	int old = hw_ram_fd(), err = 0;

	if (old >= 0) {
		err = copy_fd < 0 ? -ENOMEM : remap_ram(old, copy_fd);
		if (!err) {
			close(old);
			hw_ram_set_fd(copy_fd);
		} else if (copy_fd >= 0) {
			close(copy_fd);
		}
		copy_fd = -1;
	}
	lockdep_fork_finish();
	hw_cpus_thaw(true);
	return err;
}
