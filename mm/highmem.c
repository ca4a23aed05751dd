/*
 * mm/highmem.c - kernel addresses for pages outside the direct map: the
 * permanent kernel mappings (kmap), the atomic per-CPU ones (kmap_atomic)
 * and page_address(), which knows both kinds of page.
 *
 * The pkmap window is LAST_PKMAP pages at PKMAP_BASE, one PTE table
 * allocated at boot (permanent_kmaps_init), so kmap never allocates.  Each
 * entry has a count:
 *
 *   pkmap_count[nr] == 0    free: nothing mapped there since the last flush
 *   pkmap_count[nr] == 1    unused, but its PTE (and maybe some CPU's TLB
 *                           entry) still names the old page: not reusable
 *   pkmap_count[nr] == n    mapped, with n - 1 users (kmaps not kunmapped)
 *
 * Entries are handed out in a circle starting after last_pkmap_nr.  Each
 * time the circle passes entry 0, every count-1 entry is retired at once:
 * PTEs cleared, one TLB flush on every CPU, counts to 0.  So a kunmap costs
 * no flush, and LAST_PKMAP kunmaps share one.  A task that finds no free
 * entry in a whole turn sleeps on pkmap_map_wait; the kunmap that brings
 * an entry to count 1 wakes it, and it scans again (its page may have been
 * kmapped by someone else meanwhile).
 *
 * A highmem page's kernel address lives in page_address_htable (2.6.34's
 * HASHED_PAGE_VIRTUAL: struct page has no `virtual`): set when an entry is
 * taken, removed when the entry is retired.  So page_address() of a page
 * whose count fell to 1 still answers until the flush, as in Linux.
 *
 * kmap_atomic uses this CPU's fixmap slot for its km_type: FIX_KMAP_BEGIN +
 * type + KM_TYPE_NR * cpu.  No lock: only this CPU touches its slots, and
 * nothing sleeps while one is held.  kunmap_atomic clears the PTE and
 * flushes this CPU's TLB entry for it (2.6.34 does so in every build, not
 * only with CONFIG_DEBUG_HIGHMEM; so does kmm).
 *
 * Every mapping goes through the one kernel-mapping primitive
 * (arch/x86/kernel_map.h): the PTE in swapper_pg_dir and the same frame
 * mirrored at the window's host address.  A pkmap entry at count 1 keeps
 * both until the flush, as Linux keeps its PTE; a kmap_atomic slot loses
 * both at kunmap_atomic.  The pkmap window and the fixmap are reserved at
 * boot, so mapping there is never refused (Linux's cannot fail either).
 *
 * Locks: kmap_lock (pkmap_count, last_pkmap_nr, the entries' PTEs) ->
 * the htable's bucket locks and pool_lock -> pkmap_map_wait.lock.
 * mm_check() registers "kmap" (at the end of this file).
 */
#include <kmm/hash.h>
#include <kmm/highmem.h>
#include <kmm/kernel.h>
#include <kmm/mm_check.h>
#include <kmm/pgtable.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/smp.h>
#include <kmm/wait.h>
#include <kmm/asm/fixmap.h>
#include "arch/x86/kernel_map.h"
#include "mm/boot.h"

#define kmap_prot	PAGE_KERNEL

pte_t *pkmap_page_table __state_zero;	/* entry nr of it maps PKMAP_ADDR(nr) */

static int pkmap_count[LAST_PKMAP_MAX] __state_bulk;
static unsigned int last_pkmap_nr __state_zero;
static DEFINE_SPINLOCK(kmap_lock);
static DECLARE_WAIT_QUEUE_HEAD(pkmap_map_wait);

static struct {
	char *pkmap_host;		/* host address of PKMAP_BASE */
	char *fixmap_host_top;		/* host address of FIXADDR_TOP */
	unsigned long users, flushes, waits, sleepers;	/* under kmap_lock */
	unsigned long atomic_maps[NR_CPUS];		/* each by its own CPU */
	unsigned int atomic_busy[NR_CPUS];		/* each CPU's slots in use, by type */
} km __state_bulk;

_Static_assert(KM_TYPE_NR <= 32, "a CPU's slots in use fit a word");

/* ---- page_address(): the hash of highmem pages' kernel addresses ---- */

