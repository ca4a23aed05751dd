/*
 * test_sched.c - tasks and the scheduler in deterministic mode: who runs
 * when, sleeping and waking on every primitive, timeouts on the simulated
 * clock, kernel threads, the hung-task report, and that the same program
 * gives the same interleaving.
 *
 * Each test records what its tasks do, in order, into `events` ("A1" =
 * task A at its step 1), and compares the whole sequence with the one the
 * rules of kernel/sched.c give, derived in the comment above the test:
 *   - a task runs until it sleeps, yields or exits (nothing preempts);
 *   - wake_up_process() only queues the woken task (FIFO, on its CPU);
 *   - the next task is the one that became runnable first, whatever its
 *     CPU (one FIFO over the machine's runqueues);
 *   - when nothing can run, the clock jumps to the next timer.
 */
#include <stdio.h>
#include <string.h>

#include <kmm/bug.h>
#include <kmm/completion.h>
#include <kmm/errno.h>
#include <kmm/jiffies.h>
#include <kmm/kthread.h>
#include <kmm/mutex.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/wait.h>
#include "tests/harness.h"

static char events[512];

static void ev(const char *e)
{
	if (events[0])
		strcat(events, " ");
	strcat(events, e);
}

static void reset_events(void)
{
	events[0] = '\0';
}

/* ---- kernel threads start when the creator lets them ---- */

struct step_args {
	const char *name;	/* "A": records A1, A2 around a yield */
};

static int two_steps(void *data)
{
	struct step_args *a = data;
	char e[8];

	snprintf(e, sizeof(e), "%s1", a->name);
	ev(e);
	yield();
	snprintf(e, sizeof(e), "%s2", a->name);
	ev(e);
	return 0;
}

/*
 * init creates A and B (both queued on CPU 0, in that order) and yields:
 * init goes to the back of the queue: A1, A yields (back of the queue:
 * B, init, A), B1, B yields (init, A, B), init runs ("i"), yields again
 * (A, B, init): A2, A exits, B2, B exits, init.
 */
static void kthreads_run_in_queue_order(void **state)
{
	struct step_args a = { "A" }, b = { "B" };
	struct task_struct *ka, *kb;

	boot_or_fail("ram=32M cpus=2");
	reset_events();
	ka = kthread_run(two_steps, &a, "A");
	kb = kthread_run(two_steps, &b, "B");
	assert_false(IS_ERR(ka));
	assert_false(IS_ERR(kb));
	assert_string_equal(events, "");	/* created, queued, not run yet */
	assert_int_equal(ka->pid, 2);
	assert_int_equal(kb->pid, 3);
	yield();
	ev("i");
	yield();
	ev("i");
	assert_string_equal(events, "A1 B1 i A2 B2 i");
	assert_int_equal(kthread_stop(ka), 0);
	assert_int_equal(kthread_stop(kb), 0);
	assert_null(find_task_by_pid(2));
	assert_mm_check();
}

/*
 * The next task is the one that became runnable first, whatever its CPU:
 * init on CPU 1; A bound to CPU 0, B to CPU 2, C to CPU 1, woken in that
 * order (turns 1, 2, 3).  init yields (turn 4): A1, A yields (5), B1 (6),
 * C1 (7), init: "i".  init sleeps 1 ms: A2, B2, C2, each exiting; nothing
 * runs, the clock jumps to init's timeout: "i".  Each ran on its own CPU.
 */
struct cpu_args {
	const char *name;
	int cpu;		/* the CPU it found itself on, -1 before */
};

static int two_steps_on_cpu(void *data)
{
	struct cpu_args *a = data;
	struct step_args s = { a->name };

	a->cpu = smp_processor_id();
	return two_steps(&s);
}

