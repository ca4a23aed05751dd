/*
 * preempt.h - preempt_count: what the code running now may do.
 *
 * As in Linux 2.6.34 (linux/preempt.h, linux/hardirq.h), one counter per
 * task says how deep the task is in sections that must not sleep: the low
 * byte counts preempt_disable() (every spinlock held adds one), the next
 * byte softirq sections, then hardirq.  A task is a host thread, so the
 * counter is thread-local (lib/spinlock.c).  A remote handler run as
 * another CPU (the simulator's IPI, hw_run_on_cpu) runs inside
 * irq_enter()/irq_exit(), so in_interrupt() is true there.
 *
 * kmm never preempts a task (a task switch happens only in schedule()), so
 * preempt_disable() only counts: it is how in_atomic() and the "sleeping
 * function called from invalid context" check know a spinlock is held.
 */
#ifndef KMM_PREEMPT_H
#define KMM_PREEMPT_H

#include <kmm/compiler.h>
#include <kmm/types.h>

#define PREEMPT_BITS	8
#define SOFTIRQ_BITS	8
#define HARDIRQ_BITS	10

#define PREEMPT_SHIFT	0
#define SOFTIRQ_SHIFT	(PREEMPT_SHIFT + PREEMPT_BITS)
#define HARDIRQ_SHIFT	(SOFTIRQ_SHIFT + SOFTIRQ_BITS)

#define __IRQ_MASK(x)	((1UL << (x)) - 1)
#define PREEMPT_MASK	(__IRQ_MASK(PREEMPT_BITS) << PREEMPT_SHIFT)
#define SOFTIRQ_MASK	(__IRQ_MASK(SOFTIRQ_BITS) << SOFTIRQ_SHIFT)
#define HARDIRQ_MASK	(__IRQ_MASK(HARDIRQ_BITS) << HARDIRQ_SHIFT)

#define PREEMPT_OFFSET	(1UL << PREEMPT_SHIFT)
#define SOFTIRQ_OFFSET	(1UL << SOFTIRQ_SHIFT)
#define HARDIRQ_OFFSET	(1UL << HARDIRQ_SHIFT)

/* The running task's count (thread-local: a task is a host thread). */
extern __thread int __preempt_count;

static __always_inline int preempt_count(void)
{
	return __preempt_count;
}

static __always_inline void add_preempt_count(int val)
{
	__preempt_count += val;
	barrier();
}

static __always_inline void sub_preempt_count(int val)
{
	barrier();
	__preempt_count -= val;
}

#define inc_preempt_count()	add_preempt_count(1)
#define dec_preempt_count()	sub_preempt_count(1)
#define preempt_disable()	inc_preempt_count()
#define preempt_enable()	dec_preempt_count()
#define preempt_enable_no_resched() dec_preempt_count()

#define hardirq_count()	(preempt_count() & HARDIRQ_MASK)
#define softirq_count()	(preempt_count() & SOFTIRQ_MASK)
#define irq_count()	(preempt_count() & (HARDIRQ_MASK | SOFTIRQ_MASK))

/* In a hardirq handler, a softirq, or either. */
#define in_irq()	(hardirq_count())
#define in_softirq()	(softirq_count())
#define in_interrupt()	(irq_count())
/* Sleeping is not allowed: a spinlock is held, preemption is off, or an interrupt runs. */
#define in_atomic()	(preempt_count() != 0)

#define irq_enter()	add_preempt_count(HARDIRQ_OFFSET)
#define irq_exit()	sub_preempt_count(HARDIRQ_OFFSET)
#define local_bh_disable() add_preempt_count(SOFTIRQ_OFFSET)
#define local_bh_enable()  sub_preempt_count(SOFTIRQ_OFFSET)

#endif /* KMM_PREEMPT_H */