#define PA_HASH_ORDER	7

struct page_address_map {
	const struct page *page;
	void *virtual;
	struct list_head list;		/* in its bucket, or in the pool when unused */
};

/* One map per pkmap entry: at most that many highmem pages have an address. */
static struct page_address_map page_address_maps[LAST_PKMAP_MAX] __state_bulk;
static struct list_head page_address_pool __state_zero;
static spinlock_t pool_lock __state_zero;

static struct page_address_slot {
	struct list_head lh;		/* its page_address_maps */
	spinlock_t lock;
} ____cacheline_aligned page_address_htable[1 << PA_HASH_ORDER] __state_bulk;

static struct page_address_slot *page_slot(const struct page *page)
{
	return &page_address_htable[hash_ptr(page, PA_HASH_ORDER)];
}

/*
 * Only machines with highmem hash page addresses: on x86_64 Linux's
 * page_address_init() is an empty macro (no HASHED_PAGE_VIRTUAL), and
 * building the pool there wrote 40 KiB of kernel data, 11 host pages, at
 * every boot of every process under libkmm-malloc.so for nothing.
 */
void page_address_init(void)
{
	if (!arch->highmem)
		return;
	INIT_LIST_HEAD(&page_address_pool);
	for (unsigned int i = 0; i < ARRAY_SIZE(page_address_maps); i++)
		list_add(&page_address_maps[i].list, &page_address_pool);
	for (unsigned int i = 0; i < ARRAY_SIZE(page_address_htable); i++) {
		INIT_LIST_HEAD(&page_address_htable[i].lh);
		spin_lock_init(&page_address_htable[i].lock);
	}
	spin_lock_init(&pool_lock);
}

/*
 * Lowmem pages have their direct-map address.  A highmem page has one only
 * while a pkmap entry holds it (its count at 1 or more): the hash says
 * which, or NULL.  An atomic mapping does not count: it belongs to the CPU
 * that made it, and no other code may learn it from the page.
 */
void *page_address(const struct page *page)
{
	struct page_address_slot *pas;
	struct page_address_map *pam;
	unsigned long flags;
	void *ret = NULL;

	if (!PageHighMem(page))
		return lowmem_page_address(page);
	pas = page_slot(page);
	spin_lock_irqsave(&pas->lock, flags);
	list_for_each_entry(pam, &pas->lh, list) {
		if (pam->page == page) {
			ret = pam->virtual;
			break;
		}
	}
	spin_unlock_irqrestore(&pas->lock, flags);
	return ret;
}

/*
 * Record @virtual as @page's address, or with NULL forget it.  Called with
 * kmap_lock held, so a page is never added twice; the pool never runs dry
 * because it holds one map per pkmap entry.
 */
static void set_page_address(struct page *page, void *virtual)
{
	struct page_address_slot *pas = page_slot(page);
	struct page_address_map *pam = NULL, *pos;
	unsigned long flags;

	BUG_ON(!PageHighMem(page));
	if (virtual) {
		spin_lock_irqsave(&pool_lock, flags);
		BUG_ON(list_empty(&page_address_pool));
		pam = list_first_entry(&page_address_pool, struct page_address_map, list);
		list_del(&pam->list);
		spin_unlock_irqrestore(&pool_lock, flags);
		pam->page = page;
		pam->virtual = virtual;
		spin_lock_irqsave(&pas->lock, flags);
		list_add_tail(&pam->list, &pas->lh);
		spin_unlock_irqrestore(&pas->lock, flags);
		return;
	}
	spin_lock_irqsave(&pas->lock, flags);
	list_for_each_entry(pos, &pas->lh, list) {
		if (pos->page == page) {
			pam = pos;
			list_del(&pam->list);
			break;
		}
	}
	spin_unlock_irqrestore(&pas->lock, flags);
	if (!pam)
		return;
	spin_lock_irqsave(&pool_lock, flags);
	list_add_tail(&pam->list, &page_address_pool);
	spin_unlock_irqrestore(&pool_lock, flags);
}

/* ---- the pkmap window ---- */

static pte_t *pkmap_pte(unsigned int nr)
{
	return (pte_t *)__pt_entry(pkmap_page_table, nr);
}

