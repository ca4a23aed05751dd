/*
 * hw/cpu.h - the simulated CPUs.
 *
 * A simulated CPU is a record with an id, a node, and the state of its
 * "interrupt flag".  A host thread runs as one CPU at a time: the
 * thread-local hw_this_cpu says which.  In deterministic mode one host
 * thread owns every CPU and switches between them; in parallel mode each
 * host thread owns one.
 *
 * Per-CPU data (page lists, array caches) is protected the way Linux
 * protects it: by disabling interrupts on the CPU that owns it.  Here
 * "interrupts disabled" is a flag in the CPU record, cheap to set (no
 * atomic read-modify-write, no fence).  A remote CPU that must act on this
 * CPU's data (what Linux does with an IPI, e.g. drain_all_pages) raises the
 * CPU's takeover flag, forces a fence on every thread with membarrier(2),
 * waits until the owner is outside its critical section, then runs the
 * handler as that CPU while the owner waits at its next local_irq_save().
 * This is Dekker's protocol with the expensive half on the rare side.
 */
#ifndef KMM_HW_CPU_H
#define KMM_HW_CPU_H

#include <kmm/compiler.h>
#include <kmm/types.h>

#define NR_CPUS		64	/* CONFIG_NR_CPUS of the simulated kernel */

struct hw_cpu {
	int id;
	int node;			/* NUMA node of this CPU */
	bool present;
	int irq_disabled;		/* written by the running thread only */
	int takeover;			/* a remote CPU is running a handler as us */
	int ipi_lock;			/* serialises remote handlers */
	void *owner;			/* token of the host thread running as us */
	u64 rng[4];			/* per-CPU PRNG state (xoshiro256**) */
} ____cacheline_aligned;

extern struct hw_cpu hw_cpus[NR_CPUS];
extern int nr_cpu_ids;				/* CPUs of this machine */
extern __thread struct hw_cpu *hw_this_cpu;	/* the CPU this thread runs as */
/*
 * Its id and node, kept beside the pointer so that smp_processor_id() is
 * one thread-local load, not two dependent ones (the per-CPU fast paths
 * start with it).  Set only through hw_set_this_cpu().
 */
extern __thread int hw_this_cpu_id, hw_this_node_id;

static inline void hw_set_this_cpu(struct hw_cpu *cpu)
{
	hw_this_cpu = cpu;
	hw_this_cpu_id = cpu ? cpu->id : -1;
	hw_this_node_id = cpu ? cpu->node : -1;
}
extern bool hw_irq_fence;			/* membarrier(2) unavailable: fence locally */

static inline int smp_processor_id(void)
{
	return hw_this_cpu_id;
}
#define raw_smp_processor_id() smp_processor_id()

void hw_irq_wait_takeover(struct hw_cpu *cpu);

/*
 * With ThreadSanitizer (which does not model membarrier(2) or fences) the
 * handshake uses sequentially consistent atomics on both sides instead.
 */
#if defined(__SANITIZE_THREAD__)
#define HW_IRQ_SEQCST 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HW_IRQ_SEQCST 1
#endif
#endif
#ifndef HW_IRQ_SEQCST
#define HW_IRQ_SEQCST 0
#endif

/* Disable "interrupts" on this CPU; returns the previous state. */
static __always_inline unsigned long __hw_irq_save(struct hw_cpu *cpu)
{
	unsigned long old = cpu->irq_disabled;

	if (likely(!old)) {
		if (HW_IRQ_SEQCST || unlikely(hw_irq_fence)) {
			__atomic_exchange_n(&cpu->irq_disabled, 1, __ATOMIC_SEQ_CST);
		} else {
			/* The remote side's membarrier(2) supplies the fence. */
			__atomic_store_n(&cpu->irq_disabled, 1, __ATOMIC_RELAXED);
			barrier();
		}
		if (unlikely(__atomic_load_n(&cpu->takeover, __ATOMIC_SEQ_CST)))
			hw_irq_wait_takeover(cpu);
	}
	return old;
}

