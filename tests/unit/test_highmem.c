/*
 * test_highmem.c - kernel addresses of highmem pages: the pkmap window's
 * counts (0 free, 1 awaiting a flush, n: n - 1 users), the wrap that
 * retires unused entries with one TLB flush, kmap sleeping when every entry
 * is taken, the per-CPU kmap_atomic slots at their fixmap addresses, and
 * i386's direct map stopping at lowmem.
 *
 * The numbers, from include/kmm/asm/fixmap.h (2.6.34's formulas):
 *
 *   i386:  PKMAP_BASE 0xff400000, LAST_PKMAP 1024: entry n at 0xff400000 + n pages
 *   PAE:   PKMAP_BASE 0xff600000, LAST_PKMAP 512
 *   both:  FIXADDR_TOP 0xfffff000, FIX_KMAP_BEGIN 70, KM_TYPE_NR 19, KM_USER0 3:
 *          CPU c's slot of type t is fixmap index 70 + t + 19c, at
 *          0xfffff000 - (70 + t + 19c) pages; CPU 1 KM_USER0: 70 + 3 + 19 = 92,
 *          0xfffff000 - 0x5c000 = 0xfffa3000; CPU 0 KM_USER0: 73 -> 0xfffb6000;
 *          CPU 0 KM_USER1: 74 -> 0xfffb5000.
 *
 * The search for an entry starts after last_pkmap_nr, which starts at 0:
 * the first kmap of a boot takes entry 1, the next ones 2, 3...; entry 0
 * comes last, when the circle wraps, and the wrap is where count-1 entries
 * are retired.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/highmem.h>
#include <kmm/kmm.h>
#include <kmm/kthread.h>
#include <kmm/mm.h>
#include <kmm/mm_check.h>
#include <kmm/pgtable.h>
#include <kmm/sched.h>
#include <kmm/asm/fixmap.h>
#include "arch/x86/kernel_map.h"
#include "hw/mmu.h"
#include "hw/ram.h"
#include "tests/harness.h"

#define I386_PKMAP	0xff400000UL
#define PAE_PKMAP	0xff600000UL

static struct page *highpage(void)
{
	struct page *page = alloc_page(GFP_HIGHUSER);

	assert_non_null(page);
	assert_true(PageHighMem(page));
	return page;
}

static unsigned long linux_addr(const void *p)
{
	return (unsigned long)kaddr_to_linux(p);
}

static pte_t kernel_pte(unsigned long addr)
{
	unsigned int level;
	pte_t *pte = lookup_address(addr, &level);

	return pte && level == PG_LEVEL_4K ? ptep_get(pte) : __pte(0);
}

/* Full TLB flushes each CPU has seen since boot. */
static u64 flushes_all(int cpu)
{
	struct hw_tlb_stats s;

	hw_tlb_stats(cpu, &s);
	return s.flush_all;
}

static u64 flushes_one(int cpu)
{
	struct hw_tlb_stats s;

	hw_tlb_stats(cpu, &s);
	return s.flush_one;
}

static struct kmap_stats kstats(void)
{
	struct kmap_stats st;

	kmap_get_stats(&st);
	return st;
}

/* ---- the counts ---- */

/*
 * One highmem page, kmapped twice, kunmapped twice:
 *   kmap      entry 1 taken (count 1), one user: count 2, address 0xff401000
 *   kmap      the same entry, count 3 (2 users)
 *   kunmap    count 2
 *   kunmap    count 1: no user, but still mapped (PTE, page_address) until a flush
 *   kmap      entry 1 again (its PTE still names the page): count 2, no new entry
 *   kunmap    count 1
 *   kmap_flush_unused   count 0, PTE cleared, page_address NULL; one full
 *             flush on each CPU
 */
