/*
 * hw/clock.c - the machine's clock: simulated nanoseconds that move only
 * when told (deterministic mode), or the host's monotonic clock since boot
 * (parallel mode).
 */
#include <time.h>

#include <kmm/compiler.h>
#include "hw/clock.h"

static struct {
	bool deterministic;
	u64 sim_ns;
	u64 host_boot_ns;
} clk __state_zero;

static u64 host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

u64 hw_clock_ns(void)
{
	if (clk.deterministic)
		return __atomic_load_n(&clk.sim_ns, __ATOMIC_RELAXED);
	return host_ns() - clk.host_boot_ns + __atomic_load_n(&clk.sim_ns, __ATOMIC_RELAXED);
}

void hw_clock_advance(u64 ns)
{
	__atomic_fetch_add(&clk.sim_ns, ns, __ATOMIC_RELAXED);
}

void hw_clock_reset(bool deterministic)
{
	clk.deterministic = deterministic;
	clk.sim_ns = 0;
	clk.host_boot_ns = host_ns();
}
