/*
 * replay.c - a real program's strace log, replayed on kmm's processes:
 * `kmm replay --strace FILE` and the script command `replay FILE`.
 *
 * Each line is parsed (strace_parse.c) and acted out by the process that
 * made it.  A pid of the log gets a kmm process the first time it is
 * seen: the child of the call that made it (an unfinished clone, fork or
 * vfork of another pid, or the one whose result names it), or else a
 * fresh process (spawn).  Memory calls run as system calls of that
 * process; execve gives the pid a fresh image (with --exec, the program
 * itself, loaded by do_execve as the host loaded it); exit and exit_group
 * end it; open, openat, close and dup* keep its descriptors' paths.
 *
 * What the log cannot give kmm is made up, and counted:
 *   - a file mapping maps the host file the log's openat named for that
 *     descriptor (filp_open, read-only, as kmm opens host files), at the
 *     same offset; where there is no such file (a relative or unknown
 *     path, a file gone, a shared writable mapping kmm cannot give a
 *     read-only file) it is an anonymous stand-in of the same length,
 *     protection and MAP_SHARED/MAP_PRIVATE;
 *   - a mapping whose address the kernel chose is placed where the traced
 *     program got it: as the hint of the same call when it is free (the
 *     way mmap itself honours a hint), else with MAP_FIXED.  Before that,
 *     get_unmapped_area_peek() asks where kmm's own layout would have put
 *     it, and the report counts the agreements, and the disagreements by
 *     the rule of today's kernels that explains them (vvar_standin,
 *     placed_elsewhere);
 *   - without --exec, the program's image, its interpreter, stack and
 *     vdso came from an exec the log does not show: calls on them fail in
 *     kmm with ENOMEM ("outside the mappings the log made"), counted apart
 *     from real differences; the heap's start is the first brk's result
 *     (PR_SET_MM).
 * A call that failed in the log should fail in kmm: every result that
 * differs is counted by call and errno pair.
 *
 * The replay is the script's for its duration: it acts as each process in
 * turn and acts as the script's own task again at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <kmm/binfmts.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fdtable.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/mm_types.h>
#include <kmm/mman.h>
#include <kmm/prctl.h>
#include <kmm/process.h>
#include <kmm/procfs.h>
#include <kmm/sched.h>
#include <kmm/signal.h>
#include "tools/kmm/command.h"
#include "tools/kmm/process_cmd.h"
#include "tools/kmm/replay.h"
#include "tools/kmm/replay_internal.h"
#include "tools/kmm/strace_parse.h"

#define HOST_PMD_SIZE	(1UL << 21)	/* the host's huge page: what its kernel aligns mappings to */

/* ---- processes ---- */

static struct rproc *proc_find(struct replay *r, int pid)
{
	if (r->last < r->nprocs && r->procs[r->last].pid == pid)
		return &r->procs[r->last];
	for (int i = r->nprocs - 1; i >= 0; i--)
		if (r->procs[i].pid == pid) {
			r->last = i;
			return &r->procs[i];
		}
	return NULL;
}

/* A new entry for @pid (replacing a dead one of the same pid: pids are reused). */
static struct rproc *proc_add(struct replay *r, int pid)
{
	struct rproc *p = proc_find(r, pid);

	if (!p) {
		if (r->nprocs == r->cap) {
			int cap = r->cap ? r->cap * 2 : 16;
			struct rproc *np = realloc(r->procs, (size_t)cap * sizeof(*np));

			if (!np)
				return NULL;
			r->procs = np;
			r->cap = cap;
		}
		p = &r->procs[r->nprocs++];
	}
	*p = (struct rproc){ .pid = pid, .tgid = pid, .fresh = true };
	r->last = (int)(p - r->procs);
	return p;
}

static void files_put(struct rfiles *f)
{
	if (!f || --f->refs)
		return;
	for (int i = 0; i < RFD_MAX; i++) {
		free(f->path[i]);
		if (f->shm[i])
			fput(f->shm[i]);
	}
	free(f);
}

static struct rfiles *files_copy(const struct rfiles *from)
{
	struct rfiles *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->refs = 1;
	for (int i = 0; from && i < RFD_MAX; i++) {
		if (from->path[i])
			f->path[i] = strdup(from->path[i]);
		if (from->shm[i]) {
			get_file(from->shm[i]);
			f->shm[i] = from->shm[i];
		}
	}
	return f;
}

/* Act as @p's task; false if it cannot run now (its vfork child has the mm). */
static bool proc_enter(struct replay *r, struct rproc *p)
{
	if (p->task->vfork_blocked) {
		r->blocked++;
		return false;
	}
	process_enter(p->task);
	return true;
}

static void comm_of(char *comm, const char *path, int len)
{
	const char *base = path;
	int n;

	for (int i = 0; i < len; i++)
		if (path[i] == '/')
			base = path + i + 1;
	n = (int)(path + len - base);
	if (n > TASK_COMM_LEN - 1)
		n = TASK_COMM_LEN - 1;
	memcpy(comm, base, (size_t)n);
	comm[n] = 0;
}

