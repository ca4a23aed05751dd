/*
 * string.c - the string and number helpers the kernel has and libc lacks:
 * strlcpy, memchr_inv, scnprintf, memparse, strict integer parsing and the
 * integer square root used by min_free_kbytes.
 */
#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/string.h>

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

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!size)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	return (size_t)n >= size ? (int)size - 1 : n;
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
