/*
 * asm/pgtable.h - reading, testing, building and writing x86 page-table
 * entries, in whichever paging mode the machine booted.
 *
 * A virtual address splits into one index per level (x86_64 drawn; PAE
 * takes 2 bits for the PGD at 31-30 and 9 for the PMD; i386 takes 10 bits
 * for the PGD at 31-22 and 10 for the PTE at 21-12):
 *
 *   47       39 38       30 29       21 20       12 11          0
 *  [ pgd_index | pud_index | pmd_index | pte_index |   offset    ]
 *    PGDIR_SHIFT  PUD_SHIFT   PMD_SHIFT   PAGE_SHIFT
 *
 * pgd_offset(mm, addr) -> pud_offset(pgd, addr) -> pmd_offset(pud, addr)
 * -> pte_offset_kernel(pmd, addr) walks down: each step reads the entry
 * above (which must be present and not a large page) and indexes the
 * table it names.  Tables live in lowmem, so __va() of an entry's frame
 * is the table.
 *
 * Entries are read and written with atomics of the mode's width: the MMU
 * sets Accessed and Dirty bits in them concurrently (hw/mmu.c).  A write
 * releases and a read acquires (plain moves on x86), so a table filled in
 * and then linked is seen filled by whoever follows the link.
 */
#ifndef KMM_ASM_PGTABLE_H
#define KMM_ASM_PGTABLE_H

#include <kmm/page.h>
#include <kmm/asm/pgtable_types.h>

/* ---- entries in memory ---- */

static inline pteval_t __pt_read(const void *p)
{
	if (pgtable_shape.entry_shift == 3)
		return __atomic_load_n((const u64 *)p, __ATOMIC_ACQUIRE);
	return __atomic_load_n((const u32 *)p, __ATOMIC_ACQUIRE);
}

static inline void __pt_write(void *p, pteval_t v)
{
	if (pgtable_shape.entry_shift == 3)
		__atomic_store_n((u64 *)p, v, __ATOMIC_RELEASE);
	else
		__atomic_store_n((u32 *)p, (u32)v, __ATOMIC_RELEASE);
}

/* Swap in @v, returning what was there (the CPU may be setting A or D meanwhile). */
static inline pteval_t __pt_xchg(void *p, pteval_t v)
{
	if (pgtable_shape.entry_shift == 3)
		return __atomic_exchange_n((u64 *)p, v, __ATOMIC_ACQ_REL);
	return __atomic_exchange_n((u32 *)p, (u32)v, __ATOMIC_ACQ_REL);
}

/* Entry @index of the table at kernel address @table. */
static inline void *__pt_entry(const void *table, unsigned long index)
{
	return (char *)table + (index << pgtable_shape.entry_shift);
}

static inline pte_t ptep_get(const pte_t *ptep) { return __pte(__pt_read(ptep)); }
static inline pmd_t pmdp_get(const pmd_t *pmdp) { return __pmd(__pt_read(pmdp)); }
static inline pud_t pudp_get(const pud_t *pudp) { return __pud(__pt_read(pudp)); }
static inline pgd_t pgdp_get(const pgd_t *pgdp) { return __pgd(__pt_read(pgdp)); }

static inline void set_pte(pte_t *ptep, pte_t pte) { __pt_write(ptep, pte_val(pte)); }
static inline void set_pmd(pmd_t *pmdp, pmd_t pmd) { __pt_write(pmdp, pmd_val(pmd)); }
static inline void set_pud(pud_t *pudp, pud_t pud) { __pt_write(pudp, pud_val(pud)); }
static inline void set_pgd(pgd_t *pgdp, pgd_t pgd) { __pt_write(pgdp, pgd_val(pgd)); }

