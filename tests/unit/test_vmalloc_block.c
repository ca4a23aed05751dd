/*
 * test_vmalloc_block.c - vm_map_ram's per-CPU vmap blocks (pieces, dirty
 * pages, a block freed when all are dirty, fragmented blocks purged),
 * its large requests, and vread/vwrite over areas and holes.
 *
 * The sizes, from 2.6.34's formulas with NR_CPUS = 64:
 *   x86_64: VMAP_MAX_ALLOC = 64 pages; VMAP_BBMAP_BITS = min(1024,
 *     max(128, 2^35 / 4096 / 64 / 16 = 8192)) = 1024 pages: 4 MiB blocks.
 *   i386: VMAP_MAX_ALLOC = 32; VMAP_BBMAP_BITS = min(1024, max(64,
 *     2^27 / 4096 / 64 / 16 = 32)) = 64 pages: 256 KiB blocks.
 * A request takes the first free run of its power of two, aligned to it.
 * VMALLOC_START (S) is aligned to both block sizes, so on a fresh machine
 * the first block is [S, S + block).
 */
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/pgtable.h>
#include <kmm/slab.h>
#include <kmm/vmalloc.h>
#include "arch/x86/kernel_map.h"
#include "tests/harness.h"

#define S64		0xffffc90000000000UL
#define S32		0xf8800000UL
#define P		PAGE_SIZE

static struct page *pages[128];

static void take_pages(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		assert_non_null(pages[i]);
		memset(page_address(pages[i]), 'a' + i % 26, P);
	}
}

static void give_pages(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		__free_page(pages[i]);
}

static struct vmap_block_stats blocks(void)
{
	struct vmap_block_stats st;

	vmap_block_stats(&st);
	return st;
}

static unsigned long lazy_pages(void)
{
	struct vmalloc_lazy_stats st;

	vmalloc_get_lazy_stats(&st);
	return st.lazy_pages;
}

/*
 * x86_64.  Pieces of 1, 3 (order 2), 2 (order 1), 1 page: bit 0; the
 * first aligned 4-run, bits 4-7; the first aligned 2-run, bits 2-3; bit 1.
 * Free: 1024 - 1 - 4 - 2 - 1 = 1016.  Nothing on vmlist.  A vmalloc goes
 * past the block: one page after S + 4M.  A piece given back is dirty and
 * unmapped; the next 1-page piece is bit 8, not bit 0.  65 pages are more
 * than a block serves: a range of their own, no guard, after the vmalloc
 * (S + 0x401000 + 2 pages + the extra page = S + 0x404000).
 */
static void pieces_from_one_block(void **state)
{
	char *a, *b, *c, *d, *e, *big, *v;
	struct vmap_block_stats st;

	boot_or_fail("ram=64M cpus=1");
	take_pages(65);
	st = blocks();
	assert_int_equal(st.bbmap_bits, 1024);
	assert_int_equal(st.max_alloc, 64);
	a = vm_map_ram(pages, 1, -1, PAGE_KERNEL);
	b = vm_map_ram(pages + 1, 3, -1, PAGE_KERNEL);
	c = vm_map_ram(pages + 4, 2, -1, PAGE_KERNEL);
	d = vm_map_ram(pages + 6, 1, -1, PAGE_KERNEL);
	assert_int_equal(kernel_linux_addr(a), S64);
	assert_int_equal(kernel_linux_addr(b), S64 + 0x4000);
	assert_int_equal(kernel_linux_addr(c), S64 + 0x2000);
	assert_int_equal(kernel_linux_addr(d), S64 + 0x1000);
	assert_int_equal(a[0], 'a');
	assert_int_equal(b[2 * P + 5], 'd');
	assert_false(kernel_pte_mapped(S64 + 0x7000));		/* bit 7: rounding, unmapped */
	b[0] = 'B';
	assert_int_equal(((char *)page_address(pages[1]))[0], 'B');
	st = blocks();
	assert_int_equal(st.blocks, 1);
	assert_int_equal(st.queued, 1);
	assert_int_equal(st.free, 1016);
	assert_int_equal(st.dirty, 0);
	assert_string_equal(proc_text("/proc/vmallocinfo"), "");
	v = vmalloc(P);
	assert_int_equal(kernel_linux_addr(v), S64 + 0x401000);
	assert_mm_check();

	vm_unmap_ram(a, 1);
	assert_false(kernel_pte_mapped(S64));
	assert_false(host_accessible(a));
	st = blocks();
	assert_int_equal(st.dirty, 1);
	assert_int_equal(st.free, 1016);
	e = vm_map_ram(pages, 1, -1, PAGE_KERNEL);
	assert_int_equal(kernel_linux_addr(e), S64 + 0x8000);
	assert_mm_check();

	big = vm_map_ram(pages, 65, -1, PAGE_KERNEL);
	assert_int_equal(kernel_linux_addr(big), S64 + 0x404000);
	assert_true(kernel_pte_mapped(S64 + 0x404000 + 64 * P));	/* no guard page */
	assert_int_equal(big[64 * P], 'a' + 64 % 26);
	assert_mm_check();
	vm_unmap_ram(big, 65);
	assert_int_equal(lazy_pages(), 65);
	assert_false(kernel_pte_mapped(S64 + 0x404000));
	vm_unmap_ram(b, 3);
	vm_unmap_ram(c, 2);
	vm_unmap_ram(d, 1);
	vm_unmap_ram(e, 1);
	vfree(v);
	assert_mm_check();
	give_pages(65);
}