/* A pid that no call of the log made: a fresh process, a child of init. */
static struct rproc *proc_spawn(struct replay *r, int pid, const char *comm)
{
	struct rproc *p = proc_add(r, pid);
	struct task_struct *t;

	if (!p)
		return NULL;
	process_enter(&init_proc);
	t = process_spawn(comm);
	if (!t || !(p->files = files_copy(NULL))) {
		r->nprocs--;
		return NULL;
	}
	p->task = t;
	p->kmm_pid = t->pid;
	p->live = true;
	r->processes++;
	process_enter(t);
	return p;
}

/* The clone flags of a call that makes a process. */
static unsigned long clone_flags_of(enum strace_sys sys, unsigned long long flags)
{
	if (sys == STRACE_FORK)
		return SIGCHLD;
	if (sys == STRACE_VFORK)
		return CLONE_VM | CLONE_VFORK | SIGCHLD;
	/* clone3's flags above 32 bits (CLONE_CLEAR_SIGHAND...) mean nothing to kmm. */
	return (unsigned long)(flags & 0xffffffffULL);
}

/* @child, made by @parent's clone/fork/vfork with @flags: 0, or -errno as kmm's clone failed. */
static long proc_clone(struct replay *r, struct rproc *parent, int child, unsigned long flags)
{
	struct rproc *p;
	struct task_struct *t;
	int ppid = parent->pid;

	if (!proc_enter(r, parent))
		return -EAGAIN;
	t = process_clone(flags, 0);
	if (IS_ERR(t))
		return PTR_ERR(t);
	p = proc_add(r, child);		/* may move the table: parent is stale now */
	if (!p)
		return -ENOMEM;
	parent = proc_find(r, ppid);
	p->task = t;
	p->kmm_pid = t->pid;
	p->live = true;
	p->fresh = false;
	p->brk_known = parent->brk_known;
	p->loaded = parent->loaded;
	p->vvar_known = parent->vvar_known;
	if (flags & CLONE_THREAD) {
		p->tgid = parent->tgid;
		r->threads++;
	} else {
		r->processes++;
	}
	if (flags & CLONE_FILES) {
		p->files = parent->files;
		p->files->refs++;
	} else {
		p->files = files_copy(parent->files);
	}
	if (!(flags & CLONE_VM))
		umalloc_cmd_fork(parent->task->mm, t->mm);
	return 0;
}

/*
 * The process acting @pid.  A pid seen for the first time is the child
 * of a clone, fork or vfork still unfinished in another pid (strace shows
 * the child's first calls before the parent's call returns), the latest
 * one; with none it is a fresh process, its origin unknown.
 */
static struct rproc *proc_get(struct replay *r, int pid)
{
	struct rproc *p = proc_find(r, pid), *parent = NULL;

	if (p && p->live)
		return p;
	for (int i = 0; i < r->nprocs; i++)
		if (r->procs[i].live && r->procs[i].pend_sys != STRACE_OTHER)
			parent = &r->procs[i];
	if (p && !parent) {
		r->after_exit++;
		return NULL;
	}
	if (parent) {
		unsigned long flags = clone_flags_of(parent->pend_sys, parent->pend_flags);
		int ppid = parent->pid;

		parent->pend_sys = STRACE_OTHER;
		if (proc_clone(r, parent, pid, flags) == 0) {
			proc_find(r, ppid)->pend_child = pid;
			return proc_find(r, pid);
		}
	}
	r->unknown_origin += r->nprocs > 0;
	return proc_spawn(r, pid, "replay");
}

/*
 * /proc/PID/maps, smaps and status of @p's process into DIR/<its log
 * pid>/: at its exit, or at the end of the log if it is still alive.
 */
static void proc_dump(struct replay *r, struct rproc *p)
{
	static const char *const views[] = { "maps", "smaps", "status" };
	char dir[4096], path[4200];

	if (!r->o->proc_dir)
		return;
	snprintf(dir, sizeof(dir), "%s/%d", r->o->proc_dir, p->tgid);
	mkdir(dir, 0777);
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		char view[64];

		snprintf(view, sizeof(view), "/proc/%d/%s", p->task->tgid, views[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, views[i]);
		replay_copy_view(r->rt, r->c, view, path);
	}
}

/* @p's thread group ended: every pid of it is dead now. */
static void group_dead(struct replay *r, int tgid)
{
	for (int i = 0; i < r->nprocs; i++)
		if (r->procs[i].live && r->procs[i].tgid == tgid) {
			r->procs[i].live = false;
			files_put(r->procs[i].files);
			r->procs[i].files = NULL;
		}
}

/* exit_group, a fatal signal, or the last thread's exit: the views are kept, the process ends. */
static void proc_exit_group(struct replay *r, struct rproc *p, int status)
{
	int tgid = p->tgid;

	if (!proc_enter(r, p))
		return;
	proc_dump(r, p);
	process_exit(status);
	group_dead(r, tgid);
	umalloc_cmd_reap();
	r->exits++;
}

