/*
 * kmm_malloc.h - the parts of libkmm-malloc.so and how they meet.
 *
 * Glossary:
 *   slab object   a kmalloc() object: PG_slab on its page, freed with kfree()
 *   page block    whole pages from alloc_pages(), trimmed to the pages asked
 *                 for, or beyond 4 MiB several contiguous blocks of the
 *                 largest order (alloc_deferred_run, alloc_free_run); its
 *                 first struct page carries PBLOCK_MAGIC in ->private and
 *                 the number of pages in ->index (the struct pages of a
 *                 big block's middle blocks may be unwritten: lent)
 *   mmap block    a host mapping (beyond 4 MiB when RAM is at its growth
 *                 limit and has no free run, or aligned beyond 4 MiB),
 *                 listed in a side table
 *   growth        RAM added while the program runs (memory hotplug, grow.c)
 *   arena         private bump-allocated host memory for the allocations kmm
 *                 itself makes through malloc (and those made before boot);
 *                 its frees are no-ops
 *   foreign       any other pointer: the dynamic loader's early allocations
 *                 are never freed, never written; any other aborts with a
 *                 report when hardening is on (harden.c)
 *   depth         per thread: > 0 while the thread is inside the library, so
 *                 that a malloc made by kmm's own code goes to the arena
 *
 * Files: malloc.c the entry points and where each size goes; harden.c the
 * reports of misuse and the loader's pointers; host.c the arena and the
 * mmap blocks; machine.c the machine (boot, threads and their CPUs,
 * timers, fork, the dump at exit); grow.c RAM growing on demand.
 */
#ifndef KMM_MALLOC_H
#define KMM_MALLOC_H

#include <stddef.h>

#include <kmm/gfp.h>
#include <kmm/types.h>

#define KM_EXPORT	__attribute__((visibility("default")))

/* A malloc-family operation, run as some simulated CPU (km_call). */
enum km_op {
	KM_ALLOC,		/* ret = size bytes aligned to align, zeroed if zero */
	KM_FREE,		/* free ptr */
	KM_REALLOC,		/* ret = ptr resized to size (ptr freed when it moved) */
	KM_DUMP,		/* write the /proc views to the dump destination */
};

struct km_req {
	enum km_op op;
	void *ptr;
	size_t size;
	size_t align;		/* a power of two; 0 means the default (16) */
	bool zero;
	gfp_t gfp;		/* set by km_call: own CPU, or a borrowed one */
	void *ret;
};

/* What the machine is doing. */
enum km_mode {
	KM_COLD,		/* not booted yet: everything from the arena */
	KM_READY,		/* the kernel serves */
	KM_LIBC,		/* no machine (boot failed, a child without RAM): libc serves */
};

enum km_thread_state {
	KT_NEW,			/* never called in (thread-locals start zeroed) */
	KT_ON_CPU,		/* owns a simulated CPU */
	KT_SHARE,		/* no CPU of its own: takes turns on a shared one (machine.c) */
	KT_BORROW,		/* no CPU to take turns on: each call borrows one */
	KT_EXITING,		/* its pthread key destructor ran: borrows, never owns again */
};

struct km_thread {
	int state;		/* enum km_thread_state */
	int depth;		/* > 0: inside the library; host mallocs go to the arena */
	unsigned int calls;	/* counts calls, for the timer check and attach retries */
	unsigned int borrow_next;	/* the next CPU a borrowing thread runs on */
	unsigned int turn;	/* KT_SHARE: the shared CPU it was dealt (machine.c) */
	bool dealt;		/* it was dealt one (its task is on the task list) */
};

extern __thread struct km_thread km_self __attribute__((tls_model("initial-exec")));
extern int km_mode;

/* Fast paths test this: the thread runs as its own CPU and is not inside the library. */
static inline bool km_fast(const struct km_thread *t)
{
	return __builtin_expect(t->state == KT_ON_CPU && !t->depth, 1);
}

