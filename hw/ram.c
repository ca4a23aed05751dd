/*
 * hw/ram.c - RAM as one memfd, the direct mapping of it, and host windows
 * in which parts of RAM can be mapped a second time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kmm/compiler.h>
#include "hw/ram.h"

char *hw_ram_base __state;
u64 hw_ram_size __state;
static int ram_fd __state = -1;

int hw_ram_create(u64 size)
{
	void *base;
	int fd;

	fd = memfd_create("kmm-ram", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0)
		goto fail;
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (base == MAP_FAILED)
		goto fail;
	ram_fd = fd;
	hw_ram_base = base;
	hw_ram_size = size;
	return 0;
fail:
	close(fd);
	return -ENOMEM;
}

void hw_ram_destroy(void)
{
	if (hw_ram_base)
		munmap(hw_ram_base, hw_ram_size);
	if (ram_fd >= 0)
		close(ram_fd);
	hw_ram_base = NULL;
	hw_ram_size = 0;
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
