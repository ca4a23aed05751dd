/*
 * test_parallel_turns.c - threads taking turns on one CPU (kmm_cpu_enter,
 * kmm_cpu_leave), as libkmm-malloc.so's threads beyond the machine's CPUs
 * do: each turn runs as the CPU with the thread's own task current there;
 * between turns the task waits on the task list, off any CPU, and the CPU
 * runs its idle task; objects allocated in one thread's turn are freed in
 * another's (the CPU's slab arrays are one per CPU, not per thread); the
 * callers' lock serialises the turns while CPU 0 drains every CPU's lists
 * (a cross-CPU call reaching the shared CPU, whoever runs as it).  Built
 * with the debug checks and under ThreadSanitizer.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/sched.h>
#include <kmm/slab.h>
#include <kmm/smp.h>
#include "hw/cpu.h"
#include "kernel/sched_internal.h"
#include "mm/internal.h"
#include "tests/harness.h"

#define NTHREADS	6
#define SHARED		1		/* the CPU they take turns on */
#define ROUNDS		stress_rounds(3000)
#define POOL		64

static pthread_mutex_t turn = PTHREAD_MUTEX_INITIALIZER;
static void *pool[POOL];		/* objects passed between turns, under turn */
static pid_t pids[NTHREADS];
static pthread_barrier_t between, checked;
static int bad;				/* a turn that saw something wrong */

static void *taker(void *arg)
{
	long id = (long)arg;
	unsigned int seed = (unsigned int)id * 7919u + 1;
	pid_t pid = 0;

	for (long r = 0; r < ROUNDS; r++) {
		int i = rand_r(&seed) % POOL;

		pthread_mutex_lock(&turn);
		if (kmm_cpu_enter(SHARED)) {
			bad = 1;
			pthread_mutex_unlock(&turn);
			break;
		}
		/* Our CPU and our task, the same task every turn. */
		if (smp_processor_id() != SHARED || current == idle_task(SHARED) ||
		    current->cpu != SHARED || (pid && current->pid != pid))
			bad = 1;
		pid = current->pid;
		if (pool[i]) {
			kfree(pool[i]);
			pool[i] = NULL;
		} else {
			pool[i] = kmalloc(16 + rand_r(&seed) % 1000, GFP_KERNEL);
		}
		kmm_cpu_leave();
		pthread_mutex_unlock(&turn);
	}
	__atomic_store_n(&pids[id], pid, __ATOMIC_RELEASE);
	pthread_barrier_wait(&between);		/* CPU 0 looks at the tasks */
	pthread_barrier_wait(&checked);
	/* A last turn: the task leaves the task list (its lock needs a CPU). */
	pthread_mutex_lock(&turn);
	if (!kmm_cpu_enter(SHARED))
		kmm_thread_detach();
	else
		bad = 1;
	pthread_mutex_unlock(&turn);
	return NULL;
}

static void test_threads_take_turns_on_one_cpu(void **state)
{
	pthread_t t[NTHREADS];
	bool done = false;

	bad = 0;
	pthread_barrier_init(&between, NULL, NTHREADS + 1);
	pthread_barrier_init(&checked, NULL, NTHREADS + 1);
	boot_parallel("ram=256M cpus=2 seed=29");
	assert_int_equal(num_online_cpus(), 2);
	for (long i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, taker, (void *)i), 0);
	/* Cross-CPU calls reach CPU 1 whoever runs as it, or nobody. */
	while (!done) {
		drain_all_pages();
		sched_yield();		/* the takers need the host's cores more than CPU 0 does */
		done = true;
		for (int i = 0; i < NTHREADS; i++)
			if (!__atomic_load_n(&pids[i], __ATOMIC_ACQUIRE))
				done = false;
	}
	pthread_barrier_wait(&between);
	assert_int_equal(bad, 0);
	/* Between turns: every task on the list, on no CPU; CPU 1 runs its idle task. */
	for (int i = 0; i < NTHREADS; i++) {
		struct task_struct *p = find_task_by_pid(pids[i]);

		assert_non_null(p);
		assert_int_equal(p->cpu, -1);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(pids[i], pids[j]);
	}
	assert_ptr_equal(hw_cpus[SHARED].curr, idle_task(SHARED));
	assert_false(kmm_cpu_taken(SHARED));
	pthread_barrier_wait(&checked);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(bad, 0);
	/* Each thread's last turn took its task off the list. */
	for (int i = 0; i < NTHREADS; i++)
		assert_null(find_task_by_pid(pids[i]));
	for (int i = 0; i < POOL; i++)
		kfree(pool[i]);
	pthread_barrier_destroy(&between);
	pthread_barrier_destroy(&checked);
	drain_all_pages();
	assert_mm_check();
	kmm_shutdown();
}

/* A CPU another thread runs as cannot be entered (-EBUSY), nor an offline one (-EAGAIN). */
static void *try_enter(void *arg)
{
	long cpu = (long)arg;
	long err = kmm_cpu_enter((int)cpu);

	if (!err)
		kmm_thread_detach();	/* the thread ends: its task leaves the list */
	return (void *)err;
}

static void test_enter_refuses_a_taken_or_offline_cpu(void **state)
{
	pthread_t t;
	void *r;

	boot_parallel("ram=256M cpus=3 maxcpus=2 seed=31");
	assert_int_equal(kmm_cpu_enter(-1), -EINVAL);
	assert_int_equal(kmm_cpu_enter(3), -EINVAL);
	/* CPU 0 is the main thread's own. */
	pthread_create(&t, NULL, try_enter, (void *)0L);
	pthread_join(t, &r);
	assert_int_equal((long)r, -EBUSY);
	pthread_create(&t, NULL, try_enter, (void *)2L);
	pthread_join(t, &r);
	assert_int_equal((long)r, -EAGAIN);
	pthread_create(&t, NULL, try_enter, (void *)1L);
	pthread_join(t, &r);
	assert_int_equal((long)r, 0);
	assert_false(kmm_cpu_taken(1));
	assert_mm_check();
	kmm_shutdown();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_threads_take_turns_on_one_cpu, teardown_machine),
		cmocka_unit_test_teardown(test_enter_refuses_a_taken_or_offline_cpu, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
