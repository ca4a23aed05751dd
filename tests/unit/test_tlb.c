/*
 * test_tlb.c - the per-CPU TLBs (hw/tlb.c): what a hit serves, what each
 * flush drops, faults raised from cached rights, the dirty re-walk,
 * round-robin replacement, the counters and the dump.
 *
 * A stale translation is shown the way a program would see it: four data
 * pages carry the markers 1, 2, 3 and 4 in their first word, the PTE is
 * moved from one to another without a flush, and a read through the
 * translation still finds the old page's marker.  Machines are 4-level
 * x86_64 (deterministic mode), tables built by hand with architectural
 * bits; the addresses:
 *
 *   VA    0x0000000010005000  PML4 0, PDPT 0, PD 0x80, PT 5: set 5 of the 4K TLB
 *   VA2M  0x0000000040000000  PML4 0, PDPT 1, PD 0: a 2M page
 *   page k of set 5: VA + k * 0x40000 (64 pages on: the same set, PT 5 + 64k)
 */
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include "hw/cpu.h"
#include "hw/mmu.h"
#include "tests/harness.h"

#define VA		0x0000000010005000ULL
#define VA2M		0x0000000040000000ULL
#define SET_STRIDE	(HW_TLB_SETS * PAGE_SIZE)	/* 0x40000: the next page of the same set */
#define TBL		(X86_PG_P | X86_PG_RW | X86_PG_US)

static u64 pml4;	/* this machine's top table */
static u64 frame[4];	/* data pages: frame[i] holds the marker i + 1 */


/* Level @depth's entry for @va (0: PML4E ... 3: PTE), creating the tables above it. */
static u64 *entry(u64 va, int depth)
{
	u64 table = pml4;

	for (int l = 0; l < depth; l++) {
		u64 *e = (u64 *)(hw_ram_base + table) + ((va >> (39 - 9 * l)) & 0x1ff);

		if (!(*e & X86_PG_P))
			*e = zeroed_page_phys() | TBL;
		table = *e & X86_PG_ADDR_MASK;
	}
	return (u64 *)(hw_ram_base + table) + ((va >> (39 - 9 * depth)) & 0x1ff);
}

static void set_pte(u64 va, u64 v)
{
	__atomic_store_n(entry(va, 3), v, __ATOMIC_RELAXED);
}

static u64 get_pte(u64 va)
{
	return __atomic_load_n(entry(va, 3), __ATOMIC_RELAXED);
}

static void set_pde(u64 va, u64 v)
{
	__atomic_store_n(entry(va, 2), v, __ATOMIC_RELAXED);
}

/* Boot cpus=@cpus, 4-level paging with NX and @pge, empty tables in CR3. */
static void boot(int cpus, bool pge)
{
	char cmdline[64];

	snprintf(cmdline, sizeof(cmdline), "ram=64M cpus=%d", cpus);
	boot_or_fail(cmdline);
	hw_mmu_setup(HW_PAGING_4LEVEL, true, pge);
	pml4 = zeroed_page_phys();
	for (int i = 0; i < 4; i++) {
		frame[i] = zeroed_page_phys();
		*(u64 *)(hw_ram_base + frame[i]) = i + 1;
	}
	hw_load_cr3(pml4);
	hw_tlb_stats_reset(smp_processor_id());
}

/* Translate (must not fault) and return the physical address. */
static u64 xl(u64 va, unsigned int access)
{
	u64 pa = ~0ULL;
	int fault = hw_mmu_translate(va, access, &pa);

	if (fault)
		fail_msg("translating %#llx (access %#x) faulted: %#x", va, access, fault);
	return pa;
}

/* The marker of the data page @va reaches, read through the translation. */
static u64 marker(u64 va)
{
	return *(u64 *)(hw_ram_base + xl(va, 0));
}

static struct hw_tlb_stats stats(void)
{
	struct hw_tlb_stats s;

	hw_tlb_stats(smp_processor_id(), &s);
	return s;
}

