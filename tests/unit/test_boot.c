/*
 * test_boot.c - booting machines of several shapes, checked against zone
 * spans, present pages and reserved counts derived by hand from the rules
 * of seed 003, 2.3 (the derivations are in the comments), and the boot log
 * lines as Linux prints them.
 *
 * Common facts used below (kernel_size=8M, the default):
 *   the image is [1M, 9M): 2048 pages; code 1024 pages (4096k), data 512
 *   (2048k), init 204 (816k), bss 308;
 *   the BIOS map reserves page 0 and [640K, 1M); the EBDA reservation
 *   [0x9fc00, 1M) takes pfn 0x9f of the RAM below 640K;
 *   the trampoline takes pfns 6-7; x86_64 memmap uses 56 bytes per page,
 *   i386 32; sections (x86_64) are 128M = 32768 pages, whose struct pages
 *   (1.75M) are backed in 2M blocks.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/vmstat.h>
#include "mm/internal.h"
#include "tests/harness.h"

static unsigned long node_data_pages(void)
{
	return (sizeof(pg_data_t) + PAGE_SIZE - 1) / PAGE_SIZE;
}

static struct zone *zone_of(int nid, enum zone_type z)
{
	return &NODE_DATA(nid)->node_zones[z];
}

static void assert_zone(int nid, enum zone_type z, unsigned long start, unsigned long spanned,
			unsigned long present)
{
	struct zone *zone = zone_of(nid, z);

	assert_int_equal(zone->zone_start_pfn, start);
	assert_int_equal(zone->spanned_pages, spanned);
	assert_int_equal(zone->present_pages, present);
}

static void assert_log(const char *line)
{
	if (!dmesg_has(line))
		fail_msg("the boot log lacks \"%s\":\n%s", line, dmesg_text());
}

/*
 * 64M, one node.  Active RAM: pfns [1, 0xa0) and [0x100, 0x4000): 16287.
 * DMA   [1, 0x1000): 4095 spanned, holes 0xa0-0xff (96) -> 3999 real,
 *       memmap ceil(4095*56/4096) = 56  -> present 3943.
 * DMA32 [0x1000, 0x4000): 12288 spanned, memmap 168 -> present 12120.
 * Reserved, in pages: image 2048, EBDA 1, trampoline 2, no page tables
 * (find_early_table_space's 2 pages, one PUD page and one PMD page for
 * 64M of 2M mappings, go unused: head_64.S's level2_ident_pgt maps the
 * first 1G, and only what the tables used is reserved), NODE_DATA at 16M,
 * then the vmemmap's PUD and PMD tables (a page each, from the boot
 * allocator before its first block), one page holding the zones' pageblock
 * bitmaps and wait tables (8 + 384 + 16 + 1536 bytes), and the one 2M
 * vmemmap block (at 18M): 2566 + NODE_DATA pages.
 */
static void boot_64M_uma(void **state)
{
	unsigned long reserved = 2566 + node_data_pages();

	boot_or_fail("ram=64M");
	assert_int_equal(max_pfn, 0x4000);
	assert_int_equal(nr_online_nodes, 1);
	assert_zone(0, ZONE_DMA, 1, 4095, 3943);
	assert_zone(0, ZONE_DMA32, 0x1000, 12288, 12120);
	assert_zone(0, ZONE_NORMAL, 0, 0, 0);
	assert_int_equal(NODE_DATA(0)->node_present_pages, 16287);
	assert_int_equal(totalram_pages, 16287 - reserved);

	assert_log(" BIOS-e820: 0000000000000000 - 0000000000001000 (reserved)\n");
	assert_log(" BIOS-e820: 0000000000100000 - 0000000004000000 (usable)\n");
	assert_log("last_pfn = 0x4000 max_arch_pfn = 0x400000000\n");
	assert_log("Zone PFN ranges:\n");
	assert_log("  DMA      0x00000001 -> 0x00001000\n");
	assert_log("  DMA32    0x00001000 -> 0x00100000\n");
	assert_log("  Normal   empty\n");
	assert_log("Movable zone start PFN for each node\n");
	assert_log("early_node_map[2] active PFN ranges\n");
	assert_log("    0: 0x00000001 -> 0x000000a0\n");
	assert_log("    0: 0x00000100 -> 0x00004000\n");
	assert_log("On node 0 totalpages: 16287\n");
	assert_log("  DMA zone: 56 pages used for memmap\n");
	assert_log("  DMA zone: 3943 pages, LIFO batch:0\n");
	assert_log("  DMA32 zone: 168 pages used for memmap\n");
	assert_log("  DMA32 zone: 12120 pages, LIFO batch:1\n");
	assert_log("Built 1 zonelists in Node order, mobility grouping on.  Total pages: 16063\n");
	assert_log("  NODE_DATA [0000000001000000 - ");
	assert_log(" [ffffea0000000000-ffffea00001fffff] PMD -> [ffff880001200000-ffff8800013fffff] on node 0\n");
	{
		char line[256];

		snprintf(line, sizeof(line),
			 "Memory: %luk/65536k available (4096k kernel code, 388k absent, %luk reserved, 2048k data, 816k init)\n",
			 (16287 - reserved) * 4, reserved * 4);
		assert_log(line);
	}
	assert_mm_check();
}