/* exit(2) of one thread; the last one's ends the process. */
static void proc_exit_thread(struct replay *r, struct rproc *p, int status)
{
	int others = 0;

	for (int i = 0; i < r->nprocs; i++)
		others += r->procs[i].live && r->procs[i].tgid == p->tgid && &r->procs[i] != p;
	if (!others) {
		proc_exit_group(r, p, status);
		return;
	}
	if (!proc_enter(r, p))
		return;
	process_thread_exit(status);
	p->live = false;
	files_put(p->files);
	p->files = NULL;
}

/*
 * The log's execve, loaded for real (--exec): do_execve of @path with
 * the log's argv and envp -- argv {PATH} where the log shows none (a log
 * without the execve line, an array the parser cannot read), kmm's
 * default environment where it shows only the count -- with the PIE where the host put it (EXEC_PIE_ET_DYN_BASE),
 * so that the image, ld.so, [stack], [vdso] and the break start are the
 * traced program's and the loader's calls that follow act on them.
 * 0 with the process running the program and its other threads gone, or
 * -errno: refused, the process as it was (or, past the point of no
 * return, dying: the caller ends it as it ends any old image).
 */
static int exec_load(struct replay *r, struct rproc *p, const struct strace_call *sc,
		     const char *path)
{
	struct strace_strings argv = { .n = -1 }, envp = { .n = -1 };
	const char *one[] = { path, NULL }, *why;
	int ret;

	/* An argv or envp the parser cannot read is taken as not shown. */
	if (sc && sc->sys == STRACE_EXECVE && strace_execve_strings(sc, 1, &argv, &why))
		argv = (struct strace_strings){ .n = -1 };
	if (sc && sc->sys == STRACE_EXECVE && strace_execve_strings(sc, 2, &envp, &why))
		envp = (struct strace_strings){ .n = -1 };
	if (r->exec_first) {
		r->env_count = envp.v ? -1 : envp.n;
		r->argv_cut = argv.cut;
		r->argv_none = !argv.v || !argv.n;
	}
	if (!proc_enter(r, p)) {
		ret = -EAGAIN;
		goto out;
	}
	ret = do_execve_pie(path, argv.v && argv.n ? (const char *const *)argv.v : one,
			    envp.v ? (const char *const *)envp.v : kmm_default_envp,
			    EXEC_PIE_ET_DYN_BASE);
	if (!ret) {
		for (int i = 0; i < r->nprocs; i++) {
			struct rproc *o = &r->procs[i];

			if (o != p && o->live && o->tgid == p->tgid) {
				o->live = false;	/* de_thread ended it */
				files_put(o->files);
				o->files = NULL;
			}
		}
		umalloc_cmd_reap();
		if (r->exec_first)
			r->first_sp = current->mm->start_stack;
		p->fresh = false;
		p->loaded = true;
		p->brk_known = false;
		p->vvar_known = false;
		r->loaded++;
	}
out:
	strace_strings_free(&argv);
	strace_strings_free(&envp);
	return ret;
}

/* The log's execve path, for exec_load: absolute and without escapes, else NULL. */
static char *exec_path(const struct strace_call *sc)
{
	if (sc->pathlen <= 0 || sc->path[0] != '/' || memchr(sc->path, '\\', (size_t)sc->pathlen))
		return NULL;
	return strndup(sc->path, (size_t)sc->pathlen);
}

/*
 * execve: the pid goes on as a fresh process image.  With --exec the
 * log's first exec loads the --exec program, and a later one the log's
 * program when the host has it (exec_load).  Otherwise -- no --exec, a
 * relative path, a program kmm refuses (a #! script) -- the image is a
 * new process (spawn: an empty address space with its stack) that takes
 * the pid over, and the old process ends as exec's flush_old_exec ends
 * the old image: its other threads die, a parent waiting in vfork goes
 * on.  A refused --exec program stops the replay (r->exec_error).
 */
static void proc_exec(struct replay *r, struct rproc *p, const struct strace_call *sc)
{
	struct task_struct *t;
	char comm[TASK_COMM_LEN];
	struct rfiles *files = p->files;
	int tgid = p->tgid, pid = p->pid, err = 0;

	r->execs += sc != NULL;
	if (r->o->exec) {
		char *path = r->exec_first ? strdup(r->o->exec) : exec_path(sc);
		bool tried = path != NULL;

		err = path ? exec_load(r, p, sc, path) : 0;
		free(path);
		if (r->exec_first) {
			r->exec_first = false;
			if (err)
				r->exec_error = -err;
			return;
		}
		if (tried && !err)
			return;
		r->exec_empty++;
		if (r->nempty < 3)
			r->empty[r->nempty++] = (struct exec_empty){ r->line + r->o->first_line - 1, -err };
	}
	if (p->fresh)
		return;			/* nothing replayed yet: already a fresh image */
	comm_of(comm, sc->path ? sc->path : "", sc->pathlen > 0 ? sc->pathlen : 0);
	if (!proc_enter(r, p))
		return;
	t = process_spawn(comm);
	if (!t)
		return;
	files->refs++;		/* the descriptors survive exec (CLOEXEC is not followed) */
	process_exit(0);
	group_dead(r, tgid);
	umalloc_cmd_reap();
	p = proc_add(r, pid);
	p->task = t;
	p->kmm_pid = t->pid;
	p->live = true;
	p->files = files;
}

