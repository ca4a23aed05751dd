/*
 * lib/hooks.h - what lib/ needs from the layers above it, given at boot.
 *
 * lib/ is the bottom layer: it includes nothing above it.  Its locks must
 * put tasks to sleep and wake them, its reports name the current task and
 * code addresses, and printk stamps lines with the machine's clock: those
 * services belong to the scheduler, kallsyms and the simulated clock, so
 * the kernel layer fills this table when it boots a machine
 * (kernel/main.c) and shutdown empties it (it lives in the state section).
 * Until then lib/ does without: no timestamps, no task names, and a lock
 * that would have to sleep is a BUG.
 */
#ifndef KMM_LIB_HOOKS_H
#define KMM_LIB_HOOKS_H

#include <kmm/types.h>

struct task_struct;

struct lib_hooks {
	/* Nanoseconds since boot, for printk's timestamps. */
	u64 (*clock_ns)(void);
	/* "PID, comm: NAME" of the current task, for BUG and WARN reports. */
	int (*describe_task)(char *buf, size_t size);
	/* Name a code address ("function+0x1c", or a script's FILE:LINE). */
	int (*sprint_symbol)(char *buf, size_t size, unsigned long addr);
	/* Sleep: the current task has set its state; others run until it is woken. */
	void (*schedule)(void);
	/* Sleep at most @timeout jiffies; returns what is left (0: timed out). */
	long (*schedule_timeout)(long timeout);
	/* Make @p, sleeping in one of @state, runnable; 1 if it was asleep. */
	int (*try_to_wake_up)(struct task_struct *p, unsigned int state);
	/*
	 * A BUG (@msg NULL) or panic (@msg) on the current thread.  Returns
	 * when the stop may go ahead here; otherwise (a task's own thread in
	 * deterministic mode) this task ends and the thread that booted the
	 * machine raises the same stop through bug_reraise()/panic_reraise():
	 * the hooks that stop the machine jump back into that thread.
	 */
	void (*stop_here)(const char *file, int line, const char *msg);
	/*
	 * Deterministic mode: one task runs at a time, so spinning on a held
	 * spinlock can never end (its holder is not running).
	 */
	bool one_runner;
};

extern struct lib_hooks lib_hooks;

/*
 * The calling host thread starts a new task (the boot's): forget what an
 * earlier one left behind when it was abandoned by a BUG or a failed test
 * (its preempt_count, the validator's and printk's recursion marks).
 */
void lib_thread_reset(void);

/*
 * For lib's sleeping locks: sleep (the caller set its state) through the
 * scheduler, noting @wchan ("mutex_lock") and @object (the lock) for ps and
 * the hung-task report.  A BUG when no scheduler runs.
 */
void lib_sleep(const void *object, const char *wchan);

#endif /* KMM_LIB_HOOKS_H */
