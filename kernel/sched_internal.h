/*
 * kernel/sched_internal.h - what the files of kernel/ share about tasks
 * and scheduling (sched.c, task.c, kthread.c, main.c).
 */
#ifndef KMM_KERNEL_SCHED_INTERNAL_H
#define KMM_KERNEL_SCHED_INTERNAL_H

#include <kmm/sched.h>
#include <kmm/seq_file.h>

/* sched.c */
void sched_init(void);				/* start_kernel, first thing */
void sched_become(struct task_struct *p);	/* the boot thread goes on as @p */
void sched_shutdown(void);			/* kill every other task's thread */
void sched_move_current(int cpu);		/* the current task moves to @cpu */
void sched_set_cpu(struct task_struct *p, int cpu);
void sched_migrate_cpu(int cpu, int dest);	/* every task on @cpu moves to @dest */
__noreturn void sched_exit_current(void);	/* TASK_DEAD, hand over, end the thread */
void sched_show_tasks(struct seq_file *m);
struct task_struct *sched_running(void);
struct task_struct *idle_task(int cpu);
void sched_init_idle(int cpu);			/* @cpu's idle task, before it first comes up */
void sched_stop_here(const char *file, int line, const char *msg);	/* lib_hooks.stop_here */

/* task.c */
/* A new task named @comm (not yet runnable): one reference, its own. NULL: no memory. */
struct task_struct *task_alloc(const char *comm, unsigned int flags);
void get_task_struct(struct task_struct *p);
/* Drop a reference; the last one unlinks the task and frees it. */
void put_task_struct(struct task_struct *p);
/* Shutdown: free @p if it was allocated (every reference is void now). */
void task_release_all(struct task_struct *p);
extern struct signal_struct init_signals;	/* the kernel tasks' limits */
void task_init(void);
/* The process and signal limits of init, from the RAM the kernel has (pages). */
void fork_init(unsigned long mempages);
/* Parallel mode: the calling host thread's own task (made on first use in a boot). */
struct task_struct *thread_task(void);
/* It runs on @cpu, on the task list. */
struct task_struct *thread_task_attach(int cpu);
void thread_task_detach(void);
/* The thread's task leaves its CPU (the idle task runs there) and stays on the task list. */
void thread_task_leave(void);

/* main.c: attach the calling thread to a free online CPU (its id), or -EBUSY. */
int attach_any_online(void);

/* kthread.c */
void kthread_exit_current(int code) __noreturn;

#endif /* KMM_KERNEL_SCHED_INTERNAL_H */
