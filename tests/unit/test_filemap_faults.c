/*
 * test_filemap_faults.c - fault injection on the page cache's allocation
 * paths (process_sweep.h): opening a host file, mapping it, and a major
 * fault that reads around.  Every failure either fails the call cleanly
 * (the VMAs as before, nothing leaked) or is hidden by a call that still
 * succeeds, as the path says.  Each run ends by unmapping, closing and
 * dropping the caches, so that the page cache returns to empty and the
 * allocators to their state before the run.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fdtable.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/sched.h>
#include <kmm/signal.h>
#include "tests/harness.h"
#include "tests/unit/process_sweep.h"

static char path[256];
static long fd;

/* A host file of 16 pages (the test's own). */
static void make_file(void)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	static char page[4096];
	int hfd;

	snprintf(path, sizeof(path), "%s/kmm-filemap-faults-XXXXXX", dir);
	hfd = mkstemp(path);
	assert_true(hfd >= 0);
	for (int i = 0; i < 16; i++) {
		page[0] = (char)i;
		assert_int_equal(write(hfd, page, sizeof(page)), (long)sizeof(page));
	}
	close(hfd);
}

static int remove_file(void **state)
{
	unlink(path);
	return teardown_machine(state);
}

static void setup_open(struct ctx *c)
{
	(void)c;
	fd = sys_open(path, O_RDONLY, 0);
	assert_true(fd >= 0);
}

static void setup_mapped(struct ctx *c)
{
	setup_open(c);
	assert_int_equal(sys_mmap(far, 16 * P, PROT_READ, MAP_PRIVATE | MAP_FIXED,
				  (unsigned long)fd, 0), (long)far);
}

static long call_open(struct ctx *c)
{
	(void)c;
	fd = sys_open(path, O_RDONLY, 0);
	return fd < 0 ? fd : 0;
}

static long call_mmap(struct ctx *c)
{
	long r = sys_mmap(far, 16 * P, PROT_READ, MAP_PRIVATE | MAP_FIXED, (unsigned long)fd, 0);

	(void)c;
	return r == (long)far ? 0 : r;
}

static long call_read_fault(struct ctx *c)
{
	(void)c;
	return user_read(far + 5 * P);
}

/* What the run made goes: the mapping, the descriptor, the cached pages and the inode. */
static void check_and_drop(struct ctx *c, long ret, bool hit)
{
	(void)c;
	(void)hit;
	(void)ret;	/* a process killed (SIGKILL pending) still unmaps and closes first */
	sys_munmap(far, 16 * P);
	if (fd >= 0)
		sys_close((unsigned int)fd);
	drop_pagecache();
}

static const struct path paths[] = {
	/*
	 * failslab: the hw_file_info buffer (4 KiB and more: size-8192, an
	 * off-slab cache whose new slab needs its descriptor too), the inode,
	 * its path, the file: each failure is -ENOMEM, the host handle
	 * closed.  Hidden: the first slab's descriptor and its two-page slab,
	 * which the slab allocator asks for again (2.6.34's node fallback).
	 * The inode (208 bytes with i_mmap_nonlinear: size-256) and the rest
	 * find room in slabs the boot left partly used: no page of their own.
	 */
	{ .name = "open a host file", .slab = 5, .pages = 1, .slab_hidden = 1, .pages_hidden = 1,
	  .call = call_open, .check = check_and_drop, .fail_ret = -ENOMEM },
	/* failslab: the VMA. */
	{ .name = "mmap a host file", .slab = 1, .pages = 0,
	  .setup = setup_open, .call = call_mmap, .check = check_and_drop, .fail_ret = -ENOMEM },
	/*
	 * A read fault at page 5: the page tables (PUD, PMD, PTE: a failure
	 * is OOM, the process killed), then read-around of pages 0-15
	 * (start max(0, 5 - 16), 32 pages, the file has 16): each page, the
	 * radix tree node that index 1 needs and its slab's page (the drop
	 * at the end of each run emptied the cache).  A failure there ends the
	 * readahead early; page 5, if not read yet, is then read alone
	 * (page_cache_read): the fault succeeds, the failure hidden.
	 */
	{ .name = "major fault, read-around", .slab = 1, .pages = 20, .slab_hidden = 1,
	  .pages_hidden = 17, .setup = setup_mapped, .call = call_read_fault,
	  .check = check_and_drop, .fail_ret = SIGKILL, .on_failure = FAIL_AS_REFERENCE },
};

static void file_paths_fail_cleanly(void **state)
{
	(void)state;
	make_file();
	boot_machine();
	sweep_all(paths, sizeof(paths) / sizeof(paths[0]));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(file_paths_fail_cleanly, remove_file),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
