/*
 * test_umalloc.c - the user-space malloc of simulated processes
 * (tools/kmm/umalloc.c) against a fake kernel: user memory is a byte array
 * at the process's addresses, brk follows 2.6.34's sys_brk (the new break,
 * or the old one when refused, with a limit standing for RLIMIT_DATA),
 * mmap hands out pages top-down below mmap_base, and every call is logged
 * so that tests compare the exact sequence the kernel would see.
 *
 * The numbers in the comments are derived by hand from the rules in
 * umalloc.h: on x86_64 (W = 8) a chunk is ALIGN16(request + 8), at least
 * 32; on i386 (W = 4) ALIGN8(request + 4), at least 16.  The first heap
 * asks brk for PAGE_ALIGN(chunk + 128 KiB + MINSIZE); a trim gives back
 * PAGE_DOWN(top - (128 KiB + MINSIZE + 1)).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"
#include "tools/kmm/umalloc.h"

#define PAGE		4096UL
#define ENOMEM_RET	((unsigned long)-12)

/* ---- the fake kernel ---- */

struct fake_kernel {
	unsigned long start_brk, brk, brk_limit;
	unsigned long heap_lo, heap_span;	/* memory for [heap_lo, heap_lo + span) */
	unsigned char *heap;
	unsigned long mmap_lo, mmap_span;	/* the mmap area, below mmap_base */
	unsigned char *mmap_mem;
	bool *mapped;				/* per page of the mmap area */
	bool mmap_fails;
	unsigned long written;			/* bytes written through write() */
	unsigned long nr_brk, nr_mmap, nr_munmap;
	char log[4096];				/* the calls, as "brk(0)=0x602000 mmap(4096)=0x..." */
};

static void fk_log(struct fake_kernel *fk, const char *fmt, ...)
{
	size_t n = strlen(fk->log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fk->log + n, sizeof(fk->log) - n, fmt, ap);
	va_end(ap);
}

static unsigned long fk_brk(void *ctx, unsigned long addr)
{
	struct fake_kernel *fk = ctx;
	unsigned long newbrk = (addr + PAGE - 1) & ~(PAGE - 1);
	unsigned long oldbrk = (fk->brk + PAGE - 1) & ~(PAGE - 1);

	if (addr >= fk->start_brk && addr - fk->start_brk <= fk->brk_limit &&
	    newbrk <= fk->heap_lo + fk->heap_span) {
		if (newbrk < oldbrk)	/* do_munmap: the pages are gone, zero when back */
			memset(fk->heap + (newbrk - fk->heap_lo), 0, oldbrk - newbrk);
		fk->brk = addr;
	}
	fk->nr_brk++;
	fk_log(fk, "%sbrk(%#lx)=%#lx", fk->log[0] ? " " : "", addr, fk->brk);
	return fk->brk;
}

static unsigned long fk_mmap(void *ctx, unsigned long len)
{
	struct fake_kernel *fk = ctx;
	unsigned long pages = (len + PAGE - 1) / PAGE, npages = fk->mmap_span / PAGE;
	unsigned long ret = ENOMEM_RET;

	/* Top-down, as Linux's arch_get_unmapped_area_topdown. */
	for (unsigned long end = npages; !fk->mmap_fails && end >= pages; end--) {
		unsigned long i;

		for (i = end - pages; i < end && !fk->mapped[i]; i++)
			;
		if (i == end) {
			for (i = end - pages; i < end; i++)
				fk->mapped[i] = true;
			ret = fk->mmap_lo + (end - pages) * PAGE;
			break;
		}
	}
	fk->nr_mmap++;
	if (ret == ENOMEM_RET)
		fk_log(fk, "%smmap(%lu)=%ld", fk->log[0] ? " " : "", len, (long)ret);
	else
		fk_log(fk, "%smmap(%lu)=%#lx", fk->log[0] ? " " : "", len, ret);
	return ret;
}

static int fk_munmap(void *ctx, unsigned long addr, unsigned long len)
{
	struct fake_kernel *fk = ctx;
	int ret = 0;

	if (addr & (PAGE - 1) || !len || addr < fk->mmap_lo ||
	    addr + len > fk->mmap_lo + fk->mmap_span) {
		ret = -22;
	} else {
		memset(fk->mmap_mem + (addr - fk->mmap_lo), 0, len);
		for (unsigned long a = addr; a < addr + len; a += PAGE)
			fk->mapped[(a - fk->mmap_lo) / PAGE] = false;
	}
	fk->nr_munmap++;
	fk_log(fk, "%smunmap(%#lx,%lu)=%d", fk->log[0] ? " " : "", addr, len, ret);
	return ret;
}

/* The host bytes behind [addr, addr + len), or NULL where the process has nothing mapped. */
static unsigned char *fk_mem(struct fake_kernel *fk, unsigned long addr, unsigned long len)
{
	unsigned long brk_end = (fk->brk + PAGE - 1) & ~(PAGE - 1);

	if (addr + len < addr)
		return NULL;
	if (addr >= fk->heap_lo && addr + len <= brk_end)
		return fk->heap + (addr - fk->heap_lo);
	if (addr >= fk->mmap_lo && addr + len <= fk->mmap_lo + fk->mmap_span) {
		for (unsigned long a = addr & ~(PAGE - 1); a < addr + len; a += PAGE)
			if (!fk->mapped[(a - fk->mmap_lo) / PAGE])
				return NULL;
		return fk->mmap_mem + (addr - fk->mmap_lo);
	}
	return NULL;
}

static int fk_read(void *ctx, unsigned long addr, void *buf, unsigned long len)
{
	unsigned char *m = fk_mem(ctx, addr, len);

	if (!m)
		return -14;
	memcpy(buf, m, len);
	return 0;
}

static int fk_write(void *ctx, unsigned long addr, const void *buf, unsigned long len)
{
	struct fake_kernel *fk = ctx;
	unsigned char *m = fk_mem(fk, addr, len);

	if (!m)
		return -14;
	memcpy(m, buf, len);
	fk->written += len;
	return 0;
}

static const struct umalloc_ops fk_ops = {
	.brk = fk_brk, .mmap = fk_mmap, .munmap = fk_munmap, .read = fk_read, .write = fk_write,
};

