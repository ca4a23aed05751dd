/*
 * umalloc.c - a small user-space malloc for a simulated process (see umalloc.h).
 *
 * A chunk, W being the process's word (4 or 8) and every chunk aligned to
 * A = 2W:
 *
 *   chunk -> +---------------------------+
 *            | prev_size                 |  the previous chunk's size, when that one is free
 *            | size | flags              |  PREV_INUSE 1, IS_MMAPPED 2
 *   mem   -> +---------------------------+  the address umalloc returns (A-aligned)
 *            | user data                 |  a free chunk: fd, bk (its list's links)
 *            | ...                       |
 *   next  -> | prev_size: user data too, |  a chunk in use may use its next chunk's
 *            |  the footer when free     |  prev_size word: usable = size - W
 *            | size | flags              |
 *
 * A chunk's size is the request plus W, rounded up to A, at least
 * MINSIZE = 4W (room for the two links when free).  The heap is one run
 * of chunks from the first break to the current one; the last chunk is
 * the top, which is carved from the front and grows and shrinks with brk.
 * Only the top's address and size, the heads of the free lists and some
 * counters are kept in struct umalloc_state; the rest is in user memory.
 *
 * Where umalloc departs from glibc (2.11, the C library of Linux 2.6.34's
 * time); the calls the kernel sees are the same unless said otherwise:
 *  - no fastbins, tcache or unsorted list: free coalesces at once and the
 *    lists are UMALLOC_NBINS size classes searched first fit, so the block
 *    reused can differ, and a trim can come at an earlier free than glibc's;
 *  - the mmap threshold is fixed at 128 KiB (glibc raises it when an
 *    mmapped chunk is freed), and a chunk of at least 128 KiB is mmapped
 *    without looking at the lists and the top first (glibc would carve it
 *    from a top big enough);
 *  - when brk fails, just the chunk is mmapped (glibc mmaps at least 1 MiB
 *    and makes it a second, non-contiguous top);
 *  - brk(0) is called at the first heap allocation (glibc's start-up has
 *    already made that call);
 *  - the header of a chunk swallowed by a free neighbour is marked dead, so
 *    freeing it again is reported as a double free (glibc may not notice);
 *  - realloc never calls mremap; calloc zeroes what may not be zero, as
 *    glibc does, but tracks it with one mark (dirty_end).
 */
#include <stdio.h>
#include <string.h>

#include "tools/kmm/umalloc.h"

#define PREV_INUSE	1UL
#define IS_MMAPPED	2UL
#define DEAD_CHUNK	4UL	/* the size word of a header a neighbour swallowed */
#define FLAG_BITS	7UL

#define PAGE_MASK	(UMALLOC_PAGE_SIZE - 1)

/* Upper bounds (chunk bytes) of the free lists' size classes. */
static const unsigned long bin_limit[UMALLOC_NBINS] = {
	32, 64, 128, 256, 512, 1024, 4096, 16384, 65536, ~0UL
};

static unsigned long W(const struct umalloc_state *st)
{
	return st->word;
}

static unsigned long align_mask(const struct umalloc_state *st)
{
	return 2 * st->word - 1;
}

static unsigned long min_size(const struct umalloc_state *st)
{
	return 4 * st->word;
}

/* The highest address the process has. */
static unsigned long addr_max(const struct umalloc_state *st)
{
	return st->word == 4 ? 0xffffffffUL : ~0UL;
}

static unsigned long page_up(unsigned long x)
{
	return (x + PAGE_MASK) & ~PAGE_MASK;
}

static unsigned long page_down(unsigned long x)
{
	return x & ~PAGE_MASK;
}

static int is_err_value(unsigned long x)
{
	return x >= (unsigned long)-4095;
}

/*
 * User memory, a word at a time, little-endian as on x86.  The first fault
 * is recorded (st->error = UMALLOC_EFAULT) and every later access in the
 * same call does nothing: a real process would have died at that access.
 */
