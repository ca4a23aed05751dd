/*
 * hw/ram.c - RAM as one memfd, the direct mapping of it, the machine's own
 * view of all of it, and host windows in which parts of RAM can be mapped
 * a second time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kmm/compiler.h>
#include <kmm/kernel.h>
#include "hw/ram.h"

char *hw_ram_base __state_zero;
u64 hw_ram_size __state_zero;
u64 hw_direct_size __state_zero;
char *hw_phys_base __state_zero;
static int ram_fd __state = -1;
/*
 * Memory hotplug: the physical size RAM may grow to (hotplug_max=), and
 * the host ranges reserved for it.  The direct map's range (and the
 * machine's own view, once it is a separate mapping) is reserved for
 * ram_max bytes at boot, PROT_NONE and MAP_NORESERVE, so growing maps the
 * memfd's new pages at fixed addresses and nothing ever moves.
 */
static u64 ram_max __state_zero;		/* bytes reserved for RAM; >= hw_ram_size */
static u64 phys_reserved __state_zero;	/* bytes reserved at hw_phys_base when separate */
/* A grow mapped but not yet committed: RAM's top, and whether the direct map covers it. */
static u64 grown_size __state_zero;
static bool grown_direct __state_zero;

/*
 * The direct map starts on a 1 GiB boundary of the host's address space, as
 * Linux's does (0xffff880000000000): a naturally aligned physical block,
 * such as a buddy block, is then just as aligned at its host address.
 */
#define DIRECT_MAP_ALIGN	(1ULL << 30)
#define HOST_PAGE		4096ULL

void hw_ram_set_max(u64 bytes)
{
	ram_max = bytes;
}

u64 hw_ram_max(void)
{
	return ram_max;
}

