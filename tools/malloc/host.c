/*
 * host.c - memory that comes straight from the host: the bootstrap arena
 * and the mmap blocks.
 *
 * The arena serves the allocations that cannot come from the kernel: those
 * made before the machine boots (the dynamic loader, the C library's own
 * start-up) and those made by kmm's own code while a thread is inside the
 * library (its state snapshot at boot, seq_file buffers for the dump).  It
 * is one reserved range handed out by an atomic bump pointer; each block
 * has a 16-byte header with its size, so realloc can copy it, and frees are
 * no-ops: what goes there is small and mostly lives as long as the process.
 *
 * mmap blocks are the host's mappings, for what kmm's RAM cannot serve:
 * blocks beyond 4 MiB once RAM is at its growth limit with no free run
 * of contiguous 4 MiB blocks, and alignments beyond 4 MiB.  A side table (open addressing on the block's address,
 * linear probing, backward-shift deletion) says whether a pointer is one,
 * so that free() never reads memory in front of a pointer it does not own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "tools/malloc/kmm_malloc.h"

#define HOST_PAGE	4096UL
#define ARENA_SIZE	(64UL << 20)	/* reserved, not committed: only what is used costs */
#define ARENA_HDR	16UL

static char *arena_base;
static size_t arena_used;		/* bytes handed out, headers included */

