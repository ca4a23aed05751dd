/*
 * trace.c - the event trace ring: lines in ftrace's text format, newest
 * kept when full (the oldest are dropped).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/sched.h>
#include <kmm/spinlock.h>
#include <kmm/trace.h>
#include "hw/clock.h"
#include "hw/cpu.h"

#define TRACE_BUF_SIZE	(1 << 20)

unsigned long trace_enabled_mask __state_zero;

const char *const trace_event_names[NR_TRACE_EVENTS] = {
	"mm_page_alloc", "mm_page_free_direct", "mm_pagevec_free",
	"mm_page_alloc_zone_locked", "mm_page_pcpu_drain", "mm_page_alloc_extfrag",
	"kmalloc", "kmem_cache_alloc", "kmalloc_node", "kmem_cache_alloc_node",
	"kfree", "kmem_cache_free", "tlb_flush", "page_fault_kernel",
	"page_fault_user", "mmap", "munmap", "brk", "cow", "readahead",
};

const char *const trace_event_systems[NR_TRACE_EVENTS] = {
	"kmem", "kmem", "kmem", "kmem", "kmem", "kmem", "kmem", "kmem", "kmem", "kmem", "kmem", "kmem",
	"tlb", "exceptions", "exceptions", "mm", "mm", "mm", "mm", "mm",
};

static char trace_buf[TRACE_BUF_SIZE] __state_bulk;
static struct {
	size_t start, end;	/* bytes in use: [start, end) modulo the size */
	size_t used;
} tr __state_zero;
static DEFINE_SPINLOCK(trace_lock);

static void put(const char *s, size_t n)
{
	while (tr.used + n > TRACE_BUF_SIZE) {
		/* Drop the oldest line. */
		while (tr.used && trace_buf[tr.start] != '\n') {
			tr.start = (tr.start + 1) % TRACE_BUF_SIZE;
			tr.used--;
		}
		if (tr.used) {
			tr.start = (tr.start + 1) % TRACE_BUF_SIZE;
			tr.used--;
		}
	}
	for (size_t i = 0; i < n; i++) {
		trace_buf[tr.end] = s[i];
		tr.end = (tr.end + 1) % TRACE_BUF_SIZE;
	}
	tr.used += n;
}

void trace_event(enum trace_event_id id, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	u64 usecs = (hw_clock_ns() + 500) / 1000;
	int n;

	n = kmm_snprintf(line, sizeof(line), "%16s-%-5d [%03d] %5lu.%06lu: %s: ", current->comm,
		     current->pid, hw_this_cpu ? hw_this_cpu->id : 0,
		     (unsigned long)(usecs / 1000000), (unsigned long)(usecs % 1000000),
		     trace_event_names[id]);
	va_start(ap, fmt);
	n += kmm_vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	spin_lock(&trace_lock);
	put(line, n);
	spin_unlock(&trace_lock);
}

int trace_set_system_event(const char *system, const char *name, int on)
{
	bool all = !strcmp(name, "all"), found = false;

	for (int i = 0; i < NR_TRACE_EVENTS; i++) {
		if (system && strcmp(system, trace_event_systems[i]))
			continue;
		if (!all && strcmp(name, trace_event_names[i]))
			continue;
		found = true;
		if (on)
			trace_enabled_mask |= 1UL << i;
		else
			trace_enabled_mask &= ~(1UL << i);
	}
	return found || all ? 0 : -EINVAL;
}

int trace_set_event(const char *name, int on)
{
	return trace_set_system_event(NULL, name, on);
}

size_t trace_read(char *buf, size_t size)
{
	static const char header[] =
		"# tracer: nop\n"
		"#\n"
		"#           TASK-PID    CPU#    TIMESTAMP  FUNCTION\n"
		"#              | |       |          |         |\n";
	size_t n = strlen(header), out = 0;

	spin_lock(&trace_lock);
	for (size_t i = 0; i < n; i++, out++)
		if (out < size)
			buf[out] = header[i];
	for (size_t i = 0; i < tr.used; i++, out++)
		if (out < size)
			buf[out] = trace_buf[(tr.start + i) % TRACE_BUF_SIZE];
	spin_unlock(&trace_lock);
	if (out < size)
		buf[out] = '\0';
	return out;
}

void trace_clear(void)
{
	spin_lock(&trace_lock);
	tr.start = tr.end = tr.used = 0;
	spin_unlock(&trace_lock);
}
