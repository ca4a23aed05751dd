/*
 * string.c - the string and memory functions of the kernel (Linux's
 * lib/string.c and arch/x86/lib/memcpy_64.S), and the number helpers it
 * has and libc lacks: strlcpy, memchr_inv, memparse, strict integer
 * parsing, the integer square root used by min_free_kbytes.
 *
 * Built freestanding (KMM_FREESTANDING): the functions below are defined
 * under their C names and land in the object as kmm_memcpy and so on, so
 * that mm/ takes nothing from the C library.  The compiler must not turn
 * their loops back into calls of themselves: the loops are marked so.
 *
 * Bulk copies and fills (2K and up) use x86's rep movsb / rep stosb (fast
 * strings, as Linux's memcpy_erms); shorter ones move 16 bytes at a time
 * (SSE2, in every x86-64), the last move overlapping the one before.
 * Under the sanitizers, which cannot see inside an asm statement or a
 * vector move, plain loops do the work so every byte access is checked.
 */
#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/string.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || !defined(__x86_64__)
#define STRING_PLAIN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define STRING_PLAIN	1
#endif
#endif
#ifndef STRING_PLAIN
#define STRING_PLAIN	0
#endif

#if defined(__clang__)
#define NOT_A_CALL	/* clang keeps its own calls to the C library's names */
#else
#define NOT_A_CALL	__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif

/*
 * Below REP_THRESHOLD bytes, rep's start-up costs more than it saves:
 * 16-byte moves do the work, the last one overlapping the one before it
 * so that no byte loop is needed for the tail.
 */
#define REP_THRESHOLD	2048

typedef unsigned char v16 __attribute__((vector_size(16)));
typedef unsigned char v32 __attribute__((vector_size(32)));

/*
 * Hosts with AVX2 move 32 bytes at a time from AVX2_MIN up to
 * REP_THRESHOLD (below it, the 16-byte moves cost less than entering AVX
 * state); decided once, before main, from the CPU's features.
 *
 * Not GCC's __builtin_cpu_supports: that links libgcc's CPU model, whose
 * constructor runs a dozen cpuid leaves, and under a hypervisor each cpuid
 * is a VM exit (5 us on the development host) -- 50 us that every process
 * started with libkmm-malloc.so paid.  With glibc (2.33 on), its loader
 * asked the CPU already and <sys/platform/x86.h> reads the answer: no
 * cpuid at all.  Elsewhere two leaves and xgetbv: AVX2 is usable when the
 * OS saves YMM state (leaf 1 ECX: OSXSAVE bit 27, AVX bit 28; a CPU with
 * XSAVE has leaves up to 0xd, so leaf 7 exists), has enabled it (XCR0
 * bits 1-2) and the CPU has it (leaf 7, EBX bit 5).
 */
#define AVX2_MIN	256
static bool use_avx2;

#if defined(__x86_64__) && !defined(__clang__) && __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>

static bool host_has_avx2(void)
{
	return CPU_FEATURE_ACTIVE(AVX2);
}
#elif defined(__x86_64__) && !defined(__clang__)
static void cpuid_count(unsigned int leaf, unsigned int sub, unsigned int r[4])
{
	__asm__ __volatile__("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
				     : "a"(leaf), "c"(sub));
}

static bool host_has_avx2(void)
{
	unsigned int r[4], lo, hi;

	cpuid_count(1, 0, r);
	if ((r[2] & (3u << 27)) != (3u << 27))
		return false;
	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	if ((lo & 6) != 6)
		return false;
	cpuid_count(7, 0, r);
	return r[1] & (1u << 5);
}
#endif

__attribute__((constructor)) static void string_init(void)
{
#if defined(__x86_64__) && !defined(__clang__)
	use_avx2 = host_has_avx2();
#endif
}

