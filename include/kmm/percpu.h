/*
 * percpu.h - per-CPU variables: an array indexed by CPU id.  Give the type
 * ____cacheline_aligned so that no two CPUs share a cache line.  Access to
 * this CPU's copy is safe with interrupts (or preemption, which a simulated
 * CPU never has) disabled.
 */
#ifndef KMM_PERCPU_H
#define KMM_PERCPU_H

#include <kmm/compiler.h>
#include <kmm/asm/smp.h>

#define DEFINE_PER_CPU(type, name)	__state_bulk type name##__pcpu[NR_CPUS]
#define DECLARE_PER_CPU(type, name)	extern type name##__pcpu[NR_CPUS]

#define per_cpu(name, cpu)	(name##__pcpu[(cpu)])
#define __get_cpu_var(name)	per_cpu(name, smp_processor_id())
#define get_cpu_var(name)	__get_cpu_var(name)
#define put_cpu_var(name)	do { } while (0)
#define get_cpu()		smp_processor_id()
#define put_cpu()		do { } while (0)

#endif /* KMM_PERCPU_H */
