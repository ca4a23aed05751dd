/*
 * task.c - the tasks that exist: the boot's idle task "swapper" (pid 0)
 * and "init" (pid 1), kernel threads, and in parallel mode one task per
 * host thread attached as a CPU.  Pids are handed out in creation order
 * from 2, so the same script makes the same pids.  Every task but the
 * idle tasks is on init_task's list (for_each_process), under
 * tasklist_lock; a task lives as long as it has references.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/bug.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/printk.h>
#include <kmm/resource.h>
#include <kmm/sched.h>
#include <kmm/spinlock.h>
#include "hw/context.h"
#include "hw/cpu.h"
#include "kernel/sched_internal.h"

/*
 * The limits every task starts with (2.6.34's INIT_RLIMITS, as the
 * kernel's own tasks have them); a process gets a copy of its parent's.
 */
#define INIT_RLIMITS {								\
	[RLIMIT_CPU] = { RLIM_INFINITY, RLIM_INFINITY },			\
	[RLIMIT_FSIZE] = { RLIM_INFINITY, RLIM_INFINITY },			\
	[RLIMIT_DATA] = { RLIM_INFINITY, RLIM_INFINITY },			\
	[RLIMIT_STACK] = { _STK_LIM, RLIM_INFINITY },				\
	[RLIMIT_CORE] = { 0, RLIM_INFINITY },					\
	[RLIMIT_RSS] = { RLIM_INFINITY, RLIM_INFINITY },			\
	[RLIMIT_NPROC] = { 0, 0 },						\
	[RLIMIT_NOFILE] = { 1024, 1024 },					\
	[RLIMIT_MEMLOCK] = { MLOCK_LIMIT, MLOCK_LIMIT },			\
	[RLIMIT_AS] = { RLIM_INFINITY, RLIM_INFINITY },				\
	[RLIMIT_LOCKS] = { RLIM_INFINITY, RLIM_INFINITY },			\
	[RLIMIT_SIGPENDING] = { 0, 0 },						\
	[RLIMIT_MSGQUEUE] = { 819200, 819200 },					\
	[RLIMIT_NICE] = { 0, 0 },						\
	[RLIMIT_RTPRIO] = { 0, 0 },						\
	[RLIMIT_RTTIME] = { RLIM_INFINITY, RLIM_INFINITY },			\
}
struct signal_struct init_signals __state = {
	.count = ATOMIC_INIT(1), .live = ATOMIC_INIT(1), .rlim = INIT_RLIMITS,
};

struct task_struct init_task __state = {
	.pid = 0, .comm = "swapper", .prio = 120, .flags = PF_KTHREAD, .signal = &init_signals,
	.tasks = LIST_HEAD_INIT(init_task.tasks),
	.run_list = LIST_HEAD_INIT(init_task.run_list),
	.usage = ATOMIC_INIT(1),
};
struct task_struct init_proc __state = {
	.pid = 1, .tgid = 1, .comm = "init", .prio = 120, .signal = &init_signals,
	.group_leader = &init_proc,
	.children = LIST_HEAD_INIT(init_proc.children),
	.sibling = LIST_HEAD_INIT(init_proc.sibling),
	.thread_group = LIST_HEAD_INIT(init_proc.thread_group),
	.tasks = LIST_HEAD_INIT(init_proc.tasks),
	.run_list = LIST_HEAD_INIT(init_proc.run_list),
	.usage = ATOMIC_INIT(1),
};

static DEFINE_SPINLOCK(tasklist_lock);
static pid_t next_pid __state = 2;

#define PID_MAX	32768		/* PID_MAX_DEFAULT: pids wrap below it */

static pid_t alloc_pid(void)
{
	pid_t pid = next_pid;

	next_pid = next_pid + 1 >= PID_MAX ? 2 : next_pid + 1;
	return pid;
}

/*
 * tasklist_lock is taken with interrupts off, as Linux's write_lock_irq()
 * does: then no CPU stopped for the host's fork() holds it.
 */
static void link_task(struct task_struct *p)
{
	unsigned long flags;

	spin_lock_irqsave(&tasklist_lock, flags);
	p->pid = alloc_pid();
	p->tgid = p->pid;
	list_add_tail(&p->tasks, &init_task.tasks);
	spin_unlock_irqrestore(&tasklist_lock, flags);
}

static void unlink_task(struct task_struct *p)
{
	unsigned long flags;

	spin_lock_irqsave(&tasklist_lock, flags);
	list_del_init(&p->tasks);
	spin_unlock_irqrestore(&tasklist_lock, flags);
}

struct task_struct *task_alloc(const char *comm, unsigned int flags)
{
	struct task_struct *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->flags = flags;
	p->prio = 120;
	p->state = TASK_UNINTERRUPTIBLE;
	p->cpu = hw_this_cpu ? hw_this_cpu->id : 0;
	p->allocated = true;
	p->signal = &init_signals;
	p->group_leader = p;
	p->exit_signal = -1;
	INIT_LIST_HEAD(&p->run_list);
	INIT_LIST_HEAD(&p->children);
	INIT_LIST_HEAD(&p->sibling);
	INIT_LIST_HEAD(&p->thread_group);
	atomic_set(&p->usage, 1);
	link_task(p);
	return p;
}