#define assert_stats(want_lookups, want_hits, want_misses, want_walks, want_faults) \
	do {									\
		struct hw_tlb_stats s_ = stats();				\
		assert_int_equal(s_.lookups, want_lookups);			\
		assert_int_equal(s_.hits, want_hits);				\
		assert_int_equal(s_.misses, want_misses);			\
		assert_int_equal(s_.walks, want_walks);				\
		assert_int_equal(s_.faults, want_faults);			\
	} while (0)

struct seen {
	int n;
	struct hw_tlb_info e[HW_TLB_SETS * HW_TLB_WAYS + HW_TLB_LARGE];
};

static int collect(const struct hw_tlb_info *info, void *arg)
{
	struct seen *s = arg;

	s->e[s->n++] = *info;
	return 0;
}

static struct seen dump(void)
{
	struct seen s = { 0 };
	int n = hw_tlb_for_each(smp_processor_id(), collect, &s);

	assert_int_equal(n, s.n);
	return s;
}

/* The first hit needs the walk of the first miss; a write walks again for D. */
static void hit_after_walk(void **state)
{
	boot(1, true);
	set_pte(VA, frame[0] | TBL);
	assert_int_equal(xl(VA + 8, 0), frame[0] + 8);
	assert_stats(1, 0, 1, 1, 0);
	assert_int_equal(xl(VA + 0xff8, HW_ACC_USER), frame[0] + 0xff8);
	assert_stats(2, 1, 1, 1, 0);
	assert_int_equal(hw_tlbs[0].fast_hits, 1);	/* served inline */
	assert_int_equal(xl(VA, HW_ACC_FETCH), frame[0]);
	assert_stats(3, 2, 1, 1, 0);
	/* D was clear when the entry was filled: the write walks, then hits. */
	assert_int_equal(xl(VA, HW_ACC_WRITE), frame[0]);
	assert_stats(4, 2, 1, 2, 0);
	assert_true(get_pte(VA) & X86_PG_D);
	assert_int_equal(xl(VA, HW_ACC_WRITE | HW_ACC_USER), frame[0]);
	assert_stats(5, 3, 1, 2, 0);
	/* The next page of the same set is a miss of its own. */
	set_pte(VA + SET_STRIDE, frame[1] | TBL);
	assert_int_equal(marker(VA + SET_STRIDE), 2);
	assert_stats(6, 3, 2, 3, 0);
	assert_mm_check();
}

/*
 * Moving a PTE to another page without a flush leaves the CPU reading
 * the old page, until invlpg of that page (not of its neighbour), a CR3
 * load, or a full flush.
 */
static void stale_until_flushed(void **state)
{
	struct hw_tlb_stats s;

	boot(1, true);
	set_pte(VA, frame[0] | TBL);
	assert_int_equal(marker(VA), 1);
	set_pte(VA, frame[1] | TBL);
	assert_int_equal(marker(VA), 1);	/* wrong, as on a real CPU: the old page */
	hw_tlb_flush_one(VA + PAGE_SIZE);
	hw_tlb_flush_one(VA + SET_STRIDE);	/* same set, another page */
	assert_int_equal(marker(VA), 1);
	hw_tlb_flush_one(VA + 0x123);
	assert_int_equal(marker(VA), 2);

	set_pte(VA, frame[2] | TBL);
	assert_int_equal(marker(VA), 2);
	hw_load_cr3(pml4);
	assert_int_equal(marker(VA), 3);

	set_pte(VA, frame[3] | TBL);
	assert_int_equal(marker(VA), 3);
	hw_tlb_flush_all();
	assert_int_equal(marker(VA), 4);

	/* Unmapped without a flush: still reachable; after invlpg, not present. */
	set_pte(VA, 0);
	assert_int_equal(marker(VA), 4);
	hw_tlb_flush_one(VA);
	assert_int_equal(hw_mmu_translate(VA, 0, &(u64){ 0 }), HW_FAULT_PF);
	hw_tlb_stats(0, &s);
	assert_int_equal(s.flush_one, 4);
	assert_int_equal(s.cr3_loads, 1);
	assert_int_equal(s.flush_all, 1);
	assert_mm_check();
}

