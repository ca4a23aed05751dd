/*
 * random.c - xoshiro256** per simulated CPU, seeded from the machine's
 * seed (boot option seed=).  The same seed and the same sequence of calls
 * on each CPU give the same numbers.
 *
 * A CPU's stream is advanced with its interrupts disabled, so a remote
 * handler running as that CPU (hw_run_on_cpu) draws from it in turn with
 * the owner, never at the same time.
 */
#include <kmm/irqflags.h>
#include <kmm/random.h>

static u64 prandom_state[NR_CPUS][4] __state_bulk;

static u64 splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void prandom_seed_cpus(u64 seed)
{
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		u64 s = seed * 0x100000001b3ULL + cpu;

		for (int i = 0; i < 4; i++)
			prandom_state[cpu][i] = splitmix64(&s);
	}
}

static inline u64 rotl(u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static u64 xoshiro_next(u64 *s)
{
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

u64 prandom_u64(void)
{
	unsigned long flags;
	u64 r;

	if (unlikely(smp_processor_id() < 0))	/* a thread outside the machine */
		return xoshiro_next(prandom_state[0]);
	local_irq_save(flags);
	r = xoshiro_next(prandom_state[smp_processor_id()]);
	local_irq_restore(flags);
	return r;
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
