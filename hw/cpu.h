/*
 * hw/cpu.h - the simulated CPUs: which host thread runs as which CPU, and
 * running a function as another CPU (the simulator's IPI).
 *
 * The CPU record, smp_processor_id() and the interrupt flag are the public
 * face of this hardware (include/kmm/asm/smp.h and asm/irqflags.h, which
 * explain the protocol).  What follows is for the layers that manage CPUs:
 * attaching host threads, switching, the remote half of the takeover
 * protocol, and stopping the CPUs for the host's fork().
 */
#ifndef KMM_HW_CPU_H
#define KMM_HW_CPU_H

#include <kmm/asm/irqflags.h>
#include <kmm/asm/smp.h>

/*
 * Run @fn(@arg) as CPU @cpu, with its interrupts disabled, and wait for it:
 * directly when this thread owns @cpu or nobody does, otherwise through the
 * takeover protocol.  Must not be called with interrupts disabled.
 */
void hw_run_on_cpu(int cpu, void (*fn)(void *), void *arg);
/*
 * hw_run_on_cpu() for a thread borrowing @cpu (kmm_run_on_cpu): -EAGAIN,
 * and nothing run, when @cpu is offline or another thread is bringing it
 * up or taking it down; else 0 once @fn has run.
 */
int hw_run_on_online_cpu(int cpu, void (*fn)(void *), void *arg);
/*
 * CPU hotplug: the calling thread claims @cpu while it brings it up or
 * takes it down, so that no other thread attaches to it or borrows it
 * half-made; the claimer's own calls as @cpu (hw_run_on_cpu) run
 * directly, and other threads' IPIs (hw_run_on_cpu) still reach it.
 * -EBUSY when another thread owns @cpu.  Checked and set under the CPU's
 * ipi_lock, as attaching is: of a thread attaching and one taking the CPU
 * down, exactly one wins.
 */
int hw_cpu_hotplug_begin(int cpu);
void hw_cpu_hotplug_end(int cpu);
/* How many calls went through the takeover protocol (for tests). */
extern unsigned long hw_takeovers;
/*
 * The task the calling host thread runs, set by the scheduler: a handler
 * run through the takeover protocol runs on its behalf.
 */
extern __thread struct task_struct *hw_thread_task;

/*
 * Make the calling host thread run as CPU @cpu (parallel mode), or give it
 * every CPU (deterministic mode: owner of all, switching with hw_switch_cpu).
 * Returns -EBUSY when another thread owns @cpu (a thread bringing it up or
 * taking it down owns it meanwhile), -EAGAIN when @cpu is offline.
 */
int hw_cpu_attach(int cpu);
void hw_cpu_detach(void);
/* Give back the CPU the calling thread runs as (hw_cpu_attach), and run as none. */
void hw_cpu_leave(void);
/* Shutdown: clear the cross-CPU protocol's locks and flags (no handler runs). */
void hw_cpus_stop(void);
void hw_cpu_attach_all(void);
/* Deterministic mode: run later kernel operations as CPU @cpu. */
void hw_switch_cpu(int cpu);
/* Give the calling thread the first CPU nobody owns; -EBUSY when all are taken. */
int hw_cpu_attach_any(void);
/* At machine setup: seed the per-CPU random streams, clear ownership. */
void hw_cpus_init(u64 seed);

/*
 * Stop every CPU at a safe point, for fork(): wait for remote handlers in
 * flight to finish and keep new ones out; raise the takeover flag of each
 * CPU another thread owns and wait until that CPU is outside any
 * interrupts-disabled section.  Its owner then waits at its next
 * local_irq_save(), so no CPU holds an interrupt-safe lock or is half-way
 * through its per-CPU data until hw_cpus_thaw().  The caller must not be
 * inside an interrupts-disabled section; its own CPU keeps running.
 */
void hw_cpus_freeze(void);
/*
 * Let the CPUs go again.  In a forked child (@child true) only the calling
 * thread exists: the CPUs other threads owned become free, and membarrier(2)
 * is registered again for the new process.
 */
void hw_cpus_thaw(bool child);

#endif /* KMM_HW_CPU_H */