/* Global entries (G, CR4.PGE) survive CR3 loads; flush_all drops them. */
static void global_entries_survive_cr3_loads(void **state)
{
	boot(1, true);
	set_pte(VA, frame[0] | TBL | X86_PG_G);
	set_pte(VA + PAGE_SIZE, frame[1] | TBL);
	assert_int_equal(marker(VA), 1);
	assert_int_equal(marker(VA + PAGE_SIZE), 2);
	set_pte(VA, frame[2] | TBL | X86_PG_G);
	set_pte(VA + PAGE_SIZE, frame[3] | TBL);
	hw_load_cr3(pml4);
	assert_int_equal(marker(VA), 1);		/* global: kept */
	assert_int_equal(marker(VA + PAGE_SIZE), 4);	/* not global: walked again */
	hw_load_cr3(pml4);
	assert_int_equal(marker(VA), 1);
	hw_tlb_flush_all();
	assert_int_equal(marker(VA), 3);

	/* A global large page too. */
	set_pde(VA2M, 0x600000 | X86_PG_PS | TBL | X86_PG_G);
	assert_int_equal(xl(VA2M + 0x12345, 0), 0x612345);
	set_pde(VA2M, 0x800000 | X86_PG_PS | TBL | X86_PG_G);
	hw_load_cr3(pml4);
	assert_int_equal(xl(VA2M + 0x12345, 0), 0x612345);
	hw_tlb_flush_all();
	assert_int_equal(xl(VA2M + 0x12345, 0), 0x812345);

	/* Without CR4.PGE, G means nothing: a CR3 load drops the entry. */
	hw_mmu_setup(HW_PAGING_4LEVEL, true, false);
	hw_load_cr3(pml4);
	set_pte(VA, frame[0] | TBL | X86_PG_G);
	assert_int_equal(marker(VA), 1);
	set_pte(VA, frame[1] | TBL | X86_PG_G);
	hw_load_cr3(pml4);
	assert_int_equal(marker(VA), 2);
	assert_mm_check();
}

/* invlpg drops a global entry, and a large page's entry from any address inside it. */
static void invlpg_drops_global_and_large_entries(void **state)
{
	boot(1, true);
	set_pte(VA, frame[0] | TBL | X86_PG_G);
	assert_int_equal(marker(VA), 1);
	set_pte(VA, frame[1] | TBL | X86_PG_G);
	hw_tlb_flush_one(VA);
	assert_int_equal(marker(VA), 2);

	/* 2M at VA2M -> 0x600000; invlpg of its page 0x100 drops it. */
	set_pde(VA2M, 0x600000 | X86_PG_PS | TBL);
	assert_int_equal(xl(VA2M + 0x12345, 0), 0x612345);
	set_pde(VA2M, 0x800000 | X86_PG_PS | TBL);
	assert_int_equal(xl(VA2M + 0x1fffff, 0), 0x7fffff);	/* stale */
	hw_tlb_flush_one(VA2M + 0x200000);			/* the next 2M: not this one */
	assert_int_equal(xl(VA2M, 0), 0x600000);
	hw_tlb_flush_one(VA2M + 0x100000);
	assert_int_equal(xl(VA2M + 0x12345, 0), 0x812345);
	/* A 1G page at 0x40000000 (the PDPTE): dropped by a CR3 load (not global). */
	*entry(VA2M, 1) = 0x80000000 | X86_PG_PS | TBL;
	hw_tlb_flush_all();
	assert_int_equal(xl(VA2M + 0x3456789, 0), 0x83456789);
	*entry(VA2M, 1) = 0xc0000000 | X86_PG_PS | TBL;
	assert_int_equal(xl(VA2M + 0x3456789, 0), 0x83456789);
	hw_tlb_flush_one(VA2M + 0x3fffffff);
	assert_int_equal(xl(VA2M + 0x3456789, 0), 0xc3456789);
	assert_mm_check();
}

