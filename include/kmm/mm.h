/*
 * mm.h - pages: reference counts, the zone and node encoded in page->flags,
 * and the conversions between struct page, pfn and kernel address.
 *
 * page->flags layout (64 bits):
 *
 *   63      58 57    55 54                     24 23              0
 *   +---------+--------+-------------------------+----------------+
 *   |  node   |  zone  |         unused          |   page flags   |
 *   +---------+--------+-------------------------+----------------+
 *
 * As in Linux, page_zone_id() (node and zone together) is what the buddy
 * allocator compares to refuse merging blocks of different zones.
 */
#ifndef KMM_MM_H
#define KMM_MM_H

#include <kmm/atomic.h>
#include <kmm/bug.h>
#include <kmm/mm_types.h>
#include <kmm/mmzone.h>
#include <kmm/page-flags.h>
#include <kmm/page.h>

#define NODES_SHIFT	6
#define NODES_WIDTH	NODES_SHIFT
#define ZONES_WIDTH	ZONES_SHIFT
#define NODES_PGSHIFT	(64 - NODES_WIDTH)
#define ZONES_PGSHIFT	(NODES_PGSHIFT - ZONES_WIDTH)
#define ZONEID_SHIFT	(NODES_SHIFT + ZONES_SHIFT)
#define ZONEID_PGSHIFT	ZONES_PGSHIFT
#define NODES_MASK	((1UL << NODES_WIDTH) - 1)
#define ZONES_MASK	((1UL << ZONES_WIDTH) - 1)
#define ZONEID_MASK	((1UL << ZONEID_SHIFT) - 1)

_Static_assert(ZONES_PGSHIFT >= NR_PAGEFLAGS, "page flags overlap the zone field");
_Static_assert(MAX_NR_ZONES <= (1 << ZONES_SHIFT), "ZONES_SHIFT too small");

static inline enum zone_type page_zonenum(const struct page *page)
{
	return (READ_ONCE(page->flags) >> ZONES_PGSHIFT) & ZONES_MASK;
}

static inline int page_to_nid(const struct page *page)
{
	return (READ_ONCE(page->flags) >> NODES_PGSHIFT) & NODES_MASK;
}

static inline int page_zone_id(const struct page *page)
{
	return (READ_ONCE(page->flags) >> ZONEID_PGSHIFT) & ZONEID_MASK;
}

static inline struct zone *page_zone(const struct page *page)
{
	return &NODE_DATA(page_to_nid(page))->node_zones[page_zonenum(page)];
}

static inline void set_page_links(struct page *page, enum zone_type zone, int nid)
{
	page->flags &= ~((ZONES_MASK << ZONES_PGSHIFT) | (NODES_MASK << NODES_PGSHIFT));
	page->flags |= ((unsigned long)zone << ZONES_PGSHIFT) |
		       ((unsigned long)nid << NODES_PGSHIFT);
}

static inline bool PageHighMem(const struct page *page)
{
	return is_highmem_idx(page_zonenum(page)) ||
	       (page_zonenum(page) == ZONE_MOVABLE && is_highmem(page_zone(page)));
}

/*
 * The memory map.  pfn_to_page() is "mem_map + pfn": on x86_64 mem_map is
 * the vmemmap window, whose present sections are backed by RAM; on i386 it
 * is one flat array.  pfn_valid() says whether a struct page exists.
 */
extern struct page *mem_map;
extern unsigned long max_mapnr;		/* pfns below this may have a struct page */
extern unsigned long mem_section_present[];	/* x86_64: sections with a memory map */
#define PFN_SECTION_SHIFT	(27 - PAGE_SHIFT)	/* 128 MB sections */

/* Inline: kfree() asks it of every pointer. */
/*
 * kmm: @pfn's struct page is not written (mm/deferred_init.c).  Its block
 * is then a free MAX_ORDER block waiting for deferred initialisation
 * (what a walker of the memory map would read there is a buddy head and
 * free pages), or, if page_lent(), a block a big run holds: pages in use,
 * no flags, no references but the run's first page's (written).
 */
bool page_init_deferred(unsigned long pfn);
bool page_lent(unsigned long pfn);

static inline bool pfn_valid(unsigned long pfn)
{
	if (pfn >= max_mapnr)
		return false;
	if (arch->highmem)
		return true;	/* FLATMEM: one array covers every pfn */
	return test_bit(pfn >> PFN_SECTION_SHIFT, mem_section_present);
}

