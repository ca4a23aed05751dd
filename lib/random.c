/*
 * random.c - xoshiro256** per simulated CPU, seeded from the machine's
 * seed (boot option seed=).  The same seed and the same sequence of calls
 * on each CPU give the same numbers.
 */
#include <kmm/random.h>
#include "hw/cpu.h"

static inline u64 rotl(u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

u64 prandom_u64(void)
{
	/* This CPU's stream (a remote handler has its own, see hw_run_on_cpu). */
	u64 *s = hw_this_cpu ? hw_this_cpu->rng : hw_cpus[0].rng;
	u64 result = rotl(s[1] * 5, 7) * 9;
	u64 t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

u32 random32(void)
{
	return prandom_u64() >> 32;
}

u64 prandom_below(u64 n)
{
	/* Lemire's multiply-shift, with rejection of the biased low slice. */
	u64 x = prandom_u64();
	unsigned __int128 m = (unsigned __int128)x * n;
	u64 l = (u64)m;

	if (l < n) {
		u64 t = -n % n;

		while (l < t) {
			x = prandom_u64();
			m = (unsigned __int128)x * n;
			l = (u64)m;
		}
	}
	return m >> 64;
}
