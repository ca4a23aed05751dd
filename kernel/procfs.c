/*
 * procfs.c - finding the registered /proc and debugfs files by path.
 */
#include <string.h>

#include <kmm/errno.h>
#include <kmm/mutex.h>
#include <kmm/params.h>
#include <kmm/procfs.h>

extern const struct proc_entry __start_kmm_procfs[], __stop_kmm_procfs[];

static DEFINE_MUTEX(proc_write_lock);

const struct proc_entry *proc_first(void)
{
	return (const void *)__start_kmm_procfs != (const void *)__stop_kmm_procfs ? __start_kmm_procfs : NULL;
}

const struct proc_entry *proc_next(const struct proc_entry *e)
{
	return e + 1 < __stop_kmm_procfs ? e + 1 : NULL;
}

static const struct proc_entry *lookup(const char *path, const char **rest)
{
	/* A file of its own wins over a directory that would hold it (/proc/meminfo, /proc/PID). */
	for (const struct proc_entry *e = proc_first(); e; e = proc_next(e)) {
		if (!e->prefix && !strcmp(path, e->path)) {
			*rest = "";
			return e;
		}
	}
	for (const struct proc_entry *e = proc_first(); e; e = proc_next(e)) {
		size_t n = strlen(e->path);

		if (e->prefix && !strncmp(path, e->path, n) && path[n] == '/' && path[n + 1]) {
			*rest = path + n + 1;
			return e;
		}
	}
	return NULL;
}

int proc_read(const char *path, struct seq_file *m)
{
	const char *rest;
	const struct proc_entry *e = lookup(path, &rest);

	if (!e || !e->show)
		return e ? -EACCES : -ENOENT;
	return e->show(m, rest);
}

int proc_write(const char *path, const char *value)
{
	const char *rest;
	const struct proc_entry *e = lookup(path, &rest);
	int err;

	if (!e)
		return -ENOENT;
	if (!e->write) {
		kmm_error("%s is read-only", path);
		return -EACCES;
	}
	/*
	 * One writer at a time (kmm): the handlers recompute derived state
	 * (watermarks, reserves, per-CPU marks) from globals that a second
	 * writer would change underneath.  Linux serialises the watermark
	 * recomputation the same way since 4.x.
	 */
	mutex_lock(&proc_write_lock);
	err = e->write(rest, value);
	mutex_unlock(&proc_write_lock);
	return err;
}
