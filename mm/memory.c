/*
 * memory.c - the page tables of processes: populating them on demand
 * (page faults), tearing them down (munmap, exit), copying them (fork).
 *
 *   handle_mm_fault: allocate the pud/pmd/pte tables on the way down, then
 *   handle_pte_fault looks at the PTE:
 *     none, anonymous VMA        -> do_anonymous_page: a read maps the
 *                                   shared zero page read-only; a write
 *                                   maps a new zeroed page
 *     none, VMA with ->fault     -> do_linear_fault (shmem, files)
 *     not present, not none      -> do_swap_page (the swap issue)
 *     present, write, read-only  -> do_wp_page: copy-on-write; the page
 *                                   is reused when this is its only
 *                                   mapping, else copied
 *     present otherwise          -> set A (and D for a write): a TLB that
 *                                   was stale, or another CPU got there
 *
 * Every PTE change happens under mm->page_table_lock, re-checking that the
 * PTE is still what the fault saw (pte_same) since the allocation before
 * it may sleep and another thread may have handled the same fault.
 *
 * Tearing down: unmap_vmas clears the PTEs of a range (zap_pte_range),
 * drops the pages' mappings and references, and free_pgtables frees the
 * tables no VMA needs any more.  Pages are freed only after the TLBs that
 * may still hold them are flushed (a gather of pages, as mmu_gather does).
 */
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/gfp.h>
#include <kmm/highmem.h>
#include <kmm/irqflags.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/pagemap.h>
#include <kmm/pgtable.h>
#include <kmm/sched.h>
#include <kmm/signal.h>
#include <kmm/spinlock.h>
#include <kmm/tlbflush.h>
#include <kmm/trace.h>
#include <kmm/uaccess.h>
#include <kmm/vmstat.h>
#include "arch/x86/setup.h"
#include "mm/internal.h"

/*
 * Populating an entry.  The new table is allocated (zeroed) before the
 * lock, since allocation may sleep; under the lock, the entry is checked
 * again: another CPU may have populated it meanwhile, and then its table
 * stays and ours goes back.  The entry is written with release semantics
 * (set_pgd and friends), so a CPU that reads it and follows it finds the
 * table zeroed, never the page's old contents.
 */
int __pud_alloc(struct mm_struct *mm, pgd_t *pgd, unsigned long address)
{
	pud_t *new = pud_alloc_one(mm, address);

	if (!new)
		return -ENOMEM;
	spin_lock(&mm->page_table_lock);
	if (pgd_present(pgdp_get(pgd))) {
		spin_unlock(&mm->page_table_lock);
		pud_free(mm, new);
		return 0;
	}
	pgd_populate(pgd, new);
	spin_unlock(&mm->page_table_lock);
	return 0;
}

int __pmd_alloc(struct mm_struct *mm, pud_t *pud, unsigned long address)
{
	pmd_t *new = pmd_alloc_one(mm, address);

	if (!new)
		return -ENOMEM;
	spin_lock(&mm->page_table_lock);
	if (pud_present(pudp_get(pud))) {
		spin_unlock(&mm->page_table_lock);
		pmd_free(mm, new);
		return 0;
	}
	pud_populate(mm, pud, new);
	spin_unlock(&mm->page_table_lock);
	return 0;
}

int __pte_alloc_kernel(pmd_t *pmd, unsigned long address)
{
	pte_t *new = pte_alloc_one_kernel(&init_mm, address);

	if (!new)
		return -ENOMEM;
	spin_lock(&init_mm.page_table_lock);
	if (pmd_present(pmdp_get(pmd))) {
		spin_unlock(&init_mm.page_table_lock);
		pte_free_kernel(&init_mm, new);
		return 0;
	}
	pmd_populate_kernel(pmd, new);
	spin_unlock(&init_mm.page_table_lock);
	return 0;
}

/* ---- user PTE tables (pgtable_page_ctor: counted as PageTables) ---- */

static pte_t *pte_alloc_one(struct mm_struct *mm, unsigned long address)
{
	pte_t *pte = pte_alloc_one_kernel(mm, address);

	if (pte)
		mod_page_state(virt_to_page(pte), NR_PAGETABLE, 1);
	return pte;
}

static void pte_free(struct mm_struct *mm, pte_t *pte)
{
	mod_page_state(virt_to_page(pte), NR_PAGETABLE, -1);
	pte_free_kernel(mm, pte);
}

int __pte_alloc(struct mm_struct *mm, pmd_t *pmd, unsigned long address)
{
	pte_t *new = pte_alloc_one(mm, address);

	if (!new)
		return -ENOMEM;
	spin_lock(&mm->page_table_lock);
	if (pmd_present(pmdp_get(pmd))) {
		spin_unlock(&mm->page_table_lock);
		pte_free(mm, new);
		return 0;
	}
	mm->nr_ptes++;
	pmd_populate(pmd, new);
	spin_unlock(&mm->page_table_lock);
	return 0;
}

static pte_t *pte_alloc_map(struct mm_struct *mm, pmd_t *pmd, unsigned long address)
{
	if (unlikely(pmd_none(pmdp_get(pmd))) && __pte_alloc(mm, pmd, address))
		return NULL;
	return pte_offset_map(pmd, address);
}

/* The PTE of @address if every table down to it exists, else NULL. */
static pte_t *walk_to_pte(struct mm_struct *mm, unsigned long address)
{
	pgd_t *pgd = pgd_offset(mm, address);
	pud_t *pud;
	pmd_t *pmd;

	if (pgd_none(pgdp_get(pgd)) || !pgd_present(pgdp_get(pgd)))
		return NULL;
	pud = pud_offset(pgd, address);
	if (pud_none(pudp_get(pud)) || !pud_present(pudp_get(pud)))
		return NULL;
	pmd = pmd_offset(pud, address);
	if (pmd_none(pmdp_get(pmd)) || !pmd_present(pmdp_get(pmd)))
		return NULL;
	return pte_offset_map(pmd, address);
}

