/*
 * hw/machine.h - the simulated machine: what the "firmware" reports.
 *
 * A machine is an architecture (x86_64, or i386 with or without PAE), an
 * amount of RAM laid out at physical addresses by a BIOS e820 map, NUMA
 * nodes owning ranges of that physical space at given distances, and CPUs
 * belonging to nodes.  It is described by boot options (ram=, nodes=,
 * node<N>=, distance=, cpus=, arch=, pae, e820=, seed=) and built by
 * hw_machine_setup().  Nothing here knows about the memory manager.
 */
#ifndef KMM_HW_MACHINE_H
#define KMM_HW_MACHINE_H

#include <kmm/numa.h>
#include <kmm/asm/smp.h>
#include <kmm/types.h>

#define E820MAX		128

enum hw_arch {
	HW_ARCH_X86_64,
	HW_ARCH_I386,
};

/* e820 types, as the BIOS reports them. */
#define E820_RAM	1
#define E820_RESERVED	2
#define E820_ACPI	3
#define E820_NVS	4
#define E820_UNUSABLE	5

struct hw_e820_entry {
	u64 addr;
	u64 size;
	u32 type;
};

/* A physical range owned by a node (what an ACPI SRAT would say). */
struct hw_node_range {
	u64 start, end;		/* [start, end) */
	int nid;
};

struct hw_machine {
	enum hw_arch arch;
	bool pae;			/* i386 only: 36-bit physical addresses */
	u64 ram_size;			/* bytes of RAM installed */
	int nr_nodes;
	u64 node_ram[MAX_NUMNODES];	/* bytes of RAM per node */
	u8 distance[MAX_NUMNODES][MAX_NUMNODES];
	int nr_cpus;
	int cpu_node[NR_CPUS];
	struct hw_e820_entry e820[E820MAX];	/* the BIOS map, as given */
	int nr_e820;
	bool e820_given;			/* e820= was on the command line */
	struct hw_node_range node_range[MAX_NUMNODES * 4];
	int nr_node_ranges;
	u64 phys_end;			/* end of the highest RAM range */
	u64 seed;
	bool deterministic;		/* one host thread runs every CPU */
};

extern struct hw_machine hw;

/*
 * Validate the options given and build the machine: default e820 map if
 * none was given, node ranges, the RAM backing, the CPUs.  Returns 0, or
 * -EINVAL with kmm_error_msg() saying what is impossible about it.
 */
int hw_machine_setup(bool deterministic);
void hw_machine_teardown(void);

static inline bool hw_deterministic(void)
{
	return hw.deterministic;
}

/* Refuse machines with more physical address space than @bytes (0: no limit). */
void hw_set_ram_limit(u64 bytes);

/* Node owning physical address @pa, or -1 outside every node. */
int hw_phys_to_node(u64 pa);

#endif /* KMM_HW_MACHINE_H */
