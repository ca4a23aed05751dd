/*
 * hw/machine.c - the machine's boot options and the firmware view built
 * from them: the BIOS e820 map, the NUMA node ranges and distances, the
 * CPUs.
 *
 * The default e820 map is a realistic PC's: the first page reserved for the
 * BIOS, usable RAM to 640K, the legacy video/ROM area 640K-1M reserved,
 * usable RAM above 1M, and when RAM exceeds 3G a reserved PCI hole from 3G
 * to 4G with the rest of RAM remapped above 4G.  Nodes take the installed
 * RAM in address order, in the sizes given (node<N>=) or evenly.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/params.h>
#include "hw/clock.h"
#include "hw/cpu.h"
#include "hw/disk.h"
#include "hw/machine.h"
#include "hw/ram.h"

#define SZ_1M		(1ULL << 20)
#define SZ_4M		(4ULL << 20)
#define SZ_1G		(1ULL << 30)
#define SZ_4G		(4ULL << 30)
#define MIN_RAM		(4ULL << 20)
#define MAX_RAM_X86_64	(1ULL << 40)	/* a simulator's sanity bound, not Linux's */
#define DEFAULT_RAM	(256ULL << 20)

struct hw_machine hw __state_bulk;

/* A host-side bound on simulated physical memory (kmm_set_ram_limit), kept across boots. */
static u64 host_ram_limit;

void hw_set_ram_limit(u64 bytes)
{
	host_ram_limit = bytes;
}

/* Options as given, before hw_machine_setup() checks them together. */
static struct {
	bool ram_given, nodes_given, cpus_given, distance_given, arch_given;
	u64 ram;
	int nodes;
	u64 node_size[MAX_NUMNODES];
	bool node_size_given[MAX_NUMNODES];
	int cpus_total;
	int cpus_per_node[MAX_NUMNODES];
	int cpus_nodes_listed;
	int distance_count;
	u8 distance[MAX_NUMNODES * MAX_NUMNODES];
	u64 hotplug_max;
} opt __state_bulk;

static int set_ram(const char *val)
{
	if (parse_size(val, &opt.ram))
		return kmm_error("ram=%s: not a size (use e.g. 64M, 4G)", val ? val : "");
	opt.ram_given = true;
	return 0;
}
early_param("ram", set_ram, "RAM installed, e.g. ram=64M, ram=5G (default 256M)");

static int set_hotplug_max(const char *val)
{
	if (parse_size(val, &opt.hotplug_max) || !opt.hotplug_max)
		return kmm_error("hotplug_max=%s: not a size (use e.g. 2G)", val ? val : "");
	return 0;
}
early_param("hotplug_max", set_hotplug_max,
	    "physical memory RAM may grow to by memory hotplug, e.g. hotplug_max=4G (default: the RAM at boot, no growth)");

static int set_nodes(const char *val)
{
	long long n;

	if (!val || kstrtoll(val, 10, &n) || n < 1 || n > MAX_NUMNODES)
		return kmm_error("nodes=%s: need a number of NUMA nodes from 1 to %d",
				 val ? val : "", MAX_NUMNODES);
	opt.nodes = n;
	opt.nodes_given = true;
	return 0;
}
early_param("nodes", set_nodes, "NUMA nodes; RAM is split evenly unless node<N>= sizes are given");

static int set_node_size(const char *val)
{
	const char *name = param_current_name();
	long long nid;

	if (kstrtoll(name + 4, 10, &nid) || nid < 0 || nid >= MAX_NUMNODES)
		return kmm_error("unknown boot option '%s'", name);
	if (parse_size(val, &opt.node_size[nid]))
		return kmm_error("%s=%s: not a size", name, val ? val : "");
	opt.node_size_given[nid] = true;
	return 0;
}
early_param_prefix("node", set_node_size, "node<N>=SIZE: RAM of node N, e.g. node0=512M node1=1G");

/* Parse a comma-separated list of small integers. Returns the count or -1. */
static int parse_int_list(const char *val, int *out, int max, long lo, long hi)
{
	char buf[1024];
	char *tok, *save = NULL;
	int n = 0;

	if (!val || strlen(val) >= sizeof(buf))
		return -1;
	strcpy(buf, val);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long long v;

		if (n >= max || kstrtoll(tok, 10, &v) || v < lo || v > hi)
			return -1;
		out[n++] = v;
	}
	return n ? n : -1;
}

