/*
 * test_parallel_cpu_hotplug.c - CPUs going down and coming back while
 * the others run (kernel/cpu.c): two workers on CPUs 1 and 3 allocate
 * and free pages and objects (objects freed by the other worker too, so
 * the shared arrays carry traffic), while a third thread takes CPU 2 in
 * turns -- attach, fill its per-CPU lists and arrays, detach -- and the
 * test's thread, the boot CPU 0, takes CPU 2 down and up again each time.
 * CPU_DEAD empties CPU 2's lists and arrays into the zones and slabs
 * the workers use at that moment.  At the end every page and object is
 * accounted for (mm_check).  Built with the debug checks and under
 * ThreadSanitizer.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/cpu.h>
#include <kmm/errno.h>
#include <kmm/gfp.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/slab.h>
#include <kmm/smp.h>
#include "hw/cpu.h"
#include "mm/internal.h"
#include "tests/harness.h"

#define ROUNDS		stress_rounds(200)
#define SLOTS		64

static void *handoff[SLOTS];		/* objects one worker leaves for the other to free */
static int stop, attached;

static void traffic(unsigned int *seed, void **obj)
{
	int i = rand_r(seed) % SLOTS;

	if (obj[i]) {
		void *old = __atomic_exchange_n(&handoff[i], obj[i], __ATOMIC_ACQ_REL);

		kfree(old);		/* the other worker's, perhaps: a cross-CPU free */
		obj[i] = NULL;
	} else if (rand_r(seed) % 3) {
		obj[i] = kmalloc(16 + rand_r(seed) % 1024, GFP_KERNEL);
	} else {
		int order = rand_r(seed) % 2;
		struct page *page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);

		if (page)
			__free_pages(page, order);
	}
}

static void *worker(void *arg)
{
	int cpu = (int)(long)arg;
	unsigned int seed = 7 + cpu;
	void *obj[SLOTS] = { 0 };

	if (kmm_thread_attach(cpu)) {
		__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);	/* the join reports it */
		__atomic_add_fetch(&attached, 1, __ATOMIC_RELEASE);
		return (void *)1;
	}
	__atomic_add_fetch(&attached, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
		traffic(&seed, obj);
	for (int i = 0; i < SLOTS; i++)
		kfree(obj[i]);
	kmm_thread_detach();
	return NULL;
}

/* One turn on CPU 2: its lists and arrays filled, then left for cpu_down. */
static void *visitor(void *arg)
{
	struct page *pages[32];
	void *objs[48];

	(void)arg;
	if (kmm_thread_attach(2))
		return (void *)1;
	for (int i = 0; i < 32; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	for (int i = 0; i < 48; i++)
		objs[i] = kmalloc(64 + 16 * (i % 8), GFP_KERNEL);
	for (int i = 0; i < 32; i++)
		if (pages[i])
			__free_page(pages[i]);
	for (int i = 0; i < 48; i++)
		kfree(objs[i]);
	kmm_thread_detach();
	return NULL;
}

static void test_cpu_down_and_up_under_traffic(void **state)
{
	pthread_t w[2];
	long rounds = ROUNDS;

	(void)state;
	stop = attached = 0;
	boot_parallel("ram=256M cpus=4 seed=5");
	for (long i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&w[i], NULL, worker, (void *)(1 + 2 * i)), 0);
	while (__atomic_load_n(&attached, __ATOMIC_ACQUIRE) < 2)
		sched_yield();
	for (long r = 0; r < rounds; r++) {
		pthread_t v;
		void *ret;

		assert_int_equal(pthread_create(&v, NULL, visitor, NULL), 0);
		pthread_join(v, &ret);
		assert_null(ret);
		/* A CPU a thread runs as cannot go: CPUs 1 and 3 have workers. */
		assert_int_equal(cpu_down(1), -EBUSY);
		assert_int_equal(cpu_down(2), 0);
		assert_false(cpu_online(2));
		assert_int_equal(cpu_up(2), 0);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 2; i++) {
		void *ret;

		pthread_join(w[i], &ret);
		assert_null(ret);
	}
	for (int i = 0; i < SLOTS; i++) {
		kfree(handoff[i]);
		handoff[i] = NULL;
	}
	assert_int_equal(cpu_down(2), 0);
	assert_int_equal(cpu_down(3), 0);
	drain_all_pages();
	assert_mm_check();
	kmm_shutdown();
}

