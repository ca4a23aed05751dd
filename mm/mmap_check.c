/*
 * mmap_check.c - mm_check() for process address spaces: every mm's VMAs,
 * and its page tables against the VMAs and the pages they map.
 *
 * For each address space (for_each_mm):
 *   VMAs     the list is sorted and its VMAs disjoint, non-empty,
 *            page-aligned, below task_size, of this mm; the tree holds
 *            the same VMAs in the same order and is a red-black tree;
 *            map_count counts both; mmap_cache is NULL or one of them;
 *            no two neighbours are what vma_merge would have made one
 *            (never mergeable-but-unmerged, unless 2.6.34 leaves them
 *            so: kmm_apart_ok); a VMA is linked to its own
 *            anon_vma, and every link on its chain names it;
 *   sizes    total_vm, locked_vm, stack_vm, shared_vm, exec_vm and
 *            reserved_vm are the sums over the VMAs vm_stat_account says;
 *   tables   every PTE table maps a span some VMA meets (free_pgtables
 *            leaves none behind) and nr_ptes counts them; every present
 *            PTE lies in a VMA, writable only if the VMA is; a special
 *            PTE maps the zero page, read-only; MM_ANONPAGES,
 *            MM_FILEPAGES and MM_SWAPENTS count the PTEs of each kind;
 *   rmap     an anonymous page's anon_vma is on the chain of the VMA
 *            mapping it and its index puts it at the PTE's address; a
 *            file page belongs to the VMA's file at the VMA's offset; a
 *            writable PTE of a private VMA maps a page mapped once (else
 *            a write would reach another process: copy-on-write broken).
 * Across address spaces: each page's _mapcount + 1 equals the PTEs that
 * map it, exactly, whether PTEs map it or not.
 *
 * That last count borrows _mapcount itself: every PTE takes one from its
 * page's, every page must then read -1 (nothing over, nothing under),
 * and every PTE gives its one back.  A check must not change what it
 * checks, so it allocates nothing (no free pages, slab statistics or
 * trace events move) and leaves every count as it found it.  The machine
 * is quiescent (mm_check's rule): no lock is needed, and none that may
 * sleep is taken.
 */
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/pgtable.h>
#include <kmm/rbtree.h>
#include <kmm/sched.h>
#include "mm/internal.h"

#define MAX_REPORTS	32	/* lines per check; the counting goes on */
#define MAX_BAD_PAGES	16	/* mapcount mismatches located and described */

struct mm_walk_state {
	struct seq_file *report;
	int problems;
	char who[40];			/* "pid 5 (story)" */
	/* per mm: what the tables hold */
	unsigned long nr_ptes;
	long rss[NR_MM_COUNTERS];
	/* across mms: pages whose _mapcount does not match, located in the restore pass */
	struct bad_page {
		unsigned long pfn;
		int excess;		/* page_mapcount minus the PTEs found */
		char where[64];		/* the first PTE found mapping it */
	} bad[MAX_BAD_PAGES];
	int nr_bad;
};

static void problem(struct mm_walk_state *w, const char *fmt, ...) __printf(2, 3);

