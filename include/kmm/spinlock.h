/*
 * spinlock.h - spinlocks.
 *
 * A test-and-test-and-set lock: the uncontended path is one exchange.
 * Holding a spinlock is an atomic section: spin_lock() raises
 * preempt_count (so in_atomic() is true and sleeping is reported), and a
 * task never gives up its CPU while it holds one.  In debug builds
 * (CONFIG_DEBUG_SPINLOCK and lockdep, on with KMM_DEBUG) the lock records
 * the task holding it, so that recursion, unlocking a lock one does not
 * hold, and assert_spin_locked() by another task are reported, and the
 * lock validator (lockdep.h) sees every acquisition.
 *
 * spin_lock_irqsave() disables this CPU's interrupts first, the rule for
 * any lock also taken from interrupt-like contexts (remote handlers).
 *
 * The layout is the same in every build (8 bytes): the lock word, the
 * owner and the validator's class index.
 */
#ifndef KMM_SPINLOCK_H
#define KMM_SPINLOCK_H

#include <kmm/compiler.h>
#include <kmm/irqflags.h>
#include <kmm/lockdep.h>
#include <kmm/preempt.h>
#include <kmm/types.h>

typedef struct {
	u32 slock;		/* 0 unlocked, 1 locked */
	u16 owner;		/* debug: the holder, spin_owner_self() (0: none) */
	u16 dep_class;		/* debug: the validator's class (0: not yet known) */
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(name)	{ .slock = 0, .owner = 0, .dep_class = 0 }
/* A static lock: its own class, named after the variable in reports. */
#define DEFINE_SPINLOCK(name)						\
	__state spinlock_t name = __SPIN_LOCK_UNLOCKED(name);		\
	LOCKDEP_STATIC_NAME(name)

/*
 * Names of static locks for the validator's reports, kept in a linker
 * section: { lock address, "name" }.
 */
struct lockdep_static_name {
	const void *lock;
	const char *name;
};
#define LOCKDEP_STATIC_NAME(name)						\
	static const struct lockdep_static_name __lockdep_name_##name		\
		__attribute__((used, section("kmm_lockdep_names"), aligned(8))) = \
		{ &(name), #name }

void __spin_lock_init(spinlock_t *lock, const char *name, const struct lock_class_key *key);
/* Initialise a lock at run time: every lock initialised here is one class. */
#define spin_lock_init(lock)							\
	do {									\
		static const struct lock_class_key __key;				\
		__spin_lock_init((lock), #lock, &__key);			\
	} while (0)
/* Put @lock in the class of @key (named @name in reports). */
#define spin_lock_set_class(lock, key, name) __spin_lock_init((lock), (name), (key))

void spin_lock_slowpath(spinlock_t *lock);
void spin_bug(spinlock_t *lock, const char *msg) __cold;
/* Debug: pid + 1 of the current task, 0 on a thread that runs no task. */
u16 spin_owner_self(void);
/* Debug: the validator's view of an acquisition and a release. */
void spin_acquire(spinlock_t *lock, int trylock, unsigned long ip);
void spin_release(spinlock_t *lock, unsigned long ip);

/* Where the lock is taken, for reports: the return address of the function taking it. */
#define _RET_IP_	((unsigned long)__builtin_return_address(0))

static __always_inline void spin_lock(spinlock_t *lock)
{
	preempt_disable();
	if (KMM_DEBUG)
		spin_acquire(lock, 0, _RET_IP_);
	if (unlikely(__atomic_exchange_n(&lock->slock, 1, __ATOMIC_ACQUIRE)))
		spin_lock_slowpath(lock);
	if (KMM_DEBUG)
		__atomic_store_n(&lock->owner, spin_owner_self(), __ATOMIC_RELAXED);
}

static __always_inline bool spin_trylock(spinlock_t *lock)
{
	preempt_disable();
	if (__atomic_load_n(&lock->slock, __ATOMIC_RELAXED) ||
	    __atomic_exchange_n(&lock->slock, 1, __ATOMIC_ACQUIRE)) {
		preempt_enable();
		return false;
	}
	if (KMM_DEBUG) {
		spin_acquire(lock, 1, _RET_IP_);
		__atomic_store_n(&lock->owner, spin_owner_self(), __ATOMIC_RELAXED);
	}
	return true;
}

static __always_inline void spin_unlock(spinlock_t *lock)
{
	if (KMM_DEBUG)
		spin_release(lock, _RET_IP_);
	__atomic_store_n(&lock->slock, 0, __ATOMIC_RELEASE);
	preempt_enable();
}

static inline bool spin_is_locked(spinlock_t *lock)
{
	return __atomic_load_n(&lock->slock, __ATOMIC_RELAXED);
}

/* In debug builds: the current task must hold @lock. */
#define assert_spin_locked(lock)						\
	do {									\
		if (KMM_DEBUG && (!spin_is_locked(lock) ||			\
				  __atomic_load_n(&(lock)->owner, __ATOMIC_RELAXED) != \
					  spin_owner_self()))			\
			spin_bug((lock), "not held by the caller");		\
	} while (0)

#define spin_lock_irqsave(lock, flags)	do { local_irq_save(flags); spin_lock(lock); } while (0)
#define spin_unlock_irqrestore(lock, flags) do { spin_unlock(lock); local_irq_restore(flags); } while (0)
#define spin_lock_irq(lock)		do { local_irq_disable(); spin_lock(lock); } while (0)
#define spin_unlock_irq(lock)		do { spin_unlock(lock); local_irq_enable(); } while (0)

#endif /* KMM_SPINLOCK_H */
