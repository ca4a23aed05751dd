/*
 * cmd_malloc.c - malloc and free inside a simulated process: seed 004's
 * story ("what happens after malloc()") told with a real allocator whose
 * heap lives in the process's own memory.
 *
 *   P = malloc SIZE        umalloc (umalloc.c) in the current process: the
 *                          first call asks brk(0), then grows the heap
 *                          with brk; 128 KiB and more are mmapped
 *   free ADDR              give it back (trims the heap top with brk,
 *                          munmaps an mmapped block); an invalid pointer or
 *                          a double free aborts the process, as glibc does
 *   mallinfo               the heap's numbers
 *
 * Every header the allocator reads or writes goes through the MMU as the
 * process's own access: the first write to a heap page faults and gets a
 * page (do_anonymous_page), exactly as the seed tells it.  Each process
 * has its heap; fork gives the child a copy of the parent's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/errno.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/sched.h>
#include <kmm/signal.h>
#include <kmm/uaccess.h>
#include "tools/kmm/command.h"
#include "tools/kmm/process_cmd.h"
#include "tools/kmm/umalloc.h"

/*
 * Each address space's allocator, made at its first malloc (tool state,
 * like a libc's, which lives in the memory it manages): the threads of a
 * process and a vfork child share it as they share the mm, a fork copies
 * it.  Few address spaces live at once: a short array, searched.
 */
struct heap {
	struct mm_struct *mm;
	struct umalloc_state st;
};
static struct heap **heaps;
static int nr_heaps, heaps_cap;

static unsigned long op_brk(void *ctx, unsigned long addr)
{
	(void)ctx;
	return sys_brk(addr);
}

static unsigned long op_mmap(void *ctx, unsigned long len)
{
	(void)ctx;
	return (unsigned long)sys_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				       (unsigned long)-1, 0);
}

static int op_munmap(void *ctx, unsigned long addr, unsigned long len)
{
	(void)ctx;
	return (int)sys_munmap(addr, len);
}

static int op_read(void *ctx, unsigned long addr, void *buf, unsigned long len)
{
	(void)ctx;
	return kmm_user_access(addr, buf, len, false, current->call_site) ? -EFAULT : 0;
}

static int op_write(void *ctx, unsigned long addr, const void *buf, unsigned long len)
{
	(void)ctx;
	return kmm_user_access(addr, (void *)buf, len, true, current->call_site) ? -EFAULT : 0;
}

static const struct umalloc_ops process_ops = {
	.brk = op_brk, .mmap = op_mmap, .munmap = op_munmap, .read = op_read, .write = op_write,
};

static struct heap *heap_find(const struct mm_struct *mm)
{
	for (int i = 0; i < nr_heaps; i++)
		if (heaps[i]->mm == mm)
			return heaps[i];
	return NULL;
}

/* A new heap for @mm, a copy of @from's or empty; NULL when the host is out of memory. */
static struct heap *heap_add(struct mm_struct *mm, const struct heap *from)
{
	struct heap *h;

	if (nr_heaps == heaps_cap) {
		int cap = heaps_cap ? 2 * heaps_cap : 16;
		struct heap **n = realloc(heaps, (size_t)cap * sizeof(*n));

		if (!n)
			return NULL;
		heaps = n;
		heaps_cap = cap;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->mm = mm;
	if (from)
		umalloc_fork(&h->st, &from->st, NULL);
	else if (umalloc_init(&h->st, &process_ops, arch->bits / 8)) {
		free(h);
		return NULL;
	}
	heaps[nr_heaps++] = h;
	return h;
}

/* The current process's heap (made on first use); NULL with an error reported. */
static struct umalloc_state *heap_of_current(struct runtime *rt, struct script_cmd *c)
{
	struct heap *h;

