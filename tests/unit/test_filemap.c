/*
 * test_filemap.c - host files and the page cache: filp_open's errors,
 * kernel_read, private file mappings (contents, major and minor faults,
 * COW that leaves the cache alone), SIGBUS past EOF, /proc/PID/maps
 * against the host's own line for the same mapping, and the readahead
 * windows of 2.6.34 step by step.
 *
 * Each test makes its host file itself (mkstemp under TMPDIR), with
 * contents no two pages share: byte i of the file is file_byte(i).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kmm/err.h>
#include <kmm/fdtable.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/spinlock.h>
#include <kmm/pagemap.h>
#include <kmm/process.h>
#include <kmm/procfs.h>
#include <kmm/sched.h>
#include <kmm/seq_file.h>
#include <kmm/signal.h>
#include <kmm/uaccess.h>
#include <kmm/vmstat.h>
#include "tests/harness.h"

#undef PAGE_SIZE
#define PAGE_SIZE	4096UL

static char test_path[256];

static unsigned char file_byte(unsigned long i)
{
	return (unsigned char)((i * 7) ^ (i >> 12) ^ 0x5a);
}

/* A host file of @size bytes of file_byte(); its path in test_path. */
static void make_file(unsigned long size)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	unsigned char *buf = malloc(size);
	int fd;

	assert_non_null(buf);
	snprintf(test_path, sizeof(test_path), "%s/kmm-filemap-XXXXXX", dir);
	fd = mkstemp(test_path);
	assert_true(fd >= 0);
	for (unsigned long i = 0; i < size; i++)
		buf[i] = file_byte(i);
	assert_int_equal(write(fd, buf, size), (long)size);
	close(fd);
	free(buf);
}

static int remove_file(void **state)
{
	if (test_path[0])
		unlink(test_path);
	test_path[0] = 0;
	return teardown_machine(state);
}

static struct task_struct *spawn_and_enter(const char *name)
{
	struct task_struct *p = process_spawn(name);

	assert_non_null(p);
	process_enter(p);
	return p;
}

static unsigned long map_file(unsigned long len, unsigned long prot, unsigned long flags, int fd,
			      unsigned long off)
{
	long r = sys_mmap(0, len, prot, flags, (unsigned long)fd, off);

	assert_false(IS_ERR_VALUE(r));
	return (unsigned long)r;
}

static unsigned char peek(unsigned long addr)
{
	unsigned char b = 0;

	assert_int_equal(kmm_user_access(addr, &b, 1, false, 0), 0);
	return b;
}

static unsigned long global_vm_event(enum vm_event_item item)
{
	unsigned long ev[NR_VM_EVENT_ITEMS];

	all_vm_events(ev);
	return ev[item];
}

/* The text of /proc/PID/@name into @buf. */
static void read_proc_pid(int pid, const char *name, char *buf, size_t size)
{
	struct seq_file m;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	seq_init(&m);
	assert_int_equal(proc_read(path, &m), 0);
	snprintf(buf, size, "%.*s", (int)m.count, m.buf);
	seq_release(&m);
}

static struct file *open_test_file(void)
{
	struct file *f = filp_open(test_path, O_RDONLY, 0);

	assert_false(IS_ERR(f));
	return f;
}

/* ---- opening and reading ---- */

static void filp_open_errors(void **state)
{
	struct file *f;
	char buf[16];

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	make_file(5000);
	assert_int_equal(PTR_ERR(filp_open("/nonexistent/kmm/file", O_RDONLY, 0)), -ENOENT);
	assert_int_equal(PTR_ERR(filp_open(test_path, O_RDWR, 0)), -EROFS);
	/* A directory opens, as open(2) allows; it cannot be read or mapped. */
	f = filp_open("/", O_RDONLY, 0);
	assert_false(IS_ERR(f));
	assert_true(S_ISDIR(file_inode(f)->i_mode));
	assert_int_equal(kernel_read(f, 0, buf, sizeof(buf)), -EISDIR);
	fput(f);
	f = open_test_file();
	assert_true(S_ISREG(file_inode(f)->i_mode));
	assert_int_equal(i_size_read(f->f_mapping->host), 5000);
	fput(f);
	assert_mm_check();
}

