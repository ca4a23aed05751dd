/*
 * test_fremap.c - remap_file_pages and nonlinear VMAs (mm/fremap.c):
 *
 *   the file PTE's layout in each paging mode, bit by bit as 2.6.34's
 *   pgtable-2level.h, pgtable-3level.h and pgtable_64.h place the offset
 *   the contents a process reads after a sequence of remaps, and the
 *   errors of a list of bad calls, against the host kernel doing the
 *   same on a memfd (the oracle: it still runs remap_file_pages, by
 *   emulation, with the same results a process can see)
 *   what only 2.6.34 shows: one VMA, VM_NONLINEAR, on i_mmap_nonlinear;
 *   the linear no-op; the emulation for a file whose dirty pages are
 *   accounted; mlock kept across a remap; a file PTE where none may be
 *   (SIGBUS and mm_check's report)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kmm/err.h>
#include <kmm/fdtable.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/pgtable.h>
#include <kmm/process.h>
#include <kmm/procfs.h>
#include <kmm/sched.h>
#include <kmm/seq_file.h>
#include <kmm/signal.h>
#include <kmm/spinlock.h>
#include <kmm/uaccess.h>
#include "mm/internal.h"
#include "tests/harness.h"

#define PG	4096UL
#define NPAGES	8

/* ---- the file PTE ---- */

struct encoding {
	unsigned long pgoff;
	unsigned long long pte;		/* derived by hand from the mode's layout */
};

static void check_encodings(const struct encoding *e, size_t n, int bits)
{
	assert_int_equal(pte_file_max_bits(), bits);
	for (size_t i = 0; i < n; i++) {
		pte_t pte = pgoff_to_pte(e[i].pgoff);

		assert_int_equal(pte_val(pte), e[i].pte);
		assert_true(pte_file(pte));
		assert_false(pte_present(pte));
		assert_false(pte_none(pte));
		assert_int_equal(pte_to_pgoff(pte), e[i].pgoff);
	}
}

/*
 * x86_64: the offset in bits 12-45 (the frame's field); PAE: in the high word; i386: bits
 * 1-5 take offset bits 0-4, bit 7 offset bit 5, bits 9-31 the rest --
 * present (0), file (6) and protnone (8) stay clear.
 */
static void file_pte_layout(void **state)
{
	static const struct encoding x86_64[] = {
		{ 0, 0x40 }, { 1, 0x1040 }, { 0x12345, 0x12345040 },
		{ (1UL << 34) - 1, 0x3ffffffff040ULL },
	};
	static const struct encoding pae[] = {
		{ 0, 0x40 }, { 1, 0x100000040ULL }, { 0xffffffffUL, 0xffffffff00000040ULL },
	};
	static const struct encoding i386[] = {
		{ 0, 0x40 }, { 1, 0x42 }, { 0x1f, 0x7e }, { 0x20, 0xc0 }, { 0x3f, 0xfe },
		{ 0x40, 0x240 }, { 0x41, 0x242 }, { (1UL << 29) - 1, 0xfffffefeULL },
	};

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	check_encodings(x86_64, sizeof(x86_64) / sizeof(x86_64[0]), 46);
	/* The field is the frame's, 34 bits: 2.6.34 checks 46 and loses the rest. */
	assert_int_equal(pte_to_pgoff(pgoff_to_pte(1UL << 34)), 0);
	assert_int_equal(pte_to_pgoff(pgoff_to_pte((1UL << 34) + 9)), 9);
	kmm_shutdown();
	boot_or_fail("arch=i386 pae ram=64M cpus=1");
	check_encodings(pae, sizeof(pae) / sizeof(pae[0]), 32);
	kmm_shutdown();
	boot_or_fail("arch=i386 ram=64M cpus=1");
	check_encodings(i386, sizeof(i386) / sizeof(i386[0]), 29);
}

/* ---- the host as the oracle ---- */

/*
 * The calls both sides make on a shared mapping of an 8-page file whose
 * page i is filled with 'a' + i: the result (0 or -errno) of each, then
 * the first byte of every page of the mapping.
 */
struct call {
	long start_pages;	/* from the mapping's start */
	unsigned long size, prot, pgoff, flags;
};