/* ---- the zero page ---- */

/*
 * The shared zero page: every read fault on untouched anonymous memory
 * maps it, read-only and "special" (no struct page refcount or rmap).
 * It lies in the kernel image's bss where empty_zero_page does -- reserved
 * at boot, so it costs no free page: the first bss page on x86_64; on
 * i386 the third, after swapper_pg_dir (or PAE's swapper_pg_pmd) and
 * swapper_pg_fixmap (2.6.34's head_32.S).  The first is the live kernel
 * page directory there: zeroing it would unmap the kernel, and every
 * later kernel table would show through the zero page.
 */
struct page *zero_page __state_zero;

void zero_page_init(void)
{
	u64 pa = kimage.bss_start + (arch->bits == 32 ? 2 * PAGE_SIZE : 0);

	if (zero_page)
		return;
	zero_page = pfn_to_page(pa >> PAGE_SHIFT);
	clear_highpage(zero_page);
}

struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
	(void)vma;
	(void)addr;
	if (pte_special(pte))
		return NULL;
	return pte_page(pte);
}

/*
 * The page @vma maps at @address, or NULL when none is mapped there or
 * it is the zero page (no struct page to speak of: 2.6.34's FOLL_DUMP
 * answer).  With FOLL_GET the caller gets a reference.  The PTE is read
 * under page_table_lock, so the page cannot be unmapped and freed between
 * the read and the reference.
 */
struct page *follow_page(struct vm_area_struct *vma, unsigned long address,
			 unsigned int foll_flags)
{
	struct mm_struct *mm = vma->vm_mm;
	struct page *page = NULL;
	pte_t *ptep, pte;

	ptep = walk_to_pte(mm, address);
	if (!ptep)
		return NULL;
	spin_lock(&mm->page_table_lock);
	pte = ptep_get(ptep);
	if (pte_present(pte)) {
		page = vm_normal_page(vma, address, pte);
		if (page && (foll_flags & FOLL_GET))
			get_page(page);
	}
	spin_unlock(&mm->page_table_lock);
	return page;
}

/* ---- tearing down ---- */

/*
 * The pages a zap took out of the tables, freed once the TLBs cannot hold
 * them any more (mmu_gather in Linux).
 */
#define GATHER_PAGES	256

struct mmu_gather {
	struct mm_struct *mm;
	unsigned long start, end;	/* the range whose TLB entries must go */
	unsigned int nr;
	struct page *pages[GATHER_PAGES];
};

static void tlb_flush_and_free(struct mmu_gather *tlb)
{
	if (tlb->end > tlb->start)
		flush_tlb_mm_range(tlb->mm, tlb->start, tlb->end);
	tlb->start = tlb->end = 0;
	for (unsigned int i = 0; i < tlb->nr; i++)
		put_page(tlb->pages[i]);
	tlb->nr = 0;
}

static void tlb_remove_page(struct mmu_gather *tlb, struct page *page)
{
	tlb->pages[tlb->nr++] = page;
	if (tlb->nr == GATHER_PAGES)
		tlb_flush_and_free(tlb);
}

static void tlb_note_range(struct mmu_gather *tlb, unsigned long start, unsigned long end)
{
	if (tlb->end <= tlb->start) {
		tlb->start = start;
		tlb->end = end;
		return;
	}
	if (start < tlb->start)
		tlb->start = start;
	if (end > tlb->end)
		tlb->end = end;
}

/*
 * A present PTE in the nonlinear VMA a zap with details walks: does the
 * page stay?  Only pages whose offset lies in the range the caller is
 * removing go (the VMA's PTEs map offsets in no order, so the whole VMA
 * is walked and each page judged by its own index).
 */
static bool zap_keeps(const struct zap_details *details, const struct page *page)
{
	return details && details->nonlinear_vma && page &&
	       (page->index < details->first_index || page->index > details->last_index);
}

/*
 * Clear the PTEs of [addr, end) under @pmd.  A present page loses a
 * mapping (its dirty bit passed on to the page) and is freed after the
 * TLB flush.  With @details (a nonlinear VMA's truncation or
 * MADV_DONTNEED) the mapping itself must survive: a page taken away from
 * where the linear numbering would not put it back leaves a file PTE
 * with its offset, and file PTEs stay as they are.  Without, a file PTE
 * is just cleared -- in a VMA that is not nonlinear it should not exist.
 */
static void zap_pte_range(struct mmu_gather *tlb, struct vm_area_struct *vma, pmd_t *pmd,
			  unsigned long addr, unsigned long end, struct zap_details *details)
{
	struct mm_struct *mm = vma->vm_mm;
	long anon_rss = 0, file_rss = 0;
	pte_t *pte = pte_offset_map(pmd, addr);

	spin_lock(&mm->page_table_lock);
	for (; addr != end; pte = pte_next(pte), addr += PAGE_SIZE) {
		pte_t ptent = ptep_get(pte);
		struct page *page;

		if (pte_none(ptent))
			continue;
		if (!pte_present(ptent)) {
			if (details)
				continue;	/* file PTEs (and swap entries) stay */
			if (pte_file(ptent))
				WARN_ON_ONCE(!(vma->vm_flags & VM_NONLINEAR));
			/* else a swap entry: the swap issue frees its slot here */
			pte_clear(pte);
			continue;
		}
		page = vm_normal_page(vma, addr, ptent);
		if (zap_keeps(details, page))
			continue;
		ptent = ptep_get_and_clear(pte);
		tlb_note_range(tlb, addr, addr + PAGE_SIZE);
		if (!page)
			continue;
		if (details && details->nonlinear_vma &&
		    linear_page_index(details->nonlinear_vma, addr) != page->index)
			set_pte(pte, pgoff_to_pte(page->index));
		if (PageAnon(page)) {
			anon_rss--;
		} else {
			if (pte_dirty(ptent))
				set_page_dirty(page);
			file_rss--;
		}
		page_remove_rmap(page);
		tlb_remove_page(tlb, page);
	}
	add_mm_counter(mm, MM_ANONPAGES, anon_rss);
	add_mm_counter(mm, MM_FILEPAGES, file_rss);
	spin_unlock(&mm->page_table_lock);
}