/* ---- results ---- */

static void count_result(struct replay *r, enum strace_sys sys, int log_err, int kmm_err)
{
	struct diff_kind *k;

	if (log_err == kmm_err) {
		r->same++;
		return;
	}
	/* The image, interpreter, stack and vdso are not in the log: kmm has nothing there. */
	if (!log_err && kmm_err == ENOMEM &&
	    (sys == STRACE_MPROTECT || sys == STRACE_MADVISE || sys == STRACE_MLOCK ||
	     sys == STRACE_MUNLOCK)) {
		r->outside++;
		return;
	}
	r->differ++;
	for (k = r->kinds; k < r->kinds + r->nkinds; k++)
		if (k->sys == sys && k->log_err == log_err && k->kmm_err == kmm_err)
			break;
	if (k == r->kinds + r->nkinds) {
		if (r->nkinds == MAX_KINDS)
			return;
		*k = (struct diff_kind){ sys, log_err, kmm_err, 0 };
		r->nkinds++;
	}
	k->n++;
}

/* The errno of a log's result (-1 for a name kmm does not know), 0 on success. */
static int log_errno(const struct strace_call *sc)
{
	return sc->ret == -1 && sc->err ? sc->err : 0;
}

static int kmm_errno(long ret)
{
	return IS_ERR_VALUE((unsigned long)ret) ? (int)-ret : 0;
}

/* kmm's result as an errno to compare: its own, or OTHER_RESULT where it succeeded elsewhere. */
static int kmm_outcome(long ret, long long log_ret)
{
	int err = kmm_errno(ret);

	return err ? err : ret != log_ret ? OTHER_RESULT : 0;
}

/* ---- the calls ---- */

/*
 * A file mapping: the host file the log's openat named for descriptor
 * @fd, opened read-only (filp_open) -- or the tmpfs file a /dev/shm
 * path named, opened when the log opened it (replay_files) -- and
 * installed as a descriptor of the
 * current process, to be mapped by the same mmap call and closed after
 * it (sys_close): the VMA keeps the file, as after a real program's
 * close.  Returns kmm's descriptor, or -1 where there is no file to open
 * (no path, a relative one -- the traced program's working directory is
 * not in the log --, one the host refuses, or MAP_SHARED with PROT_WRITE,
 * which a read-only file cannot have): the mapping is then an anonymous
 * stand-in of the same length, protection and sharing.
 */
static long replay_file_open(struct replay *r, struct rproc *p, const struct strace_call *sc,
			     unsigned long len)
{
	long fd = (long)(int)sc->arg[4];
	const char *path = fd >= 0 && fd < RFD_MAX && p->files ? p->files->path[fd] : NULL;
	bool shared_write = (sc->arg[3] & MAP_TYPE) == MAP_SHARED && (sc->arg[2] & PROT_WRITE);
	struct file *file;
	long kfd;

	if (path && p->files->shm[fd]) {
		/* The tmpfs file the log's openat opened (or made), as the process holds it. */
		get_file(p->files->shm[fd]);
		kfd = fd_install_lowest(p->files->shm[fd]);
		if (kfd >= 0) {
			r->files++;
			return kfd;
		}
		fput(p->files->shm[fd]);
	} else if (path && path[0] == '/' && !shared_write && !strchr(path, '\\')) {
		file = filp_open(path, O_RDONLY, 0);
		if (!IS_ERR(file)) {
			kfd = fd_install_lowest(file);
			if (kfd >= 0) {
				r->files++;
				return kfd;
			}
			fput(file);
		}
	}
	r->standins++;
	r->standin_bytes += len;
	return -1;
}

/*
 * The host's [vvar] pages, held by a stand-in.  kmm's vdso is 2.6.34's
 * one page; today's kernels map a 2-page vdso and 4 to 6 [vvar] pages
 * below the interpreter, so after an exec kmm's layout has a hole there
 * that the host's has not, and 2.6.34's search would put every small
 * mapping into it.  The first mapping the host's kernel placed after the
 * exec went right below those pages (its top-down search finds nothing
 * higher), so where it ends is where they start: when kmm's own answer
 * was the hole under its [vdso], the pages from there up to the [vdso]
 * get an anonymous shared read-only stand-in (shared: it merges with no
 * neighbour), and kmm's search is asked again on the host's address
 * space.  True when the stand-in was made.
 */
static bool vvar_standin(struct replay *r, struct rproc *p, unsigned long len, unsigned long log,
			 unsigned long peek)
{
	unsigned long vdso = current->mm->vdso, start = log + PAGE_ALIGN(len);

	p->vvar_known = true;
	if (!vdso || peek + PAGE_ALIGN(len) != vdso || start >= vdso ||
	    find_vma_intersection(current->mm, start, vdso))
		return false;
	if (IS_ERR_VALUE(sys_mmap_pgoff(start, vdso - start, PROT_READ,
					MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, (unsigned long)-1, 0)))
		return false;
	r->vvar++;
	r->vvar_pages += (vdso - start) >> PAGE_SHIFT;
	return true;
}