#if defined(__x86_64__)
/* @n from 32 to REP_THRESHOLD: 64 bytes a round, the last 32 overlapping. */
__attribute__((target("avx2"))) static void copy_avx2(unsigned char *d, const unsigned char *s,
						      size_t n)
{
	size_t i = 0;

	for (; i + 64 <= n; i += 64) {
		v32 a, b;

		__builtin_memcpy(&a, s + i, 32);
		__builtin_memcpy(&b, s + i + 32, 32);
		__builtin_memcpy(d + i, &a, 32);
		__builtin_memcpy(d + i + 32, &b, 32);
	}
	if (i + 32 <= n) {
		v32 a;

		__builtin_memcpy(&a, s + i, 32);
		__builtin_memcpy(d + i, &a, 32);
	}
	if (n & 31) {
		v32 a;

		__builtin_memcpy(&a, s + n - 32, 32);
		__builtin_memcpy(d + n - 32, &a, 32);
	}
}

__attribute__((target("avx2"))) static void fill_avx2(unsigned char *d, int c, size_t n)
{
	v32 v = (v32){ 0 } + (unsigned char)c;
	size_t i = 0;

	for (; i + 64 <= n; i += 64) {
		__builtin_memcpy(d + i, &v, 32);
		__builtin_memcpy(d + i + 32, &v, 32);
	}
	if (i + 32 <= n)
		__builtin_memcpy(d + i, &v, 32);
	if (n & 31)
		__builtin_memcpy(d + n - 32, &v, 32);
}
#else
static void copy_avx2(unsigned char *d, const unsigned char *s, size_t n)
{
}

static void fill_avx2(unsigned char *d, int c, size_t n)
{
}
#endif

/* Copy 1 to 31 bytes (@n), from both ends with overlapping moves. */
static __always_inline void copy_small(unsigned char *d, const unsigned char *s, size_t n)
{
	if (n >= 16) {
		v16 a, b;

		__builtin_memcpy(&a, s, 16);
		__builtin_memcpy(&b, s + n - 16, 16);
		__builtin_memcpy(d, &a, 16);
		__builtin_memcpy(d + n - 16, &b, 16);
	} else if (n >= 8) {
		u64 a, b;

		__builtin_memcpy(&a, s, 8);
		__builtin_memcpy(&b, s + n - 8, 8);
		__builtin_memcpy(d, &a, 8);
		__builtin_memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		u32 a, b;

		__builtin_memcpy(&a, s, 4);
		__builtin_memcpy(&b, s + n - 4, 4);
		__builtin_memcpy(d, &a, 4);
		__builtin_memcpy(d + n - 4, &b, 4);
	} else {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	}
}

NOT_A_CALL void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (STRING_PLAIN) {
		while (n--)
			*d++ = *s++;
		return dst;
	}
	if (n >= REP_THRESHOLD) {
		__asm__ __volatile__("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
		return dst;
	}
	if (n >= AVX2_MIN && use_avx2) {
		copy_avx2(d, s, n);
		return dst;
	}
	if (n >= 32) {
		/* 32 bytes at a time, then the last 32 (overlapping what came before). */
		size_t last = n - 32;

		for (size_t i = 0; i < last; i += 32) {
			v16 a, b;

			__builtin_memcpy(&a, s + i, 16);
			__builtin_memcpy(&b, s + i + 16, 16);
			__builtin_memcpy(d + i, &a, 16);
			__builtin_memcpy(d + i + 16, &b, 16);
		}
		copy_small(d + last, s + last, 32);
		return dst;
	}
	copy_small(d, s, n);
	return dst;
}

/* memcpy's moves read ahead of what they write: it serves only when the areas do not overlap. */
NOT_A_CALL void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d + n <= s || s + n <= d)
		return memcpy(dst, src, n);
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else if (d > s) {
		d += n;
		s += n;
		while (n--)
			*--d = *--s;
	}
	return dst;
}

NOT_A_CALL void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	v16 v = (v16){ 0 } + (unsigned char)c;

	if (STRING_PLAIN) {
		while (n--)
			*d++ = (unsigned char)c;
		return dst;
	}
	if (n >= REP_THRESHOLD) {
		__asm__ __volatile__("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
		return dst;
	}
	if (n >= AVX2_MIN && use_avx2) {
		fill_avx2(d, c, n);
		return dst;
	}
	if (n >= 32) {
		/* 32 bytes at a time, then the last 32 (overlapping). */
		for (size_t i = 0; i + 32 <= n; i += 32) {
			__builtin_memcpy(d + i, &v, 16);
			__builtin_memcpy(d + i + 16, &v, 16);
		}
		if (n & 31) {
			__builtin_memcpy(d + n - 32, &v, 16);
			__builtin_memcpy(d + n - 16, &v, 16);
		}
		return dst;
	}
	if (n >= 16) {
		__builtin_memcpy(d, &v, 16);
		__builtin_memcpy(d + n - 16, &v, 16);
		return dst;
	}
	if (n >= 8) {
		u64 w = 0x0101010101010101ULL * (unsigned char)c;

		__builtin_memcpy(d, &w, 8);
		__builtin_memcpy(d + n - 8, &w, 8);
	} else {
		for (size_t i = 0; i < n; i++)
			d[i] = (unsigned char)c;
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

NOT_A_CALL size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i])
		i++;
	return i;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

