/*
 * test_vmalloc.c - the vmalloc area: where ranges go (lowest fit, the
 * guard page and 2.6.34's extra page, alignment), lazy freeing and its
 * one flush per batch, the pages array (kmalloc up to a page of it, a
 * nested vmalloc beyond), memory reached through the host pointer, the
 * views (/proc/vmallocinfo line for line, /proc/meminfo), ioremap,
 * failures that unwind to the last page and object, the host mapping
 * budget, and the three paging modes.
 *
 * Expected addresses are derived by hand in the comments.  The rules:
 * an area is the size asked, rounded up to pages, plus one guard page; a
 * new area goes at the lowest address at or above VMALLOC_START that fits,
 * where an area already there pushes the next candidate to one page past
 * its end (so areas placed one after another are [data][guard][gap]).
 * x86_64: VMALLOC_START = 0xffffc90000000000 ("S" below), VMALLOC_END =
 * 0xffffe8ffffffffff; i386: 0xf8800000 to 0xff3fe000 (27646 pages); PAE:
 * 0xf8800000 to 0xff5fe000 (28158 pages).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <kmm/errno.h>
#include <kmm/fault-inject.h>
#include <kmm/gfp.h>
#include <kmm/highmem.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/pgtable.h>
#include <kmm/procfs.h>
#include <kmm/sched.h>
#include <kmm/slab.h>
#include <kmm/vmalloc.h>
#include <kmm/vmstat.h>
#include "arch/x86/kernel_map.h"
#include "hw/mmu.h"
#include "tests/harness.h"

#define S64		0xffffc90000000000UL
#define S32		0xf8800000UL
#define P		PAGE_SIZE

/* The allocations that follow name "test:@line" as their caller. */
static void at(int line)
{
	current->call_site = line ? SITE(line) : 0;
}

static struct vmalloc_lazy_stats lazy(void)
{
	struct vmalloc_lazy_stats st;

	vmalloc_get_lazy_stats(&st);
	return st;
}

/* TLB flushes of everything CPU 0 has done (flush_tlb_kernel_range is one on each CPU). */
static unsigned long cpu0_flushes(void)
{
	struct hw_tlb_stats st;

	hw_tlb_stats(0, &st);
	return st.flush_all;
}

/* The number after "@key" in /proc/meminfo. */
static unsigned long meminfo(const char *key)
{
	const char *p = strstr(proc_text("/proc/meminfo"), key);
	unsigned long v = ~0UL;

	assert_non_null(p);
	assert_int_equal(sscanf(p + strlen(key), " %lu kB", &v), 1);
	return v;
}

/* ---- where areas go ---- */

/*
 * vmalloc(1) takes one page and its guard: [S, S + 0x2000).  The next
 * search starts at S, meets that area and moves to one page past its end:
 * vmalloc(4096) lands at S + 0x3000 and ends at 0x5000; vmalloc(3 pages +
 * 1 byte) is 4 pages and a guard at 0x6000-0xb000.  Each guard page has
 * no PTE and faults on the host; the data pages do not.
 */
static void first_area_at_vmalloc_start(void **state)
{
	char *a, *b, *c;

	boot_with_sites("ram=64M cpus=1");
	assert_string_equal(proc_text("/proc/vmallocinfo"), "");
	at(10);
	a = vmalloc(1);
	at(11);
	b = vmalloc(P);
	at(12);
	c = vmalloc(3 * P + 1);
	at(0);
	assert_int_equal(kernel_linux_addr(a), S64);
	assert_int_equal(kernel_linux_addr(b), S64 + 0x3000);
	assert_int_equal(kernel_linux_addr(c), S64 + 0x6000);
	assert_string_equal(proc_text("/proc/vmallocinfo"),
			    "0xffffc90000000000-0xffffc90000002000    8192 test:10 pages=1 vmalloc N0=1\n"
			    "0xffffc90000003000-0xffffc90000005000    8192 test:11 pages=1 vmalloc N0=1\n"
			    "0xffffc90000006000-0xffffc9000000b000   20480 test:12 pages=4 vmalloc N0=4\n");
	assert_true(kernel_pte_mapped(S64));
	assert_false(kernel_pte_mapped(S64 + P));		/* a's guard */
	assert_false(kernel_pte_mapped(S64 + 2 * P));		/* the page 2.6.34 skips */
	assert_true(kernel_pte_mapped(S64 + 0x9000));
	assert_false(kernel_pte_mapped(S64 + 0xa000));		/* c's guard */
	assert_true(host_accessible(a));
	assert_false(host_accessible(a + P));
	assert_true(host_accessible(c + 4 * P - 1));
	assert_false(host_accessible(c + 4 * P));
	assert_ptr_equal(find_vm_area(b)->addr, b);
	assert_int_equal(find_vm_area(c)->size, 5 * P);
	assert_int_equal(get_vm_area_size(find_vm_area(c)), 4 * P);
	assert_null(find_vm_area(c + P));
	assert_true(is_vmalloc_addr(c + 100));
	assert_false(is_vmalloc_addr(&state));
	vfree(a);
	vfree(b);
	vfree(c);
	assert_mm_check();
}

