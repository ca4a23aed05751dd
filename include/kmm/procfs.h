/*
 * procfs.h - the files a scenario can read (cat) and write (set): /proc,
 * /proc/sys, and the debugfs files under /sys/kernel/debug.
 *
 * A layer registers a file (or a directory of files, with prefix=true) with
 * PROC_ENTRY; the kmm program and the C API reach them by path.
 */
#ifndef KMM_PROCFS_H
#define KMM_PROCFS_H

#include <kmm/compiler.h>
#include <kmm/seq_file.h>

struct proc_entry {
	const char *path;
	/* Fill @m; @rest is the path below a prefix entry ("" otherwise). */
	int (*show)(struct seq_file *m, const char *rest);
	/* Apply a write of @value; negative errno on refusal (with kmm_error). */
	int (*write)(const char *rest, const char *value);
	bool prefix;
};

#define PROC_ENTRY(name, p, showfn, writefn, pre)				\
	static const struct proc_entry __proc_##name __used			\
	__attribute__((section("kmm_procfs"), aligned(sizeof(void *)))) =	\
		{ .path = p, .show = showfn, .write = writefn, .prefix = pre }

/* Read the file at @path into @m: 0, -ENOENT, or the view's error. */
int proc_read(const char *path, struct seq_file *m);
/* Write @value to the file at @path: 0, -ENOENT, -EACCES (read-only), or -EINVAL. */
int proc_write(const char *path, const char *value);
/* Iterate registered entries (for docs and completion). */
const struct proc_entry *proc_first(void);
const struct proc_entry *proc_next(const struct proc_entry *e);

#endif /* KMM_PROCFS_H */