/* Where an x86_64 and an i386 process have their break and mmap_base in these tests. */
#define BRK64	0x602000UL
#define MMAP64	0x7ffff7fff000UL
#define BRK32	0x804c000UL
#define MMAP32	0xb8000000UL

static struct fake_kernel *fk_new(unsigned long start_brk, unsigned long mmap_base,
				  unsigned long heap_span, unsigned long mmap_span)
{
	struct fake_kernel *fk = calloc(1, sizeof(*fk));

	assert_non_null(fk);
	fk->start_brk = fk->brk = start_brk;
	fk->brk_limit = ~0UL;
	fk->heap_lo = start_brk & ~(PAGE - 1);
	fk->heap_span = heap_span;
	fk->heap = calloc(1, heap_span);
	fk->mmap_lo = mmap_base - mmap_span;
	fk->mmap_span = mmap_span;
	fk->mmap_mem = calloc(1, mmap_span);
	fk->mapped = calloc(mmap_span / PAGE, sizeof(bool));
	assert_true(fk->heap && fk->mmap_mem && fk->mapped);
	return fk;
}

static struct fake_kernel *fk_clone(const struct fake_kernel *parent)
{
	struct fake_kernel *fk = malloc(sizeof(*fk));

	*fk = *parent;
	fk->heap = malloc(fk->heap_span);
	fk->mmap_mem = malloc(fk->mmap_span);
	fk->mapped = malloc(fk->mmap_span / PAGE * sizeof(bool));
	memcpy(fk->heap, parent->heap, fk->heap_span);
	memcpy(fk->mmap_mem, parent->mmap_mem, fk->mmap_span);
	memcpy(fk->mapped, parent->mapped, fk->mmap_span / PAGE * sizeof(bool));
	fk->log[0] = 0;
	return fk;
}

static void fk_free(struct fake_kernel *fk)
{
	free(fk->heap);
	free(fk->mmap_mem);
	free(fk->mapped);
	free(fk);
}

/* The calls since the last look: they must be @expected exactly. */
static void expect_calls(struct fake_kernel *fk, const char *expected)
{
	if (strcmp(fk->log, expected))
		fail_msg("kernel calls:\n  got      \"%s\"\n  expected \"%s\"", fk->log, expected);
	fk->log[0] = 0;
}

static void init(struct umalloc_state *st, struct fake_kernel *fk, unsigned int word)
{
	struct umalloc_ops ops = fk_ops;

	ops.ctx = fk;
	assert_int_equal(umalloc_init(st, &ops, word), 0);
}

/* A word of user memory, little-endian. */
static unsigned long peek(struct fake_kernel *fk, unsigned long addr, unsigned int word)
{
	unsigned char *m = fk_mem(fk, addr, word);
	unsigned long v = 0;

	assert_non_null(m);
	for (unsigned int i = word; i--;)
		v = v << 8 | m[i];
	return v;
}

static void assert_heap_ok(struct umalloc_state *st)
{
	char msg[256];

	if (umalloc_check(st, msg, sizeof(msg)))
		fail_msg("umalloc_check: %s", msg);
}

static struct umalloc_stats stats(const struct umalloc_state *st)
{
	struct umalloc_stats s;

	umalloc_stats(st, &s);
	return s;
}

/* ---- the calls the kernel sees ---- */

static void first_malloc_asks_brk_0_then_132k(void **state)
{
	struct fake_kernel *fk = fk_new(BRK64, MMAP64, 1 << 20, 1 << 20);
	struct umalloc_state st;
	struct umalloc_stats s;

	init(&st, fk, 8);
	expect_calls(fk, "");
	/*
	 * malloc(100): chunk ALIGN16(108) = 112.  brk(0) gives the start,
	 * 0x602000; then 112 + 128K pad + MINSIZE 32 = 131216 = 0x20090,
	 * a page up: 0x21000 (132 KiB), so brk(0x623000).  The chunk is at
	 * the start, its memory 16 bytes in; the top follows at 0x602070.
	 */
	assert_int_equal(umalloc(&st, 100), 0x602010);
	expect_calls(fk, "brk(0)=0x602000 brk(0x623000)=0x623000");
	assert_int_equal(peek(fk, 0x602008, 8), 112 | 1);		/* size | PREV_INUSE */
	assert_int_equal(peek(fk, 0x602078, 8), (0x21000 - 112) | 1);	/* the top's */
	s = stats(&st);
	assert_int_equal(s.heap_start, 0x602000);
	assert_int_equal(s.heap_end, 0x623000);
	assert_int_equal(s.arena, 0x21000);
	assert_int_equal(s.in_use, 112);
	assert_int_equal(s.top_size, 0x21000 - 112);		/* 135056 */
	assert_int_equal(s.free, 0x21000 - 112);
	assert_int_equal(s.n_brk, 2);
	assert_int_equal(s.n_mmap + s.n_munmap + s.mmapped_regions, 0);

	/* The next ones come from the top with no call: 0x602070 + 16... */
	assert_int_equal(umalloc(&st, 100), 0x602080);
	assert_int_equal(umalloc(&st, 0), 0x6020f0);		/* MINSIZE 32 */
	assert_int_equal(umalloc(&st, 24), 0x602110);		/* ALIGN16(32) = 32 */
	assert_int_equal(umalloc(&st, 25), 0x602130);		/* ALIGN16(33) = 48 */
	assert_int_equal(umalloc(&st, 1), 0x602160);
	expect_calls(fk, "");
	/* Usable: the chunk less one word (the next chunk's prev_size is lent). */
	assert_int_equal(umalloc_usable_size(&st, 0x602010), 104);
	assert_int_equal(umalloc_usable_size(&st, 0x6020f0), 24);
	assert_int_equal(umalloc_usable_size(&st, 0x602130), 40);
	assert_int_equal(stats(&st).in_use, 112 + 112 + 32 + 32 + 48 + 32);
	assert_heap_ok(&st);
	fk_free(fk);
}

static void misaligned_break_is_aligned_up(void **state)
{
	struct fake_kernel *fk = fk_new(BRK64 + 8, MMAP64, 1 << 20, 1 << 20);
	struct umalloc_state st;

	init(&st, fk, 8);
	/* The heap starts at 0x602010; 0x602010 + 131216 = 0x6220a0, a page up 0x623000. */
	assert_int_equal(umalloc(&st, 100), 0x602020);
	expect_calls(fk, "brk(0)=0x602008 brk(0x623000)=0x623000");
	assert_int_equal(stats(&st).arena, 0x623000 - 0x602010);
	assert_heap_ok(&st);
	fk_free(fk);
}