static void *pkmap_ptr(unsigned int nr)
{
	return km.pkmap_host + ((unsigned long)nr << PAGE_SHIFT);
}

/* The entry of a pkmap host address. */
static unsigned int pkmap_nr_of(const void *vaddr)
{
	return (unsigned int)(((const char *)vaddr - km.pkmap_host) >> PAGE_SHIFT);
}

/* Boot (paging_init, after permanent_kmaps_init): where the windows are in the host. */
void kmap_init(void)
{
	if (!arch->highmem)
		return;
	km.pkmap_host = kernel_window_ptr(PKMAP_BASE);
	km.fixmap_host_top = (char *)kernel_window_ptr(FIXADDR_TOP - PAGE_SIZE) + PAGE_SIZE;
	BUG_ON(!km.pkmap_host || !pkmap_page_table);
}

/*
 * Retire every entry at count 1: forget its page's address, clear its PTE
 * and its host mirror (one arch_unmap_kernel_range per run of such entries),
 * then flush every CPU's TLB once for the whole window.  Until that flush
 * some CPU may still translate the entry to its old page, which is why a
 * count-1 entry is never reused before it: after it, none can.  Entries in
 * use (count >= 2) keep their PTEs and TLB entries, which stay right.
 * Caller holds kmap_lock.
 */
static void flush_all_zero_pkmaps(void)
{
	int first = -1, last = -1;	/* the retired entries since the last entry in use */
	bool retired = false;

	assert_spin_locked(&kmap_lock);
	for (unsigned int nr = 0; nr <= LAST_PKMAP; nr++) {
		int count = nr < LAST_PKMAP ? pkmap_count[nr] : 2;

		if (count == 1) {
			pte_t pte = ptep_get(pkmap_pte(nr));

			BUG_ON(!pte_present(pte));
			pkmap_count[nr] = 0;
			set_page_address(pte_page(pte), NULL);
			if (first < 0)
				first = (int)nr;
			last = (int)nr;
			retired = true;
		} else if (count > 1 && first >= 0) {
			/* Free entries in between are unmapped already: one call covers them. */
			arch_unmap_kernel_range(PKMAP_ADDR(first),
						(unsigned long)(last + 1 - first) << PAGE_SHIFT);
			first = -1;
		}
	}
	if (retired) {
		km.flushes++;
		flush_tlb_kernel_range(PKMAP_ADDR(0), PKMAP_ADDR(LAST_PKMAP));
	}
}

void kmap_flush_unused(void)
{
	if (!arch->highmem)
		return;
	spin_lock(&kmap_lock);
	flush_all_zero_pkmaps();
	spin_unlock(&kmap_lock);
}

/*
 * Sleep until a kunmap frees an entry.  Queued, asleep (in the task state)
 * and counted in km.sleepers before kmap_lock is dropped: a kunmap_high
 * after that sees the count and wakes us, so the wake-up cannot be lost.
 */
static void pkmap_wait(void)
{
	DEFINE_WAIT(wait);

	prepare_to_wait(&pkmap_map_wait, &wait, TASK_UNINTERRUPTIBLE);
	km.waits++;
	km.sleepers++;
	spin_unlock(&kmap_lock);
	__wait_schedule(&pkmap_map_wait, "kmap_high");
	finish_wait(&pkmap_map_wait, &wait);
	spin_lock(&kmap_lock);
	km.sleepers--;
}

/*
 * The next free entry in the circle, or -1 after a whole turn found none.
 * A turn is LAST_PKMAP steps; passing entry 0 retires the count-1 entries
 * (flush_all_zero_pkmaps) and starts a new turn, since they may be free
 * now.  So the search ends: at most two turns, the first wrap having
 * freed what it could.  Caller holds kmap_lock.
 */
static int next_free_pkmap(void)
{
	unsigned int left = LAST_PKMAP;

	do {
		last_pkmap_nr = (last_pkmap_nr + 1) & LAST_PKMAP_MASK;
		if (last_pkmap_nr == 0) {
			flush_all_zero_pkmaps();
			left = LAST_PKMAP;
		}
		if (pkmap_count[last_pkmap_nr] == 0)
			return (int)last_pkmap_nr;
	} while (--left);
	return -1;
}

