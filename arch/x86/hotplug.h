/*
 * arch/x86/hotplug.h - the architecture's half of memory hotplug
 * (arch/x86/memory_hotplug.c), called by mm/memory_hotplug.c.
 */
#ifndef KMM_ARCH_X86_HOTPLUG_H
#define KMM_ARCH_X86_HOTPLUG_H

#include <kmm/types.h>

/*
 * Grow RAM over [@start, @start + @size) (at or above its end) and map it
 * directly (x86_64).  Returns the zone index the pages go to, or a
 * negative errno with nothing changed.
 */
int arch_add_memory(int nid, u64 start, u64 size);
/* Undo a successful arch_add_memory() that a later step could not follow: RAM back to @old_ram_size. */
void arch_remove_memory(u64 start, u64 size, u64 old_ram_size);
/* The add is final: the firmware map and max_pfn/max_low_pfn/highend_pfn cover it. */
void arch_commit_memory(u64 start, u64 size);

#endif /* KMM_ARCH_X86_HOTPLUG_H */
