/*
 * sched.c - the scheduler: who runs, in both modes (see sched.h).
 *
 * Deterministic mode.  Exactly one task runs on the whole machine (it
 * holds the baton of hw/context.h).  Each CPU has a runqueue: a FIFO of
 * the tasks that are runnable there but not running.  A task gives up the
 * machine only in schedule() (it sleeps) or yield() (it queues itself at
 * the back), and the next task is the one that has waited longest among
 * the heads of all the runqueues (each queued task carries the number of
 * its turn): one FIFO over the machine, so every CPU's tasks get their
 * turns as if the CPUs ran side by side.  wake_up_process() only queues:
 * the waker goes on.  When nothing is runnable the machine is
 * idle and the clock jumps to the next timer, whose work may wake a task
 * (a schedule_timeout() sleeper, say).  If every task sleeps with no
 * timeout and nothing wakes them for HUNG_TASK_TIMEOUT of simulated time,
 * the tasks are reported as hung (khungtaskd's report, with the locks
 * they hold) and the kernel panics: it is a deadlock.
 *
 * Parallel mode.  Every running task is a host thread on a CPU of its
 * own; schedule() parks the thread until a waker sets the task running
 * again and resumes it.  Runqueues stay empty.
 *
 * The task state is the handshake in both modes: a sleeper sets it before
 * it tests its condition (wait.h), a waker changes it to TASK_RUNNING with
 * a compare-and-swap after changing the condition, and schedule() sleeps
 * only while the state is not TASK_RUNNING.
 */
#include <kmm/bug.h>
#include <kmm/jiffies.h>
#include <kmm/kernel.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/seq_file.h>
#include <kmm/spinlock.h>
#include <kmm/timer.h>
#include "hw/clock.h"
#include "hw/context.h"
#include "hw/cpu.h"
#include "hw/machine.h"
#include "kernel/sched_internal.h"
#include "lib/hooks.h"

#define HUNG_TASK_TIMEOUT	120	/* seconds: khungtaskd's default */

struct rq {
	struct list_head queue;		/* deterministic: runnable, waiting for the CPU,
					 * in increasing task->queued_at */
	unsigned long nr_running;	/* on the queue */
	unsigned long nr_switches;
	struct task_struct *idle;
};

static struct {
	struct rq rq[NR_CPUS];
	struct task_struct *running;	/* deterministic: the one task that runs */
	struct list_head dead;		/* exited tasks whose threads are to be reaped */
	u64 turn;			/* deterministic: the next task->queued_at */
	bool up;			/* sched_init() ran */
	struct task_struct *boot_task;	/* runs on the thread that booted (init) */
	struct {			/* a BUG or panic forwarded to boot_task */
		bool pending;
		const char *file;	/* BUG: where; NULL for a panic */
		int line;
	} stop;
} sched __state_bulk;

static struct task_struct idle_tasks[NR_CPUS] __state_bulk;

static bool deterministic(void)
{
	return hw_deterministic();
}

struct task_struct *idle_task(int cpu)
{
	return sched.rq[cpu].idle;
}

/* ---- runqueues (deterministic mode) ---- */

static void enqueue_task(struct task_struct *p)
{
	struct rq *rq = &sched.rq[p->cpu];

	BUG_ON(p->on_rq);
	p->queued_at = ++sched.turn;
	list_add_tail(&p->run_list, &rq->queue);
	rq->nr_running++;
	p->on_rq = true;
}

static void dequeue_task(struct task_struct *p)
{
	list_del_init(&p->run_list);
	sched.rq[p->cpu].nr_running--;
	p->on_rq = false;
}

/* The next task to run: of every runqueue's head, the one queued first. */
static struct task_struct *pick_next_task(void)
{
	struct task_struct *next = NULL;

	for (int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct rq *rq = &sched.rq[cpu];
		struct task_struct *p;

		if (list_empty(&rq->queue))
			continue;
		p = list_first_entry(&rq->queue, struct task_struct, run_list);
		if (!next || p->queued_at < next->queued_at)
			next = p;
	}
	if (next)
		dequeue_task(next);
	return next;
}

/* ---- the switch ---- */

