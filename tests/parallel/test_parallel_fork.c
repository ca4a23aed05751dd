/*
 * test_parallel_fork.c - the machine across the host's fork() (hw/fork.h),
 * and the timers run from several threads at once (kernel/timer.c).
 *
 * While worker threads allocate and free on their own CPUs, the main
 * thread freezes the CPUs, copies RAM and forks.  The child must see the
 * parent's memory as it was, be able to change it without the parent
 * seeing the change, allocate on a machine whose every structure is
 * consistent, and find the workers' CPUs free.  The workers allocate with
 * GFP_NOWAIT, as libkmm-malloc.so does, so each kernel call is one
 * interrupts-disabled section, the CPUs stop between two of them, and the
 * copy holds nothing half-built: mm_check() in the child, counters
 * included, is clean.  Built with the debug checks and under TSan.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/slab.h>
#include <kmm/timer.h>
#include "hw/cpu.h"
#include "hw/fork.h"
#include "tests/harness.h"

#define NWORKERS	3
#define SLOTS		64

static int stop_workers;

struct worker {
	int cpu;
	int attach_err;
	pthread_t tid;
	bool run_timers;
};

/*
 * Pages and kmalloc objects, allocated and freed at random until told to
 * stop, with GFP_NOWAIT as libkmm-malloc.so allocates: each kernel call is
 * then one interrupts-disabled section, and a freeze finds the CPU between
 * two of them.
 */
static void *churn(void *arg)
{
	struct worker *w = arg;
	struct page *pages[SLOTS] = { 0 };
	void *objs[SLOTS] = { 0 };
	unsigned int x = w->cpu * 2654435761u + 1;

	w->attach_err = kmm_thread_attach(w->cpu);
	if (w->attach_err)
		return NULL;
	while (!__atomic_load_n(&stop_workers, __ATOMIC_ACQUIRE)) {
		int i = (x = x * 1103515245 + 12345) % SLOTS;

		if (pages[i]) {
			__free_pages(pages[i], (i & 3));
			pages[i] = NULL;
		} else {
			pages[i] = alloc_pages(GFP_NOWAIT | __GFP_NOWARN, (i & 3));
		}
		kfree(objs[i]);
		objs[i] = kmalloc((x >> 8) % 3000 + 1, GFP_NOWAIT | __GFP_NOWARN);
		if (w->run_timers && !(x & 255))
			timers_run_due();
	}
	for (int i = 0; i < SLOTS; i++) {
		if (pages[i])
			__free_pages(pages[i], (i & 3));
		kfree(objs[i]);
	}
	kmm_thread_detach();
	return NULL;
}

static void start(struct worker *w, bool run_timers)
{
	__atomic_store_n(&stop_workers, 0, __ATOMIC_RELEASE);
	for (int i = 0; i < NWORKERS; i++) {
		w[i] = (struct worker){ .cpu = i + 1, .run_timers = run_timers };
		assert_int_equal(pthread_create(&w[i].tid, NULL, churn, &w[i]), 0);
	}
}

static void stop(struct worker *w)
{
	__atomic_store_n(&stop_workers, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < NWORKERS; i++) {
		pthread_join(w[i].tid, NULL);
		assert_int_equal(w[i].attach_err, 0);
	}
}

/* The child's side; its exit status says what went wrong (0: nothing). */
static int child(char *mine)
{
	struct seq_file m;
	struct page *page;
	int problems;

	if (hw_fork_child())
		return 2;
	if (mine[0] != 'P' || mine[PAGE_SIZE - 1] != 'P')
		return 3;
	memset(mine, 'C', PAGE_SIZE);
	for (int cpu = 1; cpu <= NWORKERS; cpu++)
		if (hw_cpus[cpu].owner)
			return 4;
	page = alloc_pages(GFP_KERNEL, 2);
	if (!page)
		return 5;
	memset(page_address(page), 'c', 4 * PAGE_SIZE);
	__free_pages(page, 2);
	kfree(kmalloc(100, GFP_KERNEL));
	seq_init(&m);
	problems = mm_check(&m);
	if (problems && m.buf && write(2, m.buf, m.count) < 0)
		problems++;
	seq_release(&m);
	return problems ? 6 : 0;
}

static void fork_child_gets_its_own_ram(void **state)
{
	struct worker w[NWORKERS];
	struct page *page;
	char *mine;

	boot_parallel("ram=128M cpus=4");
	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	mine = page_address(page);
	memset(mine, 'P', PAGE_SIZE);
	start(w, false);
	for (int n = 0; n < 4; n++) {
		int status;
		pid_t pid;

		assert_int_equal(hw_fork_prepare(), 0);
		assert_true(hw_fork_copied > 0);
		pid = fork();
		if (pid == 0)
			_exit(child(mine));
		hw_fork_parent();
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		assert_int_equal(mine[0], 'P');
		assert_int_equal(mine[PAGE_SIZE - 1], 'P');
	}
	stop(w);
	__free_page(page);
	assert_mm_check();
}

/* Several threads ask for the due timers while another advances the clock. */
static void timers_from_many_threads(void **state)
{
	struct worker w[NWORKERS];

	boot_parallel("ram=128M cpus=4");
	start(w, true);
	for (int i = 0; i < 200; i++)
		kmm_advance_clock(20 * 1000 * 1000);
	stop(w);
	assert_mm_check();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(fork_child_gets_its_own_ram, teardown_machine),
		cmocka_unit_test_teardown(timers_from_many_threads, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
