/*
 * timer.h - work on the simulated clock: periodic kernel work
 * (vmstat_update, cache_reap) and one-shot timers (schedule_timeout's
 * wake-ups).
 *
 * In deterministic mode timers run whenever the clock is advanced past
 * their due time — by the script (tick, sleep) or by the scheduler when
 * every task sleeps — in order of due time, then of arming.  In parallel
 * mode the clock is the host's and periodic work runs when some thread
 * calls timers_run_due().  Both are safe to call from several threads.
 */
#ifndef KMM_TIMER_H
#define KMM_TIMER_H

#include <kmm/list.h>
#include <kmm/types.h>

struct kmm_timer {
	const char *name;
	unsigned long period;		/* jiffies; 0: a one-shot timer */
	void (*fn)(void);		/* periodic work */
	void (*function)(unsigned long data);	/* one-shot: called once when due */
	unsigned long data;
	u64 next_ns;			/* due time on the machine's clock */
	u64 seq;			/* arming order, the tie-break */
	struct list_head entry;		/* on the timer list while armed */
	bool armed;
};

/* Register periodic @t to run every t->period jiffies from now. */
void timer_add(struct kmm_timer *t);
/* Arm one-shot @t (t->function, t->data) to run once at clock @expires_ns. */
void timer_arm(struct kmm_timer *t, u64 expires_ns);
/* Disarm @t (periodic or one-shot); harmless if it is not armed. */
void timer_del(struct kmm_timer *t);
/* Move the clock forward by @ns, running every timer that falls due. */
void timers_advance(u64 ns);
/* When the next timer falls due (~0 if none is armed). */
u64 timers_next_due(void);
/*
 * Parallel mode: run the timers that are due by the clock now, unless
 * another thread is running timers (then return 0 at once).  Returns when
 * the next timer falls due, on the machine's clock.  Must not be called
 * with interrupts disabled: the work runs on every CPU.
 */
u64 timers_run_due(void);

#endif /* KMM_TIMER_H */
