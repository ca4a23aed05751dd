/*
 * proc_pid_mem.c - the views of /proc/PID that read a process's page
 * tables, in 2.6.34's formats (fs/proc/task_mmu.c):
 *
 *   smaps    for each VMA, its maps line and what its pages cost:
 *
 *            Size:                  8 kB   the VMA
 *            Rss:                   8 kB   pages mapped (not the zero page)
 *            Pss:                   4 kB   each page divided by its mappings
 *            Shared_Clean:          0 kB   mapped more than once, PTE clean
 *            Shared_Dirty:          8 kB   mapped more than once, PTE dirty
 *            Private_Clean:         0 kB   mapped once, PTE clean
 *            Private_Dirty:         0 kB   mapped once, PTE dirty
 *            Referenced:            4 kB   PTE young, or PG_referenced
 *            Swap:                  0 kB   swap entries
 *            KernelPageSize:        4 kB
 *            MMUPageSize:           4 kB
 *
 *   pagemap  binary: one 64-bit entry per virtual page of the user
 *            address space, read with proc_pid_pagemap() (process.h has
 *            the bit layout; the kmm program's pagemap command decodes it)
 *
 * Both walk the PTEs of the user range.  A page the PTE maps counts only
 * if vm_normal_page() gives one: the zero page, mapped "special", is no
 * one's rss.  Pss sums PAGE_SIZE / mapcount in fixed point (PSS_SHIFT
 * fraction bits), so that a thousand pages shared three ways lose less
 * than a kB to rounding.  "Dirty" is the PTE's D bit only: 2.6.34 does
 * not look at PG_dirty here (later kernels do).
 */
#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/kernel-page-flags.h>
#include <kmm/mm.h>
#include <kmm/params.h>
#include <kmm/pgtable.h>
#include <kmm/process.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/seq_file.h>
#include <kmm/spinlock.h>
#include "kernel/proc_internal.h"

#define PSS_SHIFT	12

/*
 * The PTE that maps @addr in @mm, or NULL when no PTE table covers it:
 * then *@hole_end is the end of the span the missing table (or the
 * missing table above it) would have covered, 0 at the top of the
 * address space.  User address spaces have no large pages.
 */
static pte_t *user_pte(struct mm_struct *mm, unsigned long addr, unsigned long *hole_end)
{
	unsigned int level;
	pte_t *pte = lookup_address_in(mm, addr, &level);
	unsigned long size;

	if (pte && level == PG_LEVEL_4K)
		return pte;
	size = level == PG_LEVEL_2M ? PMD_SIZE : PUD_SIZE;
	*hole_end = (addr & ~(size - 1)) + size;
	return NULL;
}

/* A swap entry: not present, not empty, not a nonlinear file PTE. */
static bool is_swap_pte(pte_t pte)
{
	return !pte_none(pte) && !pte_present(pte) && !pte_file(pte);
}

/* ---- smaps ---- */

struct mem_size_stats {
	unsigned long resident;
	unsigned long shared_clean, shared_dirty;
	unsigned long private_clean, private_dirty;
	unsigned long referenced;
	unsigned long swap;
	u64 pss;			/* bytes << PSS_SHIFT */
};

/* What one PTE of @vma adds (smaps_pte_range's rules). */
static void smaps_pte(struct vm_area_struct *vma, unsigned long addr, pte_t ptent,
		      struct mem_size_stats *mss)
{
	struct page *page;
	int mapcount;

	if (is_swap_pte(ptent)) {
		mss->swap += PAGE_SIZE;
		return;
	}
	if (!pte_present(ptent))
		return;
	page = vm_normal_page(vma, addr, ptent);
	if (!page)
		return;
	mss->resident += PAGE_SIZE;
	if (pte_young(ptent) || PageReferenced(page))
		mss->referenced += PAGE_SIZE;
	mapcount = page_mapcount(page);
	if (mapcount >= 2) {
		if (pte_dirty(ptent))
			mss->shared_dirty += PAGE_SIZE;
		else
			mss->shared_clean += PAGE_SIZE;
		mss->pss += ((u64)PAGE_SIZE << PSS_SHIFT) / (u64)mapcount;
	} else {
		if (pte_dirty(ptent))
			mss->private_dirty += PAGE_SIZE;
		else
			mss->private_clean += PAGE_SIZE;
		mss->pss += (u64)PAGE_SIZE << PSS_SHIFT;
	}
}

