/*
 * sched.h - the minimal task model: who is "current" on this CPU.
 *
 * Every kernel operation runs on behalf of a task.  At boot that is the
 * idle task "swapper" (pid 0); afterwards operations from scripts and
 * library callers run as "init" (pid 1) unless a process model says
 * otherwise.
 */
#ifndef KMM_SCHED_H
#define KMM_SCHED_H

#include <kmm/types.h>

#define TASK_COMM_LEN	16

#define PF_MEMALLOC	0x00000800	/* allocating memory to free memory */
#define PF_KSWAPD	0x00040000
#define PF_KTHREAD	0x00200000

#define TIF_MEMDIE	16		/* the OOM killer chose this task */

/* What reclaim counts while it runs (include/linux/swap.h). */
struct reclaim_state {
	unsigned long reclaimed_slab;	/* pages freed by shrinking slab caches */
};

struct task_struct {
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned int flags;		/* PF_* */
	unsigned long thread_flags;	/* TIF_* */
	int prio;			/* < 100: real-time */
	int make_it_fail;		/* fault-injection task filter */
	struct reclaim_state *reclaim_state;
	/*
	 * kmm: the call site that slab debugging ("Last user") and the kmem
	 * trace events record for this task's allocations; 0 means the host
	 * return address.  The kmm program sets it to its script line so that
	 * output stays the same from build to build.
	 */
	unsigned long call_site;
};

extern __thread struct task_struct *current_task;
#define current (current_task)

extern struct task_struct init_task;	/* "swapper", pid 0 */
extern struct task_struct init_proc;	/* "init", pid 1 */

static inline bool rt_task(const struct task_struct *p)
{
	return p->prio < 100;
}

static inline bool test_tsk_thread_flag(const struct task_struct *p, int flag)
{
	return p->thread_flags & (1UL << flag);
}
#define test_thread_flag(flag) test_tsk_thread_flag(current, flag)

static inline bool in_interrupt(void)
{
	return false;	/* interrupts are not simulated */
}

/* Print the current task and call chain, as dump_stack() does. */
void dump_stack(void);

/*
 * The symbol of a code address, as kallsyms prints it ("name+0xoff"), into
 * @buf; a call site registered with kallsyms_set_resolver is named by it.
 */
int sprint_symbol(char *buf, size_t size, unsigned long addr);
/* A resolver for call sites outside the program's code (script lines); 0: not mine. */
void kallsyms_set_resolver(int (*resolve)(char *buf, size_t size, unsigned long addr));

/*
 * Wait @timeout jiffies: in deterministic mode the clock moves and other
 * simulated tasks may run; in parallel mode the thread sleeps.
 */
void schedule_timeout_uninterruptible(unsigned long timeout);
void cond_resched(void);

#endif /* KMM_SCHED_H */
