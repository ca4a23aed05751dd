/*
 * test_kernel_map.c - the kernel-mapping primitive: a PTE in swapper_pg_dir
 * and the same physical page at the window's host address, so that C code
 * and the page tables agree; host mappings counted by runs of frames, the
 * budget refusing cleanly; the windows of each architecture.
 */
#include <string.h>
#include <unistd.h>

#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/pgtable.h>
#include "arch/x86/kernel_map.h"
#include "tests/harness.h"

static pte_t kernel_pte(unsigned long addr)
{
	unsigned int level;
	pte_t *pte = lookup_address(addr, &level);

	return pte && level == PG_LEVEL_4K ? ptep_get(pte) : __pte(0);
}

static void map_and_use(const char *cmdline)
{
	struct page *pages[3];
	struct kernel_map_stats st;
	unsigned long addr, base;
	char *host;

	boot_or_fail(cmdline);
	addr = VMALLOC_START + 16 * PAGE_SIZE;
	pages[0] = alloc_page(GFP_KERNEL);
	pages[1] = alloc_page(GFP_KERNEL);
	pages[2] = alloc_page(GFP_KERNEL);
	kernel_map_stats(&st);
	base = st.host_maps;		/* the vmemmap's runs (x86_64) */
	assert_int_equal(arch_map_kernel_pages(addr, pages, 3, PAGE_KERNEL), 0);
	host = kernel_window_ptr(addr);
	assert_non_null(host);
	assert_false(host_accessible(host - PAGE_SIZE));
	assert_true(host_accessible(host + 2 * PAGE_SIZE));
	assert_false(host_accessible(host + 3 * PAGE_SIZE));
	assert_int_equal(kernel_window_addr(host + 5), addr + 5);
	assert_int_equal(kaddr_to_linux(host + PAGE_SIZE), addr + PAGE_SIZE);
	assert_ptr_equal(linux_to_kaddr(addr + 2 * PAGE_SIZE), host + 2 * PAGE_SIZE);
	/* The PTEs name the pages, with the kernel's protection. */
	for (int i = 0; i < 3; i++) {
		pte_t pte = kernel_pte(addr + i * PAGE_SIZE);

		assert_int_equal(pte_pfn(pte), page_to_pfn(pages[i]));
		assert_int_equal(pte_flags(pte), pgprot_val(PAGE_KERNEL) & __supported_pte_mask);
	}
	/* The same bytes through the window and through the direct map. */
	memset(host, 0x5a, 3 * PAGE_SIZE);
	host[PAGE_SIZE + 7] = 0x11;
	assert_int_equal(((char *)page_address(pages[1]))[7], 0x11);
	assert_int_equal(((char *)page_address(pages[2]))[PAGE_SIZE - 1], 0x5a);
	((char *)page_address(pages[0]))[3] = 0x22;
	assert_int_equal(host[3], 0x22);
	arch_unmap_kernel_range(addr, 3 * PAGE_SIZE);
	for (int i = 0; i < 3; i++)
		assert_true(pte_none(kernel_pte(addr + i * PAGE_SIZE)));
	kernel_map_stats(&st);
	assert_int_equal(st.host_maps, base);
	assert_false(host_accessible(host));
	for (int i = 0; i < 3; i++)
		__free_page(pages[i]);
	assert_mm_check();
}

static void x86_64_window(void **state)
{
	map_and_use("ram=64M");
	assert_int_equal(VMALLOC_START, 0xffffc90000000000UL);
	assert_int_equal(VMALLOC_END, 0xffffe8ffffffffffUL);
	assert_true(vmalloc_limit - VMALLOC_START >= (1UL << 30));
}

static void i386_window(void **state)
{
	map_and_use("arch=i386 ram=64M");
	/* 896M of lowmem, an 8M gap: 0xc0000000 + 0x38000000 + 0x800000. */
	assert_int_equal(VMALLOC_START, 0xf8800000UL);
	assert_int_equal(vmalloc_limit, VMALLOC_END);
	/* The pkmap and fixmap addresses are in the window too. */
	assert_non_null(kernel_window_ptr(0xff800000UL));
	assert_non_null(kernel_window_ptr(0xfffff000UL - PAGE_SIZE));
	assert_null(kernel_window_ptr(0xc0000000UL));
}

