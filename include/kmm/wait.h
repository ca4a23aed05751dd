/*
 * wait.h - wait queues: sleeping until a condition holds.
 *
 * A wait queue head is a list of waiters under a spinlock; a waiter is an
 * entry naming a task and how to wake it.  The sleeper's side is always
 * the same three steps, in this order:
 *
 *   prepare_to_wait(q, &wait, TASK_UNINTERRUPTIBLE);  enqueue, set state
 *   if (!condition) schedule();                        sleep unless done
 *   finish_wait(q, &wait);                             dequeue, RUNNING
 *
 * The state is set before the condition is tested, and a waker changes
 * the condition before it wakes, so a wake-up cannot fall between the
 * test and the sleep: it sets the sleeper TASK_RUNNING and schedule()
 * returns at once.  wait_event() loops over these steps.
 *
 * wake_up() wakes every non-exclusive waiter and the first exclusive one
 * (exclusive waiters queue at the tail); wake_up_all() wakes them all.
 * Waiters are woken in queue order, which in deterministic mode fixes who
 * runs next.  Signals do not exist yet: the interruptible variants sleep
 * in TASK_INTERRUPTIBLE and never return -ERESTARTSYS.
 *
 * The layout of wait_queue_head_t (24 bytes) is Linux's on x86_64: zones
 * allocate arrays of them at boot.
 */
#ifndef KMM_WAIT_H
#define KMM_WAIT_H

#include <kmm/compiler.h>
#include <kmm/list.h>
#include <kmm/sched.h>
#include <kmm/spinlock.h>
#include <kmm/types.h>

typedef struct __wait_queue wait_queue_t;
typedef int (*wait_queue_func_t)(wait_queue_t *wait, unsigned int mode, int flags, void *key);

struct __wait_queue {
	unsigned int flags;
#define WQ_FLAG_EXCLUSIVE	0x01
	void *private;			/* the waiting task */
	wait_queue_func_t func;		/* how to wake it */
	struct list_head task_list;
};

typedef struct wait_queue_head {
	spinlock_t lock;
	struct list_head task_list;
} wait_queue_head_t;

#define __WAIT_QUEUE_HEAD_INITIALIZER(name)					\
	{ .lock = __SPIN_LOCK_UNLOCKED(name.lock),				\
	  .task_list = { &(name).task_list, &(name).task_list } }
#define DECLARE_WAIT_QUEUE_HEAD(name)						\
	__state wait_queue_head_t name = __WAIT_QUEUE_HEAD_INITIALIZER(name)

void __init_waitqueue_head(wait_queue_head_t *q, const char *name, const struct lock_class_key *key);
#define init_waitqueue_head(q)							\
	do {									\
		static const struct lock_class_key __key;				\
		__init_waitqueue_head((q), #q, &__key);				\
	} while (0)

int default_wake_function(wait_queue_t *wait, unsigned int mode, int flags, void *key);
/* Wakes the task and takes the entry off the queue (DEFINE_WAIT's). */
int autoremove_wake_function(wait_queue_t *wait, unsigned int mode, int flags, void *key);

#define __WAITQUEUE_INITIALIZER(name, tsk)					\
	{ .private = (tsk), .func = default_wake_function,			\
	  .task_list = { NULL, NULL } }
#define DECLARE_WAITQUEUE(name, tsk)	wait_queue_t name = __WAITQUEUE_INITIALIZER(name, tsk)
#define DEFINE_WAIT(name)							\
	wait_queue_t name = { .private = current, .func = autoremove_wake_function, \
			      .task_list = LIST_HEAD_INIT((name).task_list) }

void add_wait_queue(wait_queue_head_t *q, wait_queue_t *wait);
void add_wait_queue_exclusive(wait_queue_head_t *q, wait_queue_t *wait);
void remove_wait_queue(wait_queue_head_t *q, wait_queue_t *wait);
void prepare_to_wait(wait_queue_head_t *q, wait_queue_t *wait, int state);
void prepare_to_wait_exclusive(wait_queue_head_t *q, wait_queue_t *wait, int state);
void finish_wait(wait_queue_head_t *q, wait_queue_t *wait);

/* Wake waiters in @mode states: all non-exclusive ones and @nr_exclusive exclusive ones (0: all). */
void __wake_up(wait_queue_head_t *q, unsigned int mode, int nr_exclusive, void *key);
/* With q->lock held: wake one exclusive waiter (and the non-exclusive ones). */
void __wake_up_locked(wait_queue_head_t *q, unsigned int mode);
/* With q->lock held: the walk of __wake_up (@nr_exclusive 0: all). */
void __wake_up_common(wait_queue_head_t *q, unsigned int mode, int nr_exclusive, int flags,
		      void *key);

#define wake_up(q)			__wake_up((q), TASK_NORMAL, 1, NULL)
#define wake_up_nr(q, nr)		__wake_up((q), TASK_NORMAL, (nr), NULL)
#define wake_up_all(q)			__wake_up((q), TASK_NORMAL, 0, NULL)
#define wake_up_interruptible(q)	__wake_up((q), TASK_INTERRUPTIBLE, 1, NULL)
#define wake_up_interruptible_all(q)	__wake_up((q), TASK_INTERRUPTIBLE, 0, NULL)

static inline bool waitqueue_active(wait_queue_head_t *q)
{
	return !list_empty(&q->task_list);
}

/* The scheduler's sleep for wait_event(): notes what the task waits in, for ps. */
void __wait_schedule(wait_queue_head_t *q, const char *wchan);
long __wait_schedule_timeout(wait_queue_head_t *q, const char *wchan, long timeout);

#define __wait_event(wq, condition, state)					\
	do {									\
		DEFINE_WAIT(__wait);						\
										\
		for (;;) {							\
			prepare_to_wait(&(wq), &__wait, (state));		\
			if (condition)						\
				break;						\
			__wait_schedule(&(wq), __func__);			\
		}								\
		finish_wait(&(wq), &__wait);					\
	} while (0)

/* Sleep until @condition is true; it is tested after every wake-up. */
#define wait_event(wq, condition)						\
	do {									\
		might_sleep();							\
		if (!(condition))						\
			__wait_event(wq, condition, TASK_UNINTERRUPTIBLE);	\
	} while (0)

#define wait_event_interruptible(wq, condition)					\
	({									\
		might_sleep();							\
		if (!(condition))						\
			__wait_event(wq, condition, TASK_INTERRUPTIBLE);	\
		0;								\
	})

/*
 * Sleep until @condition or @timeout jiffies; returns 0 on timeout (the
 * condition still false), else the jiffies that were left (at least 1).
 */
#define wait_event_timeout(wq, condition, timeout)				\
	({									\
		long __ret = (timeout);						\
		might_sleep();							\
		if (!(condition)) {						\
			DEFINE_WAIT(__wait);					\
										\
			for (;;) {						\
				prepare_to_wait(&(wq), &__wait, TASK_UNINTERRUPTIBLE); \
				if (condition)					\
					break;					\
				__ret = __wait_schedule_timeout(&(wq), __func__, __ret); \
				if (!__ret)					\
					break;					\
			}							\
			finish_wait(&(wq), &__wait);				\
			if (!__ret && (condition))				\
				__ret = 1;					\
		}								\
		__ret;								\
	})

#endif /* KMM_WAIT_H */
