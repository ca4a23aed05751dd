/*
 * arch/x86/time.c - the clock the kernel reads: sched_clock(), nanoseconds
 * since boot, from the machine's clock (the TSC of a real x86).
 */
#include <kmm/jiffies.h>
#include "hw/clock.h"

unsigned long long sched_clock(void)
{
	return hw_clock_ns();
}