static void problem(struct mm_walk_state *w, const char *fmt, ...)
{
	char line[400];
	va_list ap;

	if (++w->problems > MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	check_report(w->report, "%s: %s", w->who, line);
}

/* The process whose address space @mm is, for the reports. */
static void describe_mm(struct mm_struct *mm, char *buf, size_t size)
{
	struct task_struct *p;

	for_each_process(p)
		if (p->mm == mm) {
			snprintf(buf, size, "pid %d (%.16s)", p->pid, p->comm);
			return;
		}
	snprintf(buf, size, "an mm of no process");
}

/* ---- the VMAs ---- */

/* The VMA of @mm holding @addr, read-only (find_vma would set mmap_cache); the list is sorted. */
static struct vm_area_struct *vma_at(struct vm_area_struct **cursor, unsigned long addr)
{
	struct vm_area_struct *v = *cursor;

	while (v && v->vm_end <= addr)
		v = v->vm_next;
	*cursor = v;
	return v && v->vm_start <= addr ? v : NULL;
}

/* Would vma_merge have joined @prev and the VMA right after it, @next? */
static bool mergeable(const struct vm_area_struct *prev, const struct vm_area_struct *next)
{
	if (prev->vm_end != next->vm_start || ((prev->vm_flags | next->vm_flags) & VM_SPECIAL))
		return false;
	if ((prev->vm_flags ^ next->vm_flags) & ~VM_CAN_NONLINEAR)
		return false;
	if (prev->vm_file != next->vm_file)
		return false;
	if ((prev->vm_ops && prev->vm_ops->close) || (next->vm_ops && next->vm_ops->close))
		return false;
	if (prev->anon_vma && next->anon_vma && prev->anon_vma != next->anon_vma)
		return false;
	return prev->vm_pgoff + vma_pages(prev) == next->vm_pgoff;
}

/* A VMA's anon_vma links: its own anon_vma among them, each naming it. */
static void check_vma_links(struct mm_walk_state *w, struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;
	bool own = false;
	int n = 0;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma) {
		if (avc->vma != vma)
			problem(w, "VMA [%#lx, %#lx): a link on its anon_vma chain names another VMA",
				vma->vm_start, vma->vm_end);
		own |= avc->anon_vma == vma->anon_vma;
		if (++n > 100000)
			break;
	}
	if (vma->anon_vma && !own)
		problem(w, "VMA [%#lx, %#lx): its anon_vma is not on its chain", vma->vm_start,
			vma->vm_end);
	if (vma->vm_file && list_empty(&vma->shared))
		problem(w, "VMA [%#lx, %#lx): maps a file but is not on its i_mmap list",
			vma->vm_start, vma->vm_end);
}

/*
 * A red-black tree: its black height, or -1 after reporting what is
 * wrong (a red node with a red child, unequal black heights, a child
 * whose parent pointer is not its parent).
 */
static int rb_check(struct mm_walk_state *w, const struct rb_node *node, int depth)
{
	int left, right;

	if (!node)
		return 1;
	if (depth > 128) {
		problem(w, "the VMA tree is deeper than 128: a cycle?");
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		const struct rb_node *child = i ? node->rb_right : node->rb_left;

		if (child && rb_parent(child) != node) {
			problem(w, "the VMA tree: a node's child does not point back at it");
			return -1;
		}
		if (child && rb_is_red(node) && rb_is_red(child)) {
			problem(w, "the VMA tree: a red node has a red child");
			return -1;
		}
	}
	left = rb_check(w, node->rb_left, depth + 1);
	right = rb_check(w, node->rb_right, depth + 1);
	if (left < 0 || right < 0)
		return -1;
	if (left != right) {
		problem(w, "the VMA tree: black heights %d and %d below one node", left, right);
		return -1;
	}
	return left + rb_is_black(node);
}

/* The sums vm_stat_account and friends keep, recomputed from the VMAs. */
struct vm_sums {
	unsigned long total, locked, stack, shared, exec, reserved;
};

static void sum_vma(struct vm_sums *s, const struct vm_area_struct *vma)
{
	unsigned long n = vma_pages(vma), f = vma->vm_flags;

	s->total += n;
	if (f & VM_LOCKED)
		s->locked += n;
	if (vma->vm_file) {
		s->shared += n;
		if ((f & (VM_EXEC | VM_WRITE)) == VM_EXEC)
			s->exec += n;
	} else if (f & VM_GROWSDOWN) {
		s->stack += n;
	}
	if (f & (VM_RESERVED | VM_IO))
		s->reserved += n;
}

static void check_sum(struct mm_walk_state *w, const char *name, unsigned long have,
		      unsigned long want)
{
	if (have != want)
		problem(w, "%s is %lu pages, its VMAs hold %lu", name, have, want);
}

/* Can the VMA list be followed: finite, sorted, no VMA empty? (The same answer every pass.) */
static bool list_walkable(struct mm_struct *mm)
{
	unsigned long last = 0;
	int n = 0;

	for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next) {
		if (++n > sysctl_max_map_count + 2 || v->vm_start >= v->vm_end || v->vm_start < last)
			return false;
		last = v->vm_end;
	}
	return true;
}

