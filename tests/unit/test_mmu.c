/*
 * test_mmu.c - the page-table walker (hw/mmu.c) in its three formats:
 * tables written by hand, entry by entry, with architectural bits, in
 * pages from the page allocator; every translation and error code below
 * is worked out by hand in the comments (a PAE PDPTE is followed by the
 * CR3 reload the CPU needs to see it).  Each walk here starts from an
 * empty TLB (hw_tlb_flush_all() first); the TLBs have test_tlb.c.
 *
 * The addresses used, split by hand:
 *
 *   4-level  0x00007f1234567abc = 0111 1111 0|001 0010 00|11 0100 010|1 0110 0111|1010 1011 1100
 *            PML4 0xfe, PDPT 0x48, PD 0x1a2, PT 0x167, offset 0xabc;
 *            in its 2M page: offset 0x167abc; in its 1G page: 0x34567abc.
 *   PAE      0xbfe12345 = 10|11 1111 111|0 0001 0010|0011 0100 0101
 *            PDPT 2, PD 0x1ff, PT 0x12, offset 0x345; in its 2M page: 0x12345.
 *   32-bit   0xbfe12345 = 1011 1111 11|10 0001 0010|0011 0100 0101
 *            PD 0x2ff, PT 0x212, offset 0x345; in its 4M page: 0x212345.
 */
#include <string.h>
#include <sys/mman.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include "hw/mmu.h"
#include "tests/harness.h"

#define VA4		0x00007f1234567abcULL
#define VA32		0xbfe12345ULL
#define FRAME		0x01234000ULL	/* the 4K page mapped */
#define TBL		(X86_PG_P | X86_PG_RW | X86_PG_US)	/* a table entry allowing all */
#define PF		HW_FAULT_PF
#define PROT		X86_PF_PROT
#define WR		X86_PF_WRITE
#define USR		X86_PF_USER
#define RSVD		X86_PF_RSVD
#define INSTR		X86_PF_INSTR

/* The tables on the way to one address: level 0 is the top. */
struct chain {
	int levels, size;	/* size: bytes per entry */
	u64 va;
	u64 table[4];
	unsigned int index[4];
};


static u64 get(const struct chain *c, int l)
{
	char *p = hw_ram_base + c->table[l] + (u64)c->index[l] * c->size;

	return c->size == 4 ? __atomic_load_n((u32 *)p, __ATOMIC_RELAXED)
			    : __atomic_load_n((u64 *)p, __ATOMIC_RELAXED);
}

/* PAE's top level: the CPU reads it only when CR3 is loaded. */
static bool is_pdpte(const struct chain *c, int l)
{
	return c->levels == 3 && l == 0;
}

/* Write the entry in RAM, nothing more (a PAE PDPTE is not seen until a CR3 load). */
static void poke(const struct chain *c, int l, u64 v)
{
	char *p = hw_ram_base + c->table[l] + (u64)c->index[l] * c->size;

	if (c->size == 4)
		__atomic_store_n((u32 *)p, (u32)v, __ATOMIC_RELAXED);
	else
		__atomic_store_n((u64 *)p, v, __ATOMIC_RELAXED);
}

/*
 * Write the entry as the kernel must: a PAE PDPTE is followed by a CR3
 * reload.  Returns that load's result (HW_FAULT_GP for reserved bits), or 0.
 */
static int set(const struct chain *c, int l, u64 v)
{
	poke(c, l, v);
	return is_pdpte(c, l) ? hw_load_cr3(c->table[0]) : 0;
}

/*
 * Boot @cmdline, select @mode, and map the mode's address (VA4 or VA32)
 * to FRAME with @leaf flags: every table entry TBL (a PAE PDPTE just P,
 * its RW and US being reserved), CR3 at the top table.
 */
static struct chain build(const char *cmdline, enum hw_paging_mode mode, bool nx, u64 leaf)
{
	static const unsigned int idx4[] = { 0xfe, 0x48, 0x1a2, 0x167 };
	static const unsigned int idx_pae[] = { 2, 0x1ff, 0x12 };
	static const unsigned int idx32[] = { 0x2ff, 0x212 };
	struct chain c = { .size = 8, .va = VA32 };

	boot_or_fail(cmdline);
	hw_mmu_setup(mode, nx, true);
	if (mode == HW_PAGING_4LEVEL) {
		c.levels = 4;
		c.va = VA4;
		memcpy(c.index, idx4, sizeof(idx4));
	} else if (mode == HW_PAGING_PAE) {
		c.levels = 3;
		memcpy(c.index, idx_pae, sizeof(idx_pae));
	} else {
		c.levels = 2;
		c.size = 4;
		memcpy(c.index, idx32, sizeof(idx32));
	}
	for (int l = 0; l < c.levels; l++)
		c.table[l] = zeroed_page_phys();
	for (int l = 0; l < c.levels - 1; l++)
		set(&c, l, c.table[l + 1] | (mode == HW_PAGING_PAE && l == 0 ? X86_PG_P : TBL));
	set(&c, c.levels - 1, FRAME | leaf);
	hw_load_cr3(c.table[0]);
	return c;
}