static void zap_pmd_range(struct mmu_gather *tlb, struct vm_area_struct *vma, pud_t *pud,
			  unsigned long addr, unsigned long end, struct zap_details *details)
{
	pmd_t *pmd = pmd_offset(pud, addr);
	unsigned long next;

	do {
		next = pmd_addr_end(addr, end);
		if (pmd_none(pmdp_get(pmd)))
			continue;
		zap_pte_range(tlb, vma, pmd, addr, next, details);
	} while (pmd = pmd_next(pmd), addr = next, addr != end);
}

static void zap_pud_range(struct mmu_gather *tlb, struct vm_area_struct *vma, pgd_t *pgd,
			  unsigned long addr, unsigned long end, struct zap_details *details)
{
	pud_t *pud = pud_offset(pgd, addr);
	unsigned long next;

	do {
		next = pud_addr_end(addr, end);
		if (pud_none(pudp_get(pud)))
			continue;
		zap_pmd_range(tlb, vma, pud, addr, next, details);
	} while (pud = pud_next(pud), addr = next, addr != end);
}

static void unmap_page_range(struct mmu_gather *tlb, struct vm_area_struct *vma,
			     unsigned long addr, unsigned long end, struct zap_details *details)
{
	pgd_t *pgd = pgd_offset(vma->vm_mm, addr);
	unsigned long next;

	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none(pgdp_get(pgd)))
			continue;
		zap_pud_range(tlb, vma, pgd, addr, next, details);
	} while (pgd = pgd_next(pgd), addr = next, addr != end);
}

static unsigned long unmap_vmas_gather(struct mmu_gather *tlb, struct vm_area_struct *vma,
				       unsigned long start, unsigned long end,
				       unsigned long *nr_accounted)
{
	unsigned long last = start;

	for (; vma && vma->vm_start < end; vma = vma->vm_next) {
		unsigned long s = max(start, vma->vm_start);
		unsigned long e = min(end, vma->vm_end);

		if (s >= e)
			continue;
		if (vma->vm_flags & VM_ACCOUNT)
			*nr_accounted += (e - s) >> PAGE_SHIFT;
		unmap_page_range(tlb, vma, s, e, NULL);
		last = e;
	}
	return last;
}

unsigned long unmap_vmas(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			 unsigned long *nr_accounted)
{
	struct mmu_gather tlb = { .mm = vma->vm_mm };
	unsigned long last = unmap_vmas_gather(&tlb, vma, start, end, nr_accounted);

	tlb_flush_and_free(&tlb);
	return last;
}

/*
 * MADV_DONTNEED and friends: drop the pages of [address, address + size)
 * in @vma alone (@details: what stays, for a nonlinear VMA).  The VMA
 * list is left as it is: madvise holds mmap_sem only for reading, and a
 * fault on another CPU may be walking vm_next.
 */
void zap_page_range(struct vm_area_struct *vma, unsigned long address, unsigned long size,
		    struct zap_details *details)
{
	struct mmu_gather tlb = { .mm = vma->vm_mm };

	update_hiwater_rss(vma->vm_mm);
	unmap_page_range(&tlb, vma, address, address + size, details);
	tlb_flush_and_free(&tlb);
}

/*
 * Unmap, in every VMA that maps @mapping, the pages of its offsets
 * [first, last] (MADV_REMOVE's hole, truncation; 2.6.34's
 * unmap_mapping_range with even_cows, in pages rather than bytes).  A
 * linear VMA maps offset o at vm_start + (o - vm_pgoff) pages: the part
 * of the hole inside its window [vm_pgoff, vm_pgoff + its pages) is
 * zapped.  A nonlinear VMA may map any offset anywhere: all of it is
 * walked, each page judged by its index, and its file PTEs kept (a later
 * fault past the new end gets SIGBUS from the object, as in 2.6.34).
 * The zap takes each VMA's page_table_lock inside i_mmap_lock, the
 * documented order.
 */
void unmap_mapping_range(struct address_space *mapping, pgoff_t first, pgoff_t last)
{
	struct vm_area_struct *vma;

	spin_lock(&mapping->i_mmap_lock);
	list_for_each_entry(vma, &mapping->i_mmap, shared) {
		pgoff_t vfirst = vma->vm_pgoff, vlast = vma->vm_pgoff + vma_pages(vma) - 1;
		pgoff_t from = max(first, vfirst), to = min(last, vlast);

		if (from > to)
			continue;
		zap_page_range(vma, vma->vm_start + ((from - vfirst) << PAGE_SHIFT),
			       (to - from + 1) << PAGE_SHIFT, NULL);
	}
	list_for_each_entry(vma, &mapping->i_mmap_nonlinear, shared) {
		struct zap_details details = {
			.nonlinear_vma = vma, .first_index = first, .last_index = last,
		};

		zap_page_range(vma, vma->vm_start, vma->vm_end - vma->vm_start, &details);
	}
	spin_unlock(&mapping->i_mmap_lock);
}

/*
 * Freeing page tables.  A table may go only if no VMA left in the address
 * space has addresses it covers: [floor, ceiling) is the gap between the
 * surviving neighbours, and a table is freed only when the whole span it
 * maps lies inside that gap.  The levels folded away (the pud on i386,
 * the pmd without PAE) have no table of their own; PAE's PMD tables are
 * the PGD's for life (its PDPTEs are loaded with CR3), freed with it.
 */