/* What makes the list unwalkable: the first VMA out of order, empty, or a loop. */
static void report_broken_list(struct mm_walk_state *w, struct mm_struct *mm)
{
	struct vm_area_struct *prev = NULL;
	int n = 0;

	for (struct vm_area_struct *v = mm->mmap; v; prev = v, v = v->vm_next) {
		if (++n > sysctl_max_map_count + 2) {
			problem(w, "the VMA list is longer than max_map_count: a cycle?");
			return;
		}
		if (v->vm_start >= v->vm_end) {
			problem(w, "VMA [%#lx, %#lx) is empty", v->vm_start, v->vm_end);
			return;
		}
		if (prev && prev->vm_end > v->vm_start) {
			problem(w, "VMA [%#lx, %#lx) overlaps or precedes [%#lx, %#lx) before it on the list (or the list loops)",
				v->vm_start, v->vm_end, prev->vm_start, prev->vm_end);
			return;
		}
	}
}

/* The list (walkable), the tree, the counts and the sizes. */
static void check_vmas(struct mm_walk_state *w, struct mm_struct *mm)
{
	struct vm_area_struct *vma, *prev = NULL;
	struct rb_node *rb = rb_first(&mm->mm_rb);
	struct vm_sums s = { 0 };
	bool cache_found = !mm->mmap_cache, in_tree = true;
	int n = 0;

	for (vma = mm->mmap; vma; prev = vma, vma = vma->vm_next) {
		n++;
		if (vma->vm_mm != mm)
			problem(w, "VMA [%#lx, %#lx) says it belongs to another mm", vma->vm_start,
				vma->vm_end);
		if ((vma->vm_start | vma->vm_end) & ~PAGE_MASK || vma->vm_end > mm->task_size)
			problem(w, "VMA [%#lx, %#lx) is unaligned or above task_size %#lx",
				vma->vm_start, vma->vm_end, mm->task_size);
		if (prev && mergeable(prev, vma) && !(prev->kmm_apart_ok & KMM_APART_NEXT) &&
		    !(vma->kmm_apart_ok & KMM_APART_PREV))
			problem(w, "VMAs [%#lx, %#lx) and [%#lx, %#lx) are mergeable but apart (flags %#lx)",
				prev->vm_start, prev->vm_end, vma->vm_start, vma->vm_end,
				vma->vm_flags);
		if (in_tree && rb != &vma->vm_rb) {
			problem(w, "VMA [%#lx, %#lx) is number %d on the list but not in the tree",
				vma->vm_start, vma->vm_end, n);
			in_tree = false;	/* the rest would all say so */
		} else if (in_tree) {
			rb = rb_next(rb);
		}
		cache_found |= vma == mm->mmap_cache;
		check_vma_links(w, vma);
		sum_vma(&s, vma);
	}
	if (in_tree && rb)
		problem(w, "the VMA tree holds more VMAs than the list's %d", n);
	if (mm->map_count != n)
		problem(w, "map_count is %d, the list holds %d VMAs", mm->map_count, n);
	if (mm->mm_rb.rb_node && rb_is_red(mm->mm_rb.rb_node))
		problem(w, "the VMA tree's root is red");
	else
		rb_check(w, mm->mm_rb.rb_node, 0);
	if (!cache_found)
		problem(w, "mmap_cache points at no VMA of this mm");
	check_sum(w, "total_vm", mm->total_vm, s.total);
	check_sum(w, "locked_vm", mm->locked_vm, s.locked);
	check_sum(w, "stack_vm", mm->stack_vm, s.stack);
	check_sum(w, "shared_vm", mm->shared_vm, s.shared);
	check_sum(w, "exec_vm", mm->exec_vm, s.exec);
	check_sum(w, "reserved_vm", mm->reserved_vm, s.reserved);
}

/* ---- the page tables ---- */

/* What a walk does with each PTE table and each PTE that is not empty. */
struct pt_walker {
	void (*table)(struct mm_walk_state *w, unsigned long base, struct vm_area_struct **cursor);
	void (*pte)(struct mm_walk_state *w, unsigned long addr, pte_t pte,
		    struct vm_area_struct *vma);
};

static void walk_ptes(struct mm_walk_state *w, const struct pt_walker *pw, pmd_t *pmd,
		      unsigned long addr, unsigned long end, struct vm_area_struct **cursor)
{
	pte_t *ptep = pte_offset_map(pmd, addr);

	if (pw->table)
		pw->table(w, addr & PMD_MASK, cursor);
	for (; addr != end; addr += PAGE_SIZE, ptep = pte_next(ptep)) {
		pte_t pte = ptep_get(ptep);

		if (!pte_none(pte))
			pw->pte(w, addr, pte, vma_at(cursor, addr));
	}
}