#define pfn_to_page(pfn)	(mem_map + (pfn))
#define page_to_pfn(page)	((unsigned long)((page) - mem_map))
#define virt_to_page(kaddr)	pfn_to_page(__pa(kaddr) >> PAGE_SHIFT)
#define page_to_phys(page)	((phys_addr_t)page_to_pfn(page) << PAGE_SHIFT)
#define virt_addr_valid(kaddr)	(virt_addr_in_ram(kaddr) && pfn_valid(__pa(kaddr) >> PAGE_SHIFT))

/*
 * Kernel address of a page: the direct map for lowmem; for highmem the
 * address of its current kmap, or NULL when it has none.
 */
void *page_address(const struct page *page);
extern unsigned long max_low_pfn;	/* end of lowmem (== max_pfn on x86_64) */

static inline void *lowmem_page_address(const struct page *page)
{
	return __va(page_to_phys(page));
}

/* Reference counts. */
static inline int page_count(const struct page *page)
{
	return atomic_read(&page->_count);
}

static inline void set_page_count(struct page *page, int v)
{
	atomic_set(&page->_count, v);
}

static inline void init_page_count(struct page *page)
{
	set_page_count(page, 1);
}

static inline void set_page_refcounted(struct page *page)
{
	VM_BUG_ON(PageTail(page));
	VM_BUG_ON(page_count(page));
	set_page_count(page, 1);
}

static inline void get_page(struct page *page)
{
	VM_BUG_ON(page_count(page) <= 0);
	atomic_inc(&page->_count);
}

/* Drop a reference; true when it was the last one. */
static inline bool put_page_testzero(struct page *page)
{
	VM_BUG_ON(page_count(page) == 0);
	return atomic_dec_and_test(&page->_count);
}

/*
 * put_page_testzero() for a caller that is about to free the page: when
 * it holds the only reference, nobody else can take one — taking a
 * reference needs one already, because kmm has no speculative references
 * (Linux's get_page_unless_zero on pages found without one, used by its
 * lockless page cache and pfn walkers).  So the count is cleared with a
 * plain store, and the freeing fast path loses its one locked
 * instruction.  A subsystem that adds speculative references must drop
 * this shortcut (docs/glossary.md).
 */
static inline bool put_page_last(struct page *page)
{
	if (likely(atomic_read(&page->_count) == 1)) {
		atomic_set(&page->_count, 0);
		return true;
	}
	return put_page_testzero(page);
}

static inline int page_mapcount(const struct page *page)
{
	return atomic_read(&page->_mapcount) + 1;
}

static inline void reset_page_mapcount(struct page *page)
{
	atomic_set(&page->_mapcount, -1);
}

static inline unsigned long page_private(const struct page *page)
{
	return page->private;
}

static inline void set_page_private(struct page *page, unsigned long v)
{
	page->private = v;
}

/* Buddy bookkeeping: a free block's first page carries PG_buddy and the order. */
static inline unsigned long page_order(const struct page *page)
{
	return page_private(page);
}

static inline void set_page_order(struct page *page, int order)
{
	set_page_private(page, order);
	__SetPageBuddy(page);
}

static inline void rmv_page_order(struct page *page)
{
	__ClearPageBuddy(page);
	set_page_private(page, 0);
}

/* Compound pages: order and destructor live in the first tail page. */
typedef void compound_page_dtor(struct page *);

static inline struct page *compound_head(struct page *page)
{
	return unlikely(PageTail(page)) ? page->first_page : page;
}

static inline void set_compound_page_dtor(struct page *page, compound_page_dtor *dtor)
{
	page[1].lru.next = (void *)dtor;
}

static inline compound_page_dtor *get_compound_page_dtor(struct page *page)
{
	return (compound_page_dtor *)page[1].lru.next;
}

static inline int compound_order(struct page *page)
{
	if (!PageHead(page))
		return 0;
	return (int)(unsigned long)page[1].lru.prev;
}

static inline void set_compound_order(struct page *page, unsigned long order)
{
	page[1].lru.prev = (void *)order;
}

void put_page(struct page *page);

extern unsigned long max_pfn;		/* highest pfn of RAM, plus one */
extern unsigned long totalram_pages;	/* pages handed to the buddy allocator */
extern unsigned long totalhigh_pages;
extern unsigned long num_physpages;
extern unsigned long totalreserve_pages;