static inline void pmd_clear(pmd_t *pmdp) { __pt_write(pmdp, 0); }
static inline void pte_clear(pte_t *ptep) { __pt_write(ptep, 0); }
/* Clear a PTE and return what it held, A and D bits the MMU set meanwhile included. */
static inline pte_t ptep_get_and_clear(pte_t *ptep) { return __pte(__pt_xchg(ptep, 0)); }
static inline void pud_clear(pud_t *pudp) { __pt_write(pudp, 0); }
static inline void pgd_clear(pgd_t *pgdp) { __pt_write(pgdp, 0); }

/* The next entry of the same table (entries are not C arrays: their width is the mode's). */
static inline pte_t *pte_next(pte_t *ptep) { return (pte_t *)__pt_entry(ptep, 1); }
static inline pmd_t *pmd_next(pmd_t *pmdp) { return (pmd_t *)__pt_entry(pmdp, 1); }
static inline pud_t *pud_next(pud_t *pudp) { return (pud_t *)__pt_entry(pudp, 1); }
static inline pgd_t *pgd_next(pgd_t *pgdp) { return (pgd_t *)__pt_entry(pgdp, 1); }

/* ---- the address split ---- */

static inline unsigned long pgd_index(unsigned long address)
{
	return (address >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1);
}

static inline unsigned long pud_index(unsigned long address)
{
	return (address >> PUD_SHIFT) & (PTRS_PER_PUD - 1);
}

static inline unsigned long pmd_index(unsigned long address)
{
	return (address >> PMD_SHIFT) & (PTRS_PER_PMD - 1);
}