/*
 * Alignment and the lowest fit.  a = [S, S+0x2000).  A 64K-aligned page:
 * ALIGN(S) = S meets a, next candidate ALIGN(S + 0x3000, 64K) = S +
 * 0x10000.  Then a page goes in the hole below it: S meets a, S + 0x3000
 * ends at 0x5000 <= 0x10000, fits.  13 pages (14 with the guard, 0xe000):
 * S + 0x6000 would end at 0x14000 > 0x10000, so past the aligned area: its
 * end 0x12000 + a page = S + 0x13000.  8 pages (0x9000) fit at S + 0x6000,
 * ending at 0xf000.  A 2M-aligned page: every candidate rounds up to S +
 * 0x200000.
 */
static void alignment_and_lowest_fit(void **state)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_HIGHMEM;
	void *a, *b, *c, *d, *e, *f;
	struct vm_struct *g;

	boot_with_sites("ram=64M cpus=1");
	a = vmalloc(P);
	b = __vmalloc_node(P, 0x10000, gfp, PAGE_KERNEL, -1, NULL);
	c = vmalloc(P);
	d = vmalloc(13 * P);
	e = vmalloc(8 * P);
	f = __vmalloc_node(P, 2UL << 20, gfp, PAGE_KERNEL, -1, NULL);
	assert_int_equal(kernel_linux_addr(a), S64);
	assert_int_equal(kernel_linux_addr(b), S64 + 0x10000);
	assert_int_equal(kernel_linux_addr(c), S64 + 0x3000);
	assert_int_equal(kernel_linux_addr(d), S64 + 0x13000);
	assert_int_equal(kernel_linux_addr(e), S64 + 0x6000);
	assert_int_equal(kernel_linux_addr(f), S64 + 0x200000);
	assert_mm_check();
	vfree(f);
	vfree(e);
	vfree(d);
	vfree(c);
	vfree(b);
	vfree(a);
	vm_unmap_aliases();
	/*
	 * An ioremap area of 4 pages is aligned to 2^fls(0x4000) = 32K, the
	 * first candidate too: from S + 0x1000 the search starts at S + 0x8000.
	 */
	g = __get_vm_area(4 * P, VM_IOREMAP, S64 + P, VMALLOC_END);
	assert_int_equal(kernel_linux_addr(g->addr), S64 + 0x8000);
	free_vm_area(g);
	assert_mm_check();
}

/*
 * A hole is used up to the next area exactly: a = [S, S + 0x2000), b
 * 64K-aligned at S + 0x10000; the 13 pages from S + 0x3000 to b take an
 * area of 12 pages and its guard.  An area ending exactly where a search
 * starts is in the way too: with that area freed, a search from S +
 * 0x2000 meets a's end there and moves one page on, to S + 0x3000.
 */
static void hole_filled_exactly(void **state)
{
	struct vm_struct *from_a_end;
	void *a, *b, *c;

	boot_with_sites("ram=64M cpus=1");
	a = vmalloc(P);
	b = __vmalloc_node(P, 0x10000, GFP_KERNEL, PAGE_KERNEL, -1, NULL);
	c = vmalloc(12 * P);
	assert_int_equal(kernel_linux_addr(b), S64 + 0x10000);
	assert_int_equal(kernel_linux_addr(c), S64 + 0x3000);
	assert_int_equal(kernel_linux_addr(c) + find_vm_area(c)->size, kernel_linux_addr(b));
	vfree(c);
	vm_unmap_aliases();
	from_a_end = __get_vm_area(P, VM_MAP, S64 + 0x2000, VMALLOC_END);
	assert_int_equal(kernel_linux_addr(from_a_end->addr), S64 + 0x3000);
	free_vm_area(from_a_end);
	vfree(b);
	vfree(a);
	assert_mm_check();
}

/*
 * A freed range stays reserved until a purge: a = S, b = S + 0x3000; after
 * vfree(a) its two pages are lazy and the next page goes past b, to S +
 * 0x6000.  vm_unmap_aliases() purges with one flush; then S is free again.
 */
static void freed_hole_reused_after_purge(void **state)
{
	struct vmalloc_lazy_stats before;
	void *a, *b, *c, *d;

	boot_with_sites("ram=64M cpus=1");
	a = vmalloc(P);
	b = vmalloc(P);
	before = lazy();
	vfree(a);
	assert_int_equal(lazy().lazy_pages, 2);
	assert_false(kernel_pte_mapped(S64));		/* cleared at free time */
	assert_false(host_accessible(a));
	c = vmalloc(P);
	assert_int_equal(kernel_linux_addr(c), S64 + 0x6000);
	vm_unmap_aliases();
	assert_int_equal(lazy().lazy_pages, 0);
	assert_int_equal(lazy().purges, before.purges + 1);
	assert_int_equal(lazy().tlb_flushes, before.tlb_flushes + 1);
	d = vmalloc(P);
	assert_int_equal(kernel_linux_addr(d), S64);
	/* Nothing lazy: a purge frees nothing and does not flush. */
	vm_unmap_aliases();
	assert_int_equal(lazy().tlb_flushes, before.tlb_flushes + 1);
	vfree(b);
	vfree(c);
	vfree(d);
	assert_mm_check();
}

