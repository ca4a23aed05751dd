/*
 * process.c - user processes: made empty (spawn), forked, run, exited,
 * waited for; the signals memory management sends them.
 *
 * A process here is a task with an address space of its own (task->mm)
 * and a thread group of one (threads come with clone).  kmm runs no
 * user code: a process "runs" when its caller -- a script line, a C
 * program using libkmm -- acts as it.  process_enter(p) makes the calling
 * thread's task p: its CPU runs p (current == p) on p's page tables
 * (switch_mm loads its CR3), and system calls and user accesses are p's.
 * The task that was running (init, or another process) waits, stopped,
 * until entered again.
 *
 *   spawn      a new process, child of the current one, with the layout
 *              a freshly exec'd program has: mmap_base, a stack VMA of
 *              33 pages below STACK_TOP, a brk start after its data
 *   fork       a copy: dup_mm (private pages shared copy-on-write)
 *   clone      a thread (CLONE_VM|CLONE_SIGHAND|CLONE_THREAD): same mm,
 *              same tgid, limits and signal state; or a process sharing
 *              the mm (CLONE_VM); vfork (CLONE_VM|CLONE_VFORK) makes the
 *              parent wait, unable to run, until the child exits
 *   exit       exit_group: every thread ends, the mm goes (its last user
 *              unmaps everything), the leader is a zombie until its
 *              parent waits; the caller goes on as the parent
 *   thread_exit  one thread ends (reaped at once unless it leads: a
 *              leader waits as a zombie for its last thread); the caller
 *              goes on as another thread of the process
 *   a signal   a fatal signal (SIGSEGV, SIGBUS, SIGKILL) ends the
 *              process as exit does, its status the signal's number
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/bug.h>
#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fdtable.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/pgtable.h>
#include <kmm/printk.h>
#include <kmm/process.h>
#include <kmm/rwsem.h>
#include <kmm/resource.h>
#include <kmm/sched.h>
#include <kmm/signal.h>
#include <kmm/spinlock.h>
#include <kmm/tlbflush.h>
#include "hw/cpu.h"
#include "kernel/exec_internal.h"
#include "kernel/sched_internal.h"

/* The break a spawned process starts with: after a one-page data segment at these addresses. */
#define SPAWN_DATA_64	0x601000UL
#define SPAWN_DATA_32	0x0804a000UL
#define SPAWN_CODE_64	0x400000UL
#define SPAWN_CODE_32	0x08048000UL
/* exec's first stack page, grown by 128 KiB as setup_arg_pages does. */
#define STACK_EXPAND	131072UL

/* The process whose turn it is in the calling thread's CPU (current), or NULL for none. */
static struct task_struct *process_of_current(void)
{
	struct task_struct *t = current;

	return t && t->is_process ? t : NULL;
}

/* Make the calling thread run as @p, on @p's address space. */
void process_enter(struct task_struct *p)
{
	struct task_struct *prev = current;
	struct mm_struct *prev_mm = prev->active_mm;
	struct mm_struct *next_mm = p->mm ? p->mm : &init_mm;

	if (p == prev)
		return;
	BUG_ON(p->exit_state);
	BUG_ON(p->vfork_blocked);	/* it waits in vfork for its child */
	p->active_mm = next_mm;
	sched_become(p);
	if (prev->state == TASK_RUNNING)
		prev->state = TASK_UNINTERRUPTIBLE;	/* stopped until entered again */
	switch_mm(prev_mm ? prev_mm : &init_mm, next_mm);
}

static struct signal_struct *signal_alloc(const struct signal_struct *from)
{
	struct signal_struct *sig = calloc(1, sizeof(*sig));

	if (!sig)
		return NULL;
	atomic_set(&sig->count, 1);
	atomic_set(&sig->live, 1);
	memcpy(sig->rlim, from->rlim, sizeof(sig->rlim));
	return sig;
}

/*
 * A new task made by the current one: a process of its own, or with
 * CLONE_THREAD a thread of the caller's process (its tgid, leader, limits
 * and signal state shared; no parent notified, as exit_signal -1 says).
 */
static struct task_struct *process_alloc(const char *comm, unsigned long clone_flags)
{
	struct task_struct *cur = current;
	struct task_struct *p = task_alloc(comm, 0);

