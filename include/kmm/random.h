/* random.h - the machine's seeded pseudo-random numbers, one stream per CPU. */
#ifndef KMM_RANDOM_H
#define KMM_RANDOM_H

#include <kmm/types.h>

/* Seed every CPU's stream from the machine's seed (at machine setup). */
void prandom_seed_cpus(u64 seed);

u64 prandom_u64(void);
u32 random32(void);
/* Uniform in [0, n), n > 0. */
u64 prandom_below(u64 n);

#endif /* KMM_RANDOM_H */
