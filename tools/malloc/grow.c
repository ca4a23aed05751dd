/*
 * grow.c - the machine grows its RAM instead of failing (memory hotplug,
 * mm/memory_hotplug.c), up to a limit.
 *
 * When.  An allocation that fails after the per-CPU lists were drained
 * (km_recover) grows the machine and tries again.  Growing needs memory
 * itself: the struct pages of the new sections (2 MiB blocks, one per
 * 128 MiB) come from the RAM there is, which is exhausted or fragmented
 * by then.  So the library keeps them in reserve: blocks of that order
 * enough for the next add's memory map (about 1/256 of RAM), taken after
 * the first page block (km_grow_tick) and after each add from the new
 * memory, and given back to the buddy allocator just before the next
 * add, which finds them there.  The growing thread allocates as memory
 * reclaim does (PF_MEMALLOC: below the watermarks, never reclaiming) for
 * the rest: a page table, the zone's first per-CPU lists.
 *
 * How much.  add_memory_online() of whole sections (memory_block_size_bytes():
 * 128 MiB on x86_64) at the end of RAM, added and onlined in one step, the
 * new blocks deferred with their struct pages unwritten (the library boots
 * deferred_init=all; a big block lent from them writes only its first
 * block's, see mm/deferred_init.c): at least the
 * request with an eighth more, and at least a quarter of the RAM there is
 * (geometric, as a heap grows: few adds, little memory map written for
 * nothing), never beyond the limit.
 *
 * The limit (grow_limit), the least of: the `max=` option of
 * KMM_MALLOC_BOOT, the host's physical memory, what RLIMIT_AS leaves once
 * the reservations are counted (the direct map reserves the whole limit
 * of address space at boot, the memory map a 64th of it, and alignment a
 * gigabyte), and hotplug_max= if the boot options name it.  Without
 * hotplug_max=, the library adds hotplug_max=LIMIT to the boot options:
 * reserving address space costs nothing until it is used.  An i386
 * machine does not grow: its added RAM is HIGHMEM, which the library's
 * allocations cannot use.
 *
 * Concurrency.  One thread grows at a time (grow_lock); the others keep
 * allocating, on their own CPUs: memory_hotplug.c changes what they read
 * without locks with the CPUs stopped, and every page-block call of the
 * library is one interrupts-disabled section (malloc.c), so a stopped CPU
 * is never half-way through one.  fork() takes grow_lock first
 * (machine.c), so a child never inherits half an add.  An add also holds
 * the library's CPU hotplug lock: a CPU coming up reads the zonelists and
 * the zones' sizes (its per-CPU lists) over many calls, interrupts on.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <kmm/irqflags.h>
#include <kmm/list.h>
#include <kmm/memory_hotplug.h>
#include <kmm/mm.h>
#include <kmm/sched.h>
#include <kmm/pgtable.h>
#include "tools/malloc/kmm_malloc.h"

static pthread_mutex_t grow_lock = PTHREAD_MUTEX_INITIALIZER;
static u64 grow_limit;			/* bytes of RAM the machine may reach; 0: no growth */
static LIST_HEAD(reserve);		/* blocks of MEMMAP_ORDER kept for the next memory map */
static unsigned long nr_reserve;	/* blocks on it */
static bool reserve_ready;		/* the first fill was made (km_grow_tick) */
static unsigned long grow_count;	/* adds made, under grow_lock (a generation) */
static bool grow_done;			/* at the limit, or an add failed: never again */

void km_grow_lock(void)
{
	pthread_mutex_lock(&grow_lock);
}

void km_grow_unlock(void)
{
	pthread_mutex_unlock(&grow_lock);
}