/*
 * Why the purge flushes before a range is reused: the kernel reads a
 * vmalloc page through the MMU (its TLB keeps the translation); after
 * vfree the PTE is gone but the TLB entry is not, and the kernel still
 * reaches the freed frame.  The purge's flush ends that: the next read is
 * a fault nothing can fix, an oops.
 */
static void stale_tlb_entry_until_the_purge(void **state)
{
	unsigned char *p, b = 0;

	boot_with_sites("ram=64M cpus=1");
	p = vmalloc(P);
	p[5] = 0x77;
	assert_int_equal(kmm_kernel_read(S64 + 5, &b, 1), 0);
	assert_int_equal(b, 0x77);
	vfree(p);
	assert_false(kernel_pte_mapped(S64));
	assert_int_equal(kmm_kernel_read(S64 + 5, &b, 1), 0);	/* the stale entry */
	vm_unmap_aliases();
	assert_int_equal(kmm_kernel_read(S64 + 5, &b, 1), -EFAULT);
	assert_true(dmesg_has("unable to handle kernel paging request at ffffc90000000005"));
	assert_mm_check();
}

/*
 * lazy_max_pages() = fls(CPUs) * (32M / 4K): 8192 pages with one CPU,
 * 3 * 8192 with four.  A 1M vmalloc is 257 pages of range with its guard:
 * 31 frees leave 31 * 257 = 7967 lazy pages, not more than 8192, and no
 * flush; the 32nd makes 8224 > 8192: one purge, one flush for the batch.
 */
static void lazy_purge_batches_frees(void **state)
{
	struct vmalloc_lazy_stats before;
	void *p[32];

	unsigned long flushes;

	boot_with_sites("ram=128M cpus=1");
	assert_int_equal(lazy().lazy_max, 8192);
	for (int i = 0; i < 32; i++)
		assert_non_null(p[i] = vmalloc(1 << 20));
	before = lazy();
	flushes = cpu0_flushes();
	for (int i = 0; i < 31; i++) {
		vfree(p[i]);
		assert_int_equal(lazy().lazy_pages, 257 * (i + 1));
		assert_int_equal(lazy().tlb_flushes, before.tlb_flushes);
		assert_int_equal(cpu0_flushes(), flushes);
	}
	assert_mm_check();
	vfree(p[31]);
	assert_int_equal(lazy().lazy_pages, 0);
	assert_int_equal(lazy().purges, before.purges + 1);
	assert_int_equal(lazy().tlb_flushes, before.tlb_flushes + 1);
	assert_int_equal(cpu0_flushes(), flushes + 1);
	assert_mm_check();

	/*
	 * The limit itself is not passed: 16 areas of 511 pages and a guard
	 * (arrays of 4088 bytes, kmalloc'ed) make exactly 8192 lazy pages, and
	 * stay; a 17th free of 2 pages passes the limit.
	 */
	for (int i = 0; i < 17; i++)
		assert_non_null(p[i] = vmalloc((i < 16 ? 511 : 1) * P));
	before = lazy();
	for (int i = 0; i < 16; i++)
		vfree(p[i]);
	assert_int_equal(lazy().lazy_pages, 8192);
	assert_int_equal(lazy().tlb_flushes, before.tlb_flushes);
	vfree(p[16]);
	assert_int_equal(lazy().lazy_pages, 0);
	assert_int_equal(lazy().tlb_flushes, before.tlb_flushes + 1);
	kmm_shutdown();

	boot_with_sites("ram=64M cpus=4");
	assert_int_equal(lazy().lazy_max, 3 * 8192);
}

/*
 * i386's area is 27646 pages.  vmalloc of X pages takes X + 1, then the
 * nested pages array (8X bytes: ceil(X / 512) pages, and a guard) one
 * page further: X + 1 + 1 + ceil(X / 512) + 1 <= 27646.  X = 27589 needs
 * 27589 + 54 + 3 = 27646: exactly full, the array's area ending at
 * VMALLOC_END.  X = 27590 needs one page more and fails (its array finds
 * no room).  With 8 CPUs lazy_max_pages() is 4 * 8192 = 32768, so freeing
 * the big area (27590 + 55 lazy pages) purges nothing; the next vmalloc
 * finds no hole, purges (one flush) and retries, landing at the start.
 */