static unsigned long get_word(struct umalloc_state *st, unsigned long addr)
{
	unsigned char b[8];
	unsigned long v = 0;

	if (st->error == UMALLOC_EFAULT)
		return 0;
	if (st->ops.read(st->ops.ctx, addr, b, st->word)) {
		st->error = UMALLOC_EFAULT;
		st->fault_addr = addr;
		return 0;
	}
	for (unsigned int i = st->word; i--;)
		v = v << 8 | b[i];
	return v;
}

static void put_word(struct umalloc_state *st, unsigned long addr, unsigned long v)
{
	unsigned char b[8];

	if (st->error == UMALLOC_EFAULT)
		return;
	for (unsigned int i = 0; i < st->word; i++, v >>= 8)
		b[i] = v & 0xff;
	if (st->ops.write(st->ops.ctx, addr, b, st->word)) {
		st->error = UMALLOC_EFAULT;
		st->fault_addr = addr;
		return;
	}
	/* The heap above dirty_end is the kernel's zero pages, untouched. */
	if (addr >= st->heap_base && addr < st->heap_end && addr + W(st) > st->dirty_end)
		st->dirty_end = addr + W(st);
}

static unsigned long head_of(struct umalloc_state *st, unsigned long p)
{
	return get_word(st, p + W(st));
}

static void set_head(struct umalloc_state *st, unsigned long p, unsigned long head)
{
	put_word(st, p + W(st), head);
}

/* Memory handed to the user up to @end may hold anything from now on. */
static void user_dirties(struct umalloc_state *st, unsigned long end)
{
	if (end > st->dirty_end)
		st->dirty_end = end;
}

/* ---- the free lists: doubly linked through fd (p + 2W) and bk (p + 3W) ---- */

static unsigned int bin_index(unsigned long size)
{
	unsigned int i = 0;

	while (size > bin_limit[i])
		i++;
	return i;
}

static void list_insert(struct umalloc_state *st, unsigned long p, unsigned long size)
{
	unsigned int i = bin_index(size);
	unsigned long first = st->bins[i];

	put_word(st, p + 2 * W(st), first);
	put_word(st, p + 3 * W(st), 0);
	if (first)
		put_word(st, first + 3 * W(st), p);
	st->bins[i] = p;
	st->nr_free++;
}

static void list_remove(struct umalloc_state *st, unsigned long p, unsigned long size)
{
	unsigned long fd = get_word(st, p + 2 * W(st));
	unsigned long bk = get_word(st, p + 3 * W(st));

	if (bk)
		put_word(st, bk + 2 * W(st), fd);
	else
		st->bins[bin_index(size)] = fd;
	if (fd)
		put_word(st, fd + 3 * W(st), bk);
	st->nr_free--;
}

/* ---- getting memory from the kernel ---- */

/*
 * A chunk of its own, mmapped: the chunk plus one word (no next chunk
 * lends its prev_size), rounded up to pages.  Returns the user address.
 */
static unsigned long mmap_chunk(struct umalloc_state *st, unsigned long nb)
{
	unsigned long len, p;

	if (nb > addr_max(st) - W(st) - UMALLOC_PAGE_SIZE)
		return 0;			/* no address space holds it */
	len = page_up(nb + W(st));
	st->n_mmap++;
	p = st->ops.mmap(st->ops.ctx, len);
	if (is_err_value(p))
		return 0;
	/* Anonymous memory is zero already; the two words are written all the same. */
	put_word(st, p, 0);
	set_head(st, p, len | IS_MMAPPED);
	if (st->error)
		return 0;
	st->mmapped_regions++;
	st->mmapped_bytes += len;
	return p + 2 * W(st);
}

/*
 * Make the top at least @nb + MINSIZE with brk: ask for @nb, the pad and
 * MINSIZE, less what the top has, up to a page boundary.  The first time,
 * brk(0) says where the heap starts.  0, or -1 if the kernel refused.
 */
