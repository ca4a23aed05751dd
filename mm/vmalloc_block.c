/*
 * vmalloc_block.c - vm_map_ram and vm_unmap_ram: short-lived mappings of
 * pages the caller owns, cheaper than vmap (2.6.34's per-CPU kva
 * allocator), and vm_unmap_aliases.
 *
 * The algorithm.  Small requests (up to VMAP_MAX_ALLOC pages, one per bit
 * of the simulated long) are not given a vmap_area each: each CPU keeps a
 * queue of vmap blocks, ranges of VMAP_BBMAP_BITS pages aligned to their
 * size, and hands out power-of-two pieces of them, aligned, lowest first
 * (bitmap_find_free_region on alloc_map).  A piece given back is never
 * handed out again: its bits go to dirty_map, and when every page of a
 * block is dirty the whole block goes back to the range allocator as one
 * lazy range, so one purge and one TLB flush cover many vm_unmap_rams.  A
 * block that has no live piece but still free pages (fragmented: what is
 * left is not worth a block) is freed whole by the next sync purge
 * (vm_unmap_aliases, or a vmalloc that found no space).  Larger requests take a vmap_area of
 * their own, without a guard page or vm_struct, freed lazily as vfree's.
 *
 * Where kmm departs from 2.6.34 (docs/glossary.md): vb_free clears the
 * piece's PTEs at once (2.6.34 leaves them until vm_unmap_aliases or the
 * block's end; the host window must stop reaching pages the caller may
 * free now); a block is found from an address through its vmap_area (the
 * VM_VMAP_BLOCK range at the address rounded down to the block size)
 * rather than a radix tree; and the queues are walked under their lock
 * rather than RCU.
 *
 * Invariants and locks: mm/vmalloc_internal.h, above struct vmap_block.
 */
#include <kmm/bitmap.h>
#include <kmm/err.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/percpu.h>
#include <kmm/slab.h>
#include <kmm/smp.h>
#include <kmm/spinlock.h>
#include <kmm/vmalloc.h>
#include "arch/x86/kernel_map.h"
#include "mm/internal.h"

static DEFINE_PER_CPU(struct vmap_block_queue, vmap_block_queue);
const struct lock_class_key vbq_lock_key, vb_lock_key;

/* BITS_PER_LONG of the simulated kernel: 32 pages (128K) on i386, 64 (256K) on x86_64. */
unsigned long vmap_max_alloc(void)
{
	return arch->bits;
}

/*
 * 2.6.34 sizes blocks so that each CPU of NR_CPUS can have 16 of them in a
 * guessed vmalloc space (128M on 32-bit, 128G on 64-bit), between twice
 * VMAP_MAX_ALLOC and 1024 pages: 64 pages on i386, 1024 on x86_64.
 */
unsigned long vmap_bbmap_bits(void)
{
	unsigned long space = arch->bits == 32 ? 128UL << 20 : 128UL << 30;
	unsigned long bits = space / PAGE_SIZE / NR_CPUS / 16;

	return min(VMAP_BBMAP_BITS_MAX + 0UL, max(vmap_max_alloc() * 2, bits));
}

static unsigned long vmap_block_size(void)
{
	return vmap_bbmap_bits() << PAGE_SHIFT;
}

void vmalloc_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmap_block_queue *vbq = &per_cpu(vmap_block_queue, cpu);

		spin_lock_set_class(&vbq->lock, &vbq_lock_key, "&vbq->lock");
		INIT_LIST_HEAD(&vbq->free);
	}
}

/*
 * A new block for this CPU's queue, its range from the range allocator
 * (aligned to its size, so that an address finds its block by rounding
 * down).  ERR_PTR on failure, nothing left behind.
 */
static struct vmap_block *new_vmap_block(gfp_t gfp_mask)
{
	struct vmap_block_queue *vbq;
	int node = numa_node_id();
	struct vmap_block *vb;
	struct vmap_area *va;

