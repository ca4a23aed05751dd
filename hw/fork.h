/*
 * hw/fork.h - the machine across the host's fork().
 *
 * RAM is one MAP_SHARED memfd (hw/ram.h), so a forked child would share it
 * with its parent: each would hand out pages the other thinks are free.
 * The child gets a private copy instead, taken while nothing changes it:
 *
 *   atfork prepare   hw_fork_prepare(): stop every CPU at a safe point
 *                    (hw_cpus_freeze), copy the data extents of RAM into a
 *                    new memfd
 *   fork()
 *   parent           hw_fork_parent(): drop the copy, let the CPUs go
 *   child            hw_fork_child(): map the copy over every host mapping
 *                    of the old memfd (the direct map, the vmemmap window,
 *                    any window), at the same addresses and offsets; free
 *                    the CPUs whose threads do not exist in the child
 *
 * A caller with locks of its own (an allocator around the kernel) takes
 * them around these; the kernel's sleeping locks are the caller's affair
 * too.  Nothing here knows about memory management.
 */
#ifndef KMM_HW_FORK_H
#define KMM_HW_FORK_H

#include <kmm/types.h>

/*
 * Freeze the CPUs and copy RAM.  Returns 0, or -errno when the copy could
 * not be made (the CPUs are frozen all the same); hw_fork_parent() or
 * hw_fork_child() must follow either way.
 */
int hw_fork_prepare(void);
void hw_fork_parent(void);
/*
 * Returns 0, or -errno when the child could not be given its own RAM: it
 * then still shares RAM with its parent and must not touch it.
 */
int hw_fork_child(void);

/* Bytes copied by the last hw_fork_prepare() (for reports and tests). */
extern u64 hw_fork_copied;

#endif /* KMM_HW_FORK_H */
