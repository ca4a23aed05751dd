/*
 * hw/tlb.c - each CPU's TLBs, CR3 (with PAE's PDPTE registers) and CR2,
 * and the translate path behind
 * the inline TLB hit of hw_mmu_translate() (the model is drawn in
 * hw/mmu.h).
 *
 * The slow path looks up both TLBs, raises a fault from an entry whose
 * rights refuse the access (dropping it), walks (hw/mmu.c) on a miss or to
 * set D, and fills.  Flushes: invlpg clears the tags that cover the
 * address; CR3 loads and flush_all advance a generation in O(1).
 *
 * Invariants: an entry is valid iff tag != 0 and gen == tlb->gen (gen
 * even: non-global) or gen == tlb->ggen (odd: global); the generations
 * only grow.  A large entry's tag, lkey and large_used bit are nonzero
 * together, so a 4K miss skips an empty large TLB and otherwise compares
 * one mask and key per entry (an entry found stale there is dropped).
 * Only the CPU's owning thread (hw_this_cpu == &hw_cpus[id]) reads or
 * writes entries, rr[] and the owner's counters (which so need no locked
 * instruction); a thread running as the CPU through the takeover protocol
 * touches only atomics: the generations, CR3, CR2 and its own counters.
 * A fill stores the generation read before its walk, so a flush that
 * lands during the walk invalidates what it fills.
 */
#include <string.h>

#include <kmm/errno.h>
#include "hw/machine.h"
#include "hw/mmu.h"

/*
 * Outside the state section (580 KB): a boot touches only the TLBs of the
 * CPUs it brings up (hw_tlb_reset_cpu), so a machine of many possible CPUs
 * of which 2 run costs 2 TLBs, not 64.
 */
struct hw_tlb hw_tlbs[NR_CPUS];
static bool paging __state_zero;	/* a mode other than HW_PAGING_NONE */
static unsigned long tlb_inited[CPU_MASK_LONGS] __state_zero;	/* CPUs whose TLB this boot has reset */

void hw_tlb_reset_cpu(int cpu)
{
	struct hw_tlb *t = &hw_tlbs[cpu];

	memset(t, 0, sizeof(*t));
	t->gen = 2;
	t->ggen = 1;
	tlb_inited[cpu_mask_word(cpu)] |= cpu_mask_bit(cpu);
}

