/*
 * test_lockdep.c - the lock validator and the rules of atomic context:
 * inverted lock orders reported with both chains (even when the two
 * orders never overlap in time), recursion, the mm lock order declared in
 * mm/internal.h, sleeping or scheduling where it is not allowed,
 * preempt_count and in_interrupt(), and owners recorded on every lock.
 *
 * Every report turns the validator off (debug_locks = 0), so each test
 * that wants one boots a fresh machine.  The validator exists in debug
 * builds only: its tests say so and skip themselves in release builds.
 */
#include <string.h>

#include <kmm/completion.h>
#include <kmm/gfp.h>
#include <kmm/kthread.h>
#include <kmm/lockdep.h>
#include <kmm/mm.h>
#include <kmm/mutex.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/slab.h>
#include <kmm/smp.h>
#include <kmm/spinlock.h>
#include "mm/internal.h"
#include "mm/slab.h"
#include "tests/harness.h"

#define NEED_VALIDATOR()							\
	do {									\
		if (!KMM_DEBUG)							\
			skip();							\
	} while (0)

static void boot_for_reports(const char *cmdline)
{
	boot_or_fail(cmdline);
	assert_int_equal(debug_locks, 1);
	assert_int_equal(lockdep_reports(), 0);
	lockdep_expect_reports();
}

/*
 * A then B, released; later B then A.  The two orders never overlap (one
 * task, one after the other), yet together they are a deadlock waiting to
 * happen: reported at the second acquisition, with the chain A -> B seen
 * first and the new dependency B -> A.
 */
static void an_inverted_order_is_reported_with_both_chains(void **state)
{
	struct mutex a, b;

	NEED_VALIDATOR();
	boot_for_reports("ram=16M");
	mutex_init(&a);
	mutex_init(&b);
	mutex_lock(&a);
	mutex_lock(&b);
	mutex_unlock(&b);
	mutex_unlock(&a);
	assert_int_equal(lockdep_reports(), 0);
	mutex_lock(&b);
	mutex_lock(&a);
	assert_int_equal(lockdep_reports(), 1);
	assert_int_equal(debug_locks, 0);
	assert_true(dmesg_has("[ INFO: possible circular locking dependency detected ]"));
	assert_true(dmesg_has("init/1 is trying to acquire lock:\n"));
	assert_true(dmesg_has(" (&a), at:"));
	assert_true(dmesg_has("but task is already holding lock:\n"));
	assert_true(dmesg_has(" (&b), at:"));
	assert_true(dmesg_has("-> #1 (&b):"));	/* the existing chain: a -> b */
	assert_true(dmesg_has("while holding (&a)"));
	assert_true(dmesg_has("-> #0 (&a):"));	/* the new dependency: b -> a */
	assert_true(dmesg_has("while holding (&b)"));
	assert_true(dmesg_has("1 lock held by init/1:"));
	mutex_unlock(&a);
	mutex_unlock(&b);
}

/* A cycle through three classes: A -> B, B -> C, then C -> A. */
static void a_longer_cycle_is_found(void **state)
{
	spinlock_t a, b, c;

	NEED_VALIDATOR();
	boot_for_reports("ram=16M");
	spin_lock_init(&a);
	spin_lock_init(&b);
	spin_lock_init(&c);
	spin_lock(&a);
	spin_lock(&b);
	spin_unlock(&b);
	spin_unlock(&a);
	spin_lock(&b);
	spin_lock(&c);
	spin_unlock(&c);
	spin_unlock(&b);
	assert_int_equal(lockdep_reports(), 0);
	spin_lock(&c);
	spin_lock(&a);
	assert_int_equal(lockdep_reports(), 1);
	/* Each entry names the lock taken in that dependency: c (under b), b (under a), a (now). */
	assert_true(dmesg_has("-> #2 (&c):"));
	assert_true(dmesg_has("-> #1 (&b):"));
	assert_true(dmesg_has("-> #0 (&a):"));
	spin_unlock(&a);
	spin_unlock(&c);
}

/* Two tasks each taking the pair in its own order: the second order is reported in the second task. */
static struct mutex pair_a, pair_b;

