/*
 * harden.c - what the library does about misuse: a free() or realloc() of
 * a pointer it did not hand out, or handed out and took back already.
 *
 * The kernel checks its own objects (slab_harden=on, mm/slab_harden.c),
 * which the library turns on by default before its machine boots
 * (KMM_MALLOC_BOOT="slab_harden=off" turns it off): a double free, a
 * pointer into the middle of a slab object, an object whose slab's record
 * was overwritten.  The library checks the rest of what a pointer can be
 * (malloc.c tells them apart): an address in RAM that starts no block in
 * use (inside a page block, or a page block freed already), an address
 * outside RAM that is neither the arena's, nor an mmap block, nor the
 * dynamic loader's.  Each failed check writes one line to standard error,
 * naming the call, the fault, the address and the cache (glibc says
 * "free(): double free detected in tcache 2"), and aborts (SIGABRT), as
 * glibc does: the allocator is never used again after a bad free.
 *
 *   kmm-malloc: free(): double free detected: 0x7f3a2c01e040 in cache size-64
 *   kmm-malloc: realloc(): invalid pointer: 0x7ffd5e7c1a2c (not from this allocator)
 *
 * The loader's pointers.  Before the C library is relocated the dynamic
 * loader serves its own allocations (link maps, search paths, the first
 * thread's TLS) from a minimal allocator of its own: the tail of its data
 * segment, then anonymous mappings.  Such a pointer reaching free() must be
 * left alone, not reported.  They are told apart by where they lie: in a
 * writable mapping of the loader's file, or in an anonymous private
 * mapping that existed when the library started (read once from
 * /proc/self/maps by a constructor that runs before the boot's, about 20
 * microseconds), which neither follows a file mapping (a library's .bss)
 * nor is a stack.  Anything mapped later (a thread's stack, another
 * allocator's heap, a program's own mmap) is not the loader's.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <kmm/slab.h>
#include "tools/malloc/kmm_malloc.h"

#define LOADER_RANGES	32

__thread const char *km_libc_call __attribute__((tls_model("initial-exec")));

static struct {
	uintptr_t start, end;
} loader[LOADER_RANGES];
static int nr_loader;

/* Write @msg and abort, never to return: the allocator is not used again. */
static __attribute__((noreturn)) void die(const char *msg)
{
	host_warn(msg);
	abort();
}

static const char *libc_call(void)
{
	return km_libc_call ? km_libc_call : "free";
}

/* The kernel found it (the report names the cache); say it as the C library's call. */
static void harden_report(const struct slab_harden_report *r)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "kmm-malloc: %s(): %s: %p in cache %s\n", libc_call(), r->what,
		 r->objp, r->cache ? r->cache : "(none)");
	die(msg);
}

void km_bad_pointer(const void *p, const char *why)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "kmm-malloc: %s(): invalid pointer: %p (%s)\n", libc_call(), p,
		 why);
	die(msg);
}

bool km_loader_owns(const void *p)
{
	for (int i = 0; i < nr_loader; i++)
		if ((uintptr_t)p >= loader[i].start && (uintptr_t)p < loader[i].end)
			return true;
	return false;
}

/*
 * One line of /proc/self/maps: "start-end perms offset dev inode   path".
 * Note it if it can hold the loader's allocations (see the top).
 */
struct maps_walk {
	uintptr_t base;		/* the loader's load address (AT_BASE) */
	char loader_path[256];	/* its file, once its first mapping is seen */
	uintptr_t prev_end;	/* the previous line's end */
	bool prev_file;		/*   it maps a file */
	bool prev_loader;	/*   the loader's file */
};

/*
 * The hexadecimal number at *@s, *@s moved past it; false if there is none.
 * By hand, not sscanf(): the C library's scanner cost 190,000 instructions
 * for the 25 lines of a small program's maps, a tenth of the start-up.
 */
static bool hex_field(const char **s, unsigned long *v)
{
	const char *p = *s;

	*v = 0;
	for (;; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;

		if (d < 0)
			break;
		*v = *v << 4 | (unsigned long)d;
	}
	if (p == *s)
		return false;
	*s = p;
	return true;
}

/* Past the field at @s and the blanks after it. */
static const char *next_field(const char *s)
{
	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	return s;
}

static void loader_line(struct maps_walk *w, const char *line)
{
	unsigned long start, end;
	const char *perms, *path, *p = line;
	bool anon, keep, is_loader;

	if (!hex_field(&p, &start) || *p++ != '-' || !hex_field(&p, &end) || *p++ != ' ')
		return;
	perms = p;
	if (strnlen(perms, 4) < 4)
		return;
	path = next_field(next_field(next_field(next_field(perms))));
	anon = !*path;
	if (start <= w->base && w->base < end && !anon)
		snprintf(w->loader_path, sizeof(w->loader_path), "%s", path);
	is_loader = !anon && *w->loader_path && !strcmp(path, w->loader_path);
	/* An anonymous mapping right after a file's is its .bss (the loader's may hold some). */
	keep = perms[0] == 'r' && perms[1] == 'w' && perms[3] == 'p' &&
	       (is_loader || (anon && (!(w->prev_file && w->prev_end == start) || w->prev_loader)));
	if (keep && nr_loader < LOADER_RANGES) {
		loader[nr_loader].start = start;
		loader[nr_loader].end = end;
		nr_loader++;
	}
	w->prev_end = end;
	w->prev_file = !anon && *path != '[';
	w->prev_loader = is_loader;
}

/*
 * Before the machine boots (priority 101 runs before the boot's default
 * priority): hardening on by default, its reports ours, the loader's
 * mappings noted.  Reads with read(2) into the stack: no allocation.
 */
__attribute__((constructor(101))) static void harden_init(void)
{
	struct maps_walk w = { .base = getauxval(AT_BASE) };
	char buf[4096], line[512];
	size_t len = 0;
	ssize_t n;
	int fd;

	slab_harden_set_default(true);
	slab_harden_set_hook(harden_report);
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			loader_line(&w, line);
			len = 0;
		}
	}
	close(fd);
}
