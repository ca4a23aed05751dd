/*
 * proc_pid.c - the files of /proc/PID (and /proc/self, the current
 * process): maps, in 2.6.34's format (fs/proc/task_mmu.c).
 *
 *   start-end perms offset dev inode          name
 *   00601000-00622000 rw-p 00000000 00:00 0   [heap]
 *
 * perms: r, w, x, and p (private) or s (shared, VM_MAYSHARE).  A file
 * mapping shows its offset, device and inode and, after padding to
 * column 25 + 6 * sizeof(void *), its path; an anonymous one shows
 * [heap] if it holds the break's range, [stack] if it holds start_stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/params.h>
#include <kmm/printk.h>
#include <kmm/procfs.h>
#include <kmm/process.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/seq_file.h>
#include <kmm/string.h>

static void pad_len_spaces(struct seq_file *m, int len)
{
	len = 25 + arch->sizeof_ptr * 6 - len;
	if (len < 1)
		len = 1;
	seq_printf(m, "%*c", len, ' ');
}

static void show_map_vma(struct seq_file *m, struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct file *file = vma->vm_file;
	unsigned long flags = vma->vm_flags, ino = 0;
	unsigned long long pgoff = 0;
	unsigned int major = 0, minor = 0;
	const char *name = NULL;
	int len;

	if (file) {
		major = file->dev_major;
		minor = file->dev_minor;
		ino = file->f_mapping->ino;
		pgoff = (unsigned long long)vma->vm_pgoff << PAGE_SHIFT;
	}
	char head[128];

	len = snprintf(head, sizeof(head), "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ",
		       vma->vm_start, vma->vm_end, flags & VM_READ ? 'r' : '-',
		       flags & VM_WRITE ? 'w' : '-', flags & VM_EXEC ? 'x' : '-',
		       flags & VM_MAYSHARE ? 's' : 'p', pgoff, major, minor, ino);
	seq_puts(m, head);
	if (file) {
		name = file->f_mapping->name;
	} else if (vma->vm_start <= mm->start_brk && vma->vm_end >= mm->brk) {
		name = "[heap]";
	} else if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack) {
		name = "[stack]";
	}
	if (name) {
		pad_len_spaces(m, len);
		seq_puts(m, name);
	}
	seq_putc(m, '\n');
}

/* The task named by "self" or a pid at the start of @rest; *file: what follows the slash. */
static struct task_struct *proc_task(const char *rest, const char **file)
{
	const char *slash = strchr(rest, '/');
	struct task_struct *t;
	char *end;
	long pid;

	if (!slash)
		return NULL;
	*file = slash + 1;
	if (!strncmp(rest, "self/", 5))
		return current;
	pid = strtol(rest, &end, 10);
	if (end != slash || pid <= 0)
		return NULL;
	t = find_task_by_pid(pid);
	return t && !t->exit_state ? t : NULL;
}

static int show_maps(struct seq_file *m, struct task_struct *t)
{
	struct mm_struct *mm = t->mm;

	if (!mm)
		return 0;	/* a kernel thread: an empty file, as on Linux */
	down_read(&mm->mmap_sem);
	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next)
		show_map_vma(m, vma);
	up_read(&mm->mmap_sem);
	return 0;
}

static int proc_pid_show(struct seq_file *m, const char *rest)
{
	const char *file;
	struct task_struct *t = proc_task(rest, &file);

	if (!t)
		return kmm_error("/proc/%s: no such process", rest), -ENOENT;
	if (!strcmp(file, "maps"))
		return show_maps(m, t);
	return kmm_error("/proc/%s: no such file", rest), -ENOENT;
}
PROC_ENTRY(proc_pid, "/proc", proc_pid_show, NULL, true);