static void walk_pmds(struct mm_walk_state *w, const struct pt_walker *pw, pud_t *pud,
		      unsigned long addr, unsigned long end, struct vm_area_struct **cursor)
{
	pmd_t *pmd = pmd_offset(pud, addr);
	unsigned long next;

	do {
		pmd_t e = pmdp_get(pmd);

		next = pmd_addr_end(addr, end);
		if (pmd_none(e))
			continue;
		if (!pmd_present(e) || pmd_large(e)) {
			if (pw->table)
				problem(w, "%#lx: the PMD entry %#llx is not a page table", addr,
					(unsigned long long)pmd_val(e));
			continue;
		}
		walk_ptes(w, pw, pmd, addr, next, cursor);
	} while (pmd = pmd_next(pmd), addr = next, addr != end);
}

static void walk_puds(struct mm_walk_state *w, const struct pt_walker *pw, pgd_t *pgd,
		      unsigned long addr, unsigned long end, struct vm_area_struct **cursor)
{
	pud_t *pud = pud_offset(pgd, addr);
	unsigned long next;

	do {
		next = pud_addr_end(addr, end);
		if (pud_none(pudp_get(pud)) || !pud_present(pudp_get(pud)))
			continue;
		walk_pmds(w, pw, pud, addr, next, cursor);
	} while (pud = pud_next(pud), addr = next, addr != end);
}

/*
 * Every PTE table and non-empty PTE of the user part of @mm's tables, in
 * address order, each PTE with the VMA that holds its address -- none
 * when @vmas is false (a VMA list that cannot be walked).
 */
static void walk_user_tables(struct mm_walk_state *w, struct mm_struct *mm,
			     const struct pt_walker *pw, bool vmas)
{
	struct vm_area_struct *cursor = vmas ? mm->mmap : NULL;
	unsigned long addr = 0, end = mm->task_size, next;
	pgd_t *pgd = pgd_offset(mm, 0);

	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none(pgdp_get(pgd)) || !pgd_present(pgdp_get(pgd)))
			continue;
		walk_puds(w, pw, pgd, addr, next, &cursor);
	} while (pgd = pgd_next(pgd), addr = next, addr != end);
}

/* The page a present PTE maps and counts (NULL: special, or no such frame). */
static struct page *pte_mapped_page(pte_t pte, struct vm_area_struct *vma, unsigned long addr)
{
	if (!pfn_valid(pte_pfn(pte)))
		return NULL;
	if (vma)
		return vm_normal_page(vma, addr, pte);
	return pte_special(pte) ? NULL : pte_page(pte);
}

/* Some VMA meets the PMD span at @base (else the table should have been freed). */
static void check_table(struct mm_walk_state *w, unsigned long base,
			struct vm_area_struct **cursor)
{
	struct vm_area_struct *v = *cursor;

	w->nr_ptes++;
	while (v && v->vm_end <= base)
		v = v->vm_next;
	if (!v || v->vm_start >= base + PMD_SIZE)
		problem(w, "a PTE table maps [%#lx, %#lx), where no VMA is: leaked", base,
			base + PMD_SIZE);
}

/* rmap, from the page's index, looks for it in @vma at @addr. */
static void check_index(struct mm_walk_state *w, unsigned long addr, struct page *page,
			struct vm_area_struct *vma, const char *kind)
{
	unsigned long at = vma_address(page, vma);
	char where[48];

	if (at == addr)
		return;
	if (at == (unsigned long)-EFAULT)
		snprintf(where, sizeof(where), "outside the VMA");
	else
		snprintf(where, sizeof(where), "at %#lx", at);
	problem(w, "%#lx: %spfn %#lx has index %#lx: rmap looks for it %s", addr, kind,
		page_to_pfn(page), page->index, where);
}

/* A page's rmap information agrees with the VMA and address that map it. */
static void check_rmap(struct mm_walk_state *w, unsigned long addr, struct page *page,
		       struct vm_area_struct *vma)
{
	unsigned long pfn = page_to_pfn(page);

