/* asm/topology.h - which node a CPU belongs to, and how far nodes are apart. */
#ifndef KMM_ASM_TOPOLOGY_H
#define KMM_ASM_TOPOLOGY_H

#include <kmm/asm/smp.h>

static inline int cpu_to_node(int cpu)
{
	return hw_cpus[cpu].node;
}

/* The node of the CPU running this code. */
static inline int numa_node_id(void)
{
	return hw_this_node_id;
}

/* The SLIT distance from node @a to node @b (10: local), arch/x86/numa.c. */
int node_distance(int a, int b);

#endif /* KMM_ASM_TOPOLOGY_H */
