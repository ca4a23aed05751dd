/* jiffies.h - the tick counter, derived from the machine's clock. */
#ifndef KMM_JIFFIES_H
#define KMM_JIFFIES_H

#include <kmm/types.h>

#define HZ		250	/* CONFIG_HZ_250, the x86 default */
#define TICK_NSEC	(1000000000UL / HZ)
#define INITIAL_JIFFIES	((unsigned long)(unsigned int)(-300 * HZ))

/* Nanoseconds of the machine's clock since boot (arch/x86/time.c). */
unsigned long long sched_clock(void);

static inline unsigned long get_jiffies(void)
{
	return INITIAL_JIFFIES + sched_clock() / TICK_NSEC;
}
#define jiffies get_jiffies()

#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)

#endif /* KMM_JIFFIES_H */