static const struct call calls[] = {
	{ 0, PG, 0, 5, 0 },				/* page 0 maps file page 5 */
	{ 1, 2 * PG, 0, 6, MAP_NONBLOCK },		/* pages 1-2: 6, 7, not faulted in */
	{ 0, PG, PROT_READ, 5, 0 },			/* prot must be 0: EINVAL */
	{ 3, 0, 0, 1, 0 },				/* empty: EINVAL */
	{ 3, 100, 0, 1, 0 },				/* empty once rounded down: EINVAL */
	{ 6, 3 * PG, 0, 1, 0 },				/* past the VMA's end: EINVAL */
	{ 4, PG + 100, 0, 0, 0 },			/* size rounded down: page 4 maps 0 */
	{ 5, PG, 0, 5, 0 },				/* its linear offset: no change */
	{ 7, PG, 0, 1, MAP_POPULATE | MAP_NONBLOCK },	/* other flags are ignored */
};
#define NCALLS	(sizeof(calls) / sizeof(calls[0]))

struct outcome {
	long ret[NCALLS];
	char bytes[NPAGES + 1];
	long private_ret, anon_ret, anon_private_ret;
	long unaligned_ret;	/* a page from 100 bytes into the last page */
};

static void host_outcome(struct outcome *o)
{
	int fd = memfd_create("kmm-fremap", 0);
	char *p, *q;

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, NPAGES * PG), 0);
	p = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	for (int i = 0; i < NPAGES; i++)
		memset(p + i * PG, 'a' + i, PG);
	for (size_t i = 0; i < NCALLS; i++)
		o->ret[i] = remap_file_pages(p + calls[i].start_pages * PG, calls[i].size,
					     (int)calls[i].prot, calls[i].pgoff,
					     (int)calls[i].flags) ? -errno : 0;
	for (int i = 0; i < NPAGES; i++)
		o->bytes[i] = p[i * PG];
	o->bytes[NPAGES] = 0;
	o->unaligned_ret = remap_file_pages(p + 7 * PG + 100, PG, 0, 2, 0) ? -errno : 0;
	q = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	o->private_ret = remap_file_pages(q, PG, 0, 1, 0) ? -errno : 0;
	munmap(q, 2 * PG);
	q = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	o->anon_ret = remap_file_pages(q, PG, 0, 1, 0) ? -errno : 0;
	munmap(q, 2 * PG);
	q = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	o->anon_private_ret = remap_file_pages(q, PG, 0, 1, 0) ? -errno : 0;
	munmap(q, 2 * PG);
	munmap(p, NPAGES * PG);
	close(fd);
}

static struct task_struct *spawn_and_enter(const char *name)
{
	struct task_struct *p = process_spawn(name);

	assert_non_null(p);
	process_enter(p);
	return p;
}

/* A tmpfs file of 8 pages, page i filled with 'a' + i, mapped shared: its address. */
static unsigned long kmm_shared_file(long *fdp)
{
	static char page[PG];
	long fd = sys_open("/dev/shm/kmm-fremap", O_RDWR | O_CREAT | O_TRUNC, 0600);
	long a;

	assert_true(fd >= 0);
	assert_int_equal(sys_ftruncate((unsigned int)fd, NPAGES * PG), 0);
	a = sys_mmap(0, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED, (unsigned long)fd, 0);
	assert_false(IS_ERR_VALUE(a));
	for (int i = 0; i < NPAGES; i++) {
		memset(page, 'a' + i, PG);
		assert_int_equal(kmm_user_access((unsigned long)a + i * PG, page, PG, true, 0), 0);
	}
	if (fdp)
		*fdp = fd;
	return (unsigned long)a;
}

static char peek(unsigned long addr)
{
	char b = 0;

	assert_int_equal(kmm_user_access(addr, &b, 1, false, 0), 0);
	return b;
}

static void kmm_outcome(struct outcome *o)
{
	unsigned long a = kmm_shared_file(NULL), q;

	for (size_t i = 0; i < NCALLS; i++)
		o->ret[i] = sys_remap_file_pages(a + calls[i].start_pages * PG, calls[i].size,
						 calls[i].prot, calls[i].pgoff, calls[i].flags);
	for (int i = 0; i < NPAGES; i++)
		o->bytes[i] = peek(a + i * PG);
	o->bytes[NPAGES] = 0;
	o->unaligned_ret = sys_remap_file_pages(a + 7 * PG + 100, PG, 0, 2, 0);
	q = (unsigned long)sys_mmap(0, 2 * PG, PROT_READ, MAP_PRIVATE,
				    (unsigned long)sys_open("/dev/shm/kmm-fremap", O_RDWR, 0), 0);
	o->private_ret = sys_remap_file_pages(q, PG, 0, 1, 0);
	q = (unsigned long)sys_mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				    (unsigned long)-1, 0);
	o->anon_ret = sys_remap_file_pages(q, PG, 0, 1, 0);
	q = (unsigned long)sys_mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				    (unsigned long)-1, 0);
	o->anon_private_ret = sys_remap_file_pages(q, PG, 0, 1, 0);
}

