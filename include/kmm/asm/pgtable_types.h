/*
 * asm/pgtable_types.h - what an x86 page-table entry holds, the
 * protections built from its bits, and the shape of the tables in each of
 * the three paging modes kmm boots.
 *
 * An entry (any level) is one word: a frame number above bit 12 and flags
 * below it, plus NX at bit 63 where entries are 64 bits wide:
 *
 *   63  62..52  51 ........ 12  11 10 9  8  7     6  5  4   3   2  1  0
 *  [NX][ avail][ frame number ][ avail ][G][PS/PAT][D][A][PCD][PWT][U][W][P]
 *
 * i386 without PAE has 32-bit entries (frame in bits 31..12, no NX).
 *
 * One binary boots every architecture, so unlike Linux, where pte_t's
 * width is fixed when the kernel is compiled, kmm learns it at boot: the
 * values (pte_t, pmd_t, pud_t, pgd_t) are always 64 bits wide, and an entry
 * in a table is read and written only through ptep_get()/set_pte() and
 * their pmd/pud/pgd twins, which use the width of the booted mode.  Never
 * dereference or step an entry pointer by hand.
 */
#ifndef KMM_ASM_PGTABLE_TYPES_H
#define KMM_ASM_PGTABLE_TYPES_H

#include <kmm/types.h>
#include <kmm/asm/page.h>

typedef u64 pteval_t;
typedef u64 pmdval_t;
typedef u64 pudval_t;
typedef u64 pgdval_t;
typedef u64 pgprotval_t;

typedef struct { pteval_t pte; } pte_t;
typedef struct { pmdval_t pmd; } pmd_t;
typedef struct { pudval_t pud; } pud_t;
typedef struct { pgdval_t pgd; } pgd_t;
typedef struct { pgprotval_t pgprot; } pgprot_t;

#define pte_val(x)	((x).pte)
#define pmd_val(x)	((x).pmd)
#define pud_val(x)	((x).pud)
#define pgd_val(x)	((x).pgd)
#define pgprot_val(x)	((x).pgprot)
#define __pte(x)	((pte_t){ (x) })
#define __pmd(x)	((pmd_t){ (x) })
#define __pud(x)	((pud_t){ (x) })
#define __pgd(x)	((pgd_t){ (x) })
#define __pgprot(x)	((pgprot_t){ (x) })

/* The bits; the CPU defines 0-8, 12 (PAT on large pages) and 63, software the rest. */
#define _PAGE_BIT_PRESENT	0
#define _PAGE_BIT_RW		1
#define _PAGE_BIT_USER		2
#define _PAGE_BIT_PWT		3
#define _PAGE_BIT_PCD		4
#define _PAGE_BIT_ACCESSED	5	/* set by the CPU on any use */
#define _PAGE_BIT_DIRTY		6	/* set by the CPU on a write */
#define _PAGE_BIT_PSE		7	/* a large page (in a PMD or PUD) */
#define _PAGE_BIT_PAT		7	/* in a 4K PTE */
#define _PAGE_BIT_GLOBAL	8	/* survives a CR3 load */
#define _PAGE_BIT_UNUSED1	9
#define _PAGE_BIT_IOMAP		10	/* software: an I/O mapping */
#define _PAGE_BIT_HIDDEN	11
#define _PAGE_BIT_PAT_LARGE	12
#define _PAGE_BIT_SPECIAL	_PAGE_BIT_UNUSED1
#define _PAGE_BIT_NX		63
/* When P is clear: PROT_NONE mappings keep GLOBAL set, nonlinear file PTEs DIRTY. */
#define _PAGE_BIT_PROTNONE	_PAGE_BIT_GLOBAL
#define _PAGE_BIT_FILE		_PAGE_BIT_DIRTY

#define _PAGE_PRESENT	((pteval_t)1 << _PAGE_BIT_PRESENT)
#define _PAGE_RW	((pteval_t)1 << _PAGE_BIT_RW)
#define _PAGE_USER	((pteval_t)1 << _PAGE_BIT_USER)
#define _PAGE_PWT	((pteval_t)1 << _PAGE_BIT_PWT)
#define _PAGE_PCD	((pteval_t)1 << _PAGE_BIT_PCD)
#define _PAGE_ACCESSED	((pteval_t)1 << _PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY	((pteval_t)1 << _PAGE_BIT_DIRTY)
#define _PAGE_PSE	((pteval_t)1 << _PAGE_BIT_PSE)
#define _PAGE_PAT	((pteval_t)1 << _PAGE_BIT_PAT)
#define _PAGE_GLOBAL	((pteval_t)1 << _PAGE_BIT_GLOBAL)
#define _PAGE_IOMAP	((pteval_t)1 << _PAGE_BIT_IOMAP)
#define _PAGE_PAT_LARGE	((pteval_t)1 << _PAGE_BIT_PAT_LARGE)
#define _PAGE_SPECIAL	((pteval_t)1 << _PAGE_BIT_SPECIAL)
#define _PAGE_NX	((pteval_t)1 << _PAGE_BIT_NX)	/* masked off where NX does not exist */
#define _PAGE_PROTNONE	((pteval_t)1 << _PAGE_BIT_PROTNONE)
#define _PAGE_FILE	((pteval_t)1 << _PAGE_BIT_FILE)

/* What a table entry pointing at a lower table carries. */
#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _KERNPG_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

