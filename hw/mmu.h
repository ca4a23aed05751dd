/*
 * hw/mmu.h - the simulated MMU: the x86 page-table formats, the walker
 * that translates a linear address through them, and each CPU's TLBs.
 *
 * The hardware knows the formats the CPU manual defines (Intel SDM vol. 3
 * ch. 4) and nothing of Linux: the kernel writes entries in simulated RAM
 * with these bits (arch/x86 builds pte_mkwrite() and friends on them), loads
 * CR3, and the walker reads the tables at CR3 the way the CPU does.
 *
 * 4-level paging (x86_64), the linear address split:
 *
 *    63      48 47     39 38     30 29     21 20     12 11          0
 *   +----------+---------+---------+---------+---------+-------------+
 *   | = bit 47 |  PML4   |  PDPT   |   PD    |   PT    |   offset    |
 *   +----------+---------+---------+---------+---------+-------------+
 *                   |         |         |         |
 *   CR3 --> PML4E --+-> PDPTE-+-> PDE --+-> PTE --+-> 4K page
 *                             |         |
 *                             |         +-- PS=1: 2M page (offset 20:0)
 *                             +-- PS=1: 1G page (offset 29:0)
 *
 * Bits 63:48 not all equal to bit 47 (a non-canonical address): #GP.
 * PAE: CR3 -> a 4-entry PDPT (bits 31:30) -> PD (29:21, PS: 2M) -> PT
 * (20:12), 8-byte entries.  32-bit: CR3 -> PD (31:22, PS: 4M) -> PT
 * (21:12), 4-byte entries.
 *
 * The walk.  Entries are read from RAM (hw_phys_base + pa; a table beyond
 * RAM reads as all ones, as a read from nothing does on a PC).  A level
 * whose P bit is clear ends it with a not-present fault; reserved bits set
 * in a present entry end it with X86_PF_RSVD|X86_PF_PROT.  The rights
 * are the AND of RW and of US over the levels (a PAE PDPTE has neither),
 * and no-execute the OR of NX (only with EFER.NXE).  CR0.WP is always on:
 * the supervisor faults on a write to a read-only page, as users do; users
 * fault on supervisor pages; a fetch from an NX page faults with
 * X86_PF_INSTR (reported only with NX on).
 * The walker sets A in each table entry it passes, with a compare-and-swap
 * so that an entry the kernel changes or clears meanwhile is not revived
 * (the walk starts again instead); a successful access sets A (and D, for
 * a write) in the final entry by compare-and-swap against the value it
 * checked, and walks again if that entry changed.  A faulting access leaves
 * the final entry's A and D alone.
 *
 * The TLBs.  Each CPU has a 4-way set-associative TLB of 64 sets for 4K
 * pages and a 16-entry fully associative one for large pages, in
 * hw_tlbs[] (not in struct hw_cpu: the takeover protocol runs handlers on
 * a copy of that).  An entry caches one successful translation: the frame,
 * the page size, the effective rights, whether it is global, and whether
 * D is known set.  Only successful walks fill (nothing not present is ever
 * cached; there are no paging-structure caches).  A lookup that hits uses
 * the entry without reading the tables: after the kernel changes an entry,
 * the CPU keeps the old translation until it is flushed, which is the bug
 * class tests must be able to see.  A hit whose cached rights forbid the
 * access raises the page fault from the entry and drops it (Linux then
 * finds the fault spurious and the retry walks); a write through an entry
 * not known dirty walks again to set D.  Replacement: a way holding the
 * same page, else an invalid way, else the next in a per-set round robin.
 *
 * Flushes.  invlpg (hw_tlb_flush_one) drops every entry covering the
 * address, global or not, of any size; a CR3 load drops the non-global
 * entries (no PCIDs: 2.6.34's CPUs had none); hw_tlb_flush_all (a CR4.PGE
 * toggle) drops everything.  The whole-TLB flushes are O(1): an entry is
 * valid only while its generation equals the TLB's current one, `gen` for
 * non-global entries, `ggen` for global ones; a flush advances them.
 *
 * Across CPUs.  In parallel mode one host thread owns a CPU and is the
 * only one that reads or writes its entries (the thread for which
 * hw_this_cpu == &hw_cpus[id]; in deterministic mode, whichever runs the
 * CPU, one at a time).  Another thread may run a
 * flush handler "as" that CPU through the takeover protocol (hw/cpu.c)
 * while the owner keeps translating (it waits only at its next
 * local_irq_save()): such a thread only advances the generations, with
 * atomic operations, and an invlpg from it becomes a flush of everything
 * (the architecture allows flushing more than asked).  A translation
 * made by such a handler walks without the TLB.  The generation is read
 * before a walk and stored with the entry, so a flush that lands during
 * the walk invalidates what it fills: once a flush handler has returned,
 * the CPU's next translation walks the tables as they are.
 *
 * What the kernel must do: write entries that other CPUs may be walking
 * with single atomic stores (set_pte), as x86 does; deliver a returned
 * page fault to do_page_fault() and retry the access (this layer never
 * calls up); flush the TLBs after changing an entry a TLB may hold.
 *
 * PAE's PDPTE registers.  Under PAE the CPU does not walk the PDPT in
 * memory: a CR3 load copies its four entries into registers (struct
 * hw_tlb's pdpte[]) and translations start from those, so a PDPTE the
 * kernel changes is not seen until the next CR3 load (the kernel must
 * reload, as 2.6.34's pud_populate does).  A present PDPTE with reserved
 * bits makes the load itself fault with #GP: hw_load_cr3() then returns
 * HW_FAULT_GP and changes nothing (CR3, the registers and the TLB keep
 * what they had), as the faulting MOV does.  Only CR3 loads (and paging
 * being set up) load them: the SDMs of 2.6.34's time say so; later ones
 * add MOV to CR4 changing PGE, i.e. hw_tlb_flush_all(), which kmm does
 * not model (Linux never relies on it).  hw_mmu_walk_info() of a CR3
 * reads the PDPT in memory, as a load of that CR3 would, and reports a
 * reserved bit there as HW_FAULT_GP.
 *
 *
 * PSE-36.  The simulated CPU has it (every CPU with PSE that 2.6.34 ran
 * on did): without PAE, a 4M PDE's bits 16:13 are bits 35:32 of the
 * page's physical address (its bits 31:22 the rest), so a 32-bit table
 * can map up to 64G in 4M pages; bits 21:17 are reserved (MAXPHYADDR 36).
 *
 * Simplifications: PAT, PWT and PCD are stored but mean nothing; no
 * SMEP/SMAP.
 */
