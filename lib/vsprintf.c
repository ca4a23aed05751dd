/*
 * vsprintf.c - formatted output for the kernel: vsnprintf() and friends,
 * as Linux's lib/vsprintf.c provides them, so that mm/ needs no C library.
 *
 * The conversions are the C standard's that kernel code uses: d i u o x X
 * c s p and %%, with the flags - + space # 0, a width and a precision
 * (numbers or *), and the length modifiers hh h l ll z t j.  Output is
 * byte for byte what the C library prints for the same format (the tests
 * compare the two on every combination), so /proc views read the same
 * whichever formats them.  %p prints like glibc: 0x and the hex digits,
 * "(nil)" for NULL.  Floating point is not supported (the kernel has
 * none); an unknown conversion is printed as written.
 */
#include <stdarg.h>

#include <kmm/kernel.h>
#include <kmm/string.h>

struct out {
	char *buf;
	size_t size;		/* room in buf, the terminating NUL included */
	size_t len;		/* characters produced (may exceed size) */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, plus, space, alt, zero;
	int width;		/* -1: none */
	int precision;		/* -1: none */
	int length;		/* 'H' hh, 'h', 'l', 'L' ll/j, 'z', 't', 0 */
};

/* An integer: @neg and its magnitude @v, in @base, as @sp says. */
static void put_number(struct out *o, unsigned long long v, bool neg, int base, bool upper,
		       const struct spec *sp, bool is_signed)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, zeros = 0, width;
	char sign = 0;
	const char *prefix = "";

	if (neg)
		sign = '-';
	else if (is_signed && sp->plus)
		sign = '+';
	else if (is_signed && sp->space)
		sign = ' ';
	if (!(v == 0 && sp->precision == 0)) {
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	}
	if (sp->alt && base == 16 && n && !(n == 1 && tmp[0] == '0'))
		prefix = upper ? "0X" : "0x";
	if (sp->alt && base == 8 && (n == 0 || tmp[n - 1] != '0'))
		zeros = 1;		/* the octal 0 counts as a precision digit */
	if (sp->precision > n + zeros)
		zeros = sp->precision - n;
	width = n + zeros + (sign != 0) + (int)strlen(prefix);
	if (!sp->left && !(sp->zero && sp->precision < 0))
		pad(o, ' ', sp->width - width);
	if (sign)
		put(o, sign);
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	if (!sp->left && sp->zero && sp->precision < 0)
		pad(o, '0', sp->width - width);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, ' ', sp->width - width);
}

static void put_string(struct out *o, const char *s, const struct spec *sp)
{
	int n = 0;

	if (!s)
		s = sp->precision >= 0 && sp->precision < 6 ? "" : "(null)";
	while (s[n] && (sp->precision < 0 || n < sp->precision))
		n++;
	if (!sp->left)
		pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - n);
}

static unsigned long long get_unsigned(va_list *ap, int length)
{
	switch (length) {
	case 'H':
		return (unsigned char)va_arg(*ap, unsigned int);
	case 'h':
		return (unsigned short)va_arg(*ap, unsigned int);
	case 'l':
		return va_arg(*ap, unsigned long);
	case 'L':
		return va_arg(*ap, unsigned long long);
	case 'z':
		return va_arg(*ap, size_t);
	case 't':
		return (unsigned long long)va_arg(*ap, long);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static long long get_signed(va_list *ap, int length)
{
	switch (length) {
	case 'H':
		return (signed char)va_arg(*ap, int);
	case 'h':
		return (short)va_arg(*ap, int);
	case 'l':
		return va_arg(*ap, long);
	case 'L':
		return va_arg(*ap, long long);
	case 'z':
		return va_arg(*ap, ssize_t);
	case 't':
		return va_arg(*ap, long);
	default:
		return va_arg(*ap, int);
	}
}

/* Read the flags, width, precision and length at *@f; returns the conversion character. */
static char parse_spec(const char **f, struct spec *sp, va_list *ap)
{
	const char *p = *f;

	*sp = (struct spec){ .width = -1, .precision = -1 };
	for (;; p++) {
		if (*p == '-')
			sp->left = true;
		else if (*p == '+')
			sp->plus = true;
		else if (*p == ' ')
			sp->space = true;
		else if (*p == '#')
			sp->alt = true;
		else if (*p == '0')
			sp->zero = true;
		else
			break;
	}
	if (*p == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		p++;
	} else {
		for (sp->width = 0; *p >= '0' && *p <= '9'; p++)
			sp->width = sp->width * 10 + (*p - '0');
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			sp->precision = va_arg(*ap, int);
			if (sp->precision < 0)
				sp->precision = -1;
			p++;
		} else {
			for (sp->precision = 0; *p >= '0' && *p <= '9'; p++)
				sp->precision = sp->precision * 10 + (*p - '0');
		}
	}
	if (p[0] == 'h' && p[1] == 'h') {
		sp->length = 'H';
		p += 2;
	} else if (p[0] == 'l' && p[1] == 'l') {
		sp->length = 'L';
		p += 2;
	} else if (*p == 'h' || *p == 'l' || *p == 'z' || *p == 't') {
		sp->length = *p++;
	} else if (*p == 'j' || *p == 'q') {
		sp->length = 'L';
		p++;
	}
	*f = p;
	return *p;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	va_list ap;

	va_copy(ap, args);
	for (const char *f = fmt; *f; f++) {
		const char *start = f;
		struct spec sp;
		char conv;

		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		f++;
		conv = parse_spec(&f, &sp, &ap);
		switch (conv) {
		case 'd':
		case 'i': {
			long long v = get_signed(&ap, sp.length);

			put_number(&o, v < 0 ? -(unsigned long long)v : (unsigned long long)v, v < 0,
				   10, false, &sp, true);
			break;
		}
		case 'u':
			put_number(&o, get_unsigned(&ap, sp.length), false, 10, false, &sp, false);
			break;
		case 'x':
		case 'X':
			put_number(&o, get_unsigned(&ap, sp.length), false, 16, conv == 'X', &sp,
				   false);
			break;
		case 'o':
			put_number(&o, get_unsigned(&ap, sp.length), false, 8, false, &sp, false);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);

			if (!sp.left)
				pad(&o, ' ', sp.width - 1);
			put(&o, c);
			if (sp.left)
				pad(&o, ' ', sp.width - 1);
			break;
		}
		case 's':
			put_string(&o, va_arg(ap, const char *), &sp);
			break;
		case 'p': {
			void *p = va_arg(ap, void *);

			if (!p) {
				sp.precision = -1;
				put_string(&o, "(nil)", &sp);
			} else {
				sp.alt = true;
				put_number(&o, (unsigned long)p, false, 16, false, &sp, false);
			}
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default:
			/* Not a conversion we know: print it as written. */
			for (const char *p = start; p <= f && *p; p++)
				put(&o, *p);
			if (!*f)
				f--;
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vscnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	int n;

	if (!size)
		return 0;
	n = vsnprintf(buf, size, fmt, args);
	return (size_t)n >= size ? (int)size - 1 : n;
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
