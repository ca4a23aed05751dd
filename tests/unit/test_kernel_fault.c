/*
 * test_kernel_fault.c - kernel accesses through the MMU and the faults the
 * kernel takes: the direct map read through the page tables the boot
 * wrote, TLB hits after the first walk, a stale translation until the
 * flush, vmalloc faults syncing a copied address space, spurious faults,
 * uaccess fixups, and oopses reported in Linux's words and survived.
 */
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/pgtable.h>
#include <kmm/procfs.h>
#include <kmm/tlbflush.h>
#include <kmm/uaccess.h>
#include "arch/x86/fault.h"
#include "arch/x86/kernel_map.h"
#include "hw/mmu.h"
#include "tests/harness.h"

static unsigned long direct(struct page *page)
{
	return (unsigned long)(arch->page_offset + page_to_phys(page));
}

static struct hw_tlb_stats tlb_now(void)
{
	struct hw_tlb_stats s;

	hw_tlb_stats(smp_processor_id(), &s);
	return s;
}

static struct fault_stats faults_now(void)
{
	struct fault_stats s;

	fault_stats(&s);
	return s;
}

/* The direct map through the MMU: the same bytes as through the host pointer; a walk, then hits. */
static void read_direct_map(const char *cmdline)
{
	struct page *page;
	char buf[64], *host;
	struct hw_tlb_stats before, after;

	boot_or_fail(cmdline);
	page = alloc_page(GFP_KERNEL);
	host = page_address(page);
	for (int i = 0; i < 64; i++)
		host[100 + i] = (char)(i * 7);
	hw_tlb_stats_reset(smp_processor_id());
	before = tlb_now();
	assert_int_equal(kmm_kernel_read(direct(page) + 100, buf, 64), 0);
	assert_memory_equal(buf, host + 100, 64);
	after = tlb_now();
	assert_int_equal(after.walks - before.walks, 1);
	assert_int_equal(kmm_kernel_read(direct(page) + 200, buf, 8), 0);
	assert_int_equal(tlb_now().walks, after.walks);
	assert_int_equal(tlb_now().hits, after.hits + 1);
	/* A write through the MMU lands in the page. */
	assert_int_equal(kmm_kernel_write(direct(page) + 4000, "kmm", 4), 0);
	assert_string_equal(host + 4000, "kmm");
	/* Across a page boundary into the next frame. */
	assert_int_equal(kmm_kernel_read(direct(page) + PAGE_SIZE - 2, buf, 4), 0);
	__free_page(page);
	assert_int_equal(faults_now().oopses, 0);
}

static void direct_map_x86_64(void **state) { read_direct_map("ram=64M"); }
static void direct_map_i386(void **state) { read_direct_map("arch=i386 ram=64M"); }
static void direct_map_pae(void **state) { read_direct_map("arch=i386 pae ram=64M"); }

/* Nothing mapped: an oops in Linux's words, -EFAULT, and the machine goes on. */
static void oops_and_survive(void **state)
{
	char buf[8];

	boot_or_fail("ram=64M");
	assert_int_equal(kmm_kernel_read(VMALLOC_START + 0x1000, buf, 8), -EFAULT);
	assert_int_equal(faults_now().oopses, 1);
	assert_int_equal(faults_now().last_address, VMALLOC_START + 0x1000);
	assert_true(dmesg_has("BUG: unable to handle kernel paging request at ffffc90000001000"));
	/* Nothing is mapped in the vmalloc area yet: PGD slot 402 is empty. */
	assert_true(dmesg_has("PGD 0 \n"));
	assert_true(dmesg_has("Oops: 0000 [#1] SMP"));
	assert_true(dmesg_has("CR2: ffffc90000001000"));
	assert_int_equal(kmm_kernel_write(0x10, buf, 1), -EFAULT);
	assert_true(dmesg_has("BUG: unable to handle kernel NULL pointer dereference at 0000000000000010"));
	assert_true(dmesg_has("Oops: 0002 [#2] SMP"));
	assert_int_equal(faults_now().oopses, 2);
	/* The machine goes on. */
	assert_int_equal(kmm_kernel_read((unsigned long)arch->page_offset + 0x100000, buf, 8), 0);
	assert_mm_check();
}

