/*
 * sched.h - tasks and the scheduler.
 *
 * A task is a struct task_struct with an execution context of its own (a
 * host thread).  `current` is the task running on this CPU.  A task runs
 * until it sleeps or yields: kmm's kernel is not preemptible, so a task
 * switch happens only in schedule() (via the sleeping primitives:
 * wait queues, mutexes, rwsems, completions, schedule_timeout) or yield().
 *
 * Two modes (DESIGN.md, "Concurrency"):
 *   deterministic  exactly one task runs at a time on the whole machine.
 *                  A task that sleeps or yields hands over to the next
 *                  runnable task in a fixed order (the one that became
 *                  runnable first, whatever its CPU); when every task
 *                  sleeps, the clock jumps to the next timer.  Same input,
 *                  same interleaving.
 *   parallel       tasks are host threads running at once, one per CPU;
 *                  a sleeping task really blocks its thread.
 *
 * The tasks that exist from boot: the idle task of each CPU ("swapper",
 * pid 0; the boot runs as CPU 0's), and "init" (pid 1), on whose behalf
 * the boot's caller goes on (the kmm program's script, a library caller).
 * Kernel threads (kthread.h) and, in parallel mode, each host thread
 * attached as a CPU are tasks too.
 */
#ifndef KMM_SCHED_H
#define KMM_SCHED_H

#include <kmm/asm/smp.h>
#include <kmm/atomic.h>
#include <kmm/lockdep.h>
#include <kmm/list.h>
#include <kmm/preempt.h>
#include <kmm/signal.h>
#include <kmm/types.h>

#define TASK_COMM_LEN	16

/* Task states (task_struct.state), as 2.6.34 numbers them. */
#define TASK_RUNNING		0	/* running or runnable */
#define TASK_INTERRUPTIBLE	1	/* sleeping; a signal could wake it */
#define TASK_UNINTERRUPTIBLE	2	/* sleeping until what it waits for happens */
#define TASK_DEAD		64	/* exited */
#define TASK_NORMAL		(TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)

#define PF_EXITING	0x00000004	/* getting shut down */
#define PF_MEMALLOC	0x00000800	/* allocating memory to free memory */
#define PF_KSWAPD	0x00040000
#define PF_KTHREAD	0x00200000	/* a kernel thread */
#define PF_RANDOMIZE	0x00400000	/* randomize the layout (randomize_va_space) */
#define PF_FORKNOEXEC	0x00000040	/* forked but did not exec */

/* exit_state: after do_exit, until the parent waits (ZOMBIE), then reaped (DEAD). */
#define EXIT_ZOMBIE	16
#define EXIT_DEAD	32

/* personality(2) bits the layout reads */
#define ADDR_NO_RANDOMIZE	0x0040000
#define ADDR_COMPAT_LAYOUT	0x0200000

#define TIF_MEMDIE	16		/* the OOM killer chose this task */

#define MAX_SCHEDULE_TIMEOUT	((long)(~0UL >> 1))

/* What reclaim counts while it runs (include/linux/swap.h). */
struct reclaim_state {
	unsigned long reclaimed_slab;	/* pages freed by shrinking slab caches */
};

struct mm_struct;
struct files_struct;
struct hw_context;

/*
 * What a process's threads share (2.6.34's signal_struct, the part memory
 * management reads): the resource limits, and how many threads live.
 */
/* A resource limit (kmm/resource.h names them). */
struct kmm_rlimit {
	unsigned long rlim_cur;
	unsigned long rlim_max;
};
#define KMM_RLIM_NLIMITS	16

#define SIGNAL_GROUP_EXIT	0x00000008	/* the whole thread group is exiting */

struct signal_struct {
	atomic_t count;			/* references (threads) */
	atomic_t live;			/* threads not yet exited */
	struct kmm_rlimit rlim[KMM_RLIM_NLIMITS];
	int group_exit_code;
	unsigned int flags;		/* SIGNAL_GROUP_EXIT */
	unsigned long min_flt, maj_flt;	/* of threads that exited */
};
struct kthread;

struct task_struct {
	volatile long state;		/* TASK_*; written by the task and its wakers */
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned int flags;		/* PF_* */
	unsigned long thread_flags;	/* TIF_* */
	int prio;			/* < 100: real-time */
	int cpu;			/* the CPU it runs on, or last ran on */
	struct mm_struct *mm;		/* its address space; NULL for kernel threads */
	struct mm_struct *active_mm;	/* the address space in use (a kernel thread borrows) */
	struct files_struct *files;	/* its open files (kernel/file_table.c); NULL: none */
	struct list_head tasks;		/* every task, in creation order (init_task's list) */
	struct list_head run_list;	/* deterministic mode: on its CPU's runqueue */
	int exit_code;

