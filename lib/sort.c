/*
 * sort.c - heapsort.  O(n log n) always, no recursion, no memory: usable
 * at boot, before any allocator exists.  Not stable.
 */
#include <kmm/sort.h>

static void generic_swap(void *a, void *b, int size)
{
	char *x = a, *y = b;

	while (size--) {
		char t = *x;

		*x++ = *y;
		*y++ = t;
	}
}

void sort(void *base, size_t num, size_t size,
	  int (*cmp)(const void *, const void *),
	  void (*swap_fn)(void *, void *, int size))
{
	char *b = base;
	size_t i, n = num * size, c, r;

	if (!swap_fn)
		swap_fn = generic_swap;
	if (num < 2)
		return;
	/* Heapify: sift down every internal node. */
	for (i = (num / 2) * size; ; ) {
		i -= size;
		for (r = i; r * 2 + size < n; r = c) {
			c = r * 2 + size;
			if (c < n - size && cmp(b + c, b + c + size) < 0)
				c += size;
			if (cmp(b + r, b + c) >= 0)
				break;
			swap_fn(b + r, b + c, size);
		}
		if (i == 0)
			break;
	}
	/* Repeatedly move the maximum to the end and restore the heap. */
	for (i = n - size; i > 0; i -= size) {
		swap_fn(b, b + i, size);
		for (r = 0; r * 2 + size < i; r = c) {
			c = r * 2 + size;
			if (c < i - size && cmp(b + c, b + c + size) < 0)
				c += size;
			if (cmp(b + r, b + c) >= 0)
				break;
			swap_fn(b + r, b + c, size);
		}
	}
}
