/*
 * hw/clock.h - simulated time.
 *
 * In deterministic mode time only moves when the scenario says so (tick,
 * sleep), so output is reproducible.  In parallel mode it follows the host's
 * monotonic clock from boot.
 */
#ifndef KMM_HW_CLOCK_H
#define KMM_HW_CLOCK_H

#include <kmm/types.h>

u64 hw_clock_ns(void);
void hw_clock_advance(u64 ns);
void hw_clock_reset(bool deterministic);

#endif /* KMM_HW_CLOCK_H */