	if (PageAnon(page)) {
		struct anon_vma *av = page_anon_vma(page);
		struct anon_vma_chain *avc;
		bool linked = false;

		list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
			linked |= avc->anon_vma == av;
		if (!linked)
			problem(w, "%#lx: anonymous pfn %#lx's anon_vma is not on the chain of VMA [%#lx, %#lx)",
				addr, pfn, vma->vm_start, vma->vm_end);
		else
			check_index(w, addr, page, vma, "anonymous ");
		return;
	}
	/* A driver's page (vm_insert_page) has no ->mapping: nothing to check it against. */
	if ((vma->vm_flags & VM_INSERTPAGE) && !page->mapping)
		return;
	/*
	 * A special mapping's kernel page (exec's [vdso]: no file, never
	 * expanded) has no rmap information, in 2.6.34 as here.
	 */
	if (!vma->vm_file && (vma->vm_flags & VM_DONTEXPAND) && !page->mapping)
		return;
	if (!vma->vm_file || page->mapping != vma->vm_file->f_mapping)
		problem(w, "%#lx: pfn %#lx is neither anonymous nor a page of VMA [%#lx, %#lx)'s file",
			addr, pfn, vma->vm_start, vma->vm_end);
	else if (!(vma->vm_flags & VM_NONLINEAR))	/* a nonlinear VMA's pages are at any place */
		check_index(w, addr, page, vma, "file ");
}

/* One PTE that is not empty: where it lies, what it maps, who knows it. */
static void check_pte(struct mm_walk_state *w, unsigned long addr, pte_t pte,
		      struct vm_area_struct *vma)
{
	unsigned long pfn = pte_pfn(pte);
	struct page *page;

	if (pte_file(pte) && !pte_present(pte)) {
		/* remap_file_pages' record of an offset: only a nonlinear VMA has them. */
		if (!vma)
			problem(w, "%#lx: a file PTE outside any VMA", addr);
		else if (!(vma->vm_flags & VM_NONLINEAR))
			problem(w, "%#lx: a file PTE (offset %#lx) in VMA [%#lx, %#lx), which is not nonlinear",
				addr, pte_to_pgoff(pte), vma->vm_start, vma->vm_end);
		return;
	}
	if (!pte_present(pte)) {
		w->rss[MM_SWAPENTS]++;
		if (!vma)
			problem(w, "%#lx: a swap entry outside any VMA", addr);
		return;
	}
	if (!vma)
		problem(w, "%#lx: a present PTE (pfn %#lx) outside any VMA", addr, pfn);
	else if (pte_write(pte) && !(vma->vm_flags & VM_WRITE))
		problem(w, "%#lx: a writable PTE in VMA [%#lx, %#lx), which is not writable", addr,
			vma->vm_start, vma->vm_end);
	if (!pfn_valid(pfn)) {
		problem(w, "%#lx: the PTE maps pfn %#lx, which has no struct page", addr, pfn);
		return;
	}
	page = pte_mapped_page(pte, vma, addr);
	if (!page) {
		if (!is_zero_pfn(pfn) || pte_write(pte))
			problem(w, "%#lx: a special PTE maps pfn %#lx %s", addr, pfn,
				is_zero_pfn(pfn) ? "(the zero page) writable" : ", not the zero page");
		return;
	}
	w->rss[PageAnon(page) ? MM_ANONPAGES : MM_FILEPAGES]++;
	if (!vma)
		return;
	check_rmap(w, addr, page, vma);
	if (pte_write(pte) && !(vma->vm_flags & VM_SHARED) && page_mapcount(page) != 1)
		problem(w, "%#lx: a writable PTE of a private VMA maps pfn %#lx, which is mapped %d times",
			addr, pfn, page_mapcount(page));
}

static const struct pt_walker check_walker = { check_table, check_pte };

static void check_counters(struct mm_walk_state *w, struct mm_struct *mm)
{
	static const char *const names[NR_MM_COUNTERS] = { "MM_FILEPAGES", "MM_ANONPAGES",
							   "MM_SWAPENTS" };

	if (mm->nr_ptes != w->nr_ptes)
		problem(w, "nr_ptes is %lu, the tables hold %lu PTE tables", mm->nr_ptes, w->nr_ptes);
	for (int i = 0; i < NR_MM_COUNTERS; i++) {
		long have = atomic_long_read(&mm->rss_stat[i]);

		if (have != w->rss[i])
			problem(w, "%s is %ld, the tables hold %ld such PTEs", names[i], have, w->rss[i]);
	}
}