static void i386_area_exhausted_then_purged(void **state)
{
	struct vmalloc_lazy_stats before;
	void *p, *q;

	boot_with_sites("arch=i386 ram=1G cpus=8");
	assert_int_equal(VMALLOC_END - VMALLOC_START, 27646 * P);
	assert_null(vmalloc(27590 * P));
	assert_true(dmesg_has("vmap allocation for size 225280 failed: use vmalloc=<size> to increase size."));
	vm_unmap_aliases();
	p = vmalloc(27589 * P);
	assert_non_null(p);
	assert_int_equal(kernel_linux_addr(p), S32);
	assert_true(find_vm_area(p)->flags & VM_VPAGES);
	assert_int_equal(kernel_linux_addr(find_vm_area(p)->pages), S32 + 27591 * P);
	assert_int_equal(find_vm_area(find_vm_area(p)->pages)->size, 55 * P);
	assert_int_equal(meminfo("VmallocTotal:"), 27646 * 4);
	assert_int_equal(meminfo("VmallocUsed:"), (27590 + 55) * 4);
	assert_int_equal(meminfo("VmallocChunk:"), 4);	/* the page skipped between the two */
	assert_null(vmalloc(1));
	assert_true(dmesg_has("vmap allocation for size 8192 failed"));
	/* The data is real memory: the last byte before the guard page. */
	((char *)p)[27589 * P - 1] = 0x5a;
	{
		char *k = kmap_atomic(vmalloc_to_page((char *)p + 27588 * P), KM_USER0);

		assert_int_equal(k[P - 1], 0x5a);
		kunmap_atomic(k, KM_USER0);
	}
	assert_mm_check();
	vfree(p);
	assert_int_equal(lazy().lazy_pages, 27590 + 55);
	before = lazy();
	q = vmalloc(27589 * P);
	assert_int_equal(kernel_linux_addr(q), S32);
	assert_int_equal(lazy().purges, before.purges + 1);
	assert_int_equal(lazy().tlb_flushes, before.tlb_flushes + 1);
	vfree(q);
	assert_mm_check();
}

/* PAE's area is 28158 pages: X = 28100 fills it (28100 + 55 + 3), X + 1 does not. */
static void i386_pae_area_exhausted(void **state)
{
	void *p;

	boot_with_sites("arch=i386 pae ram=1G cpus=8");
	assert_int_equal(VMALLOC_END - VMALLOC_START, 28158 * P);
	assert_null(vmalloc(28101 * P));
	vm_unmap_aliases();
	p = vmalloc(28100 * P);
	assert_non_null(p);
	assert_int_equal(kernel_linux_addr(find_vm_area(p)->pages) + 56 * P, VMALLOC_END);
	assert_null(vmalloc(1));
	vfree(p);
	assert_mm_check();
}

/*
 * The search cache skips holes too small for a request; it must give
 * 2.6.34's answer every time.  Debug builds check each cached search
 * against the walk from the bottom (a BUG on any difference); this runs
 * thousands of them: random sizes and alignments, frees in random order,
 * lazy ranges piling up, purges dropping the cache.
 */
static void search_cache_agrees_with_the_walk(void **state)
{
	static void *live[256];
	unsigned long seed = 7;

	boot_with_sites("ram=256M cpus=1");
	for (int i = 0; i < 6000; i++) {
		unsigned long r, pages, align;
		int slot;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		r = seed >> 24;
		slot = (int)(r % 256);
		if (live[slot]) {
			vfree(live[slot]);
			live[slot] = NULL;
			continue;
		}
		pages = 1 + (r >> 8) % 48;
		align = P << ((r >> 16) % 5);	/* 4K to 64K */
		live[slot] = __vmalloc_node(pages * P, align, GFP_KERNEL, PAGE_KERNEL, -1, NULL);
		assert_non_null(live[slot]);
		assert_true(IS_ALIGNED(kernel_linux_addr(live[slot]), align));
		if (i % 1000 == 999)
			vm_unmap_aliases();
	}
	assert_mm_check();
	for (int i = 0; i < 256; i++)
		vfree(live[i]);
	assert_mm_check();
}

/* ---- the pages array ---- */

/*
 * The array holds one struct page * (8 bytes) per page: PAGE_SIZE / 8 =
 * 512 pages fit in one page of it, from kmalloc (size-4096).  513 pages
 * need 4104 bytes: a nested vmalloc of 2 pages (VM_VPAGES on the outer
 * area), whose own array (16 bytes) is kmalloc'ed.  Areas: 512 pages +
 * guard = 0x201000 at S; 513 + guard = 0x202000 at S + 0x202000 (after the
 * skipped page), ending at 0x404000; the array's 2 + guard at 0x405000.
 */
static void pages_array_from_kmalloc_then_vmalloc(void **state)
{
	void *a, *b;

	boot_with_sites("ram=64M cpus=1");
	at(20);
	a = vmalloc(512 * P);
	assert_false(find_vm_area(a)->flags & VM_VPAGES);
	assert_int_equal(ksize(find_vm_area(a)->pages), 4096);
	at(21);
	b = vmalloc(513 * P);
	at(0);
	assert_true(find_vm_area(b)->flags & VM_VPAGES);
	assert_true(is_vmalloc_addr(find_vm_area(b)->pages));
	assert_string_equal(proc_text("/proc/vmallocinfo"),
			    "0xffffc90000000000-0xffffc90000201000 2101248 test:20 pages=512 vmalloc N0=512\n"
			    "0xffffc90000202000-0xffffc90000404000 2105344 test:21 pages=513 vmalloc vpages N0=513\n"
			    "0xffffc90000405000-0xffffc90000408000   12288 test:21 pages=2 vmalloc N0=2\n");
	for (int i = 0; i < 513; i++)
		assert_ptr_equal(find_vm_area(b)->pages[i], vmalloc_to_page((char *)b + i * P));
	assert_mm_check();
	vfree(b);
	/* The nested array went with it. */
	assert_string_equal(proc_text("/proc/vmallocinfo"),
			    "0xffffc90000000000-0xffffc90000201000 2101248 test:20 pages=512 vmalloc N0=512\n");
	vfree(a);
	assert_string_equal(proc_text("/proc/vmallocinfo"), "");
	assert_mm_check();
}

