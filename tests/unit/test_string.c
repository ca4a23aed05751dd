/*
 * test_string.c - lib's own string and formatting functions (the ones mm/
 * uses instead of the C library's) against the C library itself: the
 * oracle is the host's snprintf, memcpy, memset, memmove, memcmp and
 * friends on the same inputs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/kernel.h>
#include <kmm/string.h>
#include "tests/harness.h"

/* Format with both, compare the text and the returned length. */
static void same(const char *fmt, ...)
{
	char ours[256], theirs[256];
	va_list a, b;
	int n1, n2;

	va_start(a, fmt);
	va_copy(b, a);
	n1 = kmm_vsnprintf(ours, sizeof(ours), fmt, a);
	n2 = vsnprintf(theirs, sizeof(theirs), fmt, b);
	va_end(a);
	va_end(b);
	if (n1 != n2 || strcmp(ours, theirs))
		fail_msg("format \"%s\": ours \"%s\" (%d), the C library's \"%s\" (%d)", fmt, ours,
			 n1, theirs, n2);
}

static void integers_format_as_the_c_library_does(void **state)
{
	static const long long values[] = { 0, 1, -1, 7, 42, -42, 255, 256, 4095, 65535,
					    0x7fffffff, -0x7fffffff - 1, 0xffffffffLL,
					    0x7fffffffffffffffLL, -0x7fffffffffffffffLL - 1, 1000000007 };
	static const char *const flags[] = { "", "-", "+", " ", "#", "0", "-0", "+0", "#0", "-#" };
	static const char *const widths[] = { "", "1", "5", "12", "20" };
	static const char *const precs[] = { "", ".0", ".1", ".3", ".12" };
	static const char convs[] = "diuxXo";
	char fmt[32];

	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
				for (size_t p = 0; p < sizeof(precs) / sizeof(precs[0]); p++)
					for (const char *c = convs; *c; c++) {
						snprintf(fmt, sizeof(fmt), "[%%%s%s%sll%c]", flags[f],
							 widths[w], precs[p], *c);
						same(fmt, values[v]);
						snprintf(fmt, sizeof(fmt), "[%%%s%s%sl%c]", flags[f],
							 widths[w], precs[p], *c);
						same(fmt, (long)values[v]);
						snprintf(fmt, sizeof(fmt), "[%%%s%s%s%c]", flags[f],
							 widths[w], precs[p], *c);
						same(fmt, (int)values[v]);
						snprintf(fmt, sizeof(fmt), "[%%%s%s%shh%c]", flags[f],
							 widths[w], precs[p], *c);
						same(fmt, (int)values[v]);
						snprintf(fmt, sizeof(fmt), "[%%%s%s%sh%c]", flags[f],
							 widths[w], precs[p], *c);
						same(fmt, (int)values[v]);
					}
	same("%zu %zx %zd", (size_t)12345, (size_t)0xabc, (ssize_t)-9);
	same("%td %jd %ju", (ptrdiff_t)-77, (intmax_t)-5, (uintmax_t)6);
	same("%*d|%-*d|%.*d|%*.*x", 6, 42, 6, 42, 4, 7, 8, 3, 0x1f);
	same("%*d", -6, 42);
}

static void strings_chars_pointers_and_percent(void **state)
{
	int x;

	same("%s|%10s|%-10s|%.2s|%10.3s|%-8.1s|", "hello", "hi", "hi", "hello", "hello", "xyz");
	same("%s", "");
	same("%c%c%5c%-3c|", 'a', 'Z', 'q', 'r');
	same("100%% %d%%", 5);
	same("%p %20p %-20p|", (void *)&x, (void *)&x, (void *)0x1234);
	same("%p %10p", (void *)NULL, (void *)NULL);
	same("<%d>[%5lu.%06lu] %s", 3, 12UL, 34UL, "text");
	same("%016llx %08lx %#lx %#llx %0*llx", 0x1234ULL, 0xabUL, 0UL, 0xffULL, 12, 0xbeefULL);
}

/* Truncation: the return value is the full length; the buffer ends in a NUL. */
static void truncation_keeps_the_full_length(void **state)
{
	char small[8];
	int n;

	n = kmm_snprintf(small, sizeof(small), "%s-%d", "abcdef", 12345);
	assert_int_equal(n, 12);
	assert_string_equal(small, "abcdef-");
	assert_int_equal(kmm_snprintf(NULL, 0, "%d", 123456), 6);
	assert_int_equal(scnprintf(small, sizeof(small), "%s", "0123456789"), 7);
	assert_int_equal(scnprintf(small, 0, "%s", "x"), 0);
}

static void memory_functions_match_the_c_library(void **state)
{
	unsigned char a[600], b[600], src[600];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 3);
	for (size_t len = 0; len < 300; len += len < 20 ? 1 : 17)
		for (size_t off = 0; off < 9; off++) {
			memset(a, 0xee, sizeof(a));
			memset(b, 0xee, sizeof(b));
			kmm_memcpy(a + off, src + 1, len);
			memcpy(b + off, src + 1, len);
			assert_memory_equal(a, b, sizeof(a));
			kmm_memset(a + off, (int)(len & 0xff), len);
			memset(b + off, (int)(len & 0xff), len);
			assert_memory_equal(a, b, sizeof(a));
			/* Overlapping moves, both directions. */
			kmm_memmove(a + off, a + off + 5, len);
			memmove(b + off, b + off + 5, len);
			assert_memory_equal(a, b, sizeof(a));
			kmm_memmove(a + off + 5, a + off, len);
			memmove(b + off + 5, b + off, len);
			assert_memory_equal(a, b, sizeof(a));
			assert_int_equal(kmm_memcmp(a, b, sizeof(a)), 0);
		}
	a[10] = 1;
	b[10] = 2;
	assert_true(kmm_memcmp(a, b, sizeof(a)) < 0);
	assert_true(kmm_memcmp(b, a, sizeof(a)) > 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(integers_format_as_the_c_library_does),
		cmocka_unit_test(strings_chars_pointers_and_percent),
		cmocka_unit_test(truncation_keeps_the_full_length),
		cmocka_unit_test(memory_functions_match_the_c_library),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
