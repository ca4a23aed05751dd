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
#include <kmm/trace.h>
#include "arch/x86/kernel_map.h"
#include "arch/x86/layout.h"
#include "hw/cpu.h"
#include "hw/mmu.h"

static const char *const flush_reasons[] = {
	[TLB_FLUSH_ON_TASK_SWITCH] = "flush on task switch",
	[TLB_REMOTE_SHOOTDOWN] = "remote shootdown",
	[TLB_LOCAL_SHOOTDOWN] = "local shootdown",
	[TLB_LOCAL_MM_SHOOTDOWN] = "local mm shootdown",
};

/* The tlb_flush tracepoint (later Linux's): @pages flushed (TLB_FLUSH_ALL: all) on this CPU. */
static void trace_tlb_flush(enum tlb_flush_reason reason, long pages)
{
	if (trace_on(tlb_flush))
		trace_event(TRACE_tlb_flush, "pages:%ld reason:%s (%d)", pages, flush_reasons[reason],
			    (int)reason);
}

static void do_flush_all(void *arg)
{
	int asker = *(int *)arg;

	hw_tlb_flush_all();
	trace_tlb_flush(smp_processor_id() == asker ? TLB_LOCAL_SHOOTDOWN : TLB_REMOTE_SHOOTDOWN,
			TLB_FLUSH_ALL);
}

void flush_tlb_all(void)
{
	int asker = smp_processor_id();

	for (int cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu))
			hw_run_on_cpu(cpu, do_flush_all, &asker);
}

void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	(void)start;
	(void)end;
	flush_tlb_all();
}

void __flush_tlb_all_local(void)
{
	hw_tlb_flush_all();
	trace_tlb_flush(TLB_LOCAL_SHOOTDOWN, TLB_FLUSH_ALL);
}

void __flush_tlb_one(unsigned long addr)
{
	hw_tlb_flush_one(addr);
	trace_tlb_flush(TLB_LOCAL_SHOOTDOWN, 1);
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