static int grow_heap(struct umalloc_state *st, unsigned long nb)
{
	unsigned long want, end;

	if (!st->heap_base) {
		unsigned long start;

		st->n_brk++;
		start = st->ops.brk(st->ops.ctx, 0);
		start = (start + align_mask(st)) & ~align_mask(st);
		st->heap_base = st->heap_end = st->top = st->dirty_end = start;
		st->top_size = 0;
	}
	want = nb + UMALLOC_TOP_PAD + min_size(st) - st->top_size;
	if (want > addr_max(st) - st->heap_end - UMALLOC_PAGE_SIZE)
		return -1;
	end = page_up(st->heap_end + want);
	st->n_brk++;
	if (st->ops.brk(st->ops.ctx, end) != end)
		return -1;
	st->top_size += end - st->heap_end;
	st->heap_end = end;
	/* The top's predecessor is always in use: a free one would have merged. */
	set_head(st, st->top, st->top_size | PREV_INUSE);
	return st->error ? -1 : 0;
}

/*
 * Give the top back down to the pad: whole pages, keeping at least
 * M_TOP_PAD + MINSIZE + 1 bytes in it (glibc's rule, so that the same
 * frees make the same brk calls).
 */
static void trim_heap(struct umalloc_state *st)
{
	unsigned long keep = UMALLOC_TOP_PAD + min_size(st) + 1, extra, end;

	if (st->top_size < UMALLOC_TRIM_THRESHOLD || st->top_size <= keep)
		return;
	extra = page_down(st->top_size - keep);
	if (!extra)
		return;
	end = st->heap_end - extra;
	st->n_brk++;
	if (st->ops.brk(st->ops.ctx, end) != end)
		return;				/* the kernel kept it: so do we */
	st->heap_end = end;
	st->top_size -= extra;
	if (st->dirty_end > end)
		st->dirty_end = end;		/* brk gives fresh zero pages back */
	set_head(st, st->top, st->top_size | PREV_INUSE);
}

/* ---- allocating and freeing heap chunks ---- */

/* The chunk size for a request: 0 if no chunk can be that large. */
static unsigned long request_size(const struct umalloc_state *st, unsigned long req)
{
	unsigned long nb;

	if (req >= addr_max(st) - 2 * min_size(st))
		return 0;
	nb = (req + W(st) + align_mask(st)) & ~align_mask(st);
	return nb < min_size(st) ? min_size(st) : nb;
}

/*
 * Use the free chunk @p of @size for a chunk of @nb: the rest, if it can
 * be a chunk, goes back to a list.
 */
static void take_free_chunk(struct umalloc_state *st, unsigned long p, unsigned long size,
			    unsigned long nb)
{
	list_remove(st, p, size);
	if (size - nb >= min_size(st)) {
		unsigned long rest = p + nb, rest_size = size - nb;

		set_head(st, p, nb | PREV_INUSE);
		set_head(st, rest, rest_size | PREV_INUSE);
		put_word(st, rest + rest_size, rest_size);	/* its footer */
		list_insert(st, rest, rest_size);
		size = nb;
	} else {
		unsigned long next = p + size;

		set_head(st, next, head_of(st, next) | PREV_INUSE);
	}
	st->in_use += size;
	user_dirties(st, p + size + W(st));
}

/* A heap chunk of @nb: from the lists (first fit), else from the top. */
static unsigned long heap_alloc(struct umalloc_state *st, unsigned long nb)
{
	unsigned long p;

	for (unsigned int i = bin_index(nb); i < UMALLOC_NBINS; i++)
		for (p = st->bins[i]; p && !st->error; p = get_word(st, p + 2 * W(st))) {
			unsigned long size = head_of(st, p) & ~FLAG_BITS;

			if (size >= nb) {
				take_free_chunk(st, p, size, nb);
				return st->error ? 0 : p + 2 * W(st);
			}
		}
	if (st->error)
		return 0;
	/* The top stays a chunk: at least MINSIZE is left in it. */
	if (st->top_size < nb + min_size(st) && grow_heap(st, nb))
		return 0;
	p = st->top;
	st->top += nb;
	st->top_size -= nb;
	set_head(st, p, nb | PREV_INUSE);
	set_head(st, st->top, st->top_size | PREV_INUSE);
	st->in_use += nb;
	user_dirties(st, p + nb + W(st));
	return st->error ? 0 : p + 2 * W(st);
}