/* User mappings: no execute unless asked (NX is dropped where it does not exist). */
#define PAGE_NONE		__pgprot(_PAGE_PROTNONE | _PAGE_ACCESSED)
#define PAGE_SHARED		__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_SHARED_EXEC	__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY_NOEXEC	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_COPY_EXEC		__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY		PAGE_COPY_NOEXEC
#define PAGE_READONLY		__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_READONLY_EXEC	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)

/* Kernel mappings: global, born accessed and dirty (the CPU never has to set them). */
#define __PAGE_KERNEL_EXEC	(_PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_GLOBAL)
#define __PAGE_KERNEL		(__PAGE_KERNEL_EXEC | _PAGE_NX)
#define __PAGE_KERNEL_RO	(__PAGE_KERNEL & ~_PAGE_RW)
#define __PAGE_KERNEL_RX	(__PAGE_KERNEL_EXEC & ~_PAGE_RW)
#define __PAGE_KERNEL_NOCACHE	(__PAGE_KERNEL | _PAGE_PCD | _PAGE_PWT)
#define __PAGE_KERNEL_LARGE	(__PAGE_KERNEL | _PAGE_PSE)
#define __PAGE_KERNEL_LARGE_EXEC (__PAGE_KERNEL_EXEC | _PAGE_PSE)
#define __PAGE_KERNEL_IO	(__PAGE_KERNEL | _PAGE_IOMAP)
#define __PAGE_KERNEL_IO_NOCACHE (__PAGE_KERNEL_NOCACHE | _PAGE_IOMAP)

#define PAGE_KERNEL		__pgprot(__PAGE_KERNEL)
#define PAGE_KERNEL_RO		__pgprot(__PAGE_KERNEL_RO)
#define PAGE_KERNEL_EXEC	__pgprot(__PAGE_KERNEL_EXEC)
#define PAGE_KERNEL_RX		__pgprot(__PAGE_KERNEL_RX)
#define PAGE_KERNEL_NOCACHE	__pgprot(__PAGE_KERNEL_NOCACHE)
#define PAGE_KERNEL_LARGE	__pgprot(__PAGE_KERNEL_LARGE)
#define PAGE_KERNEL_LARGE_EXEC	__pgprot(__PAGE_KERNEL_LARGE_EXEC)
#define PAGE_KERNEL_IO		__pgprot(__PAGE_KERNEL_IO)
#define PAGE_KERNEL_IO_NOCACHE	__pgprot(__PAGE_KERNEL_IO_NOCACHE)

/*
 * The shape of the tables, set at boot by the architecture
 * (pgtable_shape_init()):
 *
 *   mode          levels  entry  PGDIR  PUD    PMD    PTRS_PER  PGD/PUD/PMD/PTE
 *   x86_64        4       8 B    39     30     21                512/512/512/512
 *   i386 PAE      3       8 B    30     (30)   21                  4/1/512/512
 *   i386          2       4 B    22     (22)   (22)             1024/1/1/1024
 *
 * A folded level (in parentheses) has one entry per table, which is the
 * entry of the level above: pud_offset() on i386 returns the pgd entry
 * itself, pmd_offset() on i386 without PAE too, and the folded level's
 * _none/_bad tests say "never empty, never bad" (as Linux's
 * pgtable-nopud.h and pgtable-nopmd.h do).
 */
struct pgtable_shape {
	int levels;			/* 4, 3 or 2 */
	int entry_shift;		/* log2 of an entry's bytes: 3, or 2 for i386 without PAE */
	int pgdir_shift, pud_shift, pmd_shift;
	unsigned long ptrs_per_pgd, ptrs_per_pud, ptrs_per_pmd, ptrs_per_pte;
	pteval_t pfn_mask;		/* PTE_PFN_MASK: the frame-number bits */
	pteval_t supported_mask;	/* __supported_pte_mask: no NX where there is none */
};
extern struct pgtable_shape pgtable_shape;

#define PAGETABLE_LEVELS	(pgtable_shape.levels)
#define PGDIR_SHIFT		(pgtable_shape.pgdir_shift)
#define PUD_SHIFT		(pgtable_shape.pud_shift)
#define PMD_SHIFT		(pgtable_shape.pmd_shift)
#define PTRS_PER_PGD		(pgtable_shape.ptrs_per_pgd)
#define PTRS_PER_PUD		(pgtable_shape.ptrs_per_pud)
#define PTRS_PER_PMD		(pgtable_shape.ptrs_per_pmd)
#define PTRS_PER_PTE		(pgtable_shape.ptrs_per_pte)
#define PGDIR_SIZE		(1UL << PGDIR_SHIFT)
#define PGDIR_MASK		(~(PGDIR_SIZE - 1))
#define PUD_SIZE		(1UL << PUD_SHIFT)
#define PUD_MASK		(~(PUD_SIZE - 1))
#define PMD_SIZE		(1UL << PMD_SHIFT)
#define PMD_MASK		(~(PMD_SIZE - 1))
#define PTE_PFN_MASK		(pgtable_shape.pfn_mask)
#define PTE_FLAGS_MASK		(~PTE_PFN_MASK)
#define __supported_pte_mask	(pgtable_shape.supported_mask)

/* The bits pte_modify() keeps: the frame, caching, and what the CPU recorded. */
#define _PAGE_CHG_MASK	(PTE_PFN_MASK | _PAGE_PCD | _PAGE_PWT | _PAGE_SPECIAL | \
			 _PAGE_ACCESSED | _PAGE_DIRTY)

#endif /* KMM_ASM_PGTABLE_TYPES_H */