#ifndef KMM_HW_MMU_H
#define KMM_HW_MMU_H

#include <kmm/asm/page.h>
#include <kmm/asm/smp.h>
#include <kmm/compiler.h>
#include <kmm/types.h>

/* Page-table entry bits, every format (4-byte entries use bits 31:0). */
#define X86_PG_P		(1ULL << 0)	/* present */
#define X86_PG_RW		(1ULL << 1)	/* writable */
#define X86_PG_US		(1ULL << 2)	/* user-mode accesses allowed */
#define X86_PG_PWT		(1ULL << 3)	/* write-through */
#define X86_PG_PCD		(1ULL << 4)	/* cache disabled */
#define X86_PG_A		(1ULL << 5)	/* accessed: set by the walker */
#define X86_PG_D		(1ULL << 6)	/* dirty: set by the walker (final entry) */
#define X86_PG_PS		(1ULL << 7)	/* large page, in a PDE or 4-level PDPTE */
#define X86_PG_PAT		(1ULL << 7)	/* in a 4K PTE */
#define X86_PG_G		(1ULL << 8)	/* global (final entry, with CR4.PGE) */
#define X86_PG_SW1		(1ULL << 9)	/* bits 9-11: ignored, the software's */
#define X86_PG_SW2		(1ULL << 10)
#define X86_PG_SW3		(1ULL << 11)
#define X86_PG_PAT_LARGE	(1ULL << 12)	/* PAT, in a large-page entry */
#define X86_PG_NX		(1ULL << 63)	/* no execute (PAE, 4-level, with EFER.NXE) */

/*
 * Physical addresses.  8-byte entries hold the frame in bits 51:12; bits
 * from MAXPHYADDR up to 51 are reserved (and, under PAE, up to 62).
 * 4-byte entries hold bits 31:12; a 4M PDE holds bits 31:22, and 35:32
 * in its bits 16:13 (PSE-36).
 */
#define X86_MAXPHYADDR_4LEVEL	46
#define X86_MAXPHYADDR_PAE	36
#define X86_PG_ADDR_MASK	0x000ffffffffff000ULL	/* bits 51:12 */
#define X86_PG_ADDR_MASK_32	0x00000000fffff000ULL	/* bits 31:12 */
#define X86_PG_1G_ADDR_MASK	0x000fffffc0000000ULL	/* bits 51:30 */
#define X86_PG_2M_ADDR_MASK	0x000fffffffe00000ULL	/* bits 51:21 */
#define X86_PG_4M_ADDR_MASK	0x00000000ffc00000ULL	/* bits 31:22 */
#define X86_PG_4M_PSE36_MASK	0x000000000001e000ULL	/* bits 16:13: address bits 35:32 (PSE-36) */

