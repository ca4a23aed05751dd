/*
 * proc_pid.c - the files of /proc/PID (and /proc/self, the current
 * process), in 2.6.34's formats (fs/proc/task_mmu.c, fs/proc/array.c):
 *
 *   maps     one line per VMA (below)
 *   smaps    each VMA's maps line and what its pages cost (proc_pid_mem.c)
 *   status   name, state, ids, the sizes of the address space (Vm*),
 *            signals, capabilities, the CPUs and nodes it may use
 *   statm    the same sizes in pages, on one line
 *   pagemap  binary, one 64-bit entry per page: proc_pid_pagemap()
 *            reads it (proc_pid_mem.c); as text it is refused
 *
 * A maps line:
 *
 *   start-end perms offset dev inode          name
 *   00601000-00622000 rw-p 00000000 00:00 0   [heap]
 *
 * perms: r, w, x, and p (private) or s (shared, VM_MAYSHARE).  A file
 * mapping shows its offset, device and inode and, after padding to
 * column 25 + 6 * sizeof(void *), its path; an anonymous one shows
 * [heap] if it holds the break's range, [stack] if it holds start_stack.
 *
 * kmm's processes run as uid and gid 1000, with no capabilities and no
 * supplementary groups; init and the kernel threads are root
 * (docs/glossary.md).  A zombie's files read as Linux's do: no address
 * space, so maps is empty and status has no Vm lines.
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
#include <kmm/resource.h>
#include <kmm/binfmts.h>
#include <kmm/process.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/seq_file.h>
#include <kmm/string.h>
#include "kernel/proc_internal.h"

static void pad_len_spaces(struct seq_file *m, int len)
{
	len = 25 + arch->sizeof_ptr * 6 - len;
	if (len < 1)
		len = 1;
	seq_printf(m, "%*c", len, ' ');
}

void show_map_vma(struct seq_file *m, struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct file *file = vma->vm_file;
	unsigned long flags = vma->vm_flags, ino = 0;
	unsigned long long pgoff = 0;
	unsigned int major = 0, minor = 0;
	const char *name = NULL;
	int len;

	if (file) {
		struct inode *inode = file_inode(file);

		major = inode->i_dev_major;
		minor = inode->i_dev_minor;
		ino = inode->i_ino;
		pgoff = (unsigned long long)vma->vm_pgoff << PAGE_SHIFT;
	}
	char head[128];

	len = snprintf(head, sizeof(head), "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ",
		       vma->vm_start, vma->vm_end, flags & VM_READ ? 'r' : '-',
		       flags & VM_WRITE ? 'w' : '-', flags & VM_EXEC ? 'x' : '-',
		       flags & VM_MAYSHARE ? 's' : 'p', pgoff, major, minor, ino);
	seq_puts(m, head);
	if (file) {
		/* seq_path: a newline in the name is written \012, so each line stays one mapping. */
		pad_len_spaces(m, len);
		for (const char *p = file_inode(file)->i_path; *p; p++) {
			if (*p == '\n')
				seq_puts(m, "\\012");
			else
				seq_putc(m, *p);
		}
	} else if ((name = arch_vma_name(vma))) {
		/* [vdso], [vsyscall] */
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
	return t && t->exit_state != EXIT_DEAD ? t : NULL;
}

static int show_maps(struct seq_file *m, struct task_struct *t)
{
	struct mm_struct *mm = t->mm;

	if (!mm)
		return 0;	/* a kernel thread: an empty file, as on Linux */
	down_read(&mm->mmap_sem);
	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next)
		show_map_vma(m, vma);
	if (get_gate_vma(mm))
		show_map_vma(m, get_gate_vma(mm));	/* m_next's last entry: [vsyscall] */
	up_read(&mm->mmap_sem);
	return 0;
}

/* ---- status and statm ---- */

