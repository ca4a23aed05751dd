/*
 * kthread.h - kernel threads: tasks that run a kernel function.
 *
 *   struct task_struct *k = kthread_run(threadfn, data, "kswapd%d", nid);
 *   ...
 *   kthread_stop(k);           sets kthread_should_stop(), wakes it, waits
 *
 * kthread_create() makes the task asleep; wake_up_process() starts it (on
 * the CPU of its creator, or the one kthread_bind() gave it).  The thread
 * function runs until it returns; a long-lived one loops until
 * kthread_should_stop().  Its return value is what kthread_stop() returns
 * (-EINTR if it was stopped before it ever ran).  Every kernel thread must
 * be stopped with kthread_stop(): one that returns on its own stays
 * visible as exited (X in ps) until then, or until the shutdown.
 *
 * In parallel mode a kernel thread is a host thread that needs a CPU of
 * its own while it runs (its creator's if free, else any free one; it
 * waits for one otherwise).
 */
#ifndef KMM_KTHREAD_H
#define KMM_KTHREAD_H

#include <kmm/compiler.h>
#include <kmm/err.h>
#include <kmm/sched.h>

struct task_struct *kthread_create(int (*threadfn)(void *data), void *data,
				   const char namefmt[], ...) __printf(3, 4);

#define kthread_run(threadfn, data, namefmt, ...)				\
	({									\
		struct task_struct *__k =					\
			kthread_create(threadfn, data, namefmt, ##__VA_ARGS__);	\
		if (!IS_ERR(__k))						\
			wake_up_process(__k);					\
		__k;								\
	})

/* Run @k on @cpu (before it is first woken). */
void kthread_bind(struct task_struct *k, int cpu);
/* Tell @k to stop, wake it, wait until it exits; returns its result. */
int kthread_stop(struct task_struct *k);
/* In a kernel thread: has kthread_stop() been called? */
bool kthread_should_stop(void);

#endif /* KMM_KTHREAD_H */
