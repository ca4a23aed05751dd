/*
 * lockdep.h - the lock validator, in the spirit of Linux's lockdep.
 *
 * Locks are grouped into classes: all locks initialised at one place in
 * the code (one spin_lock_init(), mutex_init()... call site, or one
 * lockdep_set_class() key) are one class, and a statically defined lock is
 * a class of its own.  Every acquisition while other locks are held
 * records "held -> acquired" edges between classes; a new edge that closes
 * a cycle is a possible deadlock, reported with both chains the moment the
 * second order is seen, even if the two orders never overlapped in time.
 * Acquiring a class already held is reported as possible recursion.
 *
 * It also checks the context of sleeping: might_sleep() with a spinlock
 * held or interrupts disabled, and schedule() inside an atomic section.
 *
 * The validator runs in debug builds (KMM_DEBUG=1: every test) and is
 * compiled out of release builds.  Its per-lock data lives beside the lock
 * (the class index in a spare half-word), so a lock has the same size in
 * every build and so does every structure that holds one.  After its first
 * report the validator turns itself off (debug_locks = 0), as Linux's does:
 * one report, not a cascade.
 */
#ifndef KMM_LOCKDEP_H
#define KMM_LOCKDEP_H

#include <kmm/compiler.h>
#include <kmm/types.h>

#ifndef KMM_DEBUG
#define KMM_DEBUG 0
#endif

/*
 * A lock class key: its address names the class.  Static in the function
 * that initialises the locks (the init macros make one per call site), or
 * named and shared with lockdep_set_class().
 */
struct lock_class_key {
	char dummy;
};

#define MAX_LOCK_DEPTH	48		/* locks one task may hold at once */

/* A lock the task holds: what lockdep_print_held_locks() shows. */
struct held_lock {
	const void *instance;		/* the lock */
	unsigned long acquire_ip;	/* where it was taken (a call site) */
	u16 class_idx;
	u8 read;			/* 1: taken for reading (rwsem) */
	u8 trylock;
};

/* 1 while the validator is on; 0 after its first report (or never in release builds). */
extern int debug_locks;

#if KMM_DEBUG
/*
 * The class of a lock, registered on first use: @class is the lock's
 * spare half-word (0 until known).  @key names the class of a lock
 * initialised at run time; NULL for a static lock (the class is then the
 * lock's own address).
 */
u16 lockdep_init_map(u16 *class, const void *lock, const char *name,
		     const struct lock_class_key *key);
void lock_acquire(u16 *class, const void *lock, int read, int trylock, unsigned long ip);
void lock_release(const void *lock, unsigned long ip);
/* Is @lock held by the current task? */
bool lock_is_held(const void *lock);
#else
static inline u16 lockdep_init_map(u16 *class __maybe_unused, const void *lock __maybe_unused,
				   const char *name __maybe_unused,
				   const struct lock_class_key *key __maybe_unused)
{
	return 0;
}
static inline void lock_acquire(u16 *class __maybe_unused, const void *lock __maybe_unused,
				int read __maybe_unused, int trylock __maybe_unused,
				unsigned long ip __maybe_unused)
{
}
static inline void lock_release(const void *lock __maybe_unused, unsigned long ip __maybe_unused)
{
}
static inline bool lock_is_held(const void *lock __maybe_unused)
{
	return true;
}
#endif

/*
 * Around the host's fork() (hw/fork.c): hold the validator's own lock so
 * that the child does not inherit it held; finish releases it on both sides.
 */
void lockdep_fork_prepare(void);
void lockdep_fork_finish(void);

/* Stop watching this thread's locks for a while (printk does, around its own lock). */
void lockdep_off(void);
void lockdep_on(void);

/* The caller must hold @lock (spinlock, mutex or rwsem); checked in debug builds. */
#define lockdep_assert_held(lock)						\
	do {									\
		if (KMM_DEBUG && debug_locks && !lock_is_held(lock))		\
			lockdep_held_bug((lock), __FILE__, __LINE__);		\
	} while (0)
void lockdep_held_bug(const void *lock, const char *file, int line) __cold;

/*
 * Declare a lock order once, outermost first: a lock of class @keys[0] is
 * taken before one of @keys[1], and so on.  The order is recorded as if it
 * had been seen, so an acquisition in another order is reported at once,
 * naming @where as the declaration.  A key is a lock_class_key's address
 * (locks given that class with ..._set_class) or a static lock's address;
 * @names name the classes in reports.
 */
void lockdep_declare_order(const void *const *keys, const char *const *names, int n,
			   const char *where);

struct task_struct;
/* Print the locks the current task holds ("N locks held by NAME/PID:"). */
void lockdep_print_held_locks(void);
/* The same for @t (asleep, or the current task). */
void lockdep_print_held_locks_of(struct task_struct *t);
/* Reports made since boot (circular, recursive, sleeping in atomic...). */
unsigned long lockdep_reports(void);
/* Classes and dependencies recorded (for /proc/lockdep_stats). */
void lockdep_stats(unsigned long *classes, unsigned long *dependencies);

/*
 * The sleep checks.  might_sleep(): the caller may sleep here; reported
 * when it may not (a spinlock held, in an interrupt, interrupts off).
 */
void __might_sleep(const char *file, int line);
#define might_sleep()	do { if (KMM_DEBUG) __might_sleep(__FILE__, __LINE__); } while (0)
/* schedule() called in an atomic section. */
void __schedule_bug(void);

#endif /* KMM_LOCKDEP_H */