/* Make @p the task of its CPU, as seen by `current` there. */
static void set_cpu_curr(struct task_struct *p)
{
	hw_cpus[p->cpu].curr = p;
}

/*
 * After a switch back to @p on its own thread: run as its CPU again.  The
 * boot thread may have been resumed to stop the machine for a BUG or panic
 * that hit another task's thread (sched_stop_here): it raises it now.
 */
static void finish_task_switch(struct task_struct *p)
{
	hw_set_this_cpu(&hw_cpus[p->cpu]);
	hw_thread_task = p;
	if (unlikely(sched.stop.pending) && p == sched.boot_task) {
		sched.stop.pending = false;
		if (sched.stop.file)
			bug_reraise(sched.stop.file, sched.stop.line);
		panic_reraise();
	}
}

/*
 * lib_hooks.stop_here: a BUG or panic.  On the boot thread (or in
 * parallel mode) the stop goes ahead where it is.  On another task's
 * thread in deterministic mode the task dies here (its locks stay held:
 * the machine is stopping) and the boot thread's task, parked in
 * context_switch(), is resumed to raise the stop.
 */
void sched_stop_here(const char *file, int line, const char *msg)
{
	struct task_struct *t = hw_this_cpu ? hw_this_cpu->curr : NULL;
	struct task_struct *boot = sched.boot_task;

	if (!deterministic() || !sched.up || !t || t == boot || !boot || !boot->ctx ||
	    hw_context_is_self(boot->ctx))
		return;
	sched.stop.pending = true;
	sched.stop.file = file;
	sched.stop.line = line;
	__atomic_store_n(&t->state, TASK_DEAD, __ATOMIC_SEQ_CST);
	if (boot->on_rq)
		dequeue_task(boot);
	hw_cpus[t->cpu].curr = sched.rq[t->cpu].idle;
	set_cpu_curr(boot);
	sched.running = boot;
	hw_context_exit(t->ctx, boot->ctx);
}

static void context_switch(struct task_struct *prev, struct task_struct *next)
{
	sched.running = next;
	if (prev == next)
		return;
	hw_cpus[prev->cpu].curr = sched.rq[prev->cpu].idle;
	set_cpu_curr(next);
	sched.rq[next->cpu].nr_switches++;
	hw_context_switch(prev->ctx, next->ctx);
	finish_task_switch(prev);
}

static void reap_dead(void);

/* ---- idle: the clock jumps ---- */

static bool sleeper_has_timeout(void)
{
	struct task_struct *p;

	for_each_process(p)
		if (p->state != TASK_RUNNING && p->state != TASK_DEAD && p->timeout_ns)
			return true;
	return false;
}

/* Every task sleeps and none can be woken: report them and panic. */
static __noreturn void hung_tasks(void)
{
	struct task_struct *p;

	for_each_process(p) {
		if (p->state == TASK_RUNNING || p->state == TASK_DEAD)
			continue;
		printk(KERN_ERR "INFO: task %s:%d blocked for more than %d seconds.\n", p->comm,
		       p->pid, HUNG_TASK_TIMEOUT);
		printk(KERN_ERR "%-15s %c %s\n", p->comm,
		       p->state == TASK_UNINTERRUPTIBLE ? 'D' : 'S', p->wchan ? p->wchan : "-");
		lockdep_print_held_locks_of(p);
	}
	panic("deadlock: every task sleeps and nothing can wake them");
}

/*
 * Nothing is runnable: the clock jumps to the next timer, which runs (and
 * may wake someone).  @idle_since is when the machine went idle.
 */
static void idle_step(u64 idle_since)
{
	u64 due = timers_next_due();

	if (due == ~0ULL ||
	    (!sleeper_has_timeout() && due - idle_since > (u64)HUNG_TASK_TIMEOUT * 1000000000ULL))
		hung_tasks();
	timers_advance(due > hw_clock_ns() ? due - hw_clock_ns() : 0);
}

/* ---- schedule ---- */

/*
 * @prev sleeps (or is dead): the next task to run, after idling until one
 * can.  While the machine idles nobody runs, so a timer that wakes @prev
 * itself queues it like any other task, in the order of the wake-ups.
 */
