/*
 * hw/mmu.c - the page-table walker: the machine's paging mode, the
 * reserved bits of each format, and the one walk that both the translate
 * path (with its A/D side effects) and hw_mmu_walk_info() (without) use.
 *
 * A paging mode is a list of levels, top first.  Each level says which
 * address bits index it, whether PS makes its entry a leaf (a large page
 * of 1 << shift bytes), which bits are reserved in an entry pointing to a
 * table (or in a 4K PTE) and in a large-page entry, and where the next
 * address sits.  The walk is one loop over them: read the entry, check
 * P, check the reserved bits, AND the rights in, then descend (setting A)
 * or, at the leaf, check the access and finish (setting A, and D for a
 * write).  The formats are constants and the loop is unrolled for each,
 * so a 4-level walk is four loads with their masks as immediates; only
 * EFER.NXE (bit 63 reserved or not) and CR4.PGE are read at run time.
 *
 * PAE's four PDPTEs are the exception to reading RAM: the CPU loads them
 * into registers when CR3 is loaded (hw_mmu_load_pdptes, from hw/tlb.c)
 * and a translation walks from those; hw_mmu_walk_info() of a CR3 reads
 * them from RAM, as a load of that CR3 would.
 *
 * Invariant: a translation the walk returns was checked against entries
 * read in one pass; a compare-and-swap that finds an entry changed starts
 * the walk again at CR3, so A and D are only ever set in an entry whose
 * value is the one checked.  The TLBs are in hw/tlb.c.
 */
#include <kmm/compiler.h>
#include "hw/mmu.h"
#include "hw/ram.h"

/* Bits @hi..@lo set. */
#define BITS(hi, lo)	((~0ULL >> (63 - (hi))) & ~((1ULL << (lo)) - 1))

struct level {
	const char *name;
	u8 shift;		/* the address bits indexing this level start here */
	u8 bits;		/* ... and are this many */
	bool large;		/* PS=1 makes the entry a leaf: a page of 1 << shift bytes */
	bool rights;		/* RW, US and A exist (not in a PAE PDPTE) */
	u64 rsvd;		/* reserved bits of an entry pointing to a table, or of a PTE */
	u64 rsvd_large;		/* reserved bits of a large-page entry */
	u64 next;		/* the next table's address (a PTE: the frame) */
	u64 large_frame;	/* a large page's frame */
};

/* A paging format.  Bit 63 (NX) is reserved as well when EFER.NXE is off: mmu.nxr. */
struct format {
	int levels;		/* level[0] is the top */
	int size;		/* bytes per entry: 4 or 8 */
	u64 cr3_mask;		/* the top table's address in CR3 */
	struct level level[4];
};

/*
 * PSE-36: a 4M PDE holds address bits 35:32 in its bits 16:13 (the CPU's
 * MAXPHYADDR is 36, so PSE-36 and not the 40-bit form); 21:17 reserved.
 */
#define PSE36_BITS	X86_PG_4M_PSE36_MASK
#define PSE36_SHIFT	(32 - 13)
static const struct format format_32 = {
	.levels = 2, .size = 4, .cr3_mask = BITS(31, 12),
	.level = {
		{ "PDE", 22, 10, true, true, 0, BITS(21, 17), X86_PG_ADDR_MASK_32,
		  X86_PG_4M_ADDR_MASK },
		{ "PTE", 12, 10, false, true, 0, 0, X86_PG_ADDR_MASK_32, 0 },
	},
};

/* MAXPHYADDR 36: bits 62:36 reserved; in a PDPTE also 63, 8:5 and 2:1. */
#define PAE_RSVD	BITS(62, X86_MAXPHYADDR_PAE)
static const struct format format_pae = {
	.levels = 3, .size = 8, .cr3_mask = BITS(31, 5),	/* a 32-byte aligned PDPT */
	.level = {
		{ "PDPTE", 30, 2, false, false, BITS(63, X86_MAXPHYADDR_PAE) | BITS(8, 5) | BITS(2, 1),
		  0, X86_PG_ADDR_MASK, 0 },
		{ "PDE", 21, 9, true, true, PAE_RSVD, PAE_RSVD | BITS(20, 13), X86_PG_ADDR_MASK,
		  X86_PG_2M_ADDR_MASK },
		{ "PTE", 12, 9, false, true, PAE_RSVD, 0, X86_PG_ADDR_MASK, 0 },
	},
};

/* MAXPHYADDR 46: bits 51:46 reserved, 62:52 ignored; no PS in a PML4E. */
#define L4_RSVD		BITS(51, X86_MAXPHYADDR_4LEVEL)
static const struct format format_4level = {
	.levels = 4, .size = 8, .cr3_mask = BITS(X86_MAXPHYADDR_4LEVEL - 1, 12),
	.level = {
		{ "PML4E", 39, 9, false, true, L4_RSVD | X86_PG_PS, 0, X86_PG_ADDR_MASK, 0 },
		{ "PDPTE", 30, 9, true, true, L4_RSVD, L4_RSVD | BITS(29, 13), X86_PG_ADDR_MASK,
		  X86_PG_1G_ADDR_MASK },
		{ "PDE", 21, 9, true, true, L4_RSVD, L4_RSVD | BITS(20, 13), X86_PG_ADDR_MASK,
		  X86_PG_2M_ADDR_MASK },
		{ "PTE", 12, 9, false, true, L4_RSVD, 0, X86_PG_ADDR_MASK, 0 },
	},
};