unsigned long umalloc(struct umalloc_state *st, unsigned long size)
{
	unsigned long nb = request_size(st, size), mem;

	st->error = 0;
	if (!nb) {
		st->error = UMALLOC_ENOMEM;
		return 0;
	}
	if (nb >= UMALLOC_MMAP_THRESHOLD) {
		mem = mmap_chunk(st, nb);
		if (mem || st->error)
			return mem;
		/* mmap refused: the heap may still have room, as glibc tries. */
	}
	mem = heap_alloc(st, nb);
	if (!mem && !st->error && nb < UMALLOC_MMAP_THRESHOLD)
		mem = mmap_chunk(st, nb);	/* brk refused: this chunk alone, mmapped */
	if (!mem && !st->error)
		st->error = UMALLOC_ENOMEM;
	return mem;
}

/*
 * Find and check the chunk of user address @addr, as free() does before
 * touching anything: 0 with *p and *head set, or an error.  A chunk in
 * the heap must be in use (else UMALLOC_EDOUBLE).
 */
static int chunk_of(struct umalloc_state *st, unsigned long addr, unsigned long *pp,
		    unsigned long *headp)
{
	unsigned long p, head, size, next_head;

	if (addr & align_mask(st) || addr < 2 * W(st))
		return UMALLOC_EINVAL;
	p = addr - 2 * W(st);
	if (p < st->heap_base || p >= st->heap_end) {
		/* Not in the heap: an mmapped chunk, or not one of ours. */
		head = head_of(st, p);
		if (st->error)
			return st->error;
		if (!(head & IS_MMAPPED))
			return UMALLOC_EINVAL;
		if (p & PAGE_MASK || head & PAGE_MASK & ~FLAG_BITS ||
		    (head & ~FLAG_BITS) < UMALLOC_PAGE_SIZE)
			return UMALLOC_EMUNMAP;
		*pp = p;
		*headp = head;
		return 0;
	}
	if (p >= st->top)
		return UMALLOC_EDOUBLE;		/* freed, and the top took it */
	head = head_of(st, p);
	if (st->error)
		return st->error;
	if (head == DEAD_CHUNK)
		return UMALLOC_EDOUBLE;		/* freed, and a free neighbour took it */
	size = head & ~FLAG_BITS;
	if (size < min_size(st) || size & align_mask(st) || size > st->top - p)
		return UMALLOC_ESIZE;
	if (head & IS_MMAPPED)
		return UMALLOC_EMUNMAP;
	next_head = head_of(st, p + size);
	if (st->error)
		return st->error;
	if (!(next_head & PREV_INUSE))
		return UMALLOC_EDOUBLE;		/* freed, and still in a list */
	*pp = p;
	*headp = head;
	return 0;
}

/* Free the heap chunk @p (checked by chunk_of): coalesce, list it or grow the top. */
static int free_heap_chunk(struct umalloc_state *st, unsigned long p, unsigned long head)
{
	unsigned long size = head & ~FLAG_BITS, next = p + size;
	unsigned long prev = 0, prev_size = 0, next_size = 0;
	int next_free = 0;

	/* Read and check both neighbours before writing anything. */
	if (!(head & PREV_INUSE)) {
		prev_size = get_word(st, p);
		prev = p - prev_size;
		if (prev_size < min_size(st) || prev_size > p - st->heap_base ||
		    (head_of(st, prev) & ~FLAG_BITS) != prev_size)
			return st->error ? st->error : UMALLOC_ECORRUPT;
	}
	if (next != st->top) {
		next_size = head_of(st, next) & ~FLAG_BITS;
		if (next_size < min_size(st) || next_size > st->top - next)
			return st->error ? st->error : UMALLOC_ESIZE;
		next_free = !(head_of(st, next + next_size) & PREV_INUSE);
	}
	if (st->error)
		return st->error;

	st->in_use -= size;
	if (prev) {
		list_remove(st, prev, prev_size);
		put_word(st, p + W(st), DEAD_CHUNK);
		p = prev;
		size += prev_size;
	}
	if (next == st->top) {
		st->top = p;
		st->top_size += size;
		set_head(st, p, st->top_size | PREV_INUSE);
		trim_heap(st);
		return st->error;
	}
	if (next_free) {
		list_remove(st, next, next_size);
		put_word(st, next + W(st), DEAD_CHUNK);
		size += next_size;
	} else {
		set_head(st, next, head_of(st, next) & ~PREV_INUSE);
	}
	set_head(st, p, size | PREV_INUSE);
	put_word(st, p + size, size);		/* the footer: the next chunk's prev_size */
	list_insert(st, p, size);
	return st->error;
}