/*
 * Where today's kernels' top-down search (vm_unmapped_area, Linux 3.8)
 * puts @len bytes in the current address space: the top of the highest
 * hole below mmap_base that holds them; 0 if none.  2.6.34's search
 * (free_area_cache) goes on below its last placement instead, and takes
 * a higher hole only once it has seen one big enough (cached_hole_size).
 */
static unsigned long highest_hole(unsigned long len)
{
	struct mm_struct *mm = current->mm;
	unsigned long best = 0, low = mmap_min_addr, top = mm->mmap_base;

	for (struct vm_area_struct *vma = mm->mmap;; vma = vma->vm_next) {
		unsigned long end = vma && vma->vm_start < top ? vma->vm_start : top;

		if (end > low && end - low >= len)
			best = end - len;
		if (!vma || vma->vm_start >= top)
			return best;
		low = vma->vm_end;
	}
}

/*
 * Where today's kernels put a mapping of @len bytes at file offset @off
 * that they align for transparent huge pages (thp_get_unmapped_area:
 * files of 2 MiB or more since Linux 5.18's ext4/xfs, anonymous lengths
 * that are multiples of 2 MiB since 6.7): a hole of @len + 2 MiB found
 * top-down, then moved up to the first address congruent to @off modulo
 * 2 MiB -- or, already aligned, 2 MiB up (6.8's top-down rule).
 */
static bool thp_placement(unsigned long len, unsigned long off, unsigned long log)
{
	unsigned long base = highest_hole(len + HOST_PMD_SIZE), sub;

	if (len < HOST_PMD_SIZE || !base)
		return false;
	sub = (off - base) & (HOST_PMD_SIZE - 1);
	return log == base + sub || (!sub && log == base + HOST_PMD_SIZE);
}

/*
 * Another thread of @p's address space is inside an mmap, munmap or
 * mremap (its line unfinished): the host may have run that call first,
 * and the log's order of results is not the order the kernel placed in.
 */
static bool call_in_flight(struct replay *r, const struct rproc *p)
{
	for (int i = 0; i < r->nprocs; i++) {
		const struct rproc *q = &r->procs[i];

		if (q != p && q->live && q->task->mm == p->task->mm &&
		    (strace_reader_pending(&r->reader, q->pid, STRACE_MMAP) ||
		     strace_reader_pending(&r->reader, q->pid, STRACE_MUNMAP) ||
		     strace_reader_pending(&r->reader, q->pid, STRACE_MREMAP)))
			return true;
	}
	return false;
}

/*
 * A placement kmm's layout would have made elsewhere: why, when the
 * replay can tell (the rules above, checked against the log's address on
 * the same address space), and the first ones kept for the report.
 * Without the program's image (no --exec, or an exec kmm could not
 * load) the address spaces differ from the start: no rule is tried.
 */
static void placed_elsewhere(struct replay *r, const struct rproc *p, unsigned long len,
			     unsigned long off, unsigned long log, unsigned long peek)
{
	enum place_why why = PLACE_UNEXPLAINED;

	if (!p->loaded)
		why = PLACE_NO_IMAGE;
	else if (thp_placement(PAGE_ALIGN(len), off, log))
		why = PLACE_THP;
	else if (log == highest_hole(PAGE_ALIGN(len)))
		why = PLACE_HIGHEST_HOLE;
	else if (call_in_flight(r, p))
		why = PLACE_IN_FLIGHT;
	r->elsewhere_why[why]++;
	if (r->nelsewhere < MAX_ELSEWHERE)
		r->elsewhere[r->nelsewhere++] = (struct elsewhere){
			r->line + r->o->first_line - 1, log, peek, len, why };
}

/*
 * The kernel placed a mapping of @p's at [log, log + len) while another
 * thread of the address space was inside munmap (its line unfinished):
 * if that munmap's range meets the new one, the kernel ran it first --
 * the address was free -- though its result comes later in the log.  Run
 * it now; its resumed line then only compares the result.
 */
static void run_munmaps_in_flight(struct replay *r, const struct rproc *p, unsigned long log,
				  unsigned long len)
{
	for (int i = 0; i < r->nprocs; i++) {
		struct rproc *q = &r->procs[i];

		if (q == p || !q->live || q->task->mm != p->task->mm || !q->munmap_pending ||
		    q->munmap_done || q->munmap_addr >= log + len ||
		    q->munmap_addr + q->munmap_len <= log)
			continue;
		q->munmap_ret = sys_munmap(q->munmap_addr, q->munmap_len);
		q->munmap_done = true;
	}
}

