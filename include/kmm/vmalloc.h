/*
 * vmalloc.h - virtually contiguous kernel memory: vmalloc, vmap, ioremap,
 * and the areas of the vmalloc range they live in (mm/vmalloc.c).
 *
 * The vmalloc range [VMALLOC_START, VMALLOC_END) is carved into areas, one
 * page larger than asked: the last page (the guard page) is never mapped,
 * so running off the end of an area faults.  vmalloc() maps pages taken
 * one by one from the page allocator, wherever they are; vmap() maps pages
 * the caller already has; ioremap() maps device memory.
 *
 *   void *buf = vmalloc(1 << 20);     256 scattered pages, one range
 *   buf[5000] = 1;                    an ordinary pointer (a host address)
 *   vfree(buf);                       pages freed; the range later, lazily
 *
 * Addresses.  The pointers these functions take and return are host
 * pointers that C code dereferences (DESIGN.md, "Addresses"), and so is
 * vm_struct.addr.  Page tables and /proc/vmallocinfo show the address
 * Linux would use; kaddr_to_linux() converts.
 *
 * Every allocating function returns NULL on failure and leaves nothing of
 * itself behind.  All of them may sleep (they are not for interrupt
 * context) unless the gfp mask given says otherwise.
 */
#ifndef KMM_VMALLOC_H
#define KMM_VMALLOC_H

#include <kmm/compiler.h>
#include <kmm/gfp.h>
#include <kmm/mm_types.h>
#include <kmm/asm/pgtable_types.h>

/* vm_struct.flags: what the area holds, as /proc/vmallocinfo names it. */
#define VM_IOREMAP	0x00000001	/* ioremap() and friends: "ioremap" */
#define VM_ALLOC	0x00000002	/* vmalloc(): pages owned by the area, "vmalloc" */
#define VM_MAP		0x00000004	/* vmap(): pages owned by the caller, "vmap" */
#define VM_USERMAP	0x00000008	/* suitable for remap_vmalloc_range: "user" */
#define VM_VPAGES	0x00000010	/* the pages array is itself vmalloc'ed: "vpages" */
/*
 * Not on vmlist yet (Linux 3.3's flag): vmalloc and ioremap fill their
 * area in first, so that readers of vmlist never see one half made.
 */
#define VM_UNLIST	0x00000020

/* ioremap areas are aligned to their size, up to this (128 pages). */
#define IOREMAP_MAX_ORDER	(7 + PAGE_SHIFT)

/*
 * One area of the vmalloc range.  On vmlist, sorted by address, under
 * vmlist_lock; the range itself is owned by the area allocator's
 * vmap_area (mm/vmalloc.c).
 */
struct vm_struct {
	struct vm_struct *next;		/* vmlist: the next area up */
	void *addr;			/* host pointer to the first page */
	unsigned long size;		/* bytes, the guard page included */
	unsigned long flags;		/* VM_* */
	struct page **pages;		/* VM_ALLOC: the nr_pages pages mapped, in order */
	unsigned int nr_pages;
	unsigned long phys_addr;	/* VM_IOREMAP: the physical address mapped */
	void *caller;			/* who asked, for /proc/vmallocinfo */
};

/* The usable size of an area: without its guard page. */
static inline unsigned long get_vm_area_size(const struct vm_struct *area)
{
	return area->size - PAGE_SIZE;
}

/* ---- allocating and freeing memory ---- */

/* @size bytes (rounded up to pages) of GFP_KERNEL | __GFP_HIGHMEM pages. */
void *vmalloc(unsigned long size);
/* The same, zeroed (Linux 2.6.37's name). */
void *vzalloc(unsigned long size);
/* Zeroed and marked VM_USERMAP, for mapping to user space later. */
void *vmalloc_user(unsigned long size);
/* Pages from node @node (-1: any, this CPU's first). */
void *vmalloc_node(unsigned long size, int node);
/* Mapped executable (PAGE_KERNEL_EXEC). */
void *vmalloc_exec(unsigned long size);
/* Pages with 32-bit physical addresses (ZONE_DMA32 on x86_64; lowmem on i386). */
void *vmalloc_32(unsigned long size);
void *vmalloc_32_user(unsigned long size);
/* With the caller's page flags and protection. */
void *__vmalloc(unsigned long size, gfp_t gfp_mask, pgprot_t prot);
/*
 * Everything above comes here: an area aligned to @align (a power of two,
 * at least 1), pages from @node (-1: any), @caller named in
 * /proc/vmallocinfo (a running script's line takes its place).
 */