/* ---- VMAs (mm/vma.c, mm/mmap.c, mm/mmap_layout.c) ---- */

/* The end of the user address space: 47 bits less a page on x86_64, PAGE_OFFSET on i386. */
static inline unsigned long arch_task_size(void)
{
	return arch->bits == 64 ? 0x7ffffffff000UL : (unsigned long)arch->page_offset;
}
#define STACK_TOP_OF(mm)	((mm)->task_size)
/* Where the bottom-up layout's mmaps start: a third of the way up. */
#define TASK_UNMAPPED_BASE(mm)	PAGE_ALIGN((mm)->task_size / 3)
/* The stack top's random offset, in pages (randomize_va_space). */
#define STACK_RND_MASK		(arch->bits == 64 ? 0x3fffffUL : 0x7ffUL)
#define DEFAULT_MAX_MAP_COUNT	65530

/* vm_area_struct.vm_flags (2.6.34's values). */
#define VM_READ		0x00000001
#define VM_WRITE	0x00000002
#define VM_EXEC		0x00000004
#define VM_SHARED	0x00000008
#define VM_MAYREAD	0x00000010	/* what mprotect may turn on */
#define VM_MAYWRITE	0x00000020
#define VM_MAYEXEC	0x00000040
#define VM_MAYSHARE	0x00000080
#define VM_GROWSDOWN	0x00000100	/* a stack: grows down on faults below it */
#define VM_GROWSUP	0x00000200
#define VM_PFNMAP	0x00000400
#define VM_DENYWRITE	0x00000800
#define VM_EXECUTABLE	0x00001000
#define VM_LOCKED	0x00002000	/* mlock'ed: its pages stay */
#define VM_IO		0x00004000
#define VM_SEQ_READ	0x00008000	/* MADV_SEQUENTIAL */
#define VM_RAND_READ	0x00010000	/* MADV_RANDOM */
#define VM_DONTCOPY	0x00020000	/* MADV_DONTFORK */
#define VM_DONTEXPAND	0x00040000
#define VM_RESERVED	0x00080000
#define VM_ACCOUNT	0x00100000	/* charged to Committed_AS */
#define VM_NORESERVE	0x00200000	/* not charged (MAP_NORESERVE) */
#define VM_HUGETLB	0x00400000
#define VM_NONLINEAR	0x00800000
#define VM_INSERTPAGE	0x02000000
#define VM_CAN_NONLINEAR 0x08000000
#define VM_MIXEDMAP	0x10000000

#define VM_READHINTMASK	(VM_SEQ_READ | VM_RAND_READ)
#define VM_SPECIAL	(VM_IO | VM_DONTEXPAND | VM_RESERVED | VM_PFNMAP)
/* x86: data and stack are readable, writable and executable unless NX says not (READ_IMPLIES_EXEC is off) */
#define VM_DATA_DEFAULT_FLAGS	(VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
#define VM_STACK_DEFAULT_FLAGS	VM_DATA_DEFAULT_FLAGS
#define VM_STACK_FLAGS	(VM_GROWSDOWN | VM_STACK_DEFAULT_FLAGS | VM_ACCOUNT)

/* What a fault handler returns (a mask). */
#define VM_FAULT_OOM	0x0001
#define VM_FAULT_SIGBUS	0x0002
#define VM_FAULT_MAJOR	0x0004
#define VM_FAULT_WRITE	0x0008		/* a write fault broke COW */
#define VM_FAULT_NOPAGE	0x0100
#define VM_FAULT_LOCKED	0x0200
#define VM_FAULT_ERROR	(VM_FAULT_OOM | VM_FAULT_SIGBUS)

/* handle_mm_fault's flags */
#define FAULT_FLAG_WRITE	0x01
#define FAULT_FLAG_NONLINEAR	0x02	/* the offset came from a file PTE */

/* A file or shmem fault: what ->fault is asked and answers. */
struct vm_fault {
	unsigned int flags;		/* FAULT_FLAG_* */
	pgoff_t pgoff;			/* the page's offset in the object */
	unsigned long virtual_address;
	struct page *page;		/* ->fault sets it, with a reference */
};

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