static void pkmap_counts_zero_one_n(void **state)
{
	struct page *page;
	u64 f0, f1;
	void *a, *b;

	boot_or_fail("arch=i386 ram=2G cpus=2");
	page = highpage();
	assert_null(page_address(page));
	assert_int_equal(kmap_pkmap_nr(page), -1);
	assert_int_equal(kmap_pkmap_count(1), 0);

	a = kmap(page);
	assert_int_equal(linux_addr(a), I386_PKMAP + PAGE_SIZE);
	assert_ptr_equal(page_address(page), a);
	assert_int_equal(kmap_pkmap_nr(page), 1);
	assert_int_equal(kmap_pkmap_count(1), 2);
	assert_int_equal(pte_pfn(kernel_pte(I386_PKMAP + PAGE_SIZE)), page_to_pfn(page));
	b = kmap(page);
	assert_ptr_equal(b, a);
	assert_int_equal(kmap_pkmap_count(1), 3);
	assert_int_equal(kstats().users, 2);
	assert_mm_check();

	kunmap(page);
	assert_int_equal(kmap_pkmap_count(1), 2);
	kunmap(page);
	assert_int_equal(kmap_pkmap_count(1), 1);
	assert_ptr_equal(page_address(page), a);
	assert_true(pte_present(kernel_pte(I386_PKMAP + PAGE_SIZE)));
	assert_true(host_accessible(a));
	assert_int_equal(kstats().users, 0);
	assert_int_equal(kstats().entries, 1);
	assert_mm_check();

	assert_ptr_equal(kmap(page), a);
	assert_int_equal(kmap_pkmap_count(1), 2);
	assert_int_equal(kmap_pkmap_count(2), 0);
	kunmap(page);

	f0 = flushes_all(0);
	f1 = flushes_all(1);
	kmap_flush_unused();
	assert_int_equal(kmap_pkmap_count(1), 0);
	assert_null(page_address(page));
	assert_true(pte_none(kernel_pte(I386_PKMAP + PAGE_SIZE)));
	assert_false(host_accessible(a));
	assert_int_equal(flushes_all(0), f0 + 1);
	assert_int_equal(flushes_all(1), f1 + 1);
	assert_int_equal(kstats().flushes, 1);
	/* Nothing left to retire: no flush. */
	kmap_flush_unused();
	assert_int_equal(flushes_all(0), f0 + 1);
	__free_page(page);
	assert_mm_check();
}

/* kunmap of a page that no kmap mapped: BUG, as in Linux. */
static void kunmap_unmapped_is_a_bug(void **state)
{
	struct page *page;

	boot_or_fail("arch=i386 ram=2G");
	page = highpage();
	EXPECT_KERNEL_STOP(kunmap(page));
	assert_true(dmesg_has("kunmap: pfn "));
}

/* One kunmap too many: the count would fall from 1 to 0 without a flush, a BUG. */
static void kunmap_once_too_often_is_a_bug(void **state)
{
	struct page *page;

	boot_or_fail("arch=i386 ram=2G");
	page = highpage();
	kmap(page);
	kunmap(page);
	assert_int_equal(kmap_pkmap_count(1), 1);
	EXPECT_KERNEL_STOP(kunmap(page));
}

/* ---- the wrap ---- */

/*
 * LAST_PKMAP pages kmapped: page i takes entry i + 1, the last one entry 0
 * (the circle wrapped at it, retiring nothing: no flush).  A kernel read
 * of entry 5's address on each CPU leaves a TLB entry there.  All kunmapped:
 * every count is 1, nothing flushed, so CPU 1 still translates entry 5 from
 * its TLB (and the PTE is still there).  The next kmap finds no entry at 0
 * in a whole turn until the circle passes 0 again: that wrap retires all
 * LAST_PKMAP entries with exactly one flush on each CPU, and the new page
 * gets entry 0.  Afterwards entry 5 is unmapped and no CPU translates it.
 */