/*
 * Give @page an entry: map it there (count 1; kmap_high adds the user) and
 * record its address.  When no entry is free, sleep and search again; the
 * page may have been kmapped meanwhile, by the task that woke us or
 * another, and then its entry is the answer.  Caller holds kmap_lock
 * (dropped while asleep).
 */
static void *map_new_virtual(struct page *page)
{
	void *vaddr;
	int nr;

	while ((nr = next_free_pkmap()) < 0) {
		pkmap_wait();
		vaddr = page_address(page);
		if (vaddr)
			return vaddr;
	}
	if (arch_map_kernel_pages(PKMAP_ADDR(nr), &page, 1, kmap_prot))
		panic("kmap: the host refused to map the pkmap entry %d", nr);
	pkmap_count[nr] = 1;
	vaddr = pkmap_ptr((unsigned int)nr);
	set_page_address(page, vaddr);
	return vaddr;
}

/*
 * Map a highmem page, or take one more reference on its mapping.  The
 * address is looked up under kmap_lock: only then can it not be retired
 * under us.  An entry found at count 1 (kunmapped, not yet flushed) is
 * simply used again: its PTE still maps this page.
 */
void *kmap_high(struct page *page)
{
	void *vaddr;
	unsigned int nr;

	spin_lock(&kmap_lock);
	vaddr = page_address(page);
	if (!vaddr)
		vaddr = map_new_virtual(page);
	nr = pkmap_nr_of(vaddr);
	pkmap_count[nr]++;
	BUG_ON(pkmap_count[nr] < 2);
	km.users++;
	spin_unlock(&kmap_lock);
	return vaddr;
}

/*
 * Drop a reference.  The count never goes from 1 to 0 here: only a flush
 * may do that.  Reaching 1 frees the entry for the next wrap, so tasks
 * sleeping for an entry are woken (outside the lock).  Whether any sleeps
 * is km.sleepers, which a sleeper raises under kmap_lock after queueing
 * itself and lowers only once it holds kmap_lock again: a kunmap that
 * follows the sleeper's unlock always sees it.  (Linux tests the queue
 * itself, which the sleeper also leaves under the queue's lock alone.)
 */
void kunmap_high(struct page *page)
{
	bool wake = false;
	void *vaddr;
	unsigned int nr;

	spin_lock(&kmap_lock);
	vaddr = page_address(page);
	if (!vaddr) {
		printk(KERN_ERR "kunmap: pfn %05lx is not kmapped\n", page_to_pfn(page));
		BUG();
	}
	nr = pkmap_nr_of(vaddr);
	BUG_ON(pkmap_count[nr] < 2);
	if (--pkmap_count[nr] == 1)
		wake = km.sleepers > 0;
	km.users--;
	spin_unlock(&kmap_lock);
	if (wake)
		wake_up(&pkmap_map_wait);
}

void *kmap(struct page *page)
{
	might_sleep();
	if (!PageHighMem(page))
		return page_address(page);
	return kmap_high(page);
}

void kunmap(struct page *page)
{
	BUG_ON(in_interrupt());
	if (!PageHighMem(page))
		return;
	kunmap_high(page);
}

/* ---- atomic mappings: the fixmap slots ---- */

/* This CPU's slot for @type: the fixmap index, its Linux address, its host address. */
static unsigned int kmap_slot_idx(enum km_type type)
{
	return FIX_KMAP_BEGIN + type + KM_TYPE_NR * smp_processor_id();
}

static void *fix_ptr(unsigned int idx)
{
	return km.fixmap_host_top - ((unsigned long)idx << PAGE_SHIFT);
}

/*
 * 2.6.34's CONFIG_DEBUG_HIGHMEM checks (debug builds): a type used in a
 * context it is not meant for, where an interrupt could reuse the slot
 * under its owner.  Hardirq code uses the IRQ types, softirq code the
 * softirq ones; the IRQ types need interrupts off everywhere, the softirq
 * ones need interrupts off outside interrupts.  Ten warnings at most.
 */
