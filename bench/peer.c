/*
 * peer.c - worker processes (peer.h): starting them, the request and
 * reply messages, and the worker's loop.
 *
 * Messages are fixed-size structs, smaller than PIPE_BUF, so a write is
 * atomic; each request gets exactly one reply.  The first reply comes
 * unasked, after the allocator is set up: it says whether that worked and
 * which library serves the allocator.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/peer.h"

enum peer_op { PEER_SETUP, PEER_SAMPLE, PEER_TEARDOWN, PEER_MEMORY };

struct peer_req {
	int op;
	long n;				/* PEER_SAMPLE: operations */
	struct work_params params;	/* PEER_SETUP, PEER_MEMORY */
};

struct peer_reply {
	int err;			/* 0, or -1 with msg */
	double ns;			/* PEER_SAMPLE */
	struct mem_result mem;		/* PEER_MEMORY */
	char msg[160];
};

_Static_assert(sizeof(struct peer_reply) <= PIPE_BUF, "replies must be atomic writes");

static int xfer(int fd, void *buf, size_t len, bool writing)
{
	char *p = buf;

	while (len) {
		ssize_t r = writing ? write(fd, p, len) : read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= r;
	}
	return 0;
}

/* ---- the parent's side ---- */

/* Close the pipes (the worker sees end of file and exits) and wait for it: its status. */
static int reap(struct peer *p)
{
	int status = 0;

	if (p->to >= 0)
		close(p->to);
	if (p->from >= 0)
		close(p->from);
	p->to = p->from = -1;
	if (p->pid > 0)
		waitpid(p->pid, &status, 0);
	p->pid = -1;
	return status;
}

/* The worker is gone: say how, once, and leave it out. */
static void peer_lost(struct peer *p, const char *when)
{
	int status = reap(p);

	p->dead = true;
	if (WIFSIGNALED(status))
		fprintf(stderr, "kmm_bench: %s worker killed by signal %d %s\n", p->a->name,
			WTERMSIG(status), when);
	else
		fprintf(stderr, "kmm_bench: %s worker lost %s\n", p->a->name, when);
}

static int call(struct peer *p, const struct peer_req *req, struct peer_reply *rep)
{
	if (p->dead)
		return -1;
	if (xfer(p->to, (void *)req, sizeof(*req), true) ||
	    xfer(p->from, rep, sizeof(*rep), false)) {
		peer_lost(p, "during a request");
		return -1;
	}
	if (rep->err)
		fprintf(stderr, "kmm_bench: %s worker: %s\n", p->a->name, rep->msg);
	return rep->err;
}

int peer_start(struct peer *p, struct allocator *a, const char *arg)
{
	int req[2], rep[2];
	struct peer_reply hello;

	*p = (struct peer){ .a = a, .pid = -1, .to = -1, .from = -1 };
	/* A dead worker must show up as an error on the pipe, not kill the parent. */
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(req, O_CLOEXEC))
		goto fail;
	if (pipe2(rep, O_CLOEXEC)) {
		close(req[0]);
		close(req[1]);
		goto fail;
	}
	fflush(NULL);
	p->pid = fork();
	if (p->pid == 0) {
		char rfd[16], wfd[16];

		fcntl(req[0], F_SETFD, 0);
		fcntl(rep[1], F_SETFD, 0);
		snprintf(rfd, sizeof(rfd), "%d", req[0]);
		snprintf(wfd, sizeof(wfd), "%d", rep[1]);
		if (a->preload)
			setenv("LD_PRELOAD", a->library, 1);
		else
			unsetenv("LD_PRELOAD");
		execl("/proc/self/exe", "kmm_bench", "--worker", a->name, rfd, wfd, arg,
		      (char *)NULL);
		_exit(127);
	}
	close(req[0]);
	close(rep[1]);
	p->to = req[1];
	p->from = rep[0];
	if (p->pid < 0)
		goto fail;
	if (xfer(p->from, &hello, sizeof(hello), false)) {
		peer_lost(p, "at start");
		return -1;
	}
	snprintf(p->about, sizeof(p->about), "%s", hello.msg);
	if (hello.err) {
		fprintf(stderr, "kmm_bench: %s worker: %s\n", a->name, hello.msg);
		p->dead = true;
		peer_stop(p);
		return -1;
	}
	return 0;
fail:
	perror("kmm_bench: starting a worker");
	p->dead = true;
	peer_stop(p);
	return -1;
}

void peer_stop(struct peer *p)
{
	reap(p);
}

int peer_setup(struct peer *p, const struct work_params *wp)
{
	struct peer_req req = { .op = PEER_SETUP, .params = *wp };
	struct peer_reply rep;

	return call(p, &req, &rep);
}

double peer_sample(void *ctx, long n)
{
	struct peer_req req = { .op = PEER_SAMPLE, .n = n };
	struct peer_reply rep;

	return call(ctx, &req, &rep) ? -1 : rep.ns;
}

void peer_teardown(struct peer *p)
{
	struct peer_req req = { .op = PEER_TEARDOWN };
	struct peer_reply rep;

	call(p, &req, &rep);
}

int peer_memory(struct peer *p, const struct work_params *wp, struct mem_result *r)
{
	struct peer_req req = { .op = PEER_MEMORY, .params = *wp };
	struct peer_reply rep;

	if (call(p, &req, &rep))
		return -1;
	*r = rep.mem;
	return 0;
}

/* ---- the worker's side ---- */

static void serve(struct allocator *a, const struct peer_req *req, struct peer_reply *rep,
		  struct work **w)
{
	switch (req->op) {
	case PEER_SETUP:
		work_teardown(*w);
		*w = work_setup(a, &req->params, rep->msg, sizeof(rep->msg));
		rep->err = *w ? 0 : -1;
		break;
	case PEER_SAMPLE:
		if (!*w) {
			snprintf(rep->msg, sizeof(rep->msg), "no workload set up");
			rep->err = -1;
			break;
		}
		rep->ns = work_sample(*w, req->n, rep->msg, sizeof(rep->msg));
		rep->err = rep->ns < 0 ? -1 : 0;
		break;
	case PEER_TEARDOWN:
		work_teardown(*w);
		*w = NULL;
		break;
	case PEER_MEMORY:
		rep->err = work_memory(a, &req->params, &rep->mem, rep->msg, sizeof(rep->msg));
		break;
	default:
		snprintf(rep->msg, sizeof(rep->msg), "unknown request %d", req->op);
		rep->err = -1;
	}
}

int peer_worker_main(const char *name, int rfd, int wfd, const char *arg)
{
	struct allocator *a = allocator_find(name);
	struct peer_reply rep = { 0 };
	struct peer_req req;
	struct work *w = NULL;

	if (!a) {
		snprintf(rep.msg, sizeof(rep.msg), "no allocator '%s'", name);
		rep.err = -1;
	} else {
		rep.err = a->init(a, arg, rep.msg, sizeof(rep.msg));
	}
	if (xfer(wfd, &rep, sizeof(rep), true) || rep.err)
		return 1;
	while (!xfer(rfd, &req, sizeof(req), false)) {
		rep = (struct peer_reply){ 0 };
		serve(a, &req, &rep, &w);
		if (xfer(wfd, &rep, sizeof(rep), true))
			break;
	}
	work_teardown(w);
	return 0;
}
