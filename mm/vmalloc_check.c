/*
 * vmalloc_check.c - mm_check() for the vmalloc layer (the invariants are
 * listed at the top of vmalloc.c).
 *
 * The ranges are walked in the tree and in the list side by side; every
 * area of vmlist must be the area of a range; the lazy count is summed
 * again; and the kernel page tables are read back for every page of every
 * range: an area's pages mapped to what it says, guard pages and lazy
 * ranges unmapped.  The machine is quiescent (mm_check's rule), so the
 * locks are taken only to keep the validator's view honest.
 */
#include <kmm/bitmap.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/pgtable.h>
#include <kmm/rbtree.h>
#include "arch/x86/kernel_map.h"
#include "mm/vmalloc_internal.h"

/*
 * What maps kernel address @addr: 1, a present 4K PTE (its frame in
 * *@pfn); 0, nothing; -1, a large page.
 */
static int mapping_of(unsigned long addr, unsigned long *pfn)
{
	unsigned int level;
	pte_t *ptep = lookup_address(addr, &level);

	if (!ptep || !pte_present(ptep_get(ptep)))
		return 0;
	if (level != PG_LEVEL_4K)
		return -1;
	*pfn = pte_pfn(ptep_get(ptep));
	return 1;
}

/*
 * The frame page @i of @vm should map: its pages array for vmalloc, the
 * physical range for ioremap; ~0UL when only "mapped" can be checked
 * (vmap: the pages stay the caller's and are not recorded).
 */
static unsigned long expected_pfn(const struct vm_struct *vm, unsigned long i)
{
	if (vm->flags & VM_IOREMAP)
		return (vm->phys_addr >> PAGE_SHIFT) + i;
	if (vm->pages && i < vm->nr_pages)
		return page_to_pfn(vm->pages[i]);
	return ~0UL;
}

/* The page tables over one range: @vm's pages (NULL: a lazy range, all clear), guard clear. */
static int check_range_ptes(struct seq_file *report, const struct vmap_area *va,
			    const struct vm_struct *vm)
{
	unsigned long nr = (va->va_end - va->va_start) >> PAGE_SHIFT, pfn = 0;
	int problems = 0;

	for (unsigned long i = 0; i < nr; i++) {
		unsigned long addr = va->va_start + i * PAGE_SIZE;
		int mapped = mapping_of(addr, &pfn);
		bool should = vm && i + 1 < nr;

		if (mapped < 0) {
			check_report(report, "%#lx: mapped by a large page in the vmalloc area", addr);
			return problems + 1;
		}
		if (!should && mapped) {
			check_report(report, "%#lx: %s page of [%#lx, %#lx) has a present PTE (pfn %#lx)",
				     addr, vm ? "the guard" : "a lazily freed", va->va_start,
				     va->va_end, pfn);
			problems++;
		} else if (should && !mapped) {
			check_report(report, "%#lx: page %lu of area [%#lx, %#lx) is not mapped", addr,
				     i, va->va_start, va->va_end);
			problems++;
		} else if (should && expected_pfn(vm, i) != ~0UL && pfn != expected_pfn(vm, i)) {
			check_report(report, "%#lx: page %lu of area [%#lx, %#lx) maps pfn %#lx, not %#lx",
				     addr, i, va->va_start, va->va_end, pfn, expected_pfn(vm, i));
			problems++;
		}
		if (problems > 8)
			break;
	}
	return problems;
}

/*
 * A vmap block (the invariants above struct vmap_block): its counts
 * against its bitmaps, its queue membership, and no present PTE on a page
 * that is not live (never handed out, or given back).
 */
