/*
 * workloads_mt.c - the threaded workloads of workloads.h: a producer and
 * a consumer, and a larson-style server.
 *
 * Threads are started for each sample; each one first runs
 * a->thread_start() (kmm: attach as a CPU), fills what it needs, and
 * waits at a barrier.  The driver takes the start time and opens the
 * barrier; each thread takes its end time when its operations are done;
 * the sample is the latest end minus the start, so thread creation,
 * filling and freeing stay out of it.  Waits spin, then yield, so that a
 * loaded machine (make test) slows the run down instead of stalling it.
 *
 * Objects cross threads through single-producer single-consumer rings:
 * each side keeps its own index on its own cache line and reads the
 * other's only when the ring looks full (or empty).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench.h"
#include "bench/workloads.h"

#define MAX_THREADS	16
#define RING_SIZE	1024		/* a power of two */
#define SEED_THREADS	0x5eed1000ULL
#define HANDOFF_MASK	7		/* one step in eight hands its object over */

struct ring {
	unsigned long head __attribute__((aligned(64)));	/* written by the producer */
	unsigned long tail_seen;	/* the producer's last look at tail */
	unsigned long tail __attribute__((aligned(64)));	/* written by the consumer */
	unsigned long head_seen;	/* the consumer's last look at head */
	void *slot[RING_SIZE] __attribute__((aligned(64)));
};

static bool ring_put(struct ring *r, void *obj)
{
	unsigned long h = r->head;

	if (h - r->tail_seen == RING_SIZE) {
		r->tail_seen = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		if (h - r->tail_seen == RING_SIZE)
			return false;
	}
	r->slot[h & (RING_SIZE - 1)] = obj;
	__atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
	return true;
}

static void *ring_get(struct ring *r)
{
	unsigned long t = r->tail;
	void *obj;

	if (t == r->head_seen) {
		r->head_seen = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		if (t == r->head_seen)
			return NULL;
	}
	obj = r->slot[t & (RING_SIZE - 1)];
	__atomic_store_n(&r->tail, t + 1, __ATOMIC_RELEASE);
	return obj;
}

/* One sample's threads: the barrier, the clock, and what each thread needs. */
struct mt_run {
	struct allocator *a;
	const struct work_params *p;
	long steps;			/* per thread */
	int nr;				/* threads */
	int ready, go, done, failed;	/* atomic */
	double end[MAX_THREADS];	/* ns, each thread's own */
	struct ring *rings;		/* nr of them */
};

struct mt_thread {
	struct mt_run *run;
	int id;
};

/*
 * A wait on the other thread is an operation or two when both run; far
 * longer means it is not running (a loaded machine), and then yielding
 * lets it run sooner.
 */
static void relax(unsigned int *spins)
{
	if (++*spins < 128)
		__builtin_ia32_pause();
	else
		sched_yield();
}

static void wait_for(int *v, int want)
{
	unsigned int spins = 0;

	while (__atomic_load_n(v, __ATOMIC_ACQUIRE) < want)
		relax(&spins);
}

static void arrive(int *v)
{
	__atomic_add_fetch(v, 1, __ATOMIC_ACQ_REL);
}

static size_t pick_size(const struct work_params *p, uint64_t *seed)
{
	return p->fixed64 ? 64 : p->size_min + work_below(seed, p->size_max - p->size_min + 1);
}

/*
 * Start @run->nr threads on @fn, let them go together, wait for them.
 * Returns the nanoseconds from the start to the last end, -1 on failure.
 */
