/*
 * sysctl.c - the writable knobs of the page allocator under /proc/sys/vm,
 * and /proc/sys/kernel/printk.
 */
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/params.h>
#include <kmm/printk.h>
#include <kmm/procfs.h>
#include <kmm/seq_file.h>
#include <kmm/smp.h>
#include <kmm/string.h>
#include "mm/internal.h"

/* One integer, as proc_dointvec writes accept it: optional sign, digits, optional newline. */
static int parse_int(const char *path, const char *value, long long *v)
{
	char buf[64];
	size_t n = strlen(value);

	if (n >= sizeof(buf))
		return kmm_error("%s: '%s' is not a number", path, value);
	memcpy(buf, value, n + 1);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (kstrtoll(buf, 0, v))
		return kmm_error("%s: '%s' is not a number", path, value);
	return 0;
}

static int min_free_kbytes_show(struct seq_file *m, const char *rest)
{
	return seq_printf(m, "%d\n", min_free_kbytes);
}

static int min_free_kbytes_write(const char *rest, const char *value)
{
	long long v;

	if (parse_int("/proc/sys/vm/min_free_kbytes", value, &v))
		return -EINVAL;
	if (min_free_kbytes_set(v))
		return kmm_error("/proc/sys/vm/min_free_kbytes: %lld is out of range (0..%d)", v, INT_MAX);
	return 0;
}
PROC_ENTRY(min_free_kbytes, "/proc/sys/vm/min_free_kbytes", min_free_kbytes_show,
	   min_free_kbytes_write, false);

static int lowmem_reserve_ratio_show(struct seq_file *m, const char *rest)
{
	int k, idx;

	for_each_arch_zone(k, idx) {
		if (idx == ZONE_MOVABLE)
			break;
		seq_printf(m, k ? "\t%d" : "%d", sysctl_lowmem_reserve_ratio[idx]);
	}
	return seq_putc(m, '\n');
}

static int lowmem_reserve_ratio_write(const char *rest, const char *value)
{
	int ratios[MAX_NR_ZONES], n = 0;
	const char *p = value;

	while (*p) {
		char word[24];
		size_t len = 0;
		long long v;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		while (p[len] && p[len] != ' ' && p[len] != '\t' && p[len] != '\n')
			len++;
		if (len >= sizeof(word) || n >= MAX_NR_ZONES)
			goto bad;
		memcpy(word, p, len);
		word[len] = '\0';
		if (kstrtoll(word, 10, &v) || v < INT32_MIN || v > INT32_MAX)
			goto bad;
		ratios[n++] = v;
		p += len;
	}
	return lowmem_reserve_ratio_set(ratios, n);
bad:
	return kmm_error("/proc/sys/vm/lowmem_reserve_ratio: '%s' is not a list of integers", value);
}
PROC_ENTRY(lowmem_reserve_ratio, "/proc/sys/vm/lowmem_reserve_ratio", lowmem_reserve_ratio_show,
	   lowmem_reserve_ratio_write, false);

static int pcp_fraction_show(struct seq_file *m, const char *rest)
{
	return seq_printf(m, "%d\n", percpu_pagelist_fraction);
}

static int pcp_fraction_write(const char *rest, const char *value)
{
	long long v;

	if (parse_int("/proc/sys/vm/percpu_pagelist_fraction", value, &v))
		return -EINVAL;
	if (percpu_pagelist_fraction_set(v))
		return kmm_error("/proc/sys/vm/percpu_pagelist_fraction: %lld is below the minimum of 8", v);
	return 0;
}
PROC_ENTRY(percpu_pagelist_fraction, "/proc/sys/vm/percpu_pagelist_fraction", pcp_fraction_show,
	   pcp_fraction_write, false);

/* Fold every CPU's counter deltas now (Linux 4.4's vm.stat_refresh). */
static int stat_refresh_write(const char *rest, const char *value)
{
	refresh_all_vm_stats();
	return 0;
}
PROC_ENTRY(stat_refresh, "/proc/sys/vm/stat_refresh", NULL, stat_refresh_write, false);

/*
 * vm.drop_caches: 1 drops the clean, unmapped page cache, 2 the unused
 * inodes (with their pages), 3 both (2.6.34's drop_caches_sysctl_handler;
 * kmm has no dentry cache, and its inodes go only with their pages, so 1,
 * 2 and 3 all do drop_pagecache's whole work).  Reads show the last
 * value written, as Linux's do.
 */
static int drop_caches_value __state_zero;

static int drop_caches_show(struct seq_file *m, const char *rest)
{
	return seq_printf(m, "%d\n", drop_caches_value);
}

static int drop_caches_write(const char *rest, const char *value)
{
	long long v;

	if (parse_int("/proc/sys/vm/drop_caches", value, &v) || v < 1 || v > 3)
		return kmm_error("/proc/sys/vm/drop_caches: need 1 (page cache), 2 (inodes) or 3 (both)");
	drop_caches_value = (int)v;
	drop_pagecache();
	return 0;
}
PROC_ENTRY(drop_caches, "/proc/sys/vm/drop_caches", drop_caches_show, drop_caches_write, false);

static int printk_show(struct seq_file *m, const char *rest)
{
	return seq_printf(m, "%d\t%d\t%d\t%d\n", console_loglevel, DEFAULT_MESSAGE_LOGLEVEL, 1, 7);
}

static int printk_write(const char *rest, const char *value)
{
	long long v;

	if (parse_int("/proc/sys/kernel/printk", value, &v) || v < 1 || v > 8)
		return kmm_error("/proc/sys/kernel/printk: need a console log level from 1 to 8");
	console_loglevel = v;
	return 0;
}
PROC_ENTRY(printk, "/proc/sys/kernel/printk", printk_show, printk_write, false);

/*
 * The address-space knobs: an integer each, within the range Linux's
 * proc_dointvec_minmax (or plain proc_dointvec) accepts.
 */
static int knob_write(const char *path, int *knob, long long min, long long max,
		      const char *value)
{
	long long v;

	if (parse_int(path, value, &v))
		return -EINVAL;
	if (v < min || v > max)
		return kmm_error("%s: %lld is out of range (%lld..%lld)", path, v, min, max);
	*knob = (int)v;
	return 0;
}

#define INT_KNOB(name, path, var, min, max)					\
	static int name##_show(struct seq_file *m, const char *rest)		\
	{									\
		(void)rest;							\
		return seq_printf(m, "%d\n", var);				\
	}									\
	static int name##_write(const char *rest, const char *value)		\
	{									\
		(void)rest;							\
		return knob_write(path, &var, min, max, value);			\
	}									\
	PROC_ENTRY(name, path, name##_show, name##_write, false)

INT_KNOB(overcommit_memory, "/proc/sys/vm/overcommit_memory", sysctl_overcommit_memory, 0, 2);
INT_KNOB(overcommit_ratio, "/proc/sys/vm/overcommit_ratio", sysctl_overcommit_ratio, 0, INT_MAX);
INT_KNOB(max_map_count, "/proc/sys/vm/max_map_count", sysctl_max_map_count, 0, INT_MAX);
INT_KNOB(legacy_va_layout, "/proc/sys/vm/legacy_va_layout", sysctl_legacy_va_layout, 0, INT_MAX);
INT_KNOB(randomize_va_space, "/proc/sys/kernel/randomize_va_space", randomize_va_space, 0, 2);