	if (!p)
		return NULL;
	if (clone_flags & CLONE_THREAD) {
		p->signal = cur->signal;
		atomic_inc(&p->signal->count);
		atomic_inc(&p->signal->live);
	} else {
		p->signal = signal_alloc(cur->signal);
		if (!p->signal) {
			p->state = TASK_DEAD;
			put_task_struct(p);
			return NULL;
		}
	}
	if (copy_files(clone_flags, p)) {
		if (clone_flags & CLONE_THREAD) {
			atomic_dec(&p->signal->count);
			atomic_dec(&p->signal->live);
		} else {
			free(p->signal);
		}
		p->state = TASK_DEAD;
		put_task_struct(p);
		return NULL;
	}
	p->is_process = true;
	p->personality = cur->personality;
	p->cpu = cur->cpu;
	if (randomize_va_space && !(p->personality & ADDR_NO_RANDOMIZE))
		p->flags |= PF_RANDOMIZE;
	if (clone_flags & (CLONE_PARENT | CLONE_THREAD))
		p->real_parent = cur->real_parent ? cur->real_parent : &init_proc;
	else
		p->real_parent = cur;
	if (clone_flags & CLONE_THREAD) {
		p->exit_signal = -1;
		p->tgid = cur->tgid;
		p->group_leader = cur->group_leader;
		list_add_tail(&p->thread_group, &p->group_leader->thread_group);
	} else {
		p->exit_signal = (int)(clone_flags & CSIGNAL);
		list_add_tail(&p->sibling, &p->real_parent->children);
	}
	return p;
}

/* A task gone for good (reaped, or a thread at its exit): off every list, its last reference dropped. */
static void process_free(struct task_struct *p)
{
	exit_files(p);
	list_del_init(&p->sibling);
	list_del_init(&p->thread_group);
	if (atomic_dec_and_test(&p->signal->count))
		free(p->signal);
	p->signal = NULL;
	p->state = TASK_DEAD;
	put_task_struct(p);
}

/*
 * The stack of a new program: one page at the (perhaps randomised)
 * STACK_TOP where exec writes the arguments, then grown down by 128 KiB
 * (less if RLIMIT_STACK is smaller), as setup_arg_pages leaves it.
 */
static int setup_stack(struct mm_struct *mm)
{
	unsigned long top = randomize_stack_top(STACK_TOP_OF(mm));
	unsigned long rlim_stack = rlimit(RLIMIT_STACK) & PAGE_MASK;
	struct vm_area_struct *vma = vm_area_alloc(mm);
	unsigned long base;
	int err;

	if (!vma)
		return -ENOMEM;
	vma->vm_end = top;
	vma->vm_start = top - PAGE_SIZE;
	vma->vm_flags = VM_STACK_FLAGS;
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	down_write(&mm->mmap_sem);
	err = insert_vm_struct(mm, vma);
	if (err) {
		up_write(&mm->mmap_sem);
		vm_area_free(vma);
		return err;
	}
	mm->total_vm = 1;
	mm->stack_vm = 1;
	if (PAGE_SIZE + STACK_EXPAND > rlim_stack)
		base = top - rlim_stack;
	else
		base = vma->vm_start - STACK_EXPAND;
	err = expand_stack(vma, base);
	up_write(&mm->mmap_sem);
	if (err)
		return err;
	mm->start_stack = top - 32;
	mm->arg_start = mm->arg_end = mm->env_start = mm->env_end = top - 32;
	return 0;
}

/* The layout a freshly exec'd program has: mmap base, stack, code/data/brk. */
static int setup_new_mm(struct task_struct *p, struct mm_struct *mm)
{
	struct task_struct *prev = current;
	unsigned long data = arch->bits == 64 ? SPAWN_DATA_64 : SPAWN_DATA_32;
	int err;

	/* The layout reads the new task's limits and flags: choose it as the new task. */
	p->mm = mm;
	p->active_mm = mm;
	hw_this_cpu->curr = p;
	arch_pick_mmap_layout(mm);
	mm->start_code = arch->bits == 64 ? SPAWN_CODE_64 : SPAWN_CODE_32;
	mm->end_code = mm->start_code + PAGE_SIZE;
	mm->start_data = data;
	mm->end_data = data + PAGE_SIZE;
	mm->start_brk = mm->brk = mm->end_data;
	if (p->flags & PF_RANDOMIZE && randomize_va_space > 1)
		mm->start_brk = mm->brk = arch_randomize_brk(mm);
	err = setup_stack(mm);
	p->user_sp = mm->start_stack;
	hw_this_cpu->curr = prev;
	return err;
}

struct task_struct *process_spawn(const char *comm)
{
	struct task_struct *p = process_alloc(comm, SIGCHLD);
	struct mm_struct *mm;

	if (!p)
		return NULL;
	mm = mm_alloc();
	if (!mm) {
		process_free(p);
		return NULL;
	}
	if (setup_new_mm(p, mm)) {
		p->mm = p->active_mm = NULL;
		mmput(mm);
		process_free(p);
		return NULL;
	}
	return p;
}

