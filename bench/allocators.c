/*
 * allocators.c - kmm and the peers behind the pointers of allocators.h,
 * as a worker process sets them up.
 *
 * kmm: the worker boots a machine in parallel mode (its thread is CPU 0,
 * threads of the multi-threaded workloads attach as further CPUs) and
 * creates the cache "bench-64"; what it holds is the slab pages of the
 * simulated machine (NR_SLAB_RECLAIMABLE + NR_SLAB_UNRECLAIMABLE, the
 * per-CPU deltas included), as /proc/meminfo's Slab: line would say.
 *
 * A peer: its functions are looked up in its own library, and what it
 * holds is the worker's resident set (every page it touched and has not
 * given back to the host kernel) less the pages it gave back lazily
 * (MADV_FREE), read from /proc/self/smaps_rollup.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mmzone.h>
#include <kmm/slab.h>
#include <kmm/vmstat.h>
#include "arch/x86/layout.h"
#include "bench/allocators.h"

/* ---- kmm ---- */

static struct kmem_cache *bench_cache;

static void *kmm_kmalloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static void kmm_kfree(void *p)
{
	kfree(p);
}

static void *kmm_cache_alloc(size_t size)
{
	return kmem_cache_alloc(bench_cache, GFP_KERNEL);
}

static void kmm_cache_free(void *p)
{
	kmem_cache_free(bench_cache, p);
}

/* Every thread that calls into kmm runs as a CPU of its own (the machine has enough). */
static void kmm_thread_start(void)
{
	if (kmm_thread_attach(-1) < 0) {
		fprintf(stderr, "kmm_bench worker: no free CPU for a new thread\n");
		abort();
	}
}

static void kmm_thread_end(void)
{
	kmm_thread_detach();
}

static long kmm_held_bytes(void)
{
	unsigned long pages = 0;
	struct zone *zone;

	for_each_populated_zone(zone)
		pages += zone_page_state_snapshot(zone, NR_SLAB_RECLAIMABLE) +
			 zone_page_state_snapshot(zone, NR_SLAB_UNRECLAIMABLE);
	return (long)(pages * PAGE_SIZE);
}

/* What cache_reap does over time, at once: drain the arrays, free the free slabs. */
static void kmm_release(void)
{
	for (struct cache_sizes *cs = malloc_sizes; cs->cs_size != ~0UL; cs++)
		if (cs->cs_cachep)
			kmem_cache_shrink(cs->cs_cachep);
}

static int kmm_init(struct allocator *a, const char *arg, char *msg, size_t size)
{
	if (kmm_boot(arg, 0)) {
		snprintf(msg, size, "kmm boot '%s': %s", arg, kmm_error_msg());
		return -1;
	}
	bench_cache = kmem_cache_create("bench-64", 64, 0, SLAB_HWCACHE_ALIGN, NULL);
	if (!bench_cache) {
		snprintf(msg, size, "kmem_cache_create(\"bench-64\") failed");
		return -1;
	}
	a->alloc = kmm_kmalloc;
	a->free = kmm_kfree;
	a->alloc64 = kmm_cache_alloc;
	a->free64 = kmm_cache_free;
	a->thread_start = kmm_thread_start;
	a->thread_end = kmm_thread_end;
	a->held_bytes = kmm_held_bytes;
	snprintf(msg, size, "kmm %s (release build), booted '%s'", KMM_VERSION, arg);
	return 0;
}

void allocator_kmm_cmdline(char *buf, size_t size, int threads)
{
	snprintf(buf, size, "ram=2G cpus=%d", threads + 1);
}

/* ---- the peers ---- */

static void *peer_lib;		/* the peer's library, as dlopen returns it */

static long rollup_kb(const char *buf, const char *field)
{
	const char *p = strstr(buf, field);
	long kb = -1;

	if (p)
		sscanf(p + strlen(field), " %ld kB", &kb);
	return kb;
}

/*
 * Resident bytes of this process that it still claims: Rss less LazyFree
 * (pages given back with MADV_FREE stay resident until the host kernel
 * needs them, but they are the host's to take).  Read from
 * /proc/self/smaps_rollup without calling malloc.
 */
static long rss_bytes(void)
{
	char buf[4096];
	long rss, lazy;
	int fd = open("/proc/self/smaps_rollup", O_RDONLY);
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	rss = rollup_kb(buf, "\nRss:");
	lazy = rollup_kb(buf, "\nLazyFree:");
	if (rss < 0)
		return -1;
	return (rss - (lazy > 0 ? lazy : 0)) * 1024;
}

static void *peer_sym(const char *name)
{
	return dlsym(peer_lib, name);
}

static void glibc_release(void)
{
	int (*trim)(size_t) = peer_sym("malloc_trim");

	if (trim)
		trim(0);
}