static int free_mmapped_chunk(struct umalloc_state *st, unsigned long p, unsigned long head)
{
	unsigned long len = head & ~FLAG_BITS;

	st->n_munmap++;
	if (st->ops.munmap(st->ops.ctx, p, len))
		return UMALLOC_EMUNMAP;
	st->mmapped_regions--;
	st->mmapped_bytes -= len;
	return 0;
}

int ufree(struct umalloc_state *st, unsigned long addr)
{
	unsigned long p, head;
	int err;

	st->error = 0;
	if (!addr)
		return 0;
	err = chunk_of(st, addr, &p, &head);
	if (!err)
		err = head & IS_MMAPPED ? free_mmapped_chunk(st, p, head)
					: free_heap_chunk(st, p, head);
	st->error = err;
	return err;
}

/* ---- calloc, realloc, usable size ---- */

static int copy_user(struct umalloc_state *st, unsigned long dst, unsigned long src,
		     unsigned long len)
{
	unsigned char buf[512];

	while (len) {
		unsigned long n = len < sizeof(buf) ? len : sizeof(buf);

		if (st->ops.read(st->ops.ctx, src, buf, n) ||
		    st->ops.write(st->ops.ctx, dst, buf, n)) {
			st->error = UMALLOC_EFAULT;
			return -1;
		}
		dst += n;
		src += n;
		len -= n;
	}
	return 0;
}

unsigned long ucalloc(struct umalloc_state *st, unsigned long n, unsigned long size)
{
	static const unsigned char zeroes[512];
	unsigned long mem, end, clean = st->dirty_end;

	if (size && n > addr_max(st) / size) {
		st->error = UMALLOC_ENOMEM;
		return 0;
	}
	mem = umalloc(st, n * size);
	if (!mem || mem < st->heap_base || mem >= st->heap_end)
		return mem;			/* mmapped: the kernel's zeroes */
	/* Zero what was written before; fresh memory from brk is zero already. */
	end = mem + umalloc_usable_size(st, mem);
	if (end > clean)
		end = clean;
	for (unsigned long a = mem; a < end;) {
		unsigned long len = end - a < sizeof(zeroes) ? end - a : sizeof(zeroes);

		if (st->ops.write(st->ops.ctx, a, zeroes, len)) {
			st->error = UMALLOC_EFAULT;
			st->fault_addr = a;
			return 0;
		}
		a += len;
	}
	return mem;
}

unsigned long umalloc_usable_size(struct umalloc_state *st, unsigned long addr)
{
	unsigned long p, head;

	st->error = 0;
	if (!addr || chunk_of(st, addr, &p, &head))
		return 0;
	return (head & ~FLAG_BITS) - (head & IS_MMAPPED ? 2 : 1) * W(st);
}

/*
 * Cut the in-use heap chunk @p down to @nb, freeing the rest if it can be
 * a chunk (glibc frees it the same way, so it coalesces and may trim).
 */
static void shrink_in_place(struct umalloc_state *st, unsigned long p, unsigned long head,
			    unsigned long nb)
{
	unsigned long size = head & ~FLAG_BITS, rest = p + nb;

	if (size - nb < min_size(st))
		return;
	set_head(st, p, nb | (head & PREV_INUSE));
	set_head(st, rest, (size - nb) | PREV_INUSE);	/* in use until freed just below */
	if (!st->error)
		free_heap_chunk(st, rest, (size - nb) | PREV_INUSE);
}

