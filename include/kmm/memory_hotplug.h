/*
 * memory_hotplug.h - RAM added while the machine runs (Linux 2.6.34's
 * mm/memory_hotplug.c).  Boot with hotplug_max=SIZE to leave the machine
 * room to grow; each section (memory_block_size_bytes()) is a memory block
 * under /sys/devices/system/memory, whose "state" file onlines and
 * offlines it.
 */
#ifndef KMM_MEMORY_HOTPLUG_H
#define KMM_MEMORY_HOTPLUG_H

#include <kmm/types.h>

/*
 * Add RAM [@start, @start + @size) to node @nid, its pages offline
 * (reserved).  Section-aligned, above all RAM, within hotplug_max=.
 * 0, or -EINVAL / -EEXIST / -ERANGE for a bad range, -ENOMEM: then
 * nothing changed and kmm_error_msg() says why.
 */
int add_memory(int nid, u64 start, u64 size);
/*
 * add_memory() then online_pages() of the whole range, in one step: in a
 * zone that defers (deferred_init=), the added blocks join
 * the deferred free memory with their struct pages unwritten; every view
 * reads as the two steps leave it.  The libkmm-malloc's growth.
 */
int add_memory_online(int nid, u64 start, u64 size);
/* Free [@pfn, @pfn + @nr_pages)'s reserved pages to the buddy allocator. 0 or -ENOMEM (nothing changed). */
int online_pages(unsigned long pfn, unsigned long nr_pages);
/*
 * Take [@start_pfn, @end_pfn) (pageblock-aligned, one zone) out of the
 * buddy allocator: 0, -EINVAL, or -EBUSY while a page of it is in use
 * (kmm migrates nothing), the range then as it was.
 */
int offline_pages(unsigned long start_pfn, unsigned long end_pfn);
/* The section size: 128M on x86_64, 64M on i386, 512M with PAE. */
unsigned long memory_block_size_bytes(void);
/* Where the next add goes: the end of RAM rounded up to a section. */
u64 memory_hotplug_next_start(void);

#endif /* KMM_MEMORY_HOTPLUG_H */
