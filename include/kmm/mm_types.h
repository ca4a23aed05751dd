/*
 * mm_types.h - struct page, one per physical page frame, and struct
 * mm_struct, an address space.
 *
 * The structure is kept at 56 bytes, the size of 2.6.34's struct page on
 * x86_64, so that the memory map takes exactly as much simulated RAM as it
 * did in Linux.  Fields are overloaded by page state, as in Linux:
 *
 *   state              ->private            ->lru                 ->mapping
 *   free (PG_buddy)    order of the block   free_area list        NULL
 *   on a pcp list      migratetype          per_cpu_pages list    NULL
 *   slab, first page   the cache            the slab's list       the free-index array
 *   (PG_slab)          (_mapcount: the first free object; index: the colour
 *                      offset and the in-use count; mm/slab.h's struct slab
 *                      overlays these fields and checks each one)
 *   slab, other pages  -                    .next = first page    NULL
 *   compound tail      -                    (page[1]: dtor/order) first_page
 *
 * The SLUB fields (inuse, objects, slab, freelist) are Linux's and unused:
 * kmm's slab allocator is SLAB.
 */
#ifndef KMM_MM_TYPES_H
#define KMM_MM_TYPES_H

#include <kmm/atomic.h>
#include <kmm/rwsem.h>
#include <kmm/spinlock.h>
#include <kmm/types.h>
#include <kmm/asm/pgtable_types.h>

struct address_space;
struct kmem_cache;

struct page {
	unsigned long flags;		/* page flags, then zone and node bits at the top */
	atomic_t _count;		/* references; 0 when free */
	union {
		atomic_t _mapcount;	/* page table mappings, minus one (-1: unmapped) */
		struct {
			u16 inuse;	/* SLUB */
			u16 objects;
		};
	};
	union {
		struct {
			unsigned long private;		/* see the table above */
			struct address_space *mapping;	/* file, or anon_vma | 1 */
		};
		struct kmem_cache *slab;	/* SLUB */
		struct page *first_page;	/* compound tail pages: the head */
	};
	union {
		pgoff_t index;			/* offset within mapping */
		void *freelist;			/* SLUB */
	};
	struct list_head lru;		/* buddy/pcp/LRU list linkage, see above */
};

_Static_assert(sizeof(struct page) == 56, "struct page must stay at Linux's 56 bytes");

/*
 * An address space: its page tables and the locks over them.  init_mm is
 * the kernel's (its pgd is swapper_pg_dir); the fields of processes (the
 * VMAs, the layout, the counters) come with them.
 *
 * Lock order: mmap_sem, then page_table_lock (see mm/internal.h).
 */
struct mm_struct {
	pgd_t *pgd;			/* the top-level table, a kernel address */
	atomic_t mm_users;		/* users of the address space (threads) */
	atomic_t mm_count;		/* references to the struct (mm_users count as one) */
	unsigned long nr_ptes;		/* PTE-level table pages, under page_table_lock */
	unsigned long cpu_vm_mask;	/* CPUs that have run it since their last flush of it */
	spinlock_t page_table_lock;	/* guards the tables' population and the counters */
	struct rw_semaphore mmap_sem;
};

#endif /* KMM_MM_TYPES_H */
