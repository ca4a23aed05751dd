/*
 * process.h - user processes (kernel/process.c): made, forked, entered,
 * exited, waited for.  See the file's comment for the model: the caller
 * acts as a process by entering it.
 */
#ifndef KMM_PROCESS_H
#define KMM_PROCESS_H

#include <kmm/sched.h>
#include <kmm/asm/page.h>

/* A new process, child of the current task, laid out as a fresh exec leaves it; NULL: no memory. */
struct task_struct *process_spawn(const char *comm);
/* A copy of the current process (fork); ERR_PTR(-ENOMEM) or -EINVAL (no process runs). */
struct task_struct *process_fork(void);
/* The calling thread runs as @p from now on (current == p, p's page tables loaded). */
void process_enter(struct task_struct *p);
/* The current process ends with @code; the caller goes on as its parent. */
void process_exit(int code);
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

#endif /* KMM_PROCESS_H */