/* The first VMA with addr < vm_end (it may start above addr), or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
/* find_vma, and in *pprev the VMA before it (NULL if none). */
struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev);
/* The first VMA that intersects [start, end), or NULL. */
static inline struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
		unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	if (vma && end <= vma->vm_start)
		vma = NULL;
	return vma;
}

pgprot_t vm_get_page_prot(unsigned long vm_flags);
unsigned long get_unmapped_area(struct file *file, unsigned long addr, unsigned long len,
				unsigned long pgoff, unsigned long flags);
/* Where get_unmapped_area would map @len bytes now, changing nothing (kmm's: the strace replay). */
unsigned long get_unmapped_area_peek(struct file *file, unsigned long addr, unsigned long len,
				     unsigned long pgoff, unsigned long flags);
unsigned long arch_get_unmapped_area(struct file *filp, unsigned long addr, unsigned long len,
				     unsigned long pgoff, unsigned long flags);
unsigned long arch_get_unmapped_area_topdown(struct file *filp, unsigned long addr,
					     unsigned long len, unsigned long pgoff,
					     unsigned long flags);
void arch_unmap_area(struct mm_struct *mm, unsigned long addr);
void arch_unmap_area_topdown(struct mm_struct *mm, unsigned long addr);
/* Choose the layout of a new address space (bottom-up or top-down) and mmap_base. */
void arch_pick_mmap_layout(struct mm_struct *mm);

struct vm_area_struct *vma_merge(struct mm_struct *mm, struct vm_area_struct *prev,
				 unsigned long addr, unsigned long end, unsigned long vm_flags,
				 struct anon_vma *anon_vma, struct file *file, pgoff_t pgoff);
int vma_adjust(struct vm_area_struct *vma, unsigned long start, unsigned long end,
	       pgoff_t pgoff, struct vm_area_struct *insert);
int split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, int new_below);
int insert_vm_struct(struct mm_struct *mm, struct vm_area_struct *vma);
/* A zeroed VMA of @mm (not linked), and its freeing. */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
void vm_area_free(struct vm_area_struct *vma);
struct vm_area_struct *copy_vma(struct vm_area_struct **vmap, unsigned long addr,
				unsigned long len, pgoff_t pgoff);
int may_expand_vm(struct mm_struct *mm, unsigned long npages);
void vm_stat_account(struct mm_struct *mm, unsigned long flags, struct file *file, long pages);

/* The system calls' work, mmap_sem held for writing by the caller. */
unsigned long do_mmap_pgoff(struct file *file, unsigned long addr, unsigned long len,
			    unsigned long prot, unsigned long flags, unsigned long pgoff);
unsigned long mmap_region(struct file *file, unsigned long addr, unsigned long len,
			  unsigned long flags, unsigned long vm_flags, unsigned long pgoff);
int do_munmap(struct mm_struct *mm, unsigned long start, size_t len);
unsigned long do_brk(unsigned long addr, unsigned long len);
int expand_stack(struct vm_area_struct *vma, unsigned long address);
void exit_mmap(struct mm_struct *mm);

/* Overcommit accounting (mm/mmap.c): Committed_AS and the policy's check. */
extern long nr_swap_pages, total_swap_pages;	/* free and total swap, in pages */
extern int sysctl_overcommit_memory;
extern int sysctl_overcommit_ratio;
extern int sysctl_max_map_count;
extern int sysctl_legacy_va_layout;
extern int randomize_va_space;
extern unsigned long mmap_min_addr;
unsigned long arch_randomize_brk(struct mm_struct *mm);
unsigned long randomize_stack_top(unsigned long stack_top);
int __vm_enough_memory(struct mm_struct *mm, long pages, int cap_sys_admin);
void vm_unacct_memory(long pages);
unsigned long vm_committed_pages(void);
unsigned long vm_commit_limit(void);

/* ---- mprotect and mremap (mm/mprotect.c, mm/mremap.c), mmap_sem held for writing ---- */

/* [start, end) of @vma takes @newflags: merged, or split off; PTEs rewritten. */
int mprotect_fixup(struct vm_area_struct *vma, struct vm_area_struct **pprev,
		   unsigned long start, unsigned long end, unsigned long newflags);
/* The present PTEs of [addr, end) in @vma get @newprot (frame, A and D kept); TLBs flushed. */
void change_protection(struct vm_area_struct *vma, unsigned long addr, unsigned long end,
		       pgprot_t newprot);
