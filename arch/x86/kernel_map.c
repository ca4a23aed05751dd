/*
 * arch/x86/kernel_map.c - kernel mappings outside the direct map: the host
 * windows that back them and the one primitive that writes a kernel PTE and
 * mirrors it (kernel_map.h explains the model).
 *
 * Windows, by architecture:
 *
 *   x86_64  [VMALLOC_START, VMALLOC_START + reserved)   the vmalloc area, as
 *           much of its 32 TB as the host reserves (halving from all of
 *           it down to 1G: sanitizers restrict where a program may map)
 *   i386    [VMALLOC_START, 4G)                          the vmalloc area, the
 *           pkmap window and the fixmap, about 120 MB, one reservation
 *
 * A window address converts to its host pointer by one subtraction and one
 * addition.  Mirroring counts host mappings by runs: pages i..j of a call
 * whose frames are consecutive are one host mapping.
 */
#include <kmm/bootmem.h>
#include <kmm/bug.h>
#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/params.h>
#include <kmm/pgtable.h>
#include <kmm/printk.h>
#include <kmm/string.h>
#include <kmm/asm/fixmap.h>
#include "arch/x86/kernel_map.h"
#include "arch/x86/layout.h"
#include "hw/ram.h"

#define MAX_WINDOWS		3
#define MIN_VMALLOC_WINDOW	(1UL << 30)
/* Host mappings left to the rest of the program (libraries, malloc arenas, stacks...). */
#define HOST_MAPS_MARGIN	8192

struct kernel_window {
	unsigned long start, end;	/* Linux addresses */
	char *host;			/* host address of start */
	bool borrowed;			/* reserved by its user (the vmemmap), who releases it */
};

static struct {
	struct kernel_window w[MAX_WINDOWS];
	int nr;
	unsigned long host_maps, budget, refused;
	unsigned long fixed_maps;	/* of host_maps: pkmap and fixmap, outside the budget */
	unsigned long budget_option;	/* host_maps=N; 0: from the host's limit */
} kw __state_zero;

unsigned long vmalloc_start __state, vmalloc_end __state, vmalloc_limit __state_zero;

/*
 * i386's fixmap pages (the kmap_atomic slots among them) are mapped and
 * unmapped one at a time, as often as pages are zeroed or copied.  Their
 * host mirrors are kept apart: fixmir[i] is the frame + 1 that fixmap page
 * i mirrors in the host (0: none), one host mapping each.  In release
 * builds unmapping such a page clears its PTE - the simulated machine sees
 * no mapping, a kernel read there faults - but leaves the mirror, and
 * mapping it again costs no host call for the same frame and one mmap over
 * the old mirror for another, instead of two.  Debug builds remove the
 * mirror at once, so C code that keeps using a slot after kunmap_atomic
 * faults.  Only the CPU that owns a slot maps it: no lock.
 */
#define FIXMAP_PAGES	__end_of_permanent_fixed_addresses
static u32 fixmir[FIXMAP_PAGES] __state_bulk;

static int set_host_maps(const char *val)
{
	unsigned long long n;

	if (!val || kstrtoull(val, 0, &n) || n == 0)
		return kmm_error("host_maps=%s: need a number of host mappings, at least 1",
				 val ? val : "");
	kw.budget_option = (unsigned long)n;
	return 0;
}
early_param("host_maps", set_host_maps,
	    "host mappings the kernel's windows may use (default: the host's vm.max_map_count less a margin)");

static bool budget_take(unsigned long runs, bool fixed);
static void budget_give(unsigned long runs, bool fixed);

/* ---- windows ---- */

static struct kernel_window *window_of(unsigned long addr)
{
	for (int i = 0; i < kw.nr; i++)
		if (addr >= kw.w[i].start && addr < kw.w[i].end)
			return &kw.w[i];
	return NULL;
}

void *kernel_window_ptr(unsigned long addr)
{
	struct kernel_window *w = window_of(addr);

	return w ? w->host + (addr - w->start) : NULL;
}