/* Three chunks of 100000 bytes (ALIGN16(100008) = 100016 = 0x186b0 each). */
static void grow_three(struct umalloc_state *st, struct fake_kernel *fk, unsigned long *m)
{
	/* 100016 + 131072 + 32 = 231120: 57 pages, 0x39000. */
	m[0] = umalloc(st, 100000);
	assert_int_equal(m[0], 0x602010);
	expect_calls(fk, "brk(0)=0x602000 brk(0x63b000)=0x63b000");
	assert_int_equal(stats(st).top_size, 0x39000 - 100016);	/* 133456 */
	/* 133456 >= 100016 + 32: from the top, no call. */
	m[1] = umalloc(st, 100000);
	assert_int_equal(m[1], 0x61a6c0);
	expect_calls(fk, "");
	assert_int_equal(stats(st).top_size, 33440);
	/*
	 * 33440 < 100048: brk for 100016 + 131072 + 32 - 33440 = 197680,
	 * 49 pages (0x31000) from the break: 0x66c000.
	 */
	m[2] = umalloc(st, 100000);
	assert_int_equal(m[2], 0x632d70);
	expect_calls(fk, "brk(0x66c000)=0x66c000");
	assert_int_equal(stats(st).top_size, 33440 + 0x31000 - 100016);	/* 134128 */
	assert_int_equal(stats(st).arena, 0x6a000);
	assert_heap_ok(st);
}

static void heap_grows_by_request_plus_pad(void **state)
{
	struct fake_kernel *fk = fk_new(BRK64, MMAP64, 1 << 20, 1 << 20);
	struct umalloc_state st;
	unsigned long m[3];

	init(&st, fk, 8);
	grow_three(&st, fk, m);
	assert_int_equal(stats(&st).n_brk, 3);
	fk_free(fk);
}

static void free_trims_the_top_with_brk(void **state)
{
	struct fake_kernel *fk = fk_new(BRK64, MMAP64, 1 << 20, 1 << 20);
	struct umalloc_state st;
	unsigned long m[3], a;

	init(&st, fk, 8);
	grow_three(&st, fk, m);
	/*
	 * free(m[2]) joins the top: 134128 + 100016 = 234144 >= 128K.  Keep
	 * 128K + 32 + 1 = 131105: give back PAGE_DOWN(103039) = 25 pages,
	 * 0x19000: brk(0x66c000 - 0x19000).
	 */
	assert_int_equal(ufree(&st, m[2]), 0);
	expect_calls(fk, "brk(0x653000)=0x653000");
	assert_int_equal(stats(&st).top_size, 234144 - 0x19000);	/* 131744 */
	/* 131744 + 100016 = 231760: PAGE_DOWN(100655) = 24 pages. */
	assert_int_equal(ufree(&st, m[1]), 0);
	expect_calls(fk, "brk(0x63b000)=0x63b000");
	assert_int_equal(stats(&st).top_size, 133456);
	/* 133456 + 100016 = 233472: PAGE_DOWN(102367) = 24 pages, back to 132 KiB. */
	assert_int_equal(ufree(&st, m[0]), 0);
	expect_calls(fk, "brk(0x623000)=0x623000");
	assert_int_equal(stats(&st).top_size, 0x21000);
	assert_int_equal(stats(&st).arena, 0x21000);
	assert_int_equal(stats(&st).in_use, 0);
	assert_int_equal(fk->brk, 0x623000);
	assert_heap_ok(&st);

	/*
	 * Over the threshold but less than a page over what is kept: no call.
	 * malloc(100) and free leave a top of 0x21000 = 135168 >= 128K, yet
	 * 135168 - 131105 = 4063 is not a page.
	 */
	a = umalloc(&st, 100);
	assert_int_equal(ufree(&st, a), 0);
	expect_calls(fk, "");
	/* A top under the threshold is never trimmed: 100016 taken, 35152 left. */
	a = umalloc(&st, 100000);
	assert_int_equal(ufree(&st, umalloc(&st, 100)), 0);
	expect_calls(fk, "");
	assert_int_equal(ufree(&st, a), 0);
	expect_calls(fk, "");
	assert_int_equal(stats(&st).n_brk, 6);
	assert_heap_ok(&st);
	fk_free(fk);
}

static void free_coalesces_with_neighbours_and_top(void **state)
{
	struct fake_kernel *fk = fk_new(BRK64, MMAP64, 1 << 20, 1 << 20);
	struct umalloc_state st;
	unsigned long a, b, c, d, e;

	init(&st, fk, 8);
	/* Chunks of ALIGN16(1008) = 1008 = 0x3f0: at 0x602000, 0x6023f0, 0x6027e0, 0x602bd0. */
	a = umalloc(&st, 1000);
	b = umalloc(&st, 1000);
	c = umalloc(&st, 1000);
	d = umalloc(&st, 1000);
	assert_int_equal(b, 0x602400);
	assert_int_equal(d, 0x602be0);
	fk->log[0] = 0;

	assert_int_equal(ufree(&st, a), 0);
	assert_int_equal(stats(&st).free_chunks, 1);
	assert_int_equal(peek(fk, 0x602008, 8), 1008 | 1);	/* a free chunk */
	assert_int_equal(peek(fk, 0x6023f0, 8), 1008);		/* its footer = b's prev_size */
	assert_int_equal(peek(fk, 0x6023f8, 8), 1008);		/* b: PREV_INUSE cleared */
	assert_int_equal(ufree(&st, c), 0);
	assert_int_equal(stats(&st).free_chunks, 2);
	/* b between two free chunks: one chunk of 3024, footer in d's prev_size. */
	assert_int_equal(ufree(&st, b), 0);
	assert_int_equal(stats(&st).free_chunks, 1);
	assert_int_equal(stats(&st).in_use, 1008);
	assert_int_equal(peek(fk, 0x602008, 8), 3024 | 1);
	assert_int_equal(peek(fk, 0x602bd0, 8), 3024);
	assert_int_equal(peek(fk, 0x602bd8, 8), 1008);
	assert_heap_ok(&st);

	/* ALIGN16(3008) = 3008: 16 bytes left over, too few for a chunk: all 3024 taken. */
	e = umalloc(&st, 3000);
	assert_int_equal(e, a);
	assert_int_equal(stats(&st).free_chunks, 0);
	assert_int_equal(stats(&st).in_use, 3024 + 1008);
	assert_int_equal(peek(fk, 0x602bd8, 8), 1008 | 1);
	assert_int_equal(ufree(&st, e), 0);
	/* Split this time: 1008 used, 2016 back in a list at 0x6023f0. */
	e = umalloc(&st, 1000);
	assert_int_equal(e, a);
	assert_int_equal(stats(&st).free_chunks, 1);
	assert_int_equal(peek(fk, 0x6023f8, 8), 2016 | 1);
	/* d joins the free 2016 behind it and the top after it: top at 0x6023f0. */
	assert_int_equal(ufree(&st, d), 0);
	assert_int_equal(stats(&st).free_chunks, 0);
	assert_int_equal(stats(&st).top_size, 0x21000 - 1008);
	assert_int_equal(stats(&st).in_use, 1008);
	assert_int_equal(umalloc(&st, 2000), 0x602400);
	expect_calls(fk, "");			/* 134160 - 131105 < a page: no trim */
	assert_heap_ok(&st);
	fk_free(fk);
}