/*
 * i386: 64-page blocks.  Two pieces of 32 take bits 0-31 and 32-63: the
 * block is full and leaves its queue.  Both given back: 64 dirty pages,
 * the block goes, its 64 pages lazy.  The next piece needs a new block;
 * the old range still holds [S, S + 0x40000) until a purge, so the new
 * block is the next 256K-aligned place one page past it: S + 0x80000.
 * vm_unmap_aliases purges: nothing lazy, one TLB flush more.
 */
static void block_freed_when_all_dirty(void **state)
{
	struct vmalloc_lazy_stats before, after;
	struct vmap_block_stats st;
	char *a, *b, *c;

	boot_or_fail("arch=i386 ram=64M cpus=1");
	take_pages(32);
	assert_int_equal(blocks().bbmap_bits, 64);
	assert_int_equal(blocks().max_alloc, 32);
	a = vm_map_ram(pages, 32, -1, PAGE_KERNEL);
	b = vm_map_ram(pages, 32, -1, PAGE_KERNEL);
	assert_int_equal(kernel_linux_addr(a), S32);
	assert_int_equal(kernel_linux_addr(b), S32 + 32 * P);
	st = blocks();
	assert_int_equal(st.blocks, 1);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.free, 0);
	assert_mm_check();
	vm_unmap_ram(a, 32);
	assert_int_equal(blocks().dirty, 32);
	assert_int_equal(lazy_pages(), 0);
	vm_unmap_ram(b, 32);
	assert_int_equal(blocks().blocks, 0);
	assert_int_equal(lazy_pages(), 64);
	assert_mm_check();
	c = vm_map_ram(pages, 1, -1, PAGE_KERNEL);
	assert_int_equal(kernel_linux_addr(c), S32 + 0x80000);
	vmalloc_get_lazy_stats(&before);
	vm_unmap_aliases();
	vmalloc_get_lazy_stats(&after);
	assert_int_equal(after.lazy_pages, 0);
	assert_int_equal(after.tlb_flushes, before.tlb_flushes + 1);
	vm_unmap_ram(c, 1);
	assert_mm_check();
	give_pages(32);
}

/*
 * i386: a piece of 32 pages given back leaves its block with 32 dirty and
 * 32 free pages, none live: fragmented.  It stays on its queue (a 32-page
 * request could still use it) until a sync purge: vm_unmap_aliases frees
 * it, and the same purge takes its range.
 */
static void fragmented_block_purged_by_unmap_aliases(void **state)
{
	char *a;

	boot_or_fail("arch=i386 ram=64M cpus=1");
	take_pages(32);
	a = vm_map_ram(pages, 32, -1, PAGE_KERNEL);
	vm_unmap_ram(a, 32);
	assert_int_equal(blocks().blocks, 1);
	assert_int_equal(blocks().queued, 1);
	assert_mm_check();
	vm_unmap_aliases();
	assert_int_equal(blocks().blocks, 0);
	assert_int_equal(lazy_pages(), 0);
	assert_mm_check();
	give_pages(32);
}