static void wrap_flushes_once(const char *cmdline, unsigned long pkmap_base, unsigned int last)
{
	struct page **pages = calloc(last, sizeof(*pages));
	struct page *next;
	unsigned long e5 = pkmap_base + 5 * PAGE_SIZE;
	u64 f0, f1;
	char c;

	boot_or_fail(cmdline);
	assert_int_equal(PKMAP_BASE, pkmap_base);
	assert_int_equal(LAST_PKMAP, last);
	f0 = flushes_all(0);
	f1 = flushes_all(1);
	for (unsigned int i = 0; i < last; i++) {
		pages[i] = highpage();
		*(char *)kmap(pages[i]) = (char)i;
		assert_int_equal(kmap_pkmap_nr(pages[i]), (i + 1) % last);
	}
	assert_int_equal(kstats().entries, last);
	assert_int_equal(flushes_all(0), f0);
	assert_int_equal(kmm_kernel_read(e5, &c, 1), 0);
	assert_int_equal(c, 4);
	assert_int_equal(kmm_set_cpu(1), 0);
	assert_int_equal(kmm_kernel_read(e5, &c, 1), 0);
	assert_int_equal(kmm_set_cpu(0), 0);

	for (unsigned int i = 0; i < last; i++)
		kunmap(pages[i]);
	for (unsigned int nr = 0; nr < last; nr++)
		assert_int_equal(kmap_pkmap_count(nr), 1);
	assert_int_equal(flushes_all(0), f0);
	assert_int_equal(flushes_all(1), f1);
	assert_mm_check();

	next = highpage();
	assert_int_equal(linux_addr(kmap(next)), pkmap_base);
	assert_int_equal(kmap_pkmap_nr(next), 0);
	assert_int_equal(flushes_all(0), f0 + 1);
	assert_int_equal(flushes_all(1), f1 + 1);
	assert_int_equal(kstats().flushes, 1);
	for (unsigned int nr = 1; nr < last; nr++)
		assert_int_equal(kmap_pkmap_count(nr), 0);
	assert_null(page_address(pages[5]));
	assert_true(pte_none(kernel_pte(e5)));
	/* The stale translations went with the flush: a read of entry 5 is an oops now. */
	assert_int_equal(kmm_set_cpu(1), 0);
	assert_int_equal(kmm_kernel_read(e5, &c, 1), -EFAULT);
	assert_int_equal(kmm_set_cpu(0), 0);
	assert_int_equal(kmm_kernel_read(e5, &c, 1), -EFAULT);
	kunmap(next);
	__free_page(next);
	for (unsigned int i = 0; i < last; i++)
		__free_page(pages[i]);
	free(pages);
	assert_mm_check();
}

static void wrap_flushes_once_i386(void **state)
{
	wrap_flushes_once("arch=i386 ram=2G cpus=2", I386_PKMAP, 1024);
}

static void wrap_flushes_once_pae(void **state)
{
	wrap_flushes_once("arch=i386 pae ram=2G cpus=2", PAE_PKMAP, 512);
}

/*
 * An entry at count 1 is not reused before the wrap: page A kmapped and
 * kunmapped (entry 1, count 1), then B and C take entries 2 and 3, not 1.
 */
static void unused_entry_waits_for_the_wrap(void **state)
{
	struct page *a, *b, *c;

	boot_or_fail("arch=i386 ram=2G");
	a = highpage();
	b = highpage();
	c = highpage();
	kmap(a);
	kunmap(a);
	kmap(b);
	kmap(c);
	assert_int_equal(kmap_pkmap_nr(a), 1);
	assert_int_equal(kmap_pkmap_nr(b), 2);
	assert_int_equal(kmap_pkmap_nr(c), 3);
	assert_int_equal(kstats().flushes, 0);
	kunmap(b);
	kunmap(c);
	assert_mm_check();
}

/*
 * The host-mapping budget never refuses a kmap (Linux's cannot fail): with
 * host_maps=1, a kmap and a kmap_atomic are counted apart (fixed_maps) and
 * leave the budget's one mapping to vmalloc and the like.
 */
static void kmaps_are_never_refused(void **state)
{
	struct kernel_map_stats st;
	struct page *a, *b;
	char *p;

	boot_or_fail("arch=i386 ram=2G host_maps=1");
	a = highpage();
	b = highpage();
	kmap(a);
	p = kmap_atomic(b, KM_USER0);
	kernel_map_stats(&st);
	assert_int_equal(st.host_maps, 2);
	assert_int_equal(st.fixed_maps, 2);
	kunmap_atomic(p, KM_USER0);
	/*
	 * The budget's one mapping is still there for the vmalloc area, and
	 * only one.  (A release build keeps the slot's host mirror until the
	 * slot is used again: still a host mapping, still counted apart.)
	 */
	assert_int_equal(arch_map_kernel_pages(VMALLOC_START, &a, 1, PAGE_KERNEL), 0);
	assert_int_equal(arch_map_kernel_pages(VMALLOC_START + 2 * PAGE_SIZE, &b, 1, PAGE_KERNEL),
			 -ENOMEM);
	kernel_map_stats(&st);
	assert_int_equal(st.host_maps, KMM_DEBUG ? 2 : 3);
	assert_int_equal(st.fixed_maps, KMM_DEBUG ? 1 : 2);
	arch_unmap_kernel_range(VMALLOC_START, PAGE_SIZE);
	kunmap(a);
	kmap_flush_unused();
	kernel_map_stats(&st);
	assert_int_equal(st.host_maps, KMM_DEBUG ? 0 : 1);
	assert_int_equal(st.fixed_maps, KMM_DEBUG ? 0 : 1);
	assert_int_equal(st.refused, 1);
	assert_mm_check();
}