void hw_tlb_reset_all(bool on)
{
	paging = on;
	for (int cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (tlb_inited[cpu_mask_word(cpu)] & cpu_mask_bit(cpu))
			hw_tlb_reset_cpu(cpu);
}

/* Is this thread the CPU's owner (not a handler running as it)? */
static __always_inline bool owner(const struct hw_cpu *cpu)
{
	return cpu == &hw_cpus[cpu->id];
}

static __always_inline bool valid(const struct hw_tlb_entry *e, u64 gen, u64 ggen)
{
	return e->tag && (e->gen == gen || e->gen == ggen);
}

/* What an entry with @perms cannot serve without the slow path. */
static unsigned int entry_deny(unsigned int perms)
{
	unsigned int deny = hw_perm_refuses(perms, HW_ACC_WRITE | HW_ACC_USER | HW_ACC_FETCH);

	if (!(perms & HW_PERM_D))
		deny |= HW_ACC_WRITE;	/* a write must walk to set D */
	return deny;
}

static void drop_large(struct hw_tlb *t, int i)
{
	t->large[i].tag = 0;
	t->lkey[i] = 0;
	t->large_used &= ~(1U << i);
}

/* Drop entry @e (the owner's): its tag, and its bit if it is a large one. */
static void drop(struct hw_tlb *t, struct hw_tlb_entry *e)
{
	if (e >= t->large && e < t->large + HW_TLB_LARGE)
		drop_large(t, e - t->large);
	else
		e->tag = 0;
}

static struct hw_tlb_entry *lookup(struct hw_tlb *t, u64 va, u64 gen, u64 ggen)
{
	struct hw_tlb_entry *e = t->set[(va >> PAGE_SHIFT) % HW_TLB_SETS];

	for (int w = 0; w < HW_TLB_WAYS; w++)
		if (e[w].tag == ~(va >> PAGE_SHIFT) && valid(&e[w], gen, ggen))
			return &e[w];
	if (!t->large_used)
		return NULL;
	for (int i = 0; i < HW_TLB_LARGE; i++) {
		if (((va & t->lmask[i]) | 1) != t->lkey[i])
			continue;
		if (valid(&t->large[i], gen, ggen))
			return &t->large[i];
		drop_large(t, i);	/* flushed by a generation: tidy up */
	}
	return NULL;
}

/*
 * Cache @x for @va, filled in generation @gen (or @ggen, if global): in
 * the way that holds the same page, else an invalid way, else the set's
 * round-robin victim.
 */
static void fill(struct hw_tlb *t, u64 va, const struct hw_xlate *x, u64 gen, u64 ggen)
{
	struct hw_tlb_entry *ways = t->large;
	int n = HW_TLB_LARGE, victim = -1;
	u8 *rr = &t->rr_large;
	u64 tag = ~(va >> x->shift);

	if (x->shift == PAGE_SHIFT) {
		unsigned int set = (va >> PAGE_SHIFT) % HW_TLB_SETS;

		ways = t->set[set];
		n = HW_TLB_WAYS;
		rr = &t->rr[set];
	}
	for (int i = 0; i < n && victim < 0; i++)
		if (ways[i].tag == tag && ways[i].shift == x->shift)
			victim = i;
	for (int i = 0; i < n && victim < 0; i++)
		if (!valid(&ways[i], gen, ggen))
			victim = i;
	if (victim < 0) {
		victim = *rr;
		*rr = (victim + 1) % n;
	}
	if (ways == t->large) {
		t->large_used |= 1U << victim;
		t->lmask[victim] = ~((1ULL << x->shift) - 1);
		t->lkey[victim] = (va & t->lmask[victim]) | 1;
	}
	ways[victim] = (struct hw_tlb_entry){
		.tag = tag,
		.gen = x->perms & HW_PERM_G ? ggen : gen,
		.frame = x->frame,
		.deny = entry_deny(x->perms),
		.shift = x->shift,
		.perms = x->perms,
	};
}

static int raise_pf(struct hw_tlb *t, u64 va, int fault)
{
	__atomic_store_n(&t->cr2, va, __ATOMIC_RELAXED);
	return fault;
}

/*
 * A handler running as this CPU while its owner keeps translating: walk
 * without the TLB, whose entries are the owner's.
 */
static noinline int translate_remote(struct hw_tlb *t, u64 va, unsigned int access, u64 *pa)
{
	struct hw_xlate x;
	int fault;

	__atomic_fetch_add(&t->remote, 1, __ATOMIC_RELAXED);
	fault = hw_mmu_walk(__atomic_load_n(&t->cr3, __ATOMIC_ACQUIRE), t->pdpte, va, access, &x);
	if (fault)
		return fault & HW_FAULT_PF ? raise_pf(t, va, fault) : fault;
	*pa = x.frame | (va & ((1ULL << x.shift) - 1));
	return 0;
}

int hw_mmu_translate_slow(u64 va, unsigned int access, u64 *pa)
{
	struct hw_cpu *cpu = hw_this_cpu;
	struct hw_tlb *t = &hw_tlbs[cpu->id];
	struct hw_tlb_entry *e;
	struct hw_xlate x;
	u64 gen, ggen;
	int fault;

	if (unlikely(!paging)) {
		*pa = va;
		return 0;
	}
	if (unlikely(!owner(cpu)))
		return translate_remote(t, va, access, pa);
	hw_tlb_count(&t->slow_lookups);
	/* Before the walk: a flush from now on invalidates what it fills. */
	gen = __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE);
	ggen = __atomic_load_n(&t->ggen, __ATOMIC_ACQUIRE);
	e = lookup(t, va, gen, ggen);
	if (e && !(e->deny & access)) {
		hw_tlb_count(&t->slow_hits);
		*pa = e->frame | (va & ((1ULL << e->shift) - 1));
		return 0;
	}
	if (e && hw_perm_refuses(e->perms, access)) {
		/* The CPU trusts its entry: the fault comes from it, and drops it. */
		drop(t, e);
		hw_tlb_count(&t->faults);
		return raise_pf(t, va, HW_FAULT_PF | hw_mmu_prot_error(access));
	}
	if (!e)
		hw_tlb_count(&t->misses);
	/* else: a write through an entry not known dirty walks to set D. */
	hw_tlb_count(&t->walks);
	fault = hw_mmu_walk(__atomic_load_n(&t->cr3, __ATOMIC_RELAXED), t->pdpte, va, access, &x);
	if (fault) {
		if (!(fault & HW_FAULT_PF))
			return fault;
		hw_tlb_count(&t->faults);
		return raise_pf(t, va, fault);
	}
	fill(t, va, &x, gen, ggen);
	*pa = x.frame | (va & ((1ULL << x.shift) - 1));
	return 0;
}

