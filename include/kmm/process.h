/*
 * process.h - user processes (kernel/process.c): made, forked, entered,
 * exited, waited for.  See the file's comment for the model: the caller
 * acts as a process by entering it.
 */
#ifndef KMM_PROCESS_H
#define KMM_PROCESS_H

#include <kmm/sched.h>
#include <kmm/asm/page.h>

/*
 * clone(2)'s flags (2.6.34's values).  The low byte is the signal the
 * parent gets when the child exits (SIGCHLD for a process; threads send
 * none).  kmm models CLONE_VM, CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK
 * and CLONE_PARENT; the flags of what kmm has no notion of (files,
 * filesystem, TLS, tid words, tracing) are accepted and change nothing;
 * a new namespace needs CAP_SYS_ADMIN, which kmm's processes lack: EPERM.
 */
#define CSIGNAL			0x000000ffUL
#define CLONE_VM		0x00000100UL	/* share the address space */
#define CLONE_FS		0x00000200UL
#define CLONE_FILES		0x00000400UL
#define CLONE_SIGHAND		0x00000800UL	/* share signal handlers (needs CLONE_VM) */
#define CLONE_PTRACE		0x00002000UL
#define CLONE_VFORK		0x00004000UL	/* the parent waits until the child leaves the mm */
#define CLONE_PARENT		0x00008000UL	/* the child's parent is the caller's parent */
#define CLONE_THREAD		0x00010000UL	/* same thread group (needs CLONE_SIGHAND) */
#define CLONE_NEWNS		0x00020000UL
#define CLONE_SYSVSEM		0x00040000UL
#define CLONE_SETTLS		0x00080000UL
#define CLONE_PARENT_SETTID	0x00100000UL
#define CLONE_CHILD_CLEARTID	0x00200000UL
#define CLONE_DETACHED		0x00400000UL
#define CLONE_UNTRACED		0x00800000UL
#define CLONE_CHILD_SETTID	0x01000000UL
#define CLONE_STOPPED		0x02000000UL
#define CLONE_NEWUTS		0x04000000UL
#define CLONE_NEWIPC		0x08000000UL
#define CLONE_NEWUSER		0x10000000UL
#define CLONE_NEWPID		0x20000000UL
#define CLONE_NEWNET		0x40000000UL
#define CLONE_IO		0x80000000UL
#define CLONE_NEW_ANY	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
			 CLONE_NEWPID | CLONE_NEWNET)

/* A new process, child of the current task, laid out as a fresh exec leaves it; NULL: no memory. */
struct task_struct *process_spawn(const char *comm);
/* A copy of the current process (fork); ERR_PTR(-ENOMEM) or -EINVAL (no process runs). */
struct task_struct *process_fork(void);
/*
 * clone(2) of the current process: a thread (CLONE_VM|CLONE_SIGHAND|
 * CLONE_THREAD), a process sharing the address space (CLONE_VM), or a
 * copy; @newsp the child's stack pointer (0: the caller's).  With
 * CLONE_VFORK the caller waits: the calling thread goes on as the child
 * until it exits.  ERR_PTR(-EINVAL) for flags Linux refuses together,
 * -EPERM for a new namespace, -ENOMEM.
 */
struct task_struct *process_clone(unsigned long clone_flags, unsigned long newsp);
/* vfork(): clone(CLONE_VM|CLONE_VFORK|SIGCHLD). */
struct task_struct *process_vfork(void);
/* The calling thread runs as @p from now on (current == p, p's page tables loaded). */
void process_enter(struct task_struct *p);
/* The current process ends with @code, all its threads (exit_group); the caller goes on as its parent. */
void process_exit(int code);
/*
 * The calling thread alone ends (exit(2), pthread_exit): the process
 * lives on while it has threads, and the caller goes on as one of them
 * (the leader first), or as the parent once it had none left.
 */
void process_thread_exit(int code);
/* Reap a zombie child (-1: any): its pid and status; -ECHILD, or -EAGAIN while it runs. */
pid_t process_wait(pid_t pid, int *status);
/* A fatal signal pending for the current process ends it now: the signal, or 0. */
int process_deliver_signals(void);
/*
 * Parallel mode: the calling thread (attached as a CPU) works as a thread
 * of @leader's process, sharing its address space; leave undoes it.
 */
int process_thread_join(struct task_struct *leader);
void process_thread_leave(void);


/*
 * /proc/PID/pagemap (2.6.34, Documentation/vm/pagemap.txt): one 64-bit
 * entry per virtual page.
 *
 *   63       62      61    60     55 54                             0
 *   present  swapped  -    page shift  page frame number (present), or
 *                                      swap type (bits 0-4) and offset
 *
 * A page not present reads 0, or just the page shift where no page
 * table or no VMA covers it (PM_NOT_PRESENT): both are "not present".
 */
#define PM_PFRAME_MASK		((1ULL << 55) - 1)
#define PM_PSHIFT_OFFSET	55
#define PM_PSHIFT_MASK		(0x3fULL << PM_PSHIFT_OFFSET)
#define PM_PSHIFT(shift)	(((u64)(shift) << PM_PSHIFT_OFFSET) & PM_PSHIFT_MASK)
#define PM_SWAP			(1ULL << 62)
#define PM_PRESENT		(1ULL << 63)
#define PM_NOT_PRESENT		PM_PSHIFT(PAGE_SHIFT)

/*
 * Read /proc/PID/pagemap: the entries of @n pages from the page holding
 * @addr into @out, stopping at the end of the user address space.
 * Returns the entries read (0 for a task without an address space), or
 * -ESRCH when no such task lives.
 */
long proc_pid_pagemap(pid_t pid, unsigned long addr, u64 *out, unsigned long n);

/* /proc/kpagecount: the mapcounts of @n frames from @pfn into @out; the entries read (it ends at max_pfn). */
long proc_kpagecount(unsigned long pfn, u64 *out, unsigned long n);
/* /proc/kpageflags: the KPF_ words (<kmm/kernel-page-flags.h>) of @n frames from @pfn; the entries read. */
long proc_kpageflags(unsigned long pfn, u64 *out, unsigned long n);
struct page;
/* One frame's /proc/kpageflags word (NULL: a hole, KPF_NOPAGE). */
u64 stable_page_flags(const struct page *page);

#endif /* KMM_PROCESS_H */
