/*
 * fault-inject.h - making calls fail on purpose, as Linux's fault_attr:
 * probability (percent), interval (every Nth eligible call), times (how
 * many failures in all; -1 unlimited), space (bytes to let through first),
 * verbose (0 quiet, 1 a line, 2 a line and a stack), task-filter (only tasks
 * with make_it_fail), and nth (kmm: fail exactly the Nth eligible call from
 * now, once, whatever the other attributes say).
 */
#ifndef KMM_FAULT_INJECT_H
#define KMM_FAULT_INJECT_H

#include <kmm/types.h>

struct fault_attr {
	unsigned long probability;
	unsigned long interval;
	long times;
	long space;
	unsigned long verbose;
	u32 task_filter;
	unsigned long nth;
	unsigned long count;		/* eligible calls seen (for interval) */
	unsigned long failures;		/* failures injected so far */
	const char *name;
};

#define FAULT_ATTR_INITIALIZER(n) { .interval = 1, .times = 1, .verbose = 2, .name = n }

/* Decide whether this call of @size bytes fails. */
bool should_fail(struct fault_attr *attr, long size);
static inline bool fault_attr_active(const struct fault_attr *attr)
{
	return attr->probability || attr->nth;
}

/* Read or write an attribute by its debugfs file name; -EINVAL if unknown. */
int fault_attr_set(struct fault_attr *attr, const char *file, long long value);
int fault_attr_get(const struct fault_attr *attr, const char *file, long long *value);

/* The two injection points of the memory manager. */
extern struct fault_attr fail_page_alloc_attr;
extern struct fault_attr failslab_attr;

#endif /* KMM_FAULT_INJECT_H */

bool should_failslab(size_t size, gfp_t gfpflags, unsigned long cache_flags,
		     unsigned long failslab_flag);
/* The u32 behind a filter file ("ignore-gfp-wait"...) of a debugfs directory, or NULL. */
u32 *fault_filter_file(const char *dir, const char *file);
