/*
 * mutex.h - mutexes: sleeping locks with one owner.
 *
 * Linux's design: @count is 1 when the mutex is free, 0 when it is held
 * with nobody waiting, negative when tasks may be waiting.  Taking a free
 * mutex is one compare-and-swap; a task that finds it held queues itself
 * on @wait_list (in arrival order), marks the count negative and sleeps;
 * the release sets the count back to 1 and wakes the first waiter, which
 * takes it unless a newcomer was quicker (then it queues again, at the
 * front: it keeps its place).
 *
 * Linux's rules, checked in debug builds: only the owner task releases;
 * no recursion; never taken in an atomic section (it may sleep); and the
 * lock validator sees every acquisition.  The owner is recorded in every
 * build (mutex_owner(), ps's report of who blocks whom).
 */
#ifndef KMM_MUTEX_H
#define KMM_MUTEX_H

#include <kmm/atomic.h>
#include <kmm/compiler.h>
#include <kmm/list.h>
#include <kmm/lockdep.h>
#include <kmm/spinlock.h>
#include <kmm/types.h>

struct task_struct;

struct mutex {
	atomic_t count;			/* 1 free, 0 held, < 0 held with waiters */
	spinlock_t wait_lock;		/* protects wait_list */
	u16 dep_class;			/* debug: the validator's class */
	struct list_head wait_list;	/* struct mutex_waiter, FIFO */
	struct task_struct *owner;	/* the holder, NULL when free */
};

#define __MUTEX_INITIALIZER(name)						\
	{ .count = ATOMIC_INIT(1), .wait_lock = __SPIN_LOCK_UNLOCKED(name.wait_lock), \
	  .wait_list = { &(name).wait_list, &(name).wait_list } }
#define DEFINE_MUTEX(name)							\
	__state struct mutex name = __MUTEX_INITIALIZER(name);			\
	LOCKDEP_STATIC_NAME(name)

void __mutex_init(struct mutex *lock, const char *name, const struct lock_class_key *key);
#define mutex_init(lock)							\
	do {									\
		static const struct lock_class_key __key;				\
		__mutex_init((lock), #lock, &__key);				\
	} while (0)

void mutex_lock(struct mutex *lock);
/* Returns 1 if the lock was taken, 0 if it is held (never sleeps). */
int mutex_trylock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);

static inline int mutex_is_locked(struct mutex *lock)
{
	return atomic_read(&lock->count) != 1;
}

/* The task holding @lock, NULL if none. */
static inline struct task_struct *mutex_owner(struct mutex *lock)
{
	return __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
}

#endif /* KMM_MUTEX_H */