/*
 * 1G, two nodes of 512M.  Node 0: DMA as above; DMA32 [0x1000, 0x20000):
 * 126976 spanned, memmap 1736 -> 125240.  Node 1: DMA32 [0x20000, 0x40000):
 * 131072, memmap 1792 -> 129280.  Both nodes low memory only: node order.
 * Node 0 reserves image 2048 + EBDA 1 + trampoline 2 + no page tables
 * (the 2-page estimate goes unused under level2_ident_pgt, as at 64M) +
 * NODE_DATA + 4 pages of bitmaps and wait tables (its DMA32 wait table is
 * 512 entries, 12288 bytes) + the vmemmap's PUD and PMD tables (2 pages,
 * allocated with node 0's first block) + 4 vmemmap blocks (sections 0-3:
 * 2048 pages).
 * Node 1: NODE_DATA + 4 pages + 3 vmemmap blocks (sections 4-7 share the
 * block at 6M with section 3): 1536 pages.
 */
static void boot_1G_two_nodes(void **state)
{
	unsigned long nd = node_data_pages();
	unsigned long reserved = (2048 + 1 + 2 + nd + 4 + 2 + 2048) + (nd + 4 + 1536);

	boot_or_fail("ram=1G nodes=2 cpus=4");
	assert_int_equal(nr_online_nodes, 2);
	assert_zone(0, ZONE_DMA, 1, 4095, 3943);
	assert_zone(0, ZONE_DMA32, 0x1000, 126976, 125240);
	assert_zone(1, ZONE_DMA, 0, 0, 0);
	assert_zone(1, ZONE_DMA32, 0x20000, 131072, 129280);
	assert_int_equal(NODE_DATA(0)->node_present_pages, 130975);
	assert_int_equal(NODE_DATA(1)->node_present_pages, 131072);
	assert_int_equal(totalram_pages, 262047 - reserved);
	assert_int_equal(cpu_to_node(0), 0);
	assert_int_equal(cpu_to_node(3), 1);

	assert_log("SRAT: Node 0 PXM 0 0-20000000\n");
	assert_log("SRAT: Node 1 PXM 1 20000000-40000000\n");
	assert_log("Initmem setup node 0 0000000000000000-0000000020000000\n");
	assert_log("Initmem setup node 1 0000000020000000-0000000040000000\n");
	assert_log("  NODE_DATA [0000000020000000 - ");
	assert_log("early_node_map[3] active PFN ranges\n");
	assert_log("    1: 0x00020000 -> 0x00040000\n");
	assert_log("On node 1 totalpages: 131072\n");
	assert_log("Built 2 zonelists in Node order, mobility grouping on.  Total pages: 258463\n");
	assert_log("Policy zone: DMA32\n");
	/* The first fallback of node 0 is its own DMA32, then DMA, then node 1. */
	struct zonelist *zl = &NODE_DATA(0)->node_zonelists[0];
	assert_ptr_equal(zl->_zonerefs[0].zone, zone_of(0, ZONE_DMA32));
	assert_ptr_equal(zl->_zonerefs[1].zone, zone_of(0, ZONE_DMA));
	assert_ptr_equal(zl->_zonerefs[2].zone, zone_of(1, ZONE_DMA32));
	assert_null(zl->_zonerefs[3].zone);
	/* __GFP_THISNODE's list holds only node 1's zone. */
	zl = &NODE_DATA(1)->node_zonelists[1];
	assert_ptr_equal(zl->_zonerefs[0].zone, zone_of(1, ZONE_DMA32));
	assert_null(zl->_zonerefs[1].zone);
	assert_mm_check();
}