static void check_one_mm(struct mm_struct *mm, void *arg)
{
	struct mm_walk_state *w = arg;

	describe_mm(mm, w->who, sizeof(w->who));
	w->nr_ptes = 0;
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		w->rss[i] = 0;
	if (!list_walkable(mm)) {
		report_broken_list(w, mm);
		return;		/* everything below follows the list */
	}
	check_vmas(w, mm);
	walk_user_tables(w, mm, &check_walker, true);
	check_counters(w, mm);
}

/* ---- _mapcount against the PTEs, across every mm ---- */

static void uncount_pte(struct mm_walk_state *w, unsigned long addr, pte_t pte,
			struct vm_area_struct *vma)
{
	struct page *page = pte_present(pte) ? pte_mapped_page(pte, vma, addr) : NULL;

	(void)w;
	if (page)
		atomic_dec(&page->_mapcount);
}

/* Give the count back; note where each mismatched page is mapped. */
static void recount_pte(struct mm_walk_state *w, unsigned long addr, pte_t pte,
			struct vm_area_struct *vma)
{
	struct page *page = pte_present(pte) ? pte_mapped_page(pte, vma, addr) : NULL;

	if (!page)
		return;
	atomic_inc(&page->_mapcount);
	for (int i = 0; i < w->nr_bad; i++)
		if (w->bad[i].pfn == page_to_pfn(page) && !w->bad[i].where[0])
			snprintf(w->bad[i].where, sizeof(w->bad[i].where), "mapped at %#lx by %s",
				 addr, w->who);
}

static const struct pt_walker uncount_walker = { NULL, uncount_pte };
static const struct pt_walker recount_walker = { NULL, recount_pte };

static void walk_mm_with(struct mm_struct *mm, void *arg, const struct pt_walker *pw)
{
	struct mm_walk_state *w = arg;

	describe_mm(mm, w->who, sizeof(w->who));
	walk_user_tables(w, mm, pw, list_walkable(mm));
}

static void uncount_mm(struct mm_struct *mm, void *arg)
{
	walk_mm_with(mm, arg, &uncount_walker);
}

static void recount_mm(struct mm_struct *mm, void *arg)
{
	walk_mm_with(mm, arg, &recount_walker);
}

/* Every page with a memory map: after the uncount, each must read -1. */
static void find_uncounted(struct mm_walk_state *w)
{
	pg_data_t *pgdat;

	for_each_online_pgdat(pgdat) {
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *zone = &pgdat->node_zones[j];
			unsigned long end = zone->zone_start_pfn + zone->spanned_pages;

			for (unsigned long pfn = zone->zone_start_pfn; pfn < end; pfn++) {
				unsigned long dend;
				struct page *page;
				int left;

				if (!(pfn & (MAX_ORDER_NR_PAGES - 1)) && (dend = deferred_range_end(pfn))) {
					pfn = min(dend, end) - 1;
					continue;
				}
				if (!pfn_valid(pfn))
					continue;
				page = pfn_to_page(pfn);
				if (PageSlab(page))
					continue;	/* its _mapcount is the slab's first free object */
				left = atomic_read(&page->_mapcount);
				if (left == -1)
					continue;
				w->problems++;
				if (w->nr_bad < MAX_BAD_PAGES)
					w->bad[w->nr_bad++] = (struct bad_page){ .pfn = pfn,
										  .excess = left + 1 };
			}
		}
	}
}

static void check_mapcounts(struct mm_walk_state *w)
{
	w->nr_bad = 0;
	for_each_mm(uncount_mm, w);
	find_uncounted(w);
	for_each_mm(recount_mm, w);
	for (int i = 0; i < w->nr_bad; i++) {
		struct bad_page *b = &w->bad[i];
		int mapcount = page_mapcount(pfn_to_page(b->pfn));

		check_report(w->report, "pfn %#lx: page_mapcount %d, but %d PTEs map it%s%s", b->pfn,
			     mapcount, mapcount - b->excess, b->where[0] ? ", " : "", b->where);
	}
}

static int check_mmaps(struct seq_file *report)
{
	struct mm_walk_state w = { .report = report };

	if (!READ_ONCE(mm_cachep))
		return 0;	/* no process ever ran: no mm, no user page */
	for_each_mm(check_one_mm, &w);
	check_mapcounts(&w);
	return w.problems;
}
MM_CHECK(mmap, check_mmaps);