static void boot4(struct chain *c, u64 leaf)
{
	*c = build("ram=64M", HW_PAGING_4LEVEL, true, leaf);
}

/* A walk from an empty TLB: 0 or the fault, CR2 cleared before. */
static int walk(u64 va, unsigned int access, u64 *pa)
{
	hw_tlb_flush_all();
	__atomic_store_n(&hw_tlbs[smp_processor_id()].cr2, 0, __ATOMIC_RELAXED);
	*pa = ~0ULL;
	return hw_mmu_translate(va, access, pa);
}

#define assert_maps(va, access, want_pa)					\
	do {									\
		u64 pa_;							\
		assert_int_equal(walk(va, access, &pa_), 0);			\
		assert_int_equal(pa_, want_pa);					\
	} while (0)

/* A page fault with error code @ec, CR2 = @va. */
#define assert_pf(va, access, ec)						\
	do {									\
		u64 pa_;							\
		assert_int_equal(walk(va, access, &pa_), HW_FAULT_PF | (ec));	\
		assert_int_equal(hw_read_cr2(), va);				\
	} while (0)

/* --- Formats and page sizes --------------------------------------------- */

static void four_level_4k_page(void **state)
{
	struct chain c;
	struct hw_walk w;

	boot4(&c, TBL);
	assert_int_equal(hw_mmu_mode(), HW_PAGING_4LEVEL);
	assert_maps(VA4, 0, 0x1234abc);
	assert_maps(VA4 | 0xfff, HW_ACC_USER | HW_ACC_WRITE, 0x1234fff);
	/* The next page is PT entry 0x168: empty. */
	assert_pf(VA4 + 0x1000, 0, 0);
	assert_int_equal(hw_mmu_walk_info(c.table[0], VA4, &w), 0);
	assert_int_equal(w.levels, 4);
	assert_string_equal(w.level[0].name, "PML4E");
	assert_string_equal(w.level[3].name, "PTE");
	for (int l = 0; l < 4; l++) {
		assert_int_equal(w.level[l].table, c.table[l]);
		assert_int_equal(w.level[l].index, c.index[l]);
	}
	assert_int_equal(w.level[0].entry, c.table[1] | TBL | X86_PG_A);
	assert_int_equal(w.pa, 0x1234abc);
	assert_int_equal(w.page_shift, 12);
	assert_int_equal(w.perms, HW_PERM_W | HW_PERM_U | HW_PERM_D);
	/* CR3's PWT and PCD (bits 3, 4) are not part of the address. */
	hw_load_cr3(c.table[0] | X86_PG_PWT | X86_PG_PCD);
	assert_maps(VA4, 0, 0x1234abc);
	assert_mm_check();
}

/*
 * A PS PDE maps 2M: frame 0x40000000 + offset 0x167abc.  A PS PDPTE maps
 * 1G: frame 0x80000000 + offset 0x34567abc.  PAT_LARGE (bit 12) is allowed.
 */
static void four_level_2m_and_1g_pages(void **state)
{
	struct chain c;
	struct hw_walk w;

	boot4(&c, TBL);
	set(&c, 2, 0x40000000 | X86_PG_PS | X86_PG_PAT_LARGE | TBL);
	assert_maps(VA4, 0, 0x40167abc);
	assert_int_equal(hw_mmu_walk_info(c.table[0], VA4, &w), 0);
	assert_int_equal(w.levels, 3);
	assert_int_equal(w.page_shift, 21);
	set(&c, 1, 0x80000000 | X86_PG_PS | TBL);
	assert_maps(VA4, HW_ACC_WRITE, 0xb4567abc);
	assert_int_equal(hw_mmu_walk_info(c.table[0], VA4, &w), 0);
	assert_int_equal(w.levels, 2);
	assert_int_equal(w.page_shift, 30);
	assert_int_equal(w.pa, 0xb4567abc);
	assert_mm_check();
}