/*
 * A hit whose cached rights refuse the access faults from the entry, even
 * though the PTE now allows it (Linux's spurious fault), and drops the
 * entry: the retry walks and succeeds.
 */
static void cached_rights_fault_then_retry_walks(void **state)
{
	static const struct {
		u64 before, after;
		unsigned int access, ec;
	} cases[] = {
		/* read-only, made writable */
		{ X86_PG_P | X86_PG_US, TBL, HW_ACC_WRITE | HW_ACC_USER,
		  X86_PF_PROT | X86_PF_WRITE | X86_PF_USER },
		/* the supervisor's, given to the user */
		{ X86_PG_P | X86_PG_RW, TBL, HW_ACC_USER, X86_PF_PROT | X86_PF_USER },
		/* no-execute, made executable */
		{ TBL | X86_PG_NX, TBL, HW_ACC_FETCH, X86_PF_PROT | X86_PF_INSTR },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 pa;

		boot(1, true);
		set_pte(VA, frame[0] | cases[i].before);
		assert_int_equal(marker(VA), 1);
		set_pte(VA, frame[0] | cases[i].after);
		assert_int_equal(hw_mmu_translate(VA + 0x10, cases[i].access, &pa),
				 HW_FAULT_PF | cases[i].ec);
		assert_int_equal(hw_read_cr2(), VA + 0x10);
		assert_stats(2, 0, 1, 1, 1);	/* the fault walked nothing */
		assert_int_equal(xl(VA + 0x10, cases[i].access), frame[0] + 0x10);
		assert_stats(3, 0, 2, 2, 1);
	}
	/* The other way round: rights taken away without a flush still serve. */
	set_pte(VA, frame[0] | X86_PG_P | X86_PG_D);
	assert_int_equal(xl(VA, HW_ACC_USER), frame[0]);
	hw_tlb_flush_one(VA);
	assert_int_equal(hw_mmu_translate(VA, HW_ACC_USER, &(u64){ 0 }),
			 HW_FAULT_PF | X86_PF_PROT | X86_PF_USER);
	assert_mm_check();
}

/*
 * A write through an entry filled while D was clear walks again to set D
 * (and so sees a PTE made read-only since); an entry filled with D set
 * serves writes at once.
 */
static void dirty_rewalk(void **state)
{
	boot(1, true);
	set_pte(VA, frame[0] | TBL);
	assert_int_equal(marker(VA), 1);
	assert_int_equal(get_pte(VA), frame[0] | TBL | X86_PG_A);
	assert_int_equal(xl(VA, HW_ACC_WRITE), frame[0]);
	assert_int_equal(get_pte(VA), frame[0] | TBL | X86_PG_A | X86_PG_D);
	assert_stats(2, 0, 1, 2, 0);
	assert_int_equal(dump().n, 1);	/* the walk refilled the same entry */
	assert_int_equal(xl(VA, HW_ACC_WRITE), frame[0]);
	assert_stats(3, 1, 1, 2, 0);

	/* Clean again and read-only, no flush: the write's walk finds it so. */
	set_pte(VA + PAGE_SIZE, frame[1] | TBL);
	assert_int_equal(marker(VA + PAGE_SIZE), 2);
	set_pte(VA + PAGE_SIZE, frame[1] | X86_PG_P | X86_PG_US | X86_PG_A);
	assert_int_equal(hw_mmu_translate(VA + PAGE_SIZE, HW_ACC_WRITE, &(u64){ 0 }),
			 HW_FAULT_PF | X86_PF_PROT | X86_PF_WRITE);
	assert_int_equal(get_pte(VA + PAGE_SIZE), frame[1] | X86_PG_P | X86_PG_US | X86_PG_A);

	/* Filled by a read of a dirty PTE: the write needs no walk. */
	set_pte(VA + 2 * PAGE_SIZE, frame[2] | TBL | X86_PG_D);
	hw_tlb_stats_reset(0);
	assert_int_equal(marker(VA + 2 * PAGE_SIZE), 3);
	assert_int_equal(xl(VA + 2 * PAGE_SIZE, HW_ACC_WRITE), frame[2]);
	assert_stats(2, 1, 1, 1, 0);
	assert_mm_check();
}

