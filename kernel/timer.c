/*
 * timer.c - periodic work on the simulated clock.  The clock moves in
 * steps; timers due within a step run in order of due time (then of
 * registration), each time the clock reaches their due time.
 */
#include <kmm/jiffies.h>
#include <kmm/kernel.h>
#include <kmm/timer.h>
#include "hw/clock.h"

#define MAX_TIMERS 16

static struct {
	struct kmm_timer *t[MAX_TIMERS];
	int nr;
} timers __state;

void timer_add(struct kmm_timer *t)
{
	if (timers.nr >= MAX_TIMERS)
		panic("too many kernel timers");
	t->next_ns = hw_clock_ns() + t->period * TICK_NSEC;
	timers.t[timers.nr++] = t;
}

void timer_del(struct kmm_timer *t)
{
	for (int i = 0; i < timers.nr; i++)
		if (timers.t[i] == t) {
			timers.t[i] = timers.t[--timers.nr];
			return;
		}
}

void timers_advance(u64 ns)
{
	u64 target = hw_clock_ns() + ns;

	for (;;) {
		struct kmm_timer *next = NULL;

		for (int i = 0; i < timers.nr; i++)
			if (timers.t[i]->next_ns <= target &&
			    (!next || timers.t[i]->next_ns < next->next_ns))
				next = timers.t[i];
		if (!next)
			break;
		if (next->next_ns > hw_clock_ns())
			hw_clock_advance(next->next_ns - hw_clock_ns());
		next->next_ns += next->period * TICK_NSEC;
		next->fn();
	}
	if (target > hw_clock_ns())
		hw_clock_advance(target - hw_clock_ns());
}