static int take_b_then_a(void *data)
{
	mutex_lock(&pair_b);
	mutex_lock(&pair_a);
	mutex_unlock(&pair_a);
	mutex_unlock(&pair_b);
	return 0;
}

static void the_inversion_is_found_across_tasks(void **state)
{
	struct task_struct *k;

	NEED_VALIDATOR();
	boot_for_reports("ram=16M");
	mutex_init(&pair_a);
	mutex_init(&pair_b);
	mutex_lock(&pair_a);
	mutex_lock(&pair_b);
	mutex_unlock(&pair_b);
	mutex_unlock(&pair_a);
	k = kthread_run(take_b_then_a, NULL, "other");
	yield();
	assert_int_equal(kthread_stop(k), 0);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(dmesg_has("other/2 is trying to acquire lock:"));
	assert_true(dmesg_has("(&pair_a)"));
}

/* Taking a lock of a class already held: possible recursion. */
static void recursion_on_a_class_is_reported(void **state)
{
	spinlock_t locks[2];

	NEED_VALIDATOR();
	boot_for_reports("ram=16M");
	for (int i = 0; i < 2; i++)
		spin_lock_init(&locks[i]);	/* one init site: one class */
	spin_lock(&locks[0]);
	spin_lock(&locks[1]);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(dmesg_has("[ INFO: possible recursive locking detected ]"));
	spin_unlock(&locks[1]);
	spin_unlock(&locks[0]);
}

/*
 * A trylock cannot deadlock: taking A by trylock while holding B adds no
 * B -> A dependency, so A then B afterwards is fine.
 */
static void a_trylock_adds_no_dependency(void **state)
{
	struct mutex a, b;

	NEED_VALIDATOR();
	boot_or_fail("ram=16M");
	mutex_init(&a);
	mutex_init(&b);
	mutex_lock(&b);
	assert_true(mutex_trylock(&a));
	mutex_unlock(&a);
	mutex_unlock(&b);
	mutex_lock(&a);
	mutex_lock(&b);
	mutex_unlock(&b);
	mutex_unlock(&a);
	assert_int_equal(lockdep_reports(), 0);
	assert_int_equal(debug_locks, 1);
}

/*
 * The order of mm/internal.h is declared at boot: taking a slab list lock
 * inside zone->lock is reported the first time, though nothing took them
 * in the right order before.
 */
static void the_declared_mm_order_catches_a_first_inversion(void **state)
{
	struct kmem_cache *cache;
	struct zone *zone;
	unsigned long flags;

	NEED_VALIDATOR();
	boot_for_reports("ram=16M");
	cache = kmem_cache_create("inversion", 100, 0, 0, NULL);
	zone = page_zone(virt_to_page(cache));
	spin_lock_irqsave(&zone->lock, flags);
	spin_lock(&cache->nodelists[0]->list_lock);
	assert_int_equal(lockdep_reports(), 1);
	assert_true(dmesg_has("(&l3->list_lock)"));
	assert_true(dmesg_has("(&zone->lock)"));
	assert_true(dmesg_has("declared after (&l3->list_lock) in mm/internal.h"));
	spin_unlock(&cache->nodelists[0]->list_lock);
	spin_unlock_irqrestore(&zone->lock, flags);
}

/* The allocators' own locking follows the declared order: a busy run reports nothing. */
static void the_allocators_keep_the_declared_order(void **state)
{
	struct kmem_cache *off_slab, *on_slab;
	void *objs[600];

	boot_or_fail("ram=64M cpus=2");
	off_slab = kmem_cache_create("big-off-slab", 2048, 0, 0, NULL);
	on_slab = kmem_cache_create("small-on-slab", 64, 0, 0, NULL);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 600; i++)
			objs[i] = kmem_cache_alloc(i % 2 ? off_slab : on_slab, GFP_KERNEL);
		for (int i = 0; i < 600; i++)
			kmem_cache_free(i % 2 ? off_slab : on_slab, objs[i]);
		kmem_cache_shrink(off_slab);
		kmem_cache_shrink(on_slab);
	}
	kmem_cache_destroy(off_slab);
	kmem_cache_destroy(on_slab);
	drain_all_pages();
	assert_int_equal(lockdep_reports(), 0);
	assert_int_equal(debug_locks, KMM_DEBUG);
	assert_mm_check();
}