/*
 * exec's first read: 128 bytes at 0.  do_generic_file_read misses page 0
 * and asks for readahead of last_index - index = 1 page; offset 0 is the
 * initial window: get_init_ra_size(1, 32) = 1 * 4 = 4 (1 <= 32/32), async
 * 4 - 1 = 3, so pages 0-3 are read and page 4 - 3 = 1 carries
 * PG_readahead.  prev_pos: page 0, offset 128.
 */
static void kernel_read_reads_ahead(void **state)
{
	struct file *f;
	char buf[200];
	struct page *page;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	make_file(100 * PAGE_SIZE);
	f = open_test_file();
	assert_int_equal(kernel_read(f, 0, buf, 128), 128);
	for (int i = 0; i < 128; i++)
		assert_int_equal((unsigned char)buf[i], file_byte(i));
	assert_int_equal(f->f_mapping->nrpages, 4);
	assert_int_equal(f->f_ra.start, 0);
	assert_int_equal(f->f_ra.size, 4);
	assert_int_equal(f->f_ra.async_size, 3);
	assert_int_equal(f->f_ra.prev_pos, 128);
	page = find_get_page(f->f_mapping, 1);
	assert_non_null(page);
	assert_true(PageReadahead(page));
	page_cache_release(page);
	/* Across a page boundary, from the middle of the file, past EOF. */
	assert_int_equal(kernel_read(f, 3 * PAGE_SIZE - 50, buf, 100), 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal((unsigned char)buf[i], file_byte(3 * PAGE_SIZE - 50 + i));
	assert_int_equal(kernel_read(f, 100 * PAGE_SIZE - 10, buf, 100), 10);
	assert_int_equal(kernel_read(f, 100 * PAGE_SIZE, buf, 100), 0);
	fput(f);
	assert_mm_check();
}

/* ---- mappings ---- */

/*
 * A private read-only mapping reads the file's bytes; the first fault of
 * a page not cached is major (PGMAJFAULT, maj_flt) and reads around it:
 * at offset 10 of a fresh file, prev_pos -1 makes it no sequential hit
 * (10 - 1 != -1), so read-around takes ra_pages = 32 pages from
 * max(0, 10 - 16) = 0: pages 0-31, none marked (async_size 0).  Every
 * other page of the window is then a minor fault.
 */
static void private_mapping_faults(void **state)
{
	unsigned long a, maj0;
	long fd;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	make_file(64 * PAGE_SIZE);
	spawn_and_enter("filemap");
	fd = sys_open(test_path, O_RDONLY, 0);
	assert_true(fd >= 0);
	a = map_file(64 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, (int)fd, 0);
	maj0 = global_vm_event(PGMAJFAULT);
	assert_int_equal(peek(a + 10 * PAGE_SIZE + 5), file_byte(10 * PAGE_SIZE + 5));
	assert_int_equal(global_vm_event(PGMAJFAULT), maj0 + 1);
	assert_int_equal(current->maj_flt, 1);
	{
		struct file *f = fget((unsigned int)fd);

		assert_int_equal(f->f_mapping->nrpages, 32);
		assert_int_equal(f->f_ra.start, 0);
		assert_int_equal(f->f_ra.size, 32);
		assert_int_equal(f->f_ra.async_size, 0);
		assert_int_equal(f->f_ra.mmap_miss, 1);
		fput(f);
	}
	for (unsigned long i = 0; i < 32; i++)
		assert_int_equal(peek(a + i * PAGE_SIZE + i), file_byte(i * PAGE_SIZE + i));
	assert_int_equal(global_vm_event(PGMAJFAULT), maj0 + 1);
	assert_int_equal(sys_close((unsigned int)fd), 0);
	/* The mapping holds the file: it still faults after the close. */
	assert_int_equal(peek(a + 40 * PAGE_SIZE), file_byte(40 * PAGE_SIZE));
	assert_int_equal(global_vm_event(PGMAJFAULT), maj0 + 2);
	assert_mm_check();
}

/* A write to a private mapping copies: the process sees its byte, the cache keeps the file's. */
static void private_write_stays_private(void **state)
{
	unsigned char b = 0xee;
	struct file *f;
	unsigned long a;
	char buf[4];
	long fd;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	make_file(4 * PAGE_SIZE);
	spawn_and_enter("cow");
	fd = sys_open(test_path, O_RDONLY, 0);
	a = map_file(4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, (int)fd, 0);
	assert_int_equal(peek(a + PAGE_SIZE), file_byte(PAGE_SIZE));
	assert_int_equal(kmm_user_access(a + PAGE_SIZE, &b, 1, true, 0), 0);
	assert_int_equal(peek(a + PAGE_SIZE), 0xee);
	f = fget((unsigned int)fd);
	assert_int_equal(kernel_read(f, PAGE_SIZE, buf, 1), 1);
	assert_int_equal((unsigned char)buf[0], file_byte(PAGE_SIZE));
	fput(f);
	/* A shared writable mapping of a read-only open: EACCES; read-only shared is fine. */
	assert_int_equal(sys_mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, (unsigned long)fd, 0),
			 -EACCES);
	a = map_file(PAGE_SIZE, PROT_READ, MAP_SHARED, (int)fd, PAGE_SIZE);
	assert_int_equal(peek(a), file_byte(PAGE_SIZE));
	assert_mm_check();
}