	vb = kmalloc_node(sizeof(*vb), gfp_mask & GFP_RECLAIM_MASK, node);
	if (unlikely(!vb))
		return ERR_PTR(-ENOMEM);
	va = alloc_vmap_area(vmap_block_size(), vmap_block_size(), VMALLOC_START,
			     min(VMALLOC_END, vmalloc_limit), node, gfp_mask);
	if (IS_ERR(va)) {
		kfree(vb);
		return (struct vmap_block *)va;
	}
	spin_lock_set_class(&vb->lock, &vb_lock_key, "&vb->lock");
	vb->va = va;
	vb->free = vmap_bbmap_bits();
	vb->dirty = 0;
	bitmap_zero(vb->alloc_map, VMAP_BBMAP_BITS_MAX);
	bitmap_zero(vb->dirty_map, VMAP_BBMAP_BITS_MAX);
	INIT_LIST_HEAD(&vb->free_list);

	spin_lock(&vmap_area_lock);
	va->private = vb;
	va->flags |= VM_VMAP_BLOCK;
	spin_unlock(&vmap_area_lock);

	vbq = &get_cpu_var(vmap_block_queue);
	vb->vbq = vbq;
	spin_lock(&vbq->lock);
	list_add(&vb->free_list, &vbq->free);
	spin_unlock(&vbq->lock);
	put_cpu_var(vmap_block_queue);
	return vb;
}

/* The block's range goes lazy (its PTEs are clear already) and the block is freed. */
static void free_vmap_block(struct vmap_block *vb)
{
	struct vmap_area *va = vb->va;

	spin_lock(&vmap_area_lock);
	va->flags &= ~VM_VMAP_BLOCK;
	va->private = NULL;
	spin_unlock(&vmap_area_lock);
	free_unmap_vmap_area(va);
	kfree(vb);
}

/* No live piece, yet free pages left: the block can serve nothing more that is worth its range. */
static bool vb_fragmented(const struct vmap_block *vb)
{
	return vb->free + vb->dirty == vmap_bbmap_bits() && vb->dirty != vmap_bbmap_bits();
}

/*
 * Free this CPU's fragmented blocks: marked full and dirty so that nothing
 * takes them again, off the queue, then back to the range allocator.
 */
static void purge_fragmented_blocks(int cpu)
{
	struct vmap_block_queue *vbq = &per_cpu(vmap_block_queue, cpu);
	unsigned long bits = vmap_bbmap_bits();
	struct vmap_block *vb, *n;
	LIST_HEAD(purge);

	spin_lock(&vbq->lock);
	list_for_each_entry_safe(vb, n, &vbq->free, free_list) {
		spin_lock(&vb->lock);
		if (vb_fragmented(vb)) {
			vb->free = 0;
			vb->dirty = bits;
			bitmap_fill(vb->alloc_map, bits);
			bitmap_fill(vb->dirty_map, bits);
			list_del_init(&vb->free_list);
			list_add_tail(&vb->purge, &purge);
		}
		spin_unlock(&vb->lock);
	}
	spin_unlock(&vbq->lock);

	list_for_each_entry_safe(vb, n, &purge, purge)
		free_vmap_block(vb);
}

void purge_fragmented_blocks_allcpus(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		purge_fragmented_blocks(cpu);
}

/*
 * The first free aligned run of 2^@order bits, taken: its index, or -1.
 * 2.6.34's bitmap_find_free_region.
 */
static long bitmap_take_region(unsigned long *map, unsigned long bits, unsigned int order)
{
	unsigned long i = bitmap_find_next_zero_area(map, bits, 0, 1U << order, (1UL << order) - 1);

	if (i >= bits)
		return -1;
	bitmap_set(map, i, 1U << order);
	return i;
}

/*
 * vb_alloc - @size bytes (pages, at most VMAP_MAX_ALLOC of them) from this
 * CPU's blocks: the first block of the queue (newest first) with a free
 * aligned run of the request's power of two; a new block when none has
 * one.  Returns the Linux address, or an ERR_PTR.
 */
