/*
 * timer.c - work on the simulated clock (timer.h).  The clock moves in
 * steps; timers due within a step run in order of due time (then of
 * arming), each when the clock reaches its due time.  Armed timers sit on
 * one list sorted that way.
 *
 * In parallel mode the clock is the host's and nobody steps it: a thread
 * that passes by calls timers_run_due() now and then, and whichever thread
 * gets timer_lock first runs what is due while the others go on.  One
 * lock serialises the list and the runs; a timer function that advances
 * the clock (a deterministic sleep) re-enters on the same thread, which
 * then already holds it.
 */
#include <kmm/jiffies.h>
#include <kmm/kernel.h>
#include <kmm/mutex.h>
#include <kmm/timer.h>
#include "hw/clock.h"

static struct {
	struct list_head armed;		/* sorted by (next_ns, seq) */
	u64 seq;
} timers __state = { .armed = LIST_HEAD_INIT(timers.armed) };

static DEFINE_MUTEX(timer_lock);
static __thread int timer_lock_depth;	/* this thread holds timer_lock (nesting count) */

static void timers_lock(void)
{
	if (!timer_lock_depth++)
		mutex_lock(&timer_lock);
}

/* Take timer_lock unless another thread holds it; true if taken. */
static bool timers_trylock(void)
{
	if (!timer_lock_depth && !mutex_trylock(&timer_lock))
		return false;
	timer_lock_depth++;
	return true;
}

static void timers_unlock(void)
{
	if (!--timer_lock_depth)
		mutex_unlock(&timer_lock);
}

/*
 * Put @t on the list at @due, in (due, seq) order.  A periodic timer keeps
 * the seq of its registration (@keep_seq), so two periodic timers due at
 * the same time always run in the order they were registered.
 */
static void enqueue(struct kmm_timer *t, u64 due, bool keep_seq)
{
	struct kmm_timer *pos;

	t->next_ns = due;
	if (!keep_seq)
		t->seq = ++timers.seq;
	list_for_each_entry(pos, &timers.armed, entry)
		if (pos->next_ns > due || (pos->next_ns == due && pos->seq > t->seq))
			break;
	list_add_tail(&t->entry, &pos->entry);
	t->armed = true;
}

static void dequeue(struct kmm_timer *t)
{
	list_del(&t->entry);
	t->armed = false;
}

void timer_add(struct kmm_timer *t)
{
	timers_lock();
	if (t->armed)
		dequeue(t);
	enqueue(t, hw_clock_ns() + t->period * TICK_NSEC, false);
	timers_unlock();
}

void timer_arm(struct kmm_timer *t, u64 expires_ns)
{
	timers_lock();
	if (t->armed)
		dequeue(t);
	t->period = 0;
	enqueue(t, expires_ns, false);
	timers_unlock();
}

void timer_del(struct kmm_timer *t)
{
	timers_lock();
	if (t->armed)
		dequeue(t);
	timers_unlock();
}

u64 timers_next_due(void)
{
	u64 due = ~0ULL;

	timers_lock();
	if (!list_empty(&timers.armed))
		due = list_first_entry(&timers.armed, struct kmm_timer, entry)->next_ns;
	timers_unlock();
	return due;
}

/*
 * Run @t, due now: a periodic timer is first put back a period later
 * (or a period from @now when it is late by more than a period: Linux's
 * periodic work re-arms itself relative to when it ran), a one-shot
 * timer leaves the list.
 */
static void fire(struct kmm_timer *t, u64 now)
{
	dequeue(t);
	if (t->period) {
		u64 next = t->next_ns + t->period * TICK_NSEC;

		enqueue(t, next <= now ? now + t->period * TICK_NSEC : next, true);
		t->fn();
	} else {
		t->function(t->data);
	}
}

/* The first armed timer if it is due by @limit, else NULL. */
static struct kmm_timer *first_due(u64 limit)
{
	struct kmm_timer *t;

	if (list_empty(&timers.armed))
		return NULL;
	t = list_first_entry(&timers.armed, struct kmm_timer, entry);
	return t->next_ns <= limit ? t : NULL;
}

void timers_advance(u64 ns)
{
	struct kmm_timer *next;
	u64 target;

	timers_lock();
	target = hw_clock_ns() + ns;
	while ((next = first_due(target))) {
		if (next->next_ns > hw_clock_ns())
			hw_clock_advance(next->next_ns - hw_clock_ns());
		fire(next, hw_clock_ns());
	}
	if (target > hw_clock_ns())
		hw_clock_advance(target - hw_clock_ns());
	timers_unlock();
}

u64 timers_run_due(void)
{
	struct kmm_timer *next;
	u64 now, due = ~0ULL;

	if (!timers_trylock())
		return 0;
	now = hw_clock_ns();
	while ((next = first_due(now)))
		fire(next, now);
	if (!list_empty(&timers.armed))
		due = list_first_entry(&timers.armed, struct kmm_timer, entry)->next_ns;
	timers_unlock();
	return due;
}