static struct task_struct *next_or_idle(struct task_struct *prev)
{
	u64 idle_since = hw_clock_ns();
	struct task_struct *next;

	while (!(next = pick_next_task())) {
		sched.running = NULL;
		idle_step(idle_since);
	}
	return next;
}

static void schedule_deterministic(struct task_struct *prev)
{
	context_switch(prev, next_or_idle(prev));
}

static void schedule_parallel(struct task_struct *prev)
{
	while (__atomic_load_n(&prev->state, __ATOMIC_ACQUIRE) != TASK_RUNNING)
		hw_context_park(prev->ctx);
}

void schedule(void)
{
	struct task_struct *prev = current;

	if (unlikely(in_atomic() || irqs_disabled()))
		__schedule_bug();
	if (__atomic_load_n(&prev->state, __ATOMIC_ACQUIRE) == TASK_RUNNING)
		return;
	if (unlikely(!prev->ctx)) {
		printk(KERN_EMERG "BUG: %s/%d cannot sleep: it is an idle task\n", prev->comm,
		       prev->pid);
		BUG();
	}
	prev->nvcsw++;
	if (deterministic())
		schedule_deterministic(prev);
	else
		schedule_parallel(prev);
	reap_dead();
}

void yield(void)
{
	struct task_struct *prev = current;
	struct task_struct *next;

	if (!deterministic() || !prev->ctx)
		return;
	prev->nivcsw++;
	enqueue_task(prev);
	next = pick_next_task();
	context_switch(prev, next);
	reap_dead();
}