/* The rights bits are entry bits moved down: RW, US by 1, NX by 61, G by 5, D by 2. */
BUILD_BUG_ON(X86_PG_RW >> 1 != HW_PERM_W || X86_PG_US >> 1 != HW_PERM_U ||
	     X86_PG_NX >> 61 != HW_PERM_NX || X86_PG_G >> 5 != HW_PERM_G || X86_PG_D >> 2 != HW_PERM_D);

static struct {
	enum hw_paging_mode mode;
	bool nx, pge;		/* EFER.NXE, CR4.PGE */
	u64 nxr;		/* X86_PG_NX with NX off (reserved then), else 0 */
	u64 global;		/* HW_PERM_G with CR4.PGE on, else 0 */
} mmu __state_zero;

void hw_mmu_setup(enum hw_paging_mode mode, bool nx, bool pge)
{
	mmu.mode = mode;
	mmu.nx = nx && (mode == HW_PAGING_PAE || mode == HW_PAGING_4LEVEL);
	mmu.pge = pge;
	mmu.nxr = mmu.nx || mode == HW_PAGING_32 ? 0 : X86_PG_NX;
	mmu.global = pge ? HW_PERM_G : 0;
	hw_tlb_reset_all(mode != HW_PAGING_NONE);
}

enum hw_paging_mode hw_mmu_mode(void)
{
	return mmu.mode;
}

bool hw_mmu_nx(void)
{
	return mmu.nx;
}

bool hw_mmu_pge(void)
{
	return mmu.pge;
}

/* The error-code bits that describe @access (PF_INSTR only with NX on). */
static __always_inline unsigned int access_error(unsigned int access)
{
	return access & (X86_PF_WRITE | X86_PF_USER | (mmu.nx ? X86_PF_INSTR : 0));
}

unsigned int hw_mmu_prot_error(unsigned int access)
{
	return X86_PF_PROT | access_error(access);
}

/* RAM as the walker sees it, read once per walk. */
struct ram {
	char *base;
	u64 size;
};

/*
 * An entry of the table at physical @pa.  Other CPUs and the kernel change
 * entries while we walk, so it is one atomic load; a table outside RAM
 * reads as all ones (present, with reserved bits set in 8-byte formats).
 */
static __always_inline u64 read_entry(struct ram ram, u64 pa, int size)
{
	if (unlikely(pa + size > ram.size))
		return size == 4 ? 0xffffffffULL : ~0ULL;
	if (size == 4)
		return __atomic_load_n((u32 *)(ram.base + pa), __ATOMIC_RELAXED);
	return __atomic_load_n((u64 *)(ram.base + pa), __ATOMIC_RELAXED);
}