static void free_pte_range(struct mm_struct *mm, pmd_t *pmd)
{
	pte_t *pte = pmd_page_vaddr(pmdp_get(pmd));

	pmd_clear(pmd);
	pte_free(mm, pte);
	mm->nr_ptes--;
}

static bool span_inside(unsigned long start, unsigned long end, unsigned long mask,
			unsigned long floor, unsigned long ceiling)
{
	start &= mask;
	if (start < floor)
		return false;
	if (ceiling) {
		ceiling &= mask;
		if (!ceiling)
			return false;
	}
	return end - 1 <= ceiling - 1;
}

static void free_pmd_range(struct mm_struct *mm, pud_t *pud, unsigned long addr,
			   unsigned long end, unsigned long floor, unsigned long ceiling)
{
	unsigned long start = addr, next;
	pmd_t *pmd = pmd_offset(pud, addr);

	do {
		next = pmd_addr_end(addr, end);
		if (pmd_none(pmdp_get(pmd)))
			continue;
		free_pte_range(mm, pmd);
	} while (pmd = pmd_next(pmd), addr = next, addr != end);

	if (PAGETABLE_LEVELS < 4 || !span_inside(start, end, PUD_MASK, floor, ceiling))
		return;
	pmd = pmd_offset(pud, start);
	pud_clear(pud);
	pmd_free(mm, (pmd_t *)((unsigned long)pmd & PAGE_MASK));
}

static void free_pud_range(struct mm_struct *mm, pgd_t *pgd, unsigned long addr,
			   unsigned long end, unsigned long floor, unsigned long ceiling)
{
	unsigned long start = addr, next;
	pud_t *pud = pud_offset(pgd, addr);

	do {
		next = pud_addr_end(addr, end);
		if (pud_none(pudp_get(pud)) || !pud_present(pudp_get(pud)))
			continue;
		free_pmd_range(mm, pud, addr, next, floor, ceiling);
	} while (pud = pud_next(pud), addr = next, addr != end);

	if (PAGETABLE_LEVELS < 4 || !span_inside(start, end, PGDIR_MASK, floor, ceiling))
		return;
	pud = pud_offset(pgd, start);
	pgd_clear(pgd);
	pud_free(mm, (pud_t *)((unsigned long)pud & PAGE_MASK));
}

/*
 * Free the tables of [addr, end) that lie within [floor, ceiling) (0 as
 * ceiling: the top).  The PTE tables at the ends are kept when the PMD
 * span they map reaches outside: rounding addr up and end down to PMD
 * boundaries does that.
 */
void free_pgd_range(struct mm_struct *mm, unsigned long addr, unsigned long end,
		    unsigned long floor, unsigned long ceiling)
{
	unsigned long next;
	pgd_t *pgd;

	addr &= PMD_MASK;
	if (addr < floor) {
		addr += PMD_SIZE;
		if (!addr)
			return;
	}
	if (ceiling) {
		ceiling &= PMD_MASK;
		if (!ceiling)
			return;
	}
	if (end - 1 > ceiling - 1)
		end -= PMD_SIZE;
	if (addr > end - 1)
		return;
	pgd = pgd_offset(mm, addr);
	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none(pgdp_get(pgd)) || !pgd_present(pgdp_get(pgd)))
			continue;
		free_pud_range(mm, pgd, addr, next, floor, ceiling);
	} while (pgd = pgd_next(pgd), addr = next, addr != end);
}

/*
 * Free the page tables under the detached VMAs from @vma on, and drop
 * their anon_vma links.  Neighbouring VMAs in the same PMD span are
 * freed in one go (their tables are shared).
 */
void free_pgtables(struct vm_area_struct *vma, unsigned long floor, unsigned long ceiling)
{
	struct mm_struct *mm = vma ? vma->vm_mm : NULL;

	while (vma) {
		struct vm_area_struct *next = vma->vm_next;
		unsigned long addr = vma->vm_start;

		unlink_anon_vmas(vma);
		while (next && next->vm_start <= vma->vm_end + PMD_SIZE) {
			vma = next;
			next = vma->vm_next;
			unlink_anon_vmas(vma);
		}
		free_pgd_range(mm, addr, vma->vm_end, floor, next ? next->vm_start : ceiling);
		vma = next;
	}
}

/* munmap's half: unmap the pages of the detached VMAs and free what tables they leave. */
void unmap_region(struct mm_struct *mm, struct vm_area_struct *vma, struct vm_area_struct *prev,
		  unsigned long start, unsigned long end)
{
	struct vm_area_struct *next = prev ? prev->vm_next : mm->mmap;
	struct mmu_gather tlb = { .mm = mm };
	unsigned long nr_accounted = 0;

	update_hiwater_rss(mm);
	unmap_vmas_gather(&tlb, vma, start, end, &nr_accounted);
	vm_unacct_memory(nr_accounted);
	free_pgtables(vma, prev ? prev->vm_end : 0, next ? next->vm_start : 0);
	/* The table pages go back before the flush in Linux too: no walker follows a cleared entry. */
	tlb_note_range(&tlb, start, end);
	tlb_flush_and_free(&tlb);
}

/* ---- faults ---- */

/* A write makes the PTE writable only in a writable VMA (a read fault of one maps it read-only if private...). */
static pte_t maybe_mkwrite(pte_t pte, struct vm_area_struct *vma)
{
	if (likely(vma->vm_flags & VM_WRITE))
		pte = pte_mkwrite(pte);
	return pte;
}

static struct page *alloc_zeroed_user_page(struct vm_area_struct *vma, unsigned long address)
{
	(void)vma;
	(void)address;
	return alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
}

/*
 * do_anonymous_page - the first touch of an anonymous page (seed 004).
 * A read gets the zero page: nothing is allocated until something is
 * written.  A write gets a new page, zeroed, from the buddy allocator
 * (movable: it can be migrated), entered in the VMA's anon_vma, counted
 * in the process's anonymous rss, mapped writable and dirty.
 */
