/*
 * test_parallel_tlb.c - the TLBs and the walker with host threads running
 * as CPUs at once (parallel mode); built with the debug checks and under
 * ThreadSanitizer, which must stay silent.
 *
 * 1. A thread owning CPU 1 translates one address in a loop while CPU 0
 *    moves its PTE from page to page and flushes CPU 1 through
 *    hw_run_on_cpu() - the takeover protocol, since CPU 1 is owned and
 *    busy: the flush handler runs on CPU 0's thread while CPU 1's owner
 *    keeps using its TLB.  Once the flush has returned, CPU 1's next
 *    translation must reach the new page (the owner waits for that round
 *    before looking, so there is no race about which page is right).
 *    The handler itself translates first: it must walk, not use the
 *    owner's TLB (which still holds the last round's page).
 * 2. The walker's A and D updates lose no change the kernel makes to the
 *    same entry at the same time: CPU 0 flips a software bit of the PTE
 *    with atomic operations while CPU 1 writes through it, each write
 *    after an invlpg, so every one walks and sets D (after CPU 0 cleared
 *    it, as page reclaim does).  A plain store of the entry with D set
 *    would sometimes undo a flip.
 */
#include <pthread.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/mm.h>
#include <kmm/smp.h>
#include "hw/cpu.h"
#include "hw/mmu.h"
#include "tests/harness.h"

#define VA		0x0000000010005000ULL	/* PML4 0, PDPT 0, PD 0x80, PT 5 */
#define TBL		(X86_PG_P | X86_PG_RW | X86_PG_US)
#define NFRAMES		3

static u64 pml4, *pte;
static u64 frame[NFRAMES];
static long round_published;	/* the round whose PTE and flush are done */
static long round_seen;		/* the last round CPU 1 checked (-1: not attached yet) */
static long failures;


/* Tables for VA, its PTE empty; CPU 0's CR3 at them. */
static void build_tables(void)
{
	u64 table;

	hw_mmu_setup(HW_PAGING_4LEVEL, true, true);
	pml4 = zeroed_page_phys();
	table = pml4;
	for (int l = 0; l < 3; l++) {
		u64 next = zeroed_page_phys();

		*((u64 *)(hw_ram_base + table) + ((VA >> (39 - 9 * l)) & 0x1ff)) = next | TBL;
		table = next;
	}
	pte = (u64 *)(hw_ram_base + table) + ((VA >> 12) & 0x1ff);
	for (int i = 0; i < NFRAMES; i++)
		frame[i] = zeroed_page_phys();
	hw_load_cr3(pml4);
}

/*
 * Round r maps VA to frame[r % 3]; rounds take turns at the three kinds
 * of flush, and the PTE is global except before a CR3 load (which keeps
 * global entries): the previous round's entry must always go.
 */
static u64 round_pte(long r)
{
	return frame[r % NFRAMES] | TBL | (r % 4 == 2 ? 0 : X86_PG_G);
}

static void flush_round(void *arg)
{
	long r = (long)arg;
	u64 pa;

	/*
	 * Running as CPU 1 beside its owner, whose TLB still holds the last
	 * round's page: a translation here walks without that TLB.
	 */
	if (hw_mmu_translate(VA + 8, 0, &pa) || pa != frame[r % NFRAMES] + 8)
		__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
	switch (r % 4) {
	case 0:
	case 2:
		hw_tlb_flush_one(VA);
		break;
	case 1:
		hw_tlb_flush_all();
		break;
	case 3:
		hw_load_cr3(pml4);
		break;
	}
}

static void *translator(void *arg)
{
	long rounds = (long)arg, r = 0;

	if (kmm_thread_attach(1))
		return (void *)1;
	hw_load_cr3(pml4);
	__atomic_store_n(&round_seen, 0, __ATOMIC_RELEASE);	/* attached: round 1 may start */
	while (r < rounds && !__atomic_load_n(&failures, __ATOMIC_RELAXED)) {
		long now = __atomic_load_n(&round_published, __ATOMIC_ACQUIRE);
		u64 pa;

		if (hw_mmu_translate(VA + 8, 0, &pa)) {
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
			break;
		}
		if (now != r) {
			/* Round @now is flushed and CPU 0 waits for us: exactly its page. */
			if (pa != frame[now % NFRAMES] + 8)
				__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
			r = now;
			__atomic_store_n(&round_seen, r, __ATOMIC_RELEASE);
		}
	}
	kmm_thread_detach();
	return NULL;
}