static void debug_kmap_atomic(enum km_type type)
{
	static int warnings __state = 10;
	bool irq_type = type == KM_IRQ0 || type == KM_IRQ1 || type == KM_BOUNCE_READ ||
			type == KM_BIO_SRC_IRQ || type == KM_BIO_DST_IRQ || type == KM_IRQ_PTE ||
			type == KM_NMI || type == KM_NMI_PTE;
	bool softirq_type = type == KM_SOFTIRQ0 || type == KM_SOFTIRQ1;
	bool bad = false;

	if (!KMM_DEBUG || warnings <= 0)
		return;
	if (in_irq())
		bad = !irq_type || type == KM_NMI || type == KM_NMI_PTE;
	else if (in_interrupt() && !irqs_disabled())
		bad = !(type == KM_IRQ0 || type == KM_IRQ1 || softirq_type ||
			type == KM_SKB_SUNRPC_DATA || type == KM_SKB_DATA_SOFTIRQ ||
			type == KM_BOUNCE_READ);
	if (irq_type && !irqs_disabled())
		bad = true;
	else if (softirq_type && !irq_count() && !irqs_disabled())
		bad = true;
	if (bad) {
		warnings--;
		WARN_ON(1);
	}
}

/*
 * Map @pfn in this CPU's slot for @type.  The slot must be free: a second
 * kmap_atomic of one type without its kunmap_atomic would silently replace
 * the first mapping, so it is a BUG, as in 2.6.34 (which finds the PTE
 * present).  The caller did pagefault_disable().
 */
static void *map_slot(unsigned long pfn, enum km_type type, pgprot_t prot)
{
	int cpu = smp_processor_id();
	unsigned int idx = kmap_slot_idx(type);

	debug_kmap_atomic(type);
	BUG_ON(km.atomic_busy[cpu] & (1U << type));
	if (arch_map_kernel_phys(__fix_to_virt(idx), (u64)pfn << PAGE_SHIFT, PAGE_SIZE, prot))
		panic("kmap_atomic: the host refused to map fixmap slot %u", idx);
	km.atomic_busy[cpu] |= 1U << type;
	__atomic_store_n(&km.atomic_maps[cpu], km.atomic_maps[cpu] + 1, __ATOMIC_RELAXED);
	return fix_ptr(idx);
}

void *__kmap_atomic_high(struct page *page, enum km_type type, pgprot_t prot)
{
	return map_slot(page_to_pfn(page), type, prot);
}

/*
 * Any frame, lowmem too, goes through the slot on i386 (2.6.34's
 * kmap_atomic_prot_pfn).  x86_64 has no slots: the direct map serves.
 */
void *kmap_atomic_pfn(unsigned long pfn, enum km_type type)
{
	if (!arch->highmem)
		return kmap_atomic(pfn_to_page(pfn), type);
	pagefault_disable();
	return map_slot(pfn, type, kmap_prot);
}

/*
 * Undo this CPU's slot for @type: clear its PTE (and host mirror) and
 * invlpg it here.  No other CPU can hold a TLB entry for it: only this one
 * ever translates its own slots.  An address that is neither the slot nor
 * the direct map is a caller's bug (the wrong type or CPU): reported in
 * debug builds as CONFIG_DEBUG_HIGHMEM reports it.
 */
void __kunmap_atomic_high(void *kvaddr, enum km_type type)
{
	int cpu = smp_processor_id();
	unsigned int idx = kmap_slot_idx(type);
	char *slot = fix_ptr(idx);

	if ((char *)kvaddr < slot || (char *)kvaddr >= slot + PAGE_SIZE) {
		if (KMM_DEBUG) {
			printk(KERN_ERR "kunmap_atomic: %p is not CPU %d's %d slot\n", kvaddr, cpu,
			       type);
			BUG();
		}
		return;
	}
	arch_unmap_kernel_range(__fix_to_virt(idx), PAGE_SIZE);
	__flush_tlb_one(__fix_to_virt(idx));
	km.atomic_busy[cpu] &= ~(1U << type);
}

struct page *kmap_atomic_to_page(void *ptr)
{
	unsigned long vaddr = kernel_window_addr(ptr);
	unsigned int level;
	pte_t *pte;

	if (!arch->highmem || vaddr < FIXADDR_START)
		return virt_to_page(ptr);
	pte = lookup_address(vaddr & PAGE_MASK, &level);
	BUG_ON(!pte || !pte_present(ptep_get(pte)));
	return pte_page(ptep_get(pte));
}