/* "64M", "2G", "1048576" -> bytes; false if it is not a size. */
static bool parse_size(const char *s, size_t len, u64 *out)
{
	u64 v = 0;
	size_t i = 0;

	if (!len || !isdigit((unsigned char)s[0]))
		return false;
	for (; i < len && isdigit((unsigned char)s[i]); i++)
		v = v * 10 + (u64)(s[i] - '0');
	if (i < len) {
		const char *units = "KMGT";
		const char *u = strchr(units, toupper((unsigned char)s[i]));

		if (!u || !*u || i + 1 != len)
			return false;
		v <<= 10 * (u - units + 1);
	}
	*out = v;
	return true;
}

/* The host's physical memory, and what RLIMIT_AS leaves for RAM. */
static u64 host_limit(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	u64 limit = pages > 0 && page > 0 ? (u64)pages * (u64)page : 1ULL << 30;
	struct rlimit rl;

	if (!getrlimit(RLIMIT_AS, &rl) && rl.rlim_cur != RLIM_INFINITY) {
		u64 as = rl.rlim_cur, room = as > (5ULL << 30) / 4 ? as - (5ULL << 30) / 4 : 0;

		/* The direct map and the memory map reserve limit + limit/64; the program needs some. */
		room -= room / 8;
		if (room < limit)
			limit = room;
	}
	return limit;
}

/*
 * The boot options the kernel gets: @opts without the library's own
 * max=SIZE, and with hotplug_max= set to the limit unless @opts names it.
 * Sets grow_limit.  Returns @out, or NULL when max= is not a size (the
 * caller reports it).
 */
