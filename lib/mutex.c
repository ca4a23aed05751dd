/*
 * mutex.c - mutexes (see mutex.h for the design).
 *
 * The slow path queues a waiter and loops: try to take the lock (marking
 * the count negative: "someone may wait"); if that fails, sleep.  The
 * state is set under wait_lock before the lock is dropped, and the release
 * wakes the first waiter under the same lock, so a release between the
 * failed try and the sleep makes the sleep return at once.  The waiter
 * leaves the queue only when it has the lock, so it keeps its place.
 */
#include <kmm/bug.h>
#include <kmm/irqflags.h>
#include <kmm/mutex.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include "lib/hooks.h"

struct mutex_waiter {
	struct list_head list;
	struct task_struct *task;
};

void __mutex_init(struct mutex *lock, const char *name, const struct lock_class_key *key)
{
	atomic_set(&lock->count, 1);
	spin_lock_init(&lock->wait_lock);
	INIT_LIST_HEAD(&lock->wait_list);
	lock->owner = NULL;
	lock->dep_class = 0;
	if (KMM_DEBUG)
		lockdep_init_map(&lock->dep_class, lock, name, key);
}

static struct task_struct *self(void)
{
	return hw_this_cpu ? hw_this_cpu->curr : NULL;
}

static void mutex_misuse(struct mutex *lock, const char *what)
{
	struct task_struct *owner = mutex_owner(lock), *t = self();

	printk(KERN_EMERG "BUG: mutex %p %s (task %s/%d, owner %s/%d)\n", (void *)lock, what,
	       t ? t->comm : "?", t ? t->pid : -1, owner ? owner->comm : "none",
	       owner ? owner->pid : -1);
	BUG();
}

static noinline void __mutex_lock_slowpath(struct mutex *lock)
{
	struct task_struct *task = self();
	struct mutex_waiter waiter = { .task = task };

	spin_lock(&lock->wait_lock);
	list_add_tail(&waiter.list, &lock->wait_list);
	for (;;) {
		if (atomic_xchg(&lock->count, -1) == 1)
			break;
		set_task_state(task, TASK_UNINTERRUPTIBLE);
		spin_unlock(&lock->wait_lock);
		lib_sleep(lock, "mutex_lock");
		spin_lock(&lock->wait_lock);
	}
	__set_current_state(TASK_RUNNING);
	list_del(&waiter.list);
	if (list_empty(&lock->wait_list))
		atomic_set(&lock->count, 0);
	spin_unlock(&lock->wait_lock);
}

void mutex_lock(struct mutex *lock)
{
	might_sleep();
	if (KMM_DEBUG && self() && mutex_owner(lock) == self())
		mutex_misuse(lock, "locked twice by the same task (deadlock)");
	lock_acquire(&lock->dep_class, lock, 0, 0, _RET_IP_);
	if (unlikely(atomic_cmpxchg(&lock->count, 1, 0) != 1))
		__mutex_lock_slowpath(lock);
	__atomic_store_n(&lock->owner, self(), __ATOMIC_RELAXED);
}

int mutex_trylock(struct mutex *lock)
{
	if (atomic_cmpxchg(&lock->count, 1, 0) != 1)
		return 0;
	__atomic_store_n(&lock->owner, self(), __ATOMIC_RELAXED);
	lock_acquire(&lock->dep_class, lock, 0, 1, _RET_IP_);
	return 1;
}

static noinline void __mutex_unlock_slowpath(struct mutex *lock)
{
	spin_lock(&lock->wait_lock);
	atomic_set(&lock->count, 1);
	if (!list_empty(&lock->wait_list)) {
		struct mutex_waiter *w = list_first_entry(&lock->wait_list, struct mutex_waiter, list);

		lib_hooks.try_to_wake_up(w->task, TASK_NORMAL);
	}
	spin_unlock(&lock->wait_lock);
}

void mutex_unlock(struct mutex *lock)
{
	if (KMM_DEBUG && (!mutex_is_locked(lock) || mutex_owner(lock) != self()))
		mutex_misuse(lock, "unlocked by a task that does not hold it");
	lock_release(lock, _RET_IP_);
	__atomic_store_n(&lock->owner, NULL, __ATOMIC_RELAXED);
	if (unlikely(atomic_inc_return(&lock->count) <= 0))
		__mutex_unlock_slowpath(lock);
}