/* ---- sleeping for an entry ---- */

struct sleeper {
	struct page *page;
	void *addr;
};

static int kmap_one(void *data)
{
	struct sleeper *s = data;

	s->addr = kmap(s->page);
	return 0;
}

/*
 * Every entry taken by init (1024 kmaps: entries 1..1023, then 0; after it
 * last_pkmap_nr is 0).  A's kmap searches: entries 1..1023, the wrap at 0
 * (nothing at count 1: no flush), 0..1023 again: a whole turn in vain, so
 * A sleeps in kmap_high.  init kunmaps the page of entry 7: count 1, and A
 * is woken (runnable, not running: init goes on).  When init yields, A
 * searches again from 1023: the wrap at 0 retires entry 7 with one flush
 * on each CPU, and A's page gets entry 7, 0xff407000.
 */
static void kmap_sleeps_until_kunmap(void **state)
{
	struct page *pages[1024];
	struct sleeper s;
	struct task_struct *a;
	u64 f0, f1;

	boot_or_fail("arch=i386 ram=2G cpus=2");
	for (int i = 0; i < 1024; i++) {
		pages[i] = highpage();
		kmap(pages[i]);
	}
	s.page = highpage();
	s.addr = NULL;
	f0 = flushes_all(0);
	f1 = flushes_all(1);
	a = kthread_run(kmap_one, &s, "A");
	assert_false(IS_ERR(a));
	yield();
	assert_int_equal(a->state, TASK_UNINTERRUPTIBLE);
	assert_string_equal(a->wchan, "kmap_high");
	assert_null(s.addr);
	assert_int_equal(kstats().sleepers, 1);
	assert_int_equal(kstats().waits, 1);
	assert_int_equal(flushes_all(0), f0);

	kunmap(pages[6]);		/* entry 7 */
	assert_int_equal(a->state, TASK_RUNNING);
	assert_null(s.addr);
	yield();
	assert_non_null(s.addr);
	assert_int_equal(linux_addr(s.addr), I386_PKMAP + 7 * PAGE_SIZE);
	assert_int_equal(flushes_all(0), f0 + 1);
	assert_int_equal(flushes_all(1), f1 + 1);
	assert_int_equal(kthread_stop(a), 0);
	assert_int_equal(kstats().sleepers, 0);
	assert_int_equal(kstats().waits, 1);
	kunmap(s.page);
	for (int i = 0; i < 1024; i++)
		if (i != 6)
			kunmap(pages[i]);
	assert_mm_check();
}

/*
 * The page the sleeper wants may be kmapped by someone else meanwhile:
 * then that mapping is the answer.  init fills every entry, A sleeps for
 * page P; init kunmaps entry 7's page (waking A) and kmaps P itself
 * (entry 7, after the wrap's flush).  A finds P mapped: same address,
 * count 3.
 */
static void sleeper_finds_its_page_mapped(void **state)
{
	struct page *pages[1024];
	struct sleeper s;
	struct task_struct *a;
	void *mine;

	boot_or_fail("arch=i386 ram=2G");
	for (int i = 0; i < 1024; i++) {
		pages[i] = highpage();
		kmap(pages[i]);
	}
	s.page = highpage();
	s.addr = NULL;
	a = kthread_run(kmap_one, &s, "A");
	yield();
	assert_int_equal(a->state, TASK_UNINTERRUPTIBLE);
	kunmap(pages[6]);
	mine = kmap(s.page);
	assert_int_equal(linux_addr(mine), I386_PKMAP + 7 * PAGE_SIZE);
	yield();
	assert_ptr_equal(s.addr, mine);
	assert_int_equal(kmap_pkmap_count(7), 3);
	assert_int_equal(kthread_stop(a), 0);
	kunmap(s.page);
	kunmap(s.page);
	for (int i = 0; i < 1024; i++)
		if (i != 6)
			kunmap(pages[i]);
	assert_mm_check();
}

/* ---- atomic mappings ---- */

/*
 * CPU 1's KM_USER0 slot is fixmap index 92, 0xfffa3000 (see the top).
 * Bytes written there are the page's: kmap() of the page (a pkmap address)
 * and a kernel read of 0xfffa3000 through CPU 1's MMU see them.  Inside,
 * page faults are disabled (preempt_count counts it); after kunmap_atomic
 * the slot's PTE and host mapping are gone, with one invlpg on CPU 1.
 */