/* ---- debug API ---- */

int kmap_pkmap_nr(struct page *page)
{
	void *vaddr;

	if (!PageHighMem(page))
		return -1;
	vaddr = page_address(page);
	return vaddr ? (int)pkmap_nr_of(vaddr) : -1;
}

int kmap_pkmap_count(unsigned int nr)
{
	return arch->highmem && nr < LAST_PKMAP ? READ_ONCE(pkmap_count[nr]) : 0;
}

void kmap_get_stats(struct kmap_stats *st)
{
	spin_lock(&kmap_lock);
	st->users = km.users;
	st->flushes = km.flushes;
	st->waits = km.waits;
	st->sleepers = km.sleepers;
	st->entries = 0;
	for (unsigned int nr = 0; arch->highmem && nr < LAST_PKMAP; nr++)
		st->entries += pkmap_count[nr] >= 1;
	spin_unlock(&kmap_lock);
	st->atomic_maps = 0;
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		st->atomic_maps += __atomic_load_n(&km.atomic_maps[cpu], __ATOMIC_RELAXED);
}

/* ---- mm_check() ---- */

/*
 * The pkmap window against its counts: an entry at 0 maps nothing; one at
 * 1 or more maps a highmem page whose recorded address is that entry; the
 * users add up; the hash holds exactly the mapped entries' pages.
 */
static int check_pkmap(struct seq_file *report)
{
	unsigned long users = 0, mapped = 0, hashed = 0;
	int problems = 0;

	for (unsigned int nr = 0; nr < LAST_PKMAP; nr++) {
		pte_t pte = ptep_get(pkmap_pte(nr));
		struct page *page;

		if (pkmap_count[nr] < 0 || (pkmap_count[nr] == 0) != pte_none(pte)) {
			check_report(report, "pkmap entry %u: count %d but its PTE is %llx", nr,
				     pkmap_count[nr], (unsigned long long)pte_val(pte));
			problems++;
			continue;
		}
		if (!pkmap_count[nr])
			continue;
		mapped++;
		users += pkmap_count[nr] - 1;
		page = pte_page(pte);
		if (!PageHighMem(page) || page_address(page) != pkmap_ptr(nr)) {
			check_report(report,
				     "pkmap entry %u maps pfn %05lx, whose address is %p, not the entry's",
				     nr, pte_pfn(pte), page_address(page));
			problems++;
		}
	}
	if (users != km.users) {
		check_report(report, "pkmap counts say %lu kmaps, %lu were made and not undone",
			     users, km.users);
		problems++;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(page_address_htable); i++) {
		struct page_address_map *pam;

		list_for_each_entry(pam, &page_address_htable[i].lh, list)
			hashed++;
	}
	if (hashed != mapped) {
		check_report(report, "page_address_htable holds %lu pages, %lu entries map one",
			     hashed, mapped);
		problems++;
	}
	return problems;
}

/* Each online CPU's slots: mapped exactly while their kmap_atomic is outstanding. */
static int check_kmap_atomic(struct seq_file *report)
{
	int problems = 0;

	for (int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		for (int type = 0; type < KM_TYPE_NR; type++) {
			unsigned int idx = FIX_KMAP_BEGIN + type + KM_TYPE_NR * cpu;
			unsigned long vaddr = __fix_to_virt(idx);
			unsigned int level;
			pte_t *pte = lookup_address(vaddr, &level);
			bool present = pte && pte_present(ptep_get(pte));
			bool busy = km.atomic_busy[cpu] & (1U << type);

			if (present != busy) {
				check_report(report, "kmap_atomic slot of CPU %d type %d (%08lx) is %s %s",
					     cpu, type, vaddr, present ? "mapped" : "not mapped",
					     busy ? "but in use" : "but no one is inside kmap_atomic");
				problems++;
			}
		}
	}
	return problems;
}

/* (That lowmem pages answer their direct-map address is the boot layer's check, debug.c.) */
static int check_kmap(struct seq_file *report)
{
	return arch->highmem ? check_pkmap(report) + check_kmap_atomic(report) : 0;
}
MM_CHECK(kmap, check_kmap);
