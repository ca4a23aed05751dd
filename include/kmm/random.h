/* random.h - the machine's seeded pseudo-random numbers, one stream per CPU. */
#ifndef KMM_RANDOM_H
#define KMM_RANDOM_H

#include <kmm/types.h>

u64 prandom_u64(void);
u32 random32(void);
/* Uniform in [0, n), n > 0. */
u64 prandom_below(u64 n);

#endif /* KMM_RANDOM_H */