unsigned long urealloc(struct umalloc_state *st, unsigned long addr, unsigned long size)
{
	unsigned long nb, p, head, old, next, mem;
	int err;

	if (!addr)
		return umalloc(st, size);
	if (!size) {
		ufree(st, addr);
		return 0;
	}
	st->error = 0;
	nb = request_size(st, size);
	if (!nb) {
		st->error = UMALLOC_ENOMEM;
		return 0;
	}
	err = chunk_of(st, addr, &p, &head);
	if (err) {
		st->error = err;
		return 0;
	}
	old = head & ~FLAG_BITS;
	if (head & IS_MMAPPED) {
		if (old - W(st) >= nb)
			return addr;		/* it still fits: keep the mapping */
	} else if (old >= nb) {
		shrink_in_place(st, p, head, nb);
		return st->error ? 0 : addr;
	} else if ((next = p + old) == st->top && old + st->top_size >= nb + min_size(st)) {
		/* Grow into the top. */
		st->top_size -= nb - old;
		st->top = p + nb;
		set_head(st, p, nb | (head & PREV_INUSE));
		set_head(st, st->top, st->top_size | PREV_INUSE);
		st->in_use += nb - old;
		user_dirties(st, p + nb + W(st));
		return st->error ? 0 : addr;
	} else if (next != st->top) {
		unsigned long next_size = head_of(st, next) & ~FLAG_BITS;

		if (!st->error && next_size >= min_size(st) && next_size <= st->top - next &&
		    old + next_size >= nb && !(head_of(st, next + next_size) & PREV_INUSE) &&
		    !st->error) {
			/* Grow into the free chunk after it, then give back what is left. */
			list_remove(st, next, next_size);
			put_word(st, next + W(st), DEAD_CHUNK);
			head = (old + next_size) | (head & PREV_INUSE);
			set_head(st, p, head);
			set_head(st, p + old + next_size,
				 head_of(st, p + old + next_size) | PREV_INUSE);
			st->in_use += next_size;
			user_dirties(st, p + old + next_size + W(st));
			shrink_in_place(st, p, head, nb);
			return st->error ? 0 : addr;
		}
	}
	if (st->error)
		return 0;
	/* Move: a new block, the contents, then free the old one. */
	mem = umalloc(st, size);
	if (!mem)
		return 0;
	old -= (head & IS_MMAPPED ? 2 : 1) * W(st);
	if (copy_user(st, mem, addr, old < size ? old : size))
		return 0;
	ufree(st, addr);
	return st->error ? 0 : mem;
}

/* ---- set-up, statistics, checking ---- */

int umalloc_init(struct umalloc_state *st, const struct umalloc_ops *ops, unsigned int word)
{
	memset(st, 0, sizeof(*st));
	if ((word != 4 && word != 8) || word > sizeof(unsigned long))
		return -1;
	st->ops = *ops;
	st->word = word;
	return 0;
}

void umalloc_fork(struct umalloc_state *child, const struct umalloc_state *parent,
		  void *child_ctx)
{
	*child = *parent;
	child->ops.ctx = child_ctx;
}

void umalloc_stats(const struct umalloc_state *st, struct umalloc_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->heap_start = st->heap_base;
	out->heap_end = st->heap_end;
	out->arena = st->heap_end - st->heap_base;
	out->in_use = st->in_use;
	out->free = out->arena - st->in_use;
	out->free_chunks = st->nr_free;
	out->top_size = st->top_size;
	out->mmapped_regions = st->mmapped_regions;
	out->mmapped_bytes = st->mmapped_bytes;
	out->n_brk = st->n_brk;
	out->n_mmap = st->n_mmap;
	out->n_munmap = st->n_munmap;
}

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			snprintf(msg, msg_size, __VA_ARGS__);		\
			return -1;					\
		}							\
	} while (0)

