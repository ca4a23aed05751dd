/*
 * test_parallel_locks.c - spinlocks, mutexes, rwsems, completions, wait
 * queues and kernel threads in parallel mode: each host thread is a task
 * on a CPU of its own, and a task that blocks really sleeps (its thread
 * parks until a waker resumes it).  Mutual exclusion (a counter updated
 * with plain loads and stores must come out exact), readers sharing and
 * writers excluding everyone, no lost wakeups.
 *
 * Under ThreadSanitizer any missing ordering in the locks shows up as a
 * race on the data they protect.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kmm/completion.h>
#include <kmm/kthread.h>
#include <kmm/mutex.h>
#include <kmm/rwsem.h>
#include <kmm/spinlock.h>
#include <kmm/wait.h>
#include "hw/cpu.h"
#include "tests/harness.h"

#define NTHREADS	4
/* Iterations per thread (fewer under TSan, more under make stress); set in main(). */
static long iters;
#define ITERS		iters

/* The threads start together (a barrier), so that they contend. */
static pthread_barrier_t start;

struct start_arg {
	void *(*fn)(void *);
	void *arg;
};

/* Each thread runs as a task on a CPU of its own (its own attach). */
static void *started(void *p)
{
	struct start_arg *s = p;
	void *ret;

	assert_int_equal(kmm_thread_attach(-1), 0);
	pthread_barrier_wait(&start);
	ret = s->fn(s->arg);
	kmm_thread_detach();
	return ret;
}

