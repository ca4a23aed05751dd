/*
 * hw/context.c - execution contexts as host threads passing a baton (see
 * hw/context.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdlib.h>
#include <time.h>

#include "hw/context.h"

struct hw_context {
	sem_t run;			/* posted: this context may run */
	pthread_t thread;
	bool own_thread;		/* made by hw_context_create (joinable) */
	int killed;			/* set by hw_context_kill before it posts */
	void (*fn)(void *arg);
	void *arg;
	jmp_buf start;			/* where a killed or exiting context unwinds to */
};

static __thread struct hw_context *this_context;

struct hw_context *hw_context_self(void)
{
	struct hw_context *c = this_context;

	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			abort();
		sem_init(&c->run, 0, 0);
		c->thread = pthread_self();
		this_context = c;
	}
	return c;
}

bool hw_context_is_self(const struct hw_context *ctx)
{
	return ctx && ctx == this_context;
}

static void wait_run(struct hw_context *c)
{
	while (sem_wait(&c->run) && errno == EINTR)
		;
	if (__atomic_load_n(&c->killed, __ATOMIC_ACQUIRE))
		longjmp(c->start, 1);
}

static void *trampoline(void *arg)
{
	struct hw_context *c = arg;

	this_context = c;
	if (!setjmp(c->start)) {
		wait_run(c);
		c->fn(c->arg);
	}
	return NULL;
}

struct hw_context *hw_context_create(void (*fn)(void *arg), void *arg)
{
	struct hw_context *c = calloc(1, sizeof(*c));
	pthread_attr_t attr;
	int err;

	if (!c)
		return NULL;
	sem_init(&c->run, 0, 0);
	c->fn = fn;
	c->arg = arg;
	c->own_thread = true;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 20);
	err = pthread_create(&c->thread, &attr, trampoline, c);
	pthread_attr_destroy(&attr);
	if (err) {
		sem_destroy(&c->run);
		free(c);
		return NULL;
	}
	return c;
}

void hw_context_resume(struct hw_context *ctx)
{
	sem_post(&ctx->run);
}

void hw_context_park(struct hw_context *self)
{
	wait_run(self);
}

bool hw_context_park_timeout(struct hw_context *self, u64 ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ns / 1000000000ULL;
	ts.tv_nsec += ns % 1000000000ULL;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	for (;;) {
		if (!sem_timedwait(&self->run, &ts))
			break;
		if (errno == ETIMEDOUT)
			return false;
	}
	if (__atomic_load_n(&self->killed, __ATOMIC_ACQUIRE))
		longjmp(self->start, 1);
	return true;
}

void hw_context_switch(struct hw_context *prev, struct hw_context *next)
{
	sem_post(&next->run);
	wait_run(prev);
}

void hw_context_exit(struct hw_context *self, struct hw_context *next)
{
	if (next)
		sem_post(&next->run);
	longjmp(self->start, 1);
}

void hw_context_reap(struct hw_context *ctx)
{
	if (!ctx)
		return;
	if (ctx->own_thread)
		pthread_join(ctx->thread, NULL);
	sem_destroy(&ctx->run);
	free(ctx);
}

void hw_context_kill(struct hw_context *ctx)
{
	__atomic_store_n(&ctx->killed, 1, __ATOMIC_RELEASE);
	sem_post(&ctx->run);
	hw_context_reap(ctx);
}
