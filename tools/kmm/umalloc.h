/*
 * umalloc.h - a small user-space malloc for a simulated process.
 *
 * The allocator a C library would run inside the process: its heap lives
 * in the process's own memory, every chunk header is written and read
 * through the simulated MMU, and it asks the kernel for memory the way
 * glibc's ptmalloc does, as far as the kernel can see:
 *
 *   - the first heap allocation calls brk(0) to learn where the heap
 *     starts, then brk(start + PAGE_ALIGN(request + 128 KiB pad + MINSIZE));
 *     later growth asks for the same minus what the top chunk already has;
 *   - a chunk of 128 KiB or more (M_MMAP_THRESHOLD) is mmap()ed on its own,
 *     PAGE_ALIGN(chunk + one word), and munmap()ed when freed;
 *   - free() coalesces with free neighbours and the top chunk; when the
 *     top reaches 128 KiB (M_TRIM_THRESHOLD) the heap shrinks with brk,
 *     keeping 128 KiB of pad (M_TOP_PAD);
 *   - when brk fails, the chunk is mmap()ed instead.
 *
 * The machine is reached only through struct umalloc_ops, so the module
 * is tested against a fake kernel (tests/unit/test_umalloc.c) and plugged
 * into kmm's processes by whoever owns them.  The state is a plain struct
 * kept by the caller, one per process; everything else lives in user
 * memory.  fork: copy the struct (umalloc_fork) - the child's memory is a
 * copy of the parent's, so the copy describes it exactly.
 *
 * Where umalloc departs from glibc, see the comment at the top of umalloc.c.
 */
#ifndef KMM_TOOL_UMALLOC_H
#define KMM_TOOL_UMALLOC_H

#include <stddef.h>

struct umalloc_ops {
	void *ctx;
	/* brk(2) as the kernel implements it: returns the new break, or the old one on failure */
	unsigned long (*brk)(void *ctx, unsigned long addr);
	/*
	 * mmap(2) of anonymous private read/write memory: the address, or a
	 * negative errno cast (as the kernel returns it: -4095..-1)
	 */
	unsigned long (*mmap)(void *ctx, unsigned long len);
	int (*munmap)(void *ctx, unsigned long addr, unsigned long len);
	/* user memory, through the simulated MMU: 0, or -EFAULT */
	int (*read)(void *ctx, unsigned long addr, void *buf, unsigned long len);
	int (*write)(void *ctx, unsigned long addr, const void *buf, unsigned long len);
};

/* The fixed tunables (glibc's defaults; no dynamic mmap threshold). */
#define UMALLOC_PAGE_SIZE	 4096UL
#define UMALLOC_MMAP_THRESHOLD	 (128 * 1024UL)	/* M_MMAP_THRESHOLD: chunks this big are mmapped */
#define UMALLOC_TRIM_THRESHOLD	 (128 * 1024UL)	/* M_TRIM_THRESHOLD: a top this big is trimmed */
#define UMALLOC_TOP_PAD		 (128 * 1024UL)	/* M_TOP_PAD: extra asked of brk, kept at trims */

/* Free lists: chunks segregated by size, first fit in each (see umalloc.c). */
#define UMALLOC_NBINS 10

/*
 * Errors.  ufree returns one of these (negative), umalloc_strerror gives
 * glibc's message for it.  UMALLOC_EFAULT: the allocator touched memory
 * the process has not mapped - the process would die of SIGSEGV there.
 */
enum {
	UMALLOC_OK = 0,
	UMALLOC_EINVAL = -1,	/* free(): invalid pointer */
	UMALLOC_ESIZE = -2,	/* free(): invalid size */
	UMALLOC_EDOUBLE = -3,	/* free(): double free detected */
	UMALLOC_EMUNMAP = -4,	/* munmap_chunk(): invalid pointer */
	UMALLOC_ECORRUPT = -5,	/* corrupted size vs. prev_size */
	UMALLOC_EFAULT = -6,	/* a header is not mapped: SIGSEGV */
	UMALLOC_ENOMEM = -7,	/* malloc: the kernel gave no memory */
};