static void contents_and_errors_match_host(void **state)
{
	struct outcome host, kmm;

	(void)state;
	host_outcome(&host);
	/* Hand-checked too: page 0 'f' (5), 1-2 'g' 'h', 4 'a' (0), 7 'b' (1). */
	assert_string_equal(host.bytes, "fghdafgb");
	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("fremap");
	kmm_outcome(&kmm);
	for (size_t i = 0; i < NCALLS; i++) {
		if (kmm.ret[i] != host.ret[i])
			fail_msg("call %zu: kmm %ld, the host %ld", i, kmm.ret[i], host.ret[i]);
	}
	assert_string_equal(kmm.bytes, host.bytes);
	assert_int_equal(kmm.private_ret, host.private_ret);
	/*
	 * MAP_SHARED|MAP_ANONYMOUS: 2.6.34's shmem_zero_setup gives the VMA
	 * no VM_CAN_NONLINEAR, so it refuses; the host's emulation maps it.
	 */
	assert_int_equal(host.anon_ret, 0);
	assert_int_equal(kmm.anon_ret, -EINVAL);
	/*
	 * 2.6.34 checks the end before rounding the start down (start + 100
	 * + a page lies past the VMA); today's kernels check the rounded range.
	 */
	assert_int_equal(host.unaligned_ret, 0);
	assert_int_equal(kmm.unaligned_ret, -EINVAL);
	assert_int_equal(kmm.anon_private_ret, host.anon_private_ret);
	assert_mm_check();
}

/* ---- what 2.6.34 shows of it ---- */

static bool on_list(struct vm_area_struct *vma, struct list_head *list)
{
	struct vm_area_struct *v;

	list_for_each_entry(v, list, shared)
		if (v == vma)
			return true;
	return false;
}

static int count_lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static unsigned long rss_pages(void)
{
	return get_mm_rss(current->mm);
}

/*
 * The linear no-op leaves the VMA linear and faults nothing in; a real
 * remap makes it nonlinear -- one VMA still, on its file's nonlinear
 * list, its pages faulted in (without MAP_NONBLOCK) -- and maps it
 * through file PTEs.
 */