static int do_anonymous_page(struct mm_struct *mm, struct vm_area_struct *vma,
			     unsigned long address, pte_t *page_table, unsigned int flags)
{
	struct page *page = NULL;
	pte_t entry;

	if (!(flags & FAULT_FLAG_WRITE)) {
		entry = pte_mkspecial(pfn_pte(page_to_pfn(ZERO_PAGE(address)), vma->vm_page_prot));
		spin_lock(&mm->page_table_lock);
		if (!pte_none(ptep_get(page_table)))
			goto unlock;
		goto setpte;
	}
	if (unlikely(anon_vma_prepare(vma)))
		return VM_FAULT_OOM;
	page = alloc_zeroed_user_page(vma, address);
	if (!page)
		return VM_FAULT_OOM;
	/*
	 * Not an atomic op: no one else sees the page before the PTE
	 * publishes it under page_table_lock, and a locked instruction here
	 * would wait for the zeroing's 4 KiB of stores to drain.
	 */
	__SetPageUptodate(page);
	entry = mk_pte(page, vma->vm_page_prot);
	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(pte_mkdirty(entry));

	spin_lock(&mm->page_table_lock);
	if (!pte_none(ptep_get(page_table)))
		goto release;
	inc_mm_counter(mm, MM_ANONPAGES);
	page_add_new_anon_rmap(page, vma, address);
setpte:
	set_pte(page_table, entry);
unlock:
	spin_unlock(&mm->page_table_lock);
	return 0;
release:
	spin_unlock(&mm->page_table_lock);
	put_page(page);
	return 0;
}

/*
 * Is this anonymous page mapped only here?  Then a write may take it
 * over instead of copying (reuse_swap_page without swap: the mapcount).
 */
static bool reuse_anon_page(struct page *page)
{
	return page_mapcount(page) == 1;
}

/*
 * do_wp_page - a write to a present, write-protected PTE of a writable
 * VMA: copy-on-write.
 *   - an anonymous page mapped once (after fork, the other side already
 *     copied or exited) is reused: the PTE becomes writable and dirty;
 *   - a page of a shared writable mapping is written in place;
 *   - otherwise (the zero page, a page shared after fork, a file page of
 *     a private mapping) a new page is allocated and filled with a copy
 *     (the zero page's copy is a zeroed page), the PTE replaced, the TLB
 *     entry flushed, and the old page's mapping dropped.
 */
static int do_wp_page(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
		      pte_t *page_table, pte_t orig_pte)
{
	struct page *old_page, *new_page;
	pte_t entry;
	bool zero;

	old_page = vm_normal_page(vma, address, orig_pte);
	if (old_page && PageAnon(old_page)) {
		if (reuse_anon_page(old_page))
			goto reuse;
	} else if (old_page && (vma->vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED)) {
		set_page_dirty(old_page);
		goto reuse;
	}
	if (old_page)
		get_page(old_page);
	spin_unlock(&mm->page_table_lock);

	if (unlikely(anon_vma_prepare(vma)))
		goto oom;
	zero = is_zero_pfn(pte_pfn(orig_pte));
	if (zero) {
		new_page = alloc_zeroed_user_page(vma, address);
	} else {
		new_page = alloc_page(GFP_HIGHUSER_MOVABLE);
		if (new_page)
			copy_user_highpage(new_page, old_page, address, vma);
	}
	if (!new_page)
		goto oom;
	__SetPageUptodate(new_page);
	/*
	 * A locked VMA leaves the old page to whoever else maps it (a fork
	 * child, whose VMA is not locked): it must not stay mlocked for
	 * them.  The copy is mlocked as it is mapped (page_add_new_anon_rmap).
	 */
	if ((vma->vm_flags & VM_LOCKED) && old_page)
		clear_page_mlock(old_page);

	spin_lock(&mm->page_table_lock);
	if (likely(pte_same(ptep_get(page_table), orig_pte))) {
		if (old_page && !PageAnon(old_page)) {
			dec_mm_counter(mm, MM_FILEPAGES);
			inc_mm_counter(mm, MM_ANONPAGES);
		} else if (!old_page) {
			inc_mm_counter(mm, MM_ANONPAGES);
		}
		entry = maybe_mkwrite(pte_mkdirty(mk_pte(new_page, vma->vm_page_prot)), vma);
		/* Clear and flush before the new entry: no CPU may see both pages. */
		ptep_get_and_clear(page_table);
		flush_tlb_mm_range(mm, address & PAGE_MASK, (address & PAGE_MASK) + PAGE_SIZE);
		page_add_new_anon_rmap(new_page, vma, address);
		set_pte(page_table, entry);
		if (old_page)
			page_remove_rmap(old_page);
		if (trace_on(cow))
			trace_event(TRACE_cow, "address=0x%lx copied=%s", address & PAGE_MASK,
				    zero ? "zero" : "page");
		new_page = old_page;	/* the old page's mapping reference goes below */
	}
	spin_unlock(&mm->page_table_lock);
	if (new_page)
		put_page(new_page);
	if (old_page)
		put_page(old_page);
	return VM_FAULT_WRITE;

reuse:
	entry = maybe_mkwrite(pte_mkdirty(pte_mkyoung(orig_pte)), vma);
	set_pte(page_table, entry);
	flush_tlb_mm_range(mm, address & PAGE_MASK, (address & PAGE_MASK) + PAGE_SIZE);
	spin_unlock(&mm->page_table_lock);
	if (trace_on(cow))
		trace_event(TRACE_cow, "address=0x%lx copied=reused", address & PAGE_MASK);
	return VM_FAULT_WRITE;
oom:
	if (old_page)
		put_page(old_page);
	return VM_FAULT_OOM;
}