static void mmap_threshold_boundary_64(void **state)
{
	struct fake_kernel *fk = fk_new(BRK64, MMAP64, 1 << 20, 1 << 20);
	struct umalloc_state st;
	unsigned long h, m;

	init(&st, fk, 8);
	/*
	 * The chunk decides: ALIGN16(req + 8) >= 131072 from req = 131049.
	 * malloc(131048): chunk 131056, the heap: 131056 + 131072 + 32 =
	 * 262160, 65 pages (0x41000).
	 */
	h = umalloc(&st, 131048);
	assert_int_equal(h, 0x602010);
	expect_calls(fk, "brk(0)=0x602000 brk(0x643000)=0x643000");
	/* malloc(131049): chunk 131072, mmapped: PAGE_ALIGN(131072 + 8) = 135168, 0x21000 below. */
	m = umalloc(&st, 131049);
	assert_int_equal(m, MMAP64 - 0x21000 + 16);
	expect_calls(fk, "mmap(135168)=0x7ffff7fde000");
	assert_int_equal(peek(fk, m - 8, 8), 135168 | 2);	/* size | IS_MMAPPED */
	assert_int_equal(peek(fk, m - 16, 8), 0);
	assert_int_equal(umalloc_usable_size(&st, m), 135168 - 16);
	assert_int_equal(stats(&st).mmapped_regions, 1);
	assert_int_equal(stats(&st).mmapped_bytes, 135168);
	assert_int_equal(stats(&st).arena, 0x41000);
	assert_int_equal(ufree(&st, m), 0);
	expect_calls(fk, "munmap(0x7ffff7fde000,135168)=0");
	assert_int_equal(stats(&st).mmapped_regions, 0);
	assert_int_equal(stats(&st).mmapped_bytes, 0);
	/* 0x41000 of top: PAGE_DOWN(266240 - 131105) = 32 pages back. */
	assert_int_equal(ufree(&st, h), 0);
	expect_calls(fk, "brk(0x623000)=0x623000");
	/* 128 KiB exactly: mmapped, 0x21000 again. */
	m = umalloc(&st, 128 * 1024);
	expect_calls(fk, "mmap(135168)=0x7ffff7fde000");
	assert_int_equal(ufree(&st, m), 0);
	assert_int_equal(stats(&st).n_mmap, 2);
	assert_int_equal(stats(&st).n_munmap, 2);
	assert_heap_ok(&st);
	fk_free(fk);
}

static void word_size_4_on_i386(void **state)
{
	struct fake_kernel *fk = fk_new(BRK32, MMAP32, 1 << 20, 1 << 20);
	struct umalloc_state st;
	unsigned long a, b, z, y, x;

	init(&st, fk, 4);
	/*
	 * W = 4: chunks ALIGN8(req + 4), MINSIZE 16, memory 8 bytes in.
	 * malloc(100): 104; 104 + 131072 + 16 = 131192, a page up 0x21000.
	 */
	a = umalloc(&st, 100);
	assert_int_equal(a, 0x804c008);
	expect_calls(fk, "brk(0)=0x804c000 brk(0x806d000)=0x806d000");
	assert_int_equal(peek(fk, 0x804c004, 4), 104 | 1);
	assert_int_equal(peek(fk, 0x804c06c, 4), (0x21000 - 104) | 1);	/* the top at 0x804c068 */
	b = umalloc(&st, 100);
	assert_int_equal(b, 0x804c070);
	z = umalloc(&st, 0);		/* 16 */
	assert_int_equal(z, 0x804c0d8);	/* 8-aligned, not 16 */
	y = umalloc(&st, 12);		/* ALIGN8(16) = 16 */
	assert_int_equal(y, 0x804c0e8);
	x = umalloc(&st, 13);		/* ALIGN8(17) = 24 */
	assert_int_equal(x, 0x804c0f8);
	assert_int_equal(umalloc_usable_size(&st, a), 100);
	assert_int_equal(umalloc_usable_size(&st, z), 12);
	assert_int_equal(umalloc_usable_size(&st, x), 20);
	assert_int_equal(stats(&st).in_use, 104 + 104 + 16 + 16 + 24);
	assert_int_equal(ufree(&st, a + 4), UMALLOC_EINVAL);
	assert_int_equal(ufree(&st, b), 0);
	assert_int_equal(ufree(&st, b), UMALLOC_EDOUBLE);
	assert_int_equal(ufree(&st, a), 0);
	assert_int_equal(ufree(&st, y), 0);
	assert_int_equal(ufree(&st, x), 0);
	assert_heap_ok(&st);
	assert_int_equal(ufree(&st, z), 0);
	/* All back in a top of 0x21000: 135168 - (131072 + 16 + 1) = 4079, no page to give. */
	expect_calls(fk, "");
	assert_int_equal(stats(&st).top_size, 0x21000);
	assert_heap_ok(&st);
	fk_free(fk);
}

