/*
 * bitmap.c - bitmap searching and range operations.
 *
 * Searches scan a word at a time: the first partial word is masked, then
 * whole words are skipped while they hold no candidate bit.
 */
#include <kmm/bitmap.h>

static unsigned long find_next(const unsigned long *addr, unsigned long size,
			       unsigned long offset, unsigned long invert)
{
	unsigned long word;

	if (offset >= size)
		return size;
	word = (addr[BIT_WORD(offset)] ^ invert) & (~0UL << (offset % BITS_PER_LONG));
	offset = round_down(offset, BITS_PER_LONG);
	while (!word) {
		offset += BITS_PER_LONG;
		if (offset >= size)
			return size;
		word = addr[BIT_WORD(offset)] ^ invert;
	}
	return min(offset + __ffs(word), size);
}

unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
			    unsigned long offset)
{
	return find_next(addr, size, offset, 0);
}

unsigned long find_next_zero_bit(const unsigned long *addr, unsigned long size,
				 unsigned long offset)
{
	return find_next(addr, size, offset, ~0UL);
}

void bitmap_fill(unsigned long *dst, unsigned int nbits)
{
	unsigned int n = BITS_TO_LONGS(nbits);

	if (!n)
		return;
	memset(dst, 0xff, n * sizeof(unsigned long));
	dst[n - 1] = BITMAP_LAST_WORD_MASK(nbits);
}

void bitmap_set(unsigned long *map, unsigned int start, unsigned int len)
{
	unsigned int i;

	for (i = start; i < start + len && i % BITS_PER_LONG; i++)
		__set_bit(i, map);
	for (; i + BITS_PER_LONG <= start + len; i += BITS_PER_LONG)
		map[BIT_WORD(i)] = ~0UL;
	for (; i < start + len; i++)
		__set_bit(i, map);
}

void bitmap_clear(unsigned long *map, unsigned int start, unsigned int len)
{
	unsigned int i;

	for (i = start; i < start + len && i % BITS_PER_LONG; i++)
		__clear_bit(i, map);
	for (; i + BITS_PER_LONG <= start + len; i += BITS_PER_LONG)
		map[BIT_WORD(i)] = 0;
	for (; i < start + len; i++)
		__clear_bit(i, map);
}

bool bitmap_empty(const unsigned long *src, unsigned int nbits)
{
	return find_first_bit(src, nbits) >= nbits;
}

bool bitmap_full(const unsigned long *src, unsigned int nbits)
{
	return find_first_zero_bit(src, nbits) >= nbits;
}

unsigned int bitmap_weight(const unsigned long *src, unsigned int nbits)
{
	unsigned int k, w = 0, lim = nbits / BITS_PER_LONG;

	for (k = 0; k < lim; k++)
		w += hweight_long(src[k]);
	if (nbits % BITS_PER_LONG)
		w += hweight_long(src[k] & BITMAP_LAST_WORD_MASK(nbits));
	return w;
}

bool bitmap_equal(const unsigned long *a, const unsigned long *b, unsigned int nbits)
{
	unsigned int k, lim = nbits / BITS_PER_LONG;

	for (k = 0; k < lim; k++)
		if (a[k] != b[k])
			return false;
	if (nbits % BITS_PER_LONG)
		return !((a[k] ^ b[k]) & BITMAP_LAST_WORD_MASK(nbits));
	return true;
}

void bitmap_or(unsigned long *dst, const unsigned long *a, const unsigned long *b,
	       unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = a[k] | b[k];
}

void bitmap_and(unsigned long *dst, const unsigned long *a, const unsigned long *b,
		unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = a[k] & b[k];
}

unsigned long bitmap_find_next_zero_area(unsigned long *map, unsigned long size,
					 unsigned long start, unsigned int nr,
					 unsigned long align_mask)
{
	unsigned long index, end, i;

again:
	index = find_next_zero_bit(map, size, start);
	index = (index + align_mask) & ~align_mask;
	end = index + nr;
	if (end > size)
		return end;
	i = find_next_bit(map, end, index);
	if (i < end) {
		start = i + 1;
		goto again;
	}
	return index;
}
