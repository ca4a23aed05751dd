/*
 * completion.c - completions (see completion.h).  Waiters queue exclusive
 * on the completion's wait queue, so complete() wakes exactly one, in
 * arrival order.
 */
#include <kmm/completion.h>
#include <kmm/sched.h>
#include "lib/hooks.h"

#define COMPLETE_ALL	(~0U / 2)	/* done stays positive for any number of waiters */

/* Sleep until done > 0 or @timeout runs out; x->wait.lock held (and dropped while asleep). */
static long do_wait_for_common(struct completion *x, long timeout, const char *wchan)
{
	DECLARE_WAITQUEUE(wait, current);

	if (x->done)
		return timeout;
	wait.flags |= WQ_FLAG_EXCLUSIVE;
	list_add_tail(&wait.task_list, &x->wait.task_list);
	do {
		__set_current_state(TASK_UNINTERRUPTIBLE);
		spin_unlock_irq(&x->wait.lock);
		if (timeout == MAX_SCHEDULE_TIMEOUT)
			lib_sleep(x, wchan);
		else
			timeout = __wait_schedule_timeout(&x->wait, wchan, timeout);
		spin_lock_irq(&x->wait.lock);
	} while (!x->done && timeout);
	__set_current_state(TASK_RUNNING);
	list_del(&wait.task_list);
	return x->done ? (timeout ? timeout : 1) : 0;
}

static long wait_for_common(struct completion *x, long timeout, const char *wchan)
{
	might_sleep();
	spin_lock_irq(&x->wait.lock);
	timeout = do_wait_for_common(x, timeout, wchan);
	if (timeout && x->done < COMPLETE_ALL)
		x->done--;
	spin_unlock_irq(&x->wait.lock);
	return timeout;
}

void wait_for_completion(struct completion *x)
{
	wait_for_common(x, MAX_SCHEDULE_TIMEOUT, "wait_for_completion");
}

unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout)
{
	return wait_for_common(x, (long)timeout, "wait_for_completion_timeout");
}

bool try_wait_for_completion(struct completion *x)
{
	unsigned long flags;
	bool ret = true;

	spin_lock_irqsave(&x->wait.lock, flags);
	if (!x->done)
		ret = false;
	else if (x->done < COMPLETE_ALL)
		x->done--;
	spin_unlock_irqrestore(&x->wait.lock, flags);
	return ret;
}

bool completion_done(struct completion *x)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&x->wait.lock, flags);
	ret = x->done != 0;
	spin_unlock_irqrestore(&x->wait.lock, flags);
	return ret;
}

void complete(struct completion *x)
{
	unsigned long flags;

	spin_lock_irqsave(&x->wait.lock, flags);
	if (x->done < COMPLETE_ALL)
		x->done++;
	__wake_up_locked(&x->wait, TASK_NORMAL);
	spin_unlock_irqrestore(&x->wait.lock, flags);
}

void complete_all(struct completion *x)
{
	unsigned long flags;

	spin_lock_irqsave(&x->wait.lock, flags);
	x->done = COMPLETE_ALL;
	__wake_up_common(&x->wait, TASK_NORMAL, 0, 0, NULL);
	spin_unlock_irqrestore(&x->wait.lock, flags);
}
