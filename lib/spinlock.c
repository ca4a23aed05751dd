/*
 * spinlock.c - the contended path of spinlocks, and their misuse reports.
 *
 * A waiter spins reading the lock (no bus locking while it is held) and
 * retries the exchange only when it sees it free.  A spin that lasts far
 * longer than any critical section can is reported once as a lockup; in
 * deterministic mode, where one host thread runs every CPU, any wait on a
 * held lock is a deadlock and is reported at once.
 */
#include <kmm/bug.h>
#include <kmm/printk.h>
#include <kmm/spinlock.h>
#include "hw/machine.h"

#define LOCKUP_SPINS	(1UL << 32)

void spin_bug(spinlock_t *lock, const char *msg)
{
	printk(KERN_EMERG "BUG: spinlock %s on CPU#%d, lock: %p, .owner_cpu: %d\n",
	       msg, spin_debug_cpu(), (void *)lock, lock->owner_cpu);
	BUG();
}

void spin_lock_slowpath(spinlock_t *lock)
{
	unsigned long spins = 0;
	bool reported = false;

	for (;;) {
		while (__atomic_load_n(&lock->slock, __ATOMIC_RELAXED)) {
			if (hw_deterministic())
				spin_bug(lock, "deadlock (deterministic mode)");
			cpu_relax();
			if (++spins == LOCKUP_SPINS && !reported) {
				reported = true;
				printk(KERN_EMERG "BUG: spinlock lockup on CPU#%d, lock: %p\n",
				       spin_debug_cpu(), (void *)lock);
			}
		}
		if (!__atomic_exchange_n(&lock->slock, 1, __ATOMIC_ACQUIRE))
			return;
	}
}