/* PAE: 4K through PDPT 2, PD 0x1ff, PT 0x12; then a 2M PDE (frame 0x600000 + 0x12345). */
static void pae_4k_and_2m_pages(void **state)
{
	struct chain c = build("arch=i386 pae ram=64M", HW_PAGING_PAE, true, TBL);
	struct hw_walk w;

	assert_maps(VA32, HW_ACC_USER, 0x1234345);
	assert_int_equal(hw_mmu_walk_info(c.table[0], VA32, &w), 0);
	assert_int_equal(w.levels, 3);
	assert_string_equal(w.level[0].name, "PDPTE");
	assert_int_equal(w.level[0].index, 2);
	assert_int_equal(w.level[1].index, 0x1ff);
	assert_int_equal(w.level[2].index, 0x12);
	/* A PDPTE has no A bit (bit 5 is reserved there). */
	assert_int_equal(w.level[0].entry, c.table[1] | X86_PG_P);
	set(&c, 1, 0x600000 | X86_PG_PS | X86_PG_PAT_LARGE | TBL);
	assert_maps(VA32, HW_ACC_WRITE, 0x612345);
	/* Above 4G of physical space: frame 0x900000000 (bit 35) is in PAE's 36 bits. */
	set(&c, 1, 0x900000000ULL | X86_PG_PS | TBL);
	assert_maps(VA32, 0, 0x900012345ULL);
	/* The PDPT need only be 32-byte aligned: a copy at offset 0x40 of a page. */
	{
		u64 page = zeroed_page_phys();

		memcpy(hw_ram_base + page + 0x40, hw_ram_base + c.table[0], 32);
		hw_load_cr3(page + 0x40);
		assert_maps(VA32, 0, 0x900012345ULL);
		assert_int_equal(hw_mmu_walk_info(page + 0x40, VA32, &w), 0);
		assert_int_equal(w.level[0].table, page + 0x40);
	}
	/* No linear address above 4G on i386. */
	assert_int_equal(walk(1ULL << 32, 0, &(u64){ 0 }), HW_FAULT_GP);
	assert_mm_check();
}

/*
 * PAE's PDPTE registers: a CR3 load copies the four PDPTEs and every walk
 * starts from the copies.  PDPTE 2 pointed at another PD in RAM alone
 * (that PD maps VA32's 2M, PD index 0x1ff, at 0x600000: VA32 -> 0x612345)
 * is not seen, TLB flushes or not, until CR3 is loaded again.  A PDPTE
 * with reserved bits makes the load #GP and change nothing; a not-present
 * one's other bits are not looked at.
 */
static void pae_pdptes_are_loaded_with_cr3(void **state)
{
	struct chain c = build("arch=i386 pae ram=64M", HW_PAGING_PAE, true, TBL);
	u64 pd2 = zeroed_page_phys(), reg[4], pa;
	int cpu = smp_processor_id();
	struct hw_tlb_stats before, after;
	struct hw_walk w;

	*(u64 *)(hw_ram_base + pd2 + 0x1ff * 8) = 0x600000 | X86_PG_PS | TBL;
	assert_maps(VA32, 0, 0x1234345);
	poke(&c, 0, pd2 | X86_PG_P);
	assert_maps(VA32, 0, 0x1234345);	/* walk() flushed the whole TLB first */
	assert_int_equal(hw_cpu_cr3(cpu, reg), c.table[0]);
	assert_int_equal(reg[2], c.table[1] | X86_PG_P);
	assert_int_equal(hw_mmu_walk_info_cpu(VA32, &w), 0);
	assert_int_equal(w.level[0].entry, c.table[1] | X86_PG_P);
	assert_int_equal(w.pa, 0x1234345);
	/* RAM says the new PD: what a load of this CR3 takes. */
	assert_int_equal(hw_mmu_walk_info(c.table[0], VA32, &w), 0);
	assert_int_equal(w.level[0].entry, pd2 | X86_PG_P);
	assert_int_equal(w.pa, 0x612345);
	assert_int_equal(hw_load_cr3(c.table[0]), 0);
	assert_maps(VA32, 0, 0x612345);
	assert_int_equal(hw_mmu_walk_info_cpu(VA32, &w), 0);
	assert_int_equal(w.pa, 0x612345);

	/* Cleared in RAM: mapped until the reload, not present after it. */
	poke(&c, 0, 0);
	assert_maps(VA32, 0, 0x612345);
	assert_int_equal(hw_load_cr3(c.table[0]), 0);
	assert_pf(VA32, 0, 0);
	/* Not present: RW (reserved when present) is not looked at. */
	assert_int_equal(set(&c, 0, X86_PG_RW), 0);
	assert_pf(VA32, HW_ACC_WRITE, WR);

	/*
	 * RW in a present PDPTE is reserved: the load faults, and CR3, the
	 * registers, the TLB (its entry for VA32 still hits) and the load
	 * count stay as they were.
	 */
	assert_int_equal(set(&c, 0, c.table[1] | X86_PG_P), 0);
	assert_int_equal(hw_mmu_translate(VA32, 0, &pa), 0);	/* fills the TLB */
	hw_tlb_stats(cpu, &before);
	poke(&c, 0, pd2 | X86_PG_P | X86_PG_RW);
	assert_int_equal(hw_load_cr3(c.table[0]), HW_FAULT_GP);
	assert_int_equal(hw_mmu_translate(VA32, 0, &pa), 0);
	assert_int_equal(pa, 0x1234345);
	hw_tlb_stats(cpu, &after);
	assert_int_equal(after.cr3_loads, before.cr3_loads);
	assert_int_equal(after.hits, before.hits + 1);
	assert_int_equal(after.walks, before.walks);
	assert_int_equal(hw_cpu_cr3(cpu, reg), c.table[0]);
	assert_int_equal(reg[2], c.table[1] | X86_PG_P);
	/* Another PDPT, good, loads; back to the bad one, #GP again. */
	{
		u64 other = zeroed_page_phys();

		*(u64 *)(hw_ram_base + other + 2 * 8) = pd2 | X86_PG_P;
		assert_int_equal(hw_load_cr3(other), 0);
		assert_maps(VA32, 0, 0x612345);
		assert_int_equal(hw_load_cr3(c.table[0]), HW_FAULT_GP);
		assert_int_equal(hw_read_cr3(), other);
	}
	assert_mm_check();
}

