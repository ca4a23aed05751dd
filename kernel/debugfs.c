/*
 * debugfs.c - /sys/kernel/debug: the fault-injection directories
 * (fail_page_alloc, failslab) and the event tracer (tracing/trace,
 * tracing/events/kmem/<event>/enable).
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/errno.h>
#include <kmm/fault-inject.h>
#include <kmm/kernel.h>
#include <kmm/params.h>
#include <kmm/procfs.h>
#include <kmm/seq_file.h>
#include <kmm/trace.h>

static int parse_ll(const char *value, long long *v)
{
	char buf[64];
	size_t n = strlen(value);

	if (n >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, value);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return kstrtoll(buf, 0, v);
}

static int fault_show(struct fault_attr *attr, const char *dir, struct seq_file *m, const char *file)
{
	u32 *filter = fault_filter_file(dir, file);
	long long v;

	if (filter)
		return seq_printf(m, "%s\n", strcmp(file, "min-order") ? (*filter ? "Y" : "N") : "") ||
		       (!strcmp(file, "min-order") && seq_printf(m, "%u\n", *filter));
	if (fault_attr_get(attr, file, &v))
		return -ENOENT;
	return seq_printf(m, "%lld\n", v);
}

static int fault_write(struct fault_attr *attr, const char *dir, const char *file, const char *value)
{
	u32 *filter = fault_filter_file(dir, file);
	long long v;

	if (filter) {
		if (!strcmp(value, "Y") || !strcmp(value, "y"))
			v = 1;
		else if (!strcmp(value, "N") || !strcmp(value, "n"))
			v = 0;
		else if (parse_ll(value, &v) || v < 0 || v > UINT_MAX)
			return kmm_error("/sys/kernel/debug/%s/%s: '%s' is not a value it takes", dir,
					 file, value);
		*filter = v;
		return 0;
	}
	if (parse_ll(value, &v))
		return kmm_error("/sys/kernel/debug/%s/%s: '%s' is not a number", dir, file, value);
	if (fault_attr_set(attr, file, v))
		return kmm_error("/sys/kernel/debug/%s/%s: no such attribute, or %lld is out of range",
				 dir, file, v);
	return 0;
}

static int fail_page_alloc_show(struct seq_file *m, const char *file)
{
	return fault_show(&fail_page_alloc_attr, "fail_page_alloc", m, file);
}

static int fail_page_alloc_write(const char *file, const char *value)
{
	return fault_write(&fail_page_alloc_attr, "fail_page_alloc", file, value);
}
PROC_ENTRY(fail_page_alloc, "/sys/kernel/debug/fail_page_alloc", fail_page_alloc_show,
	   fail_page_alloc_write, true);

static int failslab_show(struct seq_file *m, const char *file)
{
	return fault_show(&failslab_attr, "failslab", m, file);
}

static int failslab_write(const char *file, const char *value)
{
	return fault_write(&failslab_attr, "failslab", file, value);
}
PROC_ENTRY(failslab, "/sys/kernel/debug/failslab", failslab_show, failslab_write, true);

static int trace_show(struct seq_file *m, const char *rest)
{
	size_t n = trace_read(NULL, 0);
	char *buf = malloc(n + 1);

	if (!buf)
		return -ENOMEM;
	trace_read(buf, n + 1);
	seq_puts(m, buf);
	free(buf);
	return 0;
}

static int trace_write(const char *rest, const char *value)
{
	trace_clear();
	return 0;
}
PROC_ENTRY(trace, "/sys/kernel/debug/tracing/trace", trace_show, trace_write, false);

/* events/kmem/enable, events/kmem/<event>/enable */
static const char *event_of(const char *rest, char *name, size_t size)
{
	const char *slash = strchr(rest, '/');

	if (!strcmp(rest, "enable"))
		return "all";
	if (!slash || strcmp(slash, "/enable") || (size_t)(slash - rest) >= size)
		return NULL;
	memcpy(name, rest, slash - rest);
	name[slash - rest] = '\0';
	return name;
}

/* 1, 0, or X (some enabled) for the events of @system (NULL: every one) named @ev or "all". */
static int event_show_in(struct seq_file *m, const char *system, const char *rest)
{
	char name[64];
	const char *ev = event_of(rest, name, sizeof(name));
	unsigned long mine = 0;

	if (!ev)
		return -ENOENT;
	for (int i = 0; i < NR_TRACE_EVENTS; i++) {
		if (strcmp(system, trace_event_systems[i]))
			continue;
		if (!strcmp(ev, trace_event_names[i]))
			return seq_printf(m, "%d\n", !!(trace_enabled_mask & (1UL << i)));
		mine |= 1UL << i;
	}
	if (!strcmp(ev, "all"))
		return seq_printf(m, "%c\n", (trace_enabled_mask & mine) == mine ? '1' :
					    trace_enabled_mask & mine ? 'X' : '0');
	return -ENOENT;
}

static int event_write_in(const char *system, const char *rest, const char *value)
{
	char name[64];
	const char *ev = event_of(rest, name, sizeof(name));
	long long v;

	if (!ev)
		return kmm_error("/sys/kernel/debug/tracing/events/%s/%s: no such file", system, rest);
	if (parse_ll(value, &v) || (v != 0 && v != 1))
		return kmm_error("tracing/events/%s/%s: write 0 or 1", system, rest);
	if (trace_set_system_event(system, ev, v))
		return kmm_error("tracing/events/%s: no event '%s'", system, ev);
	return 0;
}

#define EVENT_SYSTEM(sys)							\
	static int sys##_event_show(struct seq_file *m, const char *rest)	\
	{									\
		return event_show_in(m, #sys, rest);				\
	}									\
	static int sys##_event_write(const char *rest, const char *value)	\
	{									\
		return event_write_in(#sys, rest, value);			\
	}									\
	PROC_ENTRY(sys##_events, "/sys/kernel/debug/tracing/events/" #sys,	\
		   sys##_event_show, sys##_event_write, true)

EVENT_SYSTEM(kmem);
EVENT_SYSTEM(tlb);
EVENT_SYSTEM(exceptions);
EVENT_SYSTEM(mm);