/* Every PTE of @vma, under the page-table lock (the counts of one moment). */
static void smaps_walk(struct vm_area_struct *vma, struct mem_size_stats *mss)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr = vma->vm_start, next;

	spin_lock(&mm->page_table_lock);
	while (addr < vma->vm_end) {
		pte_t *pte = user_pte(mm, addr, &next);

		if (!pte) {
			if (!next || next >= vma->vm_end)
				break;
			addr = next;
			continue;
		}
		smaps_pte(vma, addr, ptep_get(pte), mss);
		addr += PAGE_SIZE;
	}
	spin_unlock(&mm->page_table_lock);
}

static void show_smap(struct seq_file *m, struct vm_area_struct *vma)
{
	struct mem_size_stats mss = { 0 };

	smaps_walk(vma, &mss);
	show_map_vma(m, vma);
	seq_printf(m,
		   "Size:           %8lu kB\n"
		   "Rss:            %8lu kB\n"
		   "Pss:            %8lu kB\n"
		   "Shared_Clean:   %8lu kB\n"
		   "Shared_Dirty:   %8lu kB\n"
		   "Private_Clean:  %8lu kB\n"
		   "Private_Dirty:  %8lu kB\n"
		   "Referenced:     %8lu kB\n"
		   "Swap:           %8lu kB\n"
		   "KernelPageSize: %8lu kB\n"
		   "MMUPageSize:    %8lu kB\n",
		   (vma->vm_end - vma->vm_start) >> 10,
		   mss.resident >> 10,
		   (unsigned long)(mss.pss >> (10 + PSS_SHIFT)),
		   mss.shared_clean >> 10,
		   mss.shared_dirty >> 10,
		   mss.private_clean >> 10,
		   mss.private_dirty >> 10,
		   mss.referenced >> 10,
		   mss.swap >> 10,
		   PAGE_SIZE >> 10,
		   PAGE_SIZE >> 10);
}

int show_smaps(struct seq_file *m, struct task_struct *t)
{
	struct mm_struct *mm = t->exit_state ? NULL : t->mm;

	if (!mm)
		return 0;
	down_read(&mm->mmap_sem);
	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next)
		show_smap(m, vma);
	up_read(&mm->mmap_sem);
	return 0;
}

/* ---- pagemap ---- */

/* The entry of a PTE (pte_to_pagemap_entry); none gives 0. */
static u64 pte_to_pagemap_entry(pte_t pte)
{
	if (is_swap_pte(pte))	/* the swap issue gives its type and offset as the frame */
		return PM_PSHIFT(PAGE_SHIFT) | PM_SWAP;
	if (pte_present(pte))
		return (pte_pfn(pte) & PM_PFRAME_MASK) | PM_PSHIFT(PAGE_SHIFT) | PM_PRESENT;
	return 0;
}

/*
 * The entry of @addr.  2.6.34 has three ways to say "nothing": where no
 * page table exists and where no VMA is, the entry holds the page shift
 * (PM_NOT_PRESENT); a VMA's PTE that is empty gives 0.  Both are read
 * back as "not present"; they are kept apart because Linux's bytes are.
 */
static u64 pagemap_entry(struct mm_struct *mm, unsigned long addr)
{
	unsigned long hole_end;
	struct vm_area_struct *vma;
	pte_t *pte = user_pte(mm, addr, &hole_end);

	if (!pte)
		return PM_NOT_PRESENT;
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr)
		return PM_NOT_PRESENT;
	return pte_to_pagemap_entry(ptep_get(pte));
}

long proc_pid_pagemap(pid_t pid, unsigned long addr, u64 *out, unsigned long n)
{
	struct task_struct *t = find_task_by_pid(pid);
	struct mm_struct *mm;
	unsigned long i = 0;

	if (!t || t->exit_state == EXIT_DEAD)
		return -ESRCH;
	mm = t->exit_state ? NULL : t->mm;
	if (!mm)
		return 0;
	addr &= PAGE_MASK;
	down_read(&mm->mmap_sem);
	spin_lock(&mm->page_table_lock);
	for (; i < n && addr < mm->task_size; i++, addr += PAGE_SIZE)
		out[i] = pagemap_entry(mm, addr);
	spin_unlock(&mm->page_table_lock);
	up_read(&mm->mmap_sem);
	return (long)i;
}

int show_pagemap(struct seq_file *m, struct task_struct *t)
{
	(void)m;
	return kmm_error("/proc/%d/pagemap is binary: the pagemap command reads and decodes it",
			 t->pid);
}

