/*
 * task.c - the tasks that exist before a process model does: the idle task
 * "swapper" (pid 0) that boots the machine, and "init" (pid 1) on whose
 * behalf scenario and library calls run.  Each host thread has its own
 * current task.
 */
#include <stdio.h>
#include <time.h>

#include <kmm/bug.h>
#include <kmm/jiffies.h>
#include <kmm/kernel.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/timer.h>
#include "hw/clock.h"
#include "hw/machine.h"

struct task_struct init_task __state = { .pid = 0, .comm = "swapper", .prio = 120 };
struct task_struct init_proc __state = { .pid = 1, .comm = "init", .prio = 120 };
__thread struct task_struct *current_task = &init_task;

/*
 * A host thread attached as a CPU in parallel mode runs as a task of its
 * own (its PF_ flags, its fault-injection filter), numbered from 2 in the
 * order threads first attach.
 */
static __thread struct task_struct thread_task_struct;
static int next_thread_pid __state = 2;

struct task_struct *thread_task(void)
{
	struct task_struct *t = &thread_task_struct;

	if (!t->pid) {
		t->pid = __atomic_fetch_add(&next_thread_pid, 1, __ATOMIC_RELAXED);
		snprintf(t->comm, sizeof(t->comm), "kmm-thread/%d", t->pid);
		t->prio = 120;
	}
	return t;
}

static int describe_current(char *buf, size_t size)
{
	return snprintf(buf, size, "%d, comm: %.20s", current->pid, current->comm);
}

void task_init(void)
{
	current_task = &init_task;
	bug_set_task_describer(describe_current);
}

void dump_stack(void)
{
	printk(KERN_WARNING "Pid: %d, comm: %.20s Not tainted 2.6.34-kmm #1\n", current->pid,
	       current->comm);
}

void schedule_timeout_uninterruptible(unsigned long timeout)
{
	if (hw_deterministic()) {
		timers_advance(timeout * TICK_NSEC);
	} else {
		struct timespec ts = { 0, (long)(timeout * TICK_NSEC) };

		while (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		nanosleep(&ts, NULL);
	}
}

void cond_resched(void)
{
}