	/* ---- processes (kernel/fork.c, kernel/exit.c) ---- */
	pid_t tgid;			/* the thread group's id: the process's pid */
	struct task_struct *group_leader; /* the first thread of the process */
	struct task_struct *real_parent; /* who wait()s for it */
	struct list_head children;	/* its children (their sibling) */
	struct list_head sibling;	/* on its parent's children */
	struct list_head thread_group;	/* the other threads of its process */
	struct signal_struct *signal;	/* shared by the threads */
	int exit_state;			/* EXIT_ZOMBIE, EXIT_DEAD */
	int exit_signal;		/* sent to the parent at exit (SIGCHLD; -1 for threads) */
	unsigned int personality;
	unsigned long min_flt, maj_flt;	/* faults: minor (no I/O), major */
	unsigned long user_sp;		/* its user stack pointer (the stack-growth rule reads it) */
	struct kmm_siginfo last_siginfo; /* the last signal it was sent */
	int pending_fatal;		/* a fatal signal (its number) ends it at the next return */
	bool fatal_thread_only;		/* ... this thread alone (an oops's do_exit), not its group */
	bool is_process;		/* kmm: a user process's thread (has or had an mm of its own) */
	struct task_struct *vfork_parent; /* vfork: the parent waiting until this child leaves its mm */
	bool vfork_blocked;		/* waiting for a vfork child (it cannot be entered) */
	int make_it_fail;		/* fault-injection task filter */
	struct reclaim_state *reclaim_state;
	/*
	 * kmm: the call site that slab debugging ("Last user") and the kmem
	 * trace events record for this task's allocations; 0 means the host
	 * return address.  The kmm program sets it to its script line so that
	 * output stays the same from build to build.
	 */
	unsigned long call_site;

	/* ---- kmm's scheduler: where and why it sleeps ---- */
	struct hw_context *ctx;		/* its execution context (host thread) */
	const char *wchan;		/* what it sleeps in ("mutex_lock"...), for ps */
	const void *wait_object;	/* and on what (a lock, a queue), for reports */
	u64 timeout_ns;			/* schedule_timeout: wake at this clock (0: none) */
	unsigned long nvcsw, nivcsw;	/* voluntary and involuntary (yield) switches */
	struct kthread *kthread;	/* kernel threads: their creation data */
	bool on_rq;			/* deterministic mode: on a runqueue */
	u64 queued_at;			/* deterministic mode: its turn (machine-wide FIFO) */
	bool allocated;			/* task_alloc() made it (freed by the last put) */
	atomic_t usage;			/* references (task_alloc: 1, its own) */

	/* ---- the lock validator (debug builds) ---- */
	int lockdep_depth;
	struct held_lock held_locks[MAX_LOCK_DEPTH];
};

/* `current`: the task running on this CPU (x86's per-CPU current_task). */
static __always_inline struct task_struct *get_current(void)
{
	return hw_this_cpu->curr;
}
#define current get_current()

extern struct task_struct init_task;	/* "swapper", pid 0: CPU 0's idle task */
extern struct task_struct init_proc;	/* "init", pid 1 */

/* The limit @limit of the current task's process. */
static inline unsigned long rlimit(unsigned int limit);

/* Every task, idle tasks excluded: for_each_process(p). */
#define for_each_process(p) list_for_each_entry(p, &init_task.tasks, tasks)

static inline unsigned long rlimit(unsigned int limit)
{
	return __atomic_load_n(&get_current()->signal->rlim[limit].rlim_cur, __ATOMIC_RELAXED);
}

static inline bool rt_task(const struct task_struct *p)
{
	return p->prio < 100;
}

static inline bool test_tsk_thread_flag(const struct task_struct *p, int flag)
{
	return p->thread_flags & (1UL << flag);
}
#define test_thread_flag(flag) test_tsk_thread_flag(current, flag)

/*
 * Set the current task's state before sleeping; set_current_state's store
 * is a full barrier (the sleeper's half of the handshake with a waker).
 * The state is read by wakers and ps on other threads: always an atomic.
 */
#define __set_current_state(s)	__atomic_store_n(&current->state, (s), __ATOMIC_RELAXED)
#define set_current_state(s)						\
	do {								\
		__atomic_store_n(&current->state, (s), __ATOMIC_SEQ_CST); \
	} while (0)
#define set_task_state(t, s)	__atomic_store_n(&(t)->state, (s), __ATOMIC_SEQ_CST)

/*
 * Give up the CPU if the current task is not TASK_RUNNING (it set its
 * state to sleep): other tasks run until someone wakes it.  A running
 * task returns at once: kmm never preempts.  Must not be called in an
 * atomic section.
 */
void schedule(void);
/* The current task goes to the back of its CPU's runqueue: others run first. */
void yield(void);
/* Sleep for at most @timeout jiffies (state set by the caller); returns the jiffies left. */
long schedule_timeout(long timeout);
long schedule_timeout_uninterruptible(long timeout);
long schedule_timeout_interruptible(long timeout);
void msleep(unsigned int msecs);
/*
 * Wake @p if it sleeps in one of @state; returns 1 if it did.  The woken
 * task runs when the scheduler picks it (never at once: the waker goes on).
 */
int try_to_wake_up(struct task_struct *p, unsigned int state);
int wake_up_process(struct task_struct *p);
int wake_up_state(struct task_struct *p, unsigned int state);
/* A point where a long loop lets other tasks run (a no-op: nothing preempts). */
static inline int cond_resched(void)
{
	return 0;
}

/* The task with @pid (NULL if none). */
struct task_struct *find_task_by_pid(pid_t pid);
/* "PID, comm: NAME" of the current task, or "-" on a thread that runs none. */
int describe_current_task(char *buf, size_t size);

/* Print the current task and call chain, as dump_stack() does. */
void dump_stack(void);

/*
 * The symbol of a code address, as kallsyms prints it ("name+0xoff"), into
 * @buf; a call site registered with kallsyms_set_resolver is named by it.
 */
int sprint_symbol(char *buf, size_t size, unsigned long addr);
/* A resolver for call sites outside the program's code (script lines); 0: not mine. */
void kallsyms_set_resolver(int (*resolve)(char *buf, size_t size, unsigned long addr));

#endif /* KMM_SCHED_H */