static void mimalloc_release(void)
{
	void (*collect)(bool) = peer_sym("mi_collect");

	if (collect)
		collect(true);
}

static void jemalloc_release(void)
{
	int (*ctl)(const char *, void *, size_t *, void *, size_t) = peer_sym("mallctl");

	/* 4096 is MALLCTL_ARENAS_ALL: every arena. */
	if (ctl) {
		ctl("thread.tcache.flush", NULL, NULL, NULL, 0);
		ctl("arena.4096.purge", NULL, NULL, NULL, 0);
	}
}

static void tcmalloc_release(void)
{
	void (*release)(void) = peer_sym("MallocExtension_ReleaseFreeMemory");

	if (release)
		release();
}

/* Where @fn lives, checked against the library it should come from. */
static int check_origin(void *fn, const char *sym, const char *library, char *msg, size_t size)
{
	Dl_info info;

	if (!fn) {
		snprintf(msg, size, "%s not found in %s", sym, library);
		return -1;
	}
	if (!dladdr(fn, &info) || !info.dli_fname || !strstr(info.dli_fname, library)) {
		snprintf(msg, size, "%s resolved outside %s", sym, library);
		return -1;
	}
	return 0;
}

/* The functions are the two names of a->calls ("mi_malloc/mi_free"); @arg is unused. */
static int peer_init(struct allocator *a, const char *arg, char *msg, size_t size)
{
	char alloc_sym[32], free_sym[32];
	Dl_info info;

	peer_lib = dlopen(a->library, RTLD_NOW | RTLD_NOLOAD);
	if (!peer_lib) {
		snprintf(msg, size, "%s is not loaded%s", a->library,
			 a->preload ? " (LD_PRELOAD failed: is it installed?)" : "");
		return -1;
	}
	if (sscanf(a->calls, "%31[^/]/%31s", alloc_sym, free_sym) != 2) {
		snprintf(msg, size, "bad calls '%s'", a->calls);
		return -1;
	}
	a->alloc = peer_sym(alloc_sym);
	a->free = peer_sym(free_sym);
	if (check_origin(a->alloc, alloc_sym, a->library, msg, size) ||
	    check_origin(a->free, free_sym, a->library, msg, size))
		return -1;
	/* A preloaded peer is also the malloc of the whole worker. */
	if (a->preload && dlsym(RTLD_DEFAULT, "malloc") != peer_sym("malloc")) {
		snprintf(msg, size, "LD_PRELOAD=%s did not take over malloc", a->library);
		return -1;
	}
	a->alloc64 = a->alloc;
	a->free64 = a->free;
	a->held_bytes = rss_bytes;
	dladdr(a->alloc, &info);
	snprintf(msg, size, "%s from %s%s", alloc_sym, info.dli_fname,
		 a->preload ? " (preloaded)" : "");
	return 0;
}

struct allocator allocators[] = {
	{
		.name = "kmm",
		.calls = "kmalloc/kfree",
		.calls64 = "kmem_cache_alloc/kmem_cache_free (bench-64)",
		.init = kmm_init,
		.release = kmm_release,
		.release_how = "kmem_cache_shrink",
		.held_how = "slab pages",
	},
	{
		.name = "glibc",
		.library = "libc.so.6",
		.calls = "malloc/free",
		.calls64 = "malloc(64)/free",
		.init = peer_init,
		.release = glibc_release,
		.release_how = "malloc_trim",
		.held_how = "RSS-LazyFree",
	},
	{
		.name = "mimalloc",
		.library = "libmimalloc.so.2",
		.calls = "mi_malloc/mi_free",
		.calls64 = "mi_malloc(64)/mi_free",
		.init = peer_init,
		.release = mimalloc_release,
		.release_how = "mi_collect",
		.held_how = "RSS-LazyFree",
	},
	{
		.name = "jemalloc",
		.library = "libjemalloc.so.2",
		.preload = true,
		.calls = "malloc/free",
		.calls64 = "malloc(64)/free",
		.init = peer_init,
		.release = jemalloc_release,
		.release_how = "tcache flush + purge",
		.held_how = "RSS-LazyFree",
	},
	{
		.name = "tcmalloc",
		.library = "libtcmalloc.so.4",
		.preload = true,
		.calls = "malloc/free",
		.calls64 = "malloc(64)/free",
		.init = peer_init,
		.release = tcmalloc_release,
		.release_how = "ReleaseFreeMemory",
		.held_how = "RSS-LazyFree",
	},
};

const int nr_allocators = sizeof(allocators) / sizeof(allocators[0]);

struct allocator *allocator_find(const char *name)
{
	for (int i = 0; i < nr_allocators; i++)
		if (!strcmp(allocators[i].name, name))
			return &allocators[i];
	return NULL;
}
