/*
 * mmu.h - the simulated MMU seen from outside: how an address translates
 * (each level's entry), what a CPU's TLB holds and counts, and flushing it.
 * For tools, tests and programs that want to watch paging; the kernel's
 * own interface is <kmm/pgtable.h> and the flush functions.
 *
 * Addresses are as Linux shows them (0xffff880000000000 + pa...).
 */
#ifndef KMM_MMU_H
#define KMM_MMU_H

#include <kmm/types.h>

/* Effective rights of a translation (all levels combined). */
#define KMM_PERM_WRITE	0x01
#define KMM_PERM_USER	0x02
#define KMM_PERM_NX	0x04
#define KMM_PERM_GLOBAL	0x08
#define KMM_PERM_DIRTY	0x10

struct kmm_walk_step {
	const char *name;		/* "PML4E", "PDPTE", "PDE", "PTE" */
	u64 table;			/* physical address of the table */
	unsigned int index;		/* the entry's index in it */
	u64 entry;			/* its value */
};

struct kmm_walk {
	u64 cr3;
	int levels;			/* steps[0..levels) */
	struct kmm_walk_step step[4];
	int fault;			/* 0, or the x86 error code | 0x100 (page fault), 0x200 (#GP) */
	u64 pa;				/* the translation, when !fault */
	unsigned int page_shift;	/* 12, 21, 22 or 30 */
	unsigned int perms;		/* KMM_PERM_* */
};

/*
 * Walk @addr with the calling CPU's CR3 (under PAE, its PDPTE registers),
 * as a supervisor read would, and change nothing (no Accessed bit, no TLB
 * fill).  0 or the fault.
 */
int kmm_translate(unsigned long addr, struct kmm_walk *w);

struct mm_struct;
/*
 * The same walk through @mm's page tables, with the CR3 that loading them
 * would take (w->cr3), whether or not a CPU runs them: the calling CPU's
 * own walk if it does (under PAE its PDPTE registers), otherwise the
 * tables in memory.  The caller keeps @mm's tables alive meanwhile.
 */
int kmm_translate_mm(struct mm_struct *mm, unsigned long addr, struct kmm_walk *w);

/* The names of the bits set in entry @v ("P RW US A D PS G NX"), into @buf. */
void kmm_entry_bits(u64 v, bool leaf_4k, char *buf, size_t size);

struct kmm_tlb_stats {
	u64 lookups, hits, misses, walks, faults;
	u64 flush_one, flush_all, cr3_loads;
};
void kmm_tlb_stats(int cpu, struct kmm_tlb_stats *st);
void kmm_tlb_stats_reset(int cpu);

/*
 * Each valid entry of @cpu's TLB, 4K entries then large ones: @fn(@arg,
 * va, pa, page_shift, perms); stops when @fn returns nonzero.  Returns how
 * many, or -EBUSY when another thread owns @cpu.
 */
int kmm_tlb_dump(int cpu, int (*fn)(void *arg, u64 va, u64 pa, unsigned int page_shift,
				    unsigned int perms), void *arg);

/* invlpg of @addr on the calling CPU; every entry of the calling CPU (global ones too). */
void kmm_tlb_flush_one(unsigned long addr);
void kmm_tlb_flush_all(void);

#endif /* KMM_MMU_H */
