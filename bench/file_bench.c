/*
 * file_bench.c - page faults on file mappings, kmm against the host
 * kernel in the same run, on the same host file (16 MiB made here):
 *
 *   read fault, cached page    a fresh private read-only mapping of a file
 *                              whose pages are all in the page cache: each
 *                              first touch of a page is a minor fault
 *                              (filemap_fault finds the page)
 *   read fault, not cached     the same after the cache was emptied (kmm:
 *                              drop_caches; the host: posix_fadvise
 *                              POSIX_FADV_DONTNEED): the misses are major
 *                              faults, each reading around or ahead (kmm:
 *                              32 pages from the host file by pread; the
 *                              host: its readahead, from its own disk or
 *                              its cache below the file system)
 *
 * Both rows are per page touched, in file order.  The host kernel maps up
 * to 16 cached pages per fault (fault-around, Linux 3.15 on) where 2.6.34
 * maps one: the ratio compares a page's cost, not a fault's.  kmm's side
 * runs a simulated process (kmm_user_access: the MMU, the fault, the
 * retry).  Only the touches are timed; the mmap, munmap and cache drops
 * are not.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kmm/err.h>
#include <kmm/fdtable.h>
#include <kmm/fs.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/process.h>
#include <kmm/sched.h>
#include <kmm/uaccess.h>
#include "bench/bench.h"

#define PG		4096UL
#define FILE_PAGES	4096UL		/* 16 MiB */

static char path[256];
static int host_fd;
static long kmm_fd;

struct file_cfg {
	bool cold;		/* drop the cache before each round */
};

static double kmm_file_faults(void *ctx, long n)
{
	const struct file_cfg *cfg = ctx;
	double total = 0;

	while (n > 0) {
		unsigned long pages = (unsigned long)n < FILE_PAGES ? (unsigned long)n : FILE_PAGES;
		long addr = sys_mmap(0, FILE_PAGES * PG, 1, 0x02, (unsigned long)kmm_fd, 0);
		double t0;

		if (addr < 0 && addr > -4096)
			return -1;
		if (cfg->cold)
			drop_pagecache();
		t0 = bench_now_ns();
		for (unsigned long i = 0; i < pages; i++) {
			unsigned char b;

			if (kmm_user_access((unsigned long)addr + i * PG, &b, 1, false, 0))
				return -1;
		}
		total += bench_now_ns() - t0;
		sys_munmap((unsigned long)addr, FILE_PAGES * PG);
		n -= (long)pages;
	}
	return total;
}

static double host_file_faults(void *ctx, long n)
{
	const struct file_cfg *cfg = ctx;
	double total = 0;

	while (n > 0) {
		unsigned long pages = (unsigned long)n < FILE_PAGES ? (unsigned long)n : FILE_PAGES;
		volatile unsigned char *p;
		double t0;

		if (cfg->cold && posix_fadvise(host_fd, 0, 0, POSIX_FADV_DONTNEED))
			return -1;
		p = mmap(NULL, FILE_PAGES * PG, PROT_READ, MAP_PRIVATE, host_fd, 0);
		if (p == MAP_FAILED)
			return -1;
		t0 = bench_now_ns();
		for (unsigned long i = 0; i < pages; i++)
			(void)p[i * PG];
		total += bench_now_ns() - t0;
		munmap((void *)p, FILE_PAGES * PG);
		n -= (long)pages;
	}
	return total;
}

static bool make_file(void)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	static char page[PG];

	snprintf(path, sizeof(path), "%s/kmm-bench-file-XXXXXX", dir);
	host_fd = mkstemp(path);
	if (host_fd < 0)
		return false;
	for (unsigned long i = 0; i < FILE_PAGES; i++) {
		memset(page, (int)i, sizeof(page));
		if (write(host_fd, page, sizeof(page)) != (long)sizeof(page))
			return false;
	}
	return fsync(host_fd) == 0;
}

static void file_rows(const char *what, bool cold)
{
	struct file_cfg cfg = { cold };
	struct bench_subject s[2] = {
		{ kmm_file_faults, &cfg, 0, { 0 } },
		{ host_file_faults, &cfg, 0, { 0 } },
	};

	bench_kmm_vs_host("file", what, "per page", s,
			  cold ? "filemap_fault, read-around by pread" :
				 "filemap_fault: find_get_page hits",
			  "the host kernel, the same file", "per page touched");
}

void bench_file(void)
{
	bench_header("page faults on a file mapping (kmm against the host, the same 16 MiB file)");
	if (!make_file()) {
		bench_row_failed("file", "file faults", "cannot make the host file");
		return;
	}
	bench_boot_process("ram=512M cpus=1");
	kmm_fd = sys_open(path, O_RDONLY, 0);
	if (kmm_fd < 0) {
		bench_row_failed("file", "file faults", "kmm cannot open the file");
	} else {
		file_rows("read fault, cached page", false);
		file_rows("read fault, not cached", true);
		sys_close((unsigned int)kmm_fd);
	}
	process_exit(0);
	kmm_shutdown();
	close(host_fd);
	unlink(path);
}