static void one_vma_made_nonlinear(void **state)
{
	struct address_space *mapping;
	struct vm_area_struct *vma;
	unsigned long a, before;
	const char *maps;
	int lines;
	pte_t *pte;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("nonlinear");
	a = kmm_shared_file(NULL);
	lines = count_lines(proc_text("/proc/self/maps"));
	vma = find_vma(current->mm, a);
	mapping = vma->vm_file->f_mapping;
	assert_true(vma->vm_flags & VM_CAN_NONLINEAR);

	/* A VMA whose driver keeps vm_private_data is refused (2.6.34's swapout cursor's field). */
	vma->vm_private_data = vma;
	assert_int_equal(sys_remap_file_pages(a + 2 * PG, PG, 0, 6, 0), -EINVAL);
	vma->vm_private_data = NULL;

	/* Drop the pages the setup wrote: the no-op must not fault them back. */
	assert_int_equal(sys_madvise(a, NPAGES * PG, MADV_DONTNEED), 0);
	before = rss_pages();
	assert_int_equal(sys_remap_file_pages(a + 2 * PG, PG, 0, 2, 0), 0);
	assert_false(vma->vm_flags & VM_NONLINEAR);
	assert_true(on_list(vma, &mapping->i_mmap));
	assert_int_equal(rss_pages(), before);

	assert_int_equal(sys_remap_file_pages(a + 2 * PG, 2 * PG, 0, 6, 0), 0);
	assert_ptr_equal(find_vma(current->mm, a), vma);
	assert_true(vma->vm_flags & VM_NONLINEAR);
	assert_true(on_list(vma, &mapping->i_mmap_nonlinear));
	assert_false(on_list(vma, &mapping->i_mmap));
	assert_int_equal(rss_pages(), before + 2);
	maps = proc_text("/proc/self/maps");
	assert_int_equal(count_lines(maps), lines);
	assert_non_null(strstr(maps, " rw-s 00000000 "));

	/* MAP_NONBLOCK: file PTEs only, naming 0 and 1; faulted in by the access. */
	assert_int_equal(sys_remap_file_pages(a, 2 * PG, 0, 0, MAP_NONBLOCK), 0);
	assert_int_equal(rss_pages(), before + 2);
	pte = get_locked_pte_nolock(current->mm, a + PG);
	assert_non_null(pte);
	assert_true(pte_file(ptep_get(pte)));
	assert_int_equal(pte_to_pgoff(ptep_get(pte)), 1);
	assert_int_equal(peek(a + PG), 'b');
	assert_true(pte_present(ptep_get(pte)));
	assert_int_equal(rss_pages(), before + 3);
	assert_mm_check();

	/* mm_check knows which list a VMA belongs on. */
	list_move_tail(&vma->shared, &mapping->i_mmap);
	{
		struct seq_file report;

		seq_init(&report);
		assert_int_not_equal(mm_check(&report), 0);
		assert_non_null(strstr(report.buf, "on its i_mmap is nonlinear"));
		seq_release(&report);
	}
	list_move_tail(&vma->shared, &mapping->i_mmap_nonlinear);

	/* The largest offset the PTE holds (46 bits checked on x86_64), and one past it. */
	assert_int_equal(sys_remap_file_pages(a + 5 * PG, PG, 0, (1UL << 46) - 1, MAP_NONBLOCK),
			 -EINVAL);
	assert_int_equal(sys_remap_file_pages(a + 5 * PG, PG, 0, (1UL << 46) - 2, MAP_NONBLOCK), 0);

	/* munmap clears the file PTE left at a: mm_check would see it outside any VMA. */
	assert_int_equal(sys_munmap(a, NPAGES * PG), 0);
	assert_true(list_empty(&mapping->i_mmap_nonlinear));
	assert_mm_check();
}

/*
 * A host file's dirty pages are accounted: 2.6.34 gives the range a
 * linear VMA of its own instead (mmap_region).  kmm opens host files
 * read-only, so the test grants the open file write access to get a
 * VM_SHARED mapping of one (mapped read-only: nothing is written).
 */