/*
 * /proc/kpagecount (fs/proc/page.c): one u64 per page frame, how many
 * page tables map it (page_mapcount; 0 for a frame without a struct
 * page).  The file ends at max_pfn.
 */
long proc_kpagecount(unsigned long pfn, u64 *out, unsigned long n)
{
	long got = 0;

	for (; n && pfn < max_pfn; n--, pfn++, got++)
		out[got] = pfn_valid(pfn) && !page_init_deferred(pfn) ?
			   (u64)page_mapcount(pfn_to_page(pfn)) : 0;
	return got;
}

/* Bit @kbit of @kflags, moved to bit @ubit of /proc/kpageflags. */
static inline u64 kpf_bit(unsigned long kflags, int ubit, int kbit)
{
	return (u64)((kflags >> kbit) & 1) << ubit;
}

/*
 * The /proc/kpageflags word of @page (NULL: a hole), as 2.6.34's
 * stable_page_flags builds it: the pseudo flags first (mapped, anonymous,
 * compound head or tail), then the PG_ bits it exports, each at its own
 * stable position.  A slab page's _mapcount is not a map count, so it is
 * never "mapped".  kmm has no huge pages, KSM, hwpoison or uncached
 * allocator, whose bits stay clear as in a kernel without them.
 */
u64 stable_page_flags(const struct page *page)
{
	unsigned long k;
	u64 u = 0;

	if (!page)
		return 1ULL << KPF_NOPAGE;
	k = READ_ONCE(page->flags);
	if (!(k & (1UL << PG_slab)) && page_mapcount(page) > 0)
		u |= 1ULL << KPF_MMAP;
	if (PageAnon(page))
		u |= 1ULL << KPF_ANON;
	u |= kpf_bit(k, KPF_COMPOUND_HEAD, PG_head);
	u |= kpf_bit(k, KPF_COMPOUND_TAIL, PG_tail);
	u |= kpf_bit(k, KPF_LOCKED, PG_locked);
	u |= kpf_bit(k, KPF_SLAB, PG_slab);
	u |= kpf_bit(k, KPF_BUDDY, PG_buddy);
	u |= kpf_bit(k, KPF_ERROR, PG_error);
	u |= kpf_bit(k, KPF_DIRTY, PG_dirty);
	u |= kpf_bit(k, KPF_UPTODATE, PG_uptodate);
	u |= kpf_bit(k, KPF_WRITEBACK, PG_writeback);
	u |= kpf_bit(k, KPF_LRU, PG_lru);
	u |= kpf_bit(k, KPF_REFERENCED, PG_referenced);
	u |= kpf_bit(k, KPF_ACTIVE, PG_active);
	u |= kpf_bit(k, KPF_RECLAIM, PG_reclaim);
	u |= kpf_bit(k, KPF_SWAPCACHE, PG_swapcache);
	u |= kpf_bit(k, KPF_SWAPBACKED, PG_swapbacked);
	u |= kpf_bit(k, KPF_UNEVICTABLE, PG_unevictable);
	u |= kpf_bit(k, KPF_MLOCKED, PG_mlocked);
	u |= kpf_bit(k, KPF_RESERVED, PG_reserved);
	u |= kpf_bit(k, KPF_MAPPEDTODISK, PG_mappedtodisk);
	u |= kpf_bit(k, KPF_PRIVATE, PG_private);
	u |= kpf_bit(k, KPF_PRIVATE_2, PG_private_2);
	u |= kpf_bit(k, KPF_OWNER_PRIVATE, PG_owner_priv_1);
	u |= kpf_bit(k, KPF_ARCH, PG_arch_1);
	return u;
}

/* /proc/kpageflags: the words of @n frames from @pfn into @out; the entries read (it ends at max_pfn). */
long proc_kpageflags(unsigned long pfn, u64 *out, unsigned long n)
{
	long got = 0;

	for (; n && pfn < max_pfn; n--, pfn++, got++) {
		if (pfn_valid(pfn) && page_init_deferred(pfn))	/* a free block, or a lent one (in use), untouched */
			out[got] = pfn & (MAX_ORDER_NR_PAGES - 1) || page_lent(pfn) ? 0 : 1ULL << KPF_BUDDY;
		else
			out[got] = stable_page_flags(pfn_valid(pfn) ? pfn_to_page(pfn) : NULL);
	}
	return got;
}