unsigned long kernel_window_addr(const void *p)
{
	const char *c = p;

	for (int i = 0; i < kw.nr; i++)
		if (c >= kw.w[i].host && c < kw.w[i].host + (kw.w[i].end - kw.w[i].start))
			return kw.w[i].start + (unsigned long)(c - kw.w[i].host);
	return 0;
}

static int add_window(unsigned long start, unsigned long size)
{
	char *host = hw_window_reserve(size);

	if (!host)
		return -ENOMEM;
	kw.w[kw.nr++] = (struct kernel_window){ start, start + size, host };
	return 0;
}

void kernel_windows_init(void)
{
	long limit = hw_host_map_limit();

	vmalloc_start = (unsigned long)arch->vmalloc_start;
	vmalloc_end = (unsigned long)arch->vmalloc_end;
	kw.nr = 0;
	if (arch->bits == 64) {
		unsigned long size = vmalloc_end - vmalloc_start + 1;

		while (add_window(vmalloc_start, size))
			if ((size >>= 1) < MIN_VMALLOC_WINDOW)
				panic("cannot reserve a host window for the vmalloc area");
		vmalloc_limit = vmalloc_start + size;
	} else {
		if (add_window(vmalloc_start, (unsigned long)(0x100000000ULL - vmalloc_start)))
			panic("cannot reserve a host window for the kernel's high addresses");
		vmalloc_limit = vmalloc_end;
	}
	kw.host_maps = kw.refused = kw.fixed_maps = 0;
	kw.budget = kw.budget_option;
	if (!kw.budget)
		kw.budget = limit > 2 * HOST_MAPS_MARGIN ? (unsigned long)limit - HOST_MAPS_MARGIN
							: (unsigned long)limit / 2;
}

void kernel_windows_release(void)
{
	for (int i = 0; i < kw.nr; i++)
		if (!kw.w[i].borrowed)
			hw_window_release(kw.w[i].host, kw.w[i].end - kw.w[i].start);
	kw.nr = 0;
}

void kernel_window_add(unsigned long start, void *host, unsigned long size)
{
	BUG_ON(kw.nr == MAX_WINDOWS);
	kw.w[kw.nr++] = (struct kernel_window){ start, start + size, host, true };
}

/* ---- the vmemmap: 2M pages written at boot ---- */

/* A page-table page from the boot allocator, on @nid (vmemmap_alloc_block before slab). */
static void *boot_table(int nid)
{
	void *p = __alloc_bootmem_node(NODE_DATA(nid), PAGE_SIZE, PAGE_SIZE, BOOTMEM_GOAL);

	memset(p, 0, PAGE_SIZE);
	return p;
}

void vmemmap_tables(unsigned long addr, int nid)
{
	pgd_t *pgd = pgd_offset_k(addr);
	pud_t *pud;

	if (pgd_none(pgdp_get(pgd)))
		pgd_populate(pgd, boot_table(nid));
	pud = pud_offset(pgd, addr);
	if (pud_none(pudp_get(pud)))
		pud_populate(&init_mm, pud, boot_table(nid));
}

/*
 * Memory hotplug: the vmemmap's missing PUD and PMD tables for @addr from
 * the page allocator (2.6.34's vmemmap_alloc_block after boot), each
 * recorded in @tables[*@nr] so that a failed add can give them back.
 */
int vmemmap_tables_alloc(unsigned long addr, int nid, void **tables, int *nr)
{
	pgd_t *pgd = pgd_offset_k(addr);
	pud_t *pud;
	struct page *page;

	if (pgd_none(pgdp_get(pgd))) {
		page = alloc_pages_node(nid, GFP_KERNEL | __GFP_ZERO, 0);
		if (!page)
			return -ENOMEM;
		tables[(*nr)++] = page_address(page);
		pgd_populate(pgd, page_address(page));
	}
	pud = pud_offset(pgd, addr);
	if (pud_none(pudp_get(pud))) {
		page = alloc_pages_node(nid, GFP_KERNEL | __GFP_ZERO, 0);
		if (!page)
			return -ENOMEM;
		tables[(*nr)++] = page_address(page);
		pud_populate(&init_mm, pud, page_address(page));
	}
	return 0;
}