static void kmap_atomic_slot_of_cpu_and_type(void **state)
{
	struct page *page;
	char *p, *q;
	char c;
	u64 one;

	boot_or_fail("arch=i386 ram=2G cpus=2");
	page = highpage();
	assert_int_equal(kmm_set_cpu(1), 0);
	one = flushes_one(1);
	p = kmap_atomic(page, KM_USER0);
	assert_int_equal(linux_addr(p), 0xfffa3000UL);
	assert_int_equal(linux_addr(p), __fix_to_virt(FIX_KMAP_BEGIN + KM_USER0 + KM_TYPE_NR * 1));
	assert_true(in_atomic());
	assert_null(page_address(page));	/* an atomic mapping is its CPU's alone */
	assert_ptr_equal(kmap_atomic_to_page(p + 100), page);
	memset(p, 0, PAGE_SIZE);
	strcpy(p + 10, "through the slot");
	assert_int_equal(kmm_kernel_read(0xfffa3000UL + 10, &c, 1), 0);
	assert_int_equal(c, 't');
	kunmap_atomic(p + 10, KM_USER0);	/* any address inside the page */
	assert_false(in_atomic());
	assert_int_equal(flushes_one(1), one + 1);
	assert_true(pte_none(kernel_pte(0xfffa3000UL)));
	assert_int_equal(kmm_kernel_read(0xfffa3000UL + 10, &c, 1), -EFAULT);
	/* The host mirror goes too in debug builds; release builds keep it for the next use. */
	assert_int_equal(host_accessible(p), !KMM_DEBUG);
	assert_int_equal(kmm_set_cpu(0), 0);

	q = kmap(page);
	assert_string_equal(q + 10, "through the slot");
	kunmap(page);
	assert_mm_check();
}

/*
 * A slot used for page A, then B, then A again shows each page's bytes:
 * the host mirror a release build keeps after kunmap_atomic is replaced
 * when another frame comes, and reused (no host call) for the same one.
 * One host mapping throughout in a release build, none left in debug.
 */
static void slot_reused_for_other_pages(void **state)
{
	struct kernel_map_stats st;
	struct page *a, *b;
	char *p;

	boot_or_fail("arch=i386 ram=2G");
	a = highpage();
	b = highpage();
	p = kmap_atomic(a, KM_USER0);
	memset(p, 'A', PAGE_SIZE);
	kunmap_atomic(p, KM_USER0);
	p = kmap_atomic(b, KM_USER0);
	memset(p, 'B', PAGE_SIZE);
	kunmap_atomic(p, KM_USER0);
	p = kmap_atomic(a, KM_USER0);
	assert_int_equal(p[PAGE_SIZE / 2], 'A');
	kunmap_atomic(p, KM_USER0);
	p = kmap_atomic(a, KM_USER0);
	assert_int_equal(p[1], 'A');
	kunmap_atomic(p, KM_USER0);
	p = kmap_atomic(b, KM_USER0);
	assert_int_equal(p[2], 'B');
	kernel_map_stats(&st);
	assert_int_equal(st.host_maps, 1);
	kunmap_atomic(p, KM_USER0);
	kernel_map_stats(&st);
	assert_int_equal(st.host_maps, KMM_DEBUG ? 0 : 1);
	assert_int_equal(kstats().atomic_maps, 5);
	assert_mm_check();
}

/*
 * Two types live at once on CPU 0 (KM_USER0 at 0xfffb6000, KM_USER1 at
 * 0xfffb5000), as copy_highpage uses them; a second KM_USER0 while the
 * first is held is a BUG.
 */
static void kmap_atomic_two_types_nest(void **state)
{
	struct page *a, *b;
	char *pa, *pb;

	boot_or_fail("arch=i386 ram=2G cpus=2");
	a = highpage();
	b = highpage();
	pa = kmap_atomic(a, KM_USER0);
	pb = kmap_atomic(b, KM_USER1);
	assert_int_equal(linux_addr(pa), 0xfffb6000UL);
	assert_int_equal(linux_addr(pb), 0xfffb5000UL);
	memset(pa, 'a', PAGE_SIZE);
	memset(pb, 'b', PAGE_SIZE);
	assert_int_equal(preempt_count(), 2);
	kunmap_atomic(pb, KM_USER1);
	kunmap_atomic(pa, KM_USER0);
	copy_highpage(b, a);
	pb = kmap_atomic(b, KM_USER1);
	assert_int_equal(pb[PAGE_SIZE - 1], 'a');
	kunmap_atomic(pb, KM_USER1);
	assert_mm_check();
	pa = kmap_atomic(a, KM_USER0);
	EXPECT_KERNEL_STOP(kmap_atomic(b, KM_USER0));
}