static inline unsigned long pte_index(unsigned long address)
{
	return (address >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
}

/* ---- PTE tests (those below pte_present() only mean something on a present PTE) ---- */

static inline pteval_t pte_flags(pte_t pte) { return pte_val(pte) & PTE_FLAGS_MASK; }
static inline int pte_none(pte_t pte) { return !pte_val(pte); }
static inline int pte_same(pte_t a, pte_t b) { return pte_val(a) == pte_val(b); }
static inline int pte_present(pte_t pte) { return !!(pte_flags(pte) & (_PAGE_PRESENT | _PAGE_PROTNONE)); }
static inline int pte_dirty(pte_t pte) { return !!(pte_flags(pte) & _PAGE_DIRTY); }
static inline int pte_young(pte_t pte) { return !!(pte_flags(pte) & _PAGE_ACCESSED); }
static inline int pte_write(pte_t pte) { return !!(pte_flags(pte) & _PAGE_RW); }
static inline int pte_user(pte_t pte) { return !!(pte_flags(pte) & _PAGE_USER); }
static inline int pte_file(pte_t pte) { return !!(pte_flags(pte) & _PAGE_FILE); }
static inline int pte_huge(pte_t pte) { return !!(pte_flags(pte) & _PAGE_PSE); }
static inline int pte_global(pte_t pte) { return !!(pte_flags(pte) & _PAGE_GLOBAL); }
static inline int pte_exec(pte_t pte) { return !(pte_flags(pte) & _PAGE_NX); }
static inline int pte_special(pte_t pte) { return !!(pte_flags(pte) & _PAGE_SPECIAL); }
static inline unsigned long pte_pfn(pte_t pte) { return (pte_val(pte) & PTE_PFN_MASK) >> PAGE_SHIFT; }
#define pte_page(pte)	pfn_to_page(pte_pfn(pte))

/*
 * ---- file PTEs (remap_file_pages) ----
 *
 * A nonlinear VMA records, in each PTE whose page is not present, the
 * file page it maps: _PAGE_FILE set (the Dirty bit's place, meaningless
 * in an entry that is not present), _PAGE_PRESENT and _PAGE_PROTNONE
 * clear, and the offset in the bits the mode leaves over:
 *
 *   x86_64  offset << 12, read back from bits 12-45 (the frame's place):
 *           34 bits kept; the limit 2.6.34 checks is 46
 *           (__PHYSICAL_MASK_SHIFT), so offsets from 1 << 34 on lose
 *           their high bits -- files of 64 TiB, never met
 *   PAE     offset in the high word, the low word _PAGE_FILE alone: 32
 *   i386    bits 1-5, 7 and 9-31 of the one word (0, 6 and 8 are taken):
 *           5 + 1 + 23 = 29 bits, the offset's low bits first
 *
 * remap_file_pages refuses offsets from 1 << pte_file_max_bits() on;
 * below it pte_to_pgoff() inverts pgoff_to_pte() (x86_64: below 1 << 34).
 */
static inline int pte_file_max_bits(void)
{
	return PAGETABLE_LEVELS == 4 ? 46 : PAGETABLE_LEVELS == 3 ? 32 : 29;
}

static inline pte_t pgoff_to_pte(unsigned long off)
{
	if (PAGETABLE_LEVELS == 4)
		return __pte(((pteval_t)off << PAGE_SHIFT) | _PAGE_FILE);
	if (PAGETABLE_LEVELS == 3)
		return __pte(((pteval_t)off << 32) | _PAGE_FILE);
	return __pte(((pteval_t)(off & 0x1f) << 1) | ((pteval_t)((off >> 5) & 1) << 7) |
		     ((pteval_t)(off >> 6) << 9) | _PAGE_FILE);
}

static inline unsigned long pte_to_pgoff(pte_t pte)
{
	pteval_t v = pte_val(pte);

	if (PAGETABLE_LEVELS == 4)
		return (unsigned long)((v & ((((pteval_t)1 << 46) - 1) & ~(pteval_t)(PAGE_SIZE - 1))) >>
				       PAGE_SHIFT);
	if (PAGETABLE_LEVELS == 3)
		return (unsigned long)(v >> 32);
	v &= 0xffffffffu;
	return (unsigned long)(((v >> 1) & 0x1f) | (((v >> 7) & 1) << 5) | ((v >> 9) << 6));
}

/* ---- PTE changes (values: the caller writes the result with set_pte) ---- */

static inline pte_t pte_set_flags(pte_t pte, pteval_t set) { return __pte(pte_val(pte) | set); }
static inline pte_t pte_clear_flags(pte_t pte, pteval_t clear) { return __pte(pte_val(pte) & ~clear); }
static inline pte_t pte_mkclean(pte_t pte) { return pte_clear_flags(pte, _PAGE_DIRTY); }
static inline pte_t pte_mkold(pte_t pte) { return pte_clear_flags(pte, _PAGE_ACCESSED); }
static inline pte_t pte_wrprotect(pte_t pte) { return pte_clear_flags(pte, _PAGE_RW); }
static inline pte_t pte_mkexec(pte_t pte) { return pte_clear_flags(pte, _PAGE_NX); }
static inline pte_t pte_mkdirty(pte_t pte) { return pte_set_flags(pte, _PAGE_DIRTY); }
static inline pte_t pte_mkyoung(pte_t pte) { return pte_set_flags(pte, _PAGE_ACCESSED); }
static inline pte_t pte_mkwrite(pte_t pte) { return pte_set_flags(pte, _PAGE_RW); }
static inline pte_t pte_mkhuge(pte_t pte) { return pte_set_flags(pte, _PAGE_PSE); }
static inline pte_t pte_clrhuge(pte_t pte) { return pte_clear_flags(pte, _PAGE_PSE); }
static inline pte_t pte_mkglobal(pte_t pte) { return pte_set_flags(pte, _PAGE_GLOBAL); }
static inline pte_t pte_clrglobal(pte_t pte) { return pte_clear_flags(pte, _PAGE_GLOBAL); }
static inline pte_t pte_mkspecial(pte_t pte) { return pte_set_flags(pte, _PAGE_SPECIAL); }

/*
 * A present protection loses the bits this CPU lacks (NX on i386 without
 * PAE); a non-present one keeps them, they mean something else there.
 */
static inline pgprotval_t massage_pgprot(pgprot_t pgprot)
{
	pgprotval_t v = pgprot_val(pgprot);

	return v & _PAGE_PRESENT ? v & __supported_pte_mask : v;
}

static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return __pte(((pteval_t)pfn << PAGE_SHIFT) | massage_pgprot(prot));
}

