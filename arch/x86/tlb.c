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
#include <kmm/mm_check.h>
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

/* ---- address spaces ---- */

/*
 * A CPU that loads CR3 with a PAE PDPT holding a present entry with
 * reserved bits takes a #GP in the kernel, which 2.6.34 does not survive
 * (die() in a context switch): kmm stops with the entries shown, since
 * only a corrupted top level gets there.
 */
void load_cr3(pgd_t *pgd)
{
	u64 pa = __pa(pgd);

	if (unlikely(hw_load_cr3(pa))) {
		const u64 *e = (const u64 *)pgd;

		panic("load_cr3: general protection fault: the PDPT at %#llx has reserved bits set "
		      "(PDPTEs %016llx %016llx %016llx %016llx)", (unsigned long long)pa,
		      (unsigned long long)e[0], (unsigned long long)e[1],
		      (unsigned long long)e[2], (unsigned long long)e[3]);
	}
}

/*
 * Past this many pages a range flush flushes everything (later Linux's
 * tlb_single_page_flush_ceiling): invlpg per page costs more beyond it.
 */
#define FLUSH_CEILING	33

struct mm_flush {
	struct mm_struct *mm;
	unsigned long start, end;	/* end 0: all of the mm */
	int asker;
};

/*
 * On one CPU: if it still runs @f->mm, drop its entries (a CR3 reload for
 * everything: the mm's entries are not global); a CPU that moved on is
 * no longer counted in the mask.
 */
static void do_flush_mm(void *arg)
{
	struct mm_flush *f = arg;
	int cpu = smp_processor_id();
	enum tlb_flush_reason reason = cpu == f->asker ? TLB_LOCAL_MM_SHOOTDOWN : TLB_REMOTE_SHOOTDOWN;
	unsigned long pages = f->end ? (f->end - f->start) >> PAGE_SHIFT : 0;

	if (hw_read_cr3() != __pa(f->mm->pgd)) {
		cpu_mask_clear(f->mm->cpu_vm_mask, cpu);
		return;
	}
	if (f->end && pages <= FLUSH_CEILING) {
		for (unsigned long a = f->start; a < f->end; a += PAGE_SIZE)
			hw_tlb_flush_one(a);
		trace_tlb_flush(reason, (long)pages);
	} else {
		load_cr3(f->mm->pgd);
		trace_tlb_flush(reason, TLB_FLUSH_ALL);
	}
}

static void flush_mm(struct mm_flush *f)
{
	f->asker = smp_processor_id();
	for (int cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_mask_test(f->mm->cpu_vm_mask, cpu) && cpu_online(cpu))
			hw_run_on_cpu(cpu, do_flush_mm, f);
}

void flush_tlb_mm(struct mm_struct *mm)
{
	struct mm_flush f = { .mm = mm };

	flush_mm(&f);
}

void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct mm_flush f = { .mm = mm, .start = start & PAGE_MASK, .end = PAGE_ALIGN(end) };

	if (f.end > f.start)
		flush_mm(&f);
}

/*
 * After a change to @mm's top level: under PAE a CPU reads its PDPTEs
 * only when CR3 is loaded, so every CPU running @mm reloads it to see the
 * change (2.6.34's pud_populate, after Intel's note that a PDPTE change
 * needs a CR3 write).  Linux reloads this CPU's only (if @mm is
 * current->active_mm) and counts on no live address space ever getting a
 * new PDPTE (pgd_alloc fills all four); kmm reloads on each CPU in
 * @mm->cpu_vm_mask that still runs it (flush_tlb_mm), so that even
 * init_mm, which every idle CPU runs, stays consistent.
 */
void pae_reload_pdptes(struct mm_struct *mm)
{
	if (PAGETABLE_LEVELS == 3)
		flush_tlb_mm(mm);
}

void switch_mm(struct mm_struct *prev, struct mm_struct *next)
{
	int cpu = smp_processor_id();

	if (prev == next)
		return;
	cpu_mask_set(next->cpu_vm_mask, cpu);
	load_cr3(next->pgd);
	trace_tlb_flush(TLB_FLUSH_ON_TASK_SWITCH, TLB_FLUSH_ALL);
	if (prev)
		cpu_mask_clear(prev->cpu_vm_mask, cpu);
}

/*
 * Under PAE, every online CPU's PDPTE registers hold what its PDPT holds
 * in memory: whoever changes a loaded PDPTE reloads CR3 (the machine is
 * quiescent while checks run, so no load is half done).
 */
