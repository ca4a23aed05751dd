/*
 * mutex.c - mutexes, reader-writer semaphores and completions (mutex.h).
 *
 * Each lock is a word claimed with a compare-and-swap.  A caller whose
 * claim fails waits on the lock's wait queue with the claim itself as the
 * condition: wait_event() re-reads the queue's sequence number before
 * trying, so a release that happens between the failed try and the sleep
 * bumps the sequence and the sleep returns at once.  A release wakes every
 * waiter and they race for the word again; the losers sleep again.  That
 * is not fair, but it is simple, and it cannot lose a wakeup.
 */
#include <kmm/bug.h>
#include <kmm/irqflags.h>
#include <kmm/mutex.h>
#include <kmm/printk.h>

/* A per-thread address: who holds a mutex, for the debug checks. */
static __thread char thread_token;

void might_sleep(void)
{
	if (KMM_DEBUG && hw_this_cpu && irqs_disabled()) {
		printk(KERN_ERR "BUG: sleeping function called from invalid context on CPU#%d\n",
		       smp_processor_id());
		printk(KERN_ERR "irqs_disabled(): 1\n");
	}
}

/* ---- mutex ---- */

void mutex_init(struct mutex *lock)
{
	lock->locked = 0;
	lock->owner = NULL;
	init_waitqueue_head(&lock->wait);
}

static bool mutex_claim(struct mutex *lock)
{
	int free = 0;

	return __atomic_compare_exchange_n(&lock->locked, &free, 1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static void mutex_set_owner(struct mutex *lock)
{
	if (KMM_DEBUG)
		__atomic_store_n(&lock->owner, &thread_token, __ATOMIC_RELAXED);
}

void mutex_lock(struct mutex *lock)
{
	might_sleep();
	if (KMM_DEBUG && __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) == &thread_token) {
		printk(KERN_EMERG "BUG: mutex %p locked twice by the same task (deadlock)\n",
		       (void *)lock);
		BUG();
	}
	if (unlikely(!mutex_claim(lock)))
		wait_event(lock->wait, mutex_claim(lock));
	mutex_set_owner(lock);
}

int mutex_trylock(struct mutex *lock)
{
	if (!mutex_claim(lock))
		return 0;
	mutex_set_owner(lock);
	return 1;
}

void mutex_unlock(struct mutex *lock)
{
	if (KMM_DEBUG) {
		const void *owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);

		if (!mutex_is_locked(lock) || owner != &thread_token) {
			printk(KERN_EMERG "BUG: mutex %p unlocked by a task that does not hold it\n",
			       (void *)lock);
			BUG();
		}
		__atomic_store_n(&lock->owner, NULL, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
	wake_up(&lock->wait);
}

/* ---- reader-writer semaphore ---- */

void init_rwsem(struct rw_semaphore *sem)
{
	sem->count = 0;
	sem->writers_waiting = 0;
	init_waitqueue_head(&sem->wait);
}

int down_read_trylock(struct rw_semaphore *sem)
{
	int c = __atomic_load_n(&sem->count, __ATOMIC_RELAXED);

	while (c >= 0 && !__atomic_load_n(&sem->writers_waiting, __ATOMIC_RELAXED))
		if (__atomic_compare_exchange_n(&sem->count, &c, c + 1, true, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return 1;
	return 0;
}

void down_read(struct rw_semaphore *sem)
{
	might_sleep();
	if (unlikely(!down_read_trylock(sem)))
		wait_event(sem->wait, down_read_trylock(sem));
}

void up_read(struct rw_semaphore *sem)
{
	int c = __atomic_sub_fetch(&sem->count, 1, __ATOMIC_RELEASE);

	BUG_ON(c < 0);
	if (c == 0)
		wake_up(&sem->wait);
}

int down_write_trylock(struct rw_semaphore *sem)
{
	int free = 0;

	return __atomic_compare_exchange_n(&sem->count, &free, -1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

void down_write(struct rw_semaphore *sem)
{
	might_sleep();
	if (likely(down_write_trylock(sem)))
		return;
	__atomic_add_fetch(&sem->writers_waiting, 1, __ATOMIC_RELAXED);
	wait_event(sem->wait, down_write_trylock(sem));
	/* A reader that gave up waiting for us must look again. */
	if (__atomic_sub_fetch(&sem->writers_waiting, 1, __ATOMIC_RELAXED) == 0)
		wake_up(&sem->wait);
}

void up_write(struct rw_semaphore *sem)
{
	BUG_ON(__atomic_load_n(&sem->count, __ATOMIC_RELAXED) != -1);
	__atomic_store_n(&sem->count, 0, __ATOMIC_RELEASE);
	wake_up(&sem->wait);
}

void downgrade_write(struct rw_semaphore *sem)
{
	BUG_ON(__atomic_load_n(&sem->count, __ATOMIC_RELAXED) != -1);
	__atomic_store_n(&sem->count, 1, __ATOMIC_RELEASE);
	wake_up(&sem->wait);
}

/* ---- completion ---- */

#define COMPLETE_ALL	(~0U / 2)	/* done stays positive for any number of waiters */

void init_completion(struct completion *x)
{
	x->done = 0;
	init_waitqueue_head(&x->wait);
}

bool try_wait_for_completion(struct completion *x)
{
	unsigned int d = __atomic_load_n(&x->done, __ATOMIC_ACQUIRE);

	while (d) {
		if (d >= COMPLETE_ALL)
			return true;
		if (__atomic_compare_exchange_n(&x->done, &d, d - 1, true, __ATOMIC_ACQUIRE,
						__ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

void wait_for_completion(struct completion *x)
{
	might_sleep();
	wait_event(x->wait, try_wait_for_completion(x));
}

bool completion_done(struct completion *x)
{
	return __atomic_load_n(&x->done, __ATOMIC_ACQUIRE) != 0;
}

void complete(struct completion *x)
{
	unsigned int d = __atomic_load_n(&x->done, __ATOMIC_RELAXED);

	while (d < COMPLETE_ALL &&
	       !__atomic_compare_exchange_n(&x->done, &d, d + 1, true, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED))
		;
	wake_up(&x->wait);
}

void complete_all(struct completion *x)
{
	__atomic_store_n(&x->done, COMPLETE_ALL, __ATOMIC_RELEASE);
	wake_up_all(&x->wait);
}