/*
 * The combinations 2.6.34's do_fork and copy_process refuse, in their
 * order: a new user namespace for a thread, then shared filesystem state
 * with a new mount namespace, a thread without shared handlers, shared
 * handlers without a shared address space; a new namespace needs
 * CAP_SYS_ADMIN (copy_namespaces), which no kmm process has.
 */
static int clone_flags_check(unsigned long flags)
{
	if ((flags & CLONE_NEWUSER) && (flags & CLONE_THREAD))
		return -EINVAL;
	if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if (flags & CLONE_NEW_ANY)
		return -EPERM;
	return 0;
}

struct task_struct *process_clone(unsigned long clone_flags, unsigned long newsp)
{
	struct task_struct *parent = process_of_current();
	struct task_struct *p;
	int err = clone_flags_check(clone_flags);

	if (err)
		return ERR_PTR(err);
	if (!parent || !parent->mm)
		return ERR_PTR(-EINVAL);
	p = process_alloc(parent->comm, clone_flags);
	if (!p)
		return ERR_PTR(-ENOMEM);
	if (clone_flags & CLONE_VM) {
		/* copy_mm: the same address space, one more user of it. */
		atomic_inc(&parent->mm->mm_users);
		p->mm = parent->mm;
	} else {
		p->mm = dup_mm(parent->mm);
		if (!p->mm) {
			if (clone_flags & CLONE_THREAD)
				atomic_dec(&p->signal->live);
			process_free(p);
			return ERR_PTR(-ENOMEM);
		}
	}
	p->active_mm = p->mm;
	p->user_sp = newsp ? newsp : parent->user_sp;
	p->flags |= PF_FORKNOEXEC;
	if (clone_flags & CLONE_VFORK) {
		/* The parent sleeps until the child releases the mm (mm_release). */
		p->vfork_parent = parent;
		process_enter(p);
		parent->vfork_blocked = true;
	}
	return p;
}

struct task_struct *process_fork(void)
{
	return process_clone(SIGCHLD, 0);
}

struct task_struct *process_vfork(void)
{
	return process_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0);
}

/* ---- exit ---- */

/* The task leaves its mm for good (exit; exec will too): a parent waiting in vfork goes on. */
static void mm_release(struct task_struct *tsk)
{
	if (tsk->vfork_parent) {
		tsk->vfork_parent->vfork_blocked = false;
		tsk->vfork_parent = NULL;
	}
}

/* exec: the task leaves its old mm for a new image (exec_mmap's mm_release). */
void process_exec_release(struct task_struct *tsk)
{
	mm_release(tsk);
}

/* exit_mm for a task that no longer runs: its reference to the address space goes. */
static void exit_mm(struct task_struct *tsk)
{
	struct mm_struct *mm = tsk->mm;

	exit_files(tsk);
	mm_release(tsk);
	if (!mm)
		return;
	tsk->mm = NULL;
	tsk->active_mm = NULL;
	mmput(mm);
}

/* @t, or when @t waits in vfork (it cannot run), the child it waits for, which can. */
static struct task_struct *vfork_waiter_child(struct task_struct *t)
{
	struct task_struct *p;

	if (!t->vfork_blocked)
		return t;
	for_each_process(p)
		if (p->vfork_parent == t && !p->exit_state)
			return vfork_waiter_child(p);
	return &init_proc;
}

/* The thread after @t in its group's ring (the leader follows the last one): while_each_thread's step. */
static struct task_struct *next_thread(struct task_struct *t)
{
	struct task_struct *leader = t->group_leader;
	struct list_head *n = t->thread_group.next;

	return n == &leader->thread_group ? leader : list_entry(n, struct task_struct, thread_group);
}

/* find_new_reaper's choice: the first thread after @tsk in the ring that is not exiting; or NULL. */
static struct task_struct *live_thread(struct task_struct *tsk)
{
	for (struct task_struct *t = next_thread(tsk); t != tsk; t = next_thread(t))
		if (!(t->flags & PF_EXITING))
			return t;
	return NULL;
}

/* forget_original_parent: @tsk's children pass to a live thread of its process, else to init. */
static void reparent_children(struct task_struct *tsk)
{
	struct task_struct *heir = live_thread(tsk), *child, *n;

	if (!heir)
		heir = &init_proc;
	list_for_each_entry_safe(child, n, &tsk->children, sibling) {
		list_move_tail(&child->sibling, &heir->children);
		child->real_parent = heir;
	}
}

