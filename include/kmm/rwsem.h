/*
 * rwsem.h - reader-writer semaphores.
 *
 * Linux's spinlock-based design (lib/rwsem-spinlock.c): @activity is the
 * number of readers holding the semaphore, -1 while a writer does, 0 when
 * free.  A task that cannot have it queues on @wait_list in arrival order
 * and sleeps; a release grants it to the front of the queue: one writer,
 * or every reader up to the first queued writer.  A queued writer keeps
 * later readers out (they queue behind it), so writers are not starved.
 * The grant is made by the waker (the woken task already holds the
 * semaphore), so the order of the queue is the order of service.
 *
 * The writer is recorded as owner; readers are known to the lock
 * validator (lockdep_assert_held works for both).
 */
#ifndef KMM_RWSEM_H
#define KMM_RWSEM_H

#include <kmm/compiler.h>
#include <kmm/list.h>
#include <kmm/lockdep.h>
#include <kmm/spinlock.h>
#include <kmm/types.h>

struct task_struct;

struct rw_semaphore {
	int activity;			/* readers holding it; -1: a writer; 0: free */
	spinlock_t wait_lock;		/* protects activity and wait_list */
	u16 dep_class;			/* debug: the validator's class */
	struct list_head wait_list;	/* struct rwsem_waiter, FIFO */
	struct task_struct *owner;	/* the writer holding it, NULL otherwise */
};

#define __RWSEM_INITIALIZER(name)						\
	{ .activity = 0, .wait_lock = __SPIN_LOCK_UNLOCKED(name.wait_lock),	\
	  .wait_list = { &(name).wait_list, &(name).wait_list } }
#define DECLARE_RWSEM(name)							\
	__state struct rw_semaphore name = __RWSEM_INITIALIZER(name);		\
	LOCKDEP_STATIC_NAME(name)

void __init_rwsem(struct rw_semaphore *sem, const char *name, const struct lock_class_key *key);
#define init_rwsem(sem)								\
	do {									\
		static const struct lock_class_key __key;				\
		__init_rwsem((sem), #sem, &__key);				\
	} while (0)

void down_read(struct rw_semaphore *sem);
/* 1 if taken for reading, 0 if not (never sleeps). */
int down_read_trylock(struct rw_semaphore *sem);
void up_read(struct rw_semaphore *sem);
void down_write(struct rw_semaphore *sem);
int down_write_trylock(struct rw_semaphore *sem);
void up_write(struct rw_semaphore *sem);
/* A writer becomes a reader without letting any writer in between. */
void downgrade_write(struct rw_semaphore *sem);

static inline int rwsem_is_locked(struct rw_semaphore *sem)
{
	return __atomic_load_n(&sem->activity, __ATOMIC_RELAXED) != 0;
}

#endif /* KMM_RWSEM_H */