/* The mmap itself: where the log's was placed by the kernel, placed as the log says. */
static void replay_mmap_call(struct replay *r, struct rproc *p, const struct strace_call *sc,
			     unsigned long addr, unsigned long len, unsigned long prot,
			     unsigned long flags, long fd, unsigned long pgoff)
{
	unsigned long log = (unsigned long)sc->ret;
	int lerr = log_errno(sc);
	unsigned long peek;
	long ret;

	if (lerr || (flags & MAP_FIXED)) {
		ret = sys_mmap_pgoff(addr, len, prot, flags, (unsigned long)fd, pgoff);
		count_result(r, sc->sys, lerr, lerr ? kmm_errno(ret) : kmm_outcome(ret, sc->ret));
		return;
	}
	/* The kernel chose the address: ask kmm's layout, then place it as the log says. */
	r->placed++;
	peek = get_unmapped_area_peek(NULL, addr, len, pgoff, flags);
	if (peek != log && p->loaded && !p->vvar_known && !addr && vvar_standin(r, p, len, log, peek))
		peek = get_unmapped_area_peek(NULL, addr, len, pgoff, flags);
	if (peek == log) {
		r->agreed++;
		ret = sys_mmap_pgoff(addr, len, prot, flags, (unsigned long)fd, pgoff);
	} else {
		placed_elsewhere(r, p, len, (flags & MAP_ANONYMOUS) ? 0 : pgoff << PAGE_SHIFT, log, peek);
		run_munmaps_in_flight(r, p, log, PAGE_ALIGN(len));
		ret = sys_mmap_pgoff(log, len, prot, flags, (unsigned long)fd, pgoff);
		r->hinted++;
		if (!kmm_errno(ret) && ret != sc->ret) {
			/* Something of kmm's is in the way: the log's layout wins. */
			sys_munmap((unsigned long)ret, len);
			ret = sys_mmap_pgoff(log, len, prot, flags | MAP_FIXED, (unsigned long)fd, pgoff);
			r->hinted--;
			r->forced++;
		}
	}
	count_result(r, sc->sys, 0, kmm_outcome(ret, sc->ret));
}

static void replay_mmap(struct replay *r, struct rproc *p, const struct strace_call *sc)
{
	unsigned long addr = sc->arg[0], len = sc->arg[1], prot = sc->arg[2];
	unsigned long flags = sc->arg[3];
	unsigned long pgoff = sc->sys == STRACE_MMAP2 ? sc->arg[5] : sc->arg[5] >> PAGE_SHIFT;
	long fd = (long)(int)sc->arg[4];
	int lerr = log_errno(sc);

	if (!(flags & MAP_ANONYMOUS) && !lerr) {
		fd = replay_file_open(r, p, sc, len);
		if (fd < 0) {
			flags |= MAP_ANONYMOUS;
			pgoff = 0;
		}
	}
	replay_mmap_call(r, p, sc, addr, len, prot, flags, fd, pgoff);
	if (!(flags & MAP_ANONYMOUS) && !lerr)
		sys_close((unsigned int)fd);
}

/* mremap: where the log's moved the mapping, kmm's moves it too (MREMAP_FIXED there). */
static void replay_mremap(struct replay *r, const struct strace_call *sc)
{
	unsigned long flags = sc->arg[3], new_addr = sc->nargs > 4 ? sc->arg[4] : 0;
	int lerr = log_errno(sc);
	long ret;

	if (!lerr && (unsigned long)sc->ret != sc->arg[0] && (flags & MREMAP_MAYMOVE) &&
	    !(flags & MREMAP_FIXED)) {
		flags |= MREMAP_FIXED;
		new_addr = (unsigned long)sc->ret;
		r->moved++;
	}
	ret = (long)sys_mremap(sc->arg[0], sc->arg[1], sc->arg[2], flags, new_addr);
	count_result(r, STRACE_MREMAP, lerr, lerr ? kmm_errno(ret) : kmm_outcome(ret, sc->ret));
}

/*
 * brk: the first of an image sets where its heap starts (the log's
 * brk(NULL) is the start the exec chose); then each call is kmm's brk,
 * whose result must be the log's.
 */
static void replay_brk(struct replay *r, struct rproc *p, const struct strace_call *sc)
{
	unsigned long ret;

	if (!p->brk_known) {
		p->brk_known = true;
		/* A loaded image has its break from exec: the log's elsewhere is counted, then followed. */
		if (!p->loaded || current->mm->start_brk != (unsigned long)sc->ret) {
			r->brk_moved += p->loaded;
			prctl_set_mm(PR_SET_MM_START_BRK, (unsigned long)sc->ret);
		}
	}
	ret = sys_brk(sc->arg[0]);
	count_result(r, STRACE_BRK, 0, ret == (unsigned long)sc->ret ? 0 : OTHER_RESULT);
}

/* Descriptor @fd of @f closes: its path and its tmpfs file, if any. */
static void drop_fd(struct rfiles *f, long fd)
{
	free(f->path[fd]);
	f->path[fd] = NULL;
	if (f->shm[fd])
		fput(f->shm[fd]);
	f->shm[fd] = NULL;
}

/*
 * A /dev/shm path the log opened: kmm's tmpfs file of that name, opened
 * read-write (made if new, as shm_open's O_CREAT makes it), so that the
 * log's shared writable mappings of it map a real file of kmm's, and its
 * unlink leaves the file to those holding it.  NULL for other paths.
 */
static struct file *open_shm(const char *path)
{
	struct file *file;

	if (!path || strncmp(path, "/dev/shm/", 9) || strchr(path, '\\'))
		return NULL;
	file = filp_open(path, O_RDWR | O_CREAT, 0600);
	return IS_ERR(file) ? NULL : file;
}