static int check_vmap_block(struct seq_file *report, const struct vmap_area *va)
{
	const struct vmap_block *vb = va->private;
	unsigned long bits = vmap_bbmap_bits(), pfn;
	bool queued = false;
	int problems = 0;

	if (!vb || vb->va != va) {
		check_report(report, "vmap block range [%#lx, %#lx) has no block pointing back",
			     va->va_start, va->va_end);
		return 1;
	}
	if (va->va_end - va->va_start != bits << PAGE_SHIFT ||
	    !IS_ALIGNED(va->va_start, bits << PAGE_SHIFT)) {
		check_report(report, "vmap block [%#lx, %#lx) is not %lu pages aligned to its size",
			     va->va_start, va->va_end, bits);
		problems++;
	}
	if (vb->free != bits - bitmap_weight(vb->alloc_map, bits) ||
	    vb->dirty != bitmap_weight(vb->dirty_map, bits) || vb->dirty >= bits) {
		check_report(report, "vmap block at %#lx: free %lu dirty %lu, but the bitmaps hold %u allocated, %u dirty of %lu",
			     va->va_start, vb->free, vb->dirty, bitmap_weight(vb->alloc_map, bits),
			     bitmap_weight(vb->dirty_map, bits), bits);
		problems++;
	}
	for (unsigned long i = 0; i < bits; i++) {
		bool allocated = test_bit(i, vb->alloc_map), dirty = test_bit(i, vb->dirty_map);

		if (dirty && !allocated) {
			check_report(report, "vmap block at %#lx: page %lu dirty but never allocated",
				     va->va_start, i);
			problems++;
		}
		if ((!allocated || dirty) && mapping_of(va->va_start + i * PAGE_SIZE, &pfn)) {
			check_report(report, "vmap block at %#lx: page %lu is %s but has a present PTE (pfn %#lx)",
				     va->va_start, i, dirty ? "given back" : "free", pfn);
			problems++;
		}
		if (problems > 8)
			return problems;
	}
	/* vbq->lock comes before vmap_area_lock, held here: the quiescent machine needs neither. */
	for (const struct list_head *p = vb->vbq->free.next; p != &vb->vbq->free; p = p->next)
		queued |= p == &vb->free_list;
	if (queued != (vb->free > 0)) {
		check_report(report, "vmap block at %#lx: %lu pages free but %s its CPU's queue",
			     va->va_start, vb->free, queued ? "on" : "not on");
		problems++;
	}
	return problems;
}

/* One range against its area (if it has one): descriptor, flags, pages, PTEs. */
static int check_one_range(struct seq_file *report, const struct vmap_area *va)
{
	const struct vm_struct *vm = va->private;
	unsigned long pfn;
	int problems = 0;

	if (va->flags & VM_LAZY_FREE)
		return check_range_ptes(report, va, NULL);
	if (va->flags & VM_VMAP_BLOCK)
		return check_vmap_block(report, va);
	if (va->flags & VM_MAP_RAM) {
		/* A large vm_map_ram: every page mapped, no guard page, no area. */
		for (unsigned long a = va->va_start; a < va->va_end; a += PAGE_SIZE)
			if (mapping_of(a, &pfn) != 1) {
				check_report(report, "%#lx: page of vm_map_ram [%#lx, %#lx) is not mapped",
					     a, va->va_start, va->va_end);
				return 1;
			}
		return 0;
	}
	if (!(va->flags & VM_VM_AREA) || !vm) {
		check_report(report, "range [%#lx, %#lx) is neither an area nor lazy (flags %#lx)",
			     va->va_start, va->va_end, va->flags);
		return 1;
	}
	if (kernel_window_addr(vm->addr) != va->va_start ||
	    vm->size != va->va_end - va->va_start) {
		check_report(report, "area at %#lx, %lu bytes, does not describe its range [%#lx, %#lx)",
			     kernel_window_addr(vm->addr), vm->size, va->va_start, va->va_end);
		return 1;
	}
	if (vm->flags & VM_ALLOC) {
		if (vm->nr_pages != (vm->size >> PAGE_SHIFT) - 1 || !vm->pages) {
			check_report(report, "vmalloc area [%#lx, %#lx) has %u pages and array %s",
				     va->va_start, va->va_end, vm->nr_pages,
				     vm->pages ? "set" : "NULL");
			return 1;
		}
		if (!(vm->flags & VM_VPAGES) != (vm->nr_pages * sizeof(struct page *) <= PAGE_SIZE)) {
			check_report(report, "vmalloc area [%#lx, %#lx): %u pages but %s pages array",
				     va->va_start, va->va_end, vm->nr_pages,
				     vm->flags & VM_VPAGES ? "a vmalloc'ed" : "a kmalloc'ed");
			problems++;
		}
		for (unsigned int i = 0; i < vm->nr_pages; i++)
			if (!vm->pages[i] || page_count(vm->pages[i]) < 1) {
				check_report(report, "vmalloc area [%#lx, %#lx): page %u is %s",
					     va->va_start, va->va_end, i,
					     vm->pages[i] ? "not in use" : "missing");
				return problems + 1;
			}
	}
	return problems + check_range_ptes(report, va, vm);
}