static char *arena_reserve(void)
{
	char *base = __atomic_load_n(&arena_base, __ATOMIC_ACQUIRE), *expected = NULL;

	if (base)
		return base;
	base = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	if (!__atomic_compare_exchange_n(&arena_base, &expected, base, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		munmap(base, ARENA_SIZE);
		base = expected;
	}
	return base;
}

void *arena_alloc(size_t size, size_t align)
{
	char *base = arena_reserve();
	size_t old, start, end;

	if (!base || size > ARENA_SIZE)
		return NULL;
	if (align < ARENA_HDR)
		align = ARENA_HDR;
	old = __atomic_load_n(&arena_used, __ATOMIC_RELAXED);
	do {
		start = (old + ARENA_HDR + align - 1) & ~(align - 1);
		end = start + ((size + 15) & ~15UL);
		if (end > ARENA_SIZE)
			return NULL;
	} while (!__atomic_compare_exchange_n(&arena_used, &old, end, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	*(size_t *)(base + start - ARENA_HDR) = size;
	return base + start;
}

bool arena_owns(const void *p)
{
	const char *base = __atomic_load_n(&arena_base, __ATOMIC_ACQUIRE);

	return base && (const char *)p >= base && (const char *)p < base + ARENA_SIZE;
}

size_t arena_size(const void *p)
{
	return *(const size_t *)((const char *)p - ARENA_HDR);
}

/* ---- mmap blocks ---- */

struct mblock {
	uintptr_t addr;			/* 0: empty slot */
	size_t len;			/* bytes mapped, a multiple of the page size */
};

static struct {
	pthread_mutex_t lock;
	struct mblock *slot;		/* cap slots, mapped from the host */
	size_t cap;			/* a power of two, or 0 */
	size_t nr;			/* nr <= cap / 2 */
} tab = { .lock = PTHREAD_MUTEX_INITIALIZER };

void mblock_lock(void)
{
	pthread_mutex_lock(&tab.lock);
}

void mblock_unlock(void)
{
	pthread_mutex_unlock(&tab.lock);
}

static size_t slot_of(uintptr_t addr, size_t cap)
{
	return (size_t)(((addr >> 12) * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
}

/* Index of @addr's slot, or of the empty slot where it would go. */
static size_t lookup(uintptr_t addr)
{
	size_t i = slot_of(addr, tab.cap);

	while (tab.slot[i].addr && tab.slot[i].addr != addr)
		i = (i + 1) & (tab.cap - 1);
	return i;
}

static int grow(void)
{
	size_t cap = tab.cap ? tab.cap * 2 : 256;
	struct mblock *old = tab.slot, *slot;
	size_t old_cap = tab.cap;

	slot = mmap(NULL, cap * sizeof(*slot), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (slot == MAP_FAILED)
		return -ENOMEM;
	tab.slot = slot;
	tab.cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].addr)
			slot[lookup(old[i].addr)] = old[i];
	if (old)
		munmap(old, old_cap * sizeof(*old));
	return 0;
}

/* The caller holds tab.lock. */
static int insert(uintptr_t addr, size_t len)
{
	if ((tab.nr + 1) * 2 > tab.cap && grow())
		return -ENOMEM;
	tab.slot[lookup(addr)] = (struct mblock){ addr, len };
	tab.nr++;
	return 0;
}

/* Remove slot @i, moving later entries of its cluster back into the hole. */
static void remove_slot(size_t i)
{
	size_t j = i;

	for (;;) {
		size_t home;

		tab.slot[i].addr = 0;
		do {
			j = (j + 1) & (tab.cap - 1);
			if (!tab.slot[j].addr) {
				tab.nr--;
				return;
			}
			home = slot_of(tab.slot[j].addr, tab.cap);
			/* Leave entry j if its home lies cyclically in (i, j]. */
		} while (i <= j ? (i < home && home <= j) : (i < home || home <= j));
		tab.slot[i] = tab.slot[j];
		i = j;
	}
}

void *mblock_alloc(size_t size, size_t align)
{
	size_t len = (size + HOST_PAGE - 1) & ~(HOST_PAGE - 1), extra = 0;
	char *p, *q;

	if (len < size)
		return NULL;
	if (align > HOST_PAGE)
		extra = align;
	if (len + extra < len)
		return NULL;
	p = mmap(NULL, len + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	q = p;
	if (extra) {
		q = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
		if (q > p)
			munmap(p, q - p);
		if (p + len + extra > q + len)
			munmap(q + len, p + len + extra - (q + len));
	}
	mblock_lock();
	if (insert((uintptr_t)q, len)) {
		mblock_unlock();
		munmap(q, len);
		return NULL;
	}
	mblock_unlock();
	return q;
}

bool mblock_free(void *p)
{
	size_t i, len;

	mblock_lock();
	if (!tab.cap || !tab.slot[i = lookup((uintptr_t)p)].addr) {
		mblock_unlock();
		return false;
	}
	len = tab.slot[i].len;
	remove_slot(i);
	mblock_unlock();
	munmap(p, len);
	return true;
}

size_t mblock_size(const void *p)
{
	size_t len = 0;

	mblock_lock();
	if (tab.cap) {
		size_t i = lookup((uintptr_t)p);

		if (tab.slot[i].addr)
			len = tab.slot[i].len;
	}
	mblock_unlock();
	return len;
}

void *mblock_realloc(void *p, size_t size)
{
	size_t len = (size + HOST_PAGE - 1) & ~(HOST_PAGE - 1), i;
	void *q;

	if (len < size)
		return NULL;
	mblock_lock();
	if (!tab.cap || !tab.slot[i = lookup((uintptr_t)p)].addr) {
		mblock_unlock();
		return NULL;
	}
	if (len == tab.slot[i].len) {
		mblock_unlock();
		return p;
	}
	q = mremap(p, tab.slot[i].len, len, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		mblock_unlock();
		return NULL;
	}
	remove_slot(i);
	/* The slot just freed makes room: insert cannot fail. */
	insert((uintptr_t)q, len);
	mblock_unlock();
	return q;
}

/* ---- pointers the library does not know ---- */

size_t host_copy_readable(void *dst, const void *src, size_t n)
{
	size_t done = 0;

	/* Page by page, so that a copy stops exactly where @src stops being mapped. */
	while (done < n) {
		uintptr_t at = (uintptr_t)src + done;
		size_t chunk = HOST_PAGE - (at & (HOST_PAGE - 1));
		struct iovec local, remote;
		ssize_t r;

		if (chunk > n - done)
			chunk = n - done;
		local = (struct iovec){ (char *)dst + done, chunk };
		remote = (struct iovec){ (void *)at, chunk };
		r = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (r <= 0)
			break;
		done += r;
	}
	return done;
}

void host_warn(const char *s)
{
	ssize_t r = write(2, s, strlen(s));

	(void)r;
}