void *__vmalloc_node(unsigned long size, unsigned long align, gfp_t gfp_mask, pgprot_t prot,
		     int node, void *caller);

/*
 * Free what vmalloc() and friends returned: the pages, then (lazily) the
 * range.  NULL is ignored; a pointer that is not the start of an area is
 * reported ("Trying to vfree() ...") and nothing happens.
 */
void vfree(const void *addr);

/* ---- mapping pages the caller owns ---- */

/*
 * Map @count pages of @pages into one range (VM_MAP and the @flags given)
 * with @prot.  The pages stay the caller's: vunmap() removes the mapping
 * only.
 */
void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot);
void vunmap(const void *addr);

/*
 * vm_map_ram - map @count pages the caller owns, quickly, for a short
 * while (2.6.34).  Up to VMAP_MAX_ALLOC pages (32 on i386, 64 on x86_64)
 * come from this CPU's vmap blocks, in power-of-two pieces; more take a
 * range of their own.  No guard page, no vm_struct (nothing shows in
 * /proc/vmallocinfo).  Returns the host pointer, or NULL (nothing left
 * behind).  @node: where the bookkeeping goes (-1: any).
 */
void *vm_map_ram(struct page **pages, unsigned int count, int node, pgprot_t prot);
/*
 * vm_unmap_ram - take down a vm_map_ram of @count pages at @mem (the same
 * count: no partial unmap).  The PTEs go now, the TLB flush later (lazily:
 * vm_unmap_aliases forces it).  A bad address is a BUG, as in 2.6.34.
 */
void vm_unmap_ram(const void *mem, unsigned int count);

/* ---- copying to and from the vmalloc area ---- */

/*
 * vread - copy @count bytes at @addr (a host pointer anywhere in the
 * vmalloc area) to @buf, area by area along vmlist: bytes of no area, of a
 * guard page, of an ioremap area or of a vm_map_ram read as zero.
 * Returns @count, or 0 (and @buf untouched) when @addr lies past the end
 * of the last area, as 2.6.34 does.
 */
long vread(char *buf, char *addr, unsigned long count);
/*
 * vwrite - copy @count bytes from @buf to @addr: only bytes inside areas'
 * mapped pages (not guard pages, not ioremap) are written, the rest is
 * skipped.  Returns @count if anything was written, else 0.
 */
long vwrite(char *buf, char *addr, unsigned long count);

/* ---- giving a process the pages of a buffer ---- */

struct vm_area_struct;
/*
 * Map the pages of the VM_USERMAP area at @addr (vmalloc_user,
 * vmalloc_32_user), from page @pgoff on, over the whole of @vma, as a
 * driver's ->mmap does.  0, -EINVAL (not such an area, or the VMA reaches
 * past it), or vm_insert_page's error.  mm/vmalloc_rw.c.
 */
int remap_vmalloc_range(struct vm_area_struct *vma, void *addr, unsigned long pgoff);

/* ---- device memory ---- */

/*
 * Map physical [@phys, @phys + @size) uncached (ioremap, ioremap_nocache)
 * or write-back (ioremap_cache).  RAM in use is refused; the unaligned
 * part of @phys is kept in the pointer returned.  iounmap() takes that
 * pointer (any address inside the area's first page).
 */
void __iomem *ioremap(phys_addr_t phys, unsigned long size);
void __iomem *ioremap_nocache(phys_addr_t phys, unsigned long size);
void __iomem *ioremap_cache(phys_addr_t phys, unsigned long size);
void iounmap(volatile void __iomem *addr);

