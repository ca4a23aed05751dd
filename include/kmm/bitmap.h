/*
 * bitmap.h - operations on bitmaps of arbitrary length (arrays of longs).
 * Bits beyond @nbits in the last word are kept zero by every operation.
 */
#ifndef KMM_BITMAP_H
#define KMM_BITMAP_H

#include <kmm/bitops.h>
#include <kmm/string.h>

#define DECLARE_BITMAP(name, bits)	unsigned long name[BITS_TO_LONGS(bits)]
#define BITMAP_LAST_WORD_MASK(nbits) \
	(((nbits) % BITS_PER_LONG) ? (1UL << ((nbits) % BITS_PER_LONG)) - 1 : ~0UL)

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

void bitmap_fill(unsigned long *dst, unsigned int nbits);
void bitmap_set(unsigned long *map, unsigned int start, unsigned int len);
void bitmap_clear(unsigned long *map, unsigned int start, unsigned int len);
bool bitmap_empty(const unsigned long *src, unsigned int nbits);
bool bitmap_full(const unsigned long *src, unsigned int nbits);
unsigned int bitmap_weight(const unsigned long *src, unsigned int nbits);
bool bitmap_equal(const unsigned long *a, const unsigned long *b, unsigned int nbits);
void bitmap_or(unsigned long *dst, const unsigned long *a, const unsigned long *b,
	       unsigned int nbits);
void bitmap_and(unsigned long *dst, const unsigned long *a, const unsigned long *b,
		unsigned int nbits);
/*
 * Find @nr consecutive clear bits starting at a multiple of @align_mask+1,
 * at or after @start, below @size.  Returns the index, or a value >= @size
 * when there is no such range.
 */
unsigned long bitmap_find_next_zero_area(unsigned long *map, unsigned long size,
					 unsigned long start, unsigned int nr,
					 unsigned long align_mask);

/* Read or write the @width-bit field at bit @start (width <= BITS_PER_LONG, no straddle). */
static inline unsigned long bitmap_get_field(const unsigned long *map, unsigned long start,
					     unsigned int width)
{
	unsigned long word = map[BIT_WORD(start)] >> (start % BITS_PER_LONG);

	return width == BITS_PER_LONG ? word : word & ((1UL << width) - 1);
}

static inline void bitmap_set_field(unsigned long *map, unsigned long start, unsigned int width,
				    unsigned long value)
{
	unsigned long mask = (width == BITS_PER_LONG ? ~0UL : (1UL << width) - 1)
			     << (start % BITS_PER_LONG);

	map[BIT_WORD(start)] = (map[BIT_WORD(start)] & ~mask) |
			       ((value << (start % BITS_PER_LONG)) & mask);
}

#endif /* KMM_BITMAP_H */
