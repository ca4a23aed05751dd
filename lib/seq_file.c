/* seq_file.c - a growing text buffer for /proc views. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/bitops.h>
#include <kmm/kernel.h>
#include <kmm/seq_file.h>

void seq_init(struct seq_file *m)
{
	m->buf = NULL;
	m->size = m->count = 0;
	m->overflow = false;
}

void seq_release(struct seq_file *m)
{
	free(m->buf);
	seq_init(m);
}

static bool seq_reserve(struct seq_file *m, size_t extra)
{
	size_t want = m->count + extra + 1;

	if (want <= m->size)
		return true;
	size_t size = m->size ? m->size : 4096;
	while (size < want)
		size *= 2;
	char *nb = realloc(m->buf, size);

	if (!nb) {
		m->overflow = true;
		return false;
	}
	m->buf = nb;
	m->size = size;
	return true;
}

int seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kmm_vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !seq_reserve(m, n))
		return -1;
	va_start(ap, fmt);
	kmm_vsnprintf(m->buf + m->count, n + 1, fmt, ap);
	va_end(ap);
	m->count += n;
	return 0;
}

int seq_puts(struct seq_file *m, const char *s)
{
	size_t n = strlen(s);

	if (!seq_reserve(m, n))
		return -1;
	memcpy(m->buf + m->count, s, n + 1);
	m->count += n;
	return 0;
}

int seq_putc(struct seq_file *m, char c)
{
	if (!seq_reserve(m, 1))
		return -1;
	m->buf[m->count++] = c;
	m->buf[m->count] = '\0';
	return 0;
}

/* A bitmap as bitmap_scnprintf prints it: 32-bit hex chunks, most significant first. */
void seq_bitmap(struct seq_file *m, const unsigned long *bits, int nbits)
{
	int chunk = nbits % 32 ? nbits % 32 : 32;
	const char *sep = "";

	for (int i = ((nbits + 31) / 32 - 1) * 32; i >= 0; i -= 32) {
		unsigned long v = 0;

		for (int b = 0; b < chunk; b++)
			if (test_bit(i + b, bits))
				v |= 1UL << b;
		seq_printf(m, "%s%0*lx", sep, (chunk + 3) / 4, v);
		chunk = 32;
		sep = ",";
	}
}

/* The same bitmap as a list of ranges, "0-3,6" (bitmap_scnlistprintf). */
void seq_bitmap_list(struct seq_file *m, const unsigned long *bits, int nbits)
{
	const char *sep = "";

	for (int i = 0; i < nbits; i++) {
		int j = i;

		if (!test_bit(i, bits))
			continue;
		while (j + 1 < nbits && test_bit(j + 1, bits))
			j++;
		if (j > i)
			seq_printf(m, "%s%d-%d", sep, i, j);
		else
			seq_printf(m, "%s%d", sep, i);
		sep = ",";
		i = j;
	}
}