	if (process_cmd_need(rt, c))
		return NULL;
	h = heap_find(current->mm);
	if (!h)
		h = heap_add(current->mm, NULL);
	if (!h) {
		rt_error(rt, c, "%s: out of host memory", c->def->name);
		return NULL;
	}
	return &h->st;
}

/* Heaps of address spaces no task uses any more go (after an exit, before a new mm). */
void umalloc_cmd_reap(void)
{
	for (int i = 0; i < nr_heaps; i++) {
		struct task_struct *p;
		bool used = false;

		for_each_process(p)
			if (p->mm == heaps[i]->mm)
				used = true;
		if (used)
			continue;
		free(heaps[i]);
		heaps[i--] = heaps[--nr_heaps];
	}
}

void umalloc_cmd_fork(struct mm_struct *parent, struct mm_struct *child)
{
	struct heap *from;

	umalloc_cmd_reap();
	from = heap_find(parent);
	if (from && parent != child)
		heap_add(child, from);
}

static int cmd_malloc(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct umalloc_state *st = heap_of_current(rt, c);
	unsigned long p;

	if (!st)
		return -1;
	p = umalloc(st, (unsigned long)arg_num(a, "size"));
	if (!p && st->error == UMALLOC_EFAULT) {
		process_cmd_deliver(rt);	/* a header the MMU refused: SIGSEGV */
		return 0;
	}
	rt_give_num(rt, c, (long long)p, "%#llx\n");
	return 0;
}

/*
 * glibc stops a program that frees what it may not ("free(): invalid
 * pointer", "free(): double free detected in tcache 2"): the message on
 * its standard error, then abort().  Here: the message, and SIGABRT.
 */
static int cmd_free(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct umalloc_state *st = heap_of_current(rt, c);
	int err;

	if (!st)
		return -1;
	err = ufree(st, (unsigned long)arg_num(a, "addr"));
	if (!err)
		return 0;
	if (err != UMALLOC_EFAULT) {
		struct kmm_siginfo info = { .signo = SIGABRT, .code = 0 };

		fprintf(rt->out, "%s\n", umalloc_strerror(err));
		force_sig_info(SIGABRT, &info, current);
	}
	process_cmd_deliver(rt);
	return 0;
}

static int cmd_mallinfo(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct umalloc_state *st = heap_of_current(rt, c);
	struct umalloc_stats s;

	(void)a;
	if (!st)
		return -1;
	umalloc_stats(st, &s);
	fprintf(rt->out,
		"heap %#lx-%#lx: arena %lu, in use %lu, free %lu in %lu chunks, top %lu; "
		"mmapped %lu bytes in %lu blocks; calls: brk %lu, mmap %lu, munmap %lu\n",
		s.heap_start, s.heap_end, s.arena, s.in_use, s.free, s.free_chunks, s.top_size,
		s.mmapped_bytes, s.mmapped_regions, s.n_brk, s.n_mmap, s.n_munmap);
	return 0;
}

const struct command_def malloc_commands[] = {
	{ "malloc", "malloc(SIZE) in the current process: brk for small blocks, mmap from 128 KiB",
	  (const struct arg_def[]){
		  { "size", &arg_size, ARG_POS | ARG_REQUIRED | ARG_RANGE, .min = 0,
		    .max = ARG_NO_MAX, .meta = "SIZE", .help = "bytes" },
		  { NULL } },
	  .result = "P", .prints = true, .gives = &value_number, .machine = true,
	  .run = cmd_malloc },
	{ "free", "free(ADDR) in the current process (an invalid pointer aborts it, as glibc does)",
	  (const struct arg_def[]){
		  { "addr", &arg_number, ARG_POS | ARG_REQUIRED, .meta = "ADDR",
		    .help = "what malloc returned" },
		  { NULL } },
	  .machine = true, .run = cmd_free },
	{ "mallinfo", "the current process's heap: arena, in use, free, mmapped, calls made",
	  NULL, .machine = true, .run = cmd_mallinfo },
	{ NULL },
};
