/*
 * arch/x86/iomem.c - /proc/iomem: the e820 map as resources, with the
 * kernel image's code, data and bss nested inside the RAM that holds them.
 */
#include <kmm/kernel.h>
#include <kmm/procfs.h>
#include <kmm/seq_file.h>
#include "arch/x86/e820.h"
#include "arch/x86/setup.h"

static const char *e820_type_to_string(u32 type)
{
	switch (type) {
	case E820_RAM:		return "System RAM";
	case E820_ACPI:		return "ACPI Tables";
	case E820_NVS:		return "ACPI Non-volatile Storage";
	case E820_UNUSABLE:	return "Unusable memory";
	}
	return "reserved";
}

static void print_range(struct seq_file *m, int depth, u64 start, u64 end_incl, const char *name)
{
	seq_printf(m, "%*s%08llx-%08llx : %s\n", depth * 2, "", (unsigned long long)start,
		   (unsigned long long)end_incl, name);
}

static int iomem_show(struct seq_file *m, const char *rest)
{
	const struct {
		u64 start, end;
		const char *name;
	} kernel[] = {
		{ kimage.text, kimage.etext, "Kernel code" },
		{ kimage.etext, kimage.edata, "Kernel data" },
		{ kimage.bss_start, kimage.bss_stop, "Kernel bss" },
	};

	for (u32 i = 0; i < e820.nr_map; i++) {
		const struct e820entry *e = &e820.map[i];

		print_range(m, 0, e->addr, e->addr + e->size - 1, e820_type_to_string(e->type));
		for (size_t k = 0; k < ARRAY_SIZE(kernel); k++)
			if (e->type == E820_RAM && kernel[k].start >= e->addr &&
			    kernel[k].end <= e->addr + e->size && kernel[k].end > kernel[k].start)
				print_range(m, 1, kernel[k].start, kernel[k].end - 1, kernel[k].name);
	}
	return 0;
}
PROC_ENTRY(iomem, "/proc/iomem", iomem_show, NULL, false);
