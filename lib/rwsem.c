/*
 * rwsem.c - reader-writer semaphores (see rwsem.h for the design).
 *
 * A waiter sleeps until its waker grants it the semaphore by clearing
 * waiter.task (the waker reads the task first: once task is NULL the
 * waiter may return and its stack entry vanish).  The waiter sets its
 * state before it tests task, the waker clears task before it wakes, so
 * no grant is lost between the test and the sleep.
 */
#include <kmm/bug.h>
#include <kmm/printk.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include "lib/hooks.h"

#define RWSEM_WAITING_FOR_READ	1
#define RWSEM_WAITING_FOR_WRITE	2

struct rwsem_waiter {
	struct list_head list;
	struct task_struct *task;	/* NULL once granted */
	unsigned int flags;
};

void __init_rwsem(struct rw_semaphore *sem, const char *name, const struct lock_class_key *key)
{
	sem->activity = 0;
	spin_lock_init(&sem->wait_lock);
	INIT_LIST_HEAD(&sem->wait_list);
	sem->owner = NULL;
	sem->dep_class = 0;
	if (KMM_DEBUG)
		lockdep_init_map(&sem->dep_class, sem, name, key);
}

static struct task_struct *self(void)
{
	return hw_this_cpu ? hw_this_cpu->curr : NULL;
}

static void grant(struct rwsem_waiter *w)
{
	struct task_struct *tsk = w->task;

	list_del(&w->list);
	__atomic_store_n(&w->task, NULL, __ATOMIC_RELEASE);
	lib_hooks.try_to_wake_up(tsk, TASK_UNINTERRUPTIBLE);
}

/*
 * Hand the free semaphore to the front of the queue: a writer (unless
 * @wakewrite is 0: then only readers at the front), or every reader up to
 * the first writer.  wait_lock held.
 */
static void __rwsem_do_wake(struct rw_semaphore *sem, bool wakewrite)
{
	struct rwsem_waiter *w = list_first_entry(&sem->wait_list, struct rwsem_waiter, list);
	int woken = 0;

	if (w->flags & RWSEM_WAITING_FOR_WRITE) {
		if (wakewrite) {
			sem->activity = -1;
			grant(w);
		}
		return;
	}
	while (!list_empty(&sem->wait_list)) {
		w = list_first_entry(&sem->wait_list, struct rwsem_waiter, list);
		if (w->flags & RWSEM_WAITING_FOR_WRITE)
			break;
		grant(w);
		woken++;
	}
	sem->activity += woken;
}

/* Queue and sleep until granted.  Called with wait_lock held; returns without it. */
static void rwsem_wait(struct rw_semaphore *sem, unsigned int flags, unsigned long irqflags,
		       const char *wchan)
{
	struct task_struct *tsk = self();
	struct rwsem_waiter waiter = { .task = tsk, .flags = flags };

	list_add_tail(&waiter.list, &sem->wait_list);
	set_task_state(tsk, TASK_UNINTERRUPTIBLE);
	spin_unlock_irqrestore(&sem->wait_lock, irqflags);
	for (;;) {
		if (!__atomic_load_n(&waiter.task, __ATOMIC_ACQUIRE))
			break;
		lib_sleep(sem, wchan);
		set_task_state(tsk, TASK_UNINTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
}

void down_read(struct rw_semaphore *sem)
{
	unsigned long flags;

	might_sleep();
	lock_acquire(&sem->dep_class, sem, 1, 0, _RET_IP_);
	spin_lock_irqsave(&sem->wait_lock, flags);
	if (sem->activity >= 0 && list_empty(&sem->wait_list)) {
		sem->activity++;
		spin_unlock_irqrestore(&sem->wait_lock, flags);
		return;
	}
	rwsem_wait(sem, RWSEM_WAITING_FOR_READ, flags, "down_read");
}

int down_read_trylock(struct rw_semaphore *sem)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&sem->wait_lock, flags);
	if (sem->activity >= 0 && list_empty(&sem->wait_list)) {
		sem->activity++;
		ret = 1;
	}
	spin_unlock_irqrestore(&sem->wait_lock, flags);
	if (ret)
		lock_acquire(&sem->dep_class, sem, 1, 1, _RET_IP_);
	return ret;
}

void up_read(struct rw_semaphore *sem)
{
	unsigned long flags;

	lock_release(sem, _RET_IP_);
	spin_lock_irqsave(&sem->wait_lock, flags);
	BUG_ON(sem->activity <= 0);
	if (--sem->activity == 0 && !list_empty(&sem->wait_list))
		__rwsem_do_wake(sem, true);
	spin_unlock_irqrestore(&sem->wait_lock, flags);
}

void down_write(struct rw_semaphore *sem)
{
	unsigned long flags;

	might_sleep();
	lock_acquire(&sem->dep_class, sem, 0, 0, _RET_IP_);
	spin_lock_irqsave(&sem->wait_lock, flags);
	if (sem->activity == 0 && list_empty(&sem->wait_list)) {
		sem->activity = -1;
		spin_unlock_irqrestore(&sem->wait_lock, flags);
	} else {
		rwsem_wait(sem, RWSEM_WAITING_FOR_WRITE, flags, "down_write");
	}
	__atomic_store_n(&sem->owner, self(), __ATOMIC_RELAXED);
}

int down_write_trylock(struct rw_semaphore *sem)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&sem->wait_lock, flags);
	if (sem->activity == 0 && list_empty(&sem->wait_list)) {
		sem->activity = -1;
		ret = 1;
	}
	spin_unlock_irqrestore(&sem->wait_lock, flags);
	if (ret) {
		__atomic_store_n(&sem->owner, self(), __ATOMIC_RELAXED);
		lock_acquire(&sem->dep_class, sem, 0, 1, _RET_IP_);
	}
	return ret;
}

static void check_writer(struct rw_semaphore *sem, const char *what)
{
	struct task_struct *t = self();

	if (sem->activity != -1 || (KMM_DEBUG && sem->owner != t)) {
		printk(KERN_EMERG "BUG: rwsem %p: %s by %s/%d, which does not hold it for writing\n",
		       (void *)sem, what, t ? t->comm : "?", t ? t->pid : -1);
		BUG();
	}
}

void up_write(struct rw_semaphore *sem)
{
	unsigned long flags;

	lock_release(sem, _RET_IP_);
	spin_lock_irqsave(&sem->wait_lock, flags);
	check_writer(sem, "up_write");
	__atomic_store_n(&sem->owner, NULL, __ATOMIC_RELAXED);
	sem->activity = 0;
	if (!list_empty(&sem->wait_list))
		__rwsem_do_wake(sem, true);
	spin_unlock_irqrestore(&sem->wait_lock, flags);
}

void downgrade_write(struct rw_semaphore *sem)
{
	unsigned long flags;

	spin_lock_irqsave(&sem->wait_lock, flags);
	check_writer(sem, "downgrade_write");
	__atomic_store_n(&sem->owner, NULL, __ATOMIC_RELAXED);
	sem->activity = 1;
	if (!list_empty(&sem->wait_list))
		__rwsem_do_wake(sem, false);
	spin_unlock_irqrestore(&sem->wait_lock, flags);
	/* The validator sees the write hold become a read hold. */
	lock_release(sem, _RET_IP_);
	lock_acquire(&sem->dep_class, sem, 1, 1, _RET_IP_);
}