static void count_flush(struct hw_tlb *t, const struct hw_cpu *cpu, int kind)
{
	if (owner(cpu))
		hw_tlb_count(&t->flushes[kind]);
	else
		__atomic_fetch_add(&t->remote_flushes[kind], 1, __ATOMIC_RELAXED);
}

/* Invalidate every non-global entry of @t, and with @global the global ones. */
static void advance(struct hw_tlb *t, bool global)
{
	__atomic_fetch_add(&t->gen, 2, __ATOMIC_RELEASE);
	if (global)
		__atomic_fetch_add(&t->ggen, 2, __ATOMIC_RELEASE);
}

void hw_tlb_flush_one(u64 va)
{
	struct hw_cpu *cpu = hw_this_cpu;
	struct hw_tlb *t = &hw_tlbs[cpu->id];
	struct hw_tlb_entry *e = t->set[(va >> PAGE_SHIFT) % HW_TLB_SETS];

	count_flush(t, cpu, HW_TLB_FLUSH_ONE);
	if (!owner(cpu)) {
		/* Not ours to touch: drop everything instead (more than asked). */
		advance(t, true);
		return;
	}
	for (int w = 0; w < HW_TLB_WAYS; w++)
		if (e[w].tag == ~(va >> PAGE_SHIFT))
			e[w].tag = 0;
	if (!t->large_used)
		return;
	for (int i = 0; i < HW_TLB_LARGE; i++)
		if (((va & t->lmask[i]) | 1) == t->lkey[i])
			drop_large(t, i);
}

void hw_tlb_flush_all(void)
{
	struct hw_tlb *t = &hw_tlbs[hw_this_cpu->id];

	count_flush(t, hw_this_cpu, HW_TLB_FLUSH_ALL);
	advance(t, true);
}

int hw_load_cr3(u64 pa)
{
	struct hw_tlb *t = &hw_tlbs[hw_this_cpu->id];
	u64 pdpte[4];

	if (hw_mmu_mode() == HW_PAGING_PAE) {
		if (hw_mmu_load_pdptes(pa, pdpte))
			return HW_FAULT_GP;	/* the MOV faults: nothing changes */
		for (int i = 0; i < 4; i++)
			__atomic_store_n(&t->pdpte[i], pdpte[i], __ATOMIC_RELAXED);
	}
	count_flush(t, hw_this_cpu, HW_TLB_CR3_LOAD);
	/* Published by advance()'s release: a walk that sees the flush sees the new CR3 and PDPTEs. */
	__atomic_store_n(&t->cr3, pa, __ATOMIC_RELAXED);
	advance(t, false);
	return 0;
}

