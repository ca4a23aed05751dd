/*
 * arch/x86/mmu_view.c - <kmm/mmu.h>: the MMU's walks, TLBs and counters
 * for tools and tests, in the public types.
 */
#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/mm_types.h>
#include <kmm/mmu.h>
#include <kmm/page.h>
#include <kmm/smp.h>
#include <kmm/string.h>
#include "arch/x86/kernel_map.h"
#include "hw/mmu.h"

_Static_assert(KMM_PERM_WRITE == HW_PERM_W && KMM_PERM_USER == HW_PERM_U &&
	       KMM_PERM_NX == HW_PERM_NX && KMM_PERM_GLOBAL == HW_PERM_G &&
	       KMM_PERM_DIRTY == HW_PERM_D, "the public rights are the hardware's");

static int walk_public(u64 cr3, bool on_cpu, unsigned long addr, struct kmm_walk *w)
{
	struct hw_walk hw;
	int ret;

	memset(w, 0, sizeof(*w));
	w->cr3 = cr3;
	/* PAE: the CPU's PDPTE registers if it runs these tables, else the PDPT in memory. */
	ret = on_cpu ? hw_mmu_walk_info_cpu(addr, &hw) : hw_mmu_walk_info(cr3, addr, &hw);
	w->levels = hw.levels;
	for (int i = 0; i < hw.levels && i < 4; i++)
		w->step[i] = (struct kmm_walk_step){ hw.level[i].name, hw.level[i].table,
						     hw.level[i].index, hw.level[i].entry };
	w->fault = hw.fault;
	w->pa = hw.pa;
	w->page_shift = hw.page_shift;
	w->perms = hw.perms;
	return ret;
}

int kmm_translate(unsigned long addr, struct kmm_walk *w)
{
	return walk_public(hw_read_cr3(), true, addr, w);
}

int kmm_translate_mm(struct mm_struct *mm, unsigned long addr, struct kmm_walk *w)
{
	u64 cr3 = __pa(mm->pgd);

	return walk_public(cr3, cr3 == hw_read_cr3(), addr, w);
}

void kmm_entry_bits(u64 v, bool leaf_4k, char *buf, size_t size)
{
	static const struct { u64 bit; const char *name; } bits[] = {
		{ X86_PG_P, "P" }, { X86_PG_RW, "RW" }, { X86_PG_US, "US" }, { X86_PG_PWT, "PWT" },
		{ X86_PG_PCD, "PCD" }, { X86_PG_A, "A" }, { X86_PG_D, "D" }, { X86_PG_PS, "PS" },
		{ X86_PG_G, "G" }, { X86_PG_NX, "NX" },
	};
	size_t n = 0;

	buf[0] = 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(bits); i++) {
		const char *name = bits[i].name;

		if (!(v & bits[i].bit))
			continue;
		if (bits[i].bit == X86_PG_PS && leaf_4k)
			name = "PAT";
		n += snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? " " : "", name);
	}
	if (!n)
		snprintf(buf, size, "-");
}

void kmm_tlb_stats(int cpu, struct kmm_tlb_stats *st)
{
	struct hw_tlb_stats s;

	hw_tlb_stats(cpu, &s);
	*st = (struct kmm_tlb_stats){ s.lookups, s.hits, s.misses, s.walks, s.faults,
				      s.flush_one, s.flush_all, s.cr3_loads };
}

void kmm_tlb_stats_reset(int cpu)
{
	hw_tlb_stats_reset(cpu);
}

struct dump_ctx {
	int (*fn)(void *arg, u64 va, u64 pa, unsigned int page_shift, unsigned int perms);
	void *arg;
};

static int dump_one(const struct hw_tlb_info *info, void *p)
{
	struct dump_ctx *d = p;

	return d->fn(d->arg, info->va, info->pa, info->page_shift, info->perms);
}

int kmm_tlb_dump(int cpu, int (*fn)(void *arg, u64 va, u64 pa, unsigned int page_shift,
				    unsigned int perms), void *arg)
{
	struct dump_ctx d = { fn, arg };

	return hw_tlb_for_each(cpu, dump_one, &d);
}

void kmm_tlb_flush_one(unsigned long addr)
{
	__flush_tlb_one(addr);
}

void kmm_tlb_flush_all(void)
{
	__flush_tlb_all_local();
}