/* Unlink and free what vmemmap_tables_alloc() recorded (the entries under them are clear). */
void vmemmap_tables_free(void **tables, int nr)
{
	for (int i = nr - 1; i >= 0; i--) {
		u64 pa = __pa(tables[i]);

		for (unsigned long a = arch->vmemmap_start; kernel_window_ptr(a); a += PUD_SIZE) {
			pgd_t *pgd = pgd_offset_k(a);
			pud_t *pud;

			if (pgd_none(pgdp_get(pgd)))
				continue;
			if ((pgd_val(pgdp_get(pgd)) & PTE_PFN_MASK) == pa) {
				pgd_clear(pgd);
				break;
			}
			pud = pud_offset(pgd, a);
			if ((pud_val(pudp_get(pud)) & PTE_PFN_MASK) == pa) {
				pud_clear(pud);
				break;
			}
		}
		free_page((unsigned long)tables[i]);
	}
}

/* Undo kernel_map_pmds() of one run: the PMDs cleared, the host range inaccessible again. */
void kernel_unmap_pmds(unsigned long addr, unsigned long size)
{
	char *host = kernel_window_ptr(addr);

	for (unsigned long off = 0; off < size; off += PMD_SIZE)
		pmd_clear(pmd_offset(pud_offset(pgd_offset_k(addr + off), addr + off), addr + off));
	hw_window_unmap(host, size);
	budget_give(1, false);
	flush_tlb_kernel_range(addr, addr + size);
}

int kernel_map_pmds(unsigned long addr, u64 pa, unsigned long size)
{
	char *host = kernel_window_ptr(addr);

	if (WARN_ON(!host || ((addr | pa | size) & (PMD_SIZE - 1))))
		return -EINVAL;
	for (unsigned long off = 0; off < size; off += PMD_SIZE) {
		pud_t *pud = pud_offset(pgd_offset_k(addr + off), addr + off);
		pmd_t *pmd = pmd_offset(pud, addr + off);

		set_pmd(pmd, pfn_pmd((pa + off) >> PAGE_SHIFT, PAGE_KERNEL_LARGE));
	}
	if (!budget_take(1, false) || hw_window_map(host, pa, size))
		return -ENOMEM;
	return 0;
}

void kernel_map_stats(struct kernel_map_stats *st)
{
	st->host_maps = __atomic_load_n(&kw.host_maps, __ATOMIC_RELAXED);
	st->fixed_maps = __atomic_load_n(&kw.fixed_maps, __ATOMIC_RELAXED);
	st->host_map_budget = kw.budget;
	st->refused = __atomic_load_n(&kw.refused, __ATOMIC_RELAXED);
}

/* ---- the primitive ---- */

/* The PTE for @addr in init_mm, allocating the tables on the way; NULL when out of memory. */
static pte_t *kernel_pte_alloc(unsigned long addr)
{
	pgd_t *pgd = pgd_offset_k(addr);
	pud_t *pud = pud_alloc(&init_mm, pgd, addr);
	pmd_t *pmd = pud ? pmd_alloc(&init_mm, pud, addr) : NULL;

	return pmd ? pte_alloc_kernel(pmd, addr) : NULL;
}

/* The PTE for @addr if its tables exist, else NULL. */
static pte_t *kernel_pte_lookup(unsigned long addr)
{
	unsigned int level;
	pte_t *pte = lookup_address(addr, &level);

	return pte && level == PG_LEVEL_4K ? pte : NULL;
}

/* Runs of consecutive frames among the @nr frames @pfn_of(i, @arg): the host mappings they take. */
static unsigned long count_runs(unsigned long nr, unsigned long (*pfn_of)(unsigned long i, void *arg),
				void *arg)
{
	unsigned long runs = 0;

	for (unsigned long i = 0; i < nr; i++)
		if (!i || pfn_of(i, arg) != pfn_of(i - 1, arg) + 1)
			runs++;
	return runs;
}

