/* harness.c - see harness.h. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kmm/bug.h>
#include <kmm/gfp.h>
#include <kmm/lockdep.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/printk.h>
#include <kmm/procfs.h>
#include <kmm/sched.h>
#include <kmm/slab.h>
#include <kmm/pgtable.h>
#include <kmm/vmalloc.h>
#include "arch/x86/kernel_map.h"
#include "tests/harness.h"

jmp_buf *kmm_test_trap;

static void trap_bug(const char *file, int line)
{
	if (kmm_test_trap) {
		jmp_buf *jb = kmm_test_trap;

		kmm_test_trap = NULL;
		longjmp(*jb, 1);
	}
	fail_msg("unexpected kernel BUG at %s:%d\n%s", file, line, dmesg_text());
}

static void trap_panic(const char *msg)
{
	if (kmm_test_trap) {
		jmp_buf *jb = kmm_test_trap;

		kmm_test_trap = NULL;
		longjmp(*jb, 1);
	}
	fail_msg("unexpected kernel panic: %s", msg);
}

int kmm_test_arm_trap(jmp_buf *jb)
{
	kmm_test_trap = jb;
	return 0;
}

void kmm_test_disarm_trap(void)
{
	kmm_test_trap = NULL;
}

void boot_or_fail(const char *cmdline)
{
	if (kmm_booted())
		kmm_shutdown();
	if (kmm_boot(cmdline, KMM_BOOT_DETERMINISTIC))
		fail_msg("boot \"%s\" failed: %s", cmdline, kmm_error_msg());
}

void boot_parallel(const char *cmdline)
{
	if (kmm_booted())
		kmm_shutdown();
	if (kmm_boot(cmdline, 0))
		fail_msg("boot \"%s\" failed: %s", cmdline, kmm_error_msg());
}

long stress_rounds(long base)
{
	const char *s = getenv("KMM_STRESS");

#if defined(__SANITIZE_THREAD__)
	base /= 10;
#endif
	return s && !strcmp(s, "long") ? 50 * base : base;
}

void assert_mm_check(void)
{
	struct seq_file report;
	int problems;

	seq_init(&report);
	problems = mm_check(&report);
	if (problems)
		fail_msg("mm_check: %d problem(s):\n%s", problems, report.buf);
	seq_release(&report);
}

static bool lock_reports_expected;

void lockdep_expect_reports(void)
{
	lock_reports_expected = true;
}

int teardown_machine(void **state)
{
	int ret = 0;

	if (kmm_booted()) {
		if (lockdep_reports() && !lock_reports_expected) {
			print_error("the lock validator reported:\n%s", dmesg_text());
			ret = -1;
		}
		kmm_shutdown();
	}
	lock_reports_expected = false;
	return ret;
}

const char *dmesg_text(void)
{
	static char *buf;
	size_t n = log_buf_read(NULL, 0);

	free(buf);
	buf = malloc(n + 1);
	log_buf_read(buf, n + 1);
	return buf;
}

int dmesg_has(const char *s)
{
	return strstr(dmesg_text(), s) != NULL;
}

bool host_accessible(const void *p)
{
	int fds[2];
	bool ok;

	if (pipe(fds))
		fail_msg("pipe: no file descriptors left");
	ok = write(fds[1], p, 1) == 1;
	close(fds[0]);
	close(fds[1]);
	return ok;
}

u64 zeroed_page_phys(void)
{
	struct page *page = alloc_page(GFP_KERNEL);
	u64 pa;

	if (!page)
		fail_msg("no page for a page table");
	pa = page_to_phys(page);
	memset(page_address(page), 0, PAGE_SIZE);
	return pa;
}

unsigned long buddy_free_pages(void)
{
	unsigned long n = 0;
	struct zone *zone;

	for_each_populated_zone(zone)
		for (int o = 0; o < MAX_ORDER; o++)
			n += zone->free_area[o].nr_free << o;
	return n;
}

unsigned long free_pages_drained(void)
{
	drain_all_pages();
	return buddy_free_pages();
}

void slab_counts_at_rest(char *buf, size_t size)
{
	char text[32768];
	size_t n = 0;

	vm_unmap_aliases();
	snprintf(text, sizeof(text), "%s", proc_text("/proc/slabinfo"));
	for (const char *line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		char name[64];

		if (line[1] != '#' && sscanf(line + 1, "%63s", name) == 1)
			kmem_cache_shrink(kmem_cache_find(name));
	}
	drain_all_pages();
	buf[0] = '\0';
	snprintf(text, sizeof(text), "%s", proc_text("/proc/slabinfo"));
	for (const char *line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		char name[64];
		unsigned long active, num, slabs;

		if (line[1] == '#')
			continue;
		assert_int_equal(sscanf(line + 1, "%63s %lu %lu %*u %*u %*u : tunables %*u %*u %*u"
					" : slabdata %*u %lu", name, &active, &num, &slabs), 4);
		n += (size_t)snprintf(buf + n, size - n, "%s %lu %lu %lu\n", name, active, num, slabs);
	}
}

static int resolve_site(char *buf, size_t size, unsigned long addr)
{
	if (addr < SITE(0) || addr > SITE(100000))
		return 0;
	return snprintf(buf, size, "test:%lu", addr - SITE(0));
}

void boot_with_sites(const char *cmdline)
{
	boot_or_fail(cmdline);
	kallsyms_set_resolver(resolve_site);
}

const char *proc_text(const char *path)
{
	static struct seq_file m;

	seq_release(&m);
	if (proc_read(path, &m))
		fail_msg("cannot read %s", path);
	return m.buf ? m.buf : "";
}

void assert_check_reports(const char *what)
{
	struct seq_file report;

	seq_init(&report);
	if (!mm_check(&report) || !strstr(report.buf, what))
		fail_msg("mm_check did not report \"%s\":\n%s", what, report.buf ? report.buf : "");
	seq_release(&report);
}

char *oracle_views(bool with_log)
{
	static const char *const files[] = {
		"/proc/buddyinfo", "/proc/pagetypeinfo", "/proc/zoneinfo", "/proc/meminfo",
		"/proc/vmstat",
	};
	const size_t nfiles = sizeof(files) / sizeof(files[0]);
	size_t cap = 1 << 20, len = 0;
	char *out = malloc(cap), *p;

	for (size_t i = 0; i < nfiles + with_log; i++) {
		const char *text = i < nfiles ? proc_text(files[i]) : dmesg_text();
		size_t n = strlen(text);

		while (len + n + 1 > cap)
			out = realloc(out, cap *= 2);
		memcpy(out + len, text, n + 1);
		len += n;
	}
	while ((p = strstr(out, " deferred_init=off")))
		memmove(p, p + strlen(" deferred_init=off"), strlen(p + strlen(" deferred_init=off")) + 1);
	return out;
}

void assert_same_views(const char *what, const char *want, const char *got)
{
	size_t line = 1;
	const char *a = want, *b = got;

	while (*a && *a == *b) {
		line += *a == '\n';
		a++, b++;
	}
	if (*a || *b)
		fail_msg("%s differ at line %zu:\n  full boot: %.100s\n  deferred:  %.100s", what, line,
			 a, b);
}

void assert_views_now(const char *what, const char *saved, bool with_log, bool now_is_oracle)
{
	char *now = oracle_views(with_log);

	if (now_is_oracle)
		assert_same_views(what, now, saved);
	else
		assert_same_views(what, saved, now);
	free(now);
}

/*
 * Run every test, or those whose name matches argv[1] (cmocka's filter: an
 * exact name, or a pattern with * and ?).  A name that matches no test is
 * an error, not an empty run: a typo in a CTest registration or on the
 * command line must not pass silently.
 */
int kmm_test_main(const struct CMUnitTest *tests, size_t n, int argc, char **argv)
{
	bug_set_hook(trap_bug);
	kmm_set_panic_hook(trap_panic);
	if (argc > 2) {
		fprintf(stderr, "usage: %s [TEST]\n", argv[0]);
		return 2;
	}
	if (argc == 2) {
		size_t matched = 0;

		for (size_t i = 0; i < n; i++)
			if (!fnmatch(argv[1], tests[i].name, 0))
				matched++;
		if (!matched) {
			fprintf(stderr, "%s: no test named \"%s\"; the tests are:\n", argv[0], argv[1]);
			for (size_t i = 0; i < n; i++)
				fprintf(stderr, "  %s\n", tests[i].name);
			return 2;
		}
		cmocka_set_test_filter(argv[1]);
	}
	return _cmocka_run_group_tests(argv[0], tests, n, NULL, NULL);
}

unsigned long kernel_linux_addr(const void *p)
{
	return kernel_window_addr(p);
}

bool kernel_pte_mapped(unsigned long addr)
{
	unsigned int level;
	pte_t *pte = lookup_address(addr, &level);

	return pte && level == PG_LEVEL_4K && pte_present(ptep_get(pte));
}
