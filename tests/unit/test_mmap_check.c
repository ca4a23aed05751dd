/*
 * test_mmap_check.c - mm_check()'s half for process address spaces
 * (mm/mmap_check.c): healthy processes pass on every architecture, and
 * each invariant, broken on purpose, is reported -- with the process,
 * the VMA and the address -- and passes again once repaired.
 *
 * The processes are made as the kmm program makes them (process_spawn,
 * process_enter), their memory touched through the MMU as user accesses
 * (kmm_user_access).  A spawned x86_64 process looks like this:
 *
 *   0x602000            the break: the heap grows up from here (brk)
 *   ... mmap_base       mmaps, top-down below 0x7ffff7fff000
 *   0x7ffffffde000      the stack VMA, 33 pages, up to 0x7ffffffff000
 */
#include <string.h>

#include <kmm/err.h>
#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/mman.h>
#include <kmm/mmu.h>
#include <kmm/pgtable.h>
#include <kmm/process.h>
#include <kmm/uaccess.h>
#include "mm/internal.h"
#include "tests/harness.h"

#define RW	(PROT_READ | PROT_WRITE)
#define PRIV	(MAP_PRIVATE | MAP_ANONYMOUS)

static struct task_struct *spawn_and_enter(const char *name)
{
	struct task_struct *p = process_spawn(name);

	assert_non_null(p);
	process_enter(p);
	return p;
}

/* An anonymous mapping of the current process, where the layout puts it. */
static unsigned long map(unsigned long len, unsigned long prot, unsigned long flags)
{
	long r = sys_mmap(0, len, prot, flags | MAP_ANONYMOUS, -1UL, 0);

	assert_false(IS_ERR_VALUE(r));
	return (unsigned long)r;
}

static void poke(unsigned long addr)
{
	unsigned char b = 0x5a;

	assert_int_equal(kmm_user_access(addr, &b, 1, true, 0), 0);
}

static void peek(unsigned long addr)
{
	unsigned char b;

	assert_int_equal(kmm_user_access(addr, &b, 1, false, 0), 0);
}

static pte_t *pte_at(struct mm_struct *mm, unsigned long addr)
{
	unsigned int level;
	pte_t *pte = lookup_address_in(mm, addr, &level);

	assert_non_null(pte);
	assert_int_equal(level, PG_LEVEL_4K);
	return pte;
}

static struct page *page_at(struct mm_struct *mm, unsigned long addr)
{
	pte_t pte = ptep_get(pte_at(mm, addr));

	assert_true(pte_present(pte));
	return pte_page(pte);
}

/*
 * mm_check finds exactly @n problems, and its report says @what (and
 * @also, unless NULL).
 */
static void expect_problems(int n, const char *what, const char *also)
{
	struct seq_file report;
	int found;

	seq_init(&report);
	found = mm_check(&report);
	if (found != n || !report.buf || !strstr(report.buf, what) ||
	    (also && !strstr(report.buf, also)))
		fail_msg("expected %d problem(s) saying \"%s\"%s%s, mm_check found %d:\n%s", n, what,
			 also ? " and " : "", also ? also : "", found, report.buf ? report.buf : "");
	seq_release(&report);
}

/* ---- healthy processes ---- */

/*
 * brk, private and shared mappings, a fork whose both sides write (COW),
 * a hole punched and filled again (MAP_FIXED merges it back), a read of
 * untouched memory (the zero page), the child's exit.
 */
