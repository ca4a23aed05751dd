/*
 * timer.c - periodic work on the simulated clock.  The clock moves in
 * steps; timers due within a step run in order of due time (then of
 * registration), each time the clock reaches their due time.
 *
 * In parallel mode the clock is the host's and nobody steps it: a thread
 * that passes by calls timers_run_due() now and then, and whichever thread
 * gets timer_lock first runs what is due while the others go on.  One
 * lock serialises the table and the runs; a timer function that sleeps
 * (schedule_timeout in deterministic mode advances the clock) re-enters on
 * the same thread, which then already holds it.
 */
#include <kmm/jiffies.h>
#include <kmm/kernel.h>
#include <kmm/mutex.h>
#include <kmm/timer.h>
#include "hw/clock.h"

#define MAX_TIMERS 16

static struct {
	struct kmm_timer *t[MAX_TIMERS];
	int nr;
} timers __state;

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

void timer_add(struct kmm_timer *t)
{
	timers_lock();
	if (timers.nr >= MAX_TIMERS)
		panic("too many kernel timers");
	t->next_ns = hw_clock_ns() + t->period * TICK_NSEC;
	timers.t[timers.nr++] = t;
	timers_unlock();
}

void timer_del(struct kmm_timer *t)
{
	timers_lock();
	for (int i = 0; i < timers.nr; i++)
		if (timers.t[i] == t) {
			timers.t[i] = timers.t[--timers.nr];
			break;
		}
	timers_unlock();
}

/* The timer due first at or before @limit (ties: first registered); NULL if none. */
static struct kmm_timer *first_due(u64 limit)
{
	struct kmm_timer *next = NULL;

	for (int i = 0; i < timers.nr; i++)
		if (timers.t[i]->next_ns <= limit &&
		    (!next || timers.t[i]->next_ns < next->next_ns))
			next = timers.t[i];
	return next;
}

void timers_advance(u64 ns)
{
	u64 target;
	struct kmm_timer *next;

	timers_lock();
	target = hw_clock_ns() + ns;
	while ((next = first_due(target))) {
		if (next->next_ns > hw_clock_ns())
			hw_clock_advance(next->next_ns - hw_clock_ns());
		next->next_ns += next->period * TICK_NSEC;
		next->fn();
	}
	if (target > hw_clock_ns())
		hw_clock_advance(target - hw_clock_ns());
	timers_unlock();
}

/*
 * A timer that is late by more than its period runs once, not once per
 * missed period, and is due again a period from now: Linux's periodic
 * work re-arms itself relative to when it ran.
 */
u64 timers_run_due(void)
{
	struct kmm_timer *next;
	u64 now, due = ~0ULL;

	if (!timers_trylock())
		return 0;
	now = hw_clock_ns();
	while ((next = first_due(now))) {
		next->next_ns += next->period * TICK_NSEC;
		if (next->next_ns <= now)
			next->next_ns = now + next->period * TICK_NSEC;
		next->fn();
	}
	for (int i = 0; i < timers.nr; i++)
		if (timers.t[i]->next_ns < due)
			due = timers.t[i]->next_ns;
	timers_unlock();
	return due;
}