static inline pmd_t pfn_pmd(unsigned long pfn, pgprot_t prot)
{
	return __pmd(((pmdval_t)pfn << PAGE_SHIFT) | massage_pgprot(prot));
}

static inline pud_t pfn_pud(unsigned long pfn, pgprot_t prot)
{
	return __pud(((pudval_t)pfn << PAGE_SHIFT) | massage_pgprot(prot));
}

#define mk_pte(page, prot)	pfn_pte(page_to_pfn(page), (prot))

/* New protection bits, keeping the frame and what _PAGE_CHG_MASK names. */
static inline pte_t pte_modify(pte_t pte, pgprot_t newprot)
{
	pteval_t v = pte_val(pte) & _PAGE_CHG_MASK;

	return __pte(v | (massage_pgprot(newprot) & ~_PAGE_CHG_MASK));
}

static inline pgprot_t pgprot_modify(pgprot_t oldprot, pgprot_t newprot)
{
	return __pgprot((pgprot_val(oldprot) & _PAGE_CHG_MASK) | pgprot_val(newprot));
}

#define pte_pgprot(x)	__pgprot(pte_flags(x) & PTE_FLAGS_MASK)

/* ---- PMD ---- */

static inline pmdval_t pmd_flags(pmd_t pmd) { return pmd_val(pmd) & PTE_FLAGS_MASK; }
static inline int pmd_none(pmd_t pmd) { return !pmd_val(pmd); }
static inline int pmd_present(pmd_t pmd) { return !!(pmd_flags(pmd) & _PAGE_PRESENT); }
/* Anything but a kernel table entry (user bit allowed) is bad, large pages included. */
static inline int pmd_bad(pmd_t pmd) { return (pmd_flags(pmd) & ~_PAGE_USER) != _KERNPG_TABLE; }
static inline int pmd_large(pmd_t pmd)
{
	return (pmd_flags(pmd) & (_PAGE_PSE | _PAGE_PRESENT)) == (_PAGE_PSE | _PAGE_PRESENT);
}
static inline unsigned long pmd_pfn(pmd_t pmd) { return (pmd_val(pmd) & PTE_PFN_MASK) >> PAGE_SHIFT; }
static inline void *pmd_page_vaddr(pmd_t pmd) { return __va(pmd_val(pmd) & PTE_PFN_MASK); }
#define pmd_page(pmd)	pfn_to_page(pmd_pfn(pmd))

/* ---- PUD (folded on i386) ---- */

static inline int pud_none(pud_t pud) { return PAGETABLE_LEVELS < 3 ? 0 : !pud_val(pud); }
static inline int pud_present(pud_t pud)
{
	return PAGETABLE_LEVELS < 3 ? 1 : !!(pud_val(pud) & _PAGE_PRESENT);
}
/*
 * A PUD entry may hold table bits and nothing else (a PAE PDPTE holds only
 * P); a 1G page is bad to a walker that wants a table.
 */
static inline int pud_bad(pud_t pud)
{
	if (PAGETABLE_LEVELS < 3)
		return 0;
	return ((pud_val(pud) & PTE_FLAGS_MASK) & ~(_KERNPG_TABLE | _PAGE_USER)) != 0;
}
static inline int pud_large(pud_t pud)
{
	return PAGETABLE_LEVELS == 4 &&
	       (pud_val(pud) & (_PAGE_PSE | _PAGE_PRESENT)) == (_PAGE_PSE | _PAGE_PRESENT);
}
static inline void *pud_page_vaddr(pud_t pud) { return __va(pud_val(pud) & PTE_PFN_MASK); }
#define pud_page(pud)	pfn_to_page((pud_val(pud) & PTE_PFN_MASK) >> PAGE_SHIFT)

/* ---- PGD (a real level only on x86_64; on i386 its entry is the next level's) ---- */

