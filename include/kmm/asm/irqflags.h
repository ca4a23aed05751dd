/*
 * asm/irqflags.h - the interrupt flag of a simulated CPU.
 *
 * Per-CPU data (page lists, array caches) is protected the way Linux
 * protects it: by disabling interrupts on the CPU that owns it.  Here
 * "interrupts disabled" is a flag in the CPU record, cheap to set (no
 * atomic read-modify-write, no fence).  A remote CPU that must act on this
 * CPU's data (what Linux does with an IPI, e.g. drain_all_pages) raises the
 * CPU's takeover flag, forces a fence on every thread with membarrier(2),
 * waits until the owner is outside its critical section, then runs the
 * handler as that CPU while the owner waits at its next local_irq_save().
 * This is Dekker's protocol with the expensive half on the rare side; the
 * remote half is in hw/cpu.c.
 */
#ifndef KMM_ASM_IRQFLAGS_H
#define KMM_ASM_IRQFLAGS_H

#include <kmm/asm/smp.h>

extern bool hw_irq_fence;			/* membarrier(2) unavailable: fence locally */

/* Slow half of hw_irq_save(): a remote CPU is running as us; let it finish. */
void hw_irq_wait_takeover(struct hw_cpu *cpu);

/*
 * Every build, ThreadSanitizer's included, runs the same handshake: the
 * race detector needs no fence to see the order, because each side's
 * data accesses are ordered by the release stores and acquire loads of
 * the flags (a section ends with a release of irq_disabled, which the
 * remote side acquires before its handler runs; the handler ends with a
 * release of takeover, which the owner acquires before its next
 * section).  The fences only give the Dekker step its store-load order.
 */

/* Disable "interrupts" on this CPU; returns the previous state. */
static __always_inline unsigned long __hw_irq_save(struct hw_cpu *cpu)
{
	unsigned long old = cpu->irq_disabled;

	if (likely(!old)) {
		if (unlikely(hw_irq_fence)) {
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
	if (unlikely(cpu->irq_disabled | hw_irq_fence))
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

#endif /* KMM_ASM_IRQFLAGS_H */