/*
 * The page-fault error code (pushed by the CPU, read by do_page_fault).
 * 2.6.34's arch/x86/mm/fault.c names them PF_PROT... in an enum of its
 * own; the X86_ prefix keeps these apart from it and from the task flags.
 */
#define X86_PF_PROT		(1U << 0)	/* 1: protection or reserved bit; 0: not present */
#define X86_PF_WRITE		(1U << 1)	/* the access was a write */
#define X86_PF_USER		(1U << 2)	/* the access was made in user mode */
#define X86_PF_RSVD		(1U << 3)	/* a reserved bit was set in an entry */
#define X86_PF_INSTR		(1U << 4)	/* an instruction fetch (reported with NX on) */

enum hw_paging_mode {
	HW_PAGING_NONE,		/* paging off: linear == physical */
	HW_PAGING_32,		/* i386: PD -> PT, 4-byte entries, 4M pages (PSE) */
	HW_PAGING_PAE,		/* i386 PAE: PDPT(4) -> PD -> PT, 8-byte entries, 2M pages */
	HW_PAGING_4LEVEL,	/* x86_64: PML4 -> PDPT -> PD -> PT, 1G and 2M pages */
};

/* What an access is: OR of these (0: a supervisor read).  They equal the error-code bits. */
#define HW_ACC_WRITE		X86_PF_WRITE
#define HW_ACC_USER		X86_PF_USER
#define HW_ACC_FETCH		X86_PF_INSTR

/*
 * What hw_mmu_translate() returns when it does not translate: a page
 * fault (HW_FAULT_PF | the error code, CR2 set to the address), or a
 * general protection fault (a non-canonical address, or beyond 4G on a
 * 32-bit machine; CR2 untouched).
 */
#define HW_FAULT_PF		0x100
#define HW_FAULT_GP		0x200
#define HW_FAULT_ERROR_CODE(f)	((f) & 0xff)

/* Effective rights and state of a translation (struct hw_walk, struct hw_tlb_info). */
#define HW_PERM_W		0x01	/* writable: RW set at every level */
#define HW_PERM_U		0x02	/* user: US set at every level */
#define HW_PERM_NX		0x04	/* no execute: NX set at some level, NX on */
#define HW_PERM_G		0x08	/* global: G in the final entry, CR4.PGE on */
#define HW_PERM_D		0x10	/* dirty: D set in the final entry */

/*
 * The access bits (HW_ACC_*) that rights @perms refuse: a write without W
 * (CR0.WP: the supervisor too), a user access without U, a fetch with NX.
 */
static __always_inline unsigned int hw_perm_refuses(unsigned int perms, unsigned int access)
{
	/* W (1) and U (2) missing become WRITE (2) and USER (4); NX (4) becomes FETCH (16). */
	unsigned int no = ((~perms & (HW_PERM_W | HW_PERM_U)) << 1) | ((perms & HW_PERM_NX) << 2);

	BUILD_BUG_ON(HW_PERM_W << 1 != HW_ACC_WRITE || HW_PERM_U << 1 != HW_ACC_USER ||
		     HW_PERM_NX << 2 != HW_ACC_FETCH);
	return no & access;
}

/*
 * Select the paging mode of the machine and clear every CPU's TLBs and
 * control registers; called once per machine boot, before any CPU
 * translates.  @nx (EFER.NXE) exists with PAE and 4-level paging only and
 * is ignored otherwise; @pge is CR4.PGE.  CR0.WP and CR4.PSE are always on.
 */
void hw_mmu_setup(enum hw_paging_mode mode, bool nx, bool pge);
enum hw_paging_mode hw_mmu_mode(void);
bool hw_mmu_nx(void);
bool hw_mmu_pge(void);

/*
 * The calling CPU's CR3 and CR2.  A load flushes the CPU's non-global TLB
 * entries and, under PAE, loads the PDPTE registers from the PDPT at @pa.
 * Returns 0, or HW_FAULT_GP (PAE: a present PDPTE with reserved bits) with
 * nothing changed.
 */
int hw_load_cr3(u64 pa);
u64 hw_read_cr3(void);
u64 hw_read_cr2(void);
/* Any CPU's CR3 and, under PAE, its PDPTE registers into @pdpte (for checks). */
u64 hw_cpu_cr3(int cpu, u64 pdpte[4]);

/* One level of a walk, as hw_mmu_walk_info() reports it. */
struct hw_walk_level {
	const char *name;	/* "PML4E", "PDPTE", "PDE", "PTE" */
	u64 table;		/* physical address of the table */
	unsigned int index;	/* entry index in it */
	u64 entry;		/* the entry's value */
};