/* 32-bit: 4K through PD 0x2ff, PT 0x212; then a 4M PDE (frame 0xc00000 + 0x212345). */
static void i386_4k_and_4m_pages(void **state)
{
	struct chain c = build("arch=i386 ram=64M", HW_PAGING_32, true, TBL);
	struct hw_walk w;

	assert_int_equal(c.size, 4);
	assert_false(hw_mmu_nx());	/* no NX without PAE */
	assert_maps(VA32, 0, 0x1234345);
	assert_int_equal(hw_mmu_walk_info(c.table[0], VA32, &w), 0);
	assert_int_equal(w.levels, 2);
	assert_int_equal(w.level[0].index, 0x2ff);
	assert_int_equal(w.level[1].index, 0x212);
	set(&c, 0, 0xc00000 | X86_PG_PS | X86_PG_PAT_LARGE | TBL);
	assert_maps(VA32, HW_ACC_USER | HW_ACC_WRITE, 0xe12345);
	assert_int_equal(hw_mmu_walk_info(c.table[0], VA32, &w), 0);
	assert_int_equal(w.levels, 1);
	assert_int_equal(w.page_shift, 22);
	/* A 32-bit walk never reports PF_INSTR: NX does not exist. */
	set(&c, 0, 0);
	assert_pf(VA32, HW_ACC_FETCH | HW_ACC_USER, USR);
	assert_int_equal(walk(0x100000000ULL, 0, &(u64){ 0 }), HW_FAULT_GP);
	assert_mm_check();
}

/*
 * PSE-36: a 4M PDE's bits 16:13 are physical address bits 35:32.  PD
 * 0x2ff = 0x00c00000 | 0x9 << 13 (0x12000) | PS: the page at 0x9_00c00000,
 * VA32's offset in it 0x212345, so 0x9_00e12345; every address bit set,
 * 0xf_ffc00000, the last 4M of 64G.  In a PDE pointing to a PT the same bits are the PT's
 * address, and a 4K PTE has no such bits: 32-bit tables reach above 4G
 * through 4M pages only.
 */
static void i386_pse36_maps_above_4g(void **state)
{
	struct chain c = build("arch=i386 ram=64M", HW_PAGING_32, false, TBL);
	struct hw_walk w;

	set(&c, 0, 0xc00000 | (0x9 << 13) | X86_PG_PS | TBL);
	assert_int_equal(get(&c, 0), 0x00c12087);
	assert_maps(VA32, 0, 0x900e12345ULL);
	assert_maps(VA32 | 0x1fffff, HW_ACC_WRITE | HW_ACC_USER, 0x900ffffffULL);
	assert_int_equal(hw_mmu_walk_info(c.table[0], VA32, &w), 0);
	assert_int_equal(w.levels, 1);
	assert_int_equal(w.page_shift, 22);
	assert_int_equal(w.pa, 0x900e12345ULL);
	/* Through the TLB: the fill keeps the frame's high bits. */
	{
		u64 pa;

		assert_int_equal(hw_mmu_translate(VA32, 0, &pa), 0);
		assert_int_equal(hw_mmu_translate(VA32 + 8, 0, &pa), 0);
		assert_int_equal(pa, 0x900e1234dULL);
	}
	set(&c, 0, 0xffc00000 | (0xf << 13) | X86_PG_PS | X86_PG_PAT_LARGE | TBL);
	assert_maps(VA32, 0, 0xfffe12345ULL);
	assert_mm_check();
}

static void paging_off_is_identity(void **state)
{
	struct hw_walk w;

	boot_or_fail("ram=64M");
	hw_mmu_setup(HW_PAGING_NONE, false, false);
	assert_maps(0x3456789, HW_ACC_WRITE | HW_ACC_USER, 0x3456789);
	assert_int_equal(hw_mmu_walk_info(0, 0x123, &w), 0);
	assert_int_equal(w.levels, 0);
	assert_int_equal(w.pa, 0x123);
	assert_mm_check();
}

/* --- Faults -------------------------------------------------------------- */