/*
 * The part of do_exit that @tsk's own exit and a group exit share: it
 * stops counting as live, hands its children on, and becomes a zombie
 * (the leader, until its parent waits) or dead (another thread, reaped
 * at once as exit_signal -1 asks).  Returns whether its group is now
 * dead.  The mm is left for the caller to drop (off the CPU first).
 */
static bool exit_notify(struct task_struct *tsk, int code)
{
	bool group_dead;

	tsk->flags |= PF_EXITING;
	tsk->exit_code = code;
	group_dead = atomic_dec_and_test(&tsk->signal->live);
	reparent_children(tsk);
	tsk->exit_state = tsk == tsk->group_leader ? EXIT_ZOMBIE : EXIT_DEAD;
	return group_dead;
}

/* A thread reaped by its own exit: its faults counted in its process, the task freed. */
static void release_thread(struct task_struct *tsk)
{
	tsk->signal->min_flt += tsk->min_flt;
	tsk->signal->maj_flt += tsk->maj_flt;
	process_free(tsk);
}

/* A task that is not running ends as well (zap_other_threads and its SIGKILL). */
static void exit_stopped_task(struct task_struct *tsk, int code)
{
	struct task_struct *p;

	if (tsk->vfork_blocked) {
		/* Its vfork child no longer has anyone to wake. */
		for_each_process(p)
			if (p->vfork_parent == tsk)
				p->vfork_parent = NULL;
		tsk->vfork_blocked = false;
	}
	exit_notify(tsk, code);
	exit_mm(tsk);
	if (tsk->exit_state == EXIT_DEAD)
		release_thread(tsk);
}

/*
 * de_thread for exec: the other threads of the caller's process end where
 * they stopped, as zap_other_threads ends them with SIGKILL.  A caller
 * that is not the leader is refused (-EAGAIN) before anything changes:
 * 2.6.34 would give it the leader's pid, which kmm does not model.
 */
int process_de_thread(struct task_struct *tsk)
{
	struct task_struct *leader = tsk->group_leader, *t, *n;

	if (tsk != leader)
		return -EAGAIN;
	list_for_each_entry_safe(t, n, &leader->thread_group, thread_group)
		exit_stopped_task(t, SIGKILL);
	return 0;
}

/*
 * The calling thread ends with @code (do_exit).  It goes off the CPU
 * before it drops its mm, so that the last user tears the address space
 * down with other page tables loaded: the calling host thread goes on as
 * a live thread of the process, or, the group dead, as its parent (init
 * when the parent is gone).
 */
static void do_exit(int code)
{
	struct task_struct *tsk = process_of_current();
	struct task_struct *leader, *next;
	bool group_dead;

	BUG_ON(!tsk);
	leader = tsk->group_leader;
	mm_release(tsk);
	group_dead = exit_notify(tsk, code);
	next = group_dead ? leader->real_parent : live_thread(tsk);
	if (!next || next->exit_state)
		next = &init_proc;
	process_enter(vfork_waiter_child(next));
	exit_mm(tsk);
	if (tsk->exit_state == EXIT_DEAD)
		release_thread(tsk);
}

/*
 * exit_group: the process ends, every thread with it.  The others do not
 * run (kmm runs one thread of a process at a time in scripts): they end
 * where they stopped, and the caller's thread ends last.  A parallel-mode
 * thread (process_thread_join) is not one of the group's tasks.
 */
void process_exit(int code)
{
	struct task_struct *tsk = process_of_current();
	struct task_struct *leader, *t, *n;

	BUG_ON(!tsk);
	leader = tsk->group_leader;
	tsk->signal->flags |= SIGNAL_GROUP_EXIT;
	tsk->signal->group_exit_code = code;
	tsk->flags |= PF_EXITING;	/* no heir among the dying */
	list_for_each_entry_safe(t, n, &leader->thread_group, thread_group)
		if (t != tsk)
			exit_stopped_task(t, code);
	if (leader != tsk && !leader->exit_state)
		exit_stopped_task(leader, code);
	do_exit(code);
}

void process_thread_exit(int code)
{
	do_exit(code);
}

/* One thread's children: the zombie @pid (-1: any) reaped into *status, or -EAGAIN/-ECHILD. */
static pid_t reap_child_of(struct task_struct *parent, pid_t pid, int *status)
{
	struct task_struct *child;
	bool found = false;

	list_for_each_entry(child, &parent->children, sibling) {
		struct signal_struct *sig = child->signal;

		if (pid != -1 && child->pid != pid)
			continue;
		found = true;
		if (child->exit_state != EXIT_ZOMBIE || !list_empty(&child->thread_group))
			continue;
		pid = child->pid;
		if (status)
			*status = sig->flags & SIGNAL_GROUP_EXIT ? sig->group_exit_code
								 : child->exit_code;
		current->signal->min_flt += child->min_flt + sig->min_flt;
		current->signal->maj_flt += child->maj_flt + sig->maj_flt;
		child->exit_state = EXIT_DEAD;
		process_free(child);
		return pid;
	}
	return found ? -EAGAIN : -ECHILD;
}

