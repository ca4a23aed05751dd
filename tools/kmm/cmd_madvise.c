/*
 * cmd_madvise.c - scenario commands for what a process says about its
 * memory and what it may lock: advice, memory locks, residency, and the
 * resource limits behind them.
 *
 *   R = madvise ADDR LEN ADVICE      madvise(2); ADVICE a MADV_ name or a number
 *   R = mlock ADDR LEN               mlock(2)
 *   R = munlock ADDR LEN             munlock(2)
 *   R = mlockall FLAGS               mlockall(2): MCL_CURRENT|MCL_FUTURE
 *   R = munlockall                   munlockall(2)
 *   [R =] mincore ADDR LEN VEC       mincore(2): the vector goes to the
 *                                    process's memory at VEC (a user
 *                                    address: read it back with load);
 *                                    without R =, it is also printed
 *   R = setrlimit RESOURCE CUR [MAX] setrlimit(2) for the current process
 *                                    (MAX: the current maximum if not given)
 *   [R =] getrlimit RESOURCE [hard]  the soft (or hard) limit, a number
 *                                    (-1: unlimited)
 *
 * The system calls give their result: .ret (0 or -1) and .errno, as
 * cmd_process.c's mmap does; they run as the current process (spawn or
 * process first).
 */
#include <stdio.h>

#include <kmm/errno.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/resource.h>
#include <kmm/sched.h>
#include <kmm/uaccess.h>
#include "tools/kmm/command.h"

/* The system calls are the current process's: one must run. */
static int in_process(struct runtime *rt, struct script_cmd *c)
{
	if (!current->is_process || !current->mm)
		return rt_error(rt, c, "%s: no process runs: spawn one first", c->def->name);
	return 0;
}

static unsigned long uarg(const struct cmd_args *a, const char *name)
{
	return (unsigned long)arg_num(a, name);
}

static int cmd_madvise(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (in_process(rt, c))
		return -1;
	give_syscall(rt, c, sys_madvise(uarg(a, "addr"), uarg(a, "len"), (int)arg_num(a, "advice")));
	return 0;
}

static int cmd_mlock(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (in_process(rt, c))
		return -1;
	give_syscall(rt, c, sys_mlock(uarg(a, "addr"), uarg(a, "len")));
	return 0;
}

static int cmd_munlock(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (in_process(rt, c))
		return -1;
	give_syscall(rt, c, sys_munlock(uarg(a, "addr"), uarg(a, "len")));
	return 0;
}

static int cmd_mlockall(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (in_process(rt, c))
		return -1;
	give_syscall(rt, c, sys_mlockall((int)arg_num(a, "flags")));
	return 0;
}

static int cmd_munlockall(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	(void)a;
	if (in_process(rt, c))
		return -1;
	give_syscall(rt, c, sys_munlockall());
	return 0;
}

/*
 * The vector as the process's memory holds it, bit 0 of each byte as a
 * digit, eight to a group: "10100100 01".  Read back in user mode, as a
 * load would; a byte that cannot be read ends the line with "?".
 */
static void print_vector(struct runtime *rt, unsigned long vec, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++) {
		unsigned char b;

		if (kmm_user_access(vec + i, &b, 1, false, current->call_site)) {
			fputc('?', rt->out);
			break;
		}
		if (i && !(i % 8))
			fputc(' ', rt->out);
		fputc('0' + (b & 1), rt->out);
	}
	fputc('\n', rt->out);
}

static int cmd_mincore(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long len = uarg(a, "len"), vec = uarg(a, "vec");
	long ret;

	if (in_process(rt, c))
		return -1;
	ret = sys_mincore(uarg(a, "addr"), len, (unsigned char *)vec);
	if (c->assign) {
		give_syscall(rt, c, ret);
	} else if (ret) {
		fprintf(rt->out, "-1 (errno %ld)\n", -ret);
	} else {
		print_vector(rt, vec, (len >> PAGE_SHIFT) + ((len & ~PAGE_MASK) != 0));
	}
	return 0;
}

/* ---- resource limits ---- */

/* The limits memory management reads, by name (resource.h's numbers). */
static const char *const resource_words[] = {
	"RLIMIT_MEMLOCK", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_AS", NULL,
};
static const unsigned int resource_numbers[] = {
	RLIMIT_MEMLOCK, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_AS,
};
_Static_assert(sizeof(resource_numbers) / sizeof(resource_numbers[0]) ==
	       sizeof(resource_words) / sizeof(resource_words[0]) - 1,
	       "a number for every resource name");

/* A limit's value: a number (64K works), or no limit at all. */
static const char *const infinity_words[] = { "unlimited", "RLIM_INFINITY", NULL };