/*
 * P clear at each level in turn: a not-present fault (PF_PROT clear) that
 * says what the access was, CR2 the address; the walk stops there.
 */
static void not_present_at_each_level(void **state)
{
	static const struct {
		const char *cmdline;
		enum hw_paging_mode mode;
	} modes[] = {
		{ "ram=64M", HW_PAGING_4LEVEL },
		{ "arch=i386 pae ram=64M", HW_PAGING_PAE },
		{ "arch=i386 ram=64M", HW_PAGING_32 },
	};

	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		struct chain c = build(modes[m].cmdline, modes[m].mode, true, TBL);
		bool nx = modes[m].mode != HW_PAGING_32;

		for (int l = 0; l < c.levels; l++) {
			u64 old = get(&c, l);
			struct hw_walk w;

			/* Not present: the other bits mean nothing, reserved ones included. */
			set(&c, l, old & ~X86_PG_P);
			assert_pf(c.va, 0, 0);
			assert_pf(c.va, HW_ACC_WRITE, WR);
			assert_pf(c.va, HW_ACC_USER, USR);
			assert_pf(c.va, HW_ACC_USER | HW_ACC_WRITE, USR | WR);
			assert_pf(c.va, HW_ACC_FETCH, nx ? INSTR : 0);
			assert_pf(c.va, HW_ACC_FETCH | HW_ACC_USER, USR | (nx ? INSTR : 0));
			assert_int_equal(hw_mmu_walk_info(c.table[0], c.va, &w), PF);
			assert_int_equal(w.levels, l + 1);
			set(&c, l, ~0ULL & ~X86_PG_P);
			assert_pf(c.va, HW_ACC_WRITE, WR);
			set(&c, l, old);
			assert_maps(c.va, HW_ACC_USER | HW_ACC_WRITE, FRAME | (c.va & 0xfff));
		}
		assert_mm_check();
	}
}

/*
 * The rights are the AND over the levels: RW clear in the PML4E alone
 * makes the page read-only; US clear in the PDE alone makes it the
 * supervisor's.  CR0.WP: the supervisor faults on a read-only page too.
 */
static void rw_and_us_are_anded_over_levels(void **state)
{
	struct chain c;
	struct hw_walk w;

	boot4(&c, TBL);
	set(&c, 0, c.table[1] | X86_PG_P | X86_PG_US);
	assert_maps(VA4, 0, 0x1234abc);
	assert_maps(VA4, HW_ACC_USER, 0x1234abc);
	assert_pf(VA4, HW_ACC_WRITE, PROT | WR);
	assert_pf(VA4, HW_ACC_WRITE | HW_ACC_USER, PROT | WR | USR);
	assert_int_equal(hw_mmu_walk_info(c.table[0], VA4, &w), 0);
	assert_int_equal(w.perms & (HW_PERM_W | HW_PERM_U), HW_PERM_U);

	set(&c, 0, c.table[1] | TBL);
	set(&c, 2, c.table[3] | X86_PG_P | X86_PG_RW);
	assert_maps(VA4, HW_ACC_WRITE, 0x1234abc);
	assert_pf(VA4, HW_ACC_USER, PROT | USR);
	assert_pf(VA4, HW_ACC_USER | HW_ACC_WRITE, PROT | USR | WR);
	assert_pf(VA4, HW_ACC_USER | HW_ACC_FETCH, PROT | USR | INSTR);

	/* Both in the PTE alone: a kernel read-only page. */
	set(&c, 2, c.table[3] | TBL);
	set(&c, 3, FRAME | X86_PG_P);
	assert_maps(VA4, HW_ACC_FETCH, 0x1234abc);
	assert_pf(VA4, HW_ACC_WRITE, PROT | WR);
	assert_pf(VA4, HW_ACC_USER, PROT | USR);
	/* On i386 too, the AND over PDE and PTE. */
	{
		struct chain c32 = build("arch=i386 ram=64M", HW_PAGING_32, false, TBL);

		set(&c32, 0, c32.table[1] | X86_PG_P | X86_PG_US);
		assert_pf(VA32, HW_ACC_WRITE, PROT | WR);
		assert_maps(VA32, HW_ACC_USER, 0x1234345);
		set(&c32, 0, c32.table[1] | TBL);
		set(&c32, 1, FRAME | X86_PG_P | X86_PG_RW);
		assert_pf(VA32, HW_ACC_USER, PROT | USR);
	}
	assert_mm_check();
}

/*
 * NX is the OR over the levels, and only a fetch minds it: NX in the
 * PDPTE alone forbids fetches from the page, with PF_INSTR set.
 */