/* The sizes of an address space, in kB (task_mem). */
static void task_mem(struct seq_file *m, struct mm_struct *mm)
{
	unsigned long hiwater_vm, total_vm, hiwater_rss, total_rss, data, text, lib, exec;

	hiwater_vm = total_vm = mm->total_vm;
	if (hiwater_vm < mm->hiwater_vm)
		hiwater_vm = mm->hiwater_vm;
	hiwater_rss = total_rss = get_mm_rss(mm);
	if (hiwater_rss < mm->hiwater_rss)
		hiwater_rss = mm->hiwater_rss;
	data = mm->total_vm - mm->shared_vm - mm->stack_vm;
	text = (PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK)) >> 10;
	/* kmm: a spawned process has code but no VMA of it: no libraries, not less than none. */
	exec = mm->exec_vm << (PAGE_SHIFT - 10);
	lib = exec > text ? exec - text : 0;
	seq_printf(m,
		   "VmPeak:\t%8lu kB\n"
		   "VmSize:\t%8lu kB\n"
		   "VmLck:\t%8lu kB\n"
		   "VmHWM:\t%8lu kB\n"
		   "VmRSS:\t%8lu kB\n"
		   "VmData:\t%8lu kB\n"
		   "VmStk:\t%8lu kB\n"
		   "VmExe:\t%8lu kB\n"
		   "VmLib:\t%8lu kB\n"
		   "VmPTE:\t%8lu kB\n"
		   "VmSwap:\t%8lu kB\n",
		   hiwater_vm << (PAGE_SHIFT - 10),
		   (total_vm - mm->reserved_vm) << (PAGE_SHIFT - 10),
		   mm->locked_vm << (PAGE_SHIFT - 10),
		   hiwater_rss << (PAGE_SHIFT - 10),
		   total_rss << (PAGE_SHIFT - 10),
		   data << (PAGE_SHIFT - 10),
		   mm->stack_vm << (PAGE_SHIFT - 10), text, lib,
		   (PTRS_PER_PTE * (1UL << pgtable_shape.entry_shift) * mm->nr_ptes) >> 10,
		   get_mm_counter(mm, MM_SWAPENTS) << (PAGE_SHIFT - 10));
}

/*
 * The state letter: the lowest set bit of the reportable state (running,
 * sleeping, uninterruptible, stopped, traced) or the exit state.  kmm's
 * processes that the script is not acting as wait uninterruptibly ("D").
 */
#define TASK_REPORT	0x0f

static const char *get_task_state(const struct task_struct *t)
{
	static const char *const task_state_array[] = {
		"R (running)", "S (sleeping)", "D (disk sleep)", "T (stopped)",
		"t (tracing stop)", "Z (zombie)", "X (dead)", "x (dead)", "K (wakekill)",
		"W (waking)",
	};
	unsigned int state = ((unsigned int)READ_ONCE(t->state) & TASK_REPORT) | t->exit_state;
	unsigned int i = 0;

	while (state && i + 1 < ARRAY_SIZE(task_state_array)) {
		i++;
		state >>= 1;
	}
	return task_state_array[i];
}

/* The comm, a backslash doubled and a newline written as \n (task_name). */
static void task_name(struct seq_file *m, const struct task_struct *t)
{
	seq_puts(m, "Name:\t");
	for (int i = 0; i < TASK_COMM_LEN && t->comm[i]; i++) {
		if (t->comm[i] == '\\')
			seq_puts(m, "\\\\");
		else if (t->comm[i] == '\n')
			seq_puts(m, "\\n");
		else
			seq_putc(m, t->comm[i]);
	}
	seq_putc(m, '\n');
}

/* Ids and credentials (task_state): processes are uid 1000, init and kernel threads root. */
static void task_state(struct seq_file *m, struct task_struct *t)
{
	int id = t->is_process ? 1000 : 0;
	pid_t ppid = t->real_parent ? t->real_parent->tgid : 0;

	seq_printf(m,
		   "State:\t%s\n"
		   "Tgid:\t%d\n"
		   "Pid:\t%d\n"
		   "PPid:\t%d\n"
		   "TracerPid:\t%d\n"
		   "Uid:\t%d\t%d\t%d\t%d\n"
		   "Gid:\t%d\t%d\t%d\t%d\n",
		   get_task_state(t), t->tgid ? t->tgid : t->pid, t->pid, ppid, 0,
		   id, id, id, id, id, id, id, id);
	/* The fd table a task starts with holds BITS_PER_LONG descriptors; a zombie has none. */
	seq_printf(m, "FDSize:\t%d\nGroups:\t\n", t->exit_state ? 0 : arch->bits);
}

/* Signals (task_sig): kmm records one pending fatal signal, and none is blocked or handled. */
static void task_sig(struct seq_file *m, struct task_struct *t)
{
	unsigned long long pending = 0;
	unsigned long qlim = 0;
	int threads = 0;

	/* A zombie keeps its signal_struct until it is reaped (__exit_signal). */
	if (t->signal) {
		threads = atomic_read(&t->signal->count);
		qlim = t->signal->rlim[RLIMIT_SIGPENDING].rlim_cur;
	}
	if (t->pending_fatal > 0 && t->pending_fatal <= 64)
		pending = 1ULL << (t->pending_fatal - 1);
	seq_printf(m, "Threads:\t%d\n", threads);
	seq_printf(m, "SigQ:\t%lu/%lu\n", 0UL, qlim);
	/* 64 signals, four to a hex digit, signal 64 first: the set as one number. */
	seq_printf(m, "SigPnd:\t%016llx\n", pending);
	seq_printf(m, "ShdPnd:\t%016llx\n", 0ULL);
	seq_printf(m, "SigBlk:\t%016llx\n", 0ULL);
	seq_printf(m, "SigIgn:\t%016llx\n", 0ULL);
	seq_printf(m, "SigCgt:\t%016llx\n", 0ULL);
}