void get_task_struct(struct task_struct *p)
{
	atomic_inc(&p->usage);
}

void put_task_struct(struct task_struct *p)
{
	if (!atomic_dec_and_test(&p->usage))
		return;
	BUG_ON(p->state != TASK_DEAD && p->allocated);
	unlink_task(p);
	if (p->allocated) {
		free(p->kthread);
		free(p);
	}
}

void task_release_all(struct task_struct *p)
{
	if (p->allocated) {
		free(p->kthread);
		free(p);
	}
}

int kmm_nr_tasks(void)
{
	struct task_struct *p;
	unsigned long flags;
	int n = 0;

	spin_lock_irqsave(&tasklist_lock, flags);
	for_each_process(p)
		n++;
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return n;
}

struct task_struct *find_task_by_pid(pid_t pid)
{
	struct task_struct *p, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&tasklist_lock, flags);
	for_each_process(p)
		if (p->pid == pid) {
			found = p;
			break;
		}
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return found;
}

/*
 * In parallel mode a host thread that calls into the kernel runs as a task
 * of its own (its PF_ flags, its fault-injection filter, its held locks).
 * It lives in the thread's thread-local storage: set up afresh the first
 * time the thread calls in during a boot, on the task list (with a pid)
 * while the thread is attached as a CPU or takes turns on one
 * (kmm_cpu_enter: between turns it waits to run, as a task does), off it
 * otherwise (a thread that only borrows CPUs must not leave a dangling
 * list entry when it ends).
 */
static __thread struct task_struct thread_task_struct;
static __thread unsigned long thread_task_boot;	/* the boot it was set up in */
static __thread bool thread_task_linked;	/* on the task list (only this thread asks) */
static unsigned long boot_generation;		/* process-wide: boots so far */

void task_init(void)
{
	INIT_LIST_HEAD(&init_task.tasks);
	list_add_tail(&init_proc.tasks, &init_task.tasks);
	boot_generation++;
}

/*
 * The limits that depend on the machine's size (2.6.34's fork_init): at
 * most half of RAM in thread structures of THREAD_SIZE (8 KiB) each, at
 * least 20 threads; half of that is the limit of processes per user and
 * of queued signals (the SigQ limit of /proc/PID/status).
 */
#define THREAD_SIZE	(2 * PAGE_SIZE)	/* x86's kernel stacks: THREAD_ORDER 1 */

void fork_init(unsigned long mempages)
{
	unsigned long max_threads = mempages / (8 * THREAD_SIZE / PAGE_SIZE);

	if (max_threads < 20)
		max_threads = 20;
	init_signals.rlim[RLIMIT_NPROC].rlim_cur = max_threads / 2;
	init_signals.rlim[RLIMIT_NPROC].rlim_max = max_threads / 2;
	init_signals.rlim[RLIMIT_SIGPENDING] = init_signals.rlim[RLIMIT_NPROC];
}

struct task_struct *thread_task(void)
{
	struct task_struct *t = &thread_task_struct;

	if (thread_task_boot != boot_generation) {
		thread_task_boot = boot_generation;
		memset(t, 0, sizeof(*t));
		t->prio = 120;
		t->state = TASK_RUNNING;
		t->cpu = -1;
		t->signal = &init_signals;
		t->group_leader = t;
		snprintf(t->comm, sizeof(t->comm), "kmm-thread");
		INIT_LIST_HEAD(&t->tasks);
		INIT_LIST_HEAD(&t->run_list);
		atomic_set(&t->usage, 1);
		t->ctx = hw_context_self();
		thread_task_linked = false;
	}
	hw_thread_task = t;
	return t;
}

struct task_struct *thread_task_attach(int cpu)
{
	struct task_struct *t = thread_task();

	if (!thread_task_linked) {
		thread_task_linked = true;
		link_task(t);
		snprintf(t->comm, sizeof(t->comm), "kmm-thread/%d", t->pid);
	}
	t->cpu = cpu;
	hw_cpus[cpu].curr = t;
	return t;
}

void thread_task_leave(void)
{
	struct task_struct *t = &thread_task_struct;

	if (hw_this_cpu && hw_this_cpu->curr == t)
		hw_this_cpu->curr = idle_task(hw_this_cpu->id);
	t->cpu = -1;
}

void thread_task_detach(void)
{
	struct task_struct *t = &thread_task_struct;

	if (thread_task_boot != boot_generation)
		return;
	if (hw_this_cpu && hw_this_cpu->curr == t)
		hw_this_cpu->curr = idle_task(hw_this_cpu->id);
	if (thread_task_linked)
		unlink_task(t);
	thread_task_linked = false;
	t->cpu = -1;
}

int describe_current_task(char *buf, size_t size)
{
	struct task_struct *t = hw_this_cpu ? hw_this_cpu->curr : NULL;

	if (!t)
		return snprintf(buf, size, "-");
	return snprintf(buf, size, "%d, comm: %.20s", t->pid, t->comm);
}

void dump_stack(void)
{
	char who[64];

	describe_current_task(who, sizeof(who));
	printk(KERN_WARNING "Pid: %s Not tainted 2.6.34-kmm #1\n", who);
}