static void flush_reaches_a_translating_cpu(void **state)
{
	long rounds = stress_rounds(3000);
	unsigned long takeovers;
	pthread_t t;
	void *ret;

	boot_parallel("ram=64M cpus=2");
	build_tables();
	round_published = failures = 0;
	round_seen = -1;
	__atomic_store_n(pte, round_pte(0), __ATOMIC_RELAXED);
	takeovers = __atomic_load_n(&hw_takeovers, __ATOMIC_RELAXED);
	assert_int_equal(pthread_create(&t, NULL, translator, (void *)rounds), 0);
	for (long r = 1; r <= rounds; r++) {
		/* CPU 1 has checked round r - 1, and its TLB holds that page again. */
		while (__atomic_load_n(&round_seen, __ATOMIC_ACQUIRE) != r - 1 &&
		       !__atomic_load_n(&failures, __ATOMIC_RELAXED))
			cpu_relax();
		if (__atomic_load_n(&failures, __ATOMIC_RELAXED))
			break;
		__atomic_store_n(pte, round_pte(r), __ATOMIC_RELAXED);
		hw_run_on_cpu(1, flush_round, (void *)r);
		__atomic_store_n(&round_published, r, __ATOMIC_RELEASE);
	}
	pthread_join(t, &ret);
	assert_null(ret);
	assert_int_equal(__atomic_load_n(&failures, __ATOMIC_RELAXED), 0);
	/* The flushes went through the takeover protocol, not the owner's own thread. */
	assert_true(__atomic_load_n(&hw_takeovers, __ATOMIC_RELAXED) > takeovers);
	{
		struct hw_tlb_stats s;

		hw_tlb_stats(1, &s);
		assert_true(s.remote > 0);
		assert_true(s.flush_one > 0 && s.flush_all > 0 && s.cr3_loads > 0);
	}
	assert_mm_check();
	kmm_shutdown();
}

static long writes_done;