/*
 * Many cycles on two nodes, every CPU busy.  Node 0 has CPUs 0-3, node 1
 * CPUs 4-7.  Workers on CPUs 1, 3, 5 and 7 allocate and free objects and
 * pages and free each other's objects: across CPUs (shared arrays) and
 * across nodes (alien arrays); the one on CPU 3 also creates, uses and
 * destroys a cache now and then (which walks the online CPUs).  CPUs 2, 4
 * and 6 go down and up again, from CPU 0, again and again, while a racer
 * thread keeps trying to attach to them (the claim of hw_cpu_hotplug_begin
 * decides: it gets the CPU and cpu_down says -EBUSY, or cpu_down wins and
 * the racer gets -EBUSY or -EAGAIN) and a borrower, on no CPU, runs
 * allocations as them through kmm_run_on_cpu (-EAGAIN while they are
 * offline or half-way).  Whoever runs as a CPU finds it online throughout.
 * When CPU 4 goes down while 5 and 7 are up, node 1 keeps its arrays;
 * mm_check at the end accounts for every page and object.
 */
#define HOTPLUG_ROUNDS	stress_rounds(150)

static const int hot_cpus[] = { 2, 4, 6 };
static int offline_seen;		/* a thread ran as an offline CPU */
static long racer_turns, borrowed_calls;