/*
 * Six pages of set 5, A..F = VA + k * 0x40000: A-D fill the four ways;
 * E replaces way 0 (A), F way 1 (B), then A way 2 (C), B way 3 (D), C way
 * 0 (E).  Seventeen 2M pages: the 17th replaces the first in the large TLB.
 */
static void replacement_is_round_robin(void **state)
{
	struct seen s;

	boot(1, true);
	for (int k = 0; k < 6; k++) {
		set_pte(VA + k * SET_STRIDE, frame[k % 4] | TBL);
		xl(VA + k * SET_STRIDE, 0);
	}
	s = dump();
	assert_int_equal(s.n, 4);
	assert_int_equal(s.e[0].va, VA + 4 * SET_STRIDE);	/* E in way 0 */
	assert_int_equal(s.e[1].va, VA + 5 * SET_STRIDE);	/* F in way 1 */
	assert_int_equal(s.e[2].va, VA + 2 * SET_STRIDE);
	assert_int_equal(s.e[3].va, VA + 3 * SET_STRIDE);
	/* C to F hit; A misses and replaces C (way 2), then B replaces D. */
	hw_tlb_stats_reset(0);
	for (int k = 2; k < 6; k++)
		xl(VA + k * SET_STRIDE, 0);
	assert_stats(4, 4, 0, 0, 0);
	xl(VA, 0);
	xl(VA + SET_STRIDE, 0);
	assert_stats(6, 4, 2, 2, 0);
	s = dump();
	assert_int_equal(s.e[2].va, VA);
	assert_int_equal(s.e[3].va, VA + SET_STRIDE);
	/* C misses and replaces E (way 0), the next victim being way 1. */
	xl(VA + 2 * SET_STRIDE, 0);
	assert_int_equal(dump().e[0].va, VA + 2 * SET_STRIDE);
	/* After a flush, invalid ways are taken first, in order: D E F A in ways 0-3. */
	hw_tlb_flush_all();
	for (int k = 3; k < 7; k++)
		xl(VA + (k % 6) * SET_STRIDE, 0);
	s = dump();
	assert_int_equal(s.n, 4);
	for (int k = 3; k < 7; k++)
		assert_int_equal(s.e[k - 3].va, VA + (k % 6) * SET_STRIDE);

	for (int k = 0; k < 17; k++) {
		set_pde(VA2M + k * 0x200000ULL, (k + 1) * 0x200000ULL | X86_PG_PS | TBL);
		xl(VA2M + k * 0x200000ULL, 0);
	}
	s = dump();
	assert_int_equal(s.n, 4 + 16);
	assert_int_equal(s.e[4].va, VA2M + 16 * 0x200000ULL);	/* the 17th, in entry 0 */
	assert_int_equal(s.e[4].pa, 17 * 0x200000ULL);
	for (int k = 1; k < 16; k++)
		assert_int_equal(s.e[4 + k].va, VA2M + k * 0x200000ULL);
	assert_mm_check();
}