static void exercise(void)
{
	struct task_struct *p = spawn_and_enter("healthy"), *c;
	unsigned long heap = p->mm->start_brk, a, s, r;
	int status;
	pid_t pid;

	assert_int_equal(sys_brk(heap + 5 * PAGE_SIZE), heap + 5 * PAGE_SIZE);
	for (int i = 0; i < 5; i++)
		poke(heap + i * PAGE_SIZE);
	a = map(16 * PAGE_SIZE, RW, MAP_PRIVATE);
	s = map(4 * PAGE_SIZE, RW, MAP_SHARED);
	r = map(PAGE_SIZE, PROT_READ, MAP_PRIVATE);
	for (int i = 0; i < 8; i++)
		poke(a + i * PAGE_SIZE);
	poke(s);
	peek(r);
	peek(a + 12 * PAGE_SIZE);
	assert_mm_check();

	c = process_fork();
	assert_false(IS_ERR(c));
	assert_mm_check();
	process_enter(c);
	poke(a);
	poke(heap);
	poke(s + PAGE_SIZE);
	assert_int_equal(sys_munmap(a + 4 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	assert_int_equal(sys_mmap(a + 4 * PAGE_SIZE, 2 * PAGE_SIZE, RW, PRIV | MAP_FIXED, -1UL, 0),
			 (long)(a + 4 * PAGE_SIZE));
	poke(a + 5 * PAGE_SIZE);
	assert_mm_check();
	process_enter(p);
	poke(a + PAGE_SIZE);
	assert_int_equal(sys_brk(heap + 2 * PAGE_SIZE), heap + 2 * PAGE_SIZE);
	assert_mm_check();
	process_enter(c);
	pid = c->pid;
	process_exit(0);
	assert_int_equal(process_wait(pid, &status), pid);	/* c is freed by the wait */
	assert_mm_check();
}

static void healthy_processes_pass_x86_64(void **state)
{
	(void)state;
	boot_or_fail("ram=64M cpus=2");
	exercise();
}

static void healthy_processes_pass_i386(void **state)
{
	(void)state;
	boot_or_fail("arch=i386 ram=64M cpus=2");
	exercise();
}

static void healthy_processes_pass_i386_pae(void **state)
{
	(void)state;
	boot_or_fail("arch=i386 pae ram=64M cpus=2");
	exercise();
}

/* ---- the VMAs ---- */

/* Two VMAs apart: the lower one's end moved over the upper one's start. */
static void overlapping_vmas(void **state)
{
	unsigned long a, b;
	struct vm_area_struct *lo;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("overlap");
	a = map(2 * PAGE_SIZE, RW, MAP_PRIVATE);
	b = map(2 * PAGE_SIZE, PROT_READ, MAP_PRIVATE);	/* below a, not mergeable */
	assert_true(b + 2 * PAGE_SIZE == a);
	lo = find_vma(current->mm, b);
	lo->vm_end += PAGE_SIZE;
	expect_problems(1, "pid 2 (overlap): VMA [0x7ffff7ffd000, 0x7ffff7fff000) overlaps or precedes [0x7ffff7ffb000, 0x7ffff7ffe000)", NULL);
	lo->vm_end -= PAGE_SIZE;
	assert_mm_check();
}

static void empty_or_unaligned_vma(void **state)
{
	struct vm_area_struct *vma;
	unsigned long a;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("unaligned");
	a = map(2 * PAGE_SIZE, RW, MAP_PRIVATE);
	vma = find_vma(current->mm, a);
	vma->vm_start += 0x10;
	/* total_vm counts a page more than the VMAs now hold: two problems. */
	expect_problems(2, "VMA [0x7ffff7ffd010, 0x7ffff7fff000) is unaligned or above task_size",
			"total_vm is 35 pages, its VMAs hold 34");
	vma->vm_start = vma->vm_end;
	expect_problems(1, "VMA [0x7ffff7fff000, 0x7ffff7fff000) is empty", NULL);
	vma->vm_start = a;
	assert_mm_check();
}

/* A VMA taken out of the tree but left on the list, then put back. */
static void tree_disagrees_with_list(void **state)
{
	struct vm_area_struct *vma, *prev;
	struct rb_node **link, *parent;
	struct mm_struct *mm;
	unsigned long a;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	mm = spawn_and_enter("tree")->mm;
	a = map(PAGE_SIZE, RW, MAP_PRIVATE);
	vma = find_vma(mm, a);
	rb_erase(&vma->vm_rb, &mm->mm_rb);
	expect_problems(1, "VMA [0x7ffff7ffe000, 0x7ffff7fff000) is number 1 on the list but not in the tree", NULL);
	find_vma_prepare(mm, vma->vm_start, &prev, &link, &parent);
	rb_link_node(&vma->vm_rb, parent, link);
	rb_insert_color(&vma->vm_rb, &mm->mm_rb);
	assert_mm_check();

	/* A red root breaks the tree's colouring rules. */
	mm->mm_rb.rb_node->__rb_parent_color &= ~1UL;
	expect_problems(1, "the VMA tree's root is red", NULL);
	mm->mm_rb.rb_node->__rb_parent_color |= 1UL;
	assert_mm_check();
}

/* A list that loops is reported, and the check ends. */
static void vma_list_cycle(void **state)
{
	struct vm_area_struct *stack;
	unsigned long a;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("cycle");
	a = map(PAGE_SIZE, RW, MAP_PRIVATE);
	poke(a);
	stack = find_vma(current->mm, a)->vm_next;
	stack->vm_next = stack;
	expect_problems(1, "VMA [0x7ffffffde000, 0x7ffffffff000) overlaps or precedes [0x7ffffffde000, 0x7ffffffff000) before it on the list (or the list loops)", NULL);
	stack->vm_next = NULL;
	assert_mm_check();
}

static void map_count_and_cache(void **state)
{
	struct task_struct *p, *c;
	unsigned long a;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	p = spawn_and_enter("counts");
	a = map(PAGE_SIZE, RW, MAP_PRIVATE);
	p->mm->map_count++;
	expect_problems(1, "pid 2 (counts): map_count is 3, the list holds 2 VMAs", NULL);
	p->mm->map_count--;

	/* mmap_cache naming a VMA of the child (the copy of a). */
	c = process_fork();
	assert_false(IS_ERR(c));
	p->mm->mmap_cache = find_vma(c->mm, a);
	expect_problems(1, "pid 2 (counts): mmap_cache points at no VMA of this mm", NULL);
	p->mm->mmap_cache = NULL;
	assert_mm_check();
}

/*
 * Two neighbours of the same flags, same (no) file, offsets in line, no
 * anon_vma yet: vma_merge would have made them one.  Offsets out of line,
 * or pages in two different anon_vmas, and they may stay apart.
 */
static void mergeable_but_unmerged(void **state)
{
	struct vm_area_struct *lo, *hi, *far;
	unsigned long a, b, f, flags;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("merge");
	a = map(PAGE_SIZE, RW, MAP_PRIVATE);
	b = map(PAGE_SIZE, PROT_READ, MAP_PRIVATE);
	hi = find_vma(current->mm, a);
	lo = find_vma(current->mm, b);
	assert_true(lo->vm_end == hi->vm_start);
	flags = lo->vm_flags;
	lo->vm_flags = hi->vm_flags;
	expect_problems(1, "VMAs [0x7ffff7ffd000, 0x7ffff7ffe000) and [0x7ffff7ffe000, 0x7ffff7fff000) are mergeable but apart", NULL);

	/* Offsets out of line: not mergeable, nothing to report. */
	lo->vm_pgoff--;
	assert_mm_check();
	lo->vm_pgoff++;

	/* hi's pages in its anon_vma, lo linked to another one (far's): apart they stay. */
	poke(a);
	f = map(PAGE_SIZE, RW | PROT_EXEC, MAP_PRIVATE);
	poke(f);
	far = find_vma(current->mm, f);
	assert_non_null(far->anon_vma);
	assert_true(far->anon_vma != hi->anon_vma);
	assert_int_equal(anon_vma_clone(lo, far), 0);
	lo->anon_vma = far->anon_vma;
	assert_mm_check();
	unlink_anon_vmas(lo);
	expect_problems(1, "are mergeable but apart", NULL);
	lo->vm_flags = flags;
	assert_mm_check();
}

/* The sizes status shows are sums over the VMAs. */
static void vm_sizes(void **state)
{
	struct mm_struct *mm;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	mm = spawn_and_enter("sizes")->mm;
	mm->total_vm += 2;
	expect_problems(1, "total_vm is 35 pages, its VMAs hold 33", NULL);
	mm->total_vm -= 2;
	mm->stack_vm--;
	expect_problems(1, "stack_vm is 32 pages, its VMAs hold 33", NULL);
	mm->stack_vm++;
	mm->locked_vm = 1;
	expect_problems(1, "locked_vm is 1 pages, its VMAs hold 0", NULL);
	mm->locked_vm = 0;
	assert_mm_check();
}

/* ---- page tables ---- */

/* A PTE left where no VMA is (the page above a one-page VMA, in the same table). */
static void pte_outside_any_vma(void **state)
{
	unsigned long a;
	pte_t *pte;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("stray");
	a = map(2 * PAGE_SIZE, RW, MAP_PRIVATE);
	poke(a);
	assert_int_equal(sys_munmap(a + PAGE_SIZE, PAGE_SIZE), 0);
	pte = pte_at(current->mm, a + PAGE_SIZE);
	set_pte(pte, pte_mkspecial(pfn_pte(page_to_pfn(zero_page), PAGE_READONLY)));
	expect_problems(1, "pid 2 (stray): 0x7ffff7ffe000: a present PTE", "outside any VMA");
	pte_clear(pte);
	assert_mm_check();
}

/* The zero page made writable, in a read-only VMA: two problems. */
static void writable_where_it_must_not_be(void **state)
{
	unsigned long r;
	pte_t *pte;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("writable");
	r = map(PAGE_SIZE, PROT_READ, MAP_PRIVATE);
	peek(r);
	pte = pte_at(current->mm, r);
	set_pte(pte, pte_mkwrite(ptep_get(pte)));
	expect_problems(2, "a writable PTE in VMA [0x7ffff7ffe000, 0x7ffff7fff000), which is not writable",
			"maps pfn");
	set_pte(pte, pte_wrprotect(ptep_get(pte)));
	assert_mm_check();
}

/*
 * A PTE write-protected without its flush: the TLB still allows the write
 * (a missed flush); after the flush it agrees.  The other way round -- a
 * TLB entry with fewer rights than the PTE -- is no problem: a spurious
 * fault repairs it (writable_where_it_must_not_be leaves one behind).
 */
static void tlb_contradicts_tables(void **state)
{
	unsigned long r;
	pte_t *pte;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	spawn_and_enter("tlb");
	r = map(PAGE_SIZE, RW, MAP_PRIVATE);
	poke(r);
	pte = pte_at(current->mm, r);
	set_pte(pte, pte_wrprotect(ptep_get(pte)));
	expect_problems(1, "cpu 0: the TLB maps user 0x7ffff7ffe000 to ",
			": writable in the TLB, read-only in the page tables (a missed flush)");
	kmm_tlb_flush_one(r);
	assert_mm_check();
	/* Refilled read-only; the PTE made writable again: the TLB lags safely. */
	peek(r);
	set_pte(pte, pte_mkwrite(ptep_get(pte)));
	assert_mm_check();
}

/* A PTE table where no VMA is: leaked; and nr_ptes that does not count the tables. */
static void page_table_leak_and_nr_ptes(void **state)
{
	struct mm_struct *mm;
	unsigned long heap, addr;
	pmd_t *pmd;
	pte_t *table;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	mm = spawn_and_enter("leak")->mm;
	heap = mm->start_brk;
	assert_int_equal(sys_brk(heap + PAGE_SIZE), heap + PAGE_SIZE);
	poke(heap);
	/* The next PMD span up from the heap's: its PMD table exists, its PTE table not. */
	addr = (heap & PMD_MASK) + PMD_SIZE;
	pmd = pmd_offset(pud_offset(pgd_offset(mm, addr), addr), addr);
	assert_true(pmd_none(pmdp_get(pmd)));
	assert_int_equal(__pte_alloc(mm, pmd, addr), 0);
	expect_problems(1, "a PTE table maps [0x800000, 0xa00000), where no VMA is: leaked", NULL);
	mm->nr_ptes--;
	expect_problems(2, "nr_ptes is 1, the tables hold 2 PTE tables", "leaked");
	table = pmd_page_vaddr(pmdp_get(pmd));
	pmd_clear(pmd);
	mod_page_state(virt_to_page(table), NR_PAGETABLE, -1);
	pte_free_kernel(mm, table);
	assert_mm_check();
}

static void rss_counters(void **state)
{
	struct mm_struct *mm;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	mm = spawn_and_enter("rss")->mm;
	poke(map(3 * PAGE_SIZE, RW, MAP_PRIVATE));
	add_mm_counter(mm, MM_ANONPAGES, 1);
	expect_problems(1, "pid 2 (rss): MM_ANONPAGES is 2, the tables hold 1 such PTEs", NULL);
	add_mm_counter(mm, MM_ANONPAGES, -1);
	add_mm_counter(mm, MM_FILEPAGES, -1);
	expect_problems(1, "MM_FILEPAGES is -1, the tables hold 0 such PTEs", NULL);
	add_mm_counter(mm, MM_FILEPAGES, 1);
	assert_mm_check();
}

/* ---- pages: mapcounts and rmap ---- */

static void mapcount_counts_every_pte(void **state)
{
	struct task_struct *p, *c;
	struct page *page, *lone;
	unsigned long a;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	p = spawn_and_enter("mapcount");
	a = map(PAGE_SIZE, RW, MAP_PRIVATE);
	poke(a);
	c = process_fork();
	assert_false(IS_ERR(c));
	page = page_at(p->mm, a);
	assert_int_equal(page_mapcount(page), 2);

	/* One mapping too many, then one too few. */
	atomic_inc(&page->_mapcount);
	expect_problems(1, "page_mapcount 3, but 2 PTEs map it, mapped at 0x7ffff7ffe000 by pid 2 (mapcount)", NULL);
	atomic_sub(2, &page->_mapcount);
	expect_problems(1, "page_mapcount 1, but 2 PTEs map it", NULL);
	atomic_inc(&page->_mapcount);
	assert_mm_check();

	/* A page that says it is mapped, and no PTE maps it. */
	lone = alloc_page(GFP_HIGHUSER_MOVABLE);
	assert_non_null(lone);
	atomic_set(&lone->_mapcount, 0);
	expect_problems(1, "page_mapcount 1, but 0 PTEs map it", NULL);
	reset_page_mapcount(lone);
	__free_page(lone);
	assert_mm_check();
	(void)c;
}

/* After fork, a private page both map: a writable PTE to it would let one write reach the other. */
static void cow_broken(void **state)
{
	struct task_struct *p, *c;
	unsigned long a;
	pte_t *pte;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	p = spawn_and_enter("cow");
	a = map(PAGE_SIZE, RW, MAP_PRIVATE);
	poke(a);
	c = process_fork();
	assert_false(IS_ERR(c));
	pte = pte_at(p->mm, a);
	assert_false(pte_write(ptep_get(pte)));
	set_pte(pte, pte_mkwrite(ptep_get(pte)));
	expect_problems(1, "pid 2 (cow): 0x7ffff7ffe000: a writable PTE of a private VMA maps pfn",
			"which is mapped 2 times");
	set_pte(pte, pte_wrprotect(ptep_get(pte)));
	assert_mm_check();
}

/* An anonymous page whose anon_vma the VMA is not linked to, or whose index is elsewhere. */
static void anon_page_rmap(void **state)
{
	struct task_struct *p, *q;
	struct address_space *mapping;
	unsigned long a, b;
	struct page *page;

	(void)state;
	boot_or_fail("ram=64M cpus=1");
	q = spawn_and_enter("other");
	b = map(PAGE_SIZE, RW, MAP_PRIVATE);
	poke(b);
	p = spawn_and_enter("rmap");
	a = map(2 * PAGE_SIZE, RW, MAP_PRIVATE);
	poke(a);
	page = page_at(p->mm, a);
	mapping = page->mapping;
	page->mapping = page_at(q->mm, b)->mapping;
	expect_problems(1, "pid 3 (rmap): 0x7ffff7ffd000: anonymous pfn",
			"'s anon_vma is not on the chain of VMA [0x7ffff7ffd000, 0x7ffff7fff000)");
	page->mapping = mapping;
	page->index++;
	expect_problems(1, "has index 0x7ffff7ffe: rmap looks for it at 0x7ffff7ffe000", NULL);
	page->index += 2;
	expect_problems(1, "has index 0x7ffff8000: rmap looks for it outside the VMA", NULL);
	page->index -= 3;
	assert_mm_check();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(healthy_processes_pass_x86_64, teardown_machine),
		cmocka_unit_test_teardown(healthy_processes_pass_i386, teardown_machine),
		cmocka_unit_test_teardown(healthy_processes_pass_i386_pae, teardown_machine),
		cmocka_unit_test_teardown(overlapping_vmas, teardown_machine),
		cmocka_unit_test_teardown(empty_or_unaligned_vma, teardown_machine),
		cmocka_unit_test_teardown(tree_disagrees_with_list, teardown_machine),
		cmocka_unit_test_teardown(vma_list_cycle, teardown_machine),
		cmocka_unit_test_teardown(map_count_and_cache, teardown_machine),
		cmocka_unit_test_teardown(mergeable_but_unmerged, teardown_machine),
		cmocka_unit_test_teardown(vm_sizes, teardown_machine),
		cmocka_unit_test_teardown(pte_outside_any_vma, teardown_machine),
		cmocka_unit_test_teardown(writable_where_it_must_not_be, teardown_machine),
		cmocka_unit_test_teardown(tlb_contradicts_tables, teardown_machine),
		cmocka_unit_test_teardown(page_table_leak_and_nr_ptes, teardown_machine),
		cmocka_unit_test_teardown(rss_counters, teardown_machine),
		cmocka_unit_test_teardown(mapcount_counts_every_pte, teardown_machine),
		cmocka_unit_test_teardown(cow_broken, teardown_machine),
		cmocka_unit_test_teardown(anon_page_rmap, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