static unsigned long limit_value(const struct cmd_args *a, const char *name)
{
	const struct arg_val *v = arg(a, name);

	return v->word >= 0 ? RLIM_INFINITY : (unsigned long)v->num;
}

static int cmd_setrlimit(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned int resource = resource_numbers[arg(a, "resource")->word];
	unsigned long cur = limit_value(a, "cur"), max;

	if (in_process(rt, c))
		return -1;
	max = arg_given(a, "max") ? limit_value(a, "max") : current->signal->rlim[resource].rlim_max;
	give_syscall(rt, c, do_setrlimit(resource, cur, max));
	return 0;
}

static const char *const hard_words[] = { "hard", NULL };

static int cmd_getrlimit(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned int resource = resource_numbers[arg(a, "resource")->word];
	const struct kmm_rlimit *l;

	if (in_process(rt, c))
		return -1;
	l = &current->signal->rlim[resource];
	rt_give_num(rt, c, (long long)(arg_given(a, "which") ? l->rlim_max : l->rlim_cur), "%lld\n");
	return 0;
}

#define ARG_ADDR	{ "addr", &arg_number, ARG_POS | ARG_REQUIRED, .meta = "ADDR", \
			  .help = "a user address of the current process" }
#define ARG_BYTES	{ "len", &arg_number, ARG_POS | ARG_REQUIRED, .meta = "LEN", \
			  .help = "bytes (64K works)" }
#define ARG_LIMIT(nm, meta_, req, what)							\
	{ nm, &arg_number, ARG_POS | (req), .meta = meta_, .words = infinity_words,	\
	  .help = what ": bytes, or unlimited" }

const struct command_def madvise_commands[] = {
	{ "madvise", "madvise(ADDR, LEN, ADVICE) in the current process: .ret 0 or -1, .errno",
	  (const struct arg_def[]){
		  ARG_ADDR, ARG_BYTES,
		  { "advice", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "ADVICE",
		    .help = "MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, "
			    "MADV_DONTNEED, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, or a number" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_madvise },
	{ "mlock", "mlock(ADDR, LEN): lock the pages in memory (RLIMIT_MEMLOCK bounds it)",
	  (const struct arg_def[]){ ARG_ADDR, ARG_BYTES, { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_mlock },
	{ "munlock", "munlock(ADDR, LEN): unlock the pages",
	  (const struct arg_def[]){ ARG_ADDR, ARG_BYTES, { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_munlock },
	{ "mlockall", "mlockall(FLAGS): lock every mapping (MCL_CURRENT) and those to come (MCL_FUTURE)",
	  (const struct arg_def[]){
		  { "flags", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "FLAGS",
		    .help = "MCL_CURRENT|MCL_FUTURE, or a number" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_mlockall },
	{ "munlockall", "munlockall(): unlock every mapping, and no more locking of new ones",
	  NULL, .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_munlockall },
	{ "mincore", "mincore(ADDR, LEN, VEC): a byte per page (1: resident) written at VEC; "
		     "without R =, printed (10100100 ...)",
	  (const struct arg_def[]){
		  ARG_ADDR, ARG_BYTES,
		  { "vec", &arg_number, ARG_POS | ARG_REQUIRED, .meta = "VEC",
		    .help = "the user address the vector is written to" },
		  { NULL } },
	  .result = "R", .prints = true, .gives = &syscall_kind, .machine = true,
	  .run = cmd_mincore },
	{ "setrlimit", "setrlimit(RESOURCE, {CUR, MAX}) for the current process: .ret, .errno",
	  (const struct arg_def[]){
		  { "resource", &arg_word, ARG_POS | ARG_REQUIRED, .meta = "RESOURCE",
		    .words = resource_words,
		    .help = "RLIMIT_MEMLOCK, RLIMIT_DATA, RLIMIT_STACK or RLIMIT_AS" },
		  ARG_LIMIT("cur", "CUR", ARG_REQUIRED, "the soft limit"),
		  ARG_LIMIT("max", "MAX", 0, "the hard limit (default: unchanged)"),
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_setrlimit },
	{ "getrlimit", "the current process's soft limit of RESOURCE (hard: its hard limit); -1 is unlimited",
	  (const struct arg_def[]){
		  { "resource", &arg_word, ARG_POS | ARG_REQUIRED, .meta = "RESOURCE",
		    .words = resource_words,
		    .help = "RLIMIT_MEMLOCK, RLIMIT_DATA, RLIMIT_STACK or RLIMIT_AS" },
		  { "which", &arg_word, ARG_POS, .meta = "hard", .words = hard_words,
		    .help = "hard: the hard limit rather than the soft one" },
		  { NULL } },
	  .result = "R", .prints = true, .gives = &value_number, .machine = true,
	  .run = cmd_getrlimit },
	{ NULL },
};