static double run_threads(struct mt_run *run, void *(*fn)(void *))
{
	struct mt_thread t[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	double start, last = 0;

	for (int i = 0; i < run->nr; i++) {
		t[i] = (struct mt_thread){ run, i };
		/* The others would wait for it forever: stop here, the parent reports it. */
		if (pthread_create(&tid[i], NULL, fn, &t[i])) {
			perror("kmm_bench worker: pthread_create");
			abort();
		}
	}
	wait_for(&run->ready, run->nr);
	start = bench_now_ns();
	__atomic_store_n(&run->go, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < run->nr; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < run->nr; i++)
		if (run->end[i] > last)
			last = run->end[i];
	return run->failed ? -1 : last - start;
}

/* ---- a producer and a consumer ---- */

static void *producer(void *arg)
{
	struct mt_thread *t = arg;
	struct mt_run *run = t->run;
	void *(*alloc)(size_t) = run->p->fixed64 ? run->a->alloc64 : run->a->alloc;
	uint64_t seed = SEED_THREADS;

	if (run->a->thread_start)
		run->a->thread_start();
	arrive(&run->ready);
	wait_for(&run->go, 1);
	for (long i = 0; i < run->steps; i++) {
		long *o = alloc(pick_size(run->p, &seed));

		if (o) {
			*o = i;
		} else {
			/* A stand-in goes through, so that the consumer's count still ends. */
			__atomic_store_n(&run->failed, 1, __ATOMIC_RELAXED);
			o = (long *)&run->failed;
		}
		for (unsigned int spins = 0; !ring_put(run->rings, o);)
			relax(&spins);
	}
	run->end[t->id] = bench_now_ns();
	if (run->a->thread_end)
		run->a->thread_end();
	return NULL;
}

static void *consumer(void *arg)
{
	struct mt_thread *t = arg;
	struct mt_run *run = t->run;
	void (*free_fn)(void *) = run->p->fixed64 ? run->a->free64 : run->a->free;

	if (run->a->thread_start)
		run->a->thread_start();
	arrive(&run->ready);
	wait_for(&run->go, 1);
	for (long i = 0; i < run->steps; i++) {
		void *o;

		for (unsigned int spins = 0; !(o = ring_get(run->rings));)
			relax(&spins);
		if (o != &run->failed)
			free_fn(o);
	}
	run->end[t->id] = bench_now_ns();
	if (run->a->thread_end)
		run->a->thread_end();
	return NULL;
}

static void *prodcons_thread(void *arg)
{
	struct mt_thread *t = arg;

	return t->id ? consumer(arg) : producer(arg);
}

double work_mt_prodcons(struct allocator *a, const struct work_params *p, long n)
{
	struct mt_run run = { .a = a, .p = p, .steps = n, .nr = 2 };
	double dt;

	run.rings = work_map(sizeof(struct ring));
	if (!run.rings)
		return -1;
	dt = run_threads(&run, prodcons_thread);
	work_unmap(run.rings, sizeof(struct ring));
	return dt;
}

/*
 * ---- larson: a server's threads ----
 *
 * Thread i hands objects to thread i + 1 (the last to the first) through
 * ring i, and frees what comes in on ring i - 1, one object per step at
 * most.  A hand-over that finds the ring full becomes a local free.
 */
static void *larson_thread(void *arg)
{
	struct mt_thread *t = arg;
	struct mt_run *run = t->run;
	const struct work_params *p = run->p;
	void *(*alloc)(size_t) = p->fixed64 ? run->a->alloc64 : run->a->alloc;
	void (*free_fn)(void *) = p->fixed64 ? run->a->free64 : run->a->free;
	struct ring *out = &run->rings[t->id], *in = &run->rings[(t->id + run->nr - 1) % run->nr];
	size_t bytes = p->count * sizeof(void *);
	void **slots = work_map(bytes);
	uint64_t seed = SEED_THREADS + t->id;
	int filled = 0;
	void *o;

	if (run->a->thread_start)
		run->a->thread_start();
	for (; slots && filled < p->count; filled++)
		if (!(slots[filled] = alloc(pick_size(p, &seed))))
			break;
	if (filled < p->count)
		__atomic_store_n(&run->failed, 1, __ATOMIC_RELAXED);
	arrive(&run->ready);
	wait_for(&run->go, 1);
	for (long s = 0; s < run->steps && !__atomic_load_n(&run->failed, __ATOMIC_RELAXED); s++) {
		uint32_t k = work_below(&seed, p->count);
		long *obj;

		o = ring_get(in);
		if (o)
			free_fn(o);
		if ((work_rand(&seed) & HANDOFF_MASK) || !ring_put(out, slots[k]))
			free_fn(slots[k]);
		obj = alloc(pick_size(p, &seed));
		slots[k] = obj;
		if (!obj) {
			__atomic_store_n(&run->failed, 1, __ATOMIC_RELAXED);
			break;
		}
		*obj = s;
	}
	run->end[t->id] = bench_now_ns();
	/* Nothing is handed over after everyone is done: then the ring can be emptied. */
	arrive(&run->done);
	wait_for(&run->done, run->nr);
	while ((o = ring_get(in)))
		free_fn(o);
	while (filled-- > 0)
		if (slots[filled])
			free_fn(slots[filled]);
	work_unmap(slots, bytes);
	if (run->a->thread_end)
		run->a->thread_end();
	return NULL;
}

double work_mt_larson(struct allocator *a, const struct work_params *p, long n)
{
	int nr = p->threads < 1 ? 1 : p->threads > MAX_THREADS ? MAX_THREADS : p->threads;
	struct mt_run run = { .a = a, .p = p, .steps = (n + nr - 1) / nr, .nr = nr };
	double dt;

	run.rings = work_map(nr * sizeof(struct ring));
	if (!run.rings)
		return -1;
	dt = run_threads(&run, larson_thread);
	work_unmap(run.rings, nr * sizeof(struct ring));
	return dt < 0 ? dt : dt * n / (run.steps * nr);
}