static void the_next_task_is_the_first_queued_whatever_its_cpu(void **state)
{
	struct cpu_args a = { "A", -1 }, b = { "B", -1 }, c = { "C", -1 };
	struct task_struct *ka, *kb, *kc;

	boot_or_fail("ram=32M cpus=3");
	reset_events();
	kmm_set_cpu(1);
	ka = kthread_create(two_steps_on_cpu, &a, "A");
	kb = kthread_create(two_steps_on_cpu, &b, "B");
	kc = kthread_create(two_steps_on_cpu, &c, "C");
	kthread_bind(ka, 0);
	kthread_bind(kb, 2);
	kthread_bind(kc, 1);
	wake_up_process(ka);
	wake_up_process(kb);
	wake_up_process(kc);
	yield();
	ev("i");
	msleep(1);
	ev("i");
	assert_string_equal(events, "A1 B1 C1 i A2 B2 C2 i");
	assert_int_equal(a.cpu, 0);
	assert_int_equal(b.cpu, 2);
	assert_int_equal(c.cpu, 1);
	assert_int_equal(smp_processor_id(), 1);
	assert_int_equal(kthread_stop(ka), 0);
	assert_int_equal(kthread_stop(kb), 0);
	assert_int_equal(kthread_stop(kc), 0);
}

/* ---- a contended mutex: sleepers queue in order, the holder's release wakes the first ---- */

struct mutex_world {
	struct mutex m;
	const char *name[3];
};

static struct mutex_world mw;

static int take_mutex(void *data)
{
	const char *name = data;
	char e[16];

	snprintf(e, sizeof(e), "%s+", name);
	mutex_lock(&mw.m);
	ev(e);
	snprintf(e, sizeof(e), "%s-", name);
	mutex_unlock(&mw.m);
	ev(e);
	return 0;
}

/*
 * init holds the mutex; A, B, C try it in that order and sleep (D state,
 * in mutex_lock); init's release wakes A only (B and C still sleep).  A
 * runs when init sleeps: A takes it, its release wakes B, and so on: the
 * lock passes in arrival order.
 */
static void mutex_waiters_sleep_and_get_it_in_order(void **state)
{
	struct task_struct *k[3];
	const char *names[3] = { "A", "B", "C" };

	boot_or_fail("ram=32M cpus=1");
	reset_events();
	mutex_init(&mw.m);
	mutex_lock(&mw.m);
	assert_ptr_equal(mutex_owner(&mw.m), current);
	for (int i = 0; i < 3; i++)
		k[i] = kthread_run(take_mutex, (void *)names[i], "%s", names[i]);
	yield();		/* each runs until it sleeps on the mutex */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(k[i]->state, TASK_UNINTERRUPTIBLE);
		assert_string_equal(k[i]->wchan, "mutex_lock");
		assert_ptr_equal(k[i]->wait_object, &mw.m);
	}
	assert_string_equal(events, "");
	mutex_unlock(&mw.m);
	assert_int_equal(k[0]->state, TASK_RUNNING);	/* woken, not running yet */
	assert_int_equal(k[1]->state, TASK_UNINTERRUPTIBLE);
	assert_int_equal(k[2]->state, TASK_UNINTERRUPTIBLE);
	for (int i = 0; i < 3; i++)
		kthread_stop(k[i]);
	assert_string_equal(events, "A+ A- B+ B- C+ C-");
	assert_false(mutex_is_locked(&mw.m));
	assert_null(mutex_owner(&mw.m));
}

/* ---- rwsem: a queued writer holds back later readers; readers are let in together ---- */

static struct rw_semaphore rw;

static int rw_reader(void *data)
{
	char e[16];

	down_read(&rw);
	snprintf(e, sizeof(e), "%s+", (const char *)data);
	ev(e);
	yield();
	snprintf(e, sizeof(e), "%s-", (const char *)data);
	ev(e);
	up_read(&rw);
	return 0;
}

static int rw_writer(void *data)
{
	char e[16];

	down_write(&rw);
	/* (cmocka's asserts belong to the test's own thread: record instead) */
	snprintf(e, sizeof(e), "%s+%s", (const char *)data, rw.owner == current ? "" : "!");
	ev(e);
	snprintf(e, sizeof(e), "%s-", (const char *)data);
	ev(e);
	up_write(&rw);
	return 0;
}

/*
 * init reads.  R1 reads too (no writer queued: it gets in, yields while
 * holding it).  W queues (readers hold it), R2 then queues behind W even
 * though only readers hold it.  init and R1 release: W gets it (granted by
 * R1's up_read), then W's release lets R2 in.
 */
