/*
 * hw/context.h - execution contexts: what runs a task.
 *
 * A context is a host thread with a private semaphore that says "you may
 * run".  A context that is not running waits on its semaphore (it is
 * parked); the scheduler decides who runs by posting one semaphore and
 * parking the caller's.  In deterministic mode exactly one context holds
 * this baton at a time, so the host's scheduler never decides anything;
 * in parallel mode each running task has its own, and a context parks only
 * to sleep.
 *
 *   hw_context_switch(prev, next)      prev             next
 *                                       post(next) ---> (wakes, runs)
 *                                       wait(prev)      ...
 *                                       (parked)        post(prev) / switch
 *                                       (runs again) <--
 *
 * A context ends by returning from its function (hw_context_exit hands the
 * baton on first).  A parked context can be killed: it wakes, unwinds to
 * its start without running anything more, and its thread ends; the
 * machine's shutdown kills every context this way.  Facilities used: POSIX
 * threads, semaphores and setjmp, nothing of the kernel.
 */
#ifndef KMM_HW_CONTEXT_H
#define KMM_HW_CONTEXT_H

#include <kmm/compiler.h>
#include <kmm/types.h>

struct hw_context;

/* The calling thread's own context (made on first use; it is never killed). */
struct hw_context *hw_context_self(void);
/*
 * A new host thread that runs @fn(@arg) when first resumed; parked until
 * then.  Returns NULL (nothing made) when the host refuses a thread.
 */
struct hw_context *hw_context_create(void (*fn)(void *arg), void *arg);
/* Resume @next, then park @prev (the caller's context) until resumed. */
void hw_context_switch(struct hw_context *prev, struct hw_context *next);
/* Park the caller's context @self until hw_context_resume(). */
void hw_context_park(struct hw_context *self);
/* The same, but for at most @ns nanoseconds; false if the time ran out. */
bool hw_context_park_timeout(struct hw_context *self, u64 ns);
/* Let @ctx run: it leaves (or will not enter) its next park. */
void hw_context_resume(struct hw_context *ctx);
/* End the calling context @self, resuming @next (if any) first. */
__noreturn void hw_context_exit(struct hw_context *self, struct hw_context *next);
/* Kill a parked context (it must never run again) and wait until its thread ended. */
void hw_context_kill(struct hw_context *ctx);
/* Wait until an ended context's thread is gone, and free the context. */
void hw_context_reap(struct hw_context *ctx);
/* Is @ctx the calling thread's? */
bool hw_context_is_self(const struct hw_context *ctx);

#endif /* KMM_HW_CONTEXT_H */