/* ---- areas without memory (the building blocks) ---- */

/* An area of @size bytes (plus the guard page) with @flags; nothing mapped yet. */
struct vm_struct *get_vm_area(unsigned long size, unsigned long flags);
struct vm_struct *get_vm_area_caller(unsigned long size, unsigned long flags, void *caller);
/* The same within [@start, @end) (Linux addresses). */
struct vm_struct *__get_vm_area(unsigned long size, unsigned long flags, unsigned long start,
				unsigned long end);
struct vm_struct *__get_vm_area_caller(unsigned long size, unsigned long flags,
				       unsigned long start, unsigned long end, void *caller);
/* The descriptor allocated on @node with @gfp_mask. */
struct vm_struct *get_vm_area_node(unsigned long size, unsigned long flags, int node,
				   gfp_t gfp_mask);
/*
 * Map the pages *@pages points to over the whole of @area (but its guard
 * page), advancing *@pages past them.  0 or -ENOMEM (nothing mapped).
 */
int map_vm_area(struct vm_struct *area, pgprot_t prot, struct page ***pages);
/* The area starting at @addr (a host pointer), or NULL. */
struct vm_struct *find_vm_area(const void *addr);
/*
 * Take the area starting at @addr off vmlist and unmap it; its range goes
 * on the lazy list.  Returns the descriptor (its size now without the
 * guard page) for the caller to kfree, or NULL if there is no such area.
 */
struct vm_struct *remove_vm_area(const void *addr);
/* remove_vm_area() and kfree() of an area that get_vm_area() gave. */
void free_vm_area(struct vm_struct *area);

/*
 * Free every lazily freed range now, with one TLB flush, the per-CPU
 * vmap blocks' dirty ranges (vm_unmap_ram's) included.
 */
void vm_unmap_aliases(void);

/* ---- looking addresses up ---- */

/* Is @addr (a host pointer) inside the vmalloc range? */
bool is_vmalloc_addr(const void *addr);
/* The page mapped at @addr in the vmalloc range, by its kernel PTE; NULL if none. */
struct page *vmalloc_to_page(const void *addr);
/* Its frame number (also for ioremap's frames, which may have no struct page); 0 if none. */
unsigned long vmalloc_to_pfn(const void *addr);

/* ---- accounting ---- */

/* /proc/meminfo's VmallocUsed and VmallocChunk, in bytes (2.6.34's get_vmalloc_info). */
struct vmalloc_info {
	unsigned long used;		/* sum of the areas' sizes, guard pages included */
	unsigned long largest_chunk;	/* the largest gap between areas */
};
void get_vmalloc_info(struct vmalloc_info *vmi);

/* The vmap blocks of vm_map_ram, for tests and tools (kmm only). */
struct vmap_block_stats {
	unsigned long bbmap_bits;	/* VMAP_BBMAP_BITS: pages per block */
	unsigned long max_alloc;	/* VMAP_MAX_ALLOC: the largest request a block serves */
	unsigned long blocks;		/* blocks that exist */
	unsigned long queued;		/* of which on a CPU's free queue (free > 0) */
	unsigned long free, dirty;	/* their pages never handed out / given back */
};
void vmap_block_stats(struct vmap_block_stats *st);

/* Boot: the per-CPU vmap block queues (start_kernel calls it). */
void vmalloc_init(void);

/* The lazy freeing, for tests and tools (kmm only). */
struct vmalloc_lazy_stats {
	unsigned long lazy_pages;	/* vmap_lazy_nr: pages of ranges waiting for a purge */
	unsigned long lazy_max;		/* lazy_max_pages(): a free past it purges */
	unsigned long purges;		/* purges that freed ranges */
	unsigned long tlb_flushes;	/* flush_tlb_kernel_range() calls made by purges */
};
void vmalloc_get_lazy_stats(struct vmalloc_lazy_stats *st);

#endif /* KMM_VMALLOC_H */
