/*
 * arch/x86/dump_pagetables.c - /sys/kernel/debug/kernel_page_tables: the
 * kernel's page tables as 2.6.34's CONFIG_X86_PTDUMP prints them.
 *
 * The walk visits every entry of swapper_pg_dir from address 0 up, and
 * prints a line for each run of addresses mapped alike: same protection
 * bits, same level (a run of 2M pages is one line, a run of 4K PTEs
 * another), not crossing one of the markers that name the areas:
 *
 *   ---[ Low Kernel Mapping ]---
 *   0xffff880000000000-0xffff880040000000           1G     RW         PSE     GLB x  pmd
 *
 * Columns: start, end, size (K, M, G...), USR, RW or ro, PWT, PCD, PSE (in
 * a PMD or PUD) or pat (in a PTE), GLB, NX or x, and the level.  A
 * non-present run shows blanks.  Folded levels print as Linux's do: on
 * i386 a 4M page is a "pgd" entry, with PAE the PMD entries are "pmd".
 */
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/pgtable.h>
#include <kmm/procfs.h>
#include <kmm/seq_file.h>
#include "arch/x86/kernel_map.h"
#include "arch/x86/layout.h"

struct addr_marker {
	unsigned long start;
	const char *name;
};

#define MARKER_END	(~0UL)

struct pg_state {
	struct seq_file *m;
	int level;			/* of the run being collected; 0: none yet */
	pteval_t prot;			/* its flags */
	unsigned long start, cur;
	const struct addr_marker *marker;
};

/* Address space markers, as 2.6.34 names them (its spelling included). */
static void markers(struct addr_marker *mk)
{
	int n = 0;

	mk[n++] = (struct addr_marker){ 0, "User Space" };
	if (arch->bits == 64) {
		mk[n++] = (struct addr_marker){ 0x8000000000000000UL, "Kernel Space" };
		mk[n++] = (struct addr_marker){ (unsigned long)arch->page_offset, "Low Kernel Mapping" };
		mk[n++] = (struct addr_marker){ VMALLOC_START, "vmalloc() Area" };
		mk[n++] = (struct addr_marker){ (unsigned long)arch->vmemmap_start, "Vmemmap" };
		mk[n++] = (struct addr_marker){ (unsigned long)arch->kernel_text_map, "High Kernel Mapping" };
		mk[n++] = (struct addr_marker){ 0xffffffffa0000000UL, "Modules" };
		mk[n++] = (struct addr_marker){ 0xffffffffff000000UL, "End Modules" };
	} else {
		mk[n++] = (struct addr_marker){ (unsigned long)arch->page_offset, "Kernel Mapping" };
		mk[n++] = (struct addr_marker){ VMALLOC_START, "vmalloc() Area" };
		mk[n++] = (struct addr_marker){ VMALLOC_END, "vmalloc() End" };
		mk[n++] = (struct addr_marker){ (unsigned long)arch->pkmap_base, "Persisent kmap() Area" };
		mk[n++] = (struct addr_marker){ (unsigned long)arch->fixaddr_start, "Fixmap Area" };
	}
	mk[n] = (struct addr_marker){ MARKER_END, NULL };
}

/* x86_64 addresses are sign-extended from bit 47; i386 ones wrap at 4G as its longs do. */
static unsigned long normalize(unsigned long u)
{
	if (arch->bits == 64)
		return (unsigned long)((long)(u << 16) >> 16);
	return u & 0xffffffffUL;
}

static void print_prot(struct seq_file *m, pteval_t pr, int level)
{
	static const char *const level_name[] = { "cr3", "pgd", "pud", "pmd", "pte" };

	if (!pr) {
		seq_printf(m, "                          ");
	} else {
		seq_printf(m, "%s", pr & _PAGE_USER ? "USR " : "    ");
		seq_printf(m, "%s", pr & _PAGE_RW ? "RW " : "ro ");
		seq_printf(m, "%s", pr & _PAGE_PWT ? "PWT " : "    ");
		seq_printf(m, "%s", pr & _PAGE_PCD ? "PCD " : "    ");
		if (level <= 3)
			seq_printf(m, "%s", pr & _PAGE_PSE ? "PSE " : "    ");
		else
			seq_printf(m, "%s", pr & _PAGE_PAT ? "pat " : "    ");
		seq_printf(m, "%s", pr & _PAGE_GLOBAL ? "GLB " : "    ");
		seq_printf(m, "%s", pr & _PAGE_NX ? "NX " : "x  ");
	}
	seq_printf(m, "%s\n", level_name[level]);
}