/*
 * 5G on x86_64: RAM to 3G, the PCI hole 3G-4G, the remaining 2G at 4G-6G.
 * DMA32 [0x1000, 0x100000): 1044480 spanned, 262144 of them the hole ->
 * 782336 real, memmap 14280 -> 768056.  Normal [0x100000, 0x180000):
 * 524288, memmap 7168 -> 517120.  The hole's sections have no memmap.
 */
static void boot_5G_with_pci_hole(void **state)
{
	boot_or_fail("ram=5G");
	assert_int_equal(max_pfn, 0x180000);
	assert_int_equal(max_low_pfn, 0xc0000);
	assert_zone(0, ZONE_DMA, 1, 4095, 3943);
	assert_zone(0, ZONE_DMA32, 0x1000, 1044480, 768056);
	assert_zone(0, ZONE_NORMAL, 0x100000, 524288, 517120);
	assert_int_equal(NODE_DATA(0)->node_present_pages, 3999 + 782336 + 524288);
	assert_false(pfn_valid(0xc0000));	/* in the hole */
	assert_false(pfn_valid(0xfffff));
	assert_true(pfn_valid(0xbffff));
	assert_true(pfn_valid(0x100000));

	assert_log(" BIOS-e820: 00000000c0000000 - 0000000100000000 (reserved)\n");
	assert_log(" BIOS-e820: 0000000100000000 - 0000000180000000 (usable)\n");
	assert_log("last_pfn = 0x180000 max_arch_pfn = 0x400000000\n");
	assert_log("last_pfn = 0xc0000 max_arch_pfn = 0x400000000\n");
	assert_log("init_memory_mapping: 0000000000000000-00000000c0000000\n");
	assert_log("init_memory_mapping: 0000000100000000-0000000180000000\n");
	assert_log("  Normal   0x00100000 -> 0x00180000\n");
	assert_log("  DMA32 zone: 14280 pages used for memmap\n");
	assert_log("  Normal zone: 517120 pages, LIFO batch:31\n");
	/* NODE_DATA avoids the DMA32 zone when the node reaches above 4G. */
	assert_log("  NODE_DATA [0000000100000000 - ");
	assert_mm_check();
}

/*
 * 2G on i386: lowmem ends at 896M (pfn 0x38000), the rest is HighMem.
 * DMA [1, 0x1000): memmap ceil(4095*32/4096) = 32 -> 3967.
 * Normal [0x1000, 0x38000): 225280, memmap 1760 -> 223520.
 * HighMem [0x38000, 0x80000): 294912, memmap 2304 -> 292608.
 * Lowmem reserved: image 2048, EX TRAMPOLINE 1, EBDA 1, trampoline 2,
 * page tables 4 (find_early_table_space estimates 5: PGD 1, PMD 1, the
 * first 4M of 4k PTEs 1, the fixmap's __end_of_fixed_addresses = 1546
 * PTEs of 4 bytes 2; the tables use 3, the first 4M's PTE table and the
 * fixmap's two, and only those are reserved; the pkmap window's PTE table
 * comes from the boot allocator later, 1), the flat mem_map 524288*32
 * bytes = 4096 pages, bitmaps and wait tables 19 pages (the HighMem wait
 * table alone is 2048 entries): 6171.
 */
static void boot_2G_i386_highmem(void **state)
{
	boot_or_fail("arch=i386 ram=2G");
	assert_int_equal(max_pfn, 0x80000);
	assert_int_equal(max_low_pfn, 0x38000);
	assert_zone(0, ZONE_DMA, 1, 4095, 3967);
	assert_zone(0, ZONE_NORMAL, 0x1000, 225280, 223520);
	assert_zone(0, ZONE_HIGHMEM, 0x38000, 294912, 292608);
	assert_int_equal(totalhigh_pages, 294912);
	assert_int_equal(totalram_pages, (159 + (0x38000 - 0x100)) - 6171 + 294912);
	assert_true(PageHighMem(pfn_to_page(0x38000)));
	assert_false(PageHighMem(pfn_to_page(0x37fff)));
	assert_null(page_address(pfn_to_page(0x40000)));

	assert_log("last_pfn = 0x80000 max_arch_pfn = 0x100000\n");
	assert_log("1152MB HIGHMEM available.\n");
	assert_log("896MB LOWMEM available.\n");
	assert_log("  HighMem  0x00038000 -> 0x00080000\n");
	assert_log("  DMA zone: 0 pages reserved\n");
	assert_log("Built 1 zonelists in Zone order, mobility grouping on.  Total pages: 520095\n");
	assert_log("Initializing HighMem for node 0 (00038000:00080000)\n");
	/* One page (4k) less reserved than the whole table estimate: see above. */
	assert_log("Memory: 2072080k/2097152k available (4096k kernel code, 24684k reserved, 2048k data, 816k init, 1179648k highmem)\n");
	assert_log("    lowmem  : 0xc0000000 - 0xf8000000   ( 896 MB)\n");
	assert_false(dmesg_has("Policy zone"));	/* not a NUMA build */
	assert_mm_check();
}