static void *writer(void *arg)
{
	long rounds = (long)arg;

	if (kmm_thread_attach(1))
		return (void *)1;
	hw_load_cr3(pml4);
	for (long i = 0; i < rounds; i++) {
		u64 pa;

		hw_tlb_flush_one(VA);
		if (hw_mmu_translate(VA, HW_ACC_WRITE, &pa) || pa != frame[0]) {
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	__atomic_store_n(&writes_done, 1, __ATOMIC_RELEASE);
	kmm_thread_detach();
	return NULL;
}

static void dirty_updates_lose_no_kernel_change(void **state)
{
	long rounds = stress_rounds(500000), lost = 0;
	u64 sw1 = 0;	/* what CPU 0 last left in the bit */
	pthread_t t;
	void *ret;

	boot_parallel("ram=64M cpus=2");
	build_tables();
	failures = writes_done = 0;
	__atomic_store_n(pte, frame[0] | TBL, __ATOMIC_RELAXED);
	assert_int_equal(pthread_create(&t, NULL, writer, (void *)rounds), 0);
	while (!__atomic_load_n(&writes_done, __ATOMIC_ACQUIRE)) {
		u64 old = __atomic_fetch_xor(pte, X86_PG_SW1, __ATOMIC_RELAXED);

		/* Only CPU 0 flips the bit: finding it otherwise, a walk wrote back an old value. */
		if ((old & X86_PG_SW1) != sw1)
			lost++;
		sw1 = (old & X86_PG_SW1) ^ X86_PG_SW1;
		__atomic_fetch_and(pte, ~(X86_PG_A | X86_PG_D), __ATOMIC_RELAXED);
	}
	pthread_join(t, &ret);
	assert_null(ret);
	assert_int_equal(__atomic_load_n(&failures, __ATOMIC_RELAXED), 0);
	assert_int_equal(lost, 0);
	assert_int_equal(__atomic_load_n(pte, __ATOMIC_RELAXED) & ~(X86_PG_A | X86_PG_D),
			 frame[0] | TBL | sw1);
	assert_mm_check();
	kmm_shutdown();
}

/*
 * 3. A flush that lands while CPU 1 is walking invalidates what that walk
 *    fills: the fill carries the generation read before the walk.  CPU 1
 *    walks without pause (invlpg, translate); CPU 0 moves the PTE and
 *    flushes CPU 1 as the takeover protocol's handler would, running as
 *    a copy of CPU 1's record, but without the protocol's microseconds,
 *    so that the flush often falls between a walk's read of the PTE and
 *    its fill.  Once CPU 1 sees the round published, its next
 *    translation, before any invlpg of its own, must reach the new page.
 */
static long walker_flushes;	/* the invlpgs the walker made itself */

static void *walker(void *arg)
{
	long rounds = (long)arg, r = 0, flushes = 0;

	if (kmm_thread_attach(1))
		return (void *)1;
	hw_load_cr3(pml4);
	__atomic_store_n(&round_seen, 0, __ATOMIC_RELEASE);
	while (r < rounds && !__atomic_load_n(&failures, __ATOMIC_RELAXED)) {
		long now = __atomic_load_n(&round_published, __ATOMIC_ACQUIRE);
		u64 pa;

		if (hw_mmu_translate(VA, 0, &pa) ||
		    (now != r && pa != frame[now % NFRAMES])) {
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
			break;
		}
		if (now != r) {
			r = now;
			__atomic_store_n(&round_seen, r, __ATOMIC_RELEASE);
		}
		hw_tlb_flush_one(VA);
		flushes++;
		hw_mmu_translate(VA, 0, &pa);	/* a walk, racing with the next round */
	}
	walker_flushes = flushes;
	kmm_thread_detach();
	return NULL;
}

static void a_flush_during_a_walk_invalidates_its_fill(void **state)
{
	long rounds = stress_rounds(200000), r;
	struct hw_cpu *self, as_cpu1;
	struct hw_tlb_stats s;
	pthread_t t;
	void *ret;

	boot_parallel("ram=64M cpus=2");
	build_tables();
	round_published = failures = 0;
	round_seen = -1;
	__atomic_store_n(pte, frame[0] | TBL, __ATOMIC_RELAXED);
	assert_int_equal(pthread_create(&t, NULL, walker, (void *)rounds), 0);
	self = hw_this_cpu;
	as_cpu1 = (struct hw_cpu){ .id = 1, .node = hw_cpus[1].node, .present = true,
				   .irq_disabled = 1 };
	for (r = 1; r <= rounds; r++) {
		while (__atomic_load_n(&round_seen, __ATOMIC_ACQUIRE) != r - 1 &&
		       !__atomic_load_n(&failures, __ATOMIC_RELAXED))
			cpu_relax();
		if (__atomic_load_n(&failures, __ATOMIC_RELAXED))
			break;
		__atomic_store_n(pte, frame[r % NFRAMES] | TBL, __ATOMIC_RELAXED);
		hw_set_this_cpu(&as_cpu1);
		hw_tlb_flush_one(VA);
		hw_set_this_cpu(self);
		__atomic_store_n(&round_published, r, __ATOMIC_RELEASE);
	}
	pthread_join(t, &ret);
	assert_null(ret);
	assert_int_equal(__atomic_load_n(&failures, __ATOMIC_RELAXED), 0);
	/* Both threads counted their invlpgs on CPU 1, and no count was lost. */
	hw_tlb_stats(1, &s);
	assert_int_equal(s.flush_one, walker_flushes + r - 1);
	assert_mm_check();
	kmm_shutdown();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(flush_reaches_a_translating_cpu, teardown_machine),
		cmocka_unit_test_teardown(dirty_updates_lose_no_kernel_change, teardown_machine),
		cmocka_unit_test_teardown(a_flush_during_a_walk_invalidates_its_fill,
					  teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