static void mmap_threshold_boundary_32(void **state)
{
	struct fake_kernel *fk = fk_new(BRK32, MMAP32, 1 << 20, 1 << 20);
	struct umalloc_state st;
	unsigned long h, m;

	init(&st, fk, 4);
	/* ALIGN8(req + 4) >= 131072 from req = 131061.  131064 + 131072 + 16: 65 pages. */
	h = umalloc(&st, 131060);
	assert_int_equal(h, 0x804c008);
	expect_calls(fk, "brk(0)=0x804c000 brk(0x808d000)=0x808d000");
	/* PAGE_ALIGN(131072 + 4) = 135168 */
	m = umalloc(&st, 131061);
	assert_int_equal(m, 0xb7fdf008);
	expect_calls(fk, "mmap(135168)=0xb7fdf000");
	assert_int_equal(peek(fk, m - 4, 4), 135168 | 2);
	assert_int_equal(umalloc_usable_size(&st, m), 135168 - 8);
	assert_int_equal(ufree(&st, m), 0);
	expect_calls(fk, "munmap(0xb7fdf000,135168)=0");
	assert_int_equal(ufree(&st, h), 0);
	/* 266240 - 131089 = 135151: 32 pages. */
	expect_calls(fk, "brk(0x806d000)=0x806d000");
	assert_heap_ok(&st);
	fk_free(fk);
}

static void double_free_and_invalid_pointers_are_reported(void **state)
{
	struct fake_kernel *fk = fk_new(BRK64, MMAP64, 1 << 20, 1 << 20);
	struct umalloc_state st;
	unsigned long a, b, c, g, x, y, z, m;

	init(&st, fk, 8);
	/* Chunks of 112: a 0x602000, b 0x602070, c 0x6020e0, g 0x602150, x, y, z. */
	a = umalloc(&st, 100);
	b = umalloc(&st, 100);
	c = umalloc(&st, 100);
	g = umalloc(&st, 100);
	x = umalloc(&st, 100);
	y = umalloc(&st, 100);
	z = umalloc(&st, 100);
	assert_int_equal(z, 0x6022b0);
	m = umalloc(&st, 200000);	/* mmapped, PAGE_ALIGN(200024) = 200704 */
	fk->log[0] = 0;

	assert_int_equal(ufree(&st, 0), 0);
	/* Not aligned. */
	assert_int_equal(ufree(&st, a + 8), UMALLOC_EINVAL);
	assert_string_equal(umalloc_strerror(st.error), "free(): invalid pointer");
	/* Inside a block: the "header" is a's data, zero. */
	assert_int_equal(ufree(&st, a + 16), UMALLOC_ESIZE);
	assert_string_equal(umalloc_strerror(UMALLOC_ESIZE), "free(): invalid size");
	/* Nowhere: the header cannot be read - the process would die of SIGSEGV. */
	assert_int_equal(ufree(&st, 0x1000), UMALLOC_EFAULT);
	assert_int_equal(st.fault_addr, 0x1000 - 8);
	/* Inside the mmapped block: no IS_MMAPPED in the word before. */
	assert_int_equal(ufree(&st, m + 4096), UMALLOC_EINVAL);
	expect_calls(fk, "");
	assert_int_equal(stats(&st).in_use, 7 * 112);
	assert_heap_ok(&st);

	/* Freed and in a list: the next chunk's PREV_INUSE is clear. */
	assert_int_equal(ufree(&st, a), 0);
	assert_int_equal(ufree(&st, a), UMALLOC_EDOUBLE);
	assert_string_equal(umalloc_strerror(st.error), "free(): double free detected");
	/* Freed and taken by the free chunk before it: its header is dead. */
	assert_int_equal(ufree(&st, b), 0);
	assert_int_equal(ufree(&st, b), UMALLOC_EDOUBLE);
	assert_int_equal(peek(fk, b - 8, 8), 4);
	/* Freed and taken by the free chunk before it... after it: y, then x swallows y. */
	assert_int_equal(ufree(&st, y), 0);
	assert_int_equal(ufree(&st, x), 0);
	assert_int_equal(ufree(&st, y), UMALLOC_EDOUBLE);
	assert_int_equal(ufree(&st, x), UMALLOC_EDOUBLE);
	/* Freed into the top: z joins x+y and the top, which then starts at x. */
	assert_int_equal(ufree(&st, z), 0);
	assert_int_equal(ufree(&st, z), UMALLOC_EDOUBLE);
	assert_int_equal(ufree(&st, x), UMALLOC_EDOUBLE);
	assert_int_equal(stats(&st).top_size, 0x21000 - 4 * 112);
	/* Freed and unmapped: reading its header faults, as glibc's would. */
	assert_int_equal(ufree(&st, m), 0);
	assert_int_equal(ufree(&st, m), UMALLOC_EFAULT);
	expect_calls(fk, "munmap(0x7ffff7fce000,200704)=0");
	/* What was refused changed nothing. */
	assert_int_equal(stats(&st).in_use, 2 * 112);
	assert_int_equal(stats(&st).free_chunks, 1);
	assert_heap_ok(&st);
	assert_int_equal(ufree(&st, c), 0);
	assert_int_equal(ufree(&st, g), 0);
	assert_int_equal(stats(&st).in_use, 0);
	assert_heap_ok(&st);
	fk_free(fk);
}

static void corruption_is_seen_by_check_and_free(void **state)
{
	struct fake_kernel *fk = fk_new(BRK64, MMAP64, 1 << 20, 1 << 20);
	struct umalloc_state st;
	unsigned long a, b, c, bad = 0x1234;
	char msg[256];

	init(&st, fk, 8);
	a = umalloc(&st, 100);
	b = umalloc(&st, 100);
	c = umalloc(&st, 100);
	assert_int_equal(ufree(&st, b), 0);
	/* b's footer is c's prev_size: overwrite it, as a buffer overflow of b would. */
	memcpy(fk_mem(fk, c - 16, 8), &bad, 8);
	assert_int_equal(umalloc_check(&st, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "footer"));
	assert_int_equal(ufree(&st, c), UMALLOC_ECORRUPT);
	assert_string_equal(umalloc_strerror(st.error), "corrupted size vs. prev_size");
	assert_int_equal(ufree(&st, a), 0);
	fk_free(fk);
}

