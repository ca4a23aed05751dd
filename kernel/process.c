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
 *   exit       the mm goes (its last user unmaps everything), the task
 *              is a zombie until its parent waits; the caller goes on as
 *              the parent
 *   a signal   a fatal signal (SIGSEGV, SIGBUS, SIGKILL) ends the
 *              process as exit does, its status the signal's number
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/bug.h>
#include <kmm/err.h>
#include <kmm/errno.h>
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

static struct task_struct *process_alloc(const char *comm)
{
	struct task_struct *parent = current;
	struct task_struct *p = task_alloc(comm, 0);

	if (!p)
		return NULL;
	p->signal = signal_alloc(parent->signal);
	if (!p->signal) {
		p->state = TASK_DEAD;
		put_task_struct(p);
		return NULL;
	}
	p->is_process = true;
	p->exit_signal = SIGCHLD;
	p->personality = parent->personality;
	p->real_parent = parent;
	p->cpu = parent->cpu;
	if (randomize_va_space && !(p->personality & ADDR_NO_RANDOMIZE))
		p->flags |= PF_RANDOMIZE;
	list_add_tail(&p->sibling, &parent->children);
	return p;
}

static void process_free(struct task_struct *p)
{
	list_del_init(&p->sibling);
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
	struct task_struct *p = process_alloc(comm);
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

struct task_struct *process_fork(void)
{
	struct task_struct *parent = process_of_current();
	struct task_struct *p;

	if (!parent || !parent->mm)
		return ERR_PTR(-EINVAL);
	p = process_alloc(parent->comm);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->mm = dup_mm(parent->mm);
	if (!p->mm) {
		process_free(p);
		return ERR_PTR(-ENOMEM);
	}
	p->active_mm = p->mm;
	p->user_sp = parent->user_sp;
	p->flags |= PF_FORKNOEXEC;
	return p;
}

/*
 * The current process ends with @code (a signal number for a fatal
 * signal, else (status << 8)): its address space goes, its children pass
 * to init, it becomes a zombie, and the calling thread goes on as its
 * parent.
 */
void process_exit(int code)
{
	struct task_struct *tsk = process_of_current();
	struct task_struct *parent, *child, *n;
	struct mm_struct *mm;

	BUG_ON(!tsk);
	tsk->flags |= PF_EXITING;
	mm = tsk->mm;
	parent = tsk->real_parent ? tsk->real_parent : &init_proc;
	if (parent->exit_state)
		parent = &init_proc;
	list_for_each_entry_safe(child, n, &tsk->children, sibling) {
		list_move_tail(&child->sibling, &init_proc.children);
		child->real_parent = &init_proc;
	}
	tsk->exit_code = code;
	tsk->exit_state = EXIT_ZOMBIE;
	atomic_dec(&tsk->signal->live);
	/* Leave the address space on the way out, as exit_mm does: the parent's goes in. */
	process_enter(parent);
	if (mm) {
		tsk->mm = NULL;
		tsk->active_mm = NULL;
		mmput(mm);
	}
}

/*
 * Reap the zombie child @pid of the current task (-1: any zombie child):
 * its pid, *status its exit code.  -ECHILD when it has no such child,
 * -EAGAIN when the child has not exited yet (kmm does not block here).
 */
pid_t process_wait(pid_t pid, int *status)
{
	struct task_struct *parent = current, *child;
	bool found = false;

	list_for_each_entry(child, &parent->children, sibling) {
		if (pid != -1 && child->pid != pid)
			continue;
		found = true;
		if (child->exit_state != EXIT_ZOMBIE)
			continue;
		pid = child->pid;
		if (status)
			*status = child->exit_code;
		parent->signal->min_flt += child->min_flt;
		parent->signal->maj_flt += child->maj_flt;
		child->exit_state = EXIT_DEAD;
		process_free(child);
		return pid;
	}
	return found ? -EAGAIN : -ECHILD;
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
	process_exit(sig);
	return sig;
}