/* ---- sleeping where it may not ---- */

static void sleeping_with_a_spinlock_held_is_reported(void **state)
{
	spinlock_t s;
	struct mutex m;

	NEED_VALIDATOR();
	boot_for_reports("ram=16M");
	spin_lock_init(&s);
	mutex_init(&m);
	spin_lock(&s);
	assert_true(in_atomic());
	mutex_lock(&m);	/* free: it does not sleep, but it might have */
	assert_true(dmesg_has("BUG: sleeping function called from invalid context at lib/mutex.c"));
	assert_true(dmesg_has("in_atomic(): 1, irqs_disabled(): 0, pid: 1, name: init"));
	mutex_unlock(&m);
	spin_unlock(&s);
	assert_false(in_atomic());
}

static void sleeping_with_interrupts_off_is_reported(void **state)
{
	unsigned long flags;

	NEED_VALIDATOR();
	boot_for_reports("ram=16M");
	local_irq_save(flags);
	kfree(kmalloc(64, GFP_KERNEL));
	local_irq_restore(flags);
	assert_true(dmesg_has("in_atomic(): 0, irqs_disabled(): 1, pid: 1, name: init"));
}

static int sleep_a_tick(void *data)
{
	schedule_timeout_uninterruptible(1);
	return 0;
}

static void scheduling_while_atomic_is_reported(void **state)
{
	spinlock_t s;
	struct task_struct *k;

	NEED_VALIDATOR();
	boot_for_reports("ram=16M");
	spin_lock_init(&s);
	k = kthread_run(sleep_a_tick, NULL, "sleeper");
	spin_lock(&s);
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule_timeout(2);
	spin_unlock(&s);
	assert_true(dmesg_has("BUG: scheduling while atomic: init/1/0x00000001"));
	kthread_stop(k);
}

/* ---- preempt_count and interrupt context ---- */

static int seen_in_interrupt = -1, seen_preempt = -1;

static void probe(void *unused)
{
	seen_in_interrupt = in_interrupt() != 0;
	seen_preempt = preempt_count();
}

static void preempt_count_tracks_spinlocks_and_interrupts(void **state)
{
	spinlock_t a, b;

	boot_or_fail("ram=16M cpus=2");
	spin_lock_init(&a);
	spin_lock_init(&b);
	assert_int_equal(preempt_count(), 0);
	spin_lock(&a);
	assert_int_equal(preempt_count(), 1);
	spin_lock(&b);
	assert_int_equal(preempt_count(), 2);
	assert_true(in_atomic());
	assert_false(in_interrupt());
	spin_unlock(&b);
	spin_unlock(&a);
	assert_int_equal(preempt_count(), 0);
	/* Another CPU's function runs in hardirq context; our own CPU's does not. */
	smp_call_function_single(1, probe, NULL, 1);
	assert_int_equal(seen_in_interrupt, 1);
	assert_int_equal(seen_preempt, HARDIRQ_OFFSET);
	smp_call_function_single(0, probe, NULL, 1);
	assert_int_equal(seen_in_interrupt, 0);
	assert_int_equal(seen_preempt, 0);
	assert_int_equal(preempt_count(), 0);
}

/* ---- owners ---- */

static struct mutex owned_m;
static spinlock_t owned_s;
static struct rw_semaphore owned_rw;
static struct completion hold, release;

static int hold_everything(void *data)
{
	mutex_lock(&owned_m);
	down_write(&owned_rw);
	complete(&hold);
	wait_for_completion(&release);
	up_write(&owned_rw);
	mutex_unlock(&owned_m);
	return 0;
}