static void brk_failure_falls_back_to_mmap(void **state)
{
	struct fake_kernel *fk = fk_new(BRK64, MMAP64, 1 << 20, 1 << 20);
	struct umalloc_state st;
	unsigned long a, b;

	init(&st, fk, 8);
	/* RLIMIT_DATA of 64 KiB: brk refuses 132 KiB; the chunk of 112 is mmapped alone. */
	fk->brk_limit = 0x10000;
	a = umalloc(&st, 100);
	assert_int_equal(a, 0x7ffff7ffe010);
	expect_calls(fk, "brk(0)=0x602000 brk(0x623000)=0x602000 mmap(4096)=0x7ffff7ffe000");
	assert_int_equal(stats(&st).mmapped_regions, 1);
	assert_int_equal(stats(&st).arena, 0);
	assert_int_equal(ufree(&st, a), 0);
	expect_calls(fk, "munmap(0x7ffff7ffe000,4096)=0");
	assert_heap_ok(&st);

	/* 132 KiB allowed: brk is tried again (no brk(0) now) and works. */
	fk->brk_limit = 0x21000;
	a = umalloc(&st, 100);
	assert_int_equal(a, 0x602010);
	expect_calls(fk, "brk(0x623000)=0x623000");
	b = umalloc(&st, 100000);	/* 100016 from the top of 135056: 35040 left */
	assert_int_equal(b, 0x602080);
	expect_calls(fk, "");
	/*
	 * 100016 + 131072 + 32 - 35040 = 196080: 48 pages, brk(0x653000),
	 * refused; mmap PAGE_ALIGN(100024) = 102400 (0x19000).
	 */
	b = umalloc(&st, 100000);
	assert_int_equal(b, 0x7ffff7fe6010);
	expect_calls(fk, "brk(0x653000)=0x623000 mmap(102400)=0x7ffff7fe6000");

	/* Both refuse: malloc fails. */
	fk->mmap_fails = true;
	assert_int_equal(umalloc(&st, 100000), 0);
	assert_int_equal(st.error, UMALLOC_ENOMEM);
	expect_calls(fk, "brk(0x653000)=0x623000 mmap(102400)=-12");

	/*
	 * mmap refuses a large chunk (200016): the heap takes it, as glibc's
	 * sysmalloc does.  200016 + 131072 + 32 - 35040 = 296080: 73 pages.
	 */
	fk->brk_limit = ~0UL;
	a = umalloc(&st, 200000);
	assert_int_equal(a, 0x61a730);	/* the top was at 0x602070 + 100016 */
	expect_calls(fk, "mmap(200704)=-12 brk(0x66c000)=0x66c000");
	/* Back into the top, 35040 + 299008 = 334048: PAGE_DOWN(202943) = 49 pages. */
	assert_int_equal(ufree(&st, a), 0);
	expect_calls(fk, "brk(0x63b000)=0x63b000");
	assert_int_equal(ufree(&st, b), 0);
	expect_calls(fk, "munmap(0x7ffff7fe6000,102400)=0");
	assert_int_equal(stats(&st).n_brk, fk->nr_brk);
	assert_int_equal(stats(&st).n_mmap, fk->nr_mmap);
	assert_int_equal(stats(&st).n_munmap, fk->nr_munmap);
	assert_heap_ok(&st);
	fk_free(fk);
}

/* The process fills a block with a pattern of its own. */
static void fill(struct fake_kernel *fk, unsigned long addr, unsigned long len, unsigned int seed)
{
	unsigned char *m = fk_mem(fk, addr, len);

	assert_non_null(m);
	for (unsigned long i = 0; i < len; i++)
		m[i] = (unsigned char)(seed + i * 7 + (i >> 9));
}

static bool intact(struct fake_kernel *fk, unsigned long addr, unsigned long len,
		   unsigned int seed)
{
	unsigned char *m = fk_mem(fk, addr, len);

	if (!m)
		return false;
	for (unsigned long i = 0; i < len; i++)
		if (m[i] != (unsigned char)(seed + i * 7 + (i >> 9)))
			return false;
	return true;
}

static bool zeroed(struct fake_kernel *fk, unsigned long addr, unsigned long len)
{
	unsigned char *m = fk_mem(fk, addr, len);

	if (!m)
		return false;
	for (unsigned long i = 0; i < len; i++)
		if (m[i])
			return false;
	return true;
}

static void realloc_grows_shrinks_and_moves(void **state)
{
	struct fake_kernel *fk = fk_new(BRK64, MMAP64, 1 << 20, 1 << 20);
	struct umalloc_state st;
	unsigned long a, b, r, m;

	init(&st, fk, 8);
	a = umalloc(&st, 100);
	fill(fk, a, 100, 1);
	fk->log[0] = 0;
	/* The last chunk before the top grows into it: 1008, same place. */
	assert_int_equal(urealloc(&st, a, 1000), a);
	assert_true(intact(fk, a, 100, 1));
	assert_int_equal(stats(&st).in_use, 1008);
	fill(fk, a, 1000, 2);
	/* Shrinks in place: 208 kept, the 800 after it freed into the top (now 0x6020d0). */
	assert_int_equal(urealloc(&st, a, 200), a);
	assert_true(intact(fk, a, 200, 2));
	assert_int_equal(stats(&st).in_use, 208);
	assert_int_equal(stats(&st).top_size, 0x21000 - 208);
	b = umalloc(&st, 100);
	assert_int_equal(b, 0x6020e0);
	/* Blocked by b: moves to the top (0x602140), the old 208 goes to a list. */
	r = urealloc(&st, a, 1000);
	assert_int_equal(r, 0x602150);
	assert_true(intact(fk, r, 200, 2));
	assert_int_equal(stats(&st).in_use, 112 + 1008);
	assert_int_equal(stats(&st).free_chunks, 1);
	/*
	 * b to 150 (chunk 160): its next chunk is in use, so it moves - into
	 * the free 208 at 0x602000, split 160 + 48; b's old chunk then joins
	 * those 48: one free chunk of 160 at 0x6020a0.
	 */
	fill(fk, b, 100, 3);
	b = urealloc(&st, b, 150);
	assert_int_equal(b, 0x602010);
	assert_true(intact(fk, b, 100, 3));
	assert_int_equal(stats(&st).free_chunks, 1);
	assert_int_equal(peek(fk, 0x6020a8, 8), 160 | 1);
	/* b to 300 (chunk 320): its free neighbour of 160 makes exactly 320, in place. */
	assert_int_equal(urealloc(&st, b, 300), b);
	assert_true(intact(fk, b, 100, 3));
	assert_int_equal(stats(&st).free_chunks, 0);
	assert_int_equal(stats(&st).in_use, 320 + 1008);
	expect_calls(fk, "");
	assert_heap_ok(&st);

	/* mmapped: kept while it fits, moved to a new mapping when not. */
	m = umalloc(&st, 200000);
	expect_calls(fk, "mmap(200704)=0x7ffff7fce000");
	fill(fk, m, 200000, 4);
	assert_int_equal(urealloc(&st, m, 150000), m);
	r = urealloc(&st, m, 300000);	/* chunk 300016: PAGE_ALIGN(300024) = 303104 */
	assert_int_equal(r, 0x7ffff7f84010);
	expect_calls(fk, "mmap(303104)=0x7ffff7f84000 munmap(0x7ffff7fce000,200704)=0");
	assert_true(intact(fk, r, 200000, 4));

	/* glibc's edges: realloc(NULL, n) mallocs, realloc(p, 0) frees. */
	a = urealloc(&st, 0, 10);
	assert_int_not_equal(a, 0);
	assert_int_equal(urealloc(&st, a, 0), 0);
	assert_int_equal(st.error, 0);
	assert_int_equal(ufree(&st, a), UMALLOC_EDOUBLE);
	assert_int_equal(urealloc(&st, b + 8, 10), 0);
	assert_int_equal(st.error, UMALLOC_EINVAL);
	assert_heap_ok(&st);
	fk_free(fk);
}