/* ---- memory through the pointer ---- */

/*
 * The bytes C code writes through a vmalloc pointer are the bytes of the
 * pages behind it, as the kernel sees them through the direct map (or the
 * simulator's window onto RAM for highmem); and the other way round.
 */
static void use_memory(const char *cmdline, unsigned long start)
{
	unsigned long size = 40 * P + 123;
	unsigned char *p;

	boot_with_sites(cmdline);
	at(30);
	p = vmalloc(size);
	at(0);
	assert_non_null(p);
	assert_int_equal(kernel_linux_addr(p), start);
	for (unsigned long i = 0; i < size; i++)
		p[i] = (unsigned char)(i * 7 + 3);
	for (unsigned long i = 0; i < size; i += 997) {
		struct page *page = vmalloc_to_page(p + i);
		unsigned char *base = kmap_atomic(page, KM_USER0);
		unsigned char *direct = base + (i & (P - 1));

		assert_ptr_equal(page, find_vm_area(p)->pages[i / P]);
		assert_int_equal(vmalloc_to_pfn(p + i), page_to_pfn(page));
		assert_int_equal(*direct, (unsigned char)(i * 7 + 3));
		*direct = 0xee;
		kunmap_atomic(base, KM_USER0);
		assert_int_equal(p[i], 0xee);
	}
	/* The last page holds size % P bytes of data and is mapped whole; the guard is not. */
	assert_non_null(vmalloc_to_page(p + 41 * P - 1));
	assert_null(vmalloc_to_page(p + 41 * P));
	assert_int_equal(vmalloc_to_pfn(p + 41 * P), 0);
	assert_null(vmalloc_to_page(NULL));
	assert_mm_check();
	vfree(p);
	assert_null(vmalloc_to_page(p));
	assert_mm_check();
}

static void memory_through_pointer_x86_64(void **state)
{
	use_memory("ram=64M", S64);
}

static void memory_through_pointer_i386(void **state)
{
	use_memory("arch=i386 ram=1G", S32);
}

static void memory_through_pointer_i386_pae(void **state)
{
	use_memory("arch=i386 pae ram=1G", S32);
}

/* vzalloc, vmalloc_user and vmalloc_32: zeroed, VM_USERMAP, 32-bit frames. */
static void vmalloc_family(void **state)
{
	unsigned char *z, *u, *w;

	boot_with_sites("ram=6G cpus=1");
	z = vmalloc(8 * P);
	memset(z, 0xab, 8 * P);
	vfree(z);
	vm_unmap_aliases();
	z = vzalloc(8 * P);
	u = vmalloc_user(3 * P);
	w = vmalloc_32(64 * P);
	for (unsigned long i = 0; i < 8 * P; i++)
		assert_int_equal(z[i], 0);
	for (unsigned long i = 0; i < 3 * P; i++)
		assert_int_equal(u[i], 0);
	assert_true(find_vm_area(u)->flags & VM_USERMAP);
	assert_false(find_vm_area(z)->flags & VM_USERMAP);
	for (int i = 0; i < 64; i++)
		assert_true(page_to_pfn(find_vm_area(w)->pages[i]) < (4UL << 30) / P);
	assert_non_null(strstr(proc_text("/proc/vmallocinfo"), " pages=3 vmalloc user N0=3\n"));
	vfree(z);
	vfree(u);
	vfree(w);
	assert_mm_check();
}

/* ---- vmap ---- */

/*
 * vmap maps the caller's pages in order; vunmap takes the mapping, not the
 * pages.  The first mapping of the vmalloc area makes its page tables (on
 * x86_64 a PUD, a PMD and a PTE table under the PGD entry of
 * VMALLOC_START), which stay, as Linux's do.
 */