static unsigned long vb_alloc(unsigned long size, gfp_t gfp_mask)
{
	unsigned int order = get_order(size);
	struct vmap_block_queue *vbq;
	unsigned long addr = 0;
	struct vmap_block *vb;
	bool purge = false;

	BUG_ON(size & ~PAGE_MASK);
	BUG_ON(size > PAGE_SIZE * vmap_max_alloc());
	for (;;) {
		vbq = &get_cpu_var(vmap_block_queue);
		spin_lock(&vbq->lock);
		list_for_each_entry(vb, &vbq->free, free_list) {
			long i;

			spin_lock(&vb->lock);
			if (vb->free < 1UL << order) {
				spin_unlock(&vb->lock);
				continue;
			}
			i = bitmap_take_region(vb->alloc_map, vmap_bbmap_bits(), order);
			if (i < 0) {
				/*
				 * Lowest-first aligned pieces leave holes of distinct
				 * orders, all smaller than this one: no room here with
				 * free >= 2^order means the block is fragmented, and then
				 * 2.6.34 asserts that every page is dirty (free == 0,
				 * which the test above excludes: it cannot happen).
				 */
				if (vb->free + vb->dirty == vmap_bbmap_bits()) {
					BUG_ON(vb->dirty != vmap_bbmap_bits());
					purge = true;
				}
				spin_unlock(&vb->lock);
				continue;
			}
			addr = vb->va->va_start + ((unsigned long)i << PAGE_SHIFT);
			vb->free -= 1UL << order;
			if (vb->free == 0)
				list_del_init(&vb->free_list);
			spin_unlock(&vb->lock);
			break;
		}
		spin_unlock(&vbq->lock);
		if (purge)
			purge_fragmented_blocks(smp_processor_id());
		put_cpu_var(vmap_block_queue);
		if (addr)
			return addr;
		vb = new_vmap_block(gfp_mask);
		if (IS_ERR(vb))
			return (unsigned long)vb;
		purge = false;
	}
}

/* The block holding Linux address @addr; BUG if none does. */
static struct vmap_block *addr_to_vb(unsigned long addr)
{
	struct vmap_area *va = find_vmap_area(addr & ~(vmap_block_size() - 1));

	BUG_ON(!va || !(va->flags & VM_VMAP_BLOCK));
	return va->private;
}

/*
 * vb_free - give back the piece of @size bytes at @addr.  Its PTEs are
 * cleared now; its bits become dirty, never to be handed out again (a
 * piece given back twice, or never handed out whole, is a BUG).  When the
 * last page of the block becomes dirty, the block goes: its range lazily,
 * the TLB flush left to the purge that takes it.
 */
static void vb_free(unsigned long addr, unsigned long size)
{
	unsigned int order = get_order(size);
	struct vmap_block *vb;
	unsigned long i;

	BUG_ON(size & ~PAGE_MASK);
	BUG_ON(size > PAGE_SIZE * vmap_max_alloc());
	vb = addr_to_vb(addr);
	i = (addr - vb->va->va_start) >> PAGE_SHIFT;
	BUG_ON(i & ((1UL << order) - 1));

	arch_unmap_kernel_range(addr, size);

	spin_lock(&vb->lock);
	BUG_ON(find_next_bit(vb->dirty_map, i + (1UL << order), i) < i + (1UL << order));
	BUG_ON(find_next_zero_bit(vb->alloc_map, i + (1UL << order), i) < i + (1UL << order));
	bitmap_set(vb->dirty_map, i, 1U << order);
	vb->dirty += 1UL << order;
	if (vb->dirty == vmap_bbmap_bits()) {
		BUG_ON(vb->free);
		spin_unlock(&vb->lock);
		free_vmap_block(vb);
		return;
	}
	spin_unlock(&vb->lock);
}

/*
 * vm_unmap_aliases - after it returns, no CPU holds a TLB entry of a
 * vmalloc-area mapping that was taken down.  The dirty pieces of the
 * blocks on the queues widen the range (2.6.34 takes their PTEs down here;
 * kmm took them down at vb_free), then one purge of the lazy ranges
 * flushes the whole span, even when no range was lazy.  As in 2.6.34, a
 * full block (off its queue) is not looked at, and dirty bits stay: the
 * next call flushes them again.
 */
