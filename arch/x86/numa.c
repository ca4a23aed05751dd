/*
 * arch/x86/numa.c - x86_64 node setup: the firmware's node ranges (an SRAT)
 * become active ranges per node, and each node gets its pg_data_t from its
 * own memory ("NODE_DATA").  A single node is what Linux does without an
 * SRAT: "Faking a node" covering all memory.
 */
#include <kmm/bootmem.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/printk.h>
#include <kmm/string.h>
#include "arch/x86/e820.h"
#include "arch/x86/setup.h"
#include "hw/cpu.h"
#include "hw/machine.h"

#define ZONE_ALIGN	(1UL << (MAX_ORDER + PAGE_SHIFT))

struct pglist_data *node_data[MAX_NUMNODES] __state_zero;
int nr_online_nodes __state_zero;
unsigned long node_online_mask __state_zero;

/* Find room for @size bytes of node data on the node, avoiding the DMA zones. */
static void *early_node_mem(int nodeid, u64 start, u64 end, u64 size, u64 align)
{
	u64 mem;

	if (start < PFN_PHYS(MAX_DMA32_PFN) && end > PFN_PHYS(MAX_DMA32_PFN))
		start = PFN_PHYS(MAX_DMA32_PFN);
	if (start < PFN_PHYS(MAX_DMA_PFN) && end > PFN_PHYS(MAX_DMA_PFN))
		start = PFN_PHYS(MAX_DMA_PFN);
	mem = find_e820_area(start, end, size, align);
	if (mem != -1ULL)
		return __va(mem);
	mem = find_e820_area(PFN_PHYS(MAX_DMA_PFN), (u64)max_pfn_mapped << PAGE_SHIFT, size, align);
	if (mem != -1ULL)
		return __va(mem);
	panic("Cannot find %llu bytes in node %d", (unsigned long long)size, nodeid);
}

static void setup_node_bootmem(int nodeid, u64 start, u64 end)
{
	u64 pgdat_size = roundup(sizeof(pg_data_t), PAGE_SIZE);
	u64 phys;
	int nid;

	start = roundup(start, ZONE_ALIGN);
	printk(KERN_INFO "Initmem setup node %d %016llx-%016llx\n", nodeid,
	       (unsigned long long)start, (unsigned long long)end);
	node_data[nodeid] = early_node_mem(nodeid, start, end, pgdat_size, SMP_CACHE_BYTES);
	phys = __pa(node_data[nodeid]);
	reserve_early(phys, phys + pgdat_size, "NODE_DATA");
	printk(KERN_INFO "  NODE_DATA [%016llx - %016llx]\n", (unsigned long long)phys,
	       (unsigned long long)(phys + pgdat_size - 1));
	nid = hw_phys_to_node(phys);
	if (nid != nodeid)
		printk(KERN_INFO "    NODE_DATA(%d) on node %d\n", nodeid, nid);
	memset(node_data[nodeid], 0, sizeof(pg_data_t));
	node_data[nodeid]->node_id = nodeid;
	node_data[nodeid]->node_start_pfn = start >> PAGE_SHIFT;
	node_data[nodeid]->node_spanned_pages = (end - start) >> PAGE_SHIFT;
	node_online_mask |= 1UL << nodeid;
	nr_online_nodes++;
}

/* The span of node @nid in the firmware's node ranges. */
static void node_span(int nid, u64 *start, u64 *end)
{
	*start = ~0ULL;
	*end = 0;
	for (int i = 0; i < hw.nr_node_ranges; i++)
		if (hw.node_range[i].nid == nid) {
			*start = min(*start, hw.node_range[i].start);
			*end = max(*end, hw.node_range[i].end);
		}
}

void numa_initmem_init(unsigned long start_pfn, unsigned long last_pfn)
{
	int nid, cpu;

	if (hw.nr_nodes == 1) {
		printk(KERN_INFO "No NUMA configuration found\n");
		printk(KERN_INFO "Faking a node at %016llx-%016llx\n",
		       (unsigned long long)PFN_PHYS(start_pfn), (unsigned long long)PFN_PHYS(last_pfn));
		e820_register_active_regions(0, start_pfn, last_pfn);
		setup_node_bootmem(0, PFN_PHYS(start_pfn), PFN_PHYS(last_pfn));
		return;
	}
	for (cpu = 0; cpu < hw.nr_cpus; cpu++)
		printk(KERN_INFO "SRAT: PXM %u -> APIC 0x%02x -> Node %u\n", hw.cpu_node[cpu], cpu,
		       hw.cpu_node[cpu]);
	for (int i = 0; i < hw.nr_node_ranges; i++)
		printk(KERN_INFO "SRAT: Node %u PXM %u %llx-%llx\n", hw.node_range[i].nid,
		       hw.node_range[i].nid, (unsigned long long)hw.node_range[i].start,
		       (unsigned long long)hw.node_range[i].end);
	for (int i = 0; i < hw.nr_node_ranges; i++)
		e820_register_active_regions(hw.node_range[i].nid,
					     hw.node_range[i].start >> PAGE_SHIFT,
					     hw.node_range[i].end >> PAGE_SHIFT);
	for (nid = 0; nid < hw.nr_nodes; nid++) {
		u64 start, end;

		node_span(nid, &start, &end);
		setup_node_bootmem(nid, start, end);
	}
}

int node_distance(int a, int b)
{
	return hw.distance[a][b];
}