/*
 * A file of 5000 bytes mapped over three pages: page 1 holds bytes
 * 4096-4999 and zeroes after them; page 2 lies wholly past EOF: SIGBUS
 * with BUS_ADRERR at the address touched.
 */
static void sigbus_past_eof(void **state)
{
	unsigned char b;
	unsigned long a;
	long fd;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	make_file(5000);
	spawn_and_enter("eof");
	fd = sys_open(test_path, O_RDONLY, 0);
	a = map_file(3 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, (int)fd, 0);
	assert_int_equal(peek(a + 4999), file_byte(4999));
	assert_int_equal(peek(a + 5000), 0);
	assert_int_not_equal(kmm_user_access(a + 2 * PAGE_SIZE + 8, &b, 1, false, 0), 0);
	assert_int_equal(current->pending_fatal, SIGBUS);
	assert_int_equal(current->last_siginfo.code, BUS_ADRERR);
	assert_int_equal(current->last_siginfo.addr, a + 2 * PAGE_SIZE + 8);
}

/*
 * The maps line of a file mapping equals the host's own line for the same
 * file mapped the same way, but for the addresses: permissions, offset,
 * device, inode and path (the host's /proc/self/maps is the oracle).
 */
static void maps_line_matches_host(void **state)
{
	char kmm_maps[8192], host_line[512] = "", *kline, *p;
	struct task_struct *t;
	unsigned long a;
	FILE *maps;
	void *h;
	long fd;
	int hfd;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	make_file(4 * PAGE_SIZE);
	t = spawn_and_enter("maps");
	fd = sys_open(test_path, O_RDONLY, 0);
	a = map_file(2 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, (int)fd, PAGE_SIZE);
	(void)a;
	hfd = open(test_path, O_RDONLY);
	h = mmap(NULL, 2 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, hfd, PAGE_SIZE);
	assert_true(h != MAP_FAILED);
	maps = fopen("/proc/self/maps", "r");
	while (fgets(host_line, sizeof(host_line), maps))
		if (strstr(host_line, test_path))
			break;
	fclose(maps);
	munmap(h, 2 * PAGE_SIZE);
	close(hfd);
	read_proc_pid(t->pid, "maps", kmm_maps, sizeof(kmm_maps));
	kline = strstr(kmm_maps, test_path);
	assert_non_null(kline);
	while (kline > kmm_maps && kline[-1] != '\n')
		kline--;
	p = strchr(kline, '\n');
	if (p)
		p[1] = 0;
	/* Compare from the permissions on: the address ranges differ. */
	assert_string_equal(strchr(kline, ' '), strchr(host_line, ' '));
	assert_mm_check();
}