static void run_threads(void *(*fn)(void *), void *arg, int n)
{
	pthread_t t[NTHREADS];
	struct start_arg s = { fn, arg };

	pthread_barrier_init(&start, NULL, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(pthread_create(&t[i], NULL, started, &s), 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	pthread_barrier_destroy(&start);
}

/* Parallel mode: this thread is CPU 0, the workers and kernel threads take the others. */
static void boot_for_threads(void)
{
	boot_parallel("ram=64M cpus=8");
}

/* ---- spinlock ---- */

struct counted_spin {
	spinlock_t lock;
	long counter;
};

static void *spin_worker(void *arg)
{
	struct counted_spin *c = arg;
	unsigned long flags;

	for (int i = 0; i < ITERS; i++) {
		spin_lock_irqsave(&c->lock, flags);
		c->counter++;
		spin_unlock_irqrestore(&c->lock, flags);
	}
	return NULL;
}

static void test_spinlock_excludes(void **state)
{
	struct counted_spin c = { .counter = 0 };

	boot_for_threads();
	spin_lock_init(&c.lock);
	run_threads(spin_worker, &c, NTHREADS);
	assert_int_equal(c.counter, (long)NTHREADS * ITERS);
	assert_false(spin_is_locked(&c.lock));
}

/*
 * Two CPUs' idle tasks, both pid 0, on one lock: the second waits for the
 * first, it is not "recursion".  (A thread attaching as a CPU runs as that
 * CPU's idle task while it takes tasklist_lock to get its own pid: four
 * threads attaching together hit this.)
 */
struct idle_pair {
	spinlock_t lock;
	int held, asking;
	long counter;
};

static void *idle_holder(void *arg)
{
	struct idle_pair *p = arg;

	assert_int_equal(hw_cpu_attach(1), 0);
	assert_int_equal(current->pid, 0);
	spin_lock(&p->lock);
	__atomic_store_n(&p->held, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&p->asking, __ATOMIC_ACQUIRE))
		sched_yield();
	usleep(20000);		/* the other CPU is at its spin_lock() by now */
	p->counter++;
	spin_unlock(&p->lock);
	hw_cpu_detach();
	return NULL;
}

static void test_idle_tasks_of_two_cpus_contend(void **state)
{
	struct idle_pair p = { .held = 0 };
	pthread_t t;

	boot_for_threads();
	spin_lock_init(&p.lock);
	assert_int_equal(pthread_create(&t, NULL, idle_holder, &p), 0);
	while (!__atomic_load_n(&p.held, __ATOMIC_ACQUIRE))
		sched_yield();
	/* This thread, CPU 0, runs as CPU 2's idle task. */
	assert_int_equal(kmm_set_cpu(2), 0);
	assert_int_equal(current->pid, 0);
	__atomic_store_n(&p.asking, 1, __ATOMIC_RELEASE);
	spin_lock(&p.lock);
	assert_int_equal(p.counter, 1);
	spin_unlock(&p.lock);
	assert_int_equal(kmm_set_cpu(0), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
}

/* Threads attaching together (each takes tasklist_lock as its CPU's idle task). */
static void *attached(void *arg)
{
	return arg;
}

static void test_threads_attach_together(void **state)
{
	boot_for_threads();
	for (int round = 0; round < 50; round++)
		run_threads(attached, NULL, NTHREADS);
}

/* ---- mutex ---- */

struct counted_mutex {
	struct mutex lock;
	long counter;
	int inside;		/* threads inside the critical section */
	int max_inside;
	int trylock_failed;
};

static void *mutex_worker(void *arg)
{
	struct counted_mutex *c = arg;

	for (int i = 0; i < ITERS / 4; i++) {
		if (i % 16 == 0) {
			if (!mutex_trylock(&c->lock)) {
				__atomic_add_fetch(&c->trylock_failed, 1, __ATOMIC_RELAXED);
				continue;
			}
		} else {
			mutex_lock(&c->lock);
		}
		if (++c->inside > c->max_inside)
			c->max_inside = c->inside;
		c->counter++;
		c->inside--;
		mutex_unlock(&c->lock);
	}
	return NULL;
}

static void test_mutex_excludes(void **state)
{
	struct counted_mutex c;

	boot_for_threads();
	mutex_init(&c.lock);
	c.counter = 0;
	c.inside = c.max_inside = c.trylock_failed = 0;
	run_threads(mutex_worker, &c, NTHREADS);
	/* Every iteration counted once, except the trylocks that found it held. */
	assert_int_equal(c.counter, (long)NTHREADS * (ITERS / 4) - c.trylock_failed);
	assert_int_equal(c.max_inside, 1);
	assert_false(mutex_is_locked(&c.lock));
	assert_true(list_empty(&c.lock.wait_list));
}

/* How many tasks wait for @lock. */
static int mutex_waiters(struct mutex *lock)
{
	int n;

	spin_lock(&lock->wait_lock);
	n = (int)list_count(&lock->wait_list);
	spin_unlock(&lock->wait_lock);
	return n;
}

/* A holder that sleeps while others queue: they must all get through. */
struct slow_holder {
	struct mutex lock;
	struct completion held;
	int order[NTHREADS + 1];
	int n;
};

static void *queue_behind(void *arg)
{
	struct slow_holder *s = arg;

	assert_int_equal(kmm_thread_attach(-1), 0);
	wait_for_completion(&s->held);	/* complete_all: every thread passes */
	mutex_lock(&s->lock);
	s->order[s->n++] = 1;
	mutex_unlock(&s->lock);
	kmm_thread_detach();
	return NULL;
}

/* Every task waiting for @lock sleeps (its thread parked), in mutex_lock. */
static bool waiters_asleep(struct mutex *lock, int n)
{
	struct task_struct *p;
	int asleep = 0;

	for_each_process(p)
		if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == TASK_UNINTERRUPTIBLE &&
		    __atomic_load_n(&p->wait_object, __ATOMIC_RELAXED) == lock)
			asleep++;
	return asleep == n;
}

static void test_mutex_waiters_all_wake(void **state)
{
	struct slow_holder s = { .n = 0 };
	pthread_t t[NTHREADS];

	boot_for_threads();
	mutex_init(&s.lock);
	init_completion(&s.held);
	mutex_lock(&s.lock);
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, queue_behind, &s), 0);
	complete_all(&s.held);
	/* Let the others reach the lock and go to sleep on it. */
	for (int spins = 0; spins < 1000000 &&
			(mutex_waiters(&s.lock) < NTHREADS || !waiters_asleep(&s.lock, NTHREADS));
	     spins++)
		sched_yield();
	assert_int_equal(mutex_waiters(&s.lock), NTHREADS);
	s.order[s.n++] = 0;
	mutex_unlock(&s.lock);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(s.n, NTHREADS + 1);
	assert_int_equal(s.order[0], 0);	/* the holder went first */
	assert_true(completion_done(&s.held));
}

/* ---- rwsem ---- */

