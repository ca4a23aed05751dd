/*
 * process.h - user processes (kernel/process.c): made, forked, entered,
 * exited, waited for.  See the file's comment for the model: the caller
 * acts as a process by entering it.
 */
#ifndef KMM_PROCESS_H
#define KMM_PROCESS_H

#include <kmm/sched.h>

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
/* The live processes, one after the other (NULL: from the first; returns NULL after the last). */
struct task_struct *process_next(struct task_struct *prev);

#endif /* KMM_PROCESS_H */