struct hw_walk {
	int levels;			/* entries read: level[0..levels) */
	struct hw_walk_level level[4];
	int fault;			/* 0, or as hw_mmu_translate() returns */
	u64 pa;				/* the translation, when !fault */
	unsigned int page_shift;	/* 12, 21, 22 or 30, when !fault */
	unsigned int perms;		/* HW_PERM_*, when !fault */
};

/*
 * Walk the tables at @cr3 for @va without side effects (no A or D bit,
 * no CR2, no TLB), recording each level in @w.  Returns 0 with the
 * translation and its effective rights in @w, or the fault a supervisor
 * read would take (not present, reserved bit, non-canonical).  Paging
 * off: 0, with no levels.
 */
int hw_mmu_walk_info(u64 cr3, u64 va, struct hw_walk *w);
/*
 * The same walk as the calling CPU makes it: its CR3 and, under PAE, its
 * PDPTE registers (which may differ from the PDPT in memory).
 */
int hw_mmu_walk_info_cpu(u64 va, struct hw_walk *w);

/* --- The TLBs ---------------------------------------------------------- */

#define HW_TLB_SETS		64	/* 4K TLB: sets, indexed by va bits 17:12 */
#define HW_TLB_WAYS		4
#define HW_TLB_LARGE		16	/* large-page TLB: fully associative */

struct hw_tlb_entry {
	u64 tag;		/* ~(va >> shift); 0: invalid (no address has that tag) */
	u64 gen;		/* the generation it was filled in: even non-global, odd global */
	u64 frame;		/* physical address of the page */
	u32 deny;		/* HW_ACC_* bits this entry cannot serve: fault or walk */
	u8 shift;		/* page size: 12, 21, 22 or 30 */
	u8 perms;		/* HW_PERM_* */
	u16 unused;
};

/*
 * One CPU's MMU state.  The entries, rr[] and the owner-only counters are
 * written by the CPU's owning thread only; gen, ggen, cr3, cr2 and the
 * shared counters by any thread running as the CPU, atomically.
 * Invariants: an entry is valid iff its tag is nonzero and its gen equals
 * gen (non-global entries) or ggen (global ones); under PAE, pdpte[] is
 * what the PDPT at cr3 held when cr3 was loaded; large_used has bit i
 * set iff large[i].tag != 0, so a 4K miss skips an empty large TLB.
 */
struct hw_tlb {
	struct hw_tlb_entry set[HW_TLB_SETS][HW_TLB_WAYS];
	struct hw_tlb_entry large[HW_TLB_LARGE];
	u64 gen;		/* non-global generation: even, advanced by 2 */
	u64 ggen;		/* global generation: odd, advanced by 2 */
	u64 cr3, cr2;
	u64 pdpte[4];		/* PAE: the PDPTE registers, loaded with CR3 */
	u8 rr[HW_TLB_SETS];	/* next victim of each set */
	u8 rr_large;		/* next victim of the large TLB */
	u16 large_used;		/* bit i: large[i].tag != 0 (user space has no large pages) */
	/* The large TLB's search keys: large[i] covers va iff (va & lmask[i]) | 1 == lkey[i]. */
	u64 lmask[HW_TLB_LARGE];
	u64 lkey[HW_TLB_LARGE];	/* the page's first address | 1; 0 when large[i].tag == 0 */
	/* Counters written by the owner only (plain increments). */
	u64 fast_hits;		/* hits served inline */
	u64 slow_lookups;	/* lookups that reached hw_mmu_translate_slow() */
	u64 slow_hits;		/* ... and were hits there (large pages) */
	u64 misses, walks, faults;
	u64 flushes[3];		/* HW_TLB_FLUSH_* by the owner */
	/* Counters of threads running as the CPU through the takeover protocol (atomic adds). */
	u64 remote_flushes[3];	/* HW_TLB_FLUSH_* */
	u64 remote;		/* translations (no TLB) */
} ____cacheline_aligned;

enum { HW_TLB_FLUSH_ONE, HW_TLB_FLUSH_ALL, HW_TLB_CR3_LOAD };

extern struct hw_tlb hw_tlbs[NR_CPUS];

/* Owner-only counters: one writer, read by anyone, so relaxed atomics and no lock. */
static __always_inline void hw_tlb_count(u64 *c)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

int hw_mmu_translate_slow(u64 va, unsigned int access, u64 *pa);

