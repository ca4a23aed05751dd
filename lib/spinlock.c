/*
 * spinlock.c - the contended path of spinlocks, their debug checks and
 * misuse reports, and preempt_count.
 *
 * A waiter spins reading the lock (no bus locking while it is held) and
 * retries the exchange only when it sees it free, yielding the host core
 * now and then (cpu_relax_wait: the holder may be a host thread the host
 * preempted).  A spin that lasts far
 * longer than any critical section can is reported once as a lockup.  In
 * deterministic mode, where one task runs at a time, the holder of a
 * contended spinlock is not running and cannot release it (it slept
 * holding it, itself reported by the scheduler): a deadlock, reported at
 * once.
 */
#include <sched.h>

#include <kmm/bug.h>
#include <kmm/printk.h>
#include <kmm/sched.h>
#include <kmm/spinlock.h>
#include "lib/hooks.h"

#define LOCKUP_SPINS	(1UL << 32)
#define OWNER_NO_TASK	0xffff		/* held by a thread that runs no task */
#define OWNER_IDLE	0x8000		/* + cpu: held by that CPU's pid-0 task */

__thread int __preempt_count;

void __spin_lock_init(spinlock_t *lock, const char *name, const struct lock_class_key *key)
{
	lock->slock = 0;
	lock->owner = 0;
	lock->dep_class = 0;
	if (KMM_DEBUG)
		lockdep_init_map(&lock->dep_class, lock, name, key);
}

/*
 * Who holds a lock, as one number: pid + 1 for a task with a pid.  Every
 * CPU's idle task has pid 0 (as a thread attaching as a CPU does until its
 * pid is handed out, under tasklist_lock), so pid 0 is told apart by its
 * CPU: two CPUs' idle tasks taking one lock are contention, not recursion.
 */
u16 spin_owner_self(void)
{
	struct task_struct *t = hw_this_cpu ? hw_this_cpu->curr : NULL;

	if (!t)
		return OWNER_NO_TASK;
	return t->pid ? (u16)(t->pid + 1) : (u16)(OWNER_IDLE + hw_this_cpu->id);
}

void spin_bug(spinlock_t *lock, const char *msg)
{
	struct task_struct *t = hw_this_cpu ? hw_this_cpu->curr : NULL;
	int owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);

	printk(KERN_EMERG "BUG: spinlock %s on CPU#%d, %s/%d\n", msg, smp_processor_id(),
	       t ? t->comm : "?", t ? t->pid : -1);
	if (owner >= OWNER_IDLE && owner != OWNER_NO_TASK)
		printk(KERN_EMERG " lock: %p, .owner: pid 0 on CPU#%d\n", (void *)lock,
		       owner - OWNER_IDLE);
	else
		printk(KERN_EMERG " lock: %p, .owner: pid %d\n", (void *)lock,
		       owner == 0 ? -1 : owner == OWNER_NO_TASK ? -2 : owner - 1);
	BUG();
}

void spin_acquire(spinlock_t *lock, int trylock, unsigned long ip)
{
	if (!trylock && __atomic_load_n(&lock->slock, __ATOMIC_RELAXED) &&
	    __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) == spin_owner_self() &&
	    spin_owner_self() != OWNER_NO_TASK)
		spin_bug(lock, "recursion");
	lock_acquire(&lock->dep_class, lock, 0, trylock, ip);
}

void spin_release(spinlock_t *lock, unsigned long ip)
{
	if (!__atomic_load_n(&lock->slock, __ATOMIC_RELAXED))
		spin_bug(lock, "already unlocked");
	if (__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) != spin_owner_self())
		spin_bug(lock, "wrong owner");
	__atomic_store_n(&lock->owner, 0, __ATOMIC_RELAXED);
	lock_release(lock, ip);
}

void spin_yield(void)
{
	sched_yield();
}

void spin_lock_slowpath(spinlock_t *lock)
{
	unsigned long spins = 0;
	unsigned int relax = 0;
	bool reported = false;

	for (;;) {
		while (__atomic_load_n(&lock->slock, __ATOMIC_RELAXED)) {
			if (lib_hooks.one_runner)
				spin_bug(lock, "deadlock (its holder is not running)");
			cpu_relax_wait(&relax);
			if (++spins == LOCKUP_SPINS && !reported) {
				reported = true;
				printk(KERN_EMERG "BUG: spinlock lockup on CPU#%d, lock: %p\n",
				       smp_processor_id(), (void *)lock);
			}
		}
		if (!__atomic_exchange_n(&lock->slock, 1, __ATOMIC_ACQUIRE))
			return;
	}
}