static void nx_is_ored_and_stops_fetches(void **state)
{
	struct chain c;

	boot4(&c, TBL);
	assert_maps(VA4, HW_ACC_FETCH | HW_ACC_USER, 0x1234abc);
	set(&c, 1, c.table[2] | TBL | X86_PG_NX);
	assert_maps(VA4, 0, 0x1234abc);
	assert_maps(VA4, HW_ACC_WRITE | HW_ACC_USER, 0x1234abc);
	assert_pf(VA4, HW_ACC_FETCH, PROT | INSTR);
	assert_pf(VA4, HW_ACC_FETCH | HW_ACC_USER, PROT | INSTR | USR);
	set(&c, 1, c.table[2] | TBL);
	set(&c, 3, FRAME | TBL | X86_PG_NX);
	assert_pf(VA4, HW_ACC_FETCH, PROT | INSTR);
	/* PAE too, in the PDE. */
	c = build("arch=i386 pae ram=64M", HW_PAGING_PAE, true, TBL);
	set(&c, 1, c.table[2] | TBL | X86_PG_NX);
	assert_maps(VA32, HW_ACC_WRITE, 0x1234345);
	assert_pf(VA32, HW_ACC_FETCH | HW_ACC_USER, PROT | INSTR | USR);
	assert_mm_check();
}

/* With EFER.NXE off, bit 63 is reserved and fetches report no PF_INSTR. */
static void without_nx_bit_63_is_reserved(void **state)
{
	struct chain c = build("ram=64M", HW_PAGING_4LEVEL, false, TBL);

	assert_false(hw_mmu_nx());
	assert_maps(VA4, HW_ACC_FETCH, 0x1234abc);
	set(&c, 3, FRAME | TBL | X86_PG_NX);
	assert_pf(VA4, 0, PROT | RSVD);
	assert_pf(VA4, HW_ACC_FETCH | HW_ACC_USER, PROT | RSVD | USR);
	set(&c, 3, FRAME | X86_PG_P);
	assert_pf(VA4, HW_ACC_FETCH | HW_ACC_WRITE, PROT | WR);
	c = build("arch=i386 pae ram=64M", HW_PAGING_PAE, false, TBL);
	set(&c, 1, c.table[2] | TBL | X86_PG_NX);
	assert_pf(VA32, HW_ACC_FETCH, PROT | RSVD);
	assert_mm_check();
}

/*
 * Set @bits in level @l's entry: a reserved-bit fault for every access.
 * In a PAE PDPTE: the CR3 load that follows faults (#GP) and changes
 * nothing, so the CPU goes on translating with the registers it had.
 */
#define assert_reserved(c, l, bits)						\
	do {									\
		u64 old_ = get(c, l);						\
		struct hw_walk w_;						\
		if (is_pdpte(c, l)) {						\
			assert_int_equal(set(c, l, old_ | (bits)), HW_FAULT_GP);	\
			assert_int_equal(hw_read_cr3(), (c)->table[0]);		\
			assert_maps((c)->va, 0, FRAME | ((c)->va & 0xfff));	\
			assert_int_equal(hw_mmu_walk_info((c)->table[0], (c)->va, &w_), HW_FAULT_GP); \
		} else {							\
			assert_int_equal(set(c, l, old_ | (bits)), 0);		\
			assert_pf((c)->va, 0, PROT | RSVD);			\
			assert_pf((c)->va, HW_ACC_USER | HW_ACC_WRITE, PROT | RSVD | USR | WR); \
		}								\
		assert_int_equal(set(c, l, old_), 0);				\
	} while (0)