/*
 * i386's pkmap window and fixmap: Linux reserved their page tables at boot
 * and mapping there cannot fail (kmap has no error path).  Their host
 * mappings are counted but never refused: at most LAST_PKMAP + KM_TYPE_NR
 * slots per CPU (2,240), well inside the margin the budget leaves.
 */
static bool fixed_range(unsigned long addr)
{
	return arch->bits == 32 && addr >= arch->pkmap_base;
}

static bool budget_take(unsigned long runs, bool fixed)
{
	unsigned long old = __atomic_load_n(&kw.host_maps, __ATOMIC_RELAXED);

	if (fixed) {
		__atomic_add_fetch(&kw.fixed_maps, runs, __ATOMIC_RELAXED);
		__atomic_add_fetch(&kw.host_maps, runs, __ATOMIC_RELAXED);
		return true;
	}
	do {
		if (old - __atomic_load_n(&kw.fixed_maps, __ATOMIC_RELAXED) + runs > kw.budget)
			return false;
	} while (!__atomic_compare_exchange_n(&kw.host_maps, &old, old + runs, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

static void budget_give(unsigned long runs, bool fixed)
{
	if (fixed)
		__atomic_sub_fetch(&kw.fixed_maps, runs, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&kw.host_maps, runs, __ATOMIC_RELAXED);
}

/* The fixmap page @addr is, or -1 outside the fixmap. */
static long fixmap_page(unsigned long addr)
{
	if (arch->bits != 32 || addr < arch->fixaddr_start || addr >= arch->fixaddr_top)
		return -1;
	return (long)((addr - arch->fixaddr_start) >> PAGE_SHIFT);
}

/* One fixmap page: the PTE, and the mirror unless it holds @pfn already. */
static int map_fixmap_page(unsigned long addr, unsigned long pfn, pgprot_t prot)
{
	u32 *mirror = &fixmir[fixmap_page(addr)];
	pte_t *pte = kernel_pte_alloc(addr);

	if (!pte)
		return -ENOMEM;
	WARN_ON(!pte_none(ptep_get(pte)));
	if (*mirror != pfn + 1) {
		if (hw_window_map(kernel_window_ptr(addr), (u64)pfn << PAGE_SHIFT, PAGE_SIZE)) {
			hw_window_unmap(kernel_window_ptr(addr), PAGE_SIZE);
			if (*mirror)
				budget_give(1, true);
			*mirror = 0;
			__atomic_add_fetch(&kw.refused, 1, __ATOMIC_RELAXED);
			return -ENOMEM;
		}
		if (!*mirror)
			budget_take(1, true);
		*mirror = (u32)pfn + 1;
	}
	set_pte(pte, pfn_pte(pfn, prot));
	return 0;
}

/* Drop fixmap page @addr's mirror (the caller makes the host range inaccessible): 1 if it had one. */
static unsigned long fixmap_forget(unsigned long addr)
{
	u32 *mirror = &fixmir[fixmap_page(addr)];
	unsigned long had = *mirror != 0;

	*mirror = 0;
	return had;
}

/*
 * Map @nr frames (@pfn_of(i, arg) for page i) at @addr: first the PTEs,
 * then the host mirror, one host mapping per run of consecutive frames.
 * Any failure undoes what was done and counts a refusal.
 */
static int map_frames(unsigned long addr, unsigned long nr, pgprot_t prot,
		      unsigned long (*pfn_of)(unsigned long i, void *arg), void *arg)
{
	char *host = kernel_window_ptr(addr);
	unsigned long runs, done = 0, i, run_start;
	int err = -ENOMEM;

	if (!nr)
		return 0;
	if (WARN_ON(!host || (addr & ~PAGE_MASK) || kernel_window_ptr(addr + nr * PAGE_SIZE - 1) !=
							    host + nr * PAGE_SIZE - 1))
		return -EINVAL;
	if (fixmap_page(addr) >= 0) {
		for (i = 0; i < nr; i++) {
			err = map_fixmap_page(addr + i * PAGE_SIZE, pfn_of(i, arg), prot);
			if (err) {
				if (i)
					arch_unmap_kernel_range(addr, i * PAGE_SIZE);
				return err;
			}
		}
		return 0;
	}
	runs = count_runs(nr, pfn_of, arg);
	if (!budget_take(runs, fixed_range(addr)))
		goto refused;
	for (i = 0; i < nr; i++) {
		pte_t *pte = kernel_pte_alloc(addr + i * PAGE_SIZE);

		if (!pte)
			goto undo_ptes;
		WARN_ON(!pte_none(ptep_get(pte)));
		set_pte(pte, pfn_pte(pfn_of(i, arg), prot));
		done = i + 1;
	}
	for (run_start = 0, i = 1; i <= nr; i++) {
		if (i < nr && pfn_of(i, arg) == pfn_of(i - 1, arg) + 1)
			continue;
		if (hw_window_map(host + run_start * PAGE_SIZE,
				  (u64)pfn_of(run_start, arg) << PAGE_SHIFT,
				  (i - run_start) * PAGE_SIZE)) {
			hw_window_unmap(host, run_start * PAGE_SIZE);
			goto undo_ptes;
		}
		run_start = i;
	}
	return 0;

undo_ptes:
	for (i = 0; i < done; i++)
		set_pte(kernel_pte_lookup(addr + i * PAGE_SIZE), __pte(0));
	budget_give(runs, fixed_range(addr));
refused:
	__atomic_add_fetch(&kw.refused, 1, __ATOMIC_RELAXED);
	return err;
}

static unsigned long page_frame(unsigned long i, void *arg)
{
	return page_to_pfn(((struct page **)arg)[i]);
}

static unsigned long phys_frame(unsigned long i, void *arg)
{
	return (unsigned long)(*(u64 *)arg >> PAGE_SHIFT) + i;
}

int arch_map_kernel_pages(unsigned long addr, struct page **pages, unsigned long nr, pgprot_t prot)
{
	return map_frames(addr, nr, prot, page_frame, pages);
}

int arch_map_kernel_phys(unsigned long addr, u64 phys, unsigned long size, pgprot_t prot)
{
	return map_frames(addr, size >> PAGE_SHIFT, prot, phys_frame, &phys);
}

void arch_unmap_kernel_range(unsigned long addr, unsigned long size)
{
	char *host = kernel_window_ptr(addr);
	unsigned long runs = 0, mirrors = 0, prev_pfn = 0;
	bool in_run = false;

	if (WARN_ON(!host || ((addr | size) & ~PAGE_MASK)))
		return;
	if (!KMM_DEBUG && size == PAGE_SIZE && fixmap_page(addr) >= 0) {
		pte_t *pte = kernel_pte_lookup(addr);

		if (pte)
			set_pte(pte, __pte(0));		/* the mirror stays (fixmir) */
		return;
	}
	for (unsigned long a = addr; a < addr + size; a += PAGE_SIZE) {
		pte_t *pte = kernel_pte_lookup(a);
		pte_t old = pte ? ptep_get(pte) : __pte(0);

		if (fixmap_page(a) >= 0) {	/* counted by its mirror, not by runs */
			mirrors += fixmap_forget(a);
			if (pte_present(old))
				set_pte(pte, __pte(0));
			in_run = false;
			continue;
		}
		if (!pte_present(old)) {
			in_run = false;
			continue;
		}
		if (!in_run || pte_pfn(old) != prev_pfn + 1)
			runs++;
		in_run = true;
		prev_pfn = pte_pfn(old);
		set_pte(pte, __pte(0));
	}
	hw_window_unmap(host, size);
	budget_give(runs, fixed_range(addr));
	if (mirrors)
		budget_give(mirrors, true);
}
