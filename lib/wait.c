/*
 * wait.c - wait queues over futexes (parallel mode) or the simulated
 * scheduler (deterministic mode); see wait.h.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <kmm/bug.h>
#include <kmm/kernel.h>
#include <kmm/wait.h>
#include "hw/machine.h"

bool (*sim_schedule_hook)(void);

/*
 * The waker bumps the sequence and then looks for sleepers; a sleeper
 * counts itself and then sleeps only if the sequence is unchanged.  Both
 * sides are sequentially consistent, so at least one sees the other: a
 * sleeper is woken or does not sleep.
 */
void wake_up(wait_queue_head_t *q)
{
	__atomic_add_fetch(&q->seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&q->waiters, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &q->seq, FUTEX_WAKE_PRIVATE, 1 << 30, NULL, NULL, 0);
}

void wake_up_all(wait_queue_head_t *q)
{
	wake_up(q);
}

bool waitqueue_active(wait_queue_head_t *q)
{
	return __atomic_load_n(&q->waiters, __ATOMIC_ACQUIRE) != 0;
}

void __wait_queue_sleep(wait_queue_head_t *q, u32 seq)
{
	if (hw_deterministic()) {
		if (!sim_schedule_hook || !sim_schedule_hook()) {
			printk(KERN_EMERG "BUG: deadlock: waiting for a condition no task can change\n");
			BUG();
		}
		return;
	}
	__atomic_add_fetch(&q->waiters, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &q->seq, FUTEX_WAIT_PRIVATE, seq, NULL, NULL, 0);
	__atomic_sub_fetch(&q->waiters, 1, __ATOMIC_ACQ_REL);
}