/*
 * Allocations are made as Linux's interrupt handlers make them: without
 * sleeping or reclaiming, never retrying, never calling the OOM killer.
 * Then each kernel call (kmalloc, kfree, alloc_pages, __free_pages) is
 * one interrupts-disabled section from start to end (a cache grows without
 * turning interrupts back on), so fork() can stop every CPU between two
 * kernel calls and the child inherits no half-built slab (hw/fork.h); and
 * a call on a borrowed CPU, which runs like an interrupt handler, must not
 * sleep anyway.  A call that fails gives the per-CPU page lists back and
 * tries once more (km_recover), as direct reclaim would.
 */
#define GFP_MALLOC	(GFP_NOWAIT | __GFP_NOWARN)

/* ---- malloc.c ---- */
/* Run @req (a struct km_req) on the current CPU; interrupts are disabled. */
void km_req_run(void *req);
void *km_alloc(size_t size, size_t align, gfp_t gfp, bool zero);
void km_free(void *ptr);
size_t km_usable_size(const void *ptr);
bool km_in_ram(const void *ptr);

/* ---- machine.c ---- */
/*
 * One CPU hotplug at a time, fork() and growth waiting for it: a CPU
 * coming up walks the zonelists and sizes its lists from the zones, which
 * an add changes (taken after km_grow_lock, never before).
 */
void km_hotplug_lock(void);
void km_hotplug_unlock(void);
/* Run @r as a CPU: attach the thread to one, or borrow one. */
void km_call(struct km_req *r);
/* After a failed allocation on the thread's own CPU: drain the page lists, grow RAM, try again. */
void km_recover(struct km_req *r);
/* Every few calls: run the kernel timers that are due (thread on its own CPU only). */
void km_tick(struct km_thread *t);
#define KM_TICK_MASK	1023u
/* Write the dump now (the library's destructor calls it at exit). */
void km_dump(void);

/* ---- harden.c ---- */
/* The C library call being served, for reports: "realloc"..., NULL for free. */
extern __thread const char *km_libc_call __attribute__((tls_model("initial-exec")));
/* Report @p, which the library never handed out (@why), and abort. */
void km_bad_pointer(const void *p, const char *why) __attribute__((noreturn, cold));
/* Is @p in memory the dynamic loader allocated before the library started? */
bool km_loader_owns(const void *p);

/* ---- grow.c ---- */
/*
 * The boot options for the kernel: @opts without max=, with hotplug_max=
 * added unless named (sets the growth limit).  @out, or NULL if max= is bad.
 */
const char *km_grow_boot_options(const char *opts, char *out, size_t size);
/* After boot: can the machine grow at all? */
void km_grow_setup(void);
/* From km_tick and page blocks: the first reserve for an add's memory map, once. */
void km_grow_tick(void);
/* Adds made so far: read it before an allocation that km_grow() may retry. */
unsigned long km_grow_generation(void);
/*
 * Grow RAM by at least @need bytes (or see that another thread did since
 * generation @gen): true if the allocation is worth trying again.  Only on
 * the thread's own CPU, interrupts enabled.
 */
bool km_grow(size_t need, unsigned long gen);
/* The machine will not grow again (at its limit): blocks beyond 4 MiB may go to the host. */
bool km_grow_at_limit(void);
/* Held by fork(): no add is half-made in the child. */
void km_grow_lock(void);
void km_grow_unlock(void);

/* ---- host.c ---- */
void *arena_alloc(size_t size, size_t align);
bool arena_owns(const void *p);
size_t arena_size(const void *p);
/* A host mapping of @size bytes aligned to @align (page-aligned at least), zeroed. */
void *mblock_alloc(size_t size, size_t align);
/* If @p is an mmap block: unmap it and return true. */
bool mblock_free(void *p);
/* The length of mmap block @p, 0 if @p is none. */
size_t mblock_size(const void *p);
/* Resize mmap block @p to @size bytes (moving it if need be); NULL if impossible. */
void *mblock_realloc(void *p, size_t size);
void mblock_lock(void);
void mblock_unlock(void);
/* Copy up to @n bytes from @src to @dst, stopping where @src becomes unreadable. */
size_t host_copy_readable(void *dst, const void *src, size_t n);
/* Write @s to standard error without allocating. */
void host_warn(const char *s);

#endif /* KMM_MALLOC_H */
