/* log2.h - integer logarithms and power-of-two rounding. */
#ifndef KMM_LOG2_H
#define KMM_LOG2_H

#include <kmm/bitops.h>

static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* floor(log2(n)); n must be non-zero. */
static inline int ilog2(unsigned long n)
{
	return (int)__fls(n);
}

static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return n <= 1 ? 1 : 1UL << (__fls(n - 1) + 1);
}

static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << __fls(n);
}

/* Smallest order such that (PAGE_SIZE << order) >= size; see get_order() in page.h. */

#endif /* KMM_LOG2_H */