/* i386: the dump is PDE/PTE, 8 hex digits, and NULL is "(null)". */
static void oops_i386(void **state)
{
	char buf[4];

	boot_or_fail("arch=i386 ram=64M");
	assert_int_equal(kmm_kernel_read(0, buf, 4), -EFAULT);
	assert_true(dmesg_has("BUG: unable to handle kernel NULL pointer dereference at (null)"));
	assert_true(dmesg_has("*pde = 00000000 \n"));
	assert_int_equal(kmm_kernel_read(VMALLOC_START, buf, 4), -EFAULT);
	assert_true(dmesg_has("BUG: unable to handle kernel paging request at f8800000"));
}

/*
 * A missing flush leaves a stale, wrong translation: page A is read at V
 * (the TLB keeps V -> A), the PTE is switched to page B without a flush,
 * and the MMU still reads A; invlpg, or the kernel-range shootdown, makes
 * it read B.
 */
static void stale_until_flushed(void **state)
{
	struct page *a, *b;
	unsigned long v;
	char c;
	unsigned int level;

	boot_or_fail("ram=64M cpus=2");
	v = VMALLOC_START;
	a = alloc_page(GFP_KERNEL);
	b = alloc_page(GFP_KERNEL);
	memset(page_address(a), 'A', PAGE_SIZE);
	memset(page_address(b), 'B', PAGE_SIZE);
	assert_int_equal(arch_map_kernel_pages(v, &a, 1, PAGE_KERNEL), 0);
	assert_int_equal(kmm_kernel_read(v, &c, 1), 0);
	assert_int_equal(c, 'A');
	set_pte(lookup_address(v, &level), mk_pte(b, PAGE_KERNEL));
	assert_int_equal(kmm_kernel_read(v, &c, 1), 0);
	assert_int_equal(c, 'A');			/* stale */
	__flush_tlb_one(v);
	assert_int_equal(kmm_kernel_read(v, &c, 1), 0);
	assert_int_equal(c, 'B');
	/* Again, with the shootdown every CPU gets; the other CPU's TLB too. */
	assert_int_equal(kmm_set_cpu(1), 0);
	assert_int_equal(kmm_kernel_read(v, &c, 1), 0);
	assert_int_equal(c, 'B');
	set_pte(lookup_address(v, &level), mk_pte(a, PAGE_KERNEL));
	assert_int_equal(kmm_kernel_read(v, &c, 1), 0);
	assert_int_equal(c, 'B');			/* stale on CPU 1 */
	assert_int_equal(kmm_set_cpu(0), 0);
	flush_tlb_kernel_range(v, v + PAGE_SIZE);
	assert_int_equal(kmm_set_cpu(1), 0);
	assert_int_equal(kmm_kernel_read(v, &c, 1), 0);
	assert_int_equal(c, 'A');
	assert_int_equal(kmm_set_cpu(0), 0);
	arch_unmap_kernel_range(v, PAGE_SIZE);
	flush_tlb_kernel_range(v, v + PAGE_SIZE);
	assert_int_equal(kmm_kernel_read(v, &c, 1), -EFAULT);
	__free_page(a);
	__free_page(b);
}