struct rw_data {
	struct rw_semaphore sem;
	long value[8];		/* writers keep all equal; readers check it */
	int readers_inside, max_readers, writers_inside;
	long torn, writes;
};

static void *rw_worker(void *arg)
{
	struct rw_data *d = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;

	for (int i = 0; i < ITERS / 8; i++) {
		if (rand_r(&seed) % 8 == 0) {
			down_write(&d->sem);
			if (__atomic_add_fetch(&d->writers_inside, 1, __ATOMIC_RELAXED) != 1 ||
			    __atomic_load_n(&d->readers_inside, __ATOMIC_RELAXED))
				__atomic_add_fetch(&d->torn, 1, __ATOMIC_RELAXED);
			for (int k = 0; k < 8; k++)
				d->value[k]++;
			d->writes++;
			if (rand_r(&seed) % 4 == 0) {
				/* Downgrade: still no writer may get in while we read. */
				__atomic_sub_fetch(&d->writers_inside, 1, __ATOMIC_RELAXED);
				__atomic_add_fetch(&d->readers_inside, 1, __ATOMIC_RELAXED);
				downgrade_write(&d->sem);
				for (int k = 1; k < 8; k++)
					if (d->value[k] != d->value[0])
						__atomic_add_fetch(&d->torn, 1, __ATOMIC_RELAXED);
				__atomic_sub_fetch(&d->readers_inside, 1, __ATOMIC_RELAXED);
				up_read(&d->sem);
				continue;
			}
			__atomic_sub_fetch(&d->writers_inside, 1, __ATOMIC_RELAXED);
			up_write(&d->sem);
		} else {
			int r;

			down_read(&d->sem);
			r = __atomic_add_fetch(&d->readers_inside, 1, __ATOMIC_RELAXED);
			if (__atomic_load_n(&d->writers_inside, __ATOMIC_RELAXED))
				__atomic_add_fetch(&d->torn, 1, __ATOMIC_RELAXED);
			for (int k = 1; k < 8; k++)
				if (d->value[k] != d->value[0])
					__atomic_add_fetch(&d->torn, 1, __ATOMIC_RELAXED);
			int m = __atomic_load_n(&d->max_readers, __ATOMIC_RELAXED);
			while (r > m && !__atomic_compare_exchange_n(&d->max_readers, &m, r, true,
								     __ATOMIC_RELAXED, __ATOMIC_RELAXED))
				;
			__atomic_sub_fetch(&d->readers_inside, 1, __ATOMIC_RELAXED);
			up_read(&d->sem);
		}
	}
	return NULL;
}

static void test_rwsem_readers_share_writers_exclude(void **state)
{
	struct rw_data d = { 0 };

	boot_for_threads();
	init_rwsem(&d.sem);
	run_threads(rw_worker, &d, NTHREADS);
	assert_int_equal(d.torn, 0);
	assert_true(d.writes > 0);
	assert_int_equal(d.value[0], d.writes);
	assert_false(rwsem_is_locked(&d.sem));
}

static void test_rwsem_trylock_rules(void **state)
{
	struct rw_semaphore sem;

	boot_for_threads();
	init_rwsem(&sem);
	assert_true(down_read_trylock(&sem));
	assert_true(down_read_trylock(&sem));
	assert_false(down_write_trylock(&sem));
	up_read(&sem);
	up_read(&sem);
	assert_true(down_write_trylock(&sem));
	assert_false(down_read_trylock(&sem));
	assert_false(down_write_trylock(&sem));
	downgrade_write(&sem);
	assert_true(down_read_trylock(&sem));
	assert_false(down_write_trylock(&sem));
	up_read(&sem);
	up_read(&sem);
	assert_false(rwsem_is_locked(&sem));
}

/* ---- completion: counted handoffs, none lost ---- */

struct pingpong {
	struct completion ping, pong;
	long rounds;
};

static void *ponger(void *arg)
{
	struct pingpong *p = arg;

	assert_int_equal(kmm_thread_attach(-1), 0);
	for (long i = 0; i < p->rounds; i++) {
		wait_for_completion(&p->ping);
		complete(&p->pong);
	}
	kmm_thread_detach();
	return NULL;
}