static int set_cpus(const char *val)
{
	int list[MAX_NUMNODES];
	int n = parse_int_list(val, list, MAX_NUMNODES, 0, NR_CPUS);

	if (n < 0)
		return kmm_error("cpus=%s: need a CPU count (cpus=4) or one count per node (cpus=2,2), at most %d in all",
				 val ? val : "", NR_CPUS);
	opt.cpus_given = true;
	if (n == 1) {
		opt.cpus_total = list[0];
		opt.cpus_nodes_listed = 0;
	} else {
		opt.cpus_total = 0;
		for (int i = 0; i < n; i++) {
			opt.cpus_per_node[i] = list[i];
			opt.cpus_total += list[i];
		}
		opt.cpus_nodes_listed = n;
	}
	if (opt.cpus_total < 1 || opt.cpus_total > NR_CPUS)
		return kmm_error("cpus=%s: the machine needs 1 to %d CPUs", val, NR_CPUS);
	return 0;
}
early_param("cpus", set_cpus, "CPUs in all (cpus=4) or per node (cpus=2,2); default 2");

static int set_distance(const char *val)
{
	int list[MAX_NUMNODES * 4];
	int n = parse_int_list(val, list, ARRAY_SIZE(list), 10, 255);

	if (n < 0)
		return kmm_error("distance=%s: need the node distance matrix, row by row, values 10-255",
				 val ? val : "");
	for (int i = 0; i < n; i++)
		opt.distance[i] = list[i];
	opt.distance_count = n;
	opt.distance_given = true;
	return 0;
}
early_param("distance", set_distance, "NUMA distances row by row, e.g. distance=10,21,21,10 (default 10 local, 20 remote)");

static int set_arch(const char *val)
{
	if (val && !strcmp(val, "x86_64"))
		hw.arch = HW_ARCH_X86_64;
	else if (val && !strcmp(val, "i386"))
		hw.arch = HW_ARCH_I386;
	else
		return kmm_error("arch=%s: need x86_64 or i386", val ? val : "");
	opt.arch_given = true;
	return 0;
}
early_param("arch", set_arch, "x86_64 (default) or i386");

static int set_pae(const char *val)
{
	if (val)
		return kmm_error("pae takes no value");
	hw.pae = true;
	return 0;
}
early_param("pae", set_pae, "i386 with PAE: 36-bit physical addresses, 2M large pages");

static int set_seed(const char *val)
{
	unsigned long long s;

	if (!val || kstrtoull(val, 0, &s))
		return kmm_error("seed=%s: need a number", val ? val : "");
	hw.seed = s;
	return 0;
}
early_param("seed", set_seed, "seed of the machine's random numbers (default 1)");

static const struct {
	const char *name;
	u32 type;
} e820_names[] = {
	{ "ram", E820_RAM }, { "usable", E820_RAM }, { "reserved", E820_RESERVED },
	{ "acpi", E820_ACPI }, { "nvs", E820_NVS }, { "unusable", E820_UNUSABLE },
};

/* e820=START-END:TYPE,... with END exclusive, sizes with K/M/G suffixes. */
static int set_e820(const char *val)
{
	char buf[2048];
	char *tok, *save = NULL;

	if (!val || strlen(val) >= sizeof(buf))
		return kmm_error("e820=: need START-END:TYPE,... (e.g. e820=0-636K:ram,636K-1M:reserved,1M-64M:ram)");
	strcpy(buf, val);
	hw.nr_e820 = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-'), *colon = strchr(tok, ':'), *end;
		u64 start, stop;
		u32 type = 0;

		if (!dash || !colon || colon < dash)
			return kmm_error("e820: entry '%s' is not START-END:TYPE", tok);
		*dash = *colon = '\0';
		start = memparse(tok, &end);
		if (end == tok || *end)
			return kmm_error("e820: '%s' is not an address", tok);
		stop = memparse(dash + 1, &end);
		if (end == dash + 1 || *end)
			return kmm_error("e820: '%s' is not an address", dash + 1);
		for (size_t i = 0; i < ARRAY_SIZE(e820_names); i++)
			if (!strcmp(colon + 1, e820_names[i].name))
				type = e820_names[i].type;
		if (!type)
			return kmm_error("e820: unknown type '%s' (ram, reserved, acpi, nvs, unusable)",
					 colon + 1);
		if (stop <= start)
			return kmm_error("e820: entry %s-%s is empty or reversed", tok, dash + 1);
		if (hw.nr_e820 >= E820MAX)
			return kmm_error("e820: more than %d entries", E820MAX);
		hw.e820[hw.nr_e820++] = (struct hw_e820_entry){ start, stop - start, type };
	}
	hw.e820_given = true;
	return 0;
}
early_param("e820", set_e820, "explicit BIOS map: e820=START-END:TYPE,... (types ram reserved acpi nvs unusable)");