static int check_pdptes(struct seq_file *report)
{
	int problems = 0;

	if (hw_mmu_mode() != HW_PAGING_PAE)
		return 0;
	for (int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		u64 reg[4], cr3;
		const u64 *mem;

		if (!cpu_online(cpu))
			continue;
		cr3 = hw_cpu_cr3(cpu, reg);
		mem = (const u64 *)__va(cr3 & ~0x1fULL);
		for (int i = 0; i < 4; i++) {
			if (reg[i] == __atomic_load_n(&mem[i], __ATOMIC_RELAXED))
				continue;
			check_report(report, "CPU %d: PDPTE register %d holds %#llx, the PDPT at %#llx %#llx (changed without a CR3 reload)",
				     cpu, i, (unsigned long long)reg[i], (unsigned long long)cr3,
				     (unsigned long long)mem[i]);
			problems++;
		}
	}
	return problems;
}
MM_CHECK(pdptes, check_pdptes);

/* A CPU starting: an empty TLB, CR3 on swapper_pg_dir (what a secondary's trampoline loads). */
static void cpu_start_paging(void *arg)
{
	(void)arg;
	hw_tlb_reset_cpu(smp_processor_id());
	load_cr3(swapper_pg_dir);
	cpu_mask_set(init_mm.cpu_vm_mask, smp_processor_id());
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

/*
 * A CPU stopping (cpu_down, before it is marked offline): off every user
 * address space, on swapper_pg_dir, its TLB empty.  The address spaces
 * whose cpu_vm_mask still names it lose the bit at their next flush (a
 * CPU on another CR3 is dropped from the mask there), and a shootdown
 * never reaches an offline CPU; it starts clean when it comes back up.
 */
static void cpu_stop_paging(void *arg)
{
	(void)arg;
	load_cr3(swapper_pg_dir);
	hw_tlb_reset_cpu(smp_processor_id());
}

void paging_cpu_down(int cpu)
{
	hw_run_on_cpu(cpu, cpu_stop_paging, NULL);
}

/* ---- mm_check: the TLBs against the page tables ---- */

struct tlb_check {
	struct seq_file *report;
	int cpu;
	u64 cr3;
	int problems;
};

/*
 * One TLB entry of a user page against the tables the CPU runs on (its
 * CR3).  A TLB may lag behind in the safe direction only -- fewer rights
 * than the PTE grants, which a spurious fault repairs -- never map a page
 * the tables do not, map it elsewhere, or allow a write, a user access
 * or an instruction fetch that the tables refuse: that is a missed flush.
 * A writable entry not yet dirty allows no write on its own: the CPU
 * walks again to set D, and finds the PTE read-only.
 */
static int check_tlb_entry(const struct hw_tlb_info *e, void *arg)
{
	struct tlb_check *c = arg;
	struct hw_walk w;
	const char *why = NULL;

	if (!(e->perms & HW_PERM_U))
		return 0;	/* the kernel's: lazily unmapped vmalloc areas may linger */
	if (hw_mmu_walk_info(c->cr3, e->va, &w))
		why = "the page tables map nothing there";
	else if ((w.pa & ~((1ULL << e->page_shift) - 1)) != e->pa)
		why = "the page tables map another frame";
	else if ((e->perms & HW_PERM_W) && (e->perms & HW_PERM_D) && !(w.perms & HW_PERM_W))
		why = "writable in the TLB, read-only in the page tables";
	else if (!(w.perms & HW_PERM_U))
		why = "a user page in the TLB, a kernel page in the page tables";
	else if (!(e->perms & HW_PERM_NX) && (w.perms & HW_PERM_NX))
		why = "executable in the TLB, not in the page tables";
	if (why) {
		c->problems++;
		check_report(c->report, "cpu %d: the TLB maps user %#llx to %#llx: %s (a missed flush)",
			     c->cpu, (unsigned long long)e->va, (unsigned long long)e->pa, why);
	}
	return 0;
}

static int check_tlbs(struct seq_file *report)
{
	struct tlb_check c = { .report = report };
	int cpu;

	for_each_online_cpu(cpu) {
		c.cpu = cpu;
		c.cr3 = __atomic_load_n(&hw_tlbs[cpu].cr3, __ATOMIC_ACQUIRE);
		hw_tlb_for_each(cpu, check_tlb_entry, &c);	/* -EBUSY: its owner is busy */
	}
	return c.problems;
}
MM_CHECK(tlb, check_tlbs);
