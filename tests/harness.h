/*
 * harness.h - what every C test uses: cmocka, a booted machine per test,
 * catching BUG() and panic, and mm_check() at the end.
 *
 * A test binary runs all its tests, or the one named by its argument
 * (CTest registers each test by name: "dbg.buddy.split_and_merge"); a
 * name that matches no test exits with status 2 and the list of names.
 */
#ifndef KMM_TEST_HARNESS_H
#define KMM_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kmm/kmm.h>
#include <kmm/seq_file.h>

int kmm_test_main(const struct CMUnitTest *tests, size_t n, int argc, char **argv);

#define KMM_TEST_MAIN(tests)							\
	int main(int argc, char **argv)						\
	{									\
		return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv); \
	}

/* Boot (deterministic mode) or fail the test with the boot error. */
void boot_or_fail(const char *cmdline);
/* Boot in parallel mode (this thread becomes CPU 0) or fail the test. */
void boot_parallel(const char *cmdline);
/*
 * Call sites named like the kmm program names script lines: SITE(n) is a
 * kernel-text address that sprint_symbol prints "test:n" once a machine is
 * booted with boot_with_sites().
 */
#define SITE(line)	(0xffffffff81000000UL + (line))
void boot_with_sites(const char *cmdline);

/*
 * How many rounds a parallel test's threads run: @base (a tenth of it
 * under ThreadSanitizer, which runs about ten times slower), fifty times
 * that under make stress (KMM_STRESS=long).
 */
long stress_rounds(long base);
/* Run mm_check(); fail the test, printing the report, on any problem. */
void assert_mm_check(void);
/* Run mm_check(); fail the test unless it reports a problem whose text holds @what. */
void assert_check_reports(const char *what);
/*
 * Shut down if a machine runs (a cmocka teardown).  It fails the test if
 * the lock validator reported anything, unless the test said it expects
 * reports (lockdep_expect_reports): every test runs under the validator
 * and must keep it silent.
 */
int teardown_machine(void **state);
void lockdep_expect_reports(void);

/* The log as dmesg prints it (static buffer). */
const char *dmesg_text(void);
/* The text of a /proc or debugfs file (static buffer, overwritten by the next call). */
const char *proc_text(const char *path);
/*
 * The views a machine and its deferred_init=off oracle must agree on:
 * /proc/buddyinfo, pagetypeinfo, zoneinfo, meminfo and vmstat, and the
 * log if @with_log, " deferred_init=off" removed (malloc()ed).
 */
char *oracle_views(bool with_log);
/* Fail at the first line where @got differs from @want (the full boot's). */
void assert_same_views(const char *what, const char *want, const char *got);
/*
 * This machine's views now (oracle_views) against @saved, taken on the
 * other machine of the pair: @now_is_oracle says this one is the full
 * boot (deferred_init=off).
 */
void assert_views_now(const char *what, const char *saved, bool with_log, bool now_is_oracle);
/* True if the log contains @s. */
int dmesg_has(const char *s);
/* The pages on the buddy lists now (pages on per-CPU lists not counted). */
unsigned long buddy_free_pages(void);
/*
 * The pages on the buddy lists, every CPU's per-CPU lists drained first:
 * an exact count, with no counter deltas in it.
 */
unsigned long free_pages_drained(void);
/*
 * The slab allocator at rest, for "nothing leaked" comparisons: lazy vmap
 * ranges purged, every cache shrunk (per-CPU arrays emptied), then one
 * line "NAME ACTIVE NUM SLABS" per cache of /proc/slabinfo into @buf.
 */
void slab_counts_at_rest(char *buf, size_t size);
/* Can the program read host address @p?  (A pipe's write() says EFAULT if not, without a signal.) */
bool host_accessible(const void *p);
/* A page from the page allocator, zeroed (for hand-built page tables and their data): its physical address. */
u64 zeroed_page_phys(void);
/* The Linux address of a host pointer into a kernel window (vmalloc, pkmap...). */
unsigned long kernel_linux_addr(const void *p);
/* Is there a present 4K kernel PTE at Linux address @addr? */
bool kernel_pte_mapped(unsigned long addr);

/*
 * Run @stmt expecting the simulated kernel to BUG() or panic; fail if it
 * does not.  The machine is shut down afterwards (its state is broken).
 */
extern jmp_buf *kmm_test_trap;
int kmm_test_arm_trap(jmp_buf *jb);
void kmm_test_disarm_trap(void);
#define EXPECT_KERNEL_STOP(stmt)						\
	do {									\
		jmp_buf __jb;							\
		if (!setjmp(__jb)) {						\
			kmm_test_arm_trap(&__jb);				\
			stmt;							\
			kmm_test_disarm_trap();					\
			fail_msg("expected a BUG or panic from: %s", #stmt);	\
		}								\
		kmm_test_disarm_trap();						\
	} while (0)

#endif /* KMM_TEST_HARNESS_H */
