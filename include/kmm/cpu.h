/*
 * cpu.h - CPU hotplug (Linux's include/linux/cpu.h): CPUs go offline and
 * come back online at run time, and the subsystems that keep per-CPU
 * state hear of it through the CPU notifier chain.
 *
 * The events, in the order a CPU sees them:
 *
 *   cpu_up(N):    CPU_UP_PREPARE -> (the CPU starts, is online) -> CPU_ONLINE
 *                 a veto at UP_PREPARE: CPU_UP_CANCELED to those that
 *                 agreed, and cpu_up fails with the veto's errno
 *   cpu_down(N):  CPU_DOWN_PREPARE -> (tasks leave it, it stops, is
 *                 offline) -> CPU_DEAD -> CPU_POST_DEAD
 *                 a veto at DOWN_PREPARE: CPU_DOWN_FAILED, and cpu_down fails
 *
 * @data is the CPU number, cast to a pointer (hcpu).  The callbacks of
 * 2.6.34 that kmm has: the page allocator (CPU_DEAD: drain the dead CPU's
 * per-CPU lists, fold its event counters and stat deltas), the slab
 * allocator (CPU_UP_PREPARE: the CPU's arrays; CPU_DEAD and
 * CPU_UP_CANCELED: free them, their objects back to the slabs) and vmstat
 * (CPU_DEAD: the counter thresholds for one CPU fewer).
 */
#ifndef KMM_CPU_H
#define KMM_CPU_H

#include <kmm/notifier.h>

#define CPU_ONLINE		0x0002	/* the CPU is up */
#define CPU_UP_PREPARE		0x0003	/* it is coming up */
#define CPU_UP_CANCELED		0x0004	/* it failed to come up */
#define CPU_DOWN_PREPARE	0x0005	/* it is going down */
#define CPU_DOWN_FAILED		0x0006	/* it did not go down */
#define CPU_DEAD		0x0007	/* it is dead */
#define CPU_POST_DEAD		0x0009	/* after CPU_DEAD, the hotplug lock dropped */

extern struct raw_notifier_head cpu_chain;

/* Register/unregister a CPU hotplug callback (at boot; lib/notifier.c). */
int register_cpu_notifier(struct notifier_block *nb);
void unregister_cpu_notifier(struct notifier_block *nb);

/*
 * Bring CPU @cpu online (0: it is, or it came up), or take it offline.
 * cpu_down: -EINVAL for no such CPU or one already offline, -EBUSY for
 * the boot CPU (x86's native_cpu_disable), the last online CPU, or a CPU
 * a host thread runs on (parallel mode), or a callback's veto.
 * kernel/cpu.c; kmm.h's kmm_cpu_up/kmm_cpu_down are the same calls.
 */
int cpu_up(unsigned int cpu);
int cpu_down(unsigned int cpu);

#endif /* KMM_CPU_H */