void vm_unmap_aliases(void)
{
	unsigned long start = ULONG_MAX, end = 0, bits = vmap_bbmap_bits();
	bool flush = false;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmap_block_queue *vbq = &per_cpu(vmap_block_queue, cpu);
		struct vmap_block *vb;

		spin_lock(&vbq->lock);
		list_for_each_entry(vb, &vbq->free, free_list) {
			unsigned long i, j;

			spin_lock(&vb->lock);
			for (i = find_next_bit(vb->dirty_map, bits, 0); i < bits;
			     i = find_next_bit(vb->dirty_map, bits, j)) {
				j = find_next_zero_bit(vb->dirty_map, bits, i);
				start = min(start, vb->va->va_start + (i << PAGE_SHIFT));
				end = max(end, vb->va->va_start + (j << PAGE_SHIFT));
				flush = true;
			}
			spin_unlock(&vb->lock);
		}
		spin_unlock(&vbq->lock);
	}
	__purge_vmap_area_lazy(&start, &end, true, flush);
}

/* The checks vm_unmap_ram makes of its address, as 2.6.34's BUG_ONs. */
static unsigned long vm_ram_addr(const void *mem)
{
	unsigned long addr = mem ? kernel_window_addr(mem) : 0;

	BUG_ON(!addr);
	BUG_ON(addr < VMALLOC_START || addr > VMALLOC_END);
	BUG_ON(addr & ~PAGE_MASK);
	return addr;
}

void vm_unmap_ram(const void *mem, unsigned int count)
{
	unsigned long addr = vm_ram_addr(mem);
	struct vmap_area *va;

	if (likely(count <= vmap_max_alloc())) {
		vb_free(addr, (unsigned long)count << PAGE_SHIFT);
		return;
	}
	va = find_vmap_area(addr);
	BUG_ON(!va || !(va->flags & VM_MAP_RAM));
	spin_lock(&vmap_area_lock);
	va->flags &= ~VM_MAP_RAM;
	spin_unlock(&vmap_area_lock);
	arch_unmap_kernel_range(va->va_start, va->va_end - va->va_start);
	free_unmap_vmap_area(va);
}

void *vm_map_ram(struct page **pages, unsigned int count, int node, pgprot_t prot)
{
	unsigned long size = (unsigned long)count << PAGE_SHIFT, addr;

	if (!count)
		return NULL;
	if (likely(count <= vmap_max_alloc())) {
		addr = vb_alloc(size, GFP_KERNEL);
		if (IS_ERR_VALUE(addr))
			return NULL;
	} else {
		struct vmap_area *va = alloc_vmap_area(size, PAGE_SIZE, VMALLOC_START,
						       min(VMALLOC_END, vmalloc_limit), node,
						       GFP_KERNEL);

		if (IS_ERR(va))
			return NULL;
		spin_lock(&vmap_area_lock);
		va->flags |= VM_MAP_RAM;
		spin_unlock(&vmap_area_lock);
		addr = va->va_start;
	}
	if (arch_map_kernel_pages(addr, pages, count, prot)) {
		vm_unmap_ram(kernel_window_ptr(addr), count);
		return NULL;
	}
	return kernel_window_ptr(addr);
}

void vmap_block_stats(struct vmap_block_stats *st)
{
	unsigned long bits = vmap_bbmap_bits();
	int cpu;

	st->bbmap_bits = bits;
	st->max_alloc = vmap_max_alloc();
	st->blocks = st->free = st->dirty = 0;
	spin_lock(&vmap_area_lock);
	for (struct rb_node *n = rb_first(&vmap_area_root); n; n = rb_next(n)) {
		struct vmap_area *va = rb_entry(n, struct vmap_area, rb_node);
		struct vmap_block *vb = va->private;

		if (!(va->flags & VM_VMAP_BLOCK))
			continue;
		st->blocks++;
		st->free += vb->free;
		st->dirty += vb->dirty;
	}
	spin_unlock(&vmap_area_lock);
	st->queued = 0;
	for_each_possible_cpu(cpu) {
		struct vmap_block_queue *vbq = &per_cpu(vmap_block_queue, cpu);
		struct list_head *pos;

		spin_lock(&vbq->lock);
		list_for_each(pos, &vbq->free)
			st->queued++;
		spin_unlock(&vbq->lock);
	}
}
