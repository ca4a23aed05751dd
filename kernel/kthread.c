/*
 * kthread.c - kernel threads (kthread.h).
 *
 * A kernel thread is a task with its own execution context whose first
 * run enters kthread_entry(): it takes its CPU, runs the thread function
 * (unless it was stopped before it ever ran), and exits with its result.
 * The creator's reference keeps the task_struct until kthread_stop(),
 * which waits on the thread's "exited" completion and then drops it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <kmm/completion.h>
#include <kmm/errno.h>
#include <kmm/kthread.h>
#include "hw/context.h"
#include "hw/cpu.h"
#include "hw/machine.h"
#include "kernel/sched_internal.h"

struct kthread {
	int (*threadfn)(void *data);
	void *data;
	int should_stop;
	struct completion exited;
};

/*
 * Parallel mode: a kernel thread needs an online CPU of its own (its own
 * if free, else any); it waits until one is.
 */
static void take_cpu(struct task_struct *t)
{
	while ((!cpu_online(t->cpu) || hw_cpu_attach(t->cpu)) &&
	       (t->cpu = attach_any_online()) < 0) {
		t->cpu = 0;
		hw_context_park_timeout(t->ctx, 1000000);
	}
	hw_cpus[t->cpu].curr = t;
}

static void kthread_entry(void *arg)
{
	struct task_struct *t = arg;
	struct kthread *kt = t->kthread;
	int ret = -EINTR;

	if (hw_deterministic())
		hw_set_this_cpu(&hw_cpus[t->cpu]);
	else
		take_cpu(t);
	hw_thread_task = t;
	if (!__atomic_load_n(&kt->should_stop, __ATOMIC_ACQUIRE))
		ret = kt->threadfn(kt->data);
	kthread_exit_current(ret);
}

void kthread_exit_current(int code)
{
	struct task_struct *t = current;

	t->exit_code = code;
	t->flags |= PF_EXITING;
	if (t->kthread)
		complete(&t->kthread->exited);
	sched_exit_current();
}

struct task_struct *kthread_create(int (*threadfn)(void *data), void *data, const char namefmt[],
				   ...)
{
	struct kthread *kt = calloc(1, sizeof(*kt));
	struct task_struct *t;
	char comm[TASK_COMM_LEN];
	va_list ap;

	if (!kt)
		return ERR_PTR(-ENOMEM);
	va_start(ap, namefmt);
	vsnprintf(comm, sizeof(comm), namefmt, ap);
	va_end(ap);
	kt->threadfn = threadfn;
	kt->data = data;
	init_completion(&kt->exited);
	t = task_alloc(comm, PF_KTHREAD);
	if (!t) {
		free(kt);
		return ERR_PTR(-ENOMEM);
	}
	t->kthread = kt;
	t->ctx = hw_context_create(kthread_entry, t);
	if (!t->ctx) {
		t->state = TASK_DEAD;
		put_task_struct(t);
		return ERR_PTR(-EAGAIN);
	}
	get_task_struct(t);		/* the creator's, dropped by kthread_stop() */
	return t;
}

void kthread_bind(struct task_struct *k, int cpu)
{
	if (cpu >= 0 && cpu < nr_cpu_ids)
		sched_set_cpu(k, cpu);
}

bool kthread_should_stop(void)
{
	struct kthread *kt = current->kthread;

	return kt && __atomic_load_n(&kt->should_stop, __ATOMIC_ACQUIRE);
}

int kthread_stop(struct task_struct *k)
{
	int ret;

	__atomic_store_n(&k->kthread->should_stop, 1, __ATOMIC_RELEASE);
	wake_up_process(k);
	wait_for_completion(&k->kthread->exited);
	ret = k->exit_code;
	if (!hw_deterministic()) {
		/* Its thread handed back its CPU and is ending: join it. */
		hw_context_reap(k->ctx);
		k->ctx = NULL;
		put_task_struct(k);	/* its own reference */
	}
	put_task_struct(k);
	return ret;
}
