/*
 * arch/x86/e820.c - the kernel's view of the firmware memory map: printing
 * it, finding free RAM in it, and turning its RAM entries into the
 * early_node_map's active ranges.
 */
#include <kmm/bootmem.h>
#include <kmm/kernel.h>
#include <kmm/page.h>
#include "arch/x86/e820.h"
#include "hw/machine.h"

struct e820map e820 __state_zero;

const char *e820_type_name(u32 type)
{
	switch (type) {
	case E820_RAM:		return "(usable)";
	case E820_RESERVED:	return "(reserved)";
	case E820_ACPI:		return "(ACPI data)";
	case E820_NVS:		return "(ACPI NVS)";
	case E820_UNUSABLE:	return "(unusable)";
	}
	return "type ?";
}

void e820_print_map(const char *who)
{
	for (u32 i = 0; i < e820.nr_map; i++) {
		const struct e820entry *e = &e820.map[i];

		printk(KERN_INFO " %s: %016llx - %016llx ", who, (unsigned long long)e->addr,
		       (unsigned long long)(e->addr + e->size));
		printk(KERN_CONT "%s", e820_type_name(e->type));
		printk(KERN_CONT "\n");
	}
}

/* Change the type of [start, end) from @old to @new where it has @old; true if anything changed. */
static bool e820_retype(u64 start, u64 end, u32 old, u32 new)
{
	struct e820map out = { 0 };
	bool changed = false;

	for (u32 i = 0; i < e820.nr_map; i++) {
		struct e820entry e = e820.map[i];
		u64 es = e.addr, ee = e.addr + e.size;
		u64 cs = max(es, start), ce = min(ee, end);

		if (e.type != old || cs >= ce) {
			out.map[out.nr_map++] = e;
			continue;
		}
		changed = true;
		if (es < cs)
			out.map[out.nr_map++] = (struct e820entry){ es, cs - es, e.type };
		if (new)
			out.map[out.nr_map++] = (struct e820entry){ cs, ce - cs, new };
		if (ce < ee)
			out.map[out.nr_map++] = (struct e820entry){ ce, ee - ce, e.type };
		if (out.nr_map > E820MAX - 3)
			break;
	}
	if (changed)
		e820 = out;
	return changed;
}

/*
 * The first page belongs to the BIOS and 640K-1M to video memory and ROMs,
 * whatever a map says: make them unusable (trim_bios_range).  Printed only
 * when the map had RAM there.
 */
static void trim_bios_range(void)
{
	if (e820_retype(0, PAGE_SIZE, E820_RAM, E820_RESERVED))
		printk(KERN_DEBUG "e820 update range: %016llx - %016llx (usable) ==> (reserved)\n",
		       0ULL, (unsigned long long)PAGE_SIZE);
	if (e820_retype(0xa0000, 0x100000, E820_RAM, 0))
		printk(KERN_DEBUG "e820 remove range: %016llx - %016llx (usable)\n", 0xa0000ULL,
		       0x100000ULL);
}

/* The firmware's map arrives sorted and checked (hw/machine.c). */
void setup_memory_map(void)
{
	e820.nr_map = hw.nr_e820;
	for (int i = 0; i < hw.nr_e820; i++) {
		e820.map[i].addr = hw.e820[i].addr;
		e820.map[i].size = hw.e820[i].size;
		e820.map[i].type = hw.e820[i].type;
	}
	printk(KERN_INFO "BIOS-provided physical RAM map:\n");
	e820_print_map("BIOS-e820");
	trim_bios_range();
}

/*
 * Hot-added RAM (arch_commit_memory): an entry of its own above every
 * other, as the firmware reports memory that arrived after boot, so that
 * /proc/iomem lists it as its own "System RAM" resource as 2.6.34's
 * register_memory_resource() did.  The caller checked that it fits.
 */
void e820_add_ram(u64 start, u64 size)
{
	if (e820.nr_map < E820MAX)
		e820.map[e820.nr_map++] = (struct e820entry){ start, size, E820_RAM };
}