static void replay_files(struct rproc *p, const struct strace_call *sc)
{
	struct rfiles *f = p->files;
	long fd = sc->ret;

	if (!f || sc->ret < 0)
		return;
	switch (sc->sys) {
	case STRACE_OPEN:
	case STRACE_OPENAT:
		if (fd < RFD_MAX && sc->pathlen >= 0) {
			drop_fd(f, fd);
			f->path[fd] = strndup(sc->path, (size_t)sc->pathlen);
			f->shm[fd] = open_shm(f->path[fd]);
		}
		break;
	case STRACE_UNLINK:
	case STRACE_UNLINKAT:
		/* A tmpfs file's name goes (shm_unlink); kmm has no other file to unlink. */
		if (sc->pathlen > 9 && !strncmp(sc->path, "/dev/shm/", 9)) {
			char *path = strndup(sc->path, (size_t)sc->pathlen);

			if (path)
				sys_unlink(path);
			free(path);
		}
		break;
	case STRACE_CLOSE:
		if (sc->arg[0] < RFD_MAX)
			drop_fd(f, (long)sc->arg[0]);
		break;
	default:		/* dup, dup2, dup3: the new descriptor names the old one's file */
		if (fd < RFD_MAX && sc->arg[0] < RFD_MAX && (long)sc->arg[0] != fd) {
			drop_fd(f, fd);
			f->path[fd] = f->path[sc->arg[0]] ? strdup(f->path[sc->arg[0]]) : NULL;
			f->shm[fd] = f->shm[sc->arg[0]];
			if (f->shm[fd])
				get_file(f->shm[fd]);
		}
		break;
	}
}

/* A clone, fork or vfork that returned: its child, unless its first lines made it already. */
static void replay_clone(struct replay *r, struct rproc *p, const struct strace_call *sc)
{
	unsigned long flags = clone_flags_of(sc->sys, sc->clone_flags ? sc->clone_flags : SIGCHLD);
	long err;

	p->pend_sys = STRACE_OTHER;
	if (sc->ret < 0) {
		r->same++;	/* kmm makes nothing either */
		return;
	}
	if (p->pend_child == sc->ret) {
		p->pend_child = 0;	/* made when its first line came */
		return;
	}
	err = proc_clone(r, p, (int)sc->ret, flags);
	count_result(r, sc->sys, 0, (int)-err);
}

static void replay_call(struct replay *r, struct rproc *p, const struct strace_call *sc)
{
	int lerr = log_errno(sc);
	long ret;

	r->calls[sc->sys]++;
	if (sc->sys >= STRACE_OPEN) {
		replay_files(p, sc);
		return;
	}
	if (!proc_enter(r, p))
		return;
	if (sc->sys <= STRACE_LAST_MEMORY)
		p->fresh = false;
	switch (sc->sys) {
	case STRACE_MMAP:
	case STRACE_MMAP2:
		replay_mmap(r, p, sc);
		return;
	case STRACE_MUNMAP:
		ret = p->munmap_done ? p->munmap_ret : sys_munmap(sc->arg[0], sc->arg[1]);
		p->munmap_pending = p->munmap_done = false;
		break;
	case STRACE_MPROTECT:
		ret = sys_mprotect(sc->arg[0], sc->arg[1], sc->arg[2]);
		break;
	case STRACE_BRK:
		replay_brk(r, p, sc);
		return;
	case STRACE_MREMAP:
		replay_mremap(r, sc);
		return;
	case STRACE_MADVISE:
		ret = sys_madvise(sc->arg[0], sc->arg[1], (int)sc->arg[2]);
		break;
	case STRACE_MLOCK:
		ret = sys_mlock(sc->arg[0], sc->arg[1]);
		break;
	case STRACE_MUNLOCK:
		ret = sys_munlock(sc->arg[0], sc->arg[1]);
		break;
	case STRACE_MLOCKALL:
		ret = sys_mlockall((int)sc->arg[0]);
		break;
	case STRACE_MUNLOCKALL:
		ret = sys_munlockall();
		break;
	case STRACE_REMAP_FILE_PAGES:
		ret = sys_remap_file_pages(sc->arg[0], sc->arg[1], sc->arg[2], sc->arg[3],
					   sc->arg[4]);
		break;
	case STRACE_EXECVE:
		if (!lerr)
			proc_exec(r, p, sc);
		return;
	case STRACE_FORK:
	case STRACE_VFORK:
	case STRACE_CLONE:
	case STRACE_CLONE3:
		replay_clone(r, p, sc);
		return;
	case STRACE_EXIT:
		proc_exit_thread(r, p, (int)sc->arg[0] << 8);
		return;
	case STRACE_EXIT_GROUP:
		proc_exit_group(r, p, (int)sc->arg[0] << 8);
		return;
	default:
		return;
	}
	count_result(r, sc->sys, lerr, kmm_errno(ret));
}

/* ---- the log ---- */

static void refuse(struct replay *r, const char *why)
{
	r->refused++;
	fprintf(stderr, "%s:%lu: %s\n", r->o->file, r->line + r->o->first_line - 1, why);
}

