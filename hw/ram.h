/*
 * hw/ram.h - the simulated RAM and host address windows onto it.
 *
 * RAM is one memfd of hw.phys_end bytes.  Its mapping at hw_ram_base is
 * the kernel's direct map, so a physical address converts to a host pointer
 * by adding hw_ram_base.  Pages never touched cost nothing, so RAM larger
 * than the host's free memory works as long as it is not all used.
 *
 * The direct map is the kernel's, and on i386 it covers lowmem only
 * (hw_ram_limit_direct).  The machine itself - the MMU reading page
 * tables, the copies the MMU makes on behalf of a load or store, zeroing,
 * fork's copy - reaches all of RAM through hw_phys_base: the direct map
 * itself while that covers everything (x86_64: one mapping, as before), a
 * second mapping of the memfd once it does not.
 *
 * Other kernel address ranges (vmemmap, later vmalloc and kmap) are host
 * windows reserved with no access; mapping RAM into them makes the same
 * physical page visible at a second address, as page tables do.
 */
#ifndef KMM_HW_RAM_H
#define KMM_HW_RAM_H

#include <kmm/asm/page.h>	/* hw_ram_base, hw_ram_size */

/*
 * Reserve host address space for RAM of up to @bytes (memory hotplug;
 * before hw_ram_create).  0 or less than the RAM size: no room to grow.
 */
void hw_ram_set_max(u64 bytes);
u64 hw_ram_max(void);
int hw_ram_create(u64 size);
/*
 * Grow RAM to @new_size bytes (at most hw_ram_max()): the machine's view
 * covers it, the direct map too if @direct.  0, -EINVAL or -ENOMEM (then
 * nothing changed).  hw_ram_size and hw_direct_size follow only at
 * hw_ram_commit() (read without locks: commit with the CPUs stopped).
 */
int hw_ram_grow(u64 new_size, bool direct);
void hw_ram_commit(void);
/* Undo hw_ram_grow(), committed or not: RAM is @size bytes again. */
void hw_ram_shrink(u64 size);
void hw_ram_destroy(void);

/* The machine's own view of all of RAM: physical address pa is hw_phys_base + pa. */
extern char *hw_phys_base;

/*
 * Let the direct map cover [0, @bytes) only: the rest of its host range is
 * made inaccessible (still reserved, so nothing else is ever mapped there),
 * and the machine keeps a full view of its own.  0 or -ENOMEM (then
 * nothing changed).  @bytes >= the RAM size changes nothing.
 */
int hw_ram_limit_direct(u64 bytes);

/* Reserve an inaccessible host window of @size bytes; NULL on failure. */
void *hw_window_reserve(u64 size);
void hw_window_release(void *addr, u64 size);
/* Map physical [@pa, @pa+@size) at host address @va inside a window. */
int hw_window_map(void *va, u64 pa, u64 size);
/* Make [@va, @va+@size) inaccessible again. */
int hw_window_unmap(void *va, u64 size);

/* Make [@va, @va+@size) of a window ordinary zeroed host memory (not RAM). */
int hw_window_anon(void *va, u64 size);

/*
 * Zero physical [@pa, @pa+@size): whole pages are given back to the host
 * (a page never touched stays free), the edges are cleared.
 */
void hw_ram_zero(u64 pa, u64 size);
/* The same, whatever the size: every whole host page goes back (unbacked memory stays so). */
void hw_ram_discard(u64 pa, u64 size);

/* How many of the host pages wholly inside [@va, @va+@size) are backed; -1 on error. */
long hw_resident_pages(const void *va, u64 size);

/* How many mappings the host lets this process have (vm.max_map_count). */
long hw_host_map_limit(void);

/* The memfd behind RAM (-1 without a machine); hw/fork.c gives a child its own. */
int hw_ram_fd(void);
void hw_ram_set_fd(int fd);

#endif /* KMM_HW_RAM_H */