/* Is @vm on vmlist?  (vmlist is sorted, so the walk can stop early.) */
static bool on_vmlist(const struct vm_struct *vm)
{
	for (const struct vm_struct *v = vmlist; v && v->addr <= vm->addr; v = v->next)
		if (v == vm)
			return true;
	return false;
}

static int check_vmalloc(struct seq_file *report)
{
	const struct list_head *pos = vmap_area_list.next;
	unsigned long prev_end = 0, lazy = 0, areas = 0, listed = 0, cached = 0;
	const struct vm_struct *prev_vm = NULL;
	int problems = 0;

	down_read(&vmlist_lock);
	spin_lock(&vmap_area_lock);
	for (struct rb_node *n = rb_first(&vmap_area_root); n; n = rb_next(n)) {
		const struct vmap_area *va = rb_entry(n, struct vmap_area, rb_node);

		if (pos == &vmap_area_list || pos != &va->list) {
			check_report(report, "range [%#lx, %#lx): the list and the tree disagree",
				     va->va_start, va->va_end);
			problems++;
			break;
		}
		pos = pos->next;
		if ((va->va_start | va->va_end) & ~PAGE_MASK || va->va_start >= va->va_end ||
		    va->va_start < VMALLOC_START || va->va_end > vmalloc_limit) {
			check_report(report, "range [%#lx, %#lx) is not a page range of [%#lx, %#lx)",
				     va->va_start, va->va_end, VMALLOC_START, vmalloc_limit);
			problems++;
		}
		if (va->va_start < prev_end) {
			check_report(report, "range [%#lx, %#lx) overlaps the one ending at %#lx",
				     va->va_start, va->va_end, prev_end);
			problems++;
		}
		prev_end = va->va_end;
		cached += va_lookup_holds(va);
		if (va->flags & VM_LAZY_FREE)
			lazy += (va->va_end - va->va_start) >> PAGE_SHIFT;
		if (va->flags & VM_VM_AREA) {
			areas++;
			if (((const struct vm_struct *)va->private)->flags & VM_UNLIST) {
				check_report(report, "area [%#lx, %#lx) was never put on vmlist",
					     va->va_start, va->va_end);
				problems++;
			} else if (!on_vmlist(va->private)) {
				check_report(report, "area [%#lx, %#lx) is not on vmlist",
					     va->va_start, va->va_end);
				problems++;
			}
		}
		problems += check_one_range(report, va);
	}
	if (!problems && pos != &vmap_area_list) {
		check_report(report, "the list holds ranges the tree does not");
		problems++;
	}
	for (const struct vm_struct *vm = vmlist; vm; vm = vm->next) {
		listed++;
		if (prev_vm && prev_vm->addr >= vm->addr) {
			check_report(report, "vmlist is not sorted at %#lx",
				     kernel_window_addr(vm->addr));
			problems++;
		}
		prev_vm = vm;
	}
	if (listed != areas) {
		check_report(report, "vmlist holds %lu areas, the ranges %lu", listed, areas);
		problems++;
	}
	if (!problems && cached != va_lookup_used()) {
		check_report(report, "the lookup cache holds %lu ranges, of which %lu are in the tree",
			     va_lookup_used(), cached);
		problems++;
	}
	if (lazy != (unsigned long)atomic_long_read(&vmap_lazy_nr)) {
		check_report(report, "vmap_lazy_nr is %ld, the lazy ranges hold %lu pages",
			     atomic_long_read(&vmap_lazy_nr), lazy);
		problems++;
	}
	spin_unlock(&vmap_area_lock);
	up_read(&vmlist_lock);
	return problems;
}
MM_CHECK(vmalloc, check_vmalloc);