static int cmp_e820(const void *a, const void *b)
{
	const struct hw_e820_entry *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void e820_add(u64 start, u64 end, u32 type)
{
	hw.e820[hw.nr_e820++] = (struct hw_e820_entry){ start, end - start, type };
}

/* The default PC map for @ram bytes of RAM (see the comment at the top). */
static void build_default_e820(u64 ram)
{
	u64 low_top = min(ram, 3 * SZ_1G);

	hw.nr_e820 = 0;
	e820_add(0, 0x1000, E820_RESERVED);
	e820_add(0x1000, 0xa0000, E820_RAM);
	e820_add(0xa0000, 0x100000, E820_RESERVED);
	e820_add(0x100000, low_top, E820_RAM);
	if (ram > 3 * SZ_1G) {
		e820_add(3 * SZ_1G, SZ_4G, E820_RESERVED);
		e820_add(SZ_4G, SZ_4G + (ram - 3 * SZ_1G), E820_RAM);
	}
}

/*
 * Installed RAM: the physical ranges backed by memory chips.  For the
 * default map this includes the BIOS-reserved low areas (RAM the BIOS keeps
 * for itself); for an explicit map it is exactly the usable entries.
 */
static int installed_ram(struct hw_node_range *out, int max)
{
	int n = 0;

	if (!hw.e820_given) {
		out[n++] = (struct hw_node_range){ 0, min(hw.ram_size, 3 * SZ_1G), -1 };
		if (hw.ram_size > 3 * SZ_1G)
			out[n++] = (struct hw_node_range){ SZ_4G, SZ_4G + hw.ram_size - 3 * SZ_1G, -1 };
		return n;
	}
	for (int i = 0; i < hw.nr_e820 && n < max; i++)
		if (hw.e820[i].type == E820_RAM)
			out[n++] = (struct hw_node_range){ hw.e820[i].addr,
							   hw.e820[i].addr + hw.e820[i].size, -1 };
	return n;
}

static int check_e820(void)
{
	bool any_ram = false;

	qsort(hw.e820, hw.nr_e820, sizeof(hw.e820[0]), cmp_e820);
	for (int i = 0; i < hw.nr_e820; i++) {
		const struct hw_e820_entry *e = &hw.e820[i];

		if (i && hw.e820[i - 1].addr + hw.e820[i - 1].size > e->addr)
			return kmm_error("e820: entries overlap: 0x%llx-0x%llx and 0x%llx-0x%llx",
					 (unsigned long long)hw.e820[i - 1].addr,
					 (unsigned long long)(hw.e820[i - 1].addr + hw.e820[i - 1].size),
					 (unsigned long long)e->addr,
					 (unsigned long long)(e->addr + e->size));
		if (e->type == E820_RAM)
			any_ram = true;
	}
	if (!any_ram)
		return kmm_error("e820: the map has no usable RAM");
	return 0;
}

/* Split installed RAM among the nodes in address order. */
static int assign_nodes(void)
{
	struct hw_node_range ram[E820MAX];
	int nr = installed_ram(ram, E820MAX), r = 0;
	u64 off = ram[0].start;

	hw.nr_node_ranges = 0;
	for (int nid = 0; nid < hw.nr_nodes; nid++) {
		u64 left = hw.node_ram[nid];

		while (left && r < nr) {
			u64 take = min(left, ram[r].end - off);

			if (hw.nr_node_ranges >= (int)ARRAY_SIZE(hw.node_range))
				return kmm_error("nodes: too many node ranges");
			hw.node_range[hw.nr_node_ranges++] =
				(struct hw_node_range){ off, off + take, nid };
			left -= take;
			off += take;
			if (off == ram[r].end && ++r < nr)
				off = ram[r].start;
		}
		if (left)
			return kmm_error("node%d: not enough RAM left for it", nid);
	}
	return 0;
}

static int setup_nodes(void)
{
	int given = 0;

	hw.nr_nodes = opt.nodes_given ? opt.nodes : 1;
	for (int i = 0; i < MAX_NUMNODES; i++) {
		if (!opt.node_size_given[i])
			continue;
		if (i >= hw.nr_nodes)
			return kmm_error("node%d=: the machine has only %d node%s (nodes=%d)", i,
					 hw.nr_nodes, hw.nr_nodes > 1 ? "s" : "", hw.nr_nodes);
		given++;
	}
	if (given && given != hw.nr_nodes)
		return kmm_error("node<N>=: give the size of every node or of none");
	if (given) {
		u64 sum = 0;

		for (int i = 0; i < hw.nr_nodes; i++) {
			if (!opt.node_size[i])
				return kmm_error("node%d=0: a node with no memory", i);
			if (opt.node_size[i] % SZ_4M)
				return kmm_error("node%d=%lluK: node sizes must be multiples of 4M", i,
						 (unsigned long long)(opt.node_size[i] >> 10));
			hw.node_ram[i] = opt.node_size[i];
			sum += opt.node_size[i];
		}
		if (opt.ram_given && sum != hw.ram_size)
			return kmm_error("node sizes add up to %lluM but ram=%lluM",
					 (unsigned long long)(sum >> 20),
					 (unsigned long long)(hw.ram_size >> 20));
		if (!hw.e820_given)
			hw.ram_size = sum;
	} else {
		u64 share = ALIGN_DOWN(hw.ram_size / hw.nr_nodes, SZ_4M), sum = 0;

		if (!share)
			return kmm_error("ram=%lluK is too small for %d nodes: each needs at least 4M",
					 (unsigned long long)(hw.ram_size >> 10), hw.nr_nodes);
		for (int i = 0; i < hw.nr_nodes; i++) {
			hw.node_ram[i] = i == hw.nr_nodes - 1 ? hw.ram_size - sum : share;
			sum += hw.node_ram[i];
		}
	}
	if (hw.nr_nodes > 1 && hw.arch == HW_ARCH_I386)
		return kmm_error("nodes=%d: NUMA is simulated on x86_64 only", hw.nr_nodes);

	for (int i = 0; i < hw.nr_nodes; i++)
		for (int j = 0; j < hw.nr_nodes; j++)
			hw.distance[i][j] = i == j ? 10 : 20;
	if (opt.distance_given) {
		if (opt.distance_count != hw.nr_nodes * hw.nr_nodes)
			return kmm_error("distance=: %d values given, %d nodes need %d",
					 opt.distance_count, hw.nr_nodes, hw.nr_nodes * hw.nr_nodes);
		for (int i = 0; i < hw.nr_nodes; i++)
			for (int j = 0; j < hw.nr_nodes; j++) {
				u8 d = opt.distance[i * hw.nr_nodes + j];

				if ((i == j) != (d == 10))
					return kmm_error("distance=: node %d to %d is %d; 10 means local and is only for a node to itself",
							 i, j, d);
				hw.distance[i][j] = d;
			}
	}
	return 0;
}

static int setup_cpus(void)
{
	int total = opt.cpus_given ? opt.cpus_total : 2, cpu = 0;

	if (opt.cpus_nodes_listed) {
		if (opt.cpus_nodes_listed != hw.nr_nodes)
			return kmm_error("cpus=: %d per-node counts given for %d nodes",
					 opt.cpus_nodes_listed, hw.nr_nodes);
		for (int nid = 0; nid < hw.nr_nodes; nid++)
			for (int k = 0; k < opt.cpus_per_node[nid]; k++)
				hw.cpu_node[cpu++] = nid;
	} else {
		for (cpu = 0; cpu < total; cpu++)
			hw.cpu_node[cpu] = (int)((long)cpu * hw.nr_nodes / total);
	}
	hw.nr_cpus = total;
	return 0;
}

int hw_machine_setup(bool deterministic)
{
	struct hw_node_range ram[E820MAX];
	u64 phys_max;
	int err, nr;

	hw.deterministic = deterministic;
	if (!hw.seed)
		hw.seed = 1;
	if (hw.pae && hw.arch != HW_ARCH_I386)
		return kmm_error("pae: only for arch=i386");
	if (hw.e820_given && opt.ram_given)
		return kmm_error("ram= and e820= both given: with e820= the map says how much RAM there is");

	if (hw.e820_given) {
		err = check_e820();
		if (err)
			return err;
		hw.ram_size = 0;
		for (int i = 0; i < hw.nr_e820; i++)
			if (hw.e820[i].type == E820_RAM)
				hw.ram_size += hw.e820[i].size;
	} else {
		hw.ram_size = opt.ram_given ? opt.ram : DEFAULT_RAM;
		if (opt.ram_given && hw.ram_size % 4096)
			return kmm_error("ram=%llu: not a whole number of 4K pages",
					 (unsigned long long)hw.ram_size);
	}
	if (!hw.e820_given && hw.ram_size < MIN_RAM)
		return kmm_error("ram=%lluK: a machine needs at least 4M of RAM",
				 (unsigned long long)(hw.ram_size >> 10));

	err = setup_nodes();
	if (err)
		return err;
	if (!hw.e820_given)
		build_default_e820(hw.ram_size);

	nr = installed_ram(ram, E820MAX);
	hw.phys_end = 0;
	for (int i = 0; i < hw.nr_e820; i++)
		hw.phys_end = max(hw.phys_end, hw.e820[i].addr + hw.e820[i].size);
	phys_max = hw.arch == HW_ARCH_X86_64 ? MAX_RAM_X86_64 : hw.pae ? 1ULL << 36 : 1ULL << 32;
	if (hw.phys_end > phys_max)
		return kmm_error("%s: physical addresses reach 0x%llx, beyond the %s limit of 0x%llx%s",
				 hw.e820_given ? "e820" : "ram",
				 (unsigned long long)hw.phys_end,
				 hw.arch == HW_ARCH_X86_64 ? "simulator's" : hw.pae ? "PAE" : "i386",
				 (unsigned long long)phys_max,
				 hw.arch == HW_ARCH_I386 && !hw.pae ? " (add pae)" : "");
	(void)nr;
	if (host_ram_limit && hw.phys_end > host_ram_limit)
		return kmm_error("the machine's physical memory (%lluM) exceeds this program's limit of %lluM",
				 (unsigned long long)(hw.phys_end >> 20),
				 (unsigned long long)(host_ram_limit >> 20));

	if (opt.hotplug_max > phys_max || (host_ram_limit && opt.hotplug_max > host_ram_limit))
		return kmm_error("hotplug_max=%lluM: beyond the machine's physical limit of %lluM",
				 (unsigned long long)(opt.hotplug_max >> 20),
				 (unsigned long long)((host_ram_limit && host_ram_limit < phys_max ?
						       host_ram_limit : phys_max) >> 20));

	err = assign_nodes();
	if (err)
		return err;
	err = setup_cpus();
	if (err)
		return err;

	hw_ram_set_max(opt.hotplug_max);
	err = hw_ram_create(hw.phys_end);
	if (err)
		return kmm_error("cannot back %lluM of simulated RAM on this host",
				 (unsigned long long)(hw.phys_end >> 20));
	hw_clock_reset(deterministic);
	nr_cpu_ids = hw.nr_cpus;
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		hw_cpus[cpu].id = cpu;
		hw_cpus[cpu].node = cpu < hw.nr_cpus ? hw.cpu_node[cpu] : 0;
		hw_cpus[cpu].present = cpu < hw.nr_cpus;
	}
	hw_cpus_init(hw.seed);
	return 0;
}

void hw_machine_teardown(void)
{
	hw_cpus_stop();
	hw_cpu_detach();
	hw_disk_teardown();
	hw_ram_destroy();
}

int hw_phys_to_node(u64 pa)
{
	for (int i = 0; i < hw.nr_node_ranges; i++)
		if (pa >= hw.node_range[i].start && pa < hw.node_range[i].end)
			return hw.node_range[i].nid;
	return -1;
}