/* A piece given back twice is a BUG, as 2.6.34's bitmap_allocate_region finds it. */
static void double_unmap_is_a_bug(void **state)
{
	char *a;

	boot_or_fail("ram=64M cpus=1");
	take_pages(2);
	a = vm_map_ram(pages, 2, -1, PAGE_KERNEL);
	vm_unmap_ram(a, 2);
	EXPECT_KERNEL_STOP(vm_unmap_ram(a, 2));
}

/*
 * vread over [a - 1 page, b + 2 pages): a = vmalloc(2 pages) at S, b =
 * vmalloc(1 page) at S + 0x4000 (S + 2 data pages + guard + extra page).
 * Read from S - P: one page of hole (zeros), a's two pages, a's guard and
 * the extra page (zeros), b's page, b's guard (zeros).  vwrite of the same
 * span writes a's and b's pages only.  Past the last area, vread returns 0.
 */
static void vread_vwrite_skip_holes(void **state)
{
	static char buf[7 * 4096], expect[7 * 4096];
	char *a, *b;

	boot_or_fail("ram=64M cpus=1");
	a = vmalloc(2 * P);
	b = vmalloc(P);
	assert_int_equal(kernel_linux_addr(b), S64 + 0x4000);
	memset(a, 'A', 2 * P);
	memset(b, 'B', P);
	memset(buf, 'x', sizeof(buf));
	memset(expect, 0, sizeof(expect));
	memset(expect + P, 'A', 2 * P);
	memset(expect + 5 * P, 'B', P);
	assert_int_equal(vread(buf, a - P, sizeof(buf)), sizeof(buf));
	assert_memory_equal(buf, expect, sizeof(buf));
	/* A read straddling the start of b. */
	assert_int_equal(vread(buf, b - 10, 20), 20);
	assert_memory_equal(buf, "\0\0\0\0\0\0\0\0\0\0BBBBBBBBBB", 20);

	memset(buf, 'w', sizeof(buf));
	assert_int_equal(vwrite(buf, a - P, sizeof(buf)), sizeof(buf));
	for (unsigned long i = 0; i < 2 * P; i++)
		assert_int_equal(a[i], 'w');
	for (unsigned long i = 0; i < P; i++)
		assert_int_equal(b[i], 'w');
	assert_int_equal(vread(buf, b + 2 * P, 100), 0);
	assert_int_equal(vwrite(buf, b + 2 * P, 100), 0);
	vfree(a);
	vfree(b);
	assert_mm_check();
}

/*
 * An area with nothing mapped in it (get_vm_area alone): its pages have no
 * struct page behind a PTE, so vread gives zeros and vwrite skips them,
 * yet counts the area as written into (2.6.34 counts areas, not pages).
 */
static void vread_of_an_unmapped_area_reads_zeros(void **state)
{
	static char buf[2 * 4096], zeros[2 * 4096];
	struct vm_struct *area;

	boot_or_fail("ram=64M cpus=1");
	area = get_vm_area(2 * P, VM_MAP);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(vread(buf, area->addr, sizeof(buf)), sizeof(buf));
	assert_memory_equal(buf, zeros, sizeof(buf));
	assert_int_equal(vwrite(buf, area->addr, sizeof(buf)), sizeof(buf));
	free_vm_area(area);
	assert_mm_check();
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(pieces_from_one_block, teardown_machine),
	cmocka_unit_test_teardown(block_freed_when_all_dirty, teardown_machine),
	cmocka_unit_test_teardown(fragmented_block_purged_by_unmap_aliases, teardown_machine),
	cmocka_unit_test_teardown(double_unmap_is_a_bug, teardown_machine),
	cmocka_unit_test_teardown(vread_vwrite_skip_holes, teardown_machine),
	cmocka_unit_test_teardown(vread_of_an_unmapped_area_reads_zeros, teardown_machine),
};

KMM_TEST_MAIN(tests)
