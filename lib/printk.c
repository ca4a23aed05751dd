/*
 * printk.c - the kernel log buffer.
 *
 * As in 2.6.34, the log is a ring of bytes holding rendered lines: each line
 * starts with its level ("<4>") and its timestamp ("[    0.000000] ").  The
 * ring only ever grows at its end; once full, the oldest bytes are
 * overwritten and a reader starts at the first complete line.  A printk
 * that does not end in a newline leaves its line open: the next printk
 * continues it if it has no level or KERN_CONT, and ends it first if it has
 * a level.  That is how piecewise output such as e820_print_map() and
 * show_free_areas() builds one line from several calls.
 *
 * Lines whose level is below console_loglevel also go to the console, at
 * once, as dmesg would show them.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/log2.h>
#include <kmm/printk.h>
#include <kmm/spinlock.h>
#include "lib/hooks.h"

#define MAX_LINE	1024

static char static_log_buf[1 << LOG_BUF_SHIFT] __state_bulk;

static struct log_state {
	char *buf;		/* the ring, log_len bytes, a power of two */
	size_t log_len;
	u64 start;		/* byte counter of the oldest byte kept */
	bool start_mid_line;	/* the ring overwrote the bytes before start */
	u64 end;		/* byte counter one past the newest byte */
	bool line_open;		/* the last line has no newline yet */
	int line_level;		/* level of the open line */
	console_write_t console;
	u64 rl_begin;		/* printk_ratelimit window */
	int rl_printed;
	int rl_missed;
} klog __state = { .buf = static_log_buf, .log_len = sizeof(static_log_buf) };

int console_loglevel __state = DEFAULT_CONSOLE_LOGLEVEL;
static DEFINE_SPINLOCK(logbuf_lock);
static __thread int printk_depth;	/* this thread is inside vprintk() */

void printk_thread_reset(void)
{
	printk_depth = 0;
}

void register_console(console_write_t write)
{
	klog.console = write;
}

static void put_bytes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		klog.buf[klog.end++ & (klog.log_len - 1)] = s[i];
	if (klog.end - klog.start > klog.log_len) {
		klog.start = klog.end - klog.log_len;
		klog.start_mid_line = true;
	}
}

int vprintk(const char *fmt, va_list ap)
{
	char text[MAX_LINE];
	char hdr[48];
	const char *p;
	int level = DEFAULT_MESSAGE_LOGLEVEL;
	int n;

	n = kmm_vsnprintf(text, sizeof(text), fmt, ap);
	if (n < 0)
		return n;
	if (n >= (int)sizeof(text))
		n = sizeof(text) - 1;
	p = text;
	bool leveled = false;

	if (p[0] == '<' && p[1] && p[2] == '>' &&
	    ((p[1] >= '0' && p[1] <= '7') || p[1] == 'c' || p[1] == 'd')) {
		if (p[1] >= '0' && p[1] <= '7')
			level = p[1] - '0';
		leveled = p[1] != 'c';
		p += 3;
	}
	/*
	 * A printk from inside printk (a report about logbuf_lock itself)
	 * cannot take the lock again: it is dropped.  The validator does not
	 * watch logbuf_lock (it prints through it), as Linux's printk does.
	 */
	if (printk_depth)
		return 0;
	printk_depth++;
	lockdep_off();
	spin_lock(&logbuf_lock);
	if (leveled && klog.line_open) {
		/* A message with a level never continues someone's open line. */
		put_bytes("\n", 1);
		if (klog.console && klog.line_level < console_loglevel)
			klog.console("\n", 1);
		klog.line_open = false;
	}
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
		size_t h = 0;

		if (!klog.line_open) {
			u64 ts = lib_hooks.clock_ns ? lib_hooks.clock_ns() : 0;

			h = kmm_snprintf(hdr, sizeof(hdr), "<%d>[%5lu.%06lu] ", level,
				     (unsigned long)(ts / 1000000000),
				     (unsigned long)(ts % 1000000000 / 1000));
			put_bytes(hdr, h);
			klog.line_level = level;
		}
		put_bytes(p, len);
		if (klog.console && klog.line_level < console_loglevel) {
			if (h)
				klog.console(hdr + 3, h - 3);
			klog.console(p, len);
		}
		klog.line_open = !nl;
		p += len;
	}
	spin_unlock(&logbuf_lock);
	lockdep_on();
	printk_depth--;
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

/*
 * Render bytes [from, klog.end) without the "<N>" level prefixes; when the
 * oldest kept byte is in the middle of a line, start at the next line.
 */
static size_t render(u64 from, char *buf, size_t size)
{
	size_t out = 0;
	u64 i = from < klog.start ? klog.start : from;
	bool line_start = true;

	if (from < klog.start && klog.start_mid_line) {
		/*
		 * The ring overwrote what came before klog.start, so it may be
		 * mid-line: start after the first newline.
		 */
		while (i < klog.end && klog.buf[i & (klog.log_len - 1)] != '\n')
			i++;
		i++;
	}
	for (; i < klog.end; i++) {
		char c = klog.buf[i & (klog.log_len - 1)];

		if (line_start && c == '<' && i + 2 < klog.end &&
		    klog.buf[(i + 2) & (klog.log_len - 1)] == '>') {
			i += 2;
			line_start = false;
			continue;
		}
		line_start = c == '\n';
		if (out < size)
			buf[out] = c;
		out++;
	}
	if (out < size)
		buf[out] = '\0';
	return out;
}

size_t log_buf_read(char *buf, size_t size)
{
	return log_buf_read_since(0, buf, size);
}

size_t log_buf_read_since(u64 pos, char *buf, size_t size)
{
	size_t n;

	spin_lock(&logbuf_lock);
	n = render(pos, buf, size);
	spin_unlock(&logbuf_lock);
	return n;
}

u64 log_buf_seq(void)
{
	return klog.end;
}

void log_buf_clear(void)
{
	spin_lock(&logbuf_lock);
	klog.start = klog.end;
	klog.start_mid_line = false;	/* a clear starts at a line boundary */
	spin_unlock(&logbuf_lock);
}

int log_buf_set_len(size_t len)
{
	char *nb;
	size_t newlen;

	if (len <= klog.log_len)
		return 0;
	newlen = roundup_pow_of_two(len);
	nb = malloc(newlen);
	if (!nb)
		return -1;
	spin_lock(&logbuf_lock);
	for (u64 i = klog.start; i < klog.end; i++)
		nb[i & (newlen - 1)] = klog.buf[i & (klog.log_len - 1)];
	klog.buf = nb;	/* never freed: the klog outlives every reboot's users */
	klog.log_len = newlen;
	spin_unlock(&logbuf_lock);
	return 0;
}

void log_buf_lock(void)
{
	spin_lock(&logbuf_lock);
}

void log_buf_unlock(void)
{
	spin_unlock(&logbuf_lock);
}

bool printk_ratelimit(void)
{
	u64 now = lib_hooks.clock_ns ? lib_hooks.clock_ns() : 0;

	if (!klog.rl_begin || now - klog.rl_begin >= 5000000000ULL) {
		if (klog.rl_missed)
			printk(KERN_WARNING "printk: %d messages suppressed.\n", klog.rl_missed);
		klog.rl_begin = now ? now : 1;
		klog.rl_printed = 0;
		klog.rl_missed = 0;
	}
	if (klog.rl_printed < 10) {
		klog.rl_printed++;
		return true;
	}
	klog.rl_missed++;
	return false;
}
