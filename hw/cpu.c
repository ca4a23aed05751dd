/*
 * hw/cpu.c - CPU ownership by host threads, and remote execution on a CPU
 * (the simulator's IPI), following the protocol described in hw/cpu.h.
 */
#define _GNU_SOURCE
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <kmm/errno.h>
#include <kmm/smp.h>
#include "hw/cpu.h"
#include "hw/machine.h"

struct hw_cpu hw_cpus[NR_CPUS] __state;
int nr_cpu_ids __state = 1;
bool hw_irq_fence __state;
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
unsigned long hw_takeovers __state;
unsigned long cpu_online_bits __state;

static bool membarrier_ready;	/* process-wide, survives reboots */

static void ipi_lock(struct hw_cpu *c)
{
	while (__atomic_exchange_n(&c->ipi_lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&c->ipi_lock, __ATOMIC_RELAXED))
			cpu_relax();
}

static void ipi_unlock(struct hw_cpu *c)
{
	__atomic_store_n(&c->ipi_lock, 0, __ATOMIC_RELEASE);
}

static u64 splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void hw_cpus_init(u64 seed)
{
	cpu_online_bits = nr_cpu_ids >= 64 ? ~0UL : (1UL << nr_cpu_ids) - 1;
	if (!membarrier_ready) {
		membarrier_ready = true;
		if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) < 0)
			hw_irq_fence = true;
	}
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		u64 s = seed * 0x100000001b3ULL + cpu;

		for (int i = 0; i < 4; i++)
			hw_cpus[cpu].rng[i] = splitmix64(&s);
		hw_cpus[cpu].owner = NULL;
		hw_cpus[cpu].irq_disabled = 0;
		hw_cpus[cpu].takeover = 0;
	}
}

/* After raising takeover: make every thread's earlier stores visible. */
static void force_fences(void)
{
	if (!HW_IRQ_SEQCST && !hw_irq_fence)
		syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
}

/* Slow half of hw_irq_save(): a remote CPU is running as us; let it finish. */
void hw_irq_wait_takeover(struct hw_cpu *cpu)
{
	do {
		__atomic_store_n(&cpu->irq_disabled, 0, __ATOMIC_RELEASE);
		while (__atomic_load_n(&cpu->takeover, __ATOMIC_ACQUIRE))
			cpu_relax();
		__atomic_exchange_n(&cpu->irq_disabled, 1, __ATOMIC_SEQ_CST);
	} while (__atomic_load_n(&cpu->takeover, __ATOMIC_SEQ_CST));
}

void hw_run_on_cpu(int cpu, void (*fn)(void *), void *arg)
{
	struct hw_cpu *c = &hw_cpus[cpu], *prev = hw_this_cpu;
	void *owner;
	unsigned long flags;

	ipi_lock(c);
	owner = __atomic_load_n(&c->owner, __ATOMIC_ACQUIRE);
	if (!owner || owner == &thread_token) {
		/* Nobody else runs as @cpu: become it for the call. */
		hw_set_this_cpu(c);
		flags = hw_irq_save();
		fn(arg);
		hw_irq_restore(flags);
		hw_set_this_cpu(prev);
	} else {
		__atomic_add_fetch(&hw_takeovers, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&c->takeover, 1, __ATOMIC_SEQ_CST);
		force_fences();
		while (__atomic_load_n(&c->irq_disabled, __ATOMIC_SEQ_CST))
			cpu_relax();
		/*
		 * The handler runs as @cpu (its id, its node) on a private
		 * record whose interrupt flag is ours: the owner keeps
		 * writing its own flag while it waits.  The owner's random
		 * stream is not shared; the alias draws from a stream of its
		 * own.
		 */
		u64 s = (u64)(uintptr_t)&thread_token ^ c->id;

		remote_alias = (struct hw_cpu){ .id = c->id, .node = c->node,
						.present = c->present, .irq_disabled = 1,
						.owner = &thread_token };
		for (int i = 0; i < 4; i++)
			remote_alias.rng[i] = splitmix64(&s);
		hw_set_this_cpu(&remote_alias);
		fn(arg);
		hw_set_this_cpu(prev);
		__atomic_store_n(&c->takeover, 0, __ATOMIC_RELEASE);
	}
	ipi_unlock(c);
}

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
	if (cpu < 0 || cpu >= nr_cpu_ids)
		return -EINVAL;
	hw_run_on_cpu(cpu, fn, info);
	return 0;
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
			cpu_relax();
	}
}

void hw_cpus_thaw(bool child)
{
	if (child && !HW_IRQ_SEQCST && !hw_irq_fence &&
	    syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) < 0)
		hw_irq_fence = true;
	for (int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct hw_cpu *c = &hw_cpus[cpu];

		if (child && __atomic_load_n(&c->owner, __ATOMIC_RELAXED) != &thread_token) {
			/* Its owner is gone; it stopped outside any critical section. */
			__atomic_store_n(&c->owner, NULL, __ATOMIC_RELAXED);
			__atomic_store_n(&c->irq_disabled, 0, __ATOMIC_RELAXED);
		}
		__atomic_store_n(&c->takeover, 0, __ATOMIC_RELEASE);
		ipi_unlock(c);
	}
}