int umalloc_check(struct umalloc_state *st, char *msg, size_t msg_size)
{
	unsigned long p, in_use = 0, nr_free = 0, listed = 0;
	int prev_free = 0;

	st->error = 0;
	CHECK(st->top >= st->heap_base && st->top_size == st->heap_end - st->top,
	      "top %#lx size %lu does not end at the break %#lx", st->top, st->top_size,
	      st->heap_end);
	CHECK(st->dirty_end <= st->heap_end || st->heap_end == st->heap_base,
	      "dirty_end %#lx beyond the break %#lx", st->dirty_end, st->heap_end);
	if (st->heap_end == st->heap_base) {
		CHECK(!st->in_use && !st->nr_free, "no heap, yet %lu bytes in use, %lu free chunks",
		      st->in_use, st->nr_free);
		return 0;
	}
	CHECK(st->top_size >= min_size(st), "top %lu smaller than a chunk", st->top_size);
	CHECK(head_of(st, st->top) == (st->top_size | PREV_INUSE) && !st->error,
	      "top header %#lx, expected %#lx", head_of(st, st->top), st->top_size | PREV_INUSE);
	for (p = st->heap_base; p < st->top;) {
		unsigned long head = head_of(st, p), size = head & ~FLAG_BITS;
		int is_free;

		CHECK(!st->error, "chunk %#lx: header not readable", p);
		CHECK(!(head & (IS_MMAPPED | DEAD_CHUNK)), "chunk %#lx: flags %#lx", p, head);
		CHECK(size >= min_size(st) && !(size & align_mask(st)) && size <= st->top - p,
		      "chunk %#lx: bad size %lu", p, size);
		CHECK((!(head & PREV_INUSE)) == prev_free, "chunk %#lx: PREV_INUSE %lu, previous %s",
		      p, head & PREV_INUSE, prev_free ? "free" : "in use");
		is_free = !(head_of(st, p + size) & PREV_INUSE);
		if (is_free) {
			CHECK(!prev_free, "chunk %#lx: two free chunks touch", p);
			CHECK(get_word(st, p + size) == size, "chunk %#lx: footer %lu, size %lu", p,
			      get_word(st, p + size), size);
			nr_free++;
		} else {
			in_use += size;
		}
		prev_free = is_free;
		p += size;
	}
	CHECK(p == st->top, "chunks end at %#lx, top at %#lx", p, st->top);
	CHECK(!prev_free, "a free chunk touches the top");
	CHECK(in_use == st->in_use, "%lu bytes in use, counted %lu", in_use, st->in_use);
	for (unsigned int i = 0; i < UMALLOC_NBINS; i++) {
		unsigned long bk = 0;

		for (p = st->bins[i]; p; bk = p, p = get_word(st, p + 2 * W(st))) {
			unsigned long size = head_of(st, p) & ~FLAG_BITS;

			CHECK(++listed <= nr_free, "list %u: more chunks listed than free", i);
			CHECK(p >= st->heap_base && p < st->top && !(p & align_mask(st)),
			      "list %u: %#lx is not in the heap", i, p);
			CHECK(bin_index(size) == i, "list %u: chunk %#lx of size %lu", i, p, size);
			CHECK(!(head_of(st, p + size) & PREV_INUSE), "list %u: %#lx is in use", i,
			      p);
			CHECK(get_word(st, p + 3 * W(st)) == bk, "list %u: %#lx's bk is not %#lx",
			      i, p, bk);
			CHECK(!st->error, "list %u: unreadable", i);
		}
	}
	CHECK(listed == nr_free && nr_free == st->nr_free,
	      "%lu free chunks, %lu listed, %lu counted", nr_free, listed, st->nr_free);
	return 0;
}

const char *umalloc_strerror(int err)
{
	switch (err) {
	case UMALLOC_OK:
		return "success";
	case UMALLOC_EINVAL:
		return "free(): invalid pointer";
	case UMALLOC_ESIZE:
		return "free(): invalid size";
	case UMALLOC_EDOUBLE:
		return "free(): double free detected";
	case UMALLOC_EMUNMAP:
		return "munmap_chunk(): invalid pointer";
	case UMALLOC_ECORRUPT:
		return "corrupted size vs. prev_size";
	case UMALLOC_EFAULT:
		return "segmentation fault: the chunk's header is not mapped";
	case UMALLOC_ENOMEM:
		return "cannot allocate memory";
	}
	return "unknown error";
}