static void accounted_file_gets_a_linear_vma(void **state)
{
	char path[256], buf[NPAGES * PG], maps_line[64];
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	struct vm_area_struct *vma;
	unsigned long a;
	long fd;
	int hfd;

	(void)state;
	snprintf(path, sizeof(path), "%s/kmm-fremap-XXXXXX", dir);
	hfd = mkstemp(path);
	assert_true(hfd >= 0);
	for (unsigned long i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('A' + i / PG);
	assert_int_equal(write(hfd, buf, sizeof(buf)), (long)sizeof(buf));
	close(hfd);

	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("accounted");
	fd = sys_open(path, O_RDONLY, 0);
	unlink(path);
	assert_true(fd >= 0);
	fget((unsigned int)fd)->f_mode |= FMODE_WRITE;
	a = (unsigned long)sys_mmap(0, NPAGES * PG, PROT_READ, MAP_SHARED, (unsigned long)fd, 0);
	assert_false(IS_ERR_VALUE(a));
	assert_true(find_vma(current->mm, a)->vm_flags & VM_SHARED);

	assert_int_equal(sys_remap_file_pages(a + 2 * PG, 2 * PG, 0, 5, 0), 0);
	vma = find_vma(current->mm, a + 2 * PG);
	assert_int_equal(vma->vm_start, a + 2 * PG);
	assert_int_equal(vma->vm_end, a + 4 * PG);
	assert_int_equal(vma->vm_pgoff, 5);
	assert_false(vma->vm_flags & VM_NONLINEAR);
	assert_int_equal(find_vma(current->mm, a)->vm_end, a + 2 * PG);
	snprintf(maps_line, sizeof(maps_line), "%lx-%lx r--s 00005000 ", a + 2 * PG, a + 4 * PG);
	assert_non_null(strstr(proc_text("/proc/self/maps"), maps_line));
	assert_int_equal(peek(a + 2 * PG), 'F');
	assert_int_equal(peek(a + 3 * PG), 'G');
	assert_int_equal(peek(a + 4 * PG), 'E');
	assert_mm_check();
}

/*
 * A locked nonlinear VMA: the page mapped over is munlocked (only its
 * nonlinear VMA mapped it), the page mapped in is faulted and mlocked;
 * the VMA stays locked.
 */
static void locked_vma_stays_locked(void **state)
{
	struct page *old, *new;
	unsigned long a;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("locked");
	a = kmm_shared_file(NULL);
	assert_int_equal(sys_remap_file_pages(a, PG, 0, 7, 0), 0);
	assert_int_equal(sys_mlock(a, NPAGES * PG), 0);
	old = follow_page(find_vma(current->mm, a), a + 3 * PG, 0);
	assert_non_null(old);
	assert_true(PageMlocked(old));
	assert_int_equal(sys_remap_file_pages(a + 3 * PG, PG, 0, 0, 0), 0);
	assert_true(find_vma(current->mm, a)->vm_flags & VM_LOCKED);
	assert_false(PageMlocked(old));
	new = follow_page(find_vma(current->mm, a), a + 3 * PG, 0);
	assert_non_null(new);
	assert_int_equal(new->index, 0);
	assert_true(PageMlocked(new));
	assert_int_equal(peek(a + 3 * PG), 'a');
	assert_mm_check();
}

/*
 * The offset limit per mode: i386 keeps 29 bits (pgoff + pages below
 * 1 << 29); PAE's 32 bits are a 32-bit long's, so 2.6.34 checks nothing
 * there and the last page offset is accepted.
 */
static void offset_limit_per_mode(void **state)
{
	unsigned long a;

	(void)state;
	boot_or_fail("arch=i386 ram=64M cpus=1");
	spawn_and_enter("limit");
	a = kmm_shared_file(NULL);
	assert_int_equal(sys_remap_file_pages(a, PG, 0, (1UL << 29) - 1, MAP_NONBLOCK), -EINVAL);
	assert_int_equal(sys_remap_file_pages(a, PG, 0, (1UL << 29) - 2, MAP_NONBLOCK), 0);
	assert_int_equal(pte_to_pgoff(ptep_get(get_locked_pte_nolock(current->mm, a))),
			 (1UL << 29) - 2);
	kmm_shutdown();
	boot_or_fail("arch=i386 pae ram=64M cpus=1");
	spawn_and_enter("limit");
	a = kmm_shared_file(NULL);
	assert_int_equal(sys_remap_file_pages(a, PG, 0, 0xffffffffUL, MAP_NONBLOCK), 0);
	assert_int_equal(pte_to_pgoff(ptep_get(get_locked_pte_nolock(current->mm, a))),
			 0xffffffffUL);
	assert_mm_check();
}

/*
 * A file PTE in a linear VMA is a corrupt page table: the access gets
 * SIGBUS with 2.6.34's "Bad page map" report, and mm_check names it.
 */
static void stray_file_pte(void **state)
{
	struct seq_file report;
	unsigned long a;
	char b;
	pte_t *pte;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("stray");
	a = kmm_shared_file(NULL);
	assert_int_equal(sys_madvise(a, PG, MADV_DONTNEED), 0);
	pte = get_locked_pte(current->mm, a);
	assert_non_null(pte);
	set_pte(pte, pgoff_to_pte(3));
	spin_unlock(&current->mm->page_table_lock);

	seq_init(&report);
	assert_int_not_equal(mm_check(&report), 0);
	assert_non_null(strstr(report.buf, "a file PTE (offset 0x3) in VMA"));
	seq_release(&report);

	assert_int_not_equal(kmm_user_access(a, &b, 1, false, 0), 0);
	assert_int_equal(current->pending_fatal, SIGBUS);
	assert_non_null(strstr(dmesg_text(), "BUG: Bad page map in process stray"));
	set_pte(get_locked_pte_nolock(current->mm, a), __pte(0));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(file_pte_layout, teardown_machine),
	cmocka_unit_test_teardown(contents_and_errors_match_host, teardown_machine),
	cmocka_unit_test_teardown(one_vma_made_nonlinear, teardown_machine),
	cmocka_unit_test_teardown(accounted_file_gets_a_linear_vma, teardown_machine),
	cmocka_unit_test_teardown(locked_vma_stays_locked, teardown_machine),
	cmocka_unit_test_teardown(offset_limit_per_mode, teardown_machine),
	cmocka_unit_test_teardown(stray_file_pte, teardown_machine),
};

KMM_TEST_MAIN(tests)