static void rwsem_writer_keeps_later_readers_out(void **state)
{
	struct task_struct *r1, *w, *r2;

	boot_or_fail("ram=32M cpus=1");
	reset_events();
	init_rwsem(&rw);
	down_read(&rw);
	r1 = kthread_run(rw_reader, "R1", "R1");
	w = kthread_run(rw_writer, "W", "W");
	r2 = kthread_run(rw_reader, "R2", "R2");
	yield();	/* R1+ (yields), W sleeps, R2 sleeps, init */
	assert_string_equal(events, "R1+");
	assert_string_equal(w->wchan, "down_write");
	assert_string_equal(r2->wchan, "down_read");
	assert_int_equal(rw.activity, 2);
	up_read(&rw);
	kthread_stop(r1);	/* R1- and its up_read grants W */
	kthread_stop(w);
	kthread_stop(r2);
	assert_string_equal(events, "R1+ R1- W+ W- R2+ R2-");
	assert_false(rwsem_is_locked(&rw));
}

/* ---- completions and wait queues ---- */

static struct completion done;

static int waiter(void *data)
{
	char e[16];

	wait_for_completion(&done);
	snprintf(e, sizeof(e), "%s", (const char *)data);
	ev(e);
	return 0;
}

/*
 * complete() wakes one waiter, the first to wait; a completion made before
 * anyone waits is kept; complete_all() lets everyone through.
 */
static void complete_wakes_one_waiter_in_order(void **state)
{
	struct task_struct *k[3];
	const char *names[3] = { "A", "B", "C" };

	boot_or_fail("ram=32M cpus=1");
	reset_events();
	init_completion(&done);
	for (int i = 0; i < 3; i++)
		k[i] = kthread_run(waiter, (void *)names[i], "%s", names[i]);
	yield();
	assert_string_equal(events, "");
	complete(&done);
	yield();
	assert_string_equal(events, "A");
	complete_all(&done);
	yield();
	assert_string_equal(events, "A B C");
	for (int i = 0; i < 3; i++)
		kthread_stop(k[i]);
	init_completion(&done);
	complete(&done);
	assert_true(try_wait_for_completion(&done));
	assert_false(try_wait_for_completion(&done));
}

static DECLARE_WAIT_QUEUE_HEAD(wq);
static int flag;

static int wait_for_flag(void *data)
{
	wait_event(wq, flag >= 2);
	ev("woke");
	return 0;
}

/* wait_event retests its condition after each wake-up: a wake-up with the condition false sleeps again. */
static void wait_event_sleeps_until_the_condition_holds(void **state)
{
	struct task_struct *k;

	boot_or_fail("ram=32M");
	reset_events();
	flag = 0;
	k = kthread_run(wait_for_flag, NULL, "waiter");
	yield();
	assert_int_equal(k->state, TASK_UNINTERRUPTIBLE);
	assert_true(waitqueue_active(&wq));
	flag = 1;
	wake_up(&wq);
	yield();
	assert_int_equal(k->state, TASK_UNINTERRUPTIBLE);	/* woke, retested, slept */
	assert_string_equal(events, "");
	flag = 2;
	wake_up(&wq);
	yield();
	assert_string_equal(events, "woke");
	assert_false(waitqueue_active(&wq));
	kthread_stop(k);
}

/* ---- time ---- */

static int sleeper(void *data)
{
	unsigned int ms = (unsigned int)(unsigned long)data;
	char e[32];

	msleep(ms);
	snprintf(e, sizeof(e), "%u@%llu", ms, (unsigned long long)(sched_clock() / 1000000));
	ev(e);
	return 0;
}

/*
 * When every task sleeps, the clock jumps to the next timer: sleepers of
 * 30, 10 and 20 ms wake in the order of their deadlines, each at its
 * deadline rounded up to the next tick (4 ms at HZ=250) plus the one tick
 * msleep adds: 10 ms -> 3 ticks + 1 = 16 ms, 20 -> 5 + 1 = 24 ms,
 * 30 -> 8 + 1 = 36 ms.  init sleeps 100 ms: 26 ticks = 104 ms.
 */