/*
 * The entry at st->cur has @prot at @level: extend the run, or print the
 * finished run (a change of protection or level, or a marker passed) and
 * start a new one.
 */
static void note_page(struct pg_state *st, pteval_t prot, int level)
{
	static const char units[] = "KMGTPE";

	prot &= PTE_FLAGS_MASK;
	if (!st->level) {
		st->prot = prot;
		st->level = level;
		seq_printf(st->m, "---[ %s ]---\n", st->marker->name);
	} else if (prot != st->prot || level != st->level || st->cur >= st->marker[1].start) {
		const char *unit = units;
		unsigned long delta;
		int width = arch->bits / 4;

		seq_printf(st->m, "0x%0*lx-0x%0*lx   ", width, st->start, width, st->cur);
		delta = ((st->cur - st->start) & (arch->bits == 64 ? ~0UL : 0xffffffffUL)) >> 10;
		while (!(delta & 1023) && unit[1]) {
			delta >>= 10;
			unit++;
		}
		seq_printf(st->m, "%9lu%c ", delta, *unit);
		print_prot(st->m, st->prot, st->level);
		if (st->cur >= st->marker[1].start) {
			st->marker++;
			seq_printf(st->m, "---[ %s ]---\n", st->marker->name);
		}
		st->start = st->cur;
		st->prot = prot;
		st->level = level;
	}
}

static void walk_pte(struct pg_state *st, pmd_t pmd, unsigned long base)
{
	void *table = pmd_page_vaddr(pmd);

	for (unsigned long i = 0; i < PTRS_PER_PTE; i++) {
		st->cur = normalize(base + i * PAGE_SIZE);
		note_page(st, pte_val(ptep_get((pte_t *)__pt_entry(table, i))), 4);
	}
}

/* A PMD entry (or the PGD entry that is one on i386): a large page, a table, or nothing. */
static void note_or_walk_pmd(struct pg_state *st, pmdval_t v, unsigned long base, int level)
{
	if (!v)
		note_page(st, 0, level);
	else if (pmd_large(__pmd(v)) || !pmd_present(__pmd(v)))
		note_page(st, v, level);
	else
		walk_pte(st, __pmd(v), base);
}

static void walk_pmd(struct pg_state *st, void *table, unsigned long base)
{
	for (unsigned long i = 0; i < PTRS_PER_PMD; i++) {
		st->cur = normalize(base + i * PMD_SIZE);
		note_or_walk_pmd(st, pmd_val(pmdp_get((pmd_t *)__pt_entry(table, i))), base + i * PMD_SIZE, 3);
	}
}

static void walk_pud(struct pg_state *st, void *table, unsigned long base)
{
	for (unsigned long i = 0; i < PTRS_PER_PUD; i++) {
		pudval_t v = pud_val(pudp_get((pud_t *)__pt_entry(table, i)));

		st->cur = normalize(base + i * PUD_SIZE);
		if (!v)
			note_page(st, 0, 2);
		else if (pud_large(__pud(v)) || !pud_present(__pud(v)))
			note_page(st, v, 2);
		else
			walk_pmd(st, pud_page_vaddr(__pud(v)), base + i * PUD_SIZE);
	}
}

static int kernel_page_tables_show(struct seq_file *m, const char *rest)
{
	struct addr_marker mk[10];
	struct pg_state st = { .m = m, .marker = mk };

	(void)rest;
	markers(mk);
	for (unsigned long i = 0; i < PTRS_PER_PGD; i++) {
		pgdval_t v = pgd_val(pgdp_get((pgd_t *)__pt_entry(swapper_pg_dir, i)));
		unsigned long base = i * PGDIR_SIZE;

		st.cur = normalize(base);
		if (PAGETABLE_LEVELS == 2) {
			note_or_walk_pmd(&st, v, base, 1);
		} else if (!v || !(v & _PAGE_PRESENT)) {
			note_page(&st, v, 1);
		} else if (PAGETABLE_LEVELS == 3) {
			walk_pmd(&st, pud_page_vaddr(__pud(v)), base);
		} else {
			walk_pud(&st, pgd_page_vaddr(__pgd(v)), base);
		}
	}
	st.cur = normalize(PTRS_PER_PGD * PGDIR_SIZE);
	note_page(&st, 0, 0);
	return 0;
}

PROC_ENTRY(kernel_page_tables, "/sys/kernel/debug/kernel_page_tables", kernel_page_tables_show,
	   NULL, false);
