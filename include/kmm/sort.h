/* sort.h - in-place heapsort (no recursion, no allocation), as lib/sort.c. */
#ifndef KMM_SORT_H
#define KMM_SORT_H

#include <kmm/types.h>

void sort(void *base, size_t num, size_t size,
	  int (*cmp)(const void *, const void *),
	  void (*swap)(void *, void *, int size));

#endif /* KMM_SORT_H */