static void reserved_bits_fault_with_rsvd(void **state)
{
	struct chain c;

	/* 4-level, MAXPHYADDR 46: bits 51:46 reserved, 62:52 ignored. */
	boot4(&c, TBL);
	for (int l = 0; l < 4; l++) {
		assert_reserved(&c, l, 1ULL << 46);
		assert_reserved(&c, l, 1ULL << 51);
	}
	assert_reserved(&c, 0, X86_PG_PS);		/* no PS in a PML4E */
	set(&c, 3, FRAME | TBL | (0x7ffULL << 52));	/* ignored: translates */
	assert_maps(VA4, 0, 0x1234abc);
	set(&c, 3, FRAME | TBL | X86_PG_PAT | X86_PG_G | X86_PG_SW1 | X86_PG_SW2 | X86_PG_SW3);
	assert_maps(VA4, 0, 0x1234abc);
	/* A 2M page's frame is bits 51:21: 20:13 reserved, 12 is PAT. */
	set(&c, 2, 0x40000000 | X86_PG_PS | TBL);
	assert_reserved(&c, 2, 1ULL << 13);
	assert_reserved(&c, 2, 1ULL << 20);
	assert_maps(VA4, 0, 0x40167abc);
	/* A 1G page's: 29:13 reserved. */
	set(&c, 1, 0x80000000 | X86_PG_PS | TBL);
	assert_reserved(&c, 1, 1ULL << 13);
	assert_reserved(&c, 1, 1ULL << 29);
	assert_maps(VA4, 0, 0xb4567abc);

	/* PAE, MAXPHYADDR 36: 62:36 reserved; in a PDPTE also 63, 8:5, 2:1. */
	c = build("arch=i386 pae ram=64M", HW_PAGING_PAE, true, TBL);
	for (int l = 0; l < 3; l++) {
		assert_reserved(&c, l, 1ULL << 36);
		assert_reserved(&c, l, 1ULL << 52);
		assert_reserved(&c, l, 1ULL << 62);
	}
	assert_reserved(&c, 0, X86_PG_RW);
	assert_reserved(&c, 0, X86_PG_US);
	assert_reserved(&c, 0, X86_PG_A);
	assert_reserved(&c, 0, X86_PG_PS);
	assert_reserved(&c, 0, X86_PG_G);
	assert_reserved(&c, 0, X86_PG_NX);
	set(&c, 0, c.table[1] | X86_PG_P | X86_PG_PWT | X86_PG_PCD | X86_PG_SW1);
	assert_maps(VA32, 0, 0x1234345);
	set(&c, 1, 0x600000 | X86_PG_PS | TBL);
	assert_reserved(&c, 1, 1ULL << 13);
	assert_reserved(&c, 1, 1ULL << 20);

	/* 32-bit: a 4M PDE's bits 21:17 are reserved (16:13 are PSE-36's); 12 is PAT. */
	c = build("arch=i386 ram=64M", HW_PAGING_32, true, TBL);
	set(&c, 0, 0xc00000 | X86_PG_PS | TBL);
	assert_reserved(&c, 0, 1ULL << 17);
	assert_reserved(&c, 0, 1ULL << 21);
	set(&c, 0, 0xc00000 | X86_PG_PS | TBL | X86_PG_PAT_LARGE);
	assert_maps(VA32, 0, 0xe12345);
	/* Nothing is reserved in a 4K PTE: a frame at 0xfffff000 is fine. */
	set(&c, 0, c.table[1] | TBL);
	set(&c, 1, 0xfffff000 | TBL | X86_PG_PAT | X86_PG_G);
	assert_maps(VA32, 0, 0xfffff345);
	assert_mm_check();
}

/*
 * 4-level addresses are canonical: bits 63:48 copy bit 47.  Anything else
 * is #GP, with CR2 untouched.
 */
static void non_canonical_is_gp(void **state)
{
	struct chain c;
	u64 pa;

	boot4(&c, TBL);
	assert_int_equal(walk(0x0000800000000000ULL, 0, &pa), HW_FAULT_GP);
	assert_int_equal(hw_read_cr2(), 0);
	assert_int_equal(walk(VA4 | 1ULL << 63, HW_ACC_USER, &pa), HW_FAULT_GP);
	assert_int_equal(walk(VA4 | 1ULL << 48, 0, &pa), HW_FAULT_GP);
	assert_int_equal(walk(0xffff7fffffffffffULL, 0, &pa), HW_FAULT_GP);
	/* The highest user address and the lowest kernel one are canonical: not present. */
	assert_pf(0x00007fffffffffffULL, 0, 0);
	assert_pf(0xffff800000000000ULL, 0, 0);
	/* PML4 0x110 of 0xffff880012345678: the sign bits do not index. */
	assert_pf(0xffff880012345678ULL, HW_ACC_WRITE, WR);
	assert_mm_check();
}

/* --- Accessed and dirty ----------------------------------------------------- */

/*
 * A read sets A on every level it passes and leaves D; a write sets D in
 * the final entry only.  Nothing else in the entries changes (the software
 * bits stay), and a faulting access leaves the final entry alone.
 */
