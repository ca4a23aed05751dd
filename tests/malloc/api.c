/*
 * api.c - the malloc family's contract, edge by edge.
 *
 * Each check prints "ok NAME" or "FAIL NAME"; the output is the same under
 * any malloc that keeps the contract (glibc's included), and the exit
 * status is 1 if a check failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failed;

static void expect(const char *name, int ok)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", name);
	failed |= !ok;
}

/* Defeat the compiler's knowledge of malloc: these calls must happen. */
static void *(*volatile p_malloc)(size_t) = malloc;
static void *(*volatile p_calloc)(size_t, size_t) = calloc;
static void *(*volatile p_realloc)(void *, size_t) = realloc;
static void *(*volatile p_reallocarray)(void *, size_t, size_t) = reallocarray;

static int aligned16(const void *p)
{
	return !((uintptr_t)p & 15);
}

int main(void)
{
	void *a, *b, *p;
	int ok;

	a = p_malloc(0);
	b = p_malloc(0);
	expect("malloc(0) gives distinct pointers", a && b && a != b);
	free(a);
	free(b);
	free(NULL);
	expect("free(NULL)", 1);

	ok = 1;
	for (size_t n = 1; n < (1 << 23); n = n * 3 + 1) {
		p = p_malloc(n);
		ok &= p && aligned16(p) && malloc_usable_size(p) >= n;
		memset(p, 1, n);
		free(p);
	}
	expect("sizes 1 .. 8 MiB: 16-byte aligned, usable size covers the request", ok);

	errno = 0;
	p = p_calloc(SIZE_MAX / 2, 3);
	expect("calloc overflow: NULL, ENOMEM", !p && errno == ENOMEM);
	p = p_calloc(1000, 1000);
	ok = p != NULL;
	for (size_t i = 0; ok && i < 1000000; i++)
		ok = !((char *)p)[i];
	expect("calloc zeroes", ok);
	free(p);

	/*
	 * Memory freed dirty comes back zeroed by calloc, whatever its kind:
	 * 24 blocks of 2 MiB filled and freed, then callocs over them of a
	 * small object, a page block and a block beyond 4 MiB (with the
	 * library booted ram=64M, the big one has to reuse the dirty blocks).
	 */
	{
		static const size_t sizes[] = { 100, 100000, 3 << 20, 16 << 20 };
		void *dirty[24];

		ok = 1;
		for (int i = 0; i < 24; i++) {
			dirty[i] = p_malloc(2 << 20);
			ok &= dirty[i] != NULL;
			if (dirty[i])
				memset(dirty[i], 0xa5, 2 << 20);
		}
		for (int i = 0; i < 24; i++)
			free(dirty[i]);
		for (int round = 0; round < 2; round++)
			for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
				p = p_calloc(1, sizes[k]);
				ok &= p != NULL;
				for (size_t i = 0; p && i < sizes[k]; i += 64)
					ok &= !((char *)p)[i];
				if (p)
					memset(p, 0x5a, sizes[k]);
				free(p);
			}
		expect("calloc zeroes memory freed dirty (small, page and big blocks)", ok);
	}

	errno = 0;
	p = p_malloc(SIZE_MAX - 4096);
	expect("malloc(SIZE_MAX - 4096): NULL, ENOMEM", !p && errno == ENOMEM);

	p = p_realloc(NULL, 100);
	expect("realloc(NULL, n) allocates", p != NULL);
	memset(p, 7, 100);
	p = p_realloc(p, 100000);
	ok = p != NULL;
	for (int i = 0; ok && i < 100; i++)
		ok = ((char *)p)[i] == 7;
	expect("realloc keeps the contents", ok);
	p = p_realloc(p, 10);
	expect("realloc shrinks", p && ((char *)p)[9] == 7);
	errno = 0;
	p = p_realloc(p, SIZE_MAX - 4096);
	expect("realloc too large: NULL, ENOMEM, block kept", !p && errno == ENOMEM);
	free(p);

	ok = 1;
	for (size_t al = sizeof(void *); al <= (1 << 22); al *= 2) {
		ok &= !posix_memalign(&p, al, 100) && !((uintptr_t)p & (al - 1));
		free(p);
		p = memalign(al, 5000);
		ok &= p && !((uintptr_t)p & (al - 1));
		free(p);
		p = aligned_alloc(al, al);
		ok &= p && !((uintptr_t)p & (al - 1));
		free(p);
	}
	expect("posix_memalign, memalign, aligned_alloc: 8 .. 4 MiB alignments", ok);
	expect("posix_memalign: alignment not a power of two is EINVAL",
	       posix_memalign(&p, 24, 8) == EINVAL);
	expect("posix_memalign: alignment below a pointer is EINVAL",
	       posix_memalign(&p, 4, 8) == EINVAL);

	p = valloc(10);
	expect("valloc is page-aligned", p && !((uintptr_t)p % sysconf(_SC_PAGESIZE)));
	free(p);
	p = pvalloc(10);
	expect("pvalloc rounds to a page", p && !((uintptr_t)p % sysconf(_SC_PAGESIZE)) &&
					       malloc_usable_size(p) >= 4096);
	free(p);
	expect("malloc_usable_size(NULL) is 0", malloc_usable_size(NULL) == 0);

	p = p_reallocarray(NULL, SIZE_MAX / 2, 4);
	expect("reallocarray overflow: NULL", !p);
	p = p_reallocarray(NULL, 10, 10);
	expect("reallocarray allocates", p != NULL);
	free(p);

	p = p_malloc(50);
	p = p_realloc(p, 0);
	expect("realloc(p, 0) frees and returns NULL (as glibc)", p == NULL);
	return failed;
}
