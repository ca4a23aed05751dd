/*
 * mutex.h - sleeping locks: mutexes, reader-writer semaphores, completions.
 *
 * All three are built the same way: an atomic word that a fast path
 * claims with one compare-and-swap, and a wait queue (wait.h) to sleep on
 * when the claim fails.  In parallel mode a blocked caller sleeps in the
 * host kernel (futex) until the holder releases; in deterministic mode,
 * where one host thread runs everything, blocking runs other simulated
 * tasks and, when none can make progress, reports the deadlock.
 *
 * The rules are Linux's: a mutex is released by the task that took it, is
 * not recursive, and none of these may be taken with interrupts disabled
 * or a spinlock held (they may sleep).  Debug builds check the first two
 * and the interrupt state.
 */
#ifndef KMM_MUTEX_H
#define KMM_MUTEX_H

#include <kmm/compiler.h>
#include <kmm/types.h>
#include <kmm/wait.h>

#ifndef KMM_DEBUG
#define KMM_DEBUG 0
#endif

/* ---- mutex ---- */

struct mutex {
	int locked;			/* 0 free, 1 held */
	const void *owner;		/* debug: the holder's thread token */
	wait_queue_head_t wait;
};

#define __MUTEX_INITIALIZER(name) { 0, NULL, __WAIT_QUEUE_HEAD_INITIALIZER(name.wait) }
#define DEFINE_MUTEX(name)	__state struct mutex name = __MUTEX_INITIALIZER(name)

void mutex_init(struct mutex *lock);
void mutex_lock(struct mutex *lock);
/* Returns 1 if the lock was taken, 0 if it is held (never sleeps). */
int mutex_trylock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);

static inline int mutex_is_locked(struct mutex *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED);
}

/* ---- reader-writer semaphore ---- */

/*
 * @count is the number of readers holding it, or -1 while a writer does.
 * A waiting writer (@writers_waiting) keeps new readers out, so writers
 * are not starved by a stream of readers.
 */
struct rw_semaphore {
	int count;
	int writers_waiting;
	wait_queue_head_t wait;
};

#define __RWSEM_INITIALIZER(name) { 0, 0, __WAIT_QUEUE_HEAD_INITIALIZER(name.wait) }
#define DECLARE_RWSEM(name)	__state struct rw_semaphore name = __RWSEM_INITIALIZER(name)

void init_rwsem(struct rw_semaphore *sem);
void down_read(struct rw_semaphore *sem);
int down_read_trylock(struct rw_semaphore *sem);
void up_read(struct rw_semaphore *sem);
void down_write(struct rw_semaphore *sem);
int down_write_trylock(struct rw_semaphore *sem);
void up_write(struct rw_semaphore *sem);
/* A writer becomes a reader without letting any other writer in between. */
void downgrade_write(struct rw_semaphore *sem);

static inline int rwsem_is_locked(struct rw_semaphore *sem)
{
	return __atomic_load_n(&sem->count, __ATOMIC_RELAXED) != 0;
}

/* ---- completion ---- */

struct completion {
	unsigned int done;		/* completions not yet consumed */
	wait_queue_head_t wait;
};

#define COMPLETION_INITIALIZER(name) { 0, __WAIT_QUEUE_HEAD_INITIALIZER(name.wait) }
#define DECLARE_COMPLETION(name) __state struct completion name = COMPLETION_INITIALIZER(name)

void init_completion(struct completion *x);
/* Wait for one complete() (or any after complete_all()), consuming it. */
void wait_for_completion(struct completion *x);
/* Consume a completion if one is there; never sleeps. */
bool try_wait_for_completion(struct completion *x);
bool completion_done(struct completion *x);
void complete(struct completion *x);
/* Wake every waiter, now and later, until init_completion(). */
void complete_all(struct completion *x);

/* Debug builds: a sleeping lock taken where sleeping is not allowed. */
void might_sleep(void);

#endif /* KMM_MUTEX_H */