/*
 * For fast paths that want no stack frame (every call they make a tail
 * call): disable interrupts on @cpu if they are on and nothing is
 * unusual.  Returns 0 when done (leave with __hw_irq_restore(cpu, 0)).
 * Otherwise (interrupts already off, membarrier(2) unavailable, or a
 * remote CPU taking this one over) the caller, in a function of its own,
 * finishes with hw_irq_save_fast_finish().
 */
#define HW_IRQ_FAST_NESTED	1
#define HW_IRQ_FAST_TAKEOVER	2
static __always_inline int hw_irq_save_fast(struct hw_cpu *cpu)
{
	if (unlikely(cpu->irq_disabled | HW_IRQ_SEQCST | hw_irq_fence))
		return HW_IRQ_FAST_NESTED;
	__atomic_store_n(&cpu->irq_disabled, 1, __ATOMIC_RELAXED);
	barrier();
	if (unlikely(__atomic_load_n(&cpu->takeover, __ATOMIC_SEQ_CST)))
		return HW_IRQ_FAST_TAKEOVER;
	return 0;
}

/*
 * The slow side of hw_irq_save_fast(): after it returned @why != 0, finish
 * disabling interrupts.  Returns the flags to pass to __hw_irq_restore().
 */
static inline unsigned long hw_irq_save_fast_finish(struct hw_cpu *cpu, int why)
{
	if (why == HW_IRQ_FAST_TAKEOVER) {
		hw_irq_wait_takeover(cpu);	/* we marked them off: ours to restore */
		return 0;
	}
	return __hw_irq_save(cpu);
}

static __always_inline unsigned long hw_irq_save(void)
{
	return __hw_irq_save(hw_this_cpu);
}

static __always_inline void __hw_irq_restore(struct hw_cpu *cpu, unsigned long flags)
{
	if (likely(!flags))
		__atomic_store_n(&cpu->irq_disabled, 0, __ATOMIC_RELEASE);
}

/*
 * The CPU record a thread runs on cannot change inside an interrupts-off
 * section (nothing preempts or migrates it), so fast paths read
 * hw_this_cpu once and use __hw_irq_save/__hw_irq_restore and cpu->id.
 */
static __always_inline void hw_irq_restore(unsigned long flags)
{
	__hw_irq_restore(hw_this_cpu, flags);
}

static inline bool hw_irqs_disabled(void)
{
	return hw_this_cpu->irq_disabled;
}

/*
 * Run @fn(@arg) as CPU @cpu, with its interrupts disabled, and wait for it:
 * directly when this thread owns @cpu or nobody does, otherwise through the
 * takeover protocol.  Must not be called with interrupts disabled.
 */
void hw_run_on_cpu(int cpu, void (*fn)(void *), void *arg);
/* How many calls went through the takeover protocol (for tests). */
extern unsigned long hw_takeovers;

/*
 * Make the calling host thread run as CPU @cpu (parallel mode), or give it
 * every CPU (deterministic mode: owner of all, switching with hw_switch_cpu).
 * Returns -EBUSY when another thread owns @cpu.
 */
int hw_cpu_attach(int cpu);
void hw_cpu_detach(void);
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

/*
 * Every CPU of the machine is possible; the boot CPU is online from the
 * start, the others come online in smp_init(), after the slab allocator's
 * bootstrap (as in Linux, which matters to what that bootstrap allocates).
 */
extern unsigned long cpu_online_bits;
#define cpu_online(cpu)		   ((cpu_online_bits >> (cpu)) & 1)
#define set_cpu_online(cpu, on)						\
	do {								\
		if (on)							\
			cpu_online_bits |= 1UL << (cpu);		\
		else							\
			cpu_online_bits &= ~(1UL << (cpu));		\
	} while (0)
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < nr_cpu_ids; (cpu)++)
#define for_each_online_cpu(cpu)   for_each_possible_cpu(cpu) if (cpu_online(cpu))
#define num_online_cpus()	   (__builtin_popcountl(cpu_online_bits))
#define num_possible_cpus()	   (nr_cpu_ids)

static inline int cpu_to_node(int cpu)
{
	return hw_cpus[cpu].node;
}

static inline int numa_node_id(void)
{
	return hw_this_node_id;
}

#endif /* KMM_HW_CPU_H */