/*
 * A fault on a VMA with ->fault (a file, shmem) at file offset @pgoff:
 * the object finds or makes the page, and it is mapped -- a private
 * mapping's write fault maps a copy (copy-on-write from the object).
 * @orig_pte is what the PTE held (empty, or a file PTE): if another CPU
 * changed it meanwhile, its work stands and the page goes back.
 */
static int __do_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
		      pte_t *page_table, pgoff_t pgoff, unsigned int flags, pte_t orig_pte)
{
	struct vm_fault vmf = {
		.flags = flags,
		.pgoff = pgoff,
		.virtual_address = address & PAGE_MASK,
	};
	bool cow = (flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED);
	struct page *page, *mapped;
	int ret;
	pte_t entry;

	ret = vma->vm_ops->fault(vma, &vmf);
	if (unlikely(ret & VM_FAULT_ERROR))
		return ret;
	page = vmf.page;
	mapped = page;
	if (cow) {
		if (unlikely(anon_vma_prepare(vma))) {
			if (ret & VM_FAULT_LOCKED)
				unlock_page(page);
			put_page(page);
			return VM_FAULT_OOM;
		}
		mapped = alloc_page(GFP_HIGHUSER_MOVABLE);
		if (!mapped) {
			if (ret & VM_FAULT_LOCKED)
				unlock_page(page);
			put_page(page);
			return VM_FAULT_OOM;
		}
		/* As in do_wp_page: the object's page is not this locked VMA's to keep mlocked. */
		if (vma->vm_flags & VM_LOCKED)
			clear_page_mlock(page);
		copy_user_highpage(mapped, page, address, vma);
		__SetPageUptodate(mapped);
	}
	spin_lock(&mm->page_table_lock);
	if (likely(pte_same(ptep_get(page_table), orig_pte))) {
		entry = mk_pte(mapped, vma->vm_page_prot);
		if (flags & FAULT_FLAG_WRITE)
			entry = maybe_mkwrite(pte_mkdirty(entry), vma);
		if (cow) {
			inc_mm_counter(mm, MM_ANONPAGES);
			page_add_new_anon_rmap(mapped, vma, address);
		} else {
			inc_mm_counter(mm, MM_FILEPAGES);
			page_add_file_rmap(mapped);
			if (flags & FAULT_FLAG_WRITE)
				set_page_dirty(mapped);
			get_page(mapped);	/* the mapping's reference */
		}
		set_pte(page_table, entry);
	} else if (cow) {
		put_page(mapped);
	}
	spin_unlock(&mm->page_table_lock);
	if (ret & VM_FAULT_LOCKED)
		unlock_page(page);
	put_page(page);		/* ->fault's reference */
	return ret & ~(VM_FAULT_LOCKED);
}

/* An empty PTE of a file VMA: the offset is the VMA's linear numbering's. */
static int do_linear_fault(struct mm_struct *mm, struct vm_area_struct *vma,
			   unsigned long address, pte_t *page_table, unsigned int flags,
			   pte_t orig_pte)
{
	return __do_fault(mm, vma, address, page_table, linear_page_index(vma, address & PAGE_MASK),
			  flags, orig_pte);
}

/*
 * A file PTE (remap_file_pages left it, or a zap that kept the mapping):
 * the offset is the PTE's own.  Only a nonlinear VMA may hold one; in
 * any other the page table is corrupt, and the process gets SIGBUS as
 * 2.6.34's does (with its "bad pte" report).
 */
static int do_nonlinear_fault(struct mm_struct *mm, struct vm_area_struct *vma,
			      unsigned long address, pte_t *page_table, unsigned int flags,
			      pte_t orig_pte)
{
	if (!pte_same(ptep_get(page_table), orig_pte))
		return 0;	/* changed meanwhile: the access is retried */
	if (unlikely(!(vma->vm_flags & VM_NONLINEAR))) {
		printk(KERN_ALERT "BUG: Bad page map in process %s  pte:%08llx\n", current->comm,
		       (unsigned long long)pte_val(orig_pte));
		return VM_FAULT_SIGBUS;
	}
	return __do_fault(mm, vma, address, page_table, pte_to_pgoff(orig_pte),
			  flags | FAULT_FLAG_NONLINEAR, orig_pte);
}

/* The swap issue fills this in: until then no PTE holds a swap entry. */
static int do_swap_page(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
			pte_t *page_table, unsigned int flags, pte_t orig_pte)
{
	(void)mm;
	(void)vma;
	(void)address;
	(void)page_table;
	(void)flags;
	(void)orig_pte;
	WARN_ON_ONCE(1);	/* a swap entry, and no swap */
	return VM_FAULT_SIGBUS;
}

static int handle_pte_fault(struct mm_struct *mm, struct vm_area_struct *vma,
			    unsigned long address, pte_t *pte, unsigned int flags)
{
	pte_t entry = ptep_get(pte);

	if (!pte_present(entry)) {
		if (pte_none(entry)) {
			if (vma->vm_ops && vma->vm_ops->fault)
				return do_linear_fault(mm, vma, address, pte, flags, entry);
			return do_anonymous_page(mm, vma, address, pte, flags);
		}
		if (pte_file(entry))
			return do_nonlinear_fault(mm, vma, address, pte, flags, entry);
		return do_swap_page(mm, vma, address, pte, flags, entry);
	}
	spin_lock(&mm->page_table_lock);
	if (unlikely(!pte_same(ptep_get(pte), entry)))
		goto unlock;
	if (flags & FAULT_FLAG_WRITE) {
		if (!pte_write(entry))
			return do_wp_page(mm, vma, address, pte, entry);
		entry = pte_mkdirty(entry);
	}
	entry = pte_mkyoung(entry);
	if (!pte_same(ptep_get(pte), entry))
		set_pte(pte, entry);
	/* A TLB entry older than the PTE (a spurious fault): drop it here. */
	__flush_tlb_one(address & PAGE_MASK);
unlock:
	spin_unlock(&mm->page_table_lock);
	return 0;
}