/*
 * mm_check finds a slot left mapped with no one inside kmap_atomic, and a
 * slot in use that is not mapped.
 */
static void check_sees_a_stray_slot(void **state)
{
	struct page *page;
	unsigned long slot = 0xfffb6000UL;	/* CPU 0, KM_USER0 */
	char *p;

	boot_or_fail("arch=i386 ram=2G");
	page = highpage();
	assert_int_equal(arch_map_kernel_pages(slot, &page, 1, PAGE_KERNEL), 0);
	assert_int_equal(mm_check(NULL), 1);
	arch_unmap_kernel_range(slot, PAGE_SIZE);
	assert_int_equal(mm_check(NULL), 0);
	p = kmap_atomic(page, KM_USER0);
	arch_unmap_kernel_range(slot, PAGE_SIZE);
	/* mm_check may sleep (it takes mutexes): step outside the atomic section to call it. */
	pagefault_enable();
	assert_int_equal(mm_check(NULL), 1);
	pagefault_disable();
	assert_int_equal(arch_map_kernel_pages(slot, &page, 1, PAGE_KERNEL), 0);
	kunmap_atomic(p, KM_USER0);
	assert_mm_check();
}

/*
 * kmap_atomic_pfn maps any frame through the slot on i386, lowmem too;
 * kmap_atomic of a lowmem page is its direct-map address.
 */
static void kmap_atomic_pfn_uses_the_slot(void **state)
{
	struct page *low;
	char *p;

	boot_or_fail("arch=i386 ram=2G");
	low = alloc_page(GFP_KERNEL);
	memset(page_address(low), 'L', PAGE_SIZE);
	p = kmap_atomic_pfn(page_to_pfn(low), KM_USER1);
	assert_int_equal(linux_addr(p), 0xfffb5000UL);
	assert_int_equal(p[17], 'L');
	assert_ptr_equal(kmap_atomic_to_page(p), low);
	kunmap_atomic(p, KM_USER1);
	p = kmap_atomic(low, KM_USER0);
	assert_ptr_equal(p, page_address(low));
	assert_true(in_atomic());
	kunmap_atomic(p, KM_USER0);
	assert_false(in_atomic());
	__free_page(low);
	assert_mm_check();
}

/* ---- lowmem and x86_64: the direct map ---- */

static void direct_map_pages(const char *cmdline)
{
	struct page *page;
	void *va;

	boot_or_fail(cmdline);
	page = alloc_page(GFP_HIGHUSER);	/* lowmem on x86_64 */
	if (PageHighMem(page)) {
		__free_page(page);
		page = alloc_page(GFP_KERNEL);
	}
	va = __va(page_to_phys(page));
	assert_ptr_equal(page_address(page), va);
	assert_ptr_equal(kmap(page), va);
	assert_int_equal(kmap_pkmap_nr(page), -1);
	assert_int_equal(kstats().users, 0);
	kunmap(page);
	assert_ptr_equal(kmap_atomic(page, KM_USER0), va);
	assert_ptr_equal(kmap_atomic_to_page(va), page);
	kunmap_atomic(va, KM_USER0);
	assert_int_equal(preempt_count(), 0);
	assert_int_equal(kstats().atomic_maps, 0);
	__free_page(page);
	assert_mm_check();
}

static void lowmem_pages_use_the_direct_map(void **state)
{
	direct_map_pages("arch=i386 ram=2G");
}

static void x86_64_uses_the_direct_map(void **state)
{
	direct_map_pages("ram=64M");
}

/* ---- i386: the direct map ends at lowmem ---- */

/*
 * A highmem page has no kernel address: page_address() is NULL, and its
 * would-be direct-map address (hw_ram_base + pa) is no memory of this
 * program: a write() from it fails with EFAULT.  kmapped, it has one; the
 * last lowmem page's direct-map address is fine.  The machine itself (the
 * MMU's copies, hw_phys_base) still reaches every byte.
 */