static void accessed_on_each_level_dirty_on_write(void **state)
{
	struct chain c;
	struct hw_walk w;
	u64 pa;

	boot4(&c, TBL | X86_PG_SW2);
	set(&c, 1, get(&c, 1) | X86_PG_SW1);
	assert_int_equal(hw_mmu_walk_info(c.table[0], VA4, &w), 0);	/* no side effects */
	for (int l = 0; l < 4; l++)
		assert_false(get(&c, l) & X86_PG_A);
	assert_int_equal(walk(VA4, 0, &pa), 0);
	assert_int_equal(get(&c, 0), c.table[1] | TBL | X86_PG_A);
	assert_int_equal(get(&c, 1), c.table[2] | TBL | X86_PG_SW1 | X86_PG_A);
	assert_int_equal(get(&c, 2), c.table[3] | TBL | X86_PG_A);
	assert_int_equal(get(&c, 3), FRAME | TBL | X86_PG_SW2 | X86_PG_A);
	assert_int_equal(walk(VA4, HW_ACC_WRITE, &pa), 0);
	assert_int_equal(get(&c, 2), c.table[3] | TBL | X86_PG_A);
	assert_int_equal(get(&c, 3), FRAME | TBL | X86_PG_SW2 | X86_PG_A | X86_PG_D);

	/* A write to a read-only page faults and sets nothing in the PTE. */
	set(&c, 3, FRAME | X86_PG_P | X86_PG_US);
	assert_pf(VA4, HW_ACC_WRITE | HW_ACC_USER, PROT | WR | USR);
	assert_int_equal(get(&c, 3), FRAME | X86_PG_P | X86_PG_US);
	/* A large page's D is in its PDE. */
	set(&c, 2, 0x40000000 | X86_PG_PS | TBL);
	assert_int_equal(walk(VA4, HW_ACC_WRITE, &pa), 0);
	assert_int_equal(get(&c, 2), 0x40000000 | X86_PG_PS | TBL | X86_PG_A | X86_PG_D);

	/* i386: 4-byte entries, A in the PDE, A and D in the PTE. */
	c = build("arch=i386 ram=64M", HW_PAGING_32, false, TBL);
	assert_int_equal(walk(VA32, HW_ACC_WRITE, &pa), 0);
	assert_int_equal(get(&c, 0), c.table[1] | TBL | X86_PG_A);
	assert_int_equal(get(&c, 1), FRAME | TBL | X86_PG_A | X86_PG_D);
	/* PAE: none in the PDPTE, where bits 5 and 6 are reserved. */
	c = build("arch=i386 pae ram=64M", HW_PAGING_PAE, true, TBL);
	assert_int_equal(walk(VA32, HW_ACC_WRITE, &pa), 0);
	assert_int_equal(get(&c, 0), c.table[1] | X86_PG_P);
	assert_int_equal(get(&c, 1), c.table[2] | TBL | X86_PG_A);
	assert_int_equal(get(&c, 2), FRAME | TBL | X86_PG_A | X86_PG_D);
	assert_mm_check();
}

/*
 * Bits already set are not written again: with every table page read-only
 * on the host, walks that find A and D set must not store (a store would
 * kill the test with SIGSEGV).
 */
static void set_bits_are_not_written_again(void **state)
{
	struct chain c;
	u64 pa;

	boot4(&c, TBL | X86_PG_A | X86_PG_D);
	for (int l = 0; l < 3; l++)
		set(&c, l, get(&c, l) | X86_PG_A);
	for (int l = 0; l < 4; l++)
		assert_int_equal(mprotect(hw_ram_base + c.table[l], PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(walk(VA4, 0, &pa), 0);
	assert_int_equal(walk(VA4, HW_ACC_WRITE | HW_ACC_USER, &pa), 0);
	assert_int_equal(pa, 0x1234abc);
	for (int l = 0; l < 4; l++)
		assert_int_equal(mprotect(hw_ram_base + c.table[l], PAGE_SIZE, PROT_READ | PROT_WRITE),
				 0);
	assert_mm_check();
}

/* A table outside RAM reads as all ones: reserved bits in 8-byte formats. */
static void a_table_beyond_ram_reads_as_all_ones(void **state)
{
	struct chain c;
	struct hw_walk w;

	boot4(&c, TBL);
	set(&c, 2, 0x100000000ULL | TBL);	/* a PT at 4G, the machine has 64M */
	assert_pf(VA4, 0, PROT | RSVD);
	assert_int_equal(hw_mmu_walk_info(c.table[0], VA4, &w), PF | PROT | RSVD);
	assert_int_equal(w.levels, 4);
	assert_int_equal(w.level[3].entry, ~0ULL);
	assert_mm_check();
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(four_level_4k_page, teardown_machine),
	cmocka_unit_test_teardown(four_level_2m_and_1g_pages, teardown_machine),
	cmocka_unit_test_teardown(pae_4k_and_2m_pages, teardown_machine),
	cmocka_unit_test_teardown(pae_pdptes_are_loaded_with_cr3, teardown_machine),
	cmocka_unit_test_teardown(i386_4k_and_4m_pages, teardown_machine),
	cmocka_unit_test_teardown(i386_pse36_maps_above_4g, teardown_machine),
	cmocka_unit_test_teardown(paging_off_is_identity, teardown_machine),
	cmocka_unit_test_teardown(not_present_at_each_level, teardown_machine),
	cmocka_unit_test_teardown(rw_and_us_are_anded_over_levels, teardown_machine),
	cmocka_unit_test_teardown(nx_is_ored_and_stops_fetches, teardown_machine),
	cmocka_unit_test_teardown(without_nx_bit_63_is_reserved, teardown_machine),
	cmocka_unit_test_teardown(reserved_bits_fault_with_rsvd, teardown_machine),
	cmocka_unit_test_teardown(non_canonical_is_gp, teardown_machine),
	cmocka_unit_test_teardown(accessed_on_each_level_dirty_on_write, teardown_machine),
	cmocka_unit_test_teardown(set_bits_are_not_written_again, teardown_machine),
	cmocka_unit_test_teardown(a_table_beyond_ram_reads_as_all_ones, teardown_machine),
};

KMM_TEST_MAIN(tests)