/* Move the PTEs of [old_addr, +len) in @vma to @new_addr in @new_vma: the bytes moved. */
unsigned long move_page_tables(struct vm_area_struct *vma, unsigned long old_addr,
			       struct vm_area_struct *new_vma, unsigned long new_addr,
			       unsigned long len);
/* mremap's work: the new address, or -errno in the unsigned value. */
unsigned long do_mremap(unsigned long addr, unsigned long old_len, unsigned long new_len,
			unsigned long flags, unsigned long new_addr);
/* The system calls, for the current process (they take mmap_sem). */
long sys_mprotect(unsigned long start, size_t len, unsigned long prot);
unsigned long sys_mremap(unsigned long addr, unsigned long old_len, unsigned long new_len,
			 unsigned long flags, unsigned long new_addr);

/* ---- the rss counters ---- */

static inline unsigned long get_mm_counter(struct mm_struct *mm, int member)
{
	long v = atomic_long_read(&mm->rss_stat[member]);

	return v < 0 ? 0 : (unsigned long)v;
}
static inline void add_mm_counter(struct mm_struct *mm, int member, long value)
{
	atomic_long_add(value, &mm->rss_stat[member]);
}
static inline void inc_mm_counter(struct mm_struct *mm, int member)
{
	atomic_long_add(1, &mm->rss_stat[member]);
}
static inline void dec_mm_counter(struct mm_struct *mm, int member)
{
	atomic_long_sub(1, &mm->rss_stat[member]);
}
static inline unsigned long get_mm_rss(struct mm_struct *mm)
{
	return get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_ANONPAGES);
}
static inline void update_hiwater_rss(struct mm_struct *mm)
{
	unsigned long rss = get_mm_rss(mm);

	if (mm->hiwater_rss < rss)
		mm->hiwater_rss = rss;
}
static inline void update_hiwater_vm(struct mm_struct *mm)
{
	if (mm->hiwater_vm < mm->total_vm)
		mm->hiwater_vm = mm->total_vm;
}

/* ---- advice, locking and residency (mm/madvise.c, mm/mlock.c, mm/mincore.c) ---- */

/*
 * The system calls, for the current process; each returns 0 or -errno.
 * madvise: MADV_* on [start, start + len) (start page-aligned); mlock,
 * munlock: the pages of [start, start + len), start rounded down;
 * mlockall: MCL_CURRENT | MCL_FUTURE; mincore: one byte per page of
 * [start, start + len) written at the user address @vec, bit 0 resident.
 */
long sys_madvise(unsigned long start, size_t len, int behavior);
long sys_mlock(unsigned long start, size_t len);
long sys_munlock(unsigned long start, size_t len);
long sys_mlockall(int flags);
long sys_munlockall(void);
long sys_mincore(unsigned long start, size_t len, unsigned char *vec);
/* msync: MS_ASYNC | MS_SYNC | MS_INVALIDATE over [start, start + len); 0 or -errno. */
long sys_msync(unsigned long start, size_t len, int flags);
/*
 * remap_file_pages (mm/fremap.c): [start, start + size) of one shared
 * VMA maps the file's pages from @pgoff on; @prot must be 0, @flags 0 or
 * MAP_NONBLOCK (not faulted in).  0 or -EINVAL.
 */
long sys_remap_file_pages(unsigned long start, unsigned long size, unsigned long prot,
			  unsigned long pgoff, unsigned long flags);

/* ---- faults and page tables of processes (mm/memory.c) ---- */

int handle_mm_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
		    unsigned int flags);
int __pte_alloc(struct mm_struct *mm, pmd_t *pmd, unsigned long address);
/* Remove the mappings of [start, end) in the VMAs from @vma on; pages freed. */
unsigned long unmap_vmas(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			 unsigned long *nr_accounted);
/* Free the page tables under the VMAs from @vma on, within [floor, ceiling). */
void free_pgtables(struct vm_area_struct *vma, unsigned long floor, unsigned long ceiling);
/* The tables of [addr, end) that no address in [floor, ceiling) needs (exec's shift_arg_pages). */
void free_pgd_range(struct mm_struct *mm, unsigned long addr, unsigned long end,
		    unsigned long floor, unsigned long ceiling);
