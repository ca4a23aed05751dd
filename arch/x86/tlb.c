/*
 * arch/x86/tlb.c - keeping the CPUs' TLBs honest: loading CR3 and the
 * flushes of kernel addresses, local and on every online CPU.
 *
 * A flush on other CPUs is an IPI (hw_run_on_cpu): each CPU drops its own
 * entries, and the call returns when all have; then no CPU can use a stale
 * translation of the range.  2.6.34 flushes a kernel range by flushing
 * everything (flush_tlb_kernel_range is flush_tlb_all), global entries
 * included, which is what the kernel's own mappings are.
 */
#include <kmm/asm/smp.h>
#include <kmm/pgtable.h>
#include "arch/x86/kernel_map.h"
#include "arch/x86/layout.h"
#include "hw/cpu.h"
#include "hw/mmu.h"

static void do_flush_all(void *arg)
{
	(void)arg;
	hw_tlb_flush_all();
}

void flush_tlb_all(void)
{
	for (int cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu))
			hw_run_on_cpu(cpu, do_flush_all, NULL);
}

void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	(void)start;
	(void)end;
	flush_tlb_all();
}

void __flush_tlb_one(unsigned long addr)
{
	hw_tlb_flush_one(addr);
}

/* A CPU starting: an empty TLB, CR3 on swapper_pg_dir (what a secondary's trampoline loads). */
static void cpu_start_paging(void *arg)
{
	(void)arg;
	hw_tlb_reset_cpu(smp_processor_id());
	hw_load_cr3(__pa(swapper_pg_dir));
}

/* Paging on, in the booted mode, for the boot CPU; the others as they come up. */
void paging_start(void)
{
	enum hw_paging_mode mode = arch->bits == 64 ? HW_PAGING_4LEVEL
				 : arch->pae ? HW_PAGING_PAE : HW_PAGING_32;

	hw_mmu_setup(mode, !!(__supported_pte_mask & _PAGE_NX), true);
	hw_run_on_cpu(0, cpu_start_paging, NULL);
}

void paging_cpu_up(int cpu)
{
	hw_run_on_cpu(cpu, cpu_start_paging, NULL);
}