static void highmem_has_no_address_until_kmapped(void **state)
{
	struct page *page;
	char *k;

	boot_or_fail("arch=i386 ram=2G");
	assert_int_equal(hw_direct_size, 896ULL << 20);
	page = highpage();
	assert_null(page_address(page));
	assert_false(host_accessible(hw_ram_base + page_to_phys(page)));
	assert_false(virt_addr_in_ram(hw_ram_base + page_to_phys(page)));
	assert_true(host_accessible(hw_ram_base + (896ULL << 20) - 1));
	k = kmap(page);
	assert_true(host_accessible(k));
	strcpy(k, "high");
	assert_string_equal(hw_phys_base + page_to_phys(page), "high");
	kunmap(page);
	if (KMM_DEBUG)
		EXPECT_KERNEL_STOP(__va(page_to_phys(page)));
}

/* x86_64 keeps one mapping for everything: the direct map is the machine's view. */
static void x86_64_direct_map_is_all_ram(void **state)
{
	boot_or_fail("ram=64M");
	assert_int_equal(hw_direct_size, hw_ram_size);
	assert_ptr_equal(hw_phys_base, hw_ram_base);
}

/*
 * __GFP_ZERO of a highmem page clears it through kmap_atomic: the page,
 * dirtied and freed, comes back from the per-CPU list (hot, LIFO) zeroed;
 * the slot was used (one atomic map) and is free again.
 */
static void gfp_zero_clears_highmem(void **state)
{
	struct page *page, *again;
	char *k;

	boot_or_fail("arch=i386 ram=2G");
	page = highpage();
	k = kmap(page);
	memset(k, 0xab, PAGE_SIZE);
	kunmap(page);
	__free_page(page);
	again = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
	assert_ptr_equal(again, page);
	assert_int_equal(kstats().atomic_maps, 1);
	k = kmap(again);
	for (int i = 0; i < (int)PAGE_SIZE; i++)
		if (k[i])
			fail_msg("byte %d is %#x", i, k[i] & 0xff);
	kunmap(again);
	__free_page(again);
	assert_mm_check();
}

/* An order-2 highmem block with __GFP_ZERO: each of its four pages through the slot. */
static void gfp_zero_clears_each_page_of_a_block(void **state)
{
	struct page *block;

	boot_or_fail("arch=i386 pae ram=2G");
	block = alloc_pages(GFP_HIGHUSER | __GFP_ZERO, 2);
	assert_non_null(block);
	assert_true(PageHighMem(block));
	assert_int_equal(kstats().atomic_maps, 4);
	__free_pages(block, 2);
	assert_mm_check();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(pkmap_counts_zero_one_n, teardown_machine),
		cmocka_unit_test_teardown(kunmap_unmapped_is_a_bug, teardown_machine),
		cmocka_unit_test_teardown(kunmap_once_too_often_is_a_bug, teardown_machine),
		cmocka_unit_test_teardown(wrap_flushes_once_i386, teardown_machine),
		cmocka_unit_test_teardown(wrap_flushes_once_pae, teardown_machine),
		cmocka_unit_test_teardown(unused_entry_waits_for_the_wrap, teardown_machine),
		cmocka_unit_test_teardown(kmaps_are_never_refused, teardown_machine),
		cmocka_unit_test_teardown(kmap_sleeps_until_kunmap, teardown_machine),
		cmocka_unit_test_teardown(sleeper_finds_its_page_mapped, teardown_machine),
		cmocka_unit_test_teardown(kmap_atomic_slot_of_cpu_and_type, teardown_machine),
		cmocka_unit_test_teardown(slot_reused_for_other_pages, teardown_machine),
		cmocka_unit_test_teardown(kmap_atomic_two_types_nest, teardown_machine),
		cmocka_unit_test_teardown(check_sees_a_stray_slot, teardown_machine),
		cmocka_unit_test_teardown(kmap_atomic_pfn_uses_the_slot, teardown_machine),
		cmocka_unit_test_teardown(lowmem_pages_use_the_direct_map, teardown_machine),
		cmocka_unit_test_teardown(x86_64_uses_the_direct_map, teardown_machine),
		cmocka_unit_test_teardown(highmem_has_no_address_until_kmapped, teardown_machine),
		cmocka_unit_test_teardown(x86_64_direct_map_is_all_ram, teardown_machine),
		cmocka_unit_test_teardown(gfp_zero_clears_highmem, teardown_machine),
		cmocka_unit_test_teardown(gfp_zero_clears_each_page_of_a_block, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
