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
#include <kmm/rbtree.h>
#include <kmm/rwsem.h>
#include <kmm/spinlock.h>
#include <kmm/types.h>
#include <kmm/asm/pgtable_types.h>
#include <kmm/asm/smp.h>

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

struct file;
struct mm_struct;
struct vm_area_struct;
struct vm_fault;

/*
 * What a VMA's owner can do to it (2.6.34's vm_operations_struct, the
 * members kmm's mappings use): open when a VMA is duplicated (fork, split),
 * close when one goes away, fault to find the page of a file or shmem
 * mapping.  Anonymous private mappings have none.
 */
struct vm_operations_struct {
	void (*open)(struct vm_area_struct *vma);
	void (*close)(struct vm_area_struct *vma);
	int (*fault)(struct vm_area_struct *vma, struct vm_fault *vmf);
	const char *name;		/* kmm: what /proc/PID/maps prints, e.g. "/dev/zero" */
};

/*
 * The anonymous pages of a VMA, and of the VMAs that share its pages after
 * a fork, point (page->mapping | PAGE_MAPPING_ANON) to an anon_vma; the
 * anon_vma lists, through anon_vma_chains, every VMA that may map one of
 * its pages, so that rmap can go from a page to its PTEs.  2.6.34's
 * design: a VMA links to the anon_vma of each ancestor it inherited pages
 * from (its anon_vma_chain list, in the order they were linked), and its
 * own anon_vma is the one new pages get.
 */
struct anon_vma {
	spinlock_t lock;		/* guards head */
	atomic_t ksm_refcount;		/* unused (KSM), kept for layout */
	struct list_head head;		/* the chains of every VMA that may map its pages */
	struct anon_vma *root;		/* kmm: itself (2.6.35's root; locks are per anon_vma here) */
	atomic_t refcount;		/* kmm: chains pointing at it (freed at zero) */
};

struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	struct list_head same_vma;	/* on vma->anon_vma_chain (under mmap_sem) */
	struct list_head same_anon_vma;	/* on anon_vma->head (under anon_vma->lock) */
};

/*
 * A virtual memory area: [vm_start, vm_end) of one address space with one
 * set of permissions and one backing.  VMAs are kept twice: in a list
 * sorted by address (vm_next) and in a red-black tree (vm_rb) for
 * find_vma's logarithmic lookup; map_count counts them.
 */
struct vm_area_struct {
	struct mm_struct *vm_mm;	/* the address space it belongs to */
	unsigned long vm_start;		/* first address */
	unsigned long vm_end;		/* first address after it */
	struct vm_area_struct *vm_next;	/* the next VMA by address */
	pgprot_t vm_page_prot;		/* the PTE bits of its pages (vm_get_page_prot) */
	unsigned long vm_flags;		/* VM_* (mm.h) */
	struct rb_node vm_rb;
	struct list_head shared;	/* on vm_file->f_mapping->i_mmap (or i_mmap_nonlinear) */
	struct list_head anon_vma_chain; /* its anon_vma_chains (under mmap_sem) */
	struct anon_vma *anon_vma;	/* new anonymous pages go here (under page_table_lock) */
	const struct vm_operations_struct *vm_ops;
	unsigned long vm_pgoff;		/* offset in the file, in pages; anonymous: vm_start >> PAGE_SHIFT */
	struct file *vm_file;		/* the file mapped, or NULL */
	void *vm_private_data;		/* a driver's (none of kmm's uses it): remap_file_pages refuses such VMAs */
	/*
	 * kmm: neighbours that vma_merge would have joined but 2.6.34 leaves
	 * apart, which mm_check lets stay so: KMM_APART_NEXT, this VMA and
	 * the one after it (mremap grew it up to a compatible neighbour; a
	 * split stayed when a second one failed); KMM_APART_PREV, this VMA
	 * and the one before it.  A merge that failed for want of memory
	 * marks both sides of the range it was to join.
	 */
	unsigned char kmm_apart_ok;
};

#define KMM_APART_NEXT	1
#define KMM_APART_PREV	2

/* The rss counters of an address space (2.6.34's mm_counters). */
enum {
	MM_FILEPAGES,
	MM_ANONPAGES,
	MM_SWAPENTS,
	NR_MM_COUNTERS
};

/*
 * An address space.  init_mm is the kernel's (its pgd is swapper_pg_dir,
 * no VMAs); each process has one, shared by its threads.
 *
 * Lock order: mmap_sem, then page_table_lock (see mm/internal.h).  The VMA
 * list and tree, and the layout fields, change under mmap_sem held for
 * writing and are read under it held for reading (page faults); the page
 * tables' population and the rss counters change under page_table_lock.
 */
struct mm_struct {
	struct vm_area_struct *mmap;	/* the VMAs, sorted by address */
	struct rb_root mm_rb;		/* the same VMAs, for find_vma */
	struct vm_area_struct *mmap_cache; /* the last find_vma result */
	unsigned long (*get_unmapped_area)(struct file *filp, unsigned long addr,
					   unsigned long len, unsigned long pgoff,
					   unsigned long flags);
	void (*unmap_area)(struct mm_struct *mm, unsigned long addr);
	unsigned long mmap_base;	/* where the mmap area starts (bottom-up) or ends (top-down) */
	unsigned long task_size;	/* the end of the user address space */
	unsigned long cached_hole_size;	/* if not 0, the largest hole below free_area_cache */
	unsigned long free_area_cache;	/* where the next search for a hole starts */
	pgd_t *pgd;			/* the top-level table, a kernel address */
	atomic_t mm_users;		/* users of the address space (threads) */
	atomic_t mm_count;		/* references to the struct (mm_users count as one) */
	int map_count;			/* VMAs */
	struct rw_semaphore mmap_sem;
	spinlock_t page_table_lock;	/* guards the tables' population and the counters */
	struct list_head mmlist;	/* kmm: on the list of every process address space */

	unsigned long hiwater_rss;	/* the highest rss seen (pages) */
	unsigned long hiwater_vm;	/* the highest total_vm seen */
	unsigned long total_vm, locked_vm, shared_vm, exec_vm;
	unsigned long stack_vm, reserved_vm, def_flags, nr_ptes;
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack;
	unsigned long arg_start, arg_end, env_start, env_end;
	atomic_long_t rss_stat[NR_MM_COUNTERS];

	unsigned long cpu_vm_mask[CPU_MASK_LONGS];	/* CPUs that have run it since their last flush of it */
	unsigned long flags;		/* MMF_* */
	int legacy_layout;		/* kmm: 1 bottom-up, 0 top-down (what arch_pick_mmap_layout chose) */
	unsigned long vdso;		/* exec: where the [vdso] page is (x86's context.vdso), 0: none */
	unsigned long saved_auxv[44];	/* exec: the auxiliary vector given (AT_VECTOR_SIZE words) */
};

#endif /* KMM_MM_TYPES_H */