/* kernelcore= leaves the kernel that much, spread over nodes; the rest is ZONE_MOVABLE. */
static void kernelcore_creates_zone_movable(void **state)
{
	boot_or_fail("ram=1G kernelcore=256M");
	/*
	 * required_kernelcore = 65536 pages; the movable zone comes out of
	 * DMA32 (the highest zone with memory).  Pages below DMA32 count as
	 * kernel memory first: 159 below 640K, 3840 in [0x100, 0x1000); the
	 * remaining 61537 kernel pages take DMA32 from 0x1000 to 0x10061,
	 * rounded up to a MAX_ORDER block: 0x10400 = 66560.
	 */
	assert_int_equal(zone_movable_pfn[0], 0x10400);
	assert_int_equal(zone_of(0, ZONE_DMA32)->spanned_pages, 0x10400 - 0x1000);
	assert_int_equal(zone_of(0, ZONE_MOVABLE)->zone_start_pfn, 0x10400);
	assert_int_equal(zone_of(0, ZONE_MOVABLE)->spanned_pages, 0x40000 - 0x10400);
	assert_log("  Node 0: 66560\n");
	assert_mm_check();
}

/* The same options boot the same machine: the log is byte-identical. */
static void boot_is_deterministic(void **state)
{
	char *first;

	boot_or_fail("ram=256M nodes=2 seed=7");
	first = strdup(dmesg_text());
	boot_or_fail("ram=256M nodes=2 seed=7");
	assert_string_equal(first, dmesg_text());
	free(first);
}

static void bad_machines_are_refused_with_a_reason(void **state)
{
	static const struct {
		const char *cmdline, *reason;
	} cases[] = {
		{ "ram=64M frobnicate=1", "unknown boot option 'frobnicate'" },
		{ "ram=lots", "ram=lots: not a size" },
		{ "ram=2M", "at least 4M" },
		{ "ram=6M", "kernel image" },
		{ "nodes=0", "nodes=0" },
		{ "nodes=2 node0=64M node1=0", "no memory" },
		{ "nodes=2 node0=64M", "every node or of none" },
		{ "e820=0-1M:ram,512K-2M:ram", "entries overlap" },
		{ "e820=0-1M:banana", "unknown type 'banana'" },
		{ "arch=i386 ram=5G", "add pae" },
		{ "arch=sparc", "arch=sparc" },
		{ "cpus=100", "at most 64" },
		{ "nodes=2 distance=10,20,20", "3 values given" },
		{ "pae", "only for arch=i386" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = kmm_boot(cases[i].cmdline, KMM_BOOT_DETERMINISTIC);

		if (!err) {
			kmm_shutdown();
			fail_msg("\"%s\" booted", cases[i].cmdline);
		}
		if (!strstr(kmm_error_msg(), cases[i].reason))
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", cases[i].cmdline,
				 kmm_error_msg(), cases[i].reason);
		assert_false(kmm_booted());
	}
	/* Nothing was left behind: a good machine boots afterwards. */
	boot_or_fail("ram=64M");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(boot_64M_uma, teardown_machine),
	cmocka_unit_test_teardown(boot_1G_two_nodes, teardown_machine),
	cmocka_unit_test_teardown(boot_5G_with_pci_hole, teardown_machine),
	cmocka_unit_test_teardown(boot_2G_i386_highmem, teardown_machine),
	cmocka_unit_test_teardown(kernelcore_creates_zone_movable, teardown_machine),
	cmocka_unit_test_teardown(boot_is_deterministic, teardown_machine),
	cmocka_unit_test_teardown(bad_machines_are_refused_with_a_reason, teardown_machine),
};

KMM_TEST_MAIN(tests)
