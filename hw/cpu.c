/*
 * hw/cpu.c - CPU ownership by host threads, and remote execution on a CPU
 * (the simulator's IPI), following the protocol described in hw/cpu.h.
 */
#define _GNU_SOURCE
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <kmm/errno.h>
#include <kmm/preempt.h>
#include <kmm/random.h>
#include "hw/cpu.h"
#include "hw/machine.h"

struct hw_cpu hw_cpus[NR_CPUS] __state_bulk;
int nr_cpu_ids __state = 1;
bool hw_irq_fence __state_zero;
__thread struct hw_cpu *hw_this_cpu;
__thread int hw_this_cpu_id = -1, hw_this_node_id = -1;

/* A per-thread address identifies the owner; its contents do not matter. */
static __thread char thread_token;
/*
 * While a thread runs a handler as another CPU, hw_this_cpu points at this
 * alias: same id and node, "interrupts" permanently disabled, so the
 * handler's own irq save/restore never touches the owner's flag.
 */
static __thread struct hw_cpu remote_alias;
unsigned long hw_takeovers __state_zero;
__thread struct task_struct *hw_thread_task;
unsigned long cpu_online_bits[CPU_MASK_LONGS] __state_zero;

static bool membarrier_ready;	/* process-wide, survives reboots */

static void ipi_lock(struct hw_cpu *c)
{
	unsigned int spins = 0;

	while (__atomic_exchange_n(&c->ipi_lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&c->ipi_lock, __ATOMIC_RELAXED))
			cpu_relax_wait(&spins);
}

static void ipi_unlock(struct hw_cpu *c)
{
	__atomic_store_n(&c->ipi_lock, 0, __ATOMIC_RELEASE);
}

void hw_cpus_init(u64 seed)
{
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		set_cpu_online(cpu, cpu < nr_cpu_ids);
	if (!membarrier_ready) {
		membarrier_ready = true;
		if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) < 0)
			hw_irq_fence = true;
	}
	prandom_seed_cpus(seed);
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		hw_cpus[cpu].owner = NULL;
		hw_cpus[cpu].irq_disabled = 0;
		hw_cpus[cpu].takeover = 0;
		hw_cpus[cpu].hotplug = 0;
	}
}

/* After raising takeover: make every thread's earlier stores visible. */
static void force_fences(void)
{
	if (!hw_irq_fence)
		syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
}

/* Slow half of hw_irq_save(): a remote CPU is running as us; let it finish. */
void hw_irq_wait_takeover(struct hw_cpu *cpu)
{
	unsigned int spins = 0;

	do {
		__atomic_store_n(&cpu->irq_disabled, 0, __ATOMIC_RELEASE);
		while (__atomic_load_n(&cpu->takeover, __ATOMIC_ACQUIRE))
			cpu_relax_wait(&spins);
		__atomic_exchange_n(&cpu->irq_disabled, 1, __ATOMIC_SEQ_CST);
	} while (__atomic_load_n(&cpu->takeover, __ATOMIC_SEQ_CST));
}