/* One per simulated process; copy it for fork (umalloc_fork). */
struct umalloc_state {
	struct umalloc_ops ops;
	unsigned int word;		/* the process's word: 4 (i386) or 8 (x86_64) */
	unsigned long heap_base;	/* the first chunk (brk(0), aligned); 0: no heap yet */
	unsigned long heap_end;		/* the break as umalloc last set it */
	unsigned long top;		/* the top chunk: from here to heap_end */
	unsigned long top_size;		/* its size (also in its header, in user memory) */
	unsigned long dirty_end;	/* heap memory from here up is still the kernel's zeroes */
	unsigned long bins[UMALLOC_NBINS]; /* first free chunk of each list, 0 if empty */
	unsigned long nr_free;		/* chunks in the lists */
	unsigned long in_use;		/* bytes in allocated heap chunks, headers included */
	unsigned long mmapped_regions, mmapped_bytes;
	unsigned long n_brk, n_mmap, n_munmap; /* calls made, failed ones included */
	int error;			/* the last call's error (UMALLOC_*), 0 if none */
	unsigned long fault_addr;	/* with UMALLOC_EFAULT: the address that faulted */
};

struct umalloc_stats {
	unsigned long heap_start, heap_end; /* the heap: [start, end), the break at its end */
	unsigned long arena;		/* bytes of heap obtained with brk (glibc's arena) */
	unsigned long in_use;		/* bytes in allocated heap chunks (uordblks) */
	unsigned long free;		/* free heap bytes, the top included (fordblks) */
	unsigned long free_chunks;	/* free chunks in the lists, the top not counted */
	unsigned long top_size;		/* the top chunk (keepcost) */
	unsigned long mmapped_regions;	/* chunks mmapped on their own (hblks) */
	unsigned long mmapped_bytes;	/* their bytes (hblkhd) */
	unsigned long n_brk, n_mmap, n_munmap;
};

/* An empty allocator: @word is 4 or 8.  Makes no call; -1 if @word is bad. */
int umalloc_init(struct umalloc_state *st, const struct umalloc_ops *ops, unsigned int word);
/* The child of a fork: the parent's state, calling the kernel with @child_ctx. */
void umalloc_fork(struct umalloc_state *child, const struct umalloc_state *parent,
		  void *child_ctx);

/* malloc: a user address aligned to two words, or 0 (st->error says why). */
unsigned long umalloc(struct umalloc_state *st, unsigned long size);
/* free: 0 (also for 0), or a UMALLOC_E* error; nothing changes on an error. */
int ufree(struct umalloc_state *st, unsigned long addr);
/* calloc: zeroed, or 0 (also when @n * @size overflows). */
unsigned long ucalloc(struct umalloc_state *st, unsigned long n, unsigned long size);
/*
 * realloc: the block moved or resized, contents kept; 0 on failure (the
 * old block untouched).  urealloc(st, 0, n) = umalloc; urealloc(st, p, 0)
 * frees p and returns 0, as glibc does.
 */
unsigned long urealloc(struct umalloc_state *st, unsigned long addr, unsigned long size);
/* malloc_usable_size: the bytes the block at @addr may use, 0 if none. */
unsigned long umalloc_usable_size(struct umalloc_state *st, unsigned long addr);

void umalloc_stats(const struct umalloc_state *st, struct umalloc_stats *out);
/*
 * Walk the heap and the free lists and check every invariant (chunks tile
 * the heap, headers and footers agree, no two free chunks touch, each free
 * chunk is listed once in its list, the counters match).  0, or -1 with a
 * message in @msg.  Reads user memory, so it touches the heap's pages.
 */
int umalloc_check(struct umalloc_state *st, char *msg, size_t msg_size);

/* glibc's message for a UMALLOC_E* error ("free(): double free detected"). */
const char *umalloc_strerror(int err);

#endif