u64 find_e820_area(u64 start, u64 end, u64 size, u64 align)
{
	for (u32 i = 0; i < e820.nr_map; i++) {
		const struct e820entry *e = &e820.map[i];
		u64 addr;

		if (e->type != E820_RAM)
			continue;
		addr = find_early_area(e->addr, e->addr + e->size, start, end, size, align);
		if (addr != -1ULL)
			return addr;
	}
	return -1ULL;
}

/*
 * The RAM part of entry @e within [start_pfn, last_pfn), rounded inward to
 * whole pages; false if nothing remains.
 */
static bool e820_find_active_region(const struct e820entry *e, unsigned long start_pfn,
				    unsigned long last_pfn, unsigned long *ei_startpfn,
				    unsigned long *ei_endpfn)
{
	u64 align = PAGE_SIZE;

	*ei_startpfn = round_up(e->addr, align) >> PAGE_SHIFT;
	*ei_endpfn = round_down(e->addr + e->size, align) >> PAGE_SHIFT;
	if (*ei_startpfn >= *ei_endpfn)
		return false;
	if (e->type != E820_RAM || *ei_endpfn <= start_pfn || *ei_startpfn >= last_pfn)
		return false;
	if (*ei_startpfn < start_pfn)
		*ei_startpfn = start_pfn;
	if (*ei_endpfn > last_pfn)
		*ei_endpfn = last_pfn;
	return true;
}

void e820_register_active_regions(int nid, unsigned long start_pfn, unsigned long last_pfn)
{
	unsigned long s, e;

	for (u32 i = 0; i < e820.nr_map; i++)
		if (e820_find_active_region(&e820.map[i], start_pfn, last_pfn, &s, &e))
			add_active_range(nid, s, e);
}

static unsigned long e820_end_pfn(unsigned long limit_pfn)
{
	unsigned long last_pfn = 0;

	for (u32 i = 0; i < e820.nr_map; i++) {
		const struct e820entry *e = &e820.map[i];
		unsigned long start_pfn, end_pfn;

		if (e->type != E820_RAM)
			continue;
		start_pfn = e->addr >> PAGE_SHIFT;
		end_pfn = (e->addr + e->size) >> PAGE_SHIFT;
		if (start_pfn >= limit_pfn)
			continue;
		if (end_pfn > limit_pfn) {
			last_pfn = limit_pfn;
			break;
		}
		if (end_pfn > last_pfn)
			last_pfn = end_pfn;
	}
	if (last_pfn > arch->max_arch_pfn)
		last_pfn = arch->max_arch_pfn;
	printk(KERN_INFO "last_pfn = 0x%lx max_arch_pfn = 0x%lx\n", last_pfn, arch->max_arch_pfn);
	return last_pfn;
}

unsigned long e820_end_of_ram_pfn(void)
{
	return e820_end_pfn(arch->max_arch_pfn);
}

unsigned long e820_end_of_low_ram_pfn(void)
{
	return e820_end_pfn(1UL << (32 - PAGE_SHIFT));
}

bool page_is_ram(unsigned long pfn)
{
	u64 addr = (u64)pfn << PAGE_SHIFT;

	if (pfn == 0)
		return false;
	if (addr >= 0xa0000 && addr < 0x100000)
		return false;
	for (u32 i = 0; i < e820.nr_map; i++) {
		const struct e820entry *e = &e820.map[i];

		if (e->type != E820_RAM)
			continue;
		if (pfn >= PFN_UP(e->addr) && pfn < PFN_DOWN(e->addr + e->size))
			return true;
	}
	return false;
}

bool e820_all_mapped(u64 start, u64 end, u32 type)
{
	for (u32 i = 0; i < e820.nr_map; i++) {
		const struct e820entry *e = &e820.map[i];

		if (e->type != type)
			continue;
		if (e->addr >= end || e->addr + e->size <= start)
			continue;
		if (e->addr <= start)
			start = e->addr + e->size;
		if (start >= end)
			return true;
	}
	return false;
}