static void vmap_maps_callers_pages(void **state)
{
	struct page *pages[4];
	unsigned long before;
	char *v;

	boot_with_sites("ram=64M cpus=1");
	for (int i = 0; i < 4; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	before = free_pages_drained();
	at(40);
	v = vmap(pages, 4, VM_MAP, PAGE_KERNEL);
	at(0);
	assert_int_equal(kernel_linux_addr(v), S64);
	assert_string_equal(proc_text("/proc/vmallocinfo"),
			    "0xffffc90000000000-0xffffc90000005000   20480 test:40 vmap\n");
	for (int i = 0; i < 4; i++) {
		assert_ptr_equal(vmalloc_to_page(v + i * P), pages[i]);
		v[i * P] = (char)i;
		assert_int_equal(*(char *)page_address(pages[i]), i);
	}
	assert_mm_check();
	vunmap(v);
	vm_unmap_aliases();
	for (int i = 0; i < 4; i++)
		assert_int_equal(page_count(pages[i]), 1);
	for (int i = 0; i < 4; i++)
		__free_page(pages[i]);
	assert_int_equal(free_pages_drained(), before + 4 - 3);
	assert_null(vmap(pages, 0, VM_MAP, PAGE_KERNEL));
	assert_mm_check();
}

/* ---- misuse ---- */

static void bad_frees_are_reported(void **state)
{
	char *p;

	boot_with_sites("ram=64M cpus=1");
	p = vmalloc(2 * P);
	vfree(p + 8);
	assert_true(dmesg_has("Trying to vfree() bad address (ffffc90000000008)"));
	vfree(p + P);
	assert_true(dmesg_has("Trying to vfree() nonexistent vm area (ffffc90000001000)"));
	vfree(p);
	vfree(p);	/* its range is lazy: no area there any more */
	assert_true(dmesg_has("Trying to vfree() nonexistent vm area (ffffc90000000000)"));
	vfree(NULL);
	assert_mm_check();
}

/* ---- views ---- */

/*
 * VmallocTotal is Linux's whole area: 0xffffe8ffffffffff - S =
 * 2^45 - 1 bytes, 34359738367 kB.  VmallocUsed adds the areas with their
 * guard pages: 8K + 8K + 20K = 36 kB.  VmallocChunk is the largest gap
 * after an area's guard page: the one above the last area, from S +
 * 0xb000 to VMALLOC_END, 2^45 - 1 - 0xb000 bytes = 34359738323 kB
 * (Linux's end, whatever the host reserved).  Lazily freed ranges count
 * as free, as in 2.6.34.
 */
static void meminfo_vmalloc_lines(void **state)
{
	void *a, *b, *c;

	boot_with_sites("ram=64M cpus=1");
	assert_int_equal(meminfo("VmallocTotal:"), 34359738367UL);
	assert_int_equal(meminfo("VmallocUsed:"), 0);
	assert_int_equal(meminfo("VmallocChunk:"), 34359738367UL);
	a = vmalloc(1);
	b = vmalloc(P);
	c = vmalloc(4 * P);
	assert_int_equal(meminfo("VmallocUsed:"), 36);
	assert_int_equal(meminfo("VmallocChunk:"), 34359738323UL);
	vfree(c);
	assert_int_equal(meminfo("VmallocUsed:"), 16);
	/* c's 20 kB are free again (lazily): the gap above b, 2^45 - 1 - 0x5000 bytes. */
	assert_int_equal(meminfo("VmallocChunk:"), 34359738347UL);
	vfree(a);
	vfree(b);
	assert_int_equal(meminfo("VmallocUsed:"), 0);
	kmm_shutdown();

	/* i386: 27646 pages = 110584 kB in all; one area of 2 pages leaves 110576 kB above it. */
	boot_with_sites("arch=i386 ram=64M");
	assert_int_equal(meminfo("VmallocTotal:"), 110584);
	a = vmalloc(P);
	assert_int_equal(meminfo("VmallocUsed:"), 8);
	assert_int_equal(meminfo("VmallocChunk:"), 110576);
	vfree(a);
}

/* A machine with two nodes: the pages of vmalloc_node come from that node, and the view says so. */
static void numa_counts_in_vmallocinfo(void **state)
{
	void *a, *b;

	boot_with_sites("ram=256M nodes=2 cpus=2");
	at(50);
	a = vmalloc_node(3 * P, 1);
	b = vmalloc_node(2 * P, 0);
	at(0);
	assert_string_equal(proc_text("/proc/vmallocinfo"),
			    "0xffffc90000000000-0xffffc90000004000   16384 test:50 pages=3 vmalloc N1=3\n"
			    "0xffffc90000005000-0xffffc90000008000   12288 test:50 pages=2 vmalloc N0=2\n");
	vfree(a);
	vfree(b);
	assert_mm_check();
}

/* ---- ioremap ---- */

/*
 * The top megabyte of a 64M machine marked reserved by the BIOS map.  A
 * 16-page ioremap is aligned to 2^fls(0x10000) = 128K and maps the frames
 * by number; an unaligned one keeps its offset.  RAM in use is refused;
 * the ISA hole is the direct map, no area.
 */
static void ioremap_of_reserved_range(void **state)
{
	const unsigned long io = 0x3f00000;
	char *m, *u, *isa;

	boot_with_sites("cpus=1 e820=0-0x9fc00:ram,0x9fc00-0x100000:reserved,"
	      "0x100000-0x3f00000:ram,0x3f00000-0x4000000:reserved");
	at(60);
	m = ioremap(io, 0x10000);
	u = ioremap_nocache(io + 0x20010, 0x20);
	at(0);
	assert_int_equal(kernel_linux_addr(m), S64);
	/* After m's 17 pages (0x11000) plus a page, aligned to 2^fls(0x1000) = 8K: S + 0x12000. */
	assert_int_equal(kernel_linux_addr(u), S64 + 0x12010);
	assert_string_equal(proc_text("/proc/vmallocinfo"),
			    "0xffffc90000000000-0xffffc90000011000   69632 test:60 phys=3f00000 ioremap\n"
			    "0xffffc90000012000-0xffffc90000014000    8192 test:60 phys=3f20000 ioremap\n");
	m[0x1234] = 0x42;
	assert_int_equal(*(char *)__va(io + 0x1234), 0x42);
	assert_int_equal(vmalloc_to_pfn(m + 0x1234), (io >> 12) + 1);
	u[0] = 0x17;
	assert_int_equal(*(char *)__va(io + 0x20010), 0x17);
	assert_mm_check();
	/* 32M: RAM the allocator owns (the kernel image, reserved, ends at 9M). */
	assert_null(ioremap(0x2000000, 2 * P));
	assert_true(dmesg_has("ioremap on RAM at 0x0000000002000000 - 0x0000000002001fff"));
	/* One page too (2.6.34's loop stopped before the last page and let it through). */
	assert_null(ioremap(0x2000010, 16));
	assert_true(dmesg_has("ioremap on RAM at 0x0000000002000010 - 0x000000000200001f"));
	isa = ioremap(0xb8000, 0x1000);
	assert_ptr_equal(isa, __va(0xb8000));
	iounmap(isa);
	iounmap(u);
	iounmap(m);
	iounmap(m);
	assert_true(dmesg_has("iounmap: bad address ffffc90000000000"));
	assert_string_equal(proc_text("/proc/vmallocinfo"), "");
	assert_mm_check();
}

/* ---- failures unwind ---- */

/*
 * A snapshot of everything vmalloc takes from: the caches shrunk (so the
 * per-CPU arrays hold nothing), every slab count, the free pages.  Lazy
 * ranges are purged first: their vmap_area objects are freed at the purge.
 */
struct snapshot {
	char slabinfo[16384];
	unsigned long free_pages;
};

static void snapshot(struct snapshot *s)
{
	slab_counts_at_rest(s->slabinfo, sizeof(s->slabinfo));
	s->free_pages = free_pages_drained();
}

static void assert_same(const struct snapshot *before, const char *what)
{
	struct snapshot after;

	snapshot(&after);
	if (strcmp(before->slabinfo, after.slabinfo) || before->free_pages != after.free_pages)
		fail_msg("%s: the allocators changed: free pages %lu -> %lu\nbefore:\n%s\nafter:\n%s", what,
			 before->free_pages, after.free_pages, before->slabinfo, after.slabinfo);
}

/*
 * Fail the 1st, 2nd... eligible call of @attr during vmalloc(@size) until
 * one run reaches no failure: each failed vmalloc returns NULL and leaves
 * the page and slab allocators exactly as they were.  Returns the number
 * of failure points.  A first vmalloc/vfree of the same size has made the
 * page tables, which stay.
 */
static int sweep_vmalloc(struct fault_attr *attr, unsigned long size)
{
	struct snapshot before;
	void *p;
	int nth;

	vfree(vmalloc(size));
	snapshot(&before);
	for (nth = 1;; nth++) {
		unsigned long failures = attr->failures;
		char label[64];

		fault_attr_set(attr, "fail-nth", nth);
		p = vmalloc(size);
		fault_attr_set(attr, "fail-nth", 0);
		if (p) {
			memset(p, 0x5a, size);
			vfree(p);
		}
		snprintf(label, sizeof(label), "vmalloc(%lu), failure %d", size, nth);
		assert_same(&before, label);
		assert_mm_check();
		if (attr->failures == failures) {
			assert_non_null(p);
			return nth - 1;
		}
		assert_null(p);
	}
}

/*
 * vmalloc(16K) makes three slab allocations (the vm_struct, the vmap_area,
 * the pages array) and four page allocations; vmalloc of 513 pages makes
 * those of its nested array too (3 + 3 objects; 513 + 2 pages).
 */
static void failures_unwind_everything(void **state)
{
	boot_with_sites("ram=64M cpus=1");
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/fail_page_alloc/min-order", "0"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/failslab/ignore-gfp-wait", "N"), 0);
	fault_attr_set(&fail_page_alloc_attr, "verbose", 0);
	fault_attr_set(&failslab_attr, "verbose", 0);

	assert_int_equal(sweep_vmalloc(&failslab_attr, 4 * P), 3);
	assert_int_equal(sweep_vmalloc(&fail_page_alloc_attr, 4 * P), 4);
	/* The third page: two allocated of an area of five pages with its guard. */
	assert_true(dmesg_has("vmalloc: allocation failure, allocated 8192 of 20480 bytes"));
	assert_int_equal(sweep_vmalloc(&failslab_attr, 513 * P), 5);
	assert_int_equal(sweep_vmalloc(&fail_page_alloc_attr, 513 * P), 515);
}