static void sleepers_wake_in_deadline_order_on_the_simulated_clock(void **state)
{
	struct task_struct *k[3];
	unsigned long ms[3] = { 30, 10, 20 };
	u64 t0;

	boot_or_fail("ram=32M cpus=2");
	reset_events();
	t0 = sched_clock();
	assert_int_equal(t0 % 4000000, 0);
	for (int i = 0; i < 3; i++)
		k[i] = kthread_run(sleeper, (void *)ms[i], "sleep%lu", ms[i]);
	msleep(100);
	assert_int_equal(sched_clock() - t0, 104000000);
	{
		char want[64];

		snprintf(want, sizeof(want), "10@%llu 20@%llu 30@%llu",
			 (unsigned long long)(t0 / 1000000 + 16), (unsigned long long)(t0 / 1000000 + 24),
			 (unsigned long long)(t0 / 1000000 + 36));
		assert_string_equal(events, want);
	}
	for (int i = 0; i < 3; i++)
		kthread_stop(k[i]);
}

/* wait_event_timeout: 0 after the timeout with the condition false; the time left when woken. */
static void wait_event_timeout_times_out_or_returns_what_is_left(void **state)
{
	long left;
	u64 t0;

	boot_or_fail("ram=32M");
	flag = 0;
	t0 = sched_clock();
	left = wait_event_timeout(wq, flag, 10);
	assert_int_equal(left, 0);
	assert_int_equal(sched_clock() - t0, 10 * TICK_NSEC);
	flag = 1;
	left = wait_event_timeout(wq, flag, 10);	/* already true: no sleep */
	assert_int_equal(left, 10);
	assert_int_equal(sched_clock() - t0, 10 * TICK_NSEC);
}

/* ---- kthread_stop ---- */

static int loop_until_stopped(void *data)
{
	int *rounds = data;

	while (!kthread_should_stop()) {
		(*rounds)++;
		schedule_timeout_uninterruptible(1);
	}
	return 42;
}

static int never_runs(void *data)
{
	fail_msg("a thread stopped before it ran must not run");
	return 0;
}

/*
 * A thread stopped before it ever ran returns -EINTR without running; a
 * looping thread sees kthread_should_stop() and its result comes back.
 */
static void kthread_stop_returns_the_result(void **state)
{
	struct task_struct *k;
	int rounds = 0;

	boot_or_fail("ram=32M");
	k = kthread_create(never_runs, NULL, "never");
	assert_int_equal(k->state, TASK_UNINTERRUPTIBLE);
	assert_int_equal(kthread_stop(k), -EINTR);
	k = kthread_run(loop_until_stopped, &rounds, "looper");
	msleep(20);	/* 6 ticks: the looper runs each tick */
	assert_true(rounds >= 5);
	assert_int_equal(kthread_stop(k), 42);
	assert_true(k != NULL);
}

/* ---- deadlock ---- */

static struct mutex dead_a, dead_b;

static int lock_b_then_a(void *data)
{
	mutex_lock(&dead_b);
	yield();
	mutex_lock(&dead_a);
	return 0;
}

/*
 * init holds A and waits for B; the thread holds B and waits for A: every
 * task sleeps with nothing to wake it.  The clock runs through the
 * periodic timers for khungtaskd's 120 s, then the tasks are reported and
 * the kernel panics.
 */
static void a_deadlock_is_reported_as_hung_tasks(void **state)
{
	struct task_struct *k;

	boot_or_fail("ram=32M");
	mutex_init(&dead_a);
	mutex_init(&dead_b);
	mutex_lock(&dead_a);
	k = kthread_run(lock_b_then_a, NULL, "abba");
	yield();
	assert_ptr_equal(mutex_owner(&dead_b), k);
	lockdep_expect_reports();	/* the validator sees the inversion first */
	EXPECT_KERNEL_STOP(mutex_lock(&dead_b));
	assert_true(dmesg_has("INFO: task init:1 blocked for more than 120 seconds."));
	assert_true(dmesg_has("INFO: task abba:2 blocked for more than 120 seconds."));
	assert_true(dmesg_has("Kernel panic - not syncing: deadlock"));
}