/* The dump shows each valid entry's page, frame, size and rights. */
static void dump_shows_valid_entries(void **state)
{
	struct seen s;

	boot(1, true);
	set_pte(VA, frame[0] | TBL);
	set_pte(VA + PAGE_SIZE, frame[1] | X86_PG_P | X86_PG_G);
	set_pde(VA2M, 0x600000 | X86_PG_PS | X86_PG_P | X86_PG_US | X86_PG_NX | X86_PG_D);
	xl(VA + 0x10, HW_ACC_WRITE | HW_ACC_USER);
	xl(VA + PAGE_SIZE, HW_ACC_FETCH);
	xl(VA2M + 0x1234, HW_ACC_USER);
	s = dump();
	assert_int_equal(s.n, 3);
	assert_int_equal(s.e[0].va, VA);
	assert_int_equal(s.e[0].pa, frame[0]);
	assert_int_equal(s.e[0].page_shift, 12);
	assert_int_equal(s.e[0].perms, HW_PERM_W | HW_PERM_U | HW_PERM_D);
	assert_int_equal(s.e[1].va, VA + PAGE_SIZE);	/* set 6 */
	assert_int_equal(s.e[1].perms, HW_PERM_G);
	assert_int_equal(s.e[2].va, VA2M);
	assert_int_equal(s.e[2].pa, 0x600000);
	assert_int_equal(s.e[2].page_shift, 21);
	assert_int_equal(s.e[2].perms, HW_PERM_U | HW_PERM_NX | HW_PERM_D);
	hw_load_cr3(pml4);
	s = dump();
	assert_int_equal(s.n, 1);
	assert_int_equal(s.e[0].va, VA + PAGE_SIZE);
	hw_tlb_flush_all();
	assert_int_equal(dump().n, 0);
	assert_mm_check();
}

/* Two address spaces: a CR3 load switches between them. */
static void cr3_load_switches_address_space(void **state)
{
	u64 a, b;

	boot(1, true);
	a = pml4;
	set_pte(VA, frame[0] | TBL);
	b = pml4 = zeroed_page_phys();
	set_pte(VA, frame[1] | TBL);
	hw_load_cr3(a);
	assert_int_equal(marker(VA), 1);
	assert_int_equal(hw_read_cr3(), a);
	hw_load_cr3(b);
	assert_int_equal(marker(VA), 2);
	hw_load_cr3(a);
	assert_int_equal(marker(VA), 1);
	assert_mm_check();
}

static void flush_one_on(void *arg)
{
	hw_tlb_flush_one(*(u64 *)arg);
}

/*
 * Each CPU has its own TLB and CR3: CPU 1's flush leaves CPU 0 stale,
 * until a flush runs on CPU 0 (here through hw_run_on_cpu, the IPI).
 */
static void each_cpu_has_its_own_tlb(void **state)
{
	u64 va = VA;

	boot(2, true);
	set_pte(VA, frame[0] | TBL);
	assert_int_equal(marker(VA), 1);
	hw_switch_cpu(1);
	assert_int_equal(hw_read_cr3(), 0);
	hw_load_cr3(pml4);
	assert_int_equal(marker(VA), 1);
	set_pte(VA, frame[1] | TBL);
	hw_tlb_flush_one(VA);
	assert_int_equal(marker(VA), 2);
	hw_switch_cpu(0);
	assert_int_equal(marker(VA), 1);
	hw_switch_cpu(1);
	hw_run_on_cpu(0, flush_one_on, &va);
	hw_switch_cpu(0);
	assert_int_equal(marker(VA), 2);
	{
		struct hw_tlb_stats s0, s1;

		hw_tlb_stats(0, &s0);
		hw_tlb_stats(1, &s1);
		assert_int_equal(s0.flush_one, 1);
		assert_int_equal(s1.flush_one, 1);
		assert_int_equal(s1.cr3_loads, 1);
	}
	assert_mm_check();
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_teardown(hit_after_walk, teardown_machine),
	cmocka_unit_test_teardown(stale_until_flushed, teardown_machine),
	cmocka_unit_test_teardown(global_entries_survive_cr3_loads, teardown_machine),
	cmocka_unit_test_teardown(invlpg_drops_global_and_large_entries, teardown_machine),
	cmocka_unit_test_teardown(cached_rights_fault_then_retry_walks, teardown_machine),
	cmocka_unit_test_teardown(dirty_rewalk, teardown_machine),
	cmocka_unit_test_teardown(replacement_is_round_robin, teardown_machine),
	cmocka_unit_test_teardown(dump_shows_valid_entries, teardown_machine),
	cmocka_unit_test_teardown(cr3_load_switches_address_space, teardown_machine),
	cmocka_unit_test_teardown(each_cpu_has_its_own_tlb, teardown_machine),
};

KMM_TEST_MAIN(tests)
