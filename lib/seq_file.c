/* seq_file.c - a growing text buffer for /proc views. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