static void locks_record_their_owner_task(void **state)
{
	struct task_struct *k;

	boot_or_fail("ram=16M");
	mutex_init(&owned_m);
	init_rwsem(&owned_rw);
	spin_lock_init(&owned_s);
	init_completion(&hold);
	init_completion(&release);
	k = kthread_run(hold_everything, NULL, "holder");
	wait_for_completion(&hold);
	assert_ptr_equal(mutex_owner(&owned_m), k);
	assert_ptr_equal(owned_rw.owner, k);
	assert_false(mutex_trylock(&owned_m));
	assert_false(down_read_trylock(&owned_rw));
	complete(&release);
	assert_int_equal(kthread_stop(k), 0);
	assert_null(mutex_owner(&owned_m));
	assert_null(owned_rw.owner);
	spin_lock(&owned_s);
	if (KMM_DEBUG)
		assert_int_equal(owned_s.owner, current->pid + 1);
	assert_spin_locked(&owned_s);
	lockdep_assert_held(&owned_s);
	spin_unlock(&owned_s);
	assert_int_equal(owned_s.owner, 0);
	assert_int_equal(lockdep_reports(), 0);
}

/* Unlocking a mutex another task holds, or a free one: a BUG naming both tasks. */
static int hold_forever(void *data)
{
	mutex_lock(&owned_m);
	complete(&hold);
	wait_for_completion(&release);
	mutex_unlock(&owned_m);
	return 0;
}

static void unlocking_someone_elses_mutex_is_a_bug(void **state)
{
	NEED_VALIDATOR();
	boot_or_fail("ram=16M");
	mutex_init(&owned_m);
	init_completion(&hold);
	init_completion(&release);
	kthread_run(hold_forever, NULL, "holder");
	wait_for_completion(&hold);
	EXPECT_KERNEL_STOP(mutex_unlock(&owned_m));
	assert_true(dmesg_has("unlocked by a task that does not hold it (task init/1, owner holder/2)"));
}

/* assert_spin_locked and lockdep_assert_held fail for a task that does not hold the lock. */
static void held_assertions_fail_for_other_tasks(void **state)
{
	struct mutex m;
	spinlock_t s;

	NEED_VALIDATOR();
	boot_for_reports("ram=16M");
	mutex_init(&m);
	lockdep_assert_held(&m);
	assert_true(dmesg_has("is not held by the caller"));
	spin_lock_init(&s);
	EXPECT_KERNEL_STOP(assert_spin_locked(&s));
	assert_true(dmesg_has("BUG: spinlock not held by the caller on CPU#0, init/1"));
}

/* Release builds: every lock still works, with the validator compiled out. */
static void the_validator_is_off_in_release_builds(void **state)
{
	boot_or_fail("ram=16M");
	assert_int_equal(debug_locks, KMM_DEBUG);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(an_inverted_order_is_reported_with_both_chains,
					  teardown_machine),
		cmocka_unit_test_teardown(a_longer_cycle_is_found, teardown_machine),
		cmocka_unit_test_teardown(the_inversion_is_found_across_tasks, teardown_machine),
		cmocka_unit_test_teardown(recursion_on_a_class_is_reported, teardown_machine),
		cmocka_unit_test_teardown(a_trylock_adds_no_dependency, teardown_machine),
		cmocka_unit_test_teardown(the_declared_mm_order_catches_a_first_inversion,
					  teardown_machine),
		cmocka_unit_test_teardown(the_allocators_keep_the_declared_order, teardown_machine),
		cmocka_unit_test_teardown(sleeping_with_a_spinlock_held_is_reported, teardown_machine),
		cmocka_unit_test_teardown(sleeping_with_interrupts_off_is_reported, teardown_machine),
		cmocka_unit_test_teardown(scheduling_while_atomic_is_reported, teardown_machine),
		cmocka_unit_test_teardown(preempt_count_tracks_spinlocks_and_interrupts,
					  teardown_machine),
		cmocka_unit_test_teardown(locks_record_their_owner_task, teardown_machine),
		cmocka_unit_test_teardown(unlocking_someone_elses_mutex_is_a_bug, teardown_machine),
		cmocka_unit_test_teardown(held_assertions_fail_for_other_tasks, teardown_machine),
		cmocka_unit_test_teardown(the_validator_is_off_in_release_builds, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