/* hw_run_on_cpu() with @c's ipi_lock held. */
static void run_on_cpu_locked(struct hw_cpu *c, void (*fn)(void *), void *arg)
{
	struct hw_cpu *prev = hw_this_cpu;
	unsigned int spins = 0;
	void *owner;
	unsigned long flags;

	owner = __atomic_load_n(&c->owner, __ATOMIC_ACQUIRE);
	if (!owner || owner == &thread_token || hw.deterministic) {
		/*
		 * Nobody else runs as @cpu: become it for the call, with the
		 * task current there current (its idle task, usually), in
		 * hardirq context unless it is our own CPU.
		 */
		bool remote = c != prev;

		hw_set_this_cpu(c);
		flags = hw_irq_save();
		if (remote)
			irq_enter();
		fn(arg);
		if (remote)
			irq_exit();
		hw_irq_restore(flags);
		hw_set_this_cpu(prev);
	} else {
		__atomic_add_fetch(&hw_takeovers, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&c->takeover, 1, __ATOMIC_SEQ_CST);
		force_fences();
		while (__atomic_load_n(&c->irq_disabled, __ATOMIC_SEQ_CST))
			cpu_relax_wait(&spins);
		/*
		 * The handler runs as @cpu (its id, its node) on a private
		 * record whose interrupt flag is ours: the owner keeps
		 * writing its own flag while it waits.  The handler runs in
		 * hardirq context, on behalf of the calling thread's task:
		 * unlike a real interrupt, the task running on @cpu does not
		 * stop (it only waits at its next local_irq_save()), so the
		 * handler must not use that task's state (its held locks).
		 */
		remote_alias = (struct hw_cpu){ .id = c->id, .node = c->node,
						.present = c->present, .irq_disabled = 1,
						.owner = &thread_token,
						.curr = prev ? prev->curr : hw_thread_task };
		hw_set_this_cpu(&remote_alias);
		irq_enter();
		fn(arg);
		irq_exit();
		hw_set_this_cpu(prev);
		__atomic_store_n(&c->takeover, 0, __ATOMIC_RELEASE);
	}
}

void hw_run_on_cpu(int cpu, void (*fn)(void *), void *arg)
{
	struct hw_cpu *c = &hw_cpus[cpu];

	ipi_lock(c);
	run_on_cpu_locked(c, fn, arg);
	ipi_unlock(c);
}

/*
 * The CPU's state is read under its ipi_lock, which cpu_down's claim and
 * release also take: a borrower either runs before the claim, or finds
 * the CPU claimed (or, after the release, offline) and runs nothing.
 */
int hw_run_on_online_cpu(int cpu, void (*fn)(void *), void *arg)
{
	struct hw_cpu *c = &hw_cpus[cpu];

	ipi_lock(c);
	if (!hw.deterministic && (!cpu_online(cpu) || (c->hotplug && c->owner != &thread_token))) {
		ipi_unlock(c);
		return -EAGAIN;
	}
	run_on_cpu_locked(c, fn, arg);
	ipi_unlock(c);
	return 0;
}

enum { HOTPLUG_CLAIMED = 1, HOTPLUG_OURS };	/* hw_cpu.hotplug: was the CPU free, or ours? */

int hw_cpu_hotplug_begin(int cpu)
{
	struct hw_cpu *c = &hw_cpus[cpu];
	void *owner;

	ipi_lock(c);
	owner = c->owner;
	if ((owner && owner != &thread_token) || c->hotplug) {
		ipi_unlock(c);
		return -EBUSY;
	}
	c->hotplug = owner ? HOTPLUG_OURS : HOTPLUG_CLAIMED;
	__atomic_store_n(&c->owner, &thread_token, __ATOMIC_RELEASE);
	ipi_unlock(c);
	return 0;
}

void hw_cpu_hotplug_end(int cpu)
{
	struct hw_cpu *c = &hw_cpus[cpu];

	ipi_lock(c);
	if (c->hotplug == HOTPLUG_CLAIMED)
		__atomic_store_n(&c->owner, NULL, __ATOMIC_RELEASE);
	c->hotplug = 0;
	ipi_unlock(c);
}

int hw_cpu_attach(int cpu)
{
	struct hw_cpu *c;
	void *owner;

	if (cpu < 0 || cpu >= nr_cpu_ids)
		return -EINVAL;
	c = &hw_cpus[cpu];
	ipi_lock(c);
	owner = c->owner;
	if (owner && owner != &thread_token) {
		ipi_unlock(c);
		return -EBUSY;
	}
	if (!cpu_online(cpu)) {
		ipi_unlock(c);
		return -EAGAIN;
	}
	__atomic_store_n(&c->owner, &thread_token, __ATOMIC_RELEASE);
	ipi_unlock(c);
	hw_set_this_cpu(c);
	return 0;
}

