/*
 * mm/vmalloc_internal.h - what the files of the vmalloc layer share
 * (vmalloc.c, vmalloc_proc.c, vmalloc_check.c): the range descriptor, the
 * lists and their locks.  mm/internal.h includes it for the lock order.
 */
#ifndef KMM_MM_VMALLOC_INTERNAL_H
#define KMM_MM_VMALLOC_INTERNAL_H

#include <kmm/atomic.h>
#include <kmm/list.h>
#include <kmm/rbtree.h>
#include <kmm/rwsem.h>
#include <kmm/spinlock.h>
#include <kmm/vmalloc.h>

/* vmap_area.flags */
#define VM_LAZY_FREE	0x01	/* freed, PTEs clear, waiting for a purge */
#define VM_LAZY_FREEING	0x02	/* taken by a purge, waiting for its TLB flush */
#define VM_VM_AREA	0x04	/* described by the vm_struct in ->private */

/*
 * A used range of the vmalloc area, guard page included.  In the tree and
 * the list from alloc_vmap_area until a purge gives it back.
 */
struct vmap_area {
	unsigned long va_start;		/* Linux address of the first page */
	unsigned long va_end;		/* one past the last (guard) page */
	unsigned long flags;		/* VM_LAZY_*, VM_VM_AREA; vmap_area_lock */
	struct rb_node rb_node;		/* vmap_area_root, by address */
	struct list_head list;		/* vmap_area_list, by address */
	struct list_head purge_list;	/* a purge's batch */
	void *private;			/* the vm_struct, with VM_VM_AREA */
};

/* The ranges, both sorted by address; vmap_area_lock. */
extern spinlock_t vmap_area_lock;
extern struct rb_root vmap_area_root;
extern struct list_head vmap_area_list;
/* Pages of VM_LAZY_FREE ranges: sum of (va_end - va_start) >> PAGE_SHIFT. */
extern atomic_long_t vmap_lazy_nr;
/* One purge at a time (taken outside vmap_area_lock). */
extern spinlock_t purge_lock;

/* The areas, sorted by address; vmlist_lock (2.6.34's is an rwlock). */
extern struct rw_semaphore vmlist_lock;
extern struct vm_struct *vmlist;

/* Put an area made with VM_UNLIST, now filled in, on vmlist. */
void insert_vmalloc_vmlist(struct vm_struct *vm);

#endif /* KMM_MM_VMALLOC_INTERNAL_H */