u64 hw_read_cr3(void)
{
	return __atomic_load_n(&hw_tlbs[hw_this_cpu->id].cr3, __ATOMIC_RELAXED);
}

u64 hw_cpu_cr3(int cpu, u64 pdpte[4])
{
	const struct hw_tlb *t = &hw_tlbs[cpu];

	for (int i = 0; i < 4; i++)
		pdpte[i] = __atomic_load_n(&t->pdpte[i], __ATOMIC_RELAXED);
	return __atomic_load_n(&t->cr3, __ATOMIC_ACQUIRE);
}

u64 hw_read_cr2(void)
{
	return __atomic_load_n(&hw_tlbs[hw_this_cpu->id].cr2, __ATOMIC_RELAXED);
}

#define LOAD(field)	__atomic_load_n(&t->field, __ATOMIC_RELAXED)

void hw_tlb_stats(int cpu, struct hw_tlb_stats *s)
{
	const struct hw_tlb *t = &hw_tlbs[cpu];

	*s = (struct hw_tlb_stats){
		.lookups = LOAD(fast_hits) + LOAD(slow_lookups),
		.hits = LOAD(fast_hits) + LOAD(slow_hits),
		.misses = LOAD(misses),
		.walks = LOAD(walks),
		.faults = LOAD(faults),
		.flush_one = LOAD(flushes[HW_TLB_FLUSH_ONE]) + LOAD(remote_flushes[HW_TLB_FLUSH_ONE]),
		.flush_all = LOAD(flushes[HW_TLB_FLUSH_ALL]) + LOAD(remote_flushes[HW_TLB_FLUSH_ALL]),
		.cr3_loads = LOAD(flushes[HW_TLB_CR3_LOAD]) + LOAD(remote_flushes[HW_TLB_CR3_LOAD]),
		.remote = LOAD(remote),
	};
}

#define CLEAR(field)	__atomic_store_n(&t->field, 0, __ATOMIC_RELAXED)

void hw_tlb_stats_reset(int cpu)
{
	struct hw_tlb *t = &hw_tlbs[cpu];

	CLEAR(fast_hits);
	CLEAR(slow_lookups);
	CLEAR(slow_hits);
	CLEAR(misses);
	CLEAR(walks);
	CLEAR(faults);
	for (int k = 0; k < 3; k++) {
		CLEAR(flushes[k]);
		CLEAR(remote_flushes[k]);
	}
	CLEAR(remote);
}

static int show(const struct hw_tlb_entry *e, int (*fn)(const struct hw_tlb_info *, void *),
		void *arg)
{
	struct hw_tlb_info info = {
		.va = ~e->tag << e->shift,
		.pa = e->frame,
		.page_shift = e->shift,
		.perms = e->perms,
	};

	return fn(&info, arg);
}

int hw_tlb_for_each(int cpu, int (*fn)(const struct hw_tlb_info *info, void *arg), void *arg)
{
	struct hw_tlb *t = &hw_tlbs[cpu];
	u64 gen, ggen;
	int n = 0;

	if (!hw_deterministic() && hw_this_cpu != &hw_cpus[cpu] &&
	    __atomic_load_n(&hw_cpus[cpu].owner, __ATOMIC_ACQUIRE))
		return -EBUSY;
	gen = __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE);
	ggen = __atomic_load_n(&t->ggen, __ATOMIC_ACQUIRE);
	for (int s = 0; s < HW_TLB_SETS; s++)
		for (int w = 0; w < HW_TLB_WAYS; w++)
			if (valid(&t->set[s][w], gen, ggen)) {
				n++;
				if (show(&t->set[s][w], fn, arg))
					return n;
			}
	for (int i = 0; i < HW_TLB_LARGE; i++)
		if (valid(&t->large[i], gen, ggen)) {
			n++;
			if (show(&t->large[i], fn, arg))
				return n;
		}
	return n;
}