static void calloc_zeroes_only_what_was_written(void **state)
{
	struct fake_kernel *fk = fk_new(BRK64, MMAP64, 1 << 20, 1 << 20);
	struct umalloc_state st;
	unsigned long c, m;

	init(&st, fk, 8);
	/*
	 * From fresh brk memory: only headers are written - the top's after
	 * brk, the chunk's, the new top's: 3 words.  The kernel's pages are
	 * zero; writing 1000 zeroes would fault them all in for nothing.
	 */
	c = ucalloc(&st, 10, 100);
	assert_int_equal(c, 0x602010);
	assert_int_equal(fk->written, 24);
	assert_true(zeroed(fk, c, 1000));
	fill(fk, c, 1000, 5);
	assert_int_equal(ufree(&st, c), 0);
	/* The same memory again, dirty now: zeroed. */
	fk->written = 0;
	c = ucalloc(&st, 1, 1000);
	assert_int_equal(c, 0x602010);
	assert_true(fk->written >= 1000);
	assert_true(zeroed(fk, c, 1000));
	/* mmapped: the two header words only. */
	fk->written = 0;
	m = ucalloc(&st, 1000, 200);
	assert_int_equal(fk->written, 16);
	assert_true(zeroed(fk, m, 200000));
	/* n * size overflows: no call, no block. */
	fk->log[0] = 0;
	assert_int_equal(ucalloc(&st, ~0UL / 2, 4), 0);
	assert_int_equal(st.error, UMALLOC_ENOMEM);
	assert_int_equal(umalloc(&st, ~0UL - 10), 0);
	expect_calls(fk, "");
	assert_int_equal(ufree(&st, m), 0);
	assert_int_equal(ufree(&st, c), 0);
	assert_heap_ok(&st);
	fk_free(fk);
}

static void fork_copies_the_state_and_heaps_diverge(void **state)
{
	struct fake_kernel *fk = fk_new(BRK64, MMAP64, 1 << 20, 1 << 20), *cfk;
	struct umalloc_state st, cst;
	unsigned long a, b, c, d;

	init(&st, fk, 8);
	a = umalloc(&st, 100);
	b = umalloc(&st, 200000);
	c = umalloc(&st, 5000);
	fill(fk, a, 100, 6);
	fill(fk, b, 200000, 7);
	fill(fk, c, 5000, 8);
	cfk = fk_clone(fk);
	umalloc_fork(&cst, &st, cfk);

	/* The child frees a and b and takes a's place again; the parent's are untouched. */
	assert_int_equal(ufree(&cst, a), 0);
	assert_int_equal(ufree(&cst, b), 0);
	expect_calls(cfk, "munmap(0x7ffff7fce000,200704)=0");
	d = umalloc(&cst, 50);
	assert_int_equal(d, a);
	fill(cfk, d, 50, 9);
	assert_heap_ok(&cst);
	assert_true(intact(fk, a, 100, 6));
	assert_true(intact(fk, b, 200000, 7));
	assert_true(intact(cfk, c, 5000, 8));
	assert_int_equal(stats(&st).mmapped_regions, 1);
	assert_int_equal(stats(&cst).mmapped_regions, 0);
	/* The parent goes on alone. */
	assert_int_equal(ufree(&st, c), 0);
	assert_int_equal(ufree(&st, a), 0);
	assert_int_equal(ufree(&st, b), 0);
	assert_heap_ok(&st);
	assert_int_equal(stats(&st).in_use, 0);
	assert_int_equal(ufree(&cst, c), 0);
	assert_int_equal(ufree(&cst, d), 0);
	assert_int_equal(stats(&cst).in_use, 0);
	assert_heap_ok(&cst);
	fk_free(cfk);
	fk_free(fk);
}

/* ---- random sequences against a reference model ---- */

struct block {
	unsigned long addr, size;
	unsigned int seed;
};

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static unsigned long random_size(void)
{
	unsigned int r = rnd() % 100;

	if (r < 65)
		return rnd() % 257;
	if (r < 88)
		return 257 + rnd() % 8000;
	if (r < 97)
		return 8257 + rnd() % 120000;
	return 128 * 1024 - 64 + rnd() % 200000;	/* around and over the threshold */
}