static void busy_worker_caches(unsigned int *seed)
{
	struct kmem_cache *c;
	void *objs[8];

	if (rand_r(seed) % 512)
		return;
	c = kmem_cache_create("hotplug_test", 96 + rand_r(seed) % 64, 0, 0, NULL);
	if (!c)
		return;
	for (int i = 0; i < 8; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (int i = 0; i < 8; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_destroy(c);
}

static void *busy_worker(void *arg)
{
	int cpu = (int)(long)arg;
	unsigned int seed = 11 + cpu;
	void *obj[SLOTS] = { 0 };

	if (kmm_thread_attach(cpu)) {
		__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
		__atomic_add_fetch(&attached, 1, __ATOMIC_RELEASE);
		return (void *)1;
	}
	__atomic_add_fetch(&attached, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		traffic(&seed, obj);
		if (cpu == 3)
			busy_worker_caches(&seed);
	}
	for (int i = 0; i < SLOTS; i++)
		kfree(obj[i]);
	kmm_thread_detach();
	return NULL;
}

/* Attach to a hot-plugged CPU when it lets us, fill its lists and arrays, leave. */
static void *racer(void *arg)
{
	unsigned int seed = 3;
	void *obj[SLOTS] = { 0 };

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		int cpu = hot_cpus[rand_r(&seed) % 3], err = kmm_thread_attach(cpu);

		if (err) {
			if (err != -EBUSY && err != -EAGAIN)
				__atomic_store_n(&offline_seen, 1, __ATOMIC_RELAXED);
			sched_yield();
			continue;
		}
		for (int i = 0; i < 200; i++) {
			traffic(&seed, obj);
			if (!cpu_online(smp_processor_id()))
				__atomic_store_n(&offline_seen, 1, __ATOMIC_RELAXED);
		}
		for (int i = 0; i < SLOTS; i++) {
			kfree(obj[i]);
			obj[i] = NULL;
		}
		kmm_thread_detach();
		__atomic_add_fetch(&racer_turns, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * As a borrowed CPU, interrupts disabled: allocations and frees, the CPU
 * checked online before and after (no cpu_down may begin while a borrower
 * runs as the CPU: its claim waits for the ipi_lock the borrower holds).
 */
static void borrowed_call(void *arg)
{
	void *p[16];

	if (!cpu_online(smp_processor_id()))
		__atomic_store_n(&offline_seen, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 16; i++)
		p[i] = kmalloc(32 + ((unsigned long)arg + 64 * i) % 512, GFP_ATOMIC);
	for (int i = 0; i < 16; i++)
		kfree(p[i]);
	if (!cpu_online(smp_processor_id()))
		__atomic_store_n(&offline_seen, 1, __ATOMIC_RELAXED);
}

static void *borrower(void *arg)
{
	unsigned int seed = 5;

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		int cpu = hot_cpus[rand_r(&seed) % 3];
		int err = kmm_run_on_cpu(cpu, borrowed_call, (void *)(long)rand_r(&seed));

		if (!err)
			__atomic_add_fetch(&borrowed_calls, 1, __ATOMIC_RELAXED);
		else if (err != -EAGAIN)
			__atomic_store_n(&offline_seen, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_cpu_hotplug_cycles_with_racing_attach_and_borrow(void **state)
{
	static const int busy_cpus[] = { 1, 3, 5, 7 };
	pthread_t w[4], r, b;
	long rounds = HOTPLUG_ROUNDS, downs = 0, refused = 0;

	(void)state;
	stop = attached = offline_seen = 0;
	racer_turns = borrowed_calls = 0;
	boot_parallel("ram=256M nodes=2 cpus=4,4 seed=9");
	assert_int_equal(cpu_to_node(4), 1);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&w[i], NULL, busy_worker,
						(void *)(long)busy_cpus[i]), 0);
	while (__atomic_load_n(&attached, __ATOMIC_ACQUIRE) < 4)
		sched_yield();
	assert_int_equal(pthread_create(&r, NULL, racer, NULL), 0);
	assert_int_equal(pthread_create(&b, NULL, borrower, NULL), 0);
	for (long i = 0; i < rounds; i++) {
		for (int k = 0; k < 3; k++) {
			int cpu = hot_cpus[k], err = cpu_down(cpu);

			if (err == -EBUSY) {		/* the racer runs as it */
				refused++;
				continue;
			}
			assert_int_equal(err, 0);
			assert_false(cpu_online(cpu));
			downs++;
			assert_int_equal(cpu_up(cpu), 0);
		}
		assert_int_equal(cpu_down(5), -EBUSY);	/* a worker runs as it */
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	pthread_join(r, NULL);
	pthread_join(b, NULL);
	for (int i = 0; i < 4; i++) {
		void *ret;

		pthread_join(w[i], &ret);
		assert_null(ret);
	}
	assert_int_equal(offline_seen, 0);
	assert_true(downs > 0);
	for (int i = 0; i < SLOTS; i++) {
		kfree(handoff[i]);
		handoff[i] = NULL;
	}
	for (int cpu = 1; cpu < 8; cpu++)
		assert_int_equal(cpu_down(cpu), 0);
	drain_all_pages();
	assert_mm_check();
	print_message("%ld rounds: %ld CPUs down and up, %ld refused, %ld racer turns, %ld borrowed calls\n",
		      rounds, downs, refused, racer_turns, borrowed_calls);
	kmm_shutdown();
}

static void count_call(void *arg)
{
	__atomic_add_fetch((int *)arg, 1, __ATOMIC_RELAXED);
}

struct claim_probe {
	int run_err, attach_err, calls;
};

/* On no CPU of its own: borrow CPU 2, then try to take it. */
static void *probe_claimed_cpu(void *arg)
{
	struct claim_probe *p = arg;

	p->run_err = kmm_run_on_cpu(2, count_call, &p->calls);
	p->attach_err = kmm_thread_attach(2);
	if (!p->attach_err)
		kmm_thread_detach();
	return NULL;
}

static struct claim_probe probe(void)
{
	struct claim_probe p = { 0 };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, probe_claimed_cpu, &p), 0);
	pthread_join(t, NULL);
	return p;
}

/*
 * The claim by itself (hw_cpu_hotplug_begin, as cpu_up and cpu_down take
 * it): CPU 2 is online, but while CPU 0's thread claims it another thread
 * can neither borrow it (-EAGAIN, nothing run) nor attach to it (-EBUSY);
 * the claimer itself still runs as it.  Released, both work; offline,
 * borrowing says -EAGAIN and attaching -EAGAIN.  The caller's own CPU
 * can be claimed, and stays its own afterwards.
 */
static void test_claimed_cpu_refuses_borrowers_and_attach(void **state)
{
	struct claim_probe p;
	int calls = 0;

	(void)state;
	boot_parallel("ram=64M cpus=4 seed=2");
	assert_true(cpu_online(2));
	assert_int_equal(hw_cpu_hotplug_begin(2), 0);
	p = probe();
	assert_int_equal(p.run_err, -EAGAIN);
	assert_int_equal(p.calls, 0);
	assert_int_equal(p.attach_err, -EBUSY);
	hw_run_on_cpu(2, count_call, &calls);
	assert_int_equal(calls, 1);
	hw_cpu_hotplug_end(2);

	p = probe();
	assert_int_equal(p.run_err, 0);
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.attach_err, 0);

	assert_int_equal(cpu_down(2), 0);
	p = probe();
	assert_int_equal(p.run_err, -EAGAIN);
	assert_int_equal(p.calls, 0);
	assert_int_equal(p.attach_err, -EAGAIN);
	assert_int_equal(cpu_up(2), 0);

	assert_int_equal(hw_cpu_hotplug_begin(0), 0);
	hw_cpu_hotplug_end(0);
	assert_int_equal(kmm_cpu_taken(0), true);	/* and still ours */
	assert_mm_check();
	kmm_shutdown();
}

/* What another thread found at each event of CPU 2's hotplug: CPU_ONLINE .. CPU_POST_DEAD. */
static struct claim_probe at_event[CPU_POST_DEAD + 1];

static int probe_at_event(struct notifier_block *nb, unsigned long action, void *hcpu)
{
	(void)nb;
	if ((long)hcpu == 2 && action <= CPU_POST_DEAD)
		at_event[action] = probe();
	return NOTIFY_OK;
}

/*
 * cpu_up and cpu_down hold the claim through every notifier event: at
 * each, another thread can neither borrow CPU 2 (-EAGAIN: nothing ran)
 * nor attach to it (-EBUSY) -- even at CPU_ONLINE and CPU_DOWN_PREPARE,
 * where it is online.  Priorities 100 and -100 put the probe first and
 * last in the chain.
 */
static void test_cpu_claimed_at_every_hotplug_event(void **state)
{
	static const unsigned long events[] = { CPU_UP_PREPARE, CPU_ONLINE, CPU_DOWN_PREPARE,
						CPU_DEAD, CPU_POST_DEAD };
	struct notifier_block first = { .notifier_call = probe_at_event, .priority = 100 };
	struct notifier_block last = { .notifier_call = probe_at_event, .priority = -100 };
	struct notifier_block *nbs[] = { &first, &last };

	(void)state;
	boot_parallel("ram=64M cpus=4 maxcpus=2 seed=2");
	for (int n = 0; n < 2; n++) {
		memset(at_event, 0xff, sizeof(at_event));
		register_cpu_notifier(nbs[n]);
		assert_int_equal(cpu_up(2), 0);
		assert_int_equal(cpu_down(2), 0);
		unregister_cpu_notifier(nbs[n]);
		for (int i = 0; i < 5; i++) {
			struct claim_probe p = at_event[events[i]];

			assert_int_equal(p.run_err, -EAGAIN);
			assert_int_equal(p.calls, 0);
			assert_int_equal(p.attach_err, -EBUSY);
		}
	}
	/* Released: a thread takes it. */
	assert_int_equal(cpu_up(2), 0);
	assert_int_equal(probe().attach_err, 0);
	assert_mm_check();
	kmm_shutdown();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_cpu_down_and_up_under_traffic, teardown_machine),
		cmocka_unit_test_teardown(test_cpu_hotplug_cycles_with_racing_attach_and_borrow,
					  teardown_machine),
		cmocka_unit_test_teardown(test_claimed_cpu_refuses_borrowers_and_attach,
					  teardown_machine),
		cmocka_unit_test_teardown(test_cpu_claimed_at_every_hotplug_event, teardown_machine),
	};

	return kmm_test_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