int copy_page_range(struct mm_struct *dst, struct mm_struct *src, struct vm_area_struct *vma);
/*
 * What a zap keeps (2.6.34's zap_details, the nonlinear part): in
 * @nonlinear_vma, pages whose offset lies outside [first_index,
 * last_index] stay mapped; a page that goes leaves a file PTE naming its
 * offset where the VMA's linear numbering would not give it back; and
 * file PTEs stay.  NULL: everything in the range goes.
 */
struct zap_details {
	struct vm_area_struct *nonlinear_vma;
	pgoff_t first_index, last_index;
};
void zap_page_range(struct vm_area_struct *vma, unsigned long address, unsigned long size,
		    struct zap_details *details);
int make_pages_present(unsigned long addr, unsigned long end);
/* The page a user PTE maps, or NULL for none or the zero page (a "special" page). */
struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr, pte_t pte);
extern struct page *zero_page;
/*
 * Map @page, a kernel page the caller holds (not anonymous), at @addr of
 * @vma like a file page: a driver's ->mmap.  0, -EFAULT (outside the VMA),
 * -EINVAL (an unreferenced or anonymous page), -EBUSY (something is mapped
 * there), -ENOMEM (no page table).  Sets VM_INSERTPAGE.
 */
int vm_insert_page(struct vm_area_struct *vma, unsigned long addr, struct page *page);
#define ZERO_PAGE(vaddr)	(zero_page)
static inline bool is_zero_pfn(unsigned long pfn)
{
	return zero_page && pfn == page_to_pfn(zero_page);
}

/* ---- rmap (mm/rmap.c) ---- */

#define PAGE_MAPPING_ANON	1
static inline bool PageAnon(const struct page *page)
{
	return ((unsigned long)page->mapping & PAGE_MAPPING_ANON) != 0;
}
static inline struct anon_vma *page_anon_vma(const struct page *page)
{
	if (!PageAnon(page))
		return NULL;
	return (struct anon_vma *)((unsigned long)page->mapping - PAGE_MAPPING_ANON);
}
int anon_vma_prepare(struct vm_area_struct *vma);
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src);
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
void unlink_anon_vmas(struct vm_area_struct *vma);
void anon_vma_merge(struct vm_area_struct *vma, struct vm_area_struct *next);
struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma);
void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long address);
void page_add_file_rmap(struct page *page);
void page_remove_rmap(struct page *page);
/* fork: one more mapping of a page already mapped (anon or file). */
static inline void page_dup_rmap(struct page *page)
{
	atomic_inc(&page->_mapcount);
}
int set_page_dirty(struct page *page);
/* The LRU lists (mm/swap.c): a new page joins, a freed page leaves. */
void lru_cache_add_lru(struct page *page, enum lru_list lru);
void __page_cache_release(struct page *page);
/* The user address at which @vma maps @page (-EFAULT when outside it). */
unsigned long vma_address(struct page *page, struct vm_area_struct *vma);
/* The file (or anonymous) offset @address has in @vma's linear numbering: what vma_address inverts. */
static inline pgoff_t linear_page_index(const struct vm_area_struct *vma, unsigned long address)
{
	return ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}

/* ---- address spaces (kernel/fork.c) ---- */

struct mm_struct *mm_alloc(void);
void mmput(struct mm_struct *mm);		/* drop a user; the last tears the mm down */
void mmdrop(struct mm_struct *mm);		/* drop a reference to the struct */
struct mm_struct *dup_mm(struct mm_struct *oldmm);
int mm_caches_init(void);
/* Call @fn for every process address space (it must not sleep). */
void for_each_mm(void (*fn)(struct mm_struct *mm, void *arg), void *arg);

/* The memory system calls (mm/mmap.c, mprotect.c, mremap.c...), for the current process. */
long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot, unsigned long flags,
	      unsigned long fd, unsigned long off);
long sys_mmap_pgoff(unsigned long addr, unsigned long len, unsigned long prot,
		    unsigned long flags, unsigned long fd, unsigned long pgoff);
long sys_munmap(unsigned long addr, size_t len);
unsigned long sys_brk(unsigned long brk);

/*
 * kmm: give the host back the memory behind @nr pages from @page, which the
 * caller holds (their contents become zeroes); what a guest's free page
 * reporting does in later kernels.  mm/util.c.
 */
void discard_page_contents(struct page *page, unsigned long nr);

#endif /* KMM_MM_H */