int hw_cpu_attach_any(void)
{
	for (int cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (!__atomic_load_n(&hw_cpus[cpu].owner, __ATOMIC_RELAXED) && !hw_cpu_attach(cpu))
			return cpu;
	return -EBUSY;
}

void hw_cpu_attach_all(void)
{
	for (int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		ipi_lock(&hw_cpus[cpu]);
		__atomic_store_n(&hw_cpus[cpu].owner, &thread_token, __ATOMIC_RELEASE);
		ipi_unlock(&hw_cpus[cpu]);
	}
	hw_set_this_cpu(&hw_cpus[0]);
}

/*
 * The machine stops (shutdown, possibly after a BUG or panic unwound the
 * stack from inside a cross-CPU call): no handler runs any more, so the
 * locks and flags of the protocol are cleared rather than taken.
 */
void hw_cpus_stop(void)
{
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		__atomic_store_n(&hw_cpus[cpu].ipi_lock, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&hw_cpus[cpu].takeover, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&hw_cpus[cpu].irq_disabled, 0, __ATOMIC_RELEASE);
		hw_cpus[cpu].hotplug = 0;
	}
}

void hw_cpu_detach(void)
{
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct hw_cpu *c = &hw_cpus[cpu];

		if (__atomic_load_n(&c->owner, __ATOMIC_RELAXED) != &thread_token)
			continue;
		ipi_lock(c);
		__atomic_store_n(&c->owner, NULL, __ATOMIC_RELEASE);
		ipi_unlock(c);
	}
	hw_set_this_cpu(NULL);
}

void hw_cpu_leave(void)
{
	struct hw_cpu *c = hw_this_cpu;

	if (c && __atomic_load_n(&c->owner, __ATOMIC_RELAXED) == &thread_token) {
		ipi_lock(c);
		__atomic_store_n(&c->owner, NULL, __ATOMIC_RELEASE);
		ipi_unlock(c);
	}
	hw_set_this_cpu(NULL);
}

void hw_switch_cpu(int cpu)
{
	hw_set_this_cpu(&hw_cpus[cpu]);
}

/*
 * Freezing takes each CPU's ipi_lock in CPU order.  That cannot deadlock
 * with a remote handler in flight: a handler's thread holds one ipi_lock
 * and waits only for that CPU's owner to leave an interrupts-disabled
 * section, and an owner inside one waits for nothing a frozen CPU holds
 * (interrupt-safe locks are only held with interrupts disabled, and
 * hw_run_on_cpu() is never called with them disabled).
 */
void hw_cpus_freeze(void)
{
	unsigned int spins = 0;

	for (int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct hw_cpu *c = &hw_cpus[cpu];
		void *owner;

		ipi_lock(c);
		owner = __atomic_load_n(&c->owner, __ATOMIC_ACQUIRE);
		if (owner && owner != &thread_token)
			__atomic_store_n(&c->takeover, 1, __ATOMIC_SEQ_CST);
	}
	force_fences();
	for (int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct hw_cpu *c = &hw_cpus[cpu];

		if (!__atomic_load_n(&c->takeover, __ATOMIC_RELAXED))
			continue;
		while (__atomic_load_n(&c->irq_disabled, __ATOMIC_SEQ_CST))
			cpu_relax_wait(&spins);
	}
}

void hw_cpus_thaw(bool child)
{
	if (child && !hw_irq_fence &&
	    syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) < 0)
		hw_irq_fence = true;
	for (int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct hw_cpu *c = &hw_cpus[cpu];

		if (child && __atomic_load_n(&c->owner, __ATOMIC_RELAXED) != &thread_token) {
			/* Its owner is gone; it stopped outside any critical section. */
			__atomic_store_n(&c->owner, NULL, __ATOMIC_RELAXED);
			__atomic_store_n(&c->irq_disabled, 0, __ATOMIC_RELAXED);
			c->hotplug = 0;
		}
		__atomic_store_n(&c->takeover, 0, __ATOMIC_RELEASE);
		ipi_unlock(c);
	}
}