static inline int pgd_none(pgd_t pgd) { return PAGETABLE_LEVELS < 4 ? 0 : !pgd_val(pgd); }
static inline int pgd_present(pgd_t pgd)
{
	return PAGETABLE_LEVELS < 4 ? 1 : !!(pgd_val(pgd) & _PAGE_PRESENT);
}
static inline int pgd_bad(pgd_t pgd)
{
	if (PAGETABLE_LEVELS < 4)
		return 0;
	return ((pgd_val(pgd) & PTE_FLAGS_MASK) & ~_PAGE_USER) != _KERNPG_TABLE;
}
static inline void *pgd_page_vaddr(pgd_t pgd) { return __va(pgd_val(pgd) & PTE_PFN_MASK); }
#define pgd_page(pgd)	pfn_to_page((pgd_val(pgd) & PTE_PFN_MASK) >> PAGE_SHIFT)

/* ---- walking down ---- */

/* The PGD entry for @address in the top-level table at kernel address @pgd. */
static inline pgd_t *pgd_entry(pgd_t *pgd, unsigned long address)
{
	return (pgd_t *)__pt_entry(pgd, pgd_index(address));
}

static inline pud_t *pud_offset(pgd_t *pgd, unsigned long address)
{
	if (PAGETABLE_LEVELS < 4)
		return (pud_t *)pgd;
	return (pud_t *)__pt_entry(pgd_page_vaddr(pgdp_get(pgd)), pud_index(address));
}

static inline pmd_t *pmd_offset(pud_t *pud, unsigned long address)
{
	if (PAGETABLE_LEVELS < 3)
		return (pmd_t *)pud;
	return (pmd_t *)__pt_entry(pud_page_vaddr(pudp_get(pud)), pmd_index(address));
}

static inline pte_t *pte_offset_kernel(pmd_t *pmd, unsigned long address)
{
	return (pte_t *)__pt_entry(pmd_page_vaddr(pmdp_get(pmd)), pte_index(address));
}

/* Page tables are never in highmem here (no CONFIG_HIGHPTE): mapping one is free. */
#define pte_offset_map(pmd, address)	pte_offset_kernel((pmd), (address))
#define pte_unmap(pte)			((void)(pte))

/* The end of the range [addr, end) that one entry of each level covers. */
static inline unsigned long pgd_addr_end(unsigned long addr, unsigned long end)
{
	unsigned long boundary = (addr + PGDIR_SIZE) & PGDIR_MASK;

	return boundary - 1 < end - 1 ? boundary : end;
}

static inline unsigned long pud_addr_end(unsigned long addr, unsigned long end)
{
	unsigned long boundary = (addr + PUD_SIZE) & PUD_MASK;

	return boundary - 1 < end - 1 ? boundary : end;
}

static inline unsigned long pmd_addr_end(unsigned long addr, unsigned long end)
{
	unsigned long boundary = (addr + PMD_SIZE) & PMD_MASK;

	return boundary - 1 < end - 1 ? boundary : end;
}

/* ---- populating (the caller holds the lock that orders it against others) ---- */

static inline void pmd_populate_kernel(pmd_t *pmd, void *pte_table)
{
	set_pmd(pmd, __pmd(__pa(pte_table) | _KERNPG_TABLE));
}

static inline void pmd_populate(pmd_t *pmd, void *pte_table)
{
	set_pmd(pmd, __pmd(__pa(pte_table) | _PAGE_TABLE));
}

/*
 * A PAE PDPTE carries only P: its other low bits are reserved to the CPU,
 * which reads it only at a CR3 load: pud_populate reloads CR3 on the CPUs
 * running @mm (arch/x86/pgtable.c).
 */
struct mm_struct;
void pud_populate(struct mm_struct *mm, pud_t *pud, void *pmd_table);

static inline void pgd_populate(pgd_t *pgd, void *pud_table)
{
	set_pgd(pgd, __pgd(__pa(pud_table) | _PAGE_TABLE));
}

#endif /* KMM_ASM_PGTABLE_H */
