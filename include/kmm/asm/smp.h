/*
 * asm/smp.h - which simulated CPU this host thread runs as, and the CPUs of
 * the machine: the part of the CPU interface that inline code of every
 * layer uses (smp_processor_id(), the online map, the node of a CPU).
 *
 * A simulated CPU is a record (struct hw_cpu) in the simulated hardware; a
 * host thread runs as one CPU at a time, named by the thread-local
 * hw_this_cpu.  In deterministic mode the thread that runs a task takes
 * the task's CPU when the task is switched in; in parallel mode each host
 * thread owns one CPU.  The records are the hardware's (hw/cpu.c); this
 * header is their public face, as Linux's asm/smp.h is for x86.
 */
#ifndef KMM_ASM_SMP_H
#define KMM_ASM_SMP_H

#include <kmm/compiler.h>
#include <kmm/types.h>

/*
 * CONFIG_NR_CPUS of the simulated kernel: 64, as the kmm program and its
 * tests are built; a build may set another (libkmm-malloc.so's core is
 * built with 512, the top of 2.6.34's range without MAXSMP, so that every
 * thread of a program can have a CPU of its own).  What grows with it:
 * the static per-CPU arrays, kmem_cache's array[] (so the size of the
 * kmem_cache objects in /proc/slabinfo), the CPU masks (the online map,
 * mm->cpu_vm_mask) and the CPU lists that /proc prints.
 */
#ifndef CONFIG_NR_CPUS
#define CONFIG_NR_CPUS	64
#endif
#define NR_CPUS		CONFIG_NR_CPUS
#define CPU_MASK_LONGS	((NR_CPUS + 8 * (int)sizeof(long) - 1) / (8 * (int)sizeof(long)))

struct task_struct;

struct hw_cpu {
	int id;
	int node;			/* NUMA node of this CPU */
	bool present;
	int irq_disabled;		/* written by the running thread only */
	int takeover;			/* a remote CPU is running a handler as us */
	int ipi_lock;			/* serialises remote handlers */
	void *owner;			/* token of the host thread running as us */
	int hotplug;			/* coming up or going down (hw_cpu_hotplug_begin) */
	/*
	 * The task running on this CPU (x86's per-CPU current_task): written
	 * by the scheduler when it switches tasks, read through `current`.
	 */
	struct task_struct *curr;
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

static inline int smp_processor_id(void)
{
	return hw_this_cpu_id;
}
#define raw_smp_processor_id() smp_processor_id()

/*
 * Every CPU of the machine is possible; the boot CPU is online from the
 * start, the others come online in smp_init(), after the slab allocator's
 * bootstrap (as in Linux, which matters to what that bootstrap allocates),
 * or later (maxcpus=, kmm_cpu_up()) while other CPUs run: the bits are
 * set with release and read with acquire, so a CPU seen online has its
 * per-CPU data in place.
 */
extern unsigned long cpu_online_bits[CPU_MASK_LONGS];
#define cpu_mask_word(cpu)	((unsigned int)(cpu) / (8 * sizeof(long)))
#define cpu_mask_bit(cpu)	(1UL << ((unsigned int)(cpu) % (8 * sizeof(long))))


/* A CPU mask (CPU_MASK_LONGS words) read and written atomically, bit by bit. */
static inline bool cpu_mask_test(const unsigned long *mask, int cpu)
{
	return __atomic_load_n(&mask[cpu_mask_word(cpu)], __ATOMIC_ACQUIRE) & cpu_mask_bit(cpu);
}

static inline void cpu_mask_set(unsigned long *mask, int cpu)
{
	__atomic_fetch_or(&mask[cpu_mask_word(cpu)], cpu_mask_bit(cpu), __ATOMIC_RELEASE);
}

static inline void cpu_mask_clear(unsigned long *mask, int cpu)
{
	__atomic_fetch_and(&mask[cpu_mask_word(cpu)], ~cpu_mask_bit(cpu), __ATOMIC_RELEASE);
}

static inline bool cpu_online(int cpu)
{
	return cpu_mask_test(cpu_online_bits, cpu);
}

static inline void set_cpu_online(int cpu, bool on)
{
	if (on)
		cpu_mask_set(cpu_online_bits, cpu);
	else
		cpu_mask_clear(cpu_online_bits, cpu);
}

static inline int num_online_cpus(void)
{
	int n = 0;

	for (int i = 0; i < CPU_MASK_LONGS; i++)
		n += __builtin_popcountl(__atomic_load_n(&cpu_online_bits[i], __ATOMIC_RELAXED));
	return n;
}

/*
 * The first online CPU after @cpu, or nr_cpu_ids: a word of the map at a
 * time (Linux's find_next_bit), so that a walk over the online CPUs of a
 * machine with 512 possible and 2 online costs 8 loads, not 512 (the
 * library's boot walks them for every cache it tunes).
 */
static inline int cpu_next_online(int cpu)
{
	unsigned int c = (unsigned int)(cpu + 1);

	while (c < (unsigned int)nr_cpu_ids) {
		unsigned long w = __atomic_load_n(&cpu_online_bits[cpu_mask_word(c)], __ATOMIC_ACQUIRE) >>
				  (c % (8 * sizeof(long)));

		if (w) {
			c += __builtin_ctzl(w);
			break;
		}
		c = (cpu_mask_word(c) + 1) * 8 * sizeof(long);
	}
	return c < (unsigned int)nr_cpu_ids ? (int)c : nr_cpu_ids;
}

#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < nr_cpu_ids; (cpu)++)
#define for_each_online_cpu(cpu) \
	for ((cpu) = cpu_next_online(-1); (cpu) < nr_cpu_ids; (cpu) = cpu_next_online(cpu))
#define num_possible_cpus()	   (nr_cpu_ids)

#endif /* KMM_ASM_SMP_H */
