/*
 * arch/x86/e820.h - the kernel's copy of the firmware memory map.
 */
#ifndef KMM_ARCH_X86_E820_H
#define KMM_ARCH_X86_E820_H

#include <kmm/types.h>
#include "hw/machine.h"

struct e820entry {
	u64 addr;
	u64 size;
	u32 type;
} __attribute__((packed));

struct e820map {
	u32 nr_map;
	struct e820entry map[E820MAX];
};

extern struct e820map e820;

/* Copy the BIOS map, sort it and print it as "BIOS-e820". */
void setup_memory_map(void);
void e820_print_map(const char *who);
/* The first free (not early-reserved) @size bytes of RAM in [start, end), or -1ULL. */
u64 find_e820_area(u64 start, u64 end, u64 size, u64 align);
/* Register the RAM of [start_pfn, last_pfn) as node @nid's active ranges. */
void e820_register_active_regions(int nid, unsigned long start_pfn, unsigned long last_pfn);
unsigned long e820_end_of_ram_pfn(void);
unsigned long e820_end_of_low_ram_pfn(void);
/* Is @pfn a page of RAM according to the map? */
bool page_is_ram(unsigned long pfn);
/* Memory hotplug: [start, start + size) is RAM now (above every entry). */
void e820_add_ram(u64 start, u64 size);
/* Does RAM of the map cover [start, end) entirely? */
bool e820_all_mapped(u64 start, u64 end, u32 type);
const char *e820_type_name(u32 type);

#endif /* KMM_ARCH_X86_E820_H */
