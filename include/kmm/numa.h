/* numa.h - how many nodes the simulated kernel is built for. */
#ifndef KMM_NUMA_H
#define KMM_NUMA_H

#define NODES_SHIFT	6		/* CONFIG_NODES_SHIFT */
#define MAX_NUMNODES	(1 << NODES_SHIFT)

#endif /* KMM_NUMA_H */
