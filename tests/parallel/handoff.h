/*
 * handoff.h - a bounded queue between host threads, for the parallel tests
 * that allocate on one CPU and free on another.  Each item is a pointer
 * and a number (an order, a size).
 */
#ifndef KMM_TEST_HANDOFF_H
#define KMM_TEST_HANDOFF_H

#include <pthread.h>
#include <stdbool.h>

#define HANDOFF_SLOTS	1024

struct handoff {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct {
		void *p;
		unsigned long n;
	} item[HANDOFF_SLOTS];
	long head, tail;
	bool done;
};

#define HANDOFF_INIT { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER }

/* Queue (@p, @n), waiting while the queue is full. */
static inline void handoff_put(struct handoff *h, void *p, unsigned long n)
{
	pthread_mutex_lock(&h->lock);
	while (h->head - h->tail == HANDOFF_SLOTS)
		pthread_cond_wait(&h->cond, &h->lock);
	h->item[h->head % HANDOFF_SLOTS].p = p;
	h->item[h->head % HANDOFF_SLOTS].n = n;
	h->head++;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

/* No more items will come. */
static inline void handoff_close(struct handoff *h)
{
	pthread_mutex_lock(&h->lock);
	h->done = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

/* The next item, waiting for one; false once the queue is closed and empty. */
static inline bool handoff_get(struct handoff *h, void **p, unsigned long *n)
{
	pthread_mutex_lock(&h->lock);
	while (h->head == h->tail && !h->done)
		pthread_cond_wait(&h->cond, &h->lock);
	if (h->head == h->tail) {
		pthread_mutex_unlock(&h->lock);
		return false;
	}
	*p = h->item[h->tail % HANDOFF_SLOTS].p;
	*n = h->item[h->tail % HANDOFF_SLOTS].n;
	h->tail++;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	return true;
}

#endif /* KMM_TEST_HANDOFF_H */
