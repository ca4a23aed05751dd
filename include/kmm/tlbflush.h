/*
 * tlbflush.h - keeping the TLBs honest after a page-table change, and
 * switching a CPU to another address space.
 *
 * After changing or removing a present entry, the kernel flushes: on
 * every CPU that may cache it (the simulated CPUs really do keep stale
 * translations until told).  Kernel ranges are flushed everywhere; an
 * address space's, on the CPUs that ran it (mm->cpu_vm_mask).
 */
#ifndef KMM_TLBFLUSH_H
#define KMM_TLBFLUSH_H

#include <kmm/mm_types.h>

/* Every entry of every online CPU, global ones included. */
void flush_tlb_all(void);
/* Kernel addresses [start, end) on every online CPU (2.6.34: everything). */
void flush_tlb_kernel_range(unsigned long start, unsigned long end);
/* This CPU only: one page (invlpg), or everything. */
void __flush_tlb_one(unsigned long addr);
void __flush_tlb_all_local(void);

/* @mm's entries on each CPU running it: all of them, or [start, end). */
void flush_tlb_mm(struct mm_struct *mm);
void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start, unsigned long end);

/*
 * This CPU leaves @prev for @next: CR3 loaded with @next's top level (its
 * non-global entries go), the CPU counted in next->cpu_vm_mask and no
 * longer in prev's.
 */
void switch_mm(struct mm_struct *prev, struct mm_struct *next);

/*
 * Load this CPU's CR3 with @pgd (its non-global TLB entries go; under PAE
 * the CPU takes the four PDPTEs into its registers now, and only now).  A
 * PAE PDPTE with reserved bits makes the load fault (#GP): a panic.
 */
void load_cr3(pgd_t *pgd);
/* PAE: @mm's top level changed; each CPU running @mm reloads CR3 (pud_populate). */
void pae_reload_pdptes(struct mm_struct *mm);

#endif /* KMM_TLBFLUSH_H */