/* Read-only in the TLB, writable in the tables: the write faults, is spurious, and succeeds. */
static void spurious_fault(void **state)
{
	struct page *page;
	unsigned long v;
	unsigned int level;
	char c = 'x';

	boot_or_fail("ram=64M");
	v = VMALLOC_START + 3 * PAGE_SIZE;
	page = alloc_page(GFP_KERNEL);
	assert_int_equal(arch_map_kernel_pages(v, &page, 1, PAGE_KERNEL_RO), 0);
	assert_int_equal(kmm_kernel_read(v, &c, 1), 0);
	assert_int_equal(kmm_kernel_write(v, &c, 1), -EFAULT);	/* really read-only: an oops */
	assert_int_equal(faults_now().oopses, 1);
	assert_true(dmesg_has("Oops: 0003 [#1] SMP"));
	assert_int_equal(kmm_kernel_read(v, &c, 1), 0);	/* back in the TLB, read-only */
	set_pte(lookup_address(v, &level), mk_pte(page, PAGE_KERNEL));
	c = 'w';
	assert_int_equal(kmm_kernel_write(v, &c, 1), 0);
	assert_int_equal(faults_now().spurious_faults, 1);
	assert_int_equal(faults_now().oopses, 1);
	assert_int_equal(*(char *)page_address(page), 'w');
	arch_unmap_kernel_range(v, PAGE_SIZE);
	flush_tlb_kernel_range(v, v + PAGE_SIZE);
	__free_page(page);
}

/*
 * A second address space whose kernel half was copied before a page was
 * mapped in the vmalloc area: the first access through it faults, the
 * fault copies init_mm's entry (x86_64: the PGD entry; i386: the PDE) and
 * the access is retried.  PAE shares the kernel's PMD table: no fault.
 */
static void vmalloc_fault_syncs(const char *cmdline, unsigned long want_faults)
{
	struct page *page;
	pgd_t *pgd;
	unsigned long v;
	char c;

	boot_or_fail(cmdline);
	v = VMALLOC_START + 5 * PAGE_SIZE;
	pgd = pgd_alloc(&init_mm);
	assert_non_null(pgd);
	page = alloc_page(GFP_KERNEL);
	*(char *)page_address(page) = 'v';
	assert_int_equal(arch_map_kernel_pages(v, &page, 1, PAGE_KERNEL), 0);
	hw_load_cr3(__pa(pgd));
	assert_int_equal(kmm_kernel_read(v, &c, 1), 0);
	assert_int_equal(c, 'v');
	assert_int_equal(faults_now().vmalloc_faults, want_faults);
	assert_int_equal(faults_now().spurious_faults, 0);
	assert_int_equal(faults_now().oopses, 0);
	/* The entry of the copy is init_mm's now (PAE: it always was, the PMD table is shared). */
	{
		pmd_t *k = pmd_offset(pud_offset(pgd_offset_k(v), v), v);
		pmd_t *u = pmd_offset(pud_offset(pgd_entry(pgd, v), v), v);

		assert_int_equal(pmd_val(pmdp_get(u)), pmd_val(pmdp_get(k)));
	}
	/* Now synced: no more faults. */
	assert_int_equal(kmm_kernel_read(v, &c, 1), 0);
	assert_int_equal(faults_now().vmalloc_faults, want_faults);
	hw_load_cr3(__pa(swapper_pg_dir));
	arch_unmap_kernel_range(v, PAGE_SIZE);
	flush_tlb_kernel_range(v, v + PAGE_SIZE);
	pgd_free(&init_mm, pgd);
	__free_page(page);
}

static void vmalloc_fault_x86_64(void **state) { vmalloc_fault_syncs("ram=64M", 1); }
static void vmalloc_fault_i386(void **state) { vmalloc_fault_syncs("arch=i386 ram=64M", 1); }
static void vmalloc_fault_pae(void **state) { vmalloc_fault_syncs("arch=i386 pae ram=64M", 0); }

