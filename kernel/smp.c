/*
 * smp.c - calling a function on other CPUs (kernel/smp.c's
 * smp_call_function_single and on_each_cpu), through the simulated
 * hardware's remote execution (hw_run_on_cpu: the handler runs as that CPU
 * with its interrupts disabled, in hardirq context, and the caller waits).
 */
#include <kmm/errno.h>
#include <kmm/smp.h>
#include "hw/cpu.h"

void on_each_cpu(void (*fn)(void *info), void *info, int wait)
{
	int cpu;

	(void)wait;	/* always synchronous */
	for_each_online_cpu(cpu)
		hw_run_on_cpu(cpu, fn, info);
}

int smp_call_function_single(int cpu, void (*fn)(void *info), void *info, int wait)
{
	(void)wait;
	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -ENXIO;
	hw_run_on_cpu(cpu, fn, info);
	return 0;
}