/*
 * Capabilities (task_cap): an unprivileged process has none; init, after
 * its exec as root, has every one; a kernel thread keeps init_cred's, all
 * but CAP_SETPCAP (bit 8) effective.  The bounding set is full.
 */
static void task_cap(struct seq_file *m, struct task_struct *t)
{
	unsigned long long prm = 0, eff = 0;

	if (!t->is_process) {
		prm = ~0ULL;
		eff = t == &init_proc ? ~0ULL : ~(1ULL << 8);
	}
	seq_printf(m, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\n",
		   0ULL, prm, eff, ~0ULL);
}

/*
 * Where it may run and allocate: every possible CPU (NR_CPUS bits, as a
 * kernel without CPUMASK_OFFSTACK prints them) and every node with
 * memory (MAX_NUMNODES bits; one without NUMA).
 */
static void task_cpus_mems(struct seq_file *m)
{
	unsigned long cpus[BITS_TO_LONGS(NR_CPUS)] = { 0 };
	unsigned long mems[BITS_TO_LONGS(MAX_NUMNODES)] = { 0 };
	int nid, nr_nodes = arch->numa ? MAX_NUMNODES : 1;

	for (int cpu = 0; cpu < nr_cpu_ids; cpu++)
		set_bit(cpu, cpus);
	for_each_online_node(nid)
		if (NODE_DATA(nid)->node_present_pages)
			set_bit(nid, mems);
	seq_puts(m, "Cpus_allowed:\t");
	seq_bitmap(m, cpus, NR_CPUS);
	seq_puts(m, "\nCpus_allowed_list:\t");
	seq_bitmap_list(m, cpus, NR_CPUS);
	seq_puts(m, "\nMems_allowed:\t");
	seq_bitmap(m, mems, nr_nodes);
	seq_puts(m, "\nMems_allowed_list:\t");
	seq_bitmap_list(m, mems, nr_nodes);
	seq_putc(m, '\n');
}

static int show_status(struct seq_file *m, struct task_struct *t)
{
	struct mm_struct *mm = t->exit_state ? NULL : t->mm;

	task_name(m, t);
	task_state(m, t);
	if (mm) {
		down_read(&mm->mmap_sem);
		task_mem(m, mm);
		up_read(&mm->mmap_sem);
	}
	task_sig(m, t);
	task_cap(m, t);
	task_cpus_mems(m);
	seq_printf(m, "voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n",
		   t->nvcsw, t->nivcsw);
	return 0;
}

/*
 * statm: size resident shared text lib data dt, in pages (task_statm).
 * "shared" is the file-backed rss; lib and dt are always 0.
 */
static int show_statm(struct seq_file *m, struct task_struct *t)
{
	struct mm_struct *mm = t->exit_state ? NULL : t->mm;
	int size = 0, resident = 0, shared = 0, text = 0, data = 0;

	if (mm) {
		shared = (int)get_mm_counter(mm, MM_FILEPAGES);
		text = (int)((PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK)) >> PAGE_SHIFT);
		data = (int)(mm->total_vm - mm->shared_vm);
		resident = shared + (int)get_mm_counter(mm, MM_ANONPAGES);
		size = (int)mm->total_vm;
	}
	seq_printf(m, "%d %d %d %d %d %d %d\n", size, resident, shared, text, 0, data, 0);
	return 0;
}

/* ---- the directory ---- */

static const struct {
	const char *name;
	int (*show)(struct seq_file *m, struct task_struct *t);
} pid_files[] = {
	{ "maps", show_maps },
	{ "smaps", show_smaps },
	{ "status", show_status },
	{ "statm", show_statm },
	{ "pagemap", show_pagemap },
};

static int proc_pid_show(struct seq_file *m, const char *rest)
{
	const char *file;
	struct task_struct *t = proc_task(rest, &file);

	if (!t)
		return kmm_error("/proc/%s: no such process", rest), -ENOENT;
	for (size_t i = 0; i < ARRAY_SIZE(pid_files); i++)
		if (!strcmp(file, pid_files[i].name))
			return pid_files[i].show(m, t);
	return kmm_error("/proc/%s: no such file", rest), -ENOENT;
}
PROC_ENTRY(proc_pid, "/proc", proc_pid_show, NULL, true);