/* A BUG in a kernel thread stops the machine from the thread that booted it. */
static int bug_in_thread(void *data)
{
	BUG();
	return 0;
}

static void a_bug_in_a_kernel_thread_stops_the_machine(void **state)
{
	boot_or_fail("ram=32M");
	kthread_run(bug_in_thread, NULL, "buggy");
	EXPECT_KERNEL_STOP(yield());
	assert_true(dmesg_has("kernel BUG at"));
	assert_true(dmesg_has("Pid: 2, comm: buggy"));
}

/* ---- the same program, the same interleaving ---- */

static int chatter(void *data)
{
	char e[16];

	for (int i = 0; i < 3; i++) {
		snprintf(e, sizeof(e), "%s%d", (const char *)data, i);
		ev(e);
		if (i == 1)
			msleep(4);
		else
			yield();
	}
	return 0;
}

static void run_chatter(char *out)
{
	struct task_struct *k[3];
	const char *names[3] = { "x", "y", "z" };

	boot_or_fail("ram=32M cpus=2 seed=5");
	reset_events();
	for (int i = 0; i < 3; i++) {
		k[i] = kthread_create(chatter, (void *)names[i], "%s", names[i]);
		kthread_bind(k[i], i % 2);
		wake_up_process(k[i]);
	}
	msleep(100);
	for (int i = 0; i < 3; i++)
		assert_int_equal(kthread_stop(k[i]), 0);
	strcpy(out, events);
}

static void the_same_program_interleaves_the_same_way(void **state)
{
	char first[512], second[512];

	run_chatter(first);
	run_chatter(second);
	assert_string_equal(first, second);
	assert_true(strlen(first) > 20);
}

/* ---- the task list ---- */

static void tasks_are_listed_with_pids_in_creation_order(void **state)
{
	struct task_struct *p, *k1, *k2;
	int n = 0;

	boot_or_fail("ram=32M");
	assert_int_equal(current->pid, 1);
	assert_string_equal(current->comm, "init");
	k1 = kthread_create(never_runs, NULL, "first");
	k2 = kthread_create(never_runs, NULL, "second%d", 2);
	for_each_process(p)
		n++;
	assert_int_equal(n, 3);
	assert_ptr_equal(find_task_by_pid(2), k1);
	assert_ptr_equal(find_task_by_pid(3), k2);
	assert_string_equal(k2->comm, "second2");
	assert_true(k1->flags & PF_KTHREAD);
	kthread_stop(k1);
	kthread_stop(k2);
	n = 0;
	for_each_process(p)
		n++;
	assert_int_equal(n, 1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(kthreads_run_in_queue_order, teardown_machine),
		cmocka_unit_test_teardown(the_next_task_is_the_first_queued_whatever_its_cpu, teardown_machine),
		cmocka_unit_test_teardown(mutex_waiters_sleep_and_get_it_in_order, teardown_machine),
		cmocka_unit_test_teardown(rwsem_writer_keeps_later_readers_out, teardown_machine),
		cmocka_unit_test_teardown(complete_wakes_one_waiter_in_order, teardown_machine),
		cmocka_unit_test_teardown(wait_event_sleeps_until_the_condition_holds, teardown_machine),
		cmocka_unit_test_teardown(sleepers_wake_in_deadline_order_on_the_simulated_clock,
					  teardown_machine),
		cmocka_unit_test_teardown(wait_event_timeout_times_out_or_returns_what_is_left,
					  teardown_machine),
		cmocka_unit_test_teardown(kthread_stop_returns_the_result, teardown_machine),
		cmocka_unit_test_teardown(a_deadlock_is_reported_as_hung_tasks, teardown_machine),
		cmocka_unit_test_teardown(a_bug_in_a_kernel_thread_stops_the_machine, teardown_machine),
		cmocka_unit_test_teardown(the_same_program_interleaves_the_same_way, teardown_machine),
		cmocka_unit_test_teardown(tasks_are_listed_with_pids_in_creation_order, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
