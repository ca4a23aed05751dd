/*
 * spinlock.h - spinlocks.
 *
 * A test-and-test-and-set lock: the uncontended path is one exchange.  In
 * debug builds (CONFIG_DEBUG_SPINLOCK, on with KMM_DEBUG) the lock records
 * its owner CPU so that recursion and unlocking a lock one does not hold are
 * reported, and spin_is_locked()/assert_spin_locked() can check callers.
 *
 * spin_lock_irqsave() disables this CPU's interrupts first, the rule for
 * any lock also taken from interrupt-like contexts (remote handlers).
 */
#ifndef KMM_SPINLOCK_H
#define KMM_SPINLOCK_H

#include <kmm/compiler.h>
#include <kmm/irqflags.h>
#include <kmm/types.h>

#ifndef KMM_DEBUG
#define KMM_DEBUG 0
#endif

typedef struct {
	int slock;		/* 0 unlocked, 1 locked */
	int owner_cpu;		/* debug: CPU holding it, -1 if none */
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(name)	{ .slock = 0, .owner_cpu = -1 }
#define DEFINE_SPINLOCK(name)		__state spinlock_t name = __SPIN_LOCK_UNLOCKED(name)

static inline void spin_lock_init(spinlock_t *lock)
{
	lock->slock = 0;
	lock->owner_cpu = -1;
}

void spin_lock_slowpath(spinlock_t *lock);
void spin_bug(spinlock_t *lock, const char *msg);

/* The CPU id for lock debugging; -2 on a thread that runs as no CPU. */
static inline int spin_debug_cpu(void)
{
	return hw_this_cpu ? hw_this_cpu->id : -2;
}

static __always_inline void spin_lock(spinlock_t *lock)
{
	if (KMM_DEBUG && __atomic_load_n(&lock->owner_cpu, __ATOMIC_RELAXED) == spin_debug_cpu())
		spin_bug(lock, "recursion");
	if (unlikely(__atomic_exchange_n(&lock->slock, 1, __ATOMIC_ACQUIRE)))
		spin_lock_slowpath(lock);
	if (KMM_DEBUG)
		__atomic_store_n(&lock->owner_cpu, spin_debug_cpu(), __ATOMIC_RELAXED);
}

static __always_inline bool spin_trylock(spinlock_t *lock)
{
	if (__atomic_load_n(&lock->slock, __ATOMIC_RELAXED) ||
	    __atomic_exchange_n(&lock->slock, 1, __ATOMIC_ACQUIRE))
		return false;
	if (KMM_DEBUG)
		__atomic_store_n(&lock->owner_cpu, spin_debug_cpu(), __ATOMIC_RELAXED);
	return true;
}

static __always_inline void spin_unlock(spinlock_t *lock)
{
	if (KMM_DEBUG) {
		if (!__atomic_load_n(&lock->slock, __ATOMIC_RELAXED))
			spin_bug(lock, "already unlocked");
		__atomic_store_n(&lock->owner_cpu, -1, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&lock->slock, 0, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(spinlock_t *lock)
{
	return __atomic_load_n(&lock->slock, __ATOMIC_RELAXED);
}

/* In debug builds: the caller must hold @lock. */
#define assert_spin_locked(lock)						\
	do {									\
		if (KMM_DEBUG && !spin_is_locked(lock))				\
			spin_bug((lock), "not held by caller of " __FILE__);	\
	} while (0)

#define spin_lock_irqsave(lock, flags)	do { local_irq_save(flags); spin_lock(lock); } while (0)
#define spin_unlock_irqrestore(lock, flags) do { spin_unlock(lock); local_irq_restore(flags); } while (0)
#define spin_lock_irq(lock)		do { local_irq_disable(); spin_lock(lock); } while (0)
#define spin_unlock_irq(lock)		do { spin_unlock(lock); local_irq_enable(); } while (0)

#endif /* KMM_SPINLOCK_H */
