/*
 * fork.c - a child's heap must be its own.
 *
 *   fork [CHILDREN [thread]]
 *
 * The parent fills a small block, a block of whole pages and one larger
 * than the largest buddy block, then forks while helper threads keep
 * allocating.  Each child checks that it sees the parent's contents,
 * overwrites them, allocates and frees on its own (and forks a grandchild
 * once); the parent then checks that none of that reached its memory and
 * that its allocator still works.  With "thread" the forks are made by a
 * thread other than the main one.  Prints one line; a problem is reported
 * on stderr and makes the exit status 1.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const size_t sizes[] = { 1000, 1 << 20, 8 << 20 };
#define NBLOCKS	(sizeof(sizes) / sizeof(sizes[0]))

static volatile int stop;

static int all(const unsigned char *p, size_t n, unsigned char c)
{
	for (size_t i = 0; i < n; i += 509)
		if (p[i] != c)
			return 0;
	return p[n - 1] == c;
}

/* Keep the allocator busy on other threads (other CPUs) while forks happen. */
static void *churn(void *arg)
{
	void *keep[64] = { 0 };
	unsigned x = (unsigned)(long)arg * 2654435761u + 1;

	while (!stop) {
		int i = (x = x * 1103515245 + 12345) % 64;

		free(keep[i]);
		keep[i] = malloc((x >> 8) % 20000 + 1);
		memset(keep[i], i, 1);
	}
	for (int i = 0; i < 64; i++)
		free(keep[i]);
	return NULL;
}

/* The child: sees the parent's data, then scribbles and allocates freely. */
static int child(unsigned char **blocks, int generation)
{
	void *mine[1000];

	for (size_t b = 0; b < NBLOCKS; b++) {
		if (!all(blocks[b], sizes[b], 'A' + b))
			return 10 + b;
		memset(blocks[b], 'x', sizes[b]);
	}
	for (int i = 0; i < 1000; i++) {
		mine[i] = malloc(i * 37 % 70000 + 1);
		memset(mine[i], 'y', i * 37 % 70000 + 1);
	}
	for (int i = 0; i < 1000; i += 2)
		free(mine[i]);
	blocks[0] = realloc(blocks[0], 100000);
	free(blocks[1]);
	if (generation == 0) {
		pid_t pid = fork();
		int status;

		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
			return 20;
	}
	return 0;
}

static int children;
static unsigned char *blocks[NBLOCKS];

/* Fork the children one by one, each checked, and check the parent's blocks after each. */
static void *forker(void *unused)
{
	long bad = 0;

	for (int n = 0; n < children; n++) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			int rc = child(blocks, n);

			/* Half the children leave through exit(), running the destructors. */
			if (n % 2)
				exit(rc);
			_exit(rc);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid) {
			perror("fork");
			exit(1);
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "fork: child %d failed (status %#x)\n", n, status);
			bad++;
		}
		for (size_t b = 0; b < NBLOCKS; b++)
			if (!all(blocks[b], sizes[b], 'A' + b)) {
				fprintf(stderr, "fork: child %d changed parent's block %zu\n", n, b);
				bad++;
			}
	}
	return (void *)bad;
}

int main(int argc, char **argv)
{
	pthread_t helpers[3], thread;
	void *ret;
	int bad;

	children = argc > 1 ? atoi(argv[1]) : 10;
	for (size_t b = 0; b < NBLOCKS; b++) {
		blocks[b] = malloc(sizes[b]);
		memset(blocks[b], 'A' + b, sizes[b]);
	}
	for (long i = 0; i < 3; i++)
		pthread_create(&helpers[i], NULL, churn, (void *)i);
	if (argc > 2 && !strcmp(argv[2], "thread")) {
		/* Another thread forks: one that takes turns on a shared CPU (tests/malloc/turns.sh). */
		pthread_create(&thread, NULL, forker, NULL);
		pthread_join(thread, &ret);
	} else {
		ret = forker(NULL);
	}
	bad = (int)(long)ret;
	stop = 1;
	for (int i = 0; i < 3; i++)
		pthread_join(helpers[i], NULL);
	for (size_t b = 0; b < NBLOCKS; b++) {
		blocks[b] = realloc(blocks[b], sizes[b] * 2);
		if (!all(blocks[b], sizes[b], 'A' + b)) {
			fprintf(stderr, "fork: realloc lost block %zu\n", b);
			bad++;
		}
		free(blocks[b]);
	}
	printf("fork: %d children, parent's memory %s\n", children,
	       bad ? "CHANGED" : "untouched");
	return bad != 0;
}