/* ---- readahead ---- */

/*
 * A machine, a 256-page file, a process @name that opened it and mapped
 * it all private read-only at *@addr: its file (a reference for the test).
 */
static struct file *fresh_mapping(const char *name, unsigned long *addr)
{
	long fd;

	boot_or_fail("ram=64M cpus=1");
	make_file(256 * PAGE_SIZE);
	spawn_and_enter(name);
	fd = sys_open(test_path, O_RDONLY, 0);
	*addr = map_file(256 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, (int)fd, 0);
	return fget((unsigned int)fd);
}

/*
 * Sequential faults through a fresh mapping of a 256-page file (ra_pages
 * 32, max_sane_readahead 32 on this machine):
 *   fault 0: a miss; prev_pos is -1 and 0 - 1 == -1 as pgoff_t, so it
 *     counts as sequential: page_cache_sync_readahead(req 32); offset 0
 *     is the initial window: get_init_ra_size(32, 32) = 32 (32 > 32/4),
 *     async = size (32, not > req) -- then "the marker would fall on this
 *     access" (offset == start, size == async): async = get_next_ra_size
 *     = min(2 * 32, 32) = 32, size = 64.  Read: pages 0-63, the marker on
 *     64 - 32 = 32.                                 start 0,  size 64, async 32
 *   faults 1-31: minor, in the window.
 *   fault 32: a hit on the marker: ondemand with the expected offset
 *     (start + size - async = 32): start += 64, size = next = 32, async
 *     32.  Read: pages 64-95, marker on 64.         start 64, size 32, async 32
 *   fault 64: the marker again: start 96.           start 96, size 32, async 32
 * and so on, one window of 32 ahead.  PGMAJFAULT counts only fault 0.
 */
static void readahead_windows_sequential(void **state)
{
	static const struct { unsigned long fault, start, size, async, nrpages; } steps[] = {
		{ 0, 0, 64, 32, 64 }, { 31, 0, 64, 32, 64 }, { 32, 64, 32, 32, 96 },
		{ 63, 64, 32, 32, 96 }, { 64, 96, 32, 32, 128 }, { 96, 128, 32, 32, 160 },
	};
	unsigned long a, maj0;
	struct file *f;

	(void)state;
	f = fresh_mapping("seq", &a);
	maj0 = global_vm_event(PGMAJFAULT);
	for (unsigned long i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		for (unsigned long pg = i ? steps[i - 1].fault + 1 : 0; pg <= steps[i].fault; pg++)
			assert_int_equal(peek(a + pg * PAGE_SIZE), file_byte(pg * PAGE_SIZE));
		print_message("fault %lu: start %lu size %u async %u nrpages %lu\n", steps[i].fault,
			      f->f_ra.start, f->f_ra.size, f->f_ra.async_size, f->f_mapping->nrpages);
		assert_int_equal(f->f_ra.start, steps[i].start);
		assert_int_equal(f->f_ra.size, steps[i].size);
		assert_int_equal(f->f_ra.async_size, steps[i].async);
		assert_int_equal(f->f_mapping->nrpages, steps[i].nrpages);
	}
	assert_int_equal(global_vm_event(PGMAJFAULT), maj0 + 1);
	fput(f);
	assert_mm_check();
}

/*
 * Random faults: read-around, then MADV_RANDOM.
 *   fault 100 (prev_pos -1: not sequential): read-around, start
 *     100 - 16 = 84, size 32, async 0: pages 84-115; mmap_miss 1
 *   fault 200: prev_pos is page 100, 199 != 100: read-around 184-215
 *     (32 more pages, 64 cached); mmap_miss 2
 *   fault 201: a hit, no marker: mmap_miss 1
 *   MADV_RANDOM, fault 20: no readahead at all, only page 20: 65 cached
 */