/* Set @bits in the entry at @pa if it still holds @old; false if it changed. */
static bool set_entry_bits(struct ram ram, u64 pa, int size, u64 old, u64 bits)
{
	if (pa + size > ram.size)
		return true;	/* nothing there to write */
	if (size == 4) {
		u32 expect = old;

		return __atomic_compare_exchange_n((u32 *)(ram.base + pa), &expect,
						   (u32)(old | bits), false, __ATOMIC_RELAXED,
						   __ATOMIC_RELAXED);
	}
	return __atomic_compare_exchange_n((u64 *)(ram.base + pa), &old, old | bits, false,
					   __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* An address the CPU cannot form in this mode: non-canonical, or above 4G on i386. */
static __always_inline bool bad_address(const struct format *f, u64 va)
{
	if (f == &format_4level)
		return (u64)((s64)(va << 16) >> 16) != va;
	return va >> 32;
}

/*
 * The walk through format @f (a constant at each call site, so each
 * format gets its own unrolled walker with its masks as immediates).
 * With @update (translations) it sets A and D; with @w (walk_info) it
 * records each level.
 */
static __always_inline int walk_format(const struct format *f, u64 cr3, const u64 *pdpte,
				       u64 va, unsigned int access, bool update, struct hw_walk *w,
				       struct hw_xlate *x)
{
	const int size = f->size, last = f->levels - 1;
	const unsigned int ec = access_error(access);
	const u64 nxr = mmu.nxr;
	const struct ram ram = { hw_phys_base, hw_ram_size };

	if (unlikely(bad_address(f, va)))
		return HW_FAULT_GP;
again:;
	u64 table = cr3 & f->cr3_mask, allow = X86_PG_RW | X86_PG_US, nx = 0;

#pragma GCC unroll 4
	for (int l = 0; l <= last; l++) {
		const struct level *lv = &f->level[l];
		unsigned int idx = (va >> lv->shift) & ((1U << lv->bits) - 1);
		u64 epa = table + (u64)idx * size;
		u64 e, want;
		bool leaf;

		/* PAE's top level comes from the PDPTE registers, when the walk has them. */
		if (f == &format_pae && l == 0 && pdpte)
			e = __atomic_load_n(&pdpte[idx], __ATOMIC_RELAXED);
		else
			e = read_entry(ram, epa, size);

		if (w) {
			w->level[l] = (struct hw_walk_level){ lv->name, table, idx, e };
			w->levels = l + 1;
		}
		if (!(e & X86_PG_P))
			return HW_FAULT_PF | ec;
		leaf = l == last || (lv->large && (e & X86_PG_PS));
		if (e & ((l < last && leaf ? lv->rsvd_large : lv->rsvd) | nxr)) {
			/* A PDPTE read from memory: loading this CR3 would #GP. */
			if (f == &format_pae && l == 0)
				return HW_FAULT_GP;
			return HW_FAULT_PF | X86_PF_PROT | X86_PF_RSVD | ec;
		}
		if (lv->rights)
			allow &= e;
		nx |= e & X86_PG_NX;	/* reserved, so never set here, with NX off */
		if (!leaf) {
			if (update && lv->rights && !(e & X86_PG_A) &&
			    !set_entry_bits(ram, epa, size, e, X86_PG_A))
				goto again;
			table = e & lv->next;
			continue;
		}
		x->shift = lv->shift;
		x->frame = e & (l < last ? lv->large_frame : lv->next);
		if (f == &format_32 && l < last)
			x->frame |= (e & PSE36_BITS) << PSE36_SHIFT;
		x->perms = ((allow >> 1) & (HW_PERM_W | HW_PERM_U)) | (nx >> 61) |
			   ((e >> 5) & mmu.global);
		if (hw_perm_refuses(x->perms, access))
			return HW_FAULT_PF | X86_PF_PROT | ec;
		want = X86_PG_A | (access & HW_ACC_WRITE ? X86_PG_D : 0);
		if (update && (e & want) != want) {
			if (!set_entry_bits(ram, epa, size, e, want))
				goto again;
			e |= want;
		}
		x->perms |= (e >> 2) & HW_PERM_D;
		return 0;
	}
	__builtin_unreachable();	/* the last level is a leaf */
}

static __always_inline int walk(u64 cr3, const u64 *pdpte, u64 va, unsigned int access,
				bool update, struct hw_walk *w, struct hw_xlate *x)
{
	switch (mmu.mode) {
	case HW_PAGING_4LEVEL:
		return walk_format(&format_4level, cr3, NULL, va, access, update, w, x);
	case HW_PAGING_PAE:
		return walk_format(&format_pae, cr3, pdpte, va, access, update, w, x);
	case HW_PAGING_32:
		return walk_format(&format_32, cr3, NULL, va, access, update, w, x);
	case HW_PAGING_NONE:
		break;
	}
	x->frame = va & PAGE_MASK;
	x->shift = PAGE_SHIFT;
	x->perms = HW_PERM_W | HW_PERM_U | HW_PERM_D;
	return 0;
}

int hw_mmu_walk(u64 cr3, const u64 *pdpte, u64 va, unsigned int access, struct hw_xlate *x)
{
	return walk(cr3, pdpte, va, access, true, NULL, x);
}

static int walk_info(u64 cr3, const u64 *pdpte, u64 va, struct hw_walk *w)
{
	struct hw_xlate x;

	w->levels = 0;
	w->fault = walk(cr3, pdpte, va, 0, false, w, &x);
	if (!w->fault) {
		w->pa = x.frame | (va & ((1ULL << x.shift) - 1));
		w->page_shift = x.shift;
		w->perms = x.perms;
	}
	return w->fault;
}

int hw_mmu_walk_info(u64 cr3, u64 va, struct hw_walk *w)
{
	return walk_info(cr3, NULL, va, w);
}

int hw_mmu_walk_info_cpu(u64 va, struct hw_walk *w)
{
	const struct hw_tlb *t = &hw_tlbs[hw_this_cpu->id];

	return walk_info(__atomic_load_n(&t->cr3, __ATOMIC_ACQUIRE), t->pdpte, va, w);
}

int hw_mmu_load_pdptes(u64 cr3, u64 pdpte[4])
{
	const struct level *lv = &format_pae.level[0];
	const struct ram ram = { hw_phys_base, hw_ram_size };

	for (int i = 0; i < 4; i++) {
		u64 e = read_entry(ram, (cr3 & format_pae.cr3_mask) + i * 8, 8);

		if ((e & X86_PG_P) && (e & lv->rsvd))
			return HW_FAULT_GP;
		pdpte[i] = e;
	}
	return 0;
}