static void test_completion_pingpong(void **state)
{
	struct pingpong p = { .rounds = ITERS / 20 };
	pthread_t t;

	boot_for_threads();
	init_completion(&p.ping);
	init_completion(&p.pong);
	assert_false(try_wait_for_completion(&p.pong));
	assert_int_equal(pthread_create(&t, NULL, ponger, &p), 0);
	for (long i = 0; i < p.rounds; i++) {
		complete(&p.ping);
		wait_for_completion(&p.pong);
	}
	pthread_join(t, NULL);
	assert_false(completion_done(&p.ping));
	assert_false(completion_done(&p.pong));
}

/* complete() before the wait counts: n completions let exactly n waits through. */
static void test_completion_counts(void **state)
{
	struct completion c;

	boot_for_threads();
	init_completion(&c);
	complete(&c);
	complete(&c);
	assert_true(try_wait_for_completion(&c));
	assert_true(try_wait_for_completion(&c));
	assert_false(try_wait_for_completion(&c));
	complete_all(&c);
	for (int i = 0; i < 100; i++)
		assert_true(try_wait_for_completion(&c));
	init_completion(&c);
	assert_false(completion_done(&c));
}

/* ---- wait queues and kernel threads ---- */

/*
 * A kernel thread consumes tokens the main task produces one at a time,
 * each handed over through a wait queue in both directions: a lost
 * wake-up would hang one side.  It stops when told; kthread_stop() returns
 * how many it took.
 */
struct tokens {
	wait_queue_head_t produced, consumed;
	long available;
	long taken;
};

static int consumer(void *data)
{
	struct tokens *t = data;

	for (;;) {
		wait_event(t->produced, __atomic_load_n(&t->available, __ATOMIC_ACQUIRE) > 0 ||
					kthread_should_stop());
		if (!__atomic_load_n(&t->available, __ATOMIC_ACQUIRE))
			break;
		__atomic_sub_fetch(&t->available, 1, __ATOMIC_RELEASE);
		t->taken++;
		wake_up(&t->consumed);
	}
	return (int)t->taken;
}

static void test_kthread_and_wait_queues_lose_no_wakeup(void **state)
{
	struct tokens t = { .available = 0, .taken = 0 };
	long rounds = ITERS / 20;
	struct task_struct *k;

	boot_for_threads();
	init_waitqueue_head(&t.produced);
	init_waitqueue_head(&t.consumed);
	k = kthread_run(consumer, &t, "consumer");
	assert_false(IS_ERR(k));
	for (long i = 0; i < rounds; i++) {
		__atomic_add_fetch(&t.available, 1, __ATOMIC_RELEASE);
		wake_up(&t.produced);
		wait_event(t.consumed, __atomic_load_n(&t.available, __ATOMIC_ACQUIRE) == 0);
	}
	assert_int_equal(kthread_stop(k), rounds);
	assert_int_equal(t.taken, rounds);
}

/* A parallel-mode timeout sleeps on the host's clock and comes back with nothing left. */
static void test_schedule_timeout_sleeps_for_real(void **state)
{
	u64 t0;
	long left;

	boot_for_threads();
	t0 = kmm_clock_ns();
	left = schedule_timeout_uninterruptible(2);	/* 2 jiffies: 8 ms */
	assert_int_equal(left, 0);
	assert_true(kmm_clock_ns() - t0 >= 8000000);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_spinlock_excludes, teardown_machine),
		cmocka_unit_test_teardown(test_idle_tasks_of_two_cpus_contend, teardown_machine),
		cmocka_unit_test_teardown(test_threads_attach_together, teardown_machine),
		cmocka_unit_test_teardown(test_mutex_excludes, teardown_machine),
		cmocka_unit_test_teardown(test_mutex_waiters_all_wake, teardown_machine),
		cmocka_unit_test_teardown(test_rwsem_readers_share_writers_exclude, teardown_machine),
		cmocka_unit_test_teardown(test_rwsem_trylock_rules, teardown_machine),
		cmocka_unit_test_teardown(test_completion_pingpong, teardown_machine),
		cmocka_unit_test_teardown(test_completion_counts, teardown_machine),
		cmocka_unit_test_teardown(test_kthread_and_wait_queues_lose_no_wakeup,
					  teardown_machine),
		cmocka_unit_test_teardown(test_schedule_timeout_sleeps_for_real, teardown_machine),
	};

	iters = stress_rounds(200000);
	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
