/*
 * peer.h - worker processes: one allocator each, driven over pipes.
 *
 * The parent starts a worker by executing itself again,
 *
 *     kmm_bench --worker NAME RFD WFD ARG
 *
 * with LD_PRELOAD set to the allocator's library when it needs one (and
 * removed otherwise), so that each allocator is the only one of its kind
 * in its process.  The worker sets the allocator up (allocators.h) and
 * answers requests, one at a time: set a workload up, run a sample of n
 * operations (the worker times it and sends the nanoseconds back), tear
 * it down, run the memory workload.  Workers stay alive for a whole
 * group, and while one runs the others wait in read(): the parent
 * interleaves their samples (bench_interleave with peer_sample) and all
 * of them see the same machine.
 *
 * A worker that dies is reported once and left out; the parent goes on.
 */
#ifndef KMM_BENCH_PEER_H
#define KMM_BENCH_PEER_H

#include <stdbool.h>
#include <sys/types.h>

#include "bench/allocators.h"
#include "bench/workloads.h"

struct peer {
	struct allocator *a;
	pid_t pid;
	int to, from;		/* request and reply pipes; -1 once closed */
	bool dead;		/* failed to start, or died: left out from then on */
	char about[160];	/* what the worker said at start: which library serves it */
};

/* Start @a's worker with @arg (kmm: the boot command line); -1 if it did not come up. */
int peer_start(struct peer *p, struct allocator *a, const char *arg);
/* Close the pipes and reap the worker. */
void peer_stop(struct peer *p);

int peer_setup(struct peer *p, const struct work_params *wp);
/* A bench_subject sample: @ctx is the peer; the worker's time for @n operations. */
double peer_sample(void *ctx, long n);
void peer_teardown(struct peer *p);
int peer_memory(struct peer *p, const struct work_params *wp, struct mem_result *r);

/* The worker's side: serve requests on @rfd/@wfd until the parent closes them. */
int peer_worker_main(const char *name, int rfd, int wfd, const char *arg);

#endif /* KMM_BENCH_PEER_H */