/* uaccess: an unmapped user address is fixed up to "not copied", never an oops. */
static void uaccess_fixups(void **state)
{
	char buf[16];
	int v = 5;

	boot_or_fail("ram=64M");
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(copy_from_user(buf, (const void __user *)0x400000UL, 16), 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(copy_to_user((void __user *)0x400000UL, buf, 16), 16);
	assert_int_equal(get_user(v, (int __user *)0x400000UL), -EFAULT);
	assert_int_equal(v, 0);
	assert_int_equal(put_user(7, (int __user *)0x400000UL), -EFAULT);
	assert_int_equal(strncpy_from_user(buf, (const char __user *)0x400000UL, 8), -EFAULT);
	assert_int_equal(clear_user((void __user *)0x400000UL, 100), 100);
	assert_int_equal(faults_now().oopses, 0);
	assert_int_equal(faults_now().fixups, 6);
}

/*
 * An address space of its own, with one user page at 0x400000: after
 * switch_mm the CPU reads it through the new CR3; the PTE switched to
 * another page stays stale until flush_tlb_mm_range (or flush_tlb_mm) on
 * the CPUs that ran the mm, and a CPU that switched back to init_mm drops
 * the mm's entries (not global) but keeps the kernel's (global).
 */
static void user_address_space_flushes(void **state)
{
	struct mm_struct mm = { .mm_users = ATOMIC_INIT(1) };
	struct page *a, *b;
	unsigned long ua = 0x400000;
	pte_t *pte;
	char c;

	boot_or_fail("ram=64M cpus=2");
	mm.pgd = pgd_alloc(&mm);
	assert_non_null(mm.pgd);
	spin_lock_init(&mm.page_table_lock);
	a = alloc_page(GFP_KERNEL);
	b = alloc_page(GFP_KERNEL);
	memset(page_address(a), 'a', PAGE_SIZE);
	memset(page_address(b), 'b', PAGE_SIZE);
	pte = pte_alloc_kernel(pmd_alloc(&mm, pud_alloc(&mm, pgd_offset(&mm, ua), ua), ua), ua);
	assert_non_null(pte);
	set_pte(pte, mk_pte(a, PAGE_SHARED));
	switch_mm(&init_mm, &mm);
	assert_int_equal(mm.cpu_vm_mask[0], 1);
	assert_int_equal(copy_from_user(&c, (const void __user *)ua, 1), 0);
	assert_int_equal(c, 'a');
	set_pte(pte, mk_pte(b, PAGE_SHARED));
	assert_int_equal(copy_from_user(&c, (const void __user *)ua, 1), 0);
	assert_int_equal(c, 'a');				/* stale */
	/* One page: one invlpg; more than 33 pages: a CR3 reload instead. */
	hw_tlb_stats_reset(0);
	flush_tlb_mm_range(&mm, ua, ua + PAGE_SIZE);
	assert_int_equal(tlb_now().flush_one, 1);
	assert_int_equal(tlb_now().cr3_loads, 0);
	assert_int_equal(copy_from_user(&c, (const void __user *)ua, 1), 0);
	assert_int_equal(c, 'b');
	flush_tlb_mm_range(&mm, ua, ua + 33 * PAGE_SIZE);
	assert_int_equal(tlb_now().flush_one, 1 + 33);
	flush_tlb_mm_range(&mm, ua, ua + 34 * PAGE_SIZE);
	assert_int_equal(tlb_now().flush_one, 1 + 33);
	assert_int_equal(tlb_now().cr3_loads, 1);
	set_pte(pte, mk_pte(a, PAGE_SHARED));
	flush_tlb_mm(&mm);
	assert_int_equal(copy_from_user(&c, (const void __user *)ua, 1), 0);
	assert_int_equal(c, 'a');
	/*
	 * A CPU counted in the mask that runs another address space now (it
	 * left lazily) is not flushed: it leaves the mask instead.
	 */
	mm.cpu_vm_mask[0] |= 2;
	hw_tlb_stats_reset(1);
	flush_tlb_mm(&mm);
	assert_int_equal(mm.cpu_vm_mask[0], 1);
	{
		struct hw_tlb_stats s1;

		hw_tlb_stats(1, &s1);
		assert_int_equal(s1.cr3_loads, 0);
	}
	/* Back to the kernel's tables: the user page is gone from this CPU, the mask too. */
	switch_mm(&mm, &init_mm);
	assert_int_equal(mm.cpu_vm_mask[0], 0);
	assert_int_equal(copy_from_user(&c, (const void __user *)ua, 1), 1);
	pgd_free(&mm, mm.pgd);
	__free_page(a);
	__free_page(b);
}

/*
 * A user-mode access to a kernel page is a protection fault the tables
 * agree with: never spurious, so never retried; with no process it ends in
 * no_context.
 */
static void user_access_to_kernel_is_not_spurious(void **state)
{
	unsigned long kaddr;
	u64 pa;
	int f;

	boot_or_fail("ram=64M");
	kaddr = (unsigned long)arch->page_offset + 0x100000;
	f = hw_mmu_translate(kaddr, HW_ACC_USER, &pa);
	assert_int_equal(f, HW_FAULT_PF | X86_PF_PROT | X86_PF_USER);
	assert_int_equal(do_page_fault(HW_FAULT_ERROR_CODE(f), 0), FAULT_OOPS);
	assert_int_equal(faults_now().spurious_faults, 0);
	assert_true(dmesg_has("Oops: 0005 [#1] SMP"));
}

/* The tracepoints: a shootdown is one tlb_flush per CPU, a kernel fault one page_fault_kernel. */
static void tracepoints(void **state)
{
	const char *t;
	char c;

	boot_or_fail("ram=64M cpus=2");
	assert_int_equal(proc_write("/sys/kernel/debug/tracing/events/tlb/enable", "1"), 0);
	assert_int_equal(proc_write("/sys/kernel/debug/tracing/events/exceptions/page_fault_kernel/enable",
				    "1"), 0);
	assert_string_equal(proc_text("/sys/kernel/debug/tracing/events/kmem/enable"), "0\n");
	flush_tlb_kernel_range(VMALLOC_START, VMALLOC_START + PAGE_SIZE);
	__flush_tlb_one(VMALLOC_START);
	assert_int_equal(kmm_kernel_read(VMALLOC_START, &c, 1), -EFAULT);
	t = proc_text("/sys/kernel/debug/tracing/trace");
	assert_non_null(strstr(t, "[000]     0.000000: tlb_flush: pages:-1 reason:local shootdown (2)\n"));
	assert_non_null(strstr(t, "[001]     0.000000: tlb_flush: pages:-1 reason:remote shootdown (1)\n"));
	assert_non_null(strstr(t, "[000]     0.000000: tlb_flush: pages:1 reason:local shootdown (2)\n"));
	assert_non_null(strstr(t, "page_fault_kernel: address=0xffffc90000000000 ip="));
	assert_non_null(strstr(t, " error_code=0x0\n"));
	assert_int_equal(proc_write("/sys/kernel/debug/tracing/events/tlb/tlb_flush/enable", "0"), 0);
	assert_string_equal(proc_text("/sys/kernel/debug/tracing/events/tlb/enable"), "0\n");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(direct_map_x86_64, teardown_machine),
		cmocka_unit_test_teardown(direct_map_i386, teardown_machine),
		cmocka_unit_test_teardown(direct_map_pae, teardown_machine),
		cmocka_unit_test_teardown(oops_and_survive, teardown_machine),
		cmocka_unit_test_teardown(oops_i386, teardown_machine),
		cmocka_unit_test_teardown(stale_until_flushed, teardown_machine),
		cmocka_unit_test_teardown(spurious_fault, teardown_machine),
		cmocka_unit_test_teardown(vmalloc_fault_x86_64, teardown_machine),
		cmocka_unit_test_teardown(vmalloc_fault_i386, teardown_machine),
		cmocka_unit_test_teardown(vmalloc_fault_pae, teardown_machine),
		cmocka_unit_test_teardown(uaccess_fixups, teardown_machine),
		cmocka_unit_test_teardown(user_address_space_flushes, teardown_machine),
		cmocka_unit_test_teardown(user_access_to_kernel_is_not_spurious, teardown_machine),
		cmocka_unit_test_teardown(tracepoints, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