/*
 * Reap the zombie child @pid (-1: any) of the current process -- the
 * children of any of its threads, as do_wait looks at each: its pid,
 * *status its exit code (the group's when the process ended by
 * exit_group or a fatal signal).  A leader whose threads still run is not
 * reaped yet (delay_group_leader).  -ECHILD when there is no such child,
 * -EAGAIN when it has not exited yet (kmm does not block here).
 */
pid_t process_wait(pid_t pid, int *status)
{
	struct task_struct *t = current;
	pid_t ret = -ECHILD;

	do {
		pid_t r = reap_child_of(t, pid, status);

		if (r != -ECHILD)
			ret = r;
		if (r > 0)
			return r;
		t = next_thread(t);
	} while (t != current);
	return ret;
}

/*
 * Parallel mode: the calling host thread (attached as a CPU) works as a
 * thread of @leader's process: its task takes the process's address space
 * (one more mm user), its CR3 is loaded.  Threads made this way share the
 * mm as clone(CLONE_VM) threads do; they fault, map and unmap at once.
 */
int process_thread_join(struct task_struct *leader)
{
	struct task_struct *t = current;
	struct mm_struct *mm = leader->mm;

	if (!mm || t->mm)
		return -EINVAL;
	atomic_inc(&mm->mm_users);
	t->mm = mm;
	t->active_mm = mm;
	t->user_sp = leader->user_sp;
	switch_mm(&init_mm, mm);
	return 0;
}

/* The thread leaves the address space (its last user tears it down). */
void process_thread_leave(void)
{
	struct task_struct *t = current;
	struct mm_struct *mm = t->mm;

	if (!mm)
		return;
	switch_mm(mm, &init_mm);
	t->mm = NULL;
	t->active_mm = &init_mm;
	mmput(mm);
}

/* ---- resource limits ---- */

#define NR_OPEN_MAX	(1024 * 1024)	/* 2.6.34's sysctl_nr_open */

/*
 * setrlimit(2) for the current process (its threads share the limits).
 * EINVAL: an unknown resource, or cur above max; EPERM: max raised, which
 * needs CAP_SYS_RESOURCE that kmm's processes lack (lowering it is for
 * good), or RLIMIT_NOFILE above nr_open.  A CPU limit of 0 becomes 1 as
 * in 2.6.34.  The new limits take effect at the next check that reads
 * them (mlock, mmap, brk, stack growth); nothing already mapped changes.
 */
int do_setrlimit(unsigned int resource, unsigned long cur, unsigned long max)
{
	struct kmm_rlimit *old;

	if (resource >= KMM_RLIM_NLIMITS)
		return -EINVAL;
	if (cur > max)
		return -EINVAL;
	old = &current->signal->rlim[resource];
	if (max > old->rlim_max)
		return -EPERM;
	if (resource == RLIMIT_NOFILE && max > NR_OPEN_MAX)
		return -EPERM;
	if (resource == RLIMIT_CPU && cur == 0)
		cur = 1;
	__atomic_store_n(&old->rlim_cur, cur, __ATOMIC_RELAXED);
	__atomic_store_n(&old->rlim_max, max, __ATOMIC_RELAXED);
	return 0;
}

/* ---- signals ---- */

void force_sig_info(int sig, const struct kmm_siginfo *info, struct task_struct *t)
{
	t->last_siginfo = *info;
	t->pending_fatal = sig;
}

void send_sigkill(struct task_struct *t)
{
	struct kmm_siginfo info = { .signo = SIGKILL, .code = SI_KERNEL };

	force_sig_info(SIGKILL, &info, t);
}

/*
 * Back from the kernel to the process: a fatal signal pending ends it
 * (no handlers: the default action).  Returns the signal, or 0.
 */
int process_deliver_signals(void)
{
	struct task_struct *tsk = process_of_current();
	int sig;

	if (!tsk || !tsk->pending_fatal)
		return 0;
	sig = tsk->pending_fatal;
	if (tsk->fatal_thread_only)
		process_thread_exit(sig);	/* an oops: do_exit, this thread alone */
	else
		process_exit(sig);
	return sig;
}

