/*
 * fault_inject.c - the decision of should_fail(), in 2.6.34's order:
 * task filter, times left, space left, interval, probability; then report
 * and count.  An armed "nth" overrides all of them.
 */
#include <string.h>

#include <kmm/errno.h>
#include <kmm/fault-inject.h>
#include <kmm/kernel.h>
#include <kmm/random.h>
#include <kmm/sched.h>

bool should_fail(struct fault_attr *attr, long size)
{
	if (attr->nth) {
		if (--attr->nth)
			return false;
		goto fail;
	}
	if (attr->task_filter && !current->make_it_fail)
		return false;
	if (attr->times == 0)
		return false;
	if (attr->space > size) {
		attr->space -= size;
		return false;
	}
	if (attr->interval > 1) {
		attr->count++;
		if (attr->count % attr->interval)
			return false;
	}
	if (attr->probability <= random32() % 100)
		return false;
fail:
	if (attr->verbose > 0)
		printk(KERN_NOTICE "FAULT_INJECTION: forcing a failure\n");
	if (attr->verbose > 1)
		dump_stack();
	if (attr->times != -1 && attr->times > 0)
		attr->times--;
	attr->failures++;
	return true;
}

static const struct {
	const char *file;
	size_t off;
	bool is_long;
} fields[] = {
	{ "probability", offsetof(struct fault_attr, probability), false },
	{ "interval", offsetof(struct fault_attr, interval), false },
	{ "times", offsetof(struct fault_attr, times), true },
	{ "space", offsetof(struct fault_attr, space), true },
	{ "verbose", offsetof(struct fault_attr, verbose), false },
	{ "fail-nth", offsetof(struct fault_attr, nth), false },
};

int fault_attr_set(struct fault_attr *attr, const char *file, long long value)
{
	if (!strcmp(file, "task-filter")) {
		attr->task_filter = value != 0;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		if (strcmp(file, fields[i].file))
			continue;
		if (!fields[i].is_long && value < 0)
			return -EINVAL;
		if (!strcmp(file, "probability") && value > 100)
			return -EINVAL;
		if (!strcmp(file, "interval") && value < 1)
			return -EINVAL;
		if (!strcmp(file, "times") && value < -1)
			return -EINVAL;
		*(long *)((char *)attr + fields[i].off) = value;
		return 0;
	}
	return -EINVAL;
}

int fault_attr_get(const struct fault_attr *attr, const char *file, long long *value)
{
	if (!strcmp(file, "task-filter")) {
		*value = attr->task_filter;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (!strcmp(file, fields[i].file)) {
			*value = *(const long *)((const char *)attr + fields[i].off);
			return 0;
		}
	return -EINVAL;
}
