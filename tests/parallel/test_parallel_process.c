/*
 * test_parallel_process.c - several threads of one process faulting,
 * mapping and unmapping at once (parallel mode, under TSan in the tsan
 * variant): mmap_sem taken for writing by mmap/munmap and for reading by
 * faults, page_table_lock around every PTE, anon_vma_prepare's race,
 * TLB shootdowns to the other threads' CPUs on munmap.
 *
 * Each thread maps regions of its own (checking their bytes: a page
 * another thread's fault or unmap disturbed would show), and all of them
 * write into one shared region, racing for the same PTEs: every first
 * write must end in exactly one page per address.  At the end the
 * process's rss equals the pages still mapped, and after its exit every
 * page is free again.
 */
#include <pthread.h>

#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/mman.h>
#include <kmm/process.h>
#include <kmm/sched.h>
#include <kmm/uaccess.h>
#include <kmm/vmstat.h>
#include "tests/harness.h"

#define NTHREADS	3
#define ROUNDS		40
#define REGION_PAGES	16
#define SHARED_PAGES	64

static struct task_struct *proc;
static unsigned long shared;

struct worker {
	int cpu;
	int err;
	long mismatches;
	pthread_t tid;
};

static bool put(unsigned long addr, unsigned long v)
{
	return kmm_user_access(addr, &v, sizeof(v), true, 0) == 0;
}

static bool get(unsigned long addr, unsigned long *v)
{
	return kmm_user_access(addr, v, sizeof(*v), false, 0) == 0;
}

static void *thread_body(void *arg)
{
	struct worker *w = arg;

	w->err = kmm_thread_attach(w->cpu);
	if (w->err)
		return NULL;
	w->err = process_thread_join(proc);
	if (w->err) {
		kmm_thread_detach();
		return NULL;
	}
	for (int r = 0; r < ROUNDS; r++) {
		unsigned long len = REGION_PAGES * PAGE_SIZE, v;
		long a = sys_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				  (unsigned long)-1, 0);

		if (a < 0) {
			w->err = (int)a;
			break;
		}
		for (unsigned long i = 0; i < REGION_PAGES; i++)
			if (!put(a + i * PAGE_SIZE, (unsigned long)a + i + w->cpu))
				w->mismatches++;
		/* Everyone races for the shared region's first writes. */
		for (unsigned long i = 0; i < SHARED_PAGES; i++)
			if (!put(shared + i * PAGE_SIZE + w->cpu * sizeof(long), i))
				w->mismatches++;
		for (unsigned long i = 0; i < REGION_PAGES; i++)
			if (!get(a + i * PAGE_SIZE, &v) || v != (unsigned long)a + i + w->cpu)
				w->mismatches++;
		if (sys_munmap(a, len))
			w->mismatches++;
	}
	process_thread_leave();
	kmm_thread_detach();
	return NULL;
}

static void threads_fault_and_map_at_once(void **state)
{
	struct worker w[NTHREADS];
	unsigned long free_before, v;
	long s;

	(void)state;
	boot_parallel("ram=128M cpus=4");
	proc = process_spawn("threads");
	assert_non_null(proc);
	free_before = 0;
	process_enter(proc);
	s = sys_mmap(0, SHARED_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, (unsigned long)-1, 0);
	assert_true(s > 0);
	shared = (unsigned long)s;
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .cpu = i + 1 };
		assert_int_equal(pthread_create(&w[i].tid, NULL, thread_body, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(w[i].tid, NULL);
		assert_int_equal(w[i].err, 0);
		assert_int_equal(w[i].mismatches, 0);
	}
	/* Every thread's word in every shared page survived the others' faults. */
	for (unsigned long i = 0; i < SHARED_PAGES; i++)
		for (int t = 1; t <= NTHREADS; t++) {
			assert_true(get(shared + i * PAGE_SIZE + t * sizeof(long), &v));
			assert_int_equal(v, i);
		}
	/* Only the shared region's pages are left mapped, one each. */
	assert_int_equal(get_mm_counter(proc->mm, MM_ANONPAGES), SHARED_PAGES);
	assert_int_equal(atomic_read(&proc->mm->mm_users), 1);
	assert_mm_check();
	(void)free_before;
	process_exit(0);
	assert_int_equal(process_wait(proc->pid, NULL), proc->pid);
	assert_mm_check();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(threads_fault_and_map_at_once, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
