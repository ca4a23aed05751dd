/*
 * wait.c - wait queues (see wait.h for the protocol), over the scheduler
 * that the kernel layer provides through lib_hooks.
 */
#include <kmm/bug.h>
#include <kmm/printk.h>
#include <kmm/wait.h>
#include "lib/hooks.h"

void __init_waitqueue_head(wait_queue_head_t *q, const char *name, const struct lock_class_key *key)
{
	spin_lock_set_class(&q->lock, key, name);
	INIT_LIST_HEAD(&q->task_list);
}

int default_wake_function(wait_queue_t *wait, unsigned int mode, int flags, void *key)
{
	if (!lib_hooks.try_to_wake_up)
		return 0;
	return lib_hooks.try_to_wake_up(wait->private, mode);
}

int autoremove_wake_function(wait_queue_t *wait, unsigned int mode, int flags, void *key)
{
	int ret = default_wake_function(wait, mode, flags, key);

	if (ret)
		list_del_init(&wait->task_list);
	return ret;
}

void add_wait_queue(wait_queue_head_t *q, wait_queue_t *wait)
{
	unsigned long flags;

	wait->flags &= ~WQ_FLAG_EXCLUSIVE;
	spin_lock_irqsave(&q->lock, flags);
	list_add(&wait->task_list, &q->task_list);
	spin_unlock_irqrestore(&q->lock, flags);
}

void add_wait_queue_exclusive(wait_queue_head_t *q, wait_queue_t *wait)
{
	unsigned long flags;

	wait->flags |= WQ_FLAG_EXCLUSIVE;
	spin_lock_irqsave(&q->lock, flags);
	list_add_tail(&wait->task_list, &q->task_list);
	spin_unlock_irqrestore(&q->lock, flags);
}

void remove_wait_queue(wait_queue_head_t *q, wait_queue_t *wait)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	list_del(&wait->task_list);
	spin_unlock_irqrestore(&q->lock, flags);
}

/*
 * Queue the waiter (unless a wake-up already took it off) and set the
 * state, both under the queue's lock: a waker, which takes the same lock,
 * either runs before (and the caller's condition test sees its change) or
 * after (and finds the waiter queued and its state set).
 */
void prepare_to_wait(wait_queue_head_t *q, wait_queue_t *wait, int state)
{
	unsigned long flags;

	wait->flags &= ~WQ_FLAG_EXCLUSIVE;
	spin_lock_irqsave(&q->lock, flags);
	if (list_empty(&wait->task_list))
		list_add(&wait->task_list, &q->task_list);
	set_current_state(state);
	spin_unlock_irqrestore(&q->lock, flags);
}

void prepare_to_wait_exclusive(wait_queue_head_t *q, wait_queue_t *wait, int state)
{
	unsigned long flags;

	wait->flags |= WQ_FLAG_EXCLUSIVE;
	spin_lock_irqsave(&q->lock, flags);
	if (list_empty(&wait->task_list))
		list_add_tail(&wait->task_list, &q->task_list);
	set_current_state(state);
	spin_unlock_irqrestore(&q->lock, flags);
}

void finish_wait(wait_queue_head_t *q, wait_queue_t *wait)
{
	unsigned long flags;

	__set_current_state(TASK_RUNNING);
	/* A wake-up through autoremove_wake_function may have taken it off already. */
	spin_lock_irqsave(&q->lock, flags);
	if (!list_empty(&wait->task_list))
		list_del_init(&wait->task_list);
	spin_unlock_irqrestore(&q->lock, flags);
}

/* Wake in queue order: non-exclusive waiters all, then @nr_exclusive exclusive ones. */
void __wake_up_common(wait_queue_head_t *q, unsigned int mode, int nr_exclusive, int flags,
		      void *key)
{
	wait_queue_t *curr, *next;

	list_for_each_entry_safe(curr, next, &q->task_list, task_list) {
		unsigned int excl = curr->flags & WQ_FLAG_EXCLUSIVE;

		if (curr->func(curr, mode, flags, key) && excl && !--nr_exclusive)
			break;
	}
}

void __wake_up(wait_queue_head_t *q, unsigned int mode, int nr_exclusive, void *key)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	__wake_up_common(q, mode, nr_exclusive, 0, key);
	spin_unlock_irqrestore(&q->lock, flags);
}

void __wake_up_locked(wait_queue_head_t *q, unsigned int mode)
{
	__wake_up_common(q, mode, 1, 0, NULL);
}

/* What the task sleeps in and on, for ps and the hung-task report (read by others). */
static void note_sleep(struct task_struct *t, const char *wchan, const void *object)
{
	__atomic_store_n(&t->wchan, wchan, __ATOMIC_RELAXED);
	__atomic_store_n(&t->wait_object, object, __ATOMIC_RELAXED);
}

static void lib_schedule(const void *object, const char *wchan)
{
	struct task_struct *t = current;

	if (!lib_hooks.schedule) {
		printk(KERN_EMERG "BUG: %s: a task must sleep but no scheduler runs\n", wchan);
		BUG();
	}
	note_sleep(t, wchan, object);
	lib_hooks.schedule();
	note_sleep(t, NULL, NULL);
}

void __wait_schedule(wait_queue_head_t *q, const char *wchan)
{
	lib_schedule(q, wchan);
}

long __wait_schedule_timeout(wait_queue_head_t *q, const char *wchan, long timeout)
{
	struct task_struct *t = current;
	long left;

	if (!lib_hooks.schedule_timeout) {
		printk(KERN_EMERG "BUG: %s: a task must sleep but no scheduler runs\n", wchan);
		BUG();
	}
	note_sleep(t, wchan, q);
	left = lib_hooks.schedule_timeout(timeout);
	note_sleep(t, NULL, NULL);
	return left;
}

void lib_sleep(const void *object, const char *wchan)
{
	lib_schedule(object, wchan);
}