int try_to_wake_up(struct task_struct *p, unsigned int state)
{
	long s = __atomic_load_n(&p->state, __ATOMIC_RELAXED);

	do {
		if (!(s & state))
			return 0;
	} while (!__atomic_compare_exchange_n(&p->state, &s, TASK_RUNNING, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
	if (deterministic()) {
		/* The running task woken before it slept only needs its state back. */
		if (p != sched.running && !p->on_rq)
			enqueue_task(p);
	} else if (p->ctx) {
		hw_context_resume(p->ctx);
	}
	return 1;
}

int wake_up_process(struct task_struct *p)
{
	return try_to_wake_up(p, TASK_NORMAL);
}

int wake_up_state(struct task_struct *p, unsigned int state)
{
	return try_to_wake_up(p, state);
}

/* ---- sleeping with a timeout ---- */

static void process_timeout(unsigned long data)
{
	wake_up_process((struct task_struct *)data);
}

static long timeout_left(u64 expire)
{
	u64 now = hw_clock_ns();

	return expire > now ? (long)((expire - now + TICK_NSEC - 1) / TICK_NSEC) : 0;
}

/*
 * Sleep (the state set by the caller) until the clock reaches @expire or
 * a waker comes.  Deterministic mode: a one-shot timer wakes the task (the
 * clock reaches it when the script advances it or every task sleeps).
 * Parallel mode: the thread parks with a deadline on the host's clock.
 */
static void sleep_until(struct task_struct *t, u64 expire)
{
	t->timeout_ns = expire;
	if (deterministic()) {
		struct kmm_timer timer = { .name = "process_timeout", .function = process_timeout,
					   .data = (unsigned long)t };

		timer_arm(&timer, expire);
		schedule();
		timer_del(&timer);
		t->timeout_ns = 0;
		return;
	}
	while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != TASK_RUNNING) {
		u64 now = hw_clock_ns();
		long s;

		if (now >= expire || !hw_context_park_timeout(t->ctx, expire - now)) {
			if (hw_clock_ns() < expire)
				continue;
			/* Time is up: wake ourselves unless a waker just did. */
			s = __atomic_load_n(&t->state, __ATOMIC_RELAXED);
			if (s != TASK_RUNNING)
				__atomic_compare_exchange_n(&t->state, &s, TASK_RUNNING, false,
							    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
		}
	}
	t->timeout_ns = 0;
}

long schedule_timeout(long timeout)
{
	u64 expire;

	if (timeout == MAX_SCHEDULE_TIMEOUT) {
		schedule();
		return timeout;
	}
	if (timeout < 0)
		timeout = 0;
	expire = hw_clock_ns() + (u64)timeout * TICK_NSEC;
	sleep_until(current, expire);
	return timeout_left(expire);
}

void kmm_sleep(u64 ns)
{
	struct task_struct *t = current;
	u64 expire = hw_clock_ns() + ns;

	do {
		__set_current_state(TASK_UNINTERRUPTIBLE);
		__atomic_store_n(&t->wchan, "kmm_sleep", __ATOMIC_RELAXED);
		sleep_until(t, expire);
		__atomic_store_n(&t->wchan, NULL, __ATOMIC_RELAXED);
	} while (hw_clock_ns() < expire);
}

/* Sleep in @state for @timeout jiffies, seen by ps as sleeping in schedule_timeout. */
static long sleep_timeout(long state, long timeout)
{
	__set_current_state(state);
	__atomic_store_n(&current->wchan, "schedule_timeout", __ATOMIC_RELAXED);
	timeout = schedule_timeout(timeout);
	__atomic_store_n(&current->wchan, NULL, __ATOMIC_RELAXED);
	return timeout;
}

long schedule_timeout_uninterruptible(long timeout)
{
	return sleep_timeout(TASK_UNINTERRUPTIBLE, timeout);
}

long schedule_timeout_interruptible(long timeout)
{
	return sleep_timeout(TASK_INTERRUPTIBLE, timeout);
}

void msleep(unsigned int msecs)
{
	long timeout = (long)(((u64)msecs * 1000000ULL + TICK_NSEC - 1) / TICK_NSEC) + 1;

	while (timeout)
		timeout = schedule_timeout_uninterruptible(timeout);
}

/* ---- switching a task to another CPU, exits ---- */

void sched_move_current(int cpu)
{
	struct task_struct *t = current;

	if (cpu == t->cpu)
		return;
	hw_cpus[t->cpu].curr = sched.rq[t->cpu].idle;
	t->cpu = cpu;
	set_cpu_curr(t);
	hw_set_this_cpu(&hw_cpus[cpu]);
}

/* @p runs on @cpu from now on; queued, it keeps its turn. */
void sched_set_cpu(struct task_struct *p, int cpu)
{
	struct task_struct *pos;

	if (!p->on_rq) {
		p->cpu = cpu;
		return;
	}
	dequeue_task(p);
	p->cpu = cpu;
	list_for_each_entry(pos, &sched.rq[cpu].queue, run_list)
		if (pos->queued_at > p->queued_at)
			break;
	list_add_tail(&p->run_list, &pos->run_list);
	sched.rq[cpu].nr_running++;
	p->on_rq = true;
}

/*
 * CPU @cpu goes offline (cpu_down): every task on it moves to @dest, the
 * queued ones keeping their turn (2.6.34's migrate_live_tasks), the
 * current one going on there (it asked for the CPU to go).  A sleeping
 * task that would wake on @cpu wakes on @dest.
 */
void sched_migrate_cpu(int cpu, int dest)
{
	struct task_struct *p;

	if (current->cpu == cpu)
		sched_move_current(dest);
	for_each_process(p)
		if (p->cpu == cpu)
			sched_set_cpu(p, dest);
}

/*
 * The current task ends: it is TASK_DEAD, its thread hands over and ends.
 * Its task_struct stays until the last reference goes (put_task_struct).
 */
void sched_exit_current(void)
{
	struct task_struct *prev = current;
	struct task_struct *next = NULL;

	if (unlikely(preempt_count() || irqs_disabled()))
		__schedule_bug();
	__atomic_store_n(&prev->state, TASK_DEAD, __ATOMIC_SEQ_CST);
	if (deterministic()) {
		list_add_tail(&prev->run_list, &sched.dead);	/* one runner: no lock */
		next = next_or_idle(prev);
		hw_cpus[prev->cpu].curr = sched.rq[prev->cpu].idle;
		set_cpu_curr(next);
		sched.running = next;
		hw_context_exit(prev->ctx, next->ctx);
	}
	hw_cpus[prev->cpu].curr = sched.rq[prev->cpu].idle;
	hw_cpu_detach();
	hw_context_exit(prev->ctx, NULL);
}

/* Join the threads of dead tasks (they handed over and are ending) and drop their reference. */
static void reap_dead(void)
{
	if (!deterministic())
		return;
	while (!list_empty(&sched.dead)) {
		struct task_struct *p = list_first_entry(&sched.dead, struct task_struct, run_list);

		list_del_init(&p->run_list);
		hw_context_reap(p->ctx);
		p->ctx = NULL;
		put_task_struct(p);
	}
}

/* ---- boot and shutdown ---- */

/*
 * The idle task of @cpu, made when the CPU first comes up (cpu_up, as
 * 2.6.34's do_boot_cpu forks it), not at boot for every possible CPU:
 * with libkmm-malloc.so's 512 possible CPUs, of which a program uses a
 * few, that is 1,520 bytes less to write per CPU at each start-up.
 */
void sched_init_idle(int cpu)
{
	struct task_struct *idle = cpu ? &idle_tasks[cpu] : &init_task;

	if (sched.rq[cpu].idle)
		return;
	if (cpu) {
		*idle = (struct task_struct){ .pid = 0, .comm = "swapper", .prio = 120,
					       .state = TASK_RUNNING, .flags = PF_KTHREAD,
					       .signal = &init_signals };
		INIT_LIST_HEAD(&idle->tasks);
		INIT_LIST_HEAD(&idle->run_list);
	}
	idle->cpu = cpu;
	sched.rq[cpu].idle = idle;
	hw_cpus[cpu].curr = idle;
}

/* A runqueue for each possible CPU (nr_cpu_ids: the machine's setup set it). */
void sched_init(void)
{
	for (int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		INIT_LIST_HEAD(&sched.rq[cpu].queue);
		sched.rq[cpu].idle = NULL;
		hw_cpus[cpu].curr = NULL;
	}
	sched_init_idle(0);
	INIT_LIST_HEAD(&sched.dead);
	sched.up = true;
	/* The boot runs as CPU 0's idle task, on the calling thread. */
	lib_thread_reset();
	init_task.ctx = hw_context_self();
	sched.running = &init_task;
	sched.boot_task = &init_task;
	hw_thread_task = &init_task;
}

/* The boot is over: the calling thread goes on as @p (init) on CPU 0. */
void sched_become(struct task_struct *p)
{
	struct task_struct *prev = current;

	p->ctx = prev->ctx;
	prev->ctx = NULL;
	p->cpu = prev->cpu;
	p->state = TASK_RUNNING;
	set_cpu_curr(p);
	sched.running = p;
	sched.boot_task = p;
	hw_thread_task = p;
}

/*
 * Shutdown, on the thread that booted: every other task's thread is
 * parked (deterministic mode) or must be (parallel mode: kernel threads
 * asleep or stopped); kill them, so that no host thread outlives the
 * machine, and free what was allocated for them.
 */
void sched_shutdown(void)
{
	struct task_struct *p, *n;

	if (!sched.up)
		return;
	reap_dead();
	list_for_each_entry_safe(p, n, &init_task.tasks, tasks) {
		if (p->ctx && p->kthread && !hw_context_is_self(p->ctx)) {
			if (p->state == TASK_DEAD)
				hw_context_reap(p->ctx);
			else
				hw_context_kill(p->ctx);
			p->ctx = NULL;
		}
		task_release_all(p);
	}
	hw_thread_task = NULL;
}

/* ---- the view: ps ---- */

static char state_char(const struct task_struct *p)
{
	switch (__atomic_load_n(&p->state, __ATOMIC_RELAXED)) {
	case TASK_RUNNING:
		return 'R';
	case TASK_INTERRUPTIBLE:
		return 'S';
	case TASK_UNINTERRUPTIBLE:
		return 'D';
	case TASK_DEAD:
		return 'X';
	default:
		return '?';
	}
}

void sched_show_tasks(struct seq_file *m)
{
	struct task_struct *p;

	seq_printf(m, "  PID CPU S COMM             WCHAN\n");
	for_each_process(p) {
		const char *wchan = __atomic_load_n(&p->wchan, __ATOMIC_RELAXED);

		seq_printf(m, "%5d %3d %c %-16s %s\n", p->pid, p->cpu, state_char(p), p->comm,
			   wchan ? wchan : "-");
	}
}

struct task_struct *sched_running(void)
{
	return sched.running;
}
