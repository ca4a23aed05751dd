/*
 * wait.h - wait queues: sleeping until a condition holds.
 *
 * In parallel mode a waiter blocks its host thread (futex) until a waker
 * bumps the queue's sequence number; conditions are rechecked after every
 * wake, so spurious wakeups are harmless.  In deterministic mode there is
 * one host thread: a wait whose condition is false asks the scheduler hook
 * to run other simulated tasks, and reports a deadlock if none can run.
 */
#ifndef KMM_WAIT_H
#define KMM_WAIT_H

#include <kmm/compiler.h>
#include <kmm/types.h>

typedef struct wait_queue_head {
	u32 seq;		/* bumped by every wake_up */
	u32 waiters;
	u64 pad;		/* keep Linux's 24-byte size on x86_64 */
	u64 pad2;
} wait_queue_head_t;

#define __WAIT_QUEUE_HEAD_INITIALIZER(name) { 0, 0, 0, 0 }
#define DECLARE_WAIT_QUEUE_HEAD(name) \
	__state wait_queue_head_t name = __WAIT_QUEUE_HEAD_INITIALIZER(name)

static inline void init_waitqueue_head(wait_queue_head_t *q)
{
	q->seq = 0;
	q->waiters = 0;
}

void wake_up(wait_queue_head_t *q);
void wake_up_all(wait_queue_head_t *q);
#define wake_up_interruptible(q) wake_up(q)

/* Block until the queue's sequence moves past @seq (or spuriously). */
void __wait_queue_sleep(wait_queue_head_t *q, u32 seq);
bool waitqueue_active(wait_queue_head_t *q);

/*
 * Deterministic mode: run other runnable simulated tasks once; returns
 * false when nothing could run (the wait would last forever).
 */
extern bool (*sim_schedule_hook)(void);

#define wait_event(wq, condition)						\
	do {									\
		for (;;) {							\
			u32 __seq = __atomic_load_n(&(wq).seq, __ATOMIC_ACQUIRE); \
			if (condition)						\
				break;						\
			__wait_queue_sleep(&(wq), __seq);			\
		}								\
	} while (0)
#define wait_event_interruptible(wq, condition) ({ wait_event(wq, condition); 0; })

#endif /* KMM_WAIT_H */