char *strstr(const char *h, const char *n)
{
	size_t ln = strlen(n);

	if (!ln)
		return (char *)h;
	for (; *h; h++)
		if (*h == *n && !strncmp(h, n, ln))
			return (char *)h;
	return NULL;
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len >= size ? size - 1 : len;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

void *memchr_inv(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/*
 * Parse an unsigned number; base 0 means C rules (0x hex, 0 octal).
 * *end is left at the first unparsed character.  Returns -ERANGE on
 * overflow, -EINVAL when no digit was read.
 */
static int parse_ull(const char *s, unsigned int base, unsigned long long *res,
		     const char **end)
{
	unsigned long long v = 0;
	const char *p = s;
	int any = 0;

	if (base == 0) {
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
			base = 16;
			p += 2;
		} else if (p[0] == '0' && digit_value(p[1]) < 8) {
			base = 8;
			p++;
		} else {
			base = 10;
		}
	} else if (base == 16 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
	}
	for (; digit_value(*p) < (int)base; p++) {
		unsigned int d = digit_value(*p);

		if (v > (~0ULL - d) / base)
			return -ERANGE;
		v = v * base + d;
		any = 1;
	}
	if (!any)
		return -EINVAL;
	*res = v;
	*end = p;
	return 0;
}

int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	const char *end;
	int err;

	if (!s || *s == '+' || *s == '-')
		return -EINVAL;
	err = parse_ull(s, base, res, &end);
	if (err)
		return err;
	return *end ? -EINVAL : 0;
}

int kstrtoll(const char *s, unsigned int base, long long *res)
{
	unsigned long long v;
	int neg = 0, err;

	if (!s)
		return -EINVAL;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	err = kstrtoull(s, base, &v);
	if (err)
		return err;
	if (neg ? v > (unsigned long long)LONG_MAX + 1 : v > (unsigned long long)LONG_MAX)
		return -ERANGE;
	*res = neg ? -(long long)v : (long long)v;
	return 0;
}

/*
 * memparse - a size with an optional K/M/G/T/P/E suffix (powers of 1024).
 * On a malformed or overflowing number, *retptr is left at @ptr so the
 * caller can tell that nothing was parsed.
 */
unsigned long long memparse(const char *ptr, char **retptr)
{
	unsigned long long v = 0;
	const char *end = ptr;
	unsigned int shift = 0;

	if (parse_ull(ptr, 0, &v, &end)) {
		if (retptr)
			*retptr = (char *)ptr;
		return 0;
	}
	switch (*end) {
	case 'E': case 'e': shift = 60; break;
	case 'P': case 'p': shift = 50; break;
	case 'T': case 't': shift = 40; break;
	case 'G': case 'g': shift = 30; break;
	case 'M': case 'm': shift = 20; break;
	case 'K': case 'k': shift = 10; break;
	}
	if (shift) {
		if (v > (~0ULL >> shift)) {
			if (retptr)
				*retptr = (char *)ptr;
			return 0;
		}
		v <<= shift;
		end++;
	}
	if (retptr)
		*retptr = (char *)end;
	return v;
}

/* floor(sqrt(x)), bit by bit. */
unsigned long int_sqrt(unsigned long x)
{
	unsigned long op = x, res = 0, one = 1UL << (64 - 2);

	while (one > op)
		one >>= 2;
	while (one) {
		if (op >= res + one) {
			op -= res + one;
			res += one << 1;
		}
		res >>= 1;
		one >>= 2;
	}
	return res;
}