/*
 * handle_mm_fault - resolve a fault at @address in @vma (mmap_sem held
 * for reading): the tables on the way down are allocated as needed.
 * Returns 0 or VM_FAULT_* bits (OOM, SIGBUS, MAJOR, WRITE).
 */
int handle_mm_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
		    unsigned int flags)
{
	pgd_t *pgd;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;
	int ret;

	/* Counted first, as 2.6.34 does: a fault that fails for want of a table counts too. */
	count_vm_event(PGFAULT);
	pgd = pgd_offset(mm, address);
	pud = pud_alloc(mm, pgd, address);
	if (!pud)
		return VM_FAULT_OOM;
	pmd = pmd_alloc(mm, pud, address);
	if (!pmd)
		return VM_FAULT_OOM;
	pte = pte_alloc_map(mm, pmd, address);
	if (!pte)
		return VM_FAULT_OOM;
	ret = handle_pte_fault(mm, vma, address, pte, flags);
	return ret;
}

/*
 * Fault in every page of [addr, end) as a write would if the VMA is
 * writable, else as a read (MAP_POPULATE, mlock): get_user_pages' walk.
 * Stops at the first failure; returns 0 or -ENOMEM/-EFAULT.
 */
int make_pages_present(unsigned long addr, unsigned long end)
{
	struct mm_struct *mm = current->mm;

	for (addr &= PAGE_MASK; addr < end; addr += PAGE_SIZE) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		unsigned int flags;
		pte_t *pte;
		int ret;

		if (!vma || vma->vm_start > addr)
			return -EFAULT;
		if (!(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)))
			continue;	/* PROT_NONE: nothing to fault */
		flags = (vma->vm_flags & VM_WRITE) ? FAULT_FLAG_WRITE : 0;
		pte = walk_to_pte(mm, addr);
		if (pte && pte_present(ptep_get(pte)) &&
		    (!(flags & FAULT_FLAG_WRITE) || pte_write(ptep_get(pte))))
			continue;
		ret = handle_mm_fault(mm, vma, addr, flags);
		if (ret & VM_FAULT_OOM)
			return -ENOMEM;
		if (ret & VM_FAULT_ERROR)
			return -EFAULT;
	}
	return 0;
}

/* ---- fork: copying the page tables ---- */

/*
 * One PTE of a private writable mapping is write-protected in both the
 * parent and the child: the first write on either side faults and copies
 * (do_wp_page).  Shared mappings keep their PTEs as they are.  The child
 * gets its PTE "old" (not accessed).  The page gains a mapping and a
 * reference.
 */
static void copy_one_pte(struct mm_struct *dst_mm, struct mm_struct *src_mm, pte_t *dst_pte,
			 pte_t *src_pte, struct vm_area_struct *vma, unsigned long addr,
			 long rss[NR_MM_COUNTERS], bool *wrprotected)
{
	pte_t pte = ptep_get(src_pte);
	struct page *page;

	(void)dst_mm;
	if (!pte_present(pte)) {
		/* Swap entries: the swap issue duplicates them here. */
		set_pte(dst_pte, pte);
		return;
	}
	if (!(vma->vm_flags & VM_SHARED) && pte_write(pte)) {
		set_pte(src_pte, pte_wrprotect(pte));
		pte = pte_wrprotect(pte);
		*wrprotected = true;
	}
	if (vma->vm_flags & VM_SHARED)
		pte = pte_mkclean(pte);
	pte = pte_mkold(pte);
	page = vm_normal_page(vma, addr, pte);
	if (page) {
		get_page(page);
		page_dup_rmap(page);
		rss[PageAnon(page) ? MM_ANONPAGES : MM_FILEPAGES]++;
	}
	(void)src_mm;
	set_pte(dst_pte, pte);
}

static int copy_pte_range(struct mm_struct *dst_mm, struct mm_struct *src_mm, pmd_t *dst_pmd,
			  pmd_t *src_pmd, struct vm_area_struct *vma, unsigned long addr,
			  unsigned long end, bool *wrprotected)
{
	long rss[NR_MM_COUNTERS] = { 0 };
	pte_t *src_pte, *dst_pte;

	dst_pte = pte_alloc_map(dst_mm, dst_pmd, addr);
	if (!dst_pte)
		return -ENOMEM;
	src_pte = pte_offset_map(src_pmd, addr);
	/*
	 * The parent's lock only: nothing walks the child's tables before
	 * fork returns (Linux takes both, nested, for rmap walkers; kmm's
	 * reclaim must take the child's lock too when it arrives).
	 */
	spin_lock(&src_mm->page_table_lock);
	for (; addr != end; addr += PAGE_SIZE, src_pte = pte_next(src_pte),
	     dst_pte = pte_next(dst_pte)) {
		if (pte_none(ptep_get(src_pte)))
			continue;
		copy_one_pte(dst_mm, src_mm, dst_pte, src_pte, vma, addr, rss, wrprotected);
	}
	spin_unlock(&src_mm->page_table_lock);
	add_mm_counter(dst_mm, MM_ANONPAGES, rss[MM_ANONPAGES]);
	add_mm_counter(dst_mm, MM_FILEPAGES, rss[MM_FILEPAGES]);
	return 0;
}

static int copy_pmd_range(struct mm_struct *dst_mm, struct mm_struct *src_mm, pud_t *dst_pud,
			  pud_t *src_pud, struct vm_area_struct *vma, unsigned long addr,
			  unsigned long end, bool *wrprotected)
{
	pmd_t *src_pmd, *dst_pmd;
	unsigned long next;

	dst_pmd = pmd_alloc(dst_mm, dst_pud, addr);
	if (!dst_pmd)
		return -ENOMEM;
	src_pmd = pmd_offset(src_pud, addr);
	do {
		next = pmd_addr_end(addr, end);
		if (pmd_none(pmdp_get(src_pmd)))
			continue;
		if (copy_pte_range(dst_mm, src_mm, dst_pmd, src_pmd, vma, addr, next, wrprotected))
			return -ENOMEM;
	} while (dst_pmd = pmd_next(dst_pmd), src_pmd = pmd_next(src_pmd), addr = next,
		 addr != end);
	return 0;
}