int hw_ram_create(u64 size)
{
	u64 span = max(size, ram_max);
	char *area, *base;
	int fd;

	fd = memfd_create("kmm-ram", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0)
		goto fail;
	area = mmap(NULL, span + DIRECT_MAP_ALIGN, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		goto fail;
	base = (char *)(((uintptr_t)area + DIRECT_MAP_ALIGN - 1) & ~(DIRECT_MAP_ALIGN - 1));
	if (mmap(base, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE | MAP_FIXED, fd,
		 0) == MAP_FAILED) {
		munmap(area, span + DIRECT_MAP_ALIGN);
		goto fail;
	}
	if (base > area)
		munmap(area, base - area);
	if (area + span + DIRECT_MAP_ALIGN > base + span)
		munmap(base + span, area + span + DIRECT_MAP_ALIGN - (base + span));
	ram_fd = fd;
	ram_max = span;
	hw_ram_base = hw_phys_base = base;
	hw_ram_size = hw_direct_size = size;
	return 0;
fail:
	close(fd);
	return -ENOMEM;
}

/*
 * The machine's view is mapped before the direct map loses its top, so a
 * failure leaves everything as it was.  The top is replaced, not unmapped:
 * the range stays this program's, so an access there always faults rather
 * than landing in whatever the host might map at a freed address later.
 */
/* The machine's own view becomes a mapping of its own, reserved for ram_max bytes. */
static int separate_phys_view(void)
{
	char *phys;

	if (hw_phys_base != hw_ram_base)
		return 0;
	phys = mmap(NULL, ram_max, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (phys == MAP_FAILED)
		return -ENOMEM;
	if (mmap(phys, hw_ram_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE | MAP_FIXED,
		 ram_fd, 0) == MAP_FAILED) {
		munmap(phys, ram_max);
		return -ENOMEM;
	}
	hw_phys_base = phys;
	phys_reserved = ram_max;
	return 0;
}

int hw_ram_limit_direct(u64 bytes)
{
	bytes &= ~(u64)(HOST_PAGE - 1);
	if (bytes >= hw_direct_size)
		return 0;
	if (separate_phys_view())
		return -ENOMEM;
	if (mmap(hw_ram_base + bytes, hw_ram_size - bytes, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
		return -ENOMEM;
	hw_direct_size = bytes;
	return 0;
}

/*
 * New RAM appears at the top of the memfd: the file grows, and the new
 * pages are mapped into the ranges reserved for them - the machine's own
 * view, and the direct map too when @direct (x86_64; i386's new memory is
 * highmem, outside its direct map).  The sizes that other CPUs read
 * without a lock (hw_ram_size, hw_direct_size: the MMU's bound, the
 * direct map's) change only at hw_ram_commit(), which memory hotplug
 * runs with the other CPUs stopped.  A failure shrinks the file back and
 * leaves the reservations inaccessible again: nothing changed.
 */
int hw_ram_grow(u64 new_size, bool direct)
{
	u64 old = hw_ram_size, add = new_size - old;
	bool separate;

	if (new_size <= old || new_size > ram_max || (old & (HOST_PAGE - 1)) || (add & (HOST_PAGE - 1)))
		return -EINVAL;
	/* Memory outside the direct map is seen through a view of the machine's own. */
	if (!direct && separate_phys_view())
		return -ENOMEM;
	separate = hw_phys_base != hw_ram_base;
	if (ftruncate(ram_fd, (off_t)new_size) < 0)
		return -ENOMEM;
	if (separate && mmap(hw_phys_base + old, add, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_NORESERVE | MAP_FIXED, ram_fd, (off_t)old) == MAP_FAILED)
		goto fail_truncate;
	if (direct && mmap(hw_ram_base + old, add, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_NORESERVE | MAP_FIXED, ram_fd, (off_t)old) == MAP_FAILED)
		goto fail_phys;
	grown_size = new_size;
	grown_direct = direct && hw_direct_size == old;
	return 0;

fail_phys:
	if (separate)
		hw_window_unmap(hw_phys_base + old, add);
fail_truncate:
	if (ftruncate(ram_fd, (off_t)old) < 0)
		return -EIO;
	return -ENOMEM;
}

void hw_ram_commit(void)
{
	if (grown_size <= hw_ram_size)
		return;
	if (grown_direct)
		hw_direct_size = grown_size;
	hw_ram_size = grown_size;
}

/*
 * Undo a grow, committed or not: the top goes back to being reserved and
 * inaccessible in both views, and the file shrinks (its pages are freed).
 */
void hw_ram_shrink(u64 size)
{
	u64 top = max(hw_ram_size, grown_size), direct_top = grown_direct ? top : hw_direct_size;

	grown_size = 0;
	grown_direct = false;
	if (size >= top)
		return;
	if (hw_phys_base != hw_ram_base)
		hw_window_unmap(hw_phys_base + size, top - size);
	if (direct_top > size)
		hw_window_unmap(hw_ram_base + size, direct_top - size);
	if (ftruncate(ram_fd, (off_t)size) < 0)
		return;
	hw_ram_size = min(hw_ram_size, size);
	if (hw_direct_size > size)
		hw_direct_size = size;
}

void hw_ram_destroy(void)
{
	if (hw_phys_base && hw_phys_base != hw_ram_base)
		munmap(hw_phys_base, phys_reserved);
	if (hw_ram_base)
		munmap(hw_ram_base, max(ram_max, hw_ram_size));
	if (ram_fd >= 0)
		close(ram_fd);
	hw_ram_base = hw_phys_base = NULL;
	hw_ram_size = hw_direct_size = 0;
	ram_max = phys_reserved = 0;
	ram_fd = -1;
}

void *hw_window_reserve(u64 size)
{
	void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void hw_window_release(void *addr, u64 size)
{
	if (addr)
		munmap(addr, size);
}

int hw_window_map(void *va, u64 pa, u64 size)
{
	void *p = mmap(va, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, ram_fd, (off_t)pa);

	return p == MAP_FAILED ? -errno : 0;
}

int hw_window_unmap(void *va, u64 size)
{
	void *p = mmap(va, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? -errno : 0;
}

int hw_window_anon(void *va, u64 size)
{
	void *p = mmap(va, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? -errno : 0;
}

/* Below this, clearing bytes is cheaper than a system call. */
#define ZERO_BY_HOLE_MIN	(64ULL << 10)

static void ram_zero(u64 pa, u64 size, u64 hole_min)
{
	u64 first = (pa + HOST_PAGE - 1) & ~(HOST_PAGE - 1);
	u64 last = (pa + size) & ~(HOST_PAGE - 1);

	if (size >= hole_min && last > first &&
	    !fallocate(ram_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)first,
		       (off_t)(last - first))) {
		memset(hw_phys_base + pa, 0, first - pa);
		memset(hw_phys_base + last, 0, pa + size - last);
		return;
	}
	memset(hw_phys_base + pa, 0, size);
}

void hw_ram_zero(u64 pa, u64 size)
{
	ram_zero(pa, size, ZERO_BY_HOLE_MIN);
}

void hw_ram_discard(u64 pa, u64 size)
{
	ram_zero(pa, size, 0);
}

long hw_resident_pages(const void *va, u64 size)
{
	uintptr_t first = ((uintptr_t)va + HOST_PAGE - 1) & ~(HOST_PAGE - 1);
	uintptr_t last = ((uintptr_t)va + size) & ~(HOST_PAGE - 1);
	unsigned char vec[256];
	long resident = 0;

	for (uintptr_t p = first; p < last; p += sizeof(vec) * HOST_PAGE) {
		u64 len = last - p < sizeof(vec) * HOST_PAGE ? last - p : sizeof(vec) * HOST_PAGE;

		if (mincore((void *)p, len, vec))
			return -1;
		for (u64 i = 0; i < len / HOST_PAGE; i++)
			resident += vec[i] & 1;
	}
	return resident;
}

long hw_host_map_limit(void)
{
	char buf[32];
	long n = 0;
	int fd = open("/proc/sys/vm/max_map_count", O_RDONLY | O_CLOEXEC);
	ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (len > 0) {
		buf[len] = 0;
		n = strtol(buf, NULL, 10);
	}
	return n > 0 ? n : 65530;	/* DEFAULT_MAX_MAP_COUNT */
}

int hw_ram_fd(void)
{
	return ram_fd;
}

void hw_ram_set_fd(int fd)
{
	ram_fd = fd;
}