const char *km_grow_boot_options(const char *opts, char *out, size_t size)
{
	u64 max = 0, limit = host_limit(), hot = 0;
	bool have_max = false, have_hot = false, i386 = false;
	size_t n = 0;

	for (const char *p = opts; *p;) {
		size_t len;

		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (!len)
			break;
		if (!strncmp(p, "max=", 4)) {
			if (!parse_size(p + 4, len - 4, &max))
				return NULL;
			have_max = true;
		} else {
			if (!strncmp(p, "hotplug_max=", 12))
				have_hot = parse_size(p + 12, len - 12, &hot);
			i386 |= len == 9 && !strncmp(p, "arch=i386", 9);
			if (n + len + 2 >= size)
				return NULL;
			if (n)
				out[n++] = ' ';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
	/* i386 adds HIGHMEM, which the library's allocations (no __GFP_HIGHMEM) cannot use. */
	if (i386)
		limit = 0;
	if (have_max && max < limit)
		limit = max;
	if (have_hot && hot < limit)
		limit = hot;
	grow_limit = limit & ~((128ULL << 20) - 1);
	if (!have_hot && grow_limit)
		snprintf(out + n, size - n, "%shotplug_max=%lluM", n ? " " : "",
			 (unsigned long long)(grow_limit >> 20));
	return out;
}

/* Bytes the next add takes for a request of @need bytes (0: none fits). */
static u64 grow_size(size_t need)
{
	u64 section = memory_block_size_bytes(), start = memory_hotplug_next_start();
	u64 ram = (u64)totalram_pages << PAGE_SHIFT;
	u64 want = max((u64)need + need / 8, ram / 4);

	if (start >= grow_limit)
		return 0;
	want = min(round_up(max(want, section), section), grow_limit - start);
	return want & ~(section - 1);
}

/* A section's memory map: 2 MiB on x86_64 (32768 struct pages of 64 bytes). */
#define MEMMAP_ORDER	(PMD_SHIFT - PAGE_SHIFT)

/*
 * Keep blocks for the memory map of an add of @bytes (its struct pages,
 * vmemmap_populate's blocks of MEMMAP_ORDER).  Best effort: an add that
 * finds too few tries one section.  Interrupts disabled, as every
 * page-block call of the library.
 */
static void reserve_fill(u64 bytes)
{
	unsigned long want = (unsigned long)DIV_ROUND_UP(bytes / 64, 1ULL << PMD_SHIFT), flags;

	local_irq_save(flags);
	while (nr_reserve < want) {
		struct page *page = alloc_pages(GFP_MALLOC, MEMMAP_ORDER);

		if (!page)
			break;
		list_add(&page->lru, &reserve);
		nr_reserve++;
	}
	local_irq_restore(flags);
}

/* Just before an add: the reserve goes back to the buddy allocator, where the add finds it. */
static void reserve_release(void)
{
	unsigned long flags;

	local_irq_save(flags);
	while (!list_empty(&reserve)) {
		struct page *page = list_first_entry(&reserve, struct page, lru);

		list_del(&page->lru);
		__free_pages(page, MEMMAP_ORDER);
		nr_reserve--;
	}
	local_irq_restore(flags);
}

/* After boot: can the machine grow at all? */
void km_grow_setup(void)
{
	if (!grow_size(0))
		__atomic_store_n(&grow_done, true, __ATOMIC_RELAXED);
}

/*
 * The reserve for the first add is taken at the first page block or after
 * KM_TICK_MASK + 1 calls (km_tick), whichever comes first, not at boot:
 * short-lived programs never grow, and its blocks' struct pages (deferred
 * at boot) would cost them 128 KiB and a quarter of a millisecond.
 * Cheap once done (one load).
 */
void km_grow_tick(void)
{
	if (__atomic_load_n(&reserve_ready, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&grow_done, __ATOMIC_RELAXED) || pthread_mutex_trylock(&grow_lock))
		return;
	if (!reserve_ready && grow_size(0))
		reserve_fill(grow_size(0));
	__atomic_store_n(&reserve_ready, true, __ATOMIC_RELEASE);
	km_grow_unlock();
}

/*
 * Add and online at least @need bytes of RAM.  true if the machine grew
 * (by this thread, or by another since @gen was read), false at the limit
 * or when the add failed: out of memory for its memory map (the machine
 * stays as it is; a later failure tries again), or any other error (it
 * never grows again).  Called on the thread's own CPU with interrupts
 * enabled, holding no kernel lock.
 */
static bool grow(size_t need, unsigned long gen)
{
	struct task_struct *tsk = current;
	unsigned int memalloc = tsk->flags & PF_MEMALLOC;
	bool grew = false;
	u64 start, size;
	int err;

	km_grow_lock();
	if (grow_count != gen) {
		grew = true;
		goto out;
	}
	if (grow_done)
		goto out;
	start = memory_hotplug_next_start();
	size = grow_size(need);
	if (!size || size < need) {
		if (!size)
			__atomic_store_n(&grow_done, true, __ATOMIC_RELAXED);
		goto out;
	}
	tsk->flags |= PF_MEMALLOC;
	reserve_release();
	km_hotplug_lock();		/* no CPU half up while the zones change */
	err = add_memory_online(0, start, size);
	if (err == -ENOMEM && size > memory_block_size_bytes() &&
	    need <= memory_block_size_bytes()) {
		/* No room for the memory map of that much: one section needs less. */
		size = memory_block_size_bytes();
		err = add_memory_online(0, start, size);
	}
	km_hotplug_unlock();
	tsk->flags = (tsk->flags & ~PF_MEMALLOC) | memalloc;
	if (err) {
		reserve_fill(memory_block_size_bytes());
		/* Out of memory for the map: another try may find some; anything else is final. */
		if (err != -ENOMEM)
			__atomic_store_n(&grow_done, true, __ATOMIC_RELAXED);
		goto out;
	}
	__atomic_store_n(&grow_count, grow_count + 1, __ATOMIC_RELEASE);
	if (grow_size(0))
		reserve_fill(grow_size(0));
	grew = true;
out:
	km_grow_unlock();
	return grew;
}

unsigned long km_grow_generation(void)
{
	return __atomic_load_n(&grow_count, __ATOMIC_ACQUIRE);
}

bool km_grow(size_t need, unsigned long gen)
{
	if (__atomic_load_n(&grow_done, __ATOMIC_RELAXED) || hw_irqs_disabled())
		return false;
	return grow(need, gen);
}

bool km_grow_at_limit(void)
{
	return __atomic_load_n(&grow_done, __ATOMIC_RELAXED);
}

