/*
 * timer.h - periodic kernel work on the simulated clock (vmstat_update,
 * cache_reap, kswapd's naps).  In deterministic mode the work runs, in a
 * fixed order, whenever the clock is advanced past its due time; in
 * parallel mode, when some thread calls timers_run_due().  Both are safe to
 * call from several threads.
 */
#ifndef KMM_TIMER_H
#define KMM_TIMER_H

#include <kmm/types.h>

struct kmm_timer {
	const char *name;
	unsigned long period;		/* jiffies */
	void (*fn)(void);
	u64 next_ns;			/* due time on the machine's clock */
};

/* Register @t to run every t->period jiffies from now. */
void timer_add(struct kmm_timer *t);
void timer_del(struct kmm_timer *t);
/* Move the clock forward by @ns, running every timer that falls due. */
void timers_advance(u64 ns);
/*
 * Parallel mode: run the timers that are due by the clock now, unless
 * another thread is running timers (then return 0 at once).  Returns when
 * the next timer falls due, on the clock of hw_clock_ns().  Must not be
 * called with interrupts disabled: the work runs on every CPU.
 */
u64 timers_run_due(void);

#endif /* KMM_TIMER_H */