/* A new block: aligned, mapped, overlapping no live one. */
static void check_new_block(struct umalloc_state *st, struct fake_kernel *fk,
			    const struct block *live, int n, unsigned long addr, unsigned long size)
{
	unsigned long end = addr + (size ? size : 1);

	if (!addr)
		fail_msg("malloc(%lu) failed: %s", size, umalloc_strerror(st->error));
	assert_int_equal(addr & (2 * st->word - 1), 0);
	assert_non_null(fk_mem(fk, addr, size ? size : 1));
	assert_true(umalloc_usable_size(st, addr) >= size);
	for (int i = 0; i < n; i++)
		if (addr < live[i].addr + (live[i].size ? live[i].size : 1) && live[i].addr < end)
			fail_msg("[%#lx, %#lx) overlaps live [%#lx, +%lu)", addr, end, live[i].addr,
				 live[i].size);
}

/*
 * @steps random mallocs, callocs, frees and reallocs; a break limit of
 * @brk_limit makes brk fail now and then, and the chunks go to mmap.
 */
static void random_against_model(unsigned int word, unsigned long start_brk,
				 unsigned long mmap_base, unsigned long brk_limit, uint64_t seed,
				 int steps)
{
	enum { MAX_LIVE = 200 };
	struct fake_kernel *fk = fk_new(start_brk, mmap_base, 16 << 20, 32 << 20);
	struct block *live = calloc(MAX_LIVE, sizeof(*live));
	struct umalloc_state st;
	struct umalloc_stats s;
	unsigned int next_seed = 1;
	int n = 0;

	rnd_state = seed;
	fk->brk_limit = brk_limit;
	init(&st, fk, word);
	for (int step = 0; step < steps; step++) {
		unsigned int op = rnd() % 100;

		if (n == 0 || (op < 50 && n < MAX_LIVE)) {
			unsigned long size = random_size(), addr;
			bool zero = rnd() % 8 == 0;

			addr = zero ? ucalloc(&st, 1, size) : umalloc(&st, size);
			check_new_block(&st, fk, live, n, addr, size);
			if (zero && !zeroed(fk, addr, size))
				fail_msg("calloc(%lu) at %#lx not zeroed (step %d)", size, addr, step);
			live[n] = (struct block){ addr, size, next_seed++ };
			fill(fk, addr, size, live[n].seed);
			n++;
		} else if (op < 85) {
			int i = rnd() % n;

			if (!intact(fk, live[i].addr, live[i].size, live[i].seed))
				fail_msg("block %#lx (%lu bytes) changed (step %d)", live[i].addr,
					 live[i].size, step);
			if (ufree(&st, live[i].addr))
				fail_msg("free(%#lx): %s", live[i].addr, umalloc_strerror(st.error));
			live[i] = live[--n];
		} else {
			int i = rnd() % n;
			unsigned long size = random_size(), keep, addr;
			struct block old = live[i];

			keep = size < old.size ? size : old.size;
			live[i] = live[--n];	/* out of the model while it moves */
			addr = urealloc(&st, old.addr, size);
			if (!size) {
				assert_int_equal(addr, 0);
				assert_int_equal(st.error, 0);
				continue;
			}
			check_new_block(&st, fk, live, n, addr, size);
			if (!intact(fk, addr, keep, old.seed))
				fail_msg("realloc(%#lx, %lu) -> %#lx lost the contents (step %d)",
					 old.addr, size, addr, step);
			live[n] = (struct block){ addr, size, next_seed++ };
			fill(fk, addr, size, live[n].seed);
			n++;
		}
		assert_int_not_equal(st.error, UMALLOC_EFAULT);
		if (step % 50 == 0)
			assert_heap_ok(&st);
	}
	while (n--) {
		assert_true(intact(fk, live[n].addr, live[n].size, live[n].seed));
		assert_int_equal(ufree(&st, live[n].addr), 0);
	}
	assert_heap_ok(&st);
	s = stats(&st);
	/* Everything back: no chunk in use or listed, no mapping, a trimmed top. */
	assert_int_equal(s.in_use, 0);
	assert_int_equal(s.free_chunks, 0);
	assert_int_equal(s.mmapped_regions, 0);
	assert_int_equal(s.mmapped_bytes, 0);
	assert_int_equal(s.arena, s.top_size);
	assert_true(s.top_size < UMALLOC_TOP_PAD + 4 * word + 1 + PAGE);
	assert_int_equal(fk->brk, s.heap_end);
	for (unsigned long i = 0; i < fk->mmap_span / PAGE; i++)
		assert_false(fk->mapped[i]);
	/* Every call the kernel got is counted, and there were some of each. */
	assert_int_equal(s.n_brk, fk->nr_brk);
	assert_int_equal(s.n_mmap, fk->nr_mmap);
	assert_int_equal(s.n_munmap, fk->nr_munmap);
	assert_true(s.n_brk > 2 && s.n_mmap > 0 && s.n_munmap == s.n_mmap);
	free(live);
	fk_free(fk);
}

static void random_sequences_x86_64(void **state)
{
	random_against_model(8, BRK64, MMAP64, ~0UL, 0x9e3779b97f4a7c15ULL, 10000);
	random_against_model(8, BRK64 + 8, MMAP64, 512 << 10, 12345, 10000);
}

static void random_sequences_i386(void **state)
{
	random_against_model(4, BRK32, MMAP32, ~0UL, 0x2545f4914f6cdd1dULL, 10000);
	random_against_model(4, BRK32 + 4, MMAP32, 512 << 10, 777, 10000);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_malloc_asks_brk_0_then_132k),
		cmocka_unit_test(misaligned_break_is_aligned_up),
		cmocka_unit_test(heap_grows_by_request_plus_pad),
		cmocka_unit_test(free_trims_the_top_with_brk),
		cmocka_unit_test(free_coalesces_with_neighbours_and_top),
		cmocka_unit_test(mmap_threshold_boundary_64),
		cmocka_unit_test(word_size_4_on_i386),
		cmocka_unit_test(mmap_threshold_boundary_32),
		cmocka_unit_test(double_free_and_invalid_pointers_are_reported),
		cmocka_unit_test(corruption_is_seen_by_check_and_free),
		cmocka_unit_test(brk_failure_falls_back_to_mmap),
		cmocka_unit_test(realloc_grows_shrinks_and_moves),
		cmocka_unit_test(calloc_zeroes_only_what_was_written),
		cmocka_unit_test(fork_copies_the_state_and_heaps_diverge),
		cmocka_unit_test(random_sequences_x86_64),
		cmocka_unit_test(random_sequences_i386),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