/*
 * A small host mapping budget: pages that are not physically consecutive
 * each take a host mapping.  Every other page of a run is freed, so the
 * allocator hands out isolated pages; vmallocs of 32 such pages succeed
 * until the budget is spent, then one fails with Linux's warning, having
 * taken no mapping and kept no page.
 */
static void host_map_budget_refuses_cleanly(void **state)
{
	struct kernel_map_stats st, st_before, st_boot;
	struct page *pages[1024];
	unsigned long free_before;
	void *v[64];
	int n;

	boot_with_sites("ram=64M cpus=1 host_maps=100");
	/* The boot's own: the vmemmap of 64M, one 2M block, one run. */
	kernel_map_stats(&st_boot);
	assert_int_equal(st_boot.host_maps, 1);
	for (int i = 0; i < 1024; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	for (int i = 0; i < 1024; i += 2)
		__free_page(pages[i]);
	for (n = 0; n < 64; n++) {
		kernel_map_stats(&st_before);
		free_before = free_pages_drained();
		v[n] = vmalloc(32 * P);
		if (!v[n])
			break;
	}
	/* 100 mappings: the vmemmap's and three vmallocs of 32 isolated pages take 97; a fourth, 129. */
	assert_int_equal(n, 3);
	kernel_map_stats(&st);
	assert_int_equal(st.host_map_budget, 100);
	assert_int_equal(st.host_maps, st_before.host_maps);
	assert_int_equal(st.refused, st_before.refused + 1);
	assert_true(dmesg_has("vmalloc: allocation failure, allocated 131072 of 135168 bytes"));
	vm_unmap_aliases();
	assert_int_equal(free_pages_drained(), free_before);
	assert_mm_check();
	while (n--)
		vfree(v[n]);
	kernel_map_stats(&st);
	assert_int_equal(st.host_maps, st_boot.host_maps);
	for (int i = 1; i < 1024; i += 2)
		__free_page(pages[i]);
	assert_mm_check();
}

/* ---- sizes ---- */

/*
 * From 1 byte to 300M on x86_64 (76800 pages: an array of 614400 bytes,
 * 150 pages, nested), each written at both ends; the free page count comes
 * back exactly once the page tables exist.
 */
static void sizes_from_one_byte_to_300m(void **state)
{
	static const unsigned long sizes[] = {
		1, 100, P - 1, P, P + 1, 64 * 1024, 1UL << 20, 4UL << 20, 64UL << 20, 300UL << 20,
	};
	struct snapshot before;

	boot_with_sites("ram=512M cpus=1");
	/* Every area starts at S once the lazy ranges are purged: the first round makes the tables. */
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		vfree(vmalloc(sizes[i]));
		vm_unmap_aliases();
	}
	snapshot(&before);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned char *p = vmalloc(sizes[i]);
		struct vm_struct *vm = find_vm_area(p);

		assert_non_null(p);
		assert_int_equal(kernel_linux_addr(p), S64);
		assert_int_equal(vm->nr_pages, PAGE_ALIGN(sizes[i]) / P);
		assert_int_equal(!!(vm->flags & VM_VPAGES), vm->nr_pages > 512);
		p[sizes[i] - 1] = 2;
		p[0] = 1;
		assert_int_equal(p[0] + p[sizes[i] - 1], sizes[i] == 1 ? 2 : 3);
		assert_mm_check();
		vfree(p);
		vm_unmap_aliases();
	}
	assert_same(&before, "sizes");
	assert_null(vmalloc(0));
	assert_null(vmalloc(1UL << 40));	/* more pages than the machine has */
	assert_mm_check();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(first_area_at_vmalloc_start, teardown_machine),
		cmocka_unit_test_teardown(alignment_and_lowest_fit, teardown_machine),
		cmocka_unit_test_teardown(hole_filled_exactly, teardown_machine),
		cmocka_unit_test_teardown(freed_hole_reused_after_purge, teardown_machine),
		cmocka_unit_test_teardown(stale_tlb_entry_until_the_purge, teardown_machine),
		cmocka_unit_test_teardown(lazy_purge_batches_frees, teardown_machine),
		cmocka_unit_test_teardown(i386_area_exhausted_then_purged, teardown_machine),
		cmocka_unit_test_teardown(i386_pae_area_exhausted, teardown_machine),
		cmocka_unit_test_teardown(search_cache_agrees_with_the_walk, teardown_machine),
		cmocka_unit_test_teardown(pages_array_from_kmalloc_then_vmalloc, teardown_machine),
		cmocka_unit_test_teardown(memory_through_pointer_x86_64, teardown_machine),
		cmocka_unit_test_teardown(memory_through_pointer_i386, teardown_machine),
		cmocka_unit_test_teardown(memory_through_pointer_i386_pae, teardown_machine),
		cmocka_unit_test_teardown(vmalloc_family, teardown_machine),
		cmocka_unit_test_teardown(vmap_maps_callers_pages, teardown_machine),
		cmocka_unit_test_teardown(bad_frees_are_reported, teardown_machine),
		cmocka_unit_test_teardown(meminfo_vmalloc_lines, teardown_machine),
		cmocka_unit_test_teardown(numa_counts_in_vmallocinfo, teardown_machine),
		cmocka_unit_test_teardown(ioremap_of_reserved_range, teardown_machine),
		cmocka_unit_test_teardown(failures_unwind_everything, teardown_machine),
		cmocka_unit_test_teardown(host_map_budget_refuses_cleanly, teardown_machine),
		cmocka_unit_test_teardown(sizes_from_one_byte_to_300m, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