static void readahead_read_around_and_random(void **state)
{
	unsigned long a;
	struct file *f;

	(void)state;
	f = fresh_mapping("rnd", &a);
	peek(a + 100 * PAGE_SIZE);
	assert_int_equal(f->f_ra.start, 84);
	assert_int_equal(f->f_ra.size, 32);
	assert_int_equal(f->f_ra.async_size, 0);
	assert_int_equal(f->f_mapping->nrpages, 32);
	assert_int_equal(f->f_ra.mmap_miss, 1);
	peek(a + 200 * PAGE_SIZE);
	assert_int_equal(f->f_ra.start, 184);
	assert_int_equal(f->f_mapping->nrpages, 64);
	assert_int_equal(f->f_ra.mmap_miss, 2);
	peek(a + 201 * PAGE_SIZE);
	assert_int_equal(f->f_ra.mmap_miss, 1);
	assert_int_equal(sys_madvise(a, 256 * PAGE_SIZE, MADV_RANDOM), 0);
	peek(a + 20 * PAGE_SIZE);
	assert_int_equal(f->f_mapping->nrpages, 65);
	assert_int_equal(f->f_ra.start, 184);
	/* MADV_WILLNEED reads the range into the cache now: pages 0-9, 20 already there. */
	assert_int_equal(sys_madvise(a, 10 * PAGE_SIZE, MADV_WILLNEED), 0);
	assert_int_equal(f->f_mapping->nrpages, 75);
	fput(f);
	assert_mm_check();
}

/* ---- mm_check of files ---- */

/* mm_check finds exactly @n problems, one of them saying @what. */
static void expect_problems(int n, const char *what)
{
	struct seq_file report;
	int found;

	seq_init(&report);
	found = mm_check(&report);
	if (found != n || !report.buf || !strstr(report.buf, what))
		fail_msg("expected %d problem(s) saying \"%s\", mm_check found %d:\n%s", n, what, found,
			 report.buf ? report.buf : "");
	seq_release(&report);
}

/*
 * Each invariant of filemap_check broken in turn, and put back: nrpages
 * against the tree, a page's index against its slot, a VMA missing from
 * its file's i_mmap.
 */
static void mm_check_catches_file_corruption(void **state)
{
	struct vm_area_struct *vma;
	struct page *page;
	struct file *f;
	unsigned long a;
	long fd;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	make_file(8 * PAGE_SIZE);
	spawn_and_enter("corrupt");
	fd = sys_open(test_path, O_RDONLY, 0);
	f = fget((unsigned int)fd);
	a = map_file(8 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, (int)fd, 0);
	peek(a);
	assert_mm_check();

	f->f_mapping->nrpages++;
	expect_problems(1, "8 pages in the radix tree, nrpages 9");
	f->f_mapping->nrpages--;

	page = find_get_page(f->f_mapping, 3);
	assert_non_null(page);
	page->index = 5;
	expect_problems(1, "points at mapping");
	page->index = 3;
	page_cache_release(page);

	vma = find_vma(current->mm, a);
	spin_lock(&f->f_mapping->i_mmap_lock);
	list_del_init(&vma->shared);
	spin_unlock(&f->f_mapping->i_mmap_lock);
	/* mmap_check sees it too: a file VMA on no i_mmap list. */
	expect_problems(2, "maps it but is not on its i_mmap");
	spin_lock(&f->f_mapping->i_mmap_lock);
	list_add(&vma->shared, &f->f_mapping->i_mmap);
	spin_unlock(&f->f_mapping->i_mmap_lock);
	assert_mm_check();
	fput(f);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(filp_open_errors, remove_file),
		cmocka_unit_test_teardown(kernel_read_reads_ahead, remove_file),
		cmocka_unit_test_teardown(private_mapping_faults, remove_file),
		cmocka_unit_test_teardown(private_write_stays_private, remove_file),
		cmocka_unit_test_teardown(sigbus_past_eof, remove_file),
		cmocka_unit_test_teardown(maps_line_matches_host, remove_file),
		cmocka_unit_test_teardown(readahead_windows_sequential, remove_file),
		cmocka_unit_test_teardown(readahead_read_around_and_random, remove_file),
		cmocka_unit_test_teardown(mm_check_catches_file_corruption, remove_file),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
