/*
 * completion.h - completions: "wait until this has happened".
 *
 * @done counts complete() calls not yet consumed by a waiter; waiters
 * sleep on @wait (exclusive: one complete() wakes one waiter).
 * complete_all() makes @done effectively infinite until
 * init_completion().
 */
#ifndef KMM_COMPLETION_H
#define KMM_COMPLETION_H

#include <kmm/compiler.h>
#include <kmm/types.h>
#include <kmm/wait.h>

struct completion {
	unsigned int done;		/* completions not yet consumed */
	wait_queue_head_t wait;
};

#define COMPLETION_INITIALIZER(name) { 0, __WAIT_QUEUE_HEAD_INITIALIZER((name).wait) }
#define DECLARE_COMPLETION(name) __state struct completion name = COMPLETION_INITIALIZER(name)

#define init_completion(x)							\
	do {									\
		(x)->done = 0;							\
		init_waitqueue_head(&(x)->wait);				\
	} while (0)

/* Wait for one complete() (or any after complete_all()), consuming it. */
void wait_for_completion(struct completion *x);
/* The same for at most @timeout jiffies: 0 on timeout, else the jiffies left (>= 1). */
unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout);
/* Consume a completion if one is there; never sleeps. */
bool try_wait_for_completion(struct completion *x);
bool completion_done(struct completion *x);
void complete(struct completion *x);
/* Wake every waiter, now and later, until init_completion(). */
void complete_all(struct completion *x);

#endif /* KMM_COMPLETION_H */
