/*
 * mm/vmalloc_internal.h - what the files of the vmalloc layer share
 * (vmalloc.c, vmalloc_proc.c, vmalloc_check.c): the range descriptor, the
 * lists and their locks.  mm/internal.h includes it for the lock order.
 */
#ifndef KMM_MM_VMALLOC_INTERNAL_H
#define KMM_MM_VMALLOC_INTERNAL_H

#include <kmm/atomic.h>
#include <kmm/bitmap.h>
#include <kmm/list.h>
#include <kmm/rbtree.h>
#include <kmm/rwsem.h>
#include <kmm/spinlock.h>
#include <kmm/vmalloc.h>

/* vmap_area.flags */
#define VM_LAZY_FREE	0x01	/* freed, PTEs clear, waiting for a purge */
#define VM_LAZY_FREEING	0x02	/* taken by a purge, waiting for its TLB flush */
#define VM_VM_AREA	0x04	/* described by the vm_struct in ->private */
#define VM_VMAP_BLOCK	0x08	/* a vmap block's, ->private (kmm: 2.6.34 finds it in a radix tree) */
#define VM_MAP_RAM	0x10	/* a large vm_map_ram's, no guard page, no vm_struct (kmm only) */

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

/* The range allocator, for the vmap blocks (vmalloc_block.c). */
struct vmap_area *alloc_vmap_area(unsigned long size, unsigned long align, unsigned long vstart,
				  unsigned long vend, int node, gfp_t gfp_mask);
/* The range starting at @addr (a Linux address), or NULL; takes vmap_area_lock. */
struct vmap_area *find_vmap_area(unsigned long addr);
/* The lookup cache in front of the tree (mm_check: every slot used points at a range in it). */
bool va_lookup_holds(const struct vmap_area *va);
unsigned long va_lookup_used(void);
/* A range whose PTEs are clear goes lazy; a purge follows past lazy_max_pages(). */
void free_unmap_vmap_area(struct vmap_area *va);
void __purge_vmap_area_lazy(unsigned long *start, unsigned long *end, bool sync,
			    bool force_flush);

/*
 * The per-CPU vmap blocks of vm_map_ram (vmalloc_block.c).  A block is one
 * vmap_area of VMAP_BBMAP_BITS pages, aligned to its size, handed out in
 * power-of-two pieces by a bitmap; a freed piece is only marked dirty (its
 * PTEs are cleared at once, its stale TLB entries wait), and the block's
 * range goes back, lazily, when every page is dirty.
 *
 * Invariants (mm_check):
 *   free == VMAP_BBMAP_BITS - weight(alloc_map); dirty == weight(dirty_map);
 *   dirty_map is a subset of alloc_map; dirty < VMAP_BBMAP_BITS (a block
 *     whose every page is dirty is freed at once);
 *   the block is on its queue's free list iff free > 0;
 *   pages neither allocated nor live (free or dirty) have no present PTE.
 * Locks: purge_lock, then vbq->lock, then vb->lock (kmm walks the lists
 * under vbq->lock where 2.6.34 uses RCU); vmap_area_lock is never taken
 * inside them.
 */
#define VMAP_BBMAP_BITS_MAX	1024	/* 4 MiB blocks with 4K pages */

struct vmap_block_queue {
	spinlock_t lock;
	struct list_head free;		/* blocks with free pages, newest first */
};

struct vmap_block {
	spinlock_t lock;		/* free, dirty, the bitmaps */
	struct vmap_area *va;		/* the block's range (VM_VMAP_BLOCK) */
	struct vmap_block_queue *vbq;	/* the queue of the CPU that made it */
	unsigned long free, dirty;	/* pages never handed out; pages given back */
	DECLARE_BITMAP(alloc_map, VMAP_BBMAP_BITS_MAX);	/* handed out, ever */
	DECLARE_BITMAP(dirty_map, VMAP_BBMAP_BITS_MAX);	/* given back, ever */
	struct list_head free_list;	/* vbq->free, while free > 0 */
	struct list_head purge;		/* a purge's batch */
};

/* Pages in a block, and the largest vm_map_ram a block serves (2.6.34's, per architecture). */
unsigned long vmap_bbmap_bits(void);
unsigned long vmap_max_alloc(void);
/* Free every CPU's fragmented blocks (a sync purge does, under purge_lock). */
void purge_fragmented_blocks_allcpus(void);

#endif /* KMM_MM_VMALLOC_INTERNAL_H */