static int copy_pud_range(struct mm_struct *dst_mm, struct mm_struct *src_mm, pgd_t *dst_pgd,
			  pgd_t *src_pgd, struct vm_area_struct *vma, unsigned long addr,
			  unsigned long end, bool *wrprotected)
{
	pud_t *src_pud, *dst_pud;
	unsigned long next;

	dst_pud = pud_alloc(dst_mm, dst_pgd, addr);
	if (!dst_pud)
		return -ENOMEM;
	src_pud = pud_offset(src_pgd, addr);
	do {
		next = pud_addr_end(addr, end);
		if (pud_none(pudp_get(src_pud)) || !pud_present(pudp_get(src_pud)))
			continue;
		if (copy_pmd_range(dst_mm, src_mm, dst_pud, src_pud, vma, addr, next, wrprotected))
			return -ENOMEM;
	} while (dst_pud = pud_next(dst_pud), src_pud = pud_next(src_pud), addr = next,
		 addr != end);
	return 0;
}

/*
 * copy_page_range - fork's copy of @vma's PTEs from @src into @dst.  A
 * VMA with no anon_vma is not copied at all, as 2.6.34 decides: an
 * anonymous VMA that never faulted has nothing to copy, and a file or
 * shmem VMA with no private copies has every page in the page cache,
 * where the child's faults find them again (minor faults) -- cheaper
 * than copying PTEs a child that execs would throw away.  Where a PTE
 * was write-protected, the parent's TLBs are flushed for the VMA before
 * fork returns.
 */
int copy_page_range(struct mm_struct *dst, struct mm_struct *src, struct vm_area_struct *vma)
{
	unsigned long addr = vma->vm_start, end = vma->vm_end, next;
	bool wrprotected = false;
	pgd_t *src_pgd, *dst_pgd;
	int ret = 0;

	if (!(vma->vm_flags & (VM_HUGETLB | VM_NONLINEAR | VM_PFNMAP | VM_INSERTPAGE)) &&
	    !vma->anon_vma)
		return 0;
	dst_pgd = pgd_offset(dst, addr);
	src_pgd = pgd_offset(src, addr);
	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none(pgdp_get(src_pgd)) || !pgd_present(pgdp_get(src_pgd)))
			continue;
		if (copy_pud_range(dst, src, dst_pgd, src_pgd, vma, addr, next, &wrprotected)) {
			ret = -ENOMEM;
			break;
		}
	} while (dst_pgd = pgd_next(dst_pgd), src_pgd = pgd_next(src_pgd), addr = next,
		 addr != end);
	if (wrprotected)
		flush_tlb_mm_range(src, vma->vm_start, vma->vm_end);
	return ret;
}

/* ---- a driver's pages in a process: vm_insert_page ---- */

/*
 * vm_insert_page - map @page, a kernel page the caller owns (a vmalloc'ed
 * buffer's, say), at @addr of @vma, as a driver's ->mmap does.  2.6.34's
 * rules: @addr inside the VMA (else -EFAULT), a page someone holds (count
 * 0: -EINVAL), never an anonymous page (its rmap would lie: -EINVAL), the
 * slot still empty (-EBUSY); -ENOMEM when a page table cannot be made.
 *
 * The page is mapped like a file page: a reference for the PTE, one more
 * Mapped page when it is its first mapping, the process's file rss.  It
 * has no ->mapping, so the rmap cannot find this PTE again; VM_INSERTPAGE
 * on the VMA tells fork to copy the PTEs (a fault could not bring such a
 * page back), and munmap drops the references, so a vfree while the
 * process still maps the buffer leaves the pages alive until then.
 * The slot was empty, so no TLB holds it: no flush.
 */
int vm_insert_page(struct vm_area_struct *vma, unsigned long addr, struct page *page)
{
	struct mm_struct *mm = vma->vm_mm;
	pte_t *pte;
	int ret;

	if (addr < vma->vm_start || addr >= vma->vm_end)
		return -EFAULT;
	if (!page_count(page))
		return -EINVAL;
	vma->vm_flags |= VM_INSERTPAGE;
	if (PageAnon(page))
		return -EINVAL;
	pte = get_locked_pte(mm, addr);
	if (!pte)
		return -ENOMEM;
	ret = -EBUSY;
	if (pte_none(ptep_get(pte))) {
		get_page(page);
		inc_mm_counter(mm, MM_FILEPAGES);
		page_add_file_rmap(page);
		set_pte(pte, mk_pte(page, vma->vm_page_prot));
		ret = 0;
	}
	spin_unlock(&mm->page_table_lock);
	return ret;
}

/* ---- the PTE at an address ---- */

/*
 * The PTE of @addr in @mm, the tables down to it made if missing, and
 * mm->page_table_lock taken (the caller unlocks); NULL without a table.
 */
pte_t *get_locked_pte(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	pud_t *pud = pud_alloc(mm, pgd, addr);
	pmd_t *pmd = pud ? pmd_alloc(mm, pud, addr) : NULL;
	pte_t *pte = pmd ? pte_alloc_map(mm, pmd, addr) : NULL;

	if (pte)
		spin_lock(&mm->page_table_lock);
	return pte;
}


/* The PTE mapping @address in @mm (NULL if a table is missing); no lock taken. */
pte_t *get_locked_pte_nolock(struct mm_struct *mm, unsigned long address)
{
	return walk_to_pte(mm, address);
}