static void i386_pae_window(void **state)
{
	map_and_use("arch=i386 pae ram=64M");
}

/*
 * Two runs of frames, two host mappings; the budget counts them (after the
 * one the vmemmap of a 64M machine takes: its single 2M block), and a
 * mapping that would pass it is refused with nothing left behind.
 */
static void runs_and_budget(void **state)
{
	struct page *block = NULL, *pages[4];
	struct kernel_map_stats st;
	unsigned long addr, before;

	boot_or_fail("ram=64M host_maps=4");
	addr = VMALLOC_START;
	block = alloc_pages(GFP_KERNEL, 3);
	pages[0] = block;
	pages[1] = block + 1;
	pages[2] = block + 4;
	pages[3] = block + 5;
	assert_int_equal(arch_map_kernel_pages(addr, pages, 4, PAGE_KERNEL), 0);
	kernel_map_stats(&st);
	assert_int_equal(st.host_maps, 1 + 2);
	assert_int_equal(st.host_map_budget, 4);
	/* Two more runs would make 5 > 4: refused, no PTE written, no table kept busy. */
	before = free_pages_drained();
	pages[0] = block + 7;
	pages[1] = block + 6;
	assert_int_equal(arch_map_kernel_pages(addr + 8 * PAGE_SIZE, pages, 2, PAGE_KERNEL), -ENOMEM);
	assert_true(pte_none(kernel_pte(addr + 8 * PAGE_SIZE)));
	assert_true(pte_none(kernel_pte(addr + 9 * PAGE_SIZE)));
	kernel_map_stats(&st);
	assert_int_equal(st.host_maps, 1 + 2);
	assert_int_equal(st.refused, 1);
	assert_int_equal(free_pages_drained(), before);
	/* One run fits. */
	pages[0] = block + 6;
	pages[1] = block + 7;
	assert_int_equal(arch_map_kernel_pages(addr + 8 * PAGE_SIZE, pages, 2, PAGE_KERNEL), 0);
	kernel_map_stats(&st);
	assert_int_equal(st.host_maps, 1 + 3);
	arch_unmap_kernel_range(addr, 4 * PAGE_SIZE);
	arch_unmap_kernel_range(addr + 8 * PAGE_SIZE, 2 * PAGE_SIZE);
	kernel_map_stats(&st);
	assert_int_equal(st.host_maps, 1);
	__free_pages(block, 3);
	assert_mm_check();
}

/* A physical range (ioremap's way): consecutive frames, one host mapping. */
static void phys_range(void **state)
{
	struct kernel_map_stats st;
	unsigned long addr;
	struct page *block;
	u64 pa;

	boot_or_fail("ram=64M");
	addr = VMALLOC_START + PAGE_SIZE;
	block = alloc_pages(GFP_KERNEL, 2);
	pa = page_to_phys(block);
	assert_int_equal(arch_map_kernel_phys(addr, pa, 4 * PAGE_SIZE, PAGE_KERNEL_IO_NOCACHE), 0);
	kernel_map_stats(&st);
	assert_int_equal(st.host_maps, 1 + 1);
	assert_int_equal(pte_pfn(kernel_pte(addr + 3 * PAGE_SIZE)), (pa >> PAGE_SHIFT) + 3);
	assert_true(pte_val(kernel_pte(addr)) & _PAGE_PCD);
	((char *)kernel_window_ptr(addr))[3 * PAGE_SIZE] = 9;
	assert_int_equal(((char *)page_address(block + 3))[0], 9);
	arch_unmap_kernel_range(addr, 4 * PAGE_SIZE);
	__free_pages(block, 2);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(x86_64_window, teardown_machine),
		cmocka_unit_test_teardown(i386_window, teardown_machine),
		cmocka_unit_test_teardown(i386_pae_window, teardown_machine),
		cmocka_unit_test_teardown(runs_and_budget, teardown_machine),
		cmocka_unit_test_teardown(phys_range, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