/* One line of the log; false to stop (--strict after a refusal). */
static bool replay_line(struct replay *r, const char *line, size_t len)
{
	struct strace_call sc;
	struct rproc *p;
	const char *why = NULL;

	r->lines++;
	if (strace_reader_feed(&r->reader, line, len, &sc, &why)) {
		refuse(r, why);
		return !r->o->strict;
	}
	switch (sc.ev) {
	case STRACE_BLANK:
		r->blank++;
		return true;
	case STRACE_SIGNAL:
		r->signals++;
		return true;
	case STRACE_UNFINISHED:
		if (sc.sys >= STRACE_FORK && sc.sys <= STRACE_CLONE3 && (p = proc_get(r, sc.pid))) {
			p->pend_sys = sc.sys;
			p->pend_flags = sc.clone_flags ? sc.clone_flags : SIGCHLD;
		}
		if (sc.sys == STRACE_MUNMAP && sc.nargs == 2 && (p = proc_find(r, sc.pid))) {
			p->munmap_pending = true;
			p->munmap_done = false;
			p->munmap_addr = (unsigned long)sc.arg[0];
			p->munmap_len = PAGE_ALIGN((unsigned long)sc.arg[1]);
		}
		return true;
	case STRACE_EXITED:
	case STRACE_KILLED:
		p = proc_find(r, sc.pid);
		if (p && p->live)
			proc_exit_thread(r, p, sc.ev == STRACE_EXITED ? sc.status << 8 : sc.status);
		return true;
	default:
		break;
	}
	if (sc.sys == STRACE_OTHER) {
		r->ignored++;
		return true;
	}
	p = proc_get(r, sc.pid);
	if (!p) {
		refuse(r, "no process for this pid (out of memory)");
		return !r->o->strict;
	}
	/* --exec and a log without the first execve: the program is loaded before its first call. */
	if (r->exec_first && sc.sys != STRACE_EXECVE)
		proc_exec(r, p, NULL);
	if (!r->exec_error)
		replay_call(r, p, &sc);
	return !r->exec_error;
}

static double now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* A bar on standard error, for a terminal only, every 64Ki lines. */
static void progress(const struct replay *r, size_t done, size_t total, bool last)
{
	int width = 40, fill = total ? (int)((double)done / (double)total * width) : width;

	fprintf(stderr, "\rreplay [%.*s%*s] %3d%% %lu lines%s", fill,
		"########################################", width - fill, "",
		total ? (int)((double)done * 100 / (double)total) : 100, r->lines, last ? "\n" : "");
}

int replay_run(struct runtime *rt, struct script_cmd *c, const struct replay_opts *o)
{
	struct replay *r = calloc(1, sizeof(*r));
	struct task_struct *home = current;
	bool tty = isatty(2);
	size_t len, pos = 0;
	double t0;
	char *text;
	bool mapped = false;
	int status = 0;

	if (!r)
		return rt_error(rt, c, "replay: out of memory");
	text = o->text ? strdup(o->text) : replay_log_map(o->file, &len, &mapped);
	if (o->text && text)
		len = strlen(text);
	if (!text) {
		free(r);
		return rt_error(rt, c, "replay: %s: %s", o->file, strerror(errno));
	}
	r->rt = rt;
	r->c = c;
	r->o = o;
	r->exec_first = o->exec != NULL;
	if (o->proc_dir && mkdir(o->proc_dir, 0777) && errno != EEXIST) {
		status = rt_error(rt, c, "replay: %s: %s", o->proc_dir, strerror(errno));
		goto out;
	}
	t0 = now();
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		r->line++;
		if (!replay_line(r, text + pos, n))
			break;
		pos += n + 1;
		if (tty && !(r->line & 0xffff))
			progress(r, pos, len, false);
	}
	if (tty && r->line > 0xffff)
		progress(r, len, len, true);
	if (r->exec_error) {
		status = rt_error(rt, c, "replay: --exec %s: %s: %s (line %lu of %s)", o->exec,
				  strace_errno_name(r->exec_error), exec_strerror(r->exec_error),
				  r->line + o->first_line - 1, o->file);
		goto out;
	}
	for (int i = 0; i < r->nprocs; i++) {
		struct rproc *p = &r->procs[i];

		if (p->live && p->tgid == p->pid && !p->task->vfork_blocked) {
			process_enter(p->task);
			proc_dump(r, p);
		}
	}
	if (c->assign)
		replay_give_counts(rt, c, r);
	else
		replay_report(rt->out, r, o, now() - t0);
	if (o->proc_dir)
		replay_dump_system(rt, c, o->proc_dir);
	if (r->refused)
		status = rt_error(rt, c, "replay: %s: %lu line%s refused", o->file, r->refused,
				  r->refused == 1 ? "" : "s");
out:
	process_enter(home->exit_state ? &init_proc : home);
	for (int i = 0; i < r->nprocs; i++)
		if (r->procs[i].live)
			files_put(r->procs[i].files);
	strace_reader_free(&r->reader);
	free(r->procs);
	free(r);
	replay_log_unmap(text, len, mapped);
	return status;
}