/*
 * Translate @va for an @access (HW_ACC_*) by the calling thread's CPU.
 * Returns 0 with the physical address in *@pa, or a fault (HW_FAULT_PF |
 * error code with CR2 = @va, or HW_FAULT_GP) for the caller to deliver
 * before retrying.  The physical address may lie outside RAM if the
 * tables say so: the caller checks.  The fast path is a 4K TLB hit.
 */
static __always_inline int hw_mmu_translate(u64 va, unsigned int access, u64 *pa)
{
	int id = hw_this_cpu_id;
	struct hw_tlb *t = &hw_tlbs[id];
	const struct hw_tlb_entry *e = t->set[(va >> PAGE_SHIFT) % HW_TLB_SETS];
	u64 tag = ~(va >> PAGE_SHIFT);
	u64 gen = __atomic_load_n(&t->gen, __ATOMIC_RELAXED);
	u64 ggen = __atomic_load_n(&t->ggen, __ATOMIC_RELAXED);

	if (likely(hw_this_cpu == &hw_cpus[id])) {
		for (int w = 0; w < HW_TLB_WAYS; w++) {
			if (e[w].tag == tag && !(e[w].deny & access) &&
			    (e[w].gen == gen || e[w].gen == ggen)) {
				*pa = e[w].frame | (va & ~PAGE_MASK);
				hw_tlb_count(&t->fast_hits);
				return 0;
			}
		}
	}
	return hw_mmu_translate_slow(va, access, pa);
}

/* invlpg: drop this CPU's entries covering @va, global or not, any size. */
void hw_tlb_flush_one(u64 va);
/* Drop every entry of this CPU, global ones too (CR4.PGE toggled). */
void hw_tlb_flush_all(void);

struct hw_tlb_stats {
	u64 lookups;	/* translations asked: hits + misses + cached faults + dirty re-walks */
	u64 hits;	/* served from an entry */
	u64 misses;	/* no valid entry */
	u64 walks;	/* page-table walks (misses and dirty re-walks) */
	u64 faults;	/* page faults raised, from a walk or a cached entry */
	u64 flush_one, flush_all, cr3_loads;
	u64 remote;	/* translations by a handler running as this CPU: no TLB */
};

void hw_tlb_stats(int cpu, struct hw_tlb_stats *s);
void hw_tlb_stats_reset(int cpu);

/* A valid TLB entry, as hw_tlb_for_each() shows it. */
struct hw_tlb_info {
	u64 va;			/* first address of the page */
	u64 pa;			/* its frame */
	unsigned int page_shift;
	unsigned int perms;	/* HW_PERM_* (G, and D when known set) */
};

/*
 * Call @fn(@info, @arg) for each valid entry of @cpu's TLBs (4K sets in
 * order, then the large TLB), stopping early if @fn returns nonzero.
 * Returns how many entries were shown, or -EBUSY when another thread owns
 * @cpu (its entries change under us): call it from the CPU's own thread,
 * in deterministic mode, or for a CPU nobody owns.
 */
int hw_tlb_for_each(int cpu, int (*fn)(const struct hw_tlb_info *info, void *arg), void *arg);

/* Between hw/mmu.c and hw/tlb.c. */
struct hw_xlate {
	u64 frame;		/* physical address of the page */
	unsigned int shift;	/* page size */
	unsigned int perms;	/* HW_PERM_* */
};
/*
 * The walk behind the TLB, with its side effects (A, D) but no CR2: 0 with
 * the translation in @x, or the fault.  Paging must be on.  Under PAE the
 * top level comes from @pdpte (the CPU's registers), or from memory if NULL.
 */
int hw_mmu_walk(u64 cr3, const u64 *pdpte, u64 va, unsigned int access, struct hw_xlate *x);
/*
 * The PDPTE registers a load of @cr3 would take (PAE), into @pdpte: 0, or
 * HW_FAULT_GP if a present one has reserved bits (then @pdpte is partial).
 */
int hw_mmu_load_pdptes(u64 cr3, u64 pdpte[4]);
/* The error code of an @access that a present entry forbids. */
unsigned int hw_mmu_prot_error(unsigned int access);
/*
 * Empty the TLBs of the CPUs reset this boot, zero their CR3, CR2 and
 * counters; @paging: on (hw_mmu_setup).
 */
void hw_tlb_reset_all(bool paging);
/*
 * A CPU coming up: its TLB empty, CR3 and CR2 zero, counters zero.  Every
 * CPU that will translate must have been reset this boot (the arch's
 * paging_start and paging_cpu_up do it): the TLBs live outside the state
 * section and keep what an earlier boot left.
 */
void hw_tlb_reset_cpu(int cpu);

#endif /* KMM_HW_MMU_H */
