/*
 * exec.c - running a parsed script: each command in its context, errors
 * and failures, the default machine, call sites, and the end of a run.
 *
 * One command runs in five steps, the same for every command:
 *
 *   1. it uses the machine: the default one boots if none runs yet;
 *   2. its arguments are parsed against its table (args.c);
 *   3. the contexts it was given are entered (cpu=N: CPU N), each
 *      recording on the runtime's frame stack what leaving it needs;
 *   4. its call site is set and it runs;
 *   5. its contexts are left, innermost first.
 *
 * Step 5 happens on every path: after a return, after an error, and after
 * a panic or BUG() (the kernel's hooks jump back to script_run, which
 * unwinds the frames still on the stack).  So a command never leaves the
 * script on another CPU, and no command switches CPU itself.
 *
 * Exit status of a run: 0 all went well; 1 an expectation or check failed
 * (the run went on to the end); 2 an error stopped the run (bad boot
 * options, unknown variable, a command that could not be carried out);
 * 3 the simulated kernel panicked or hit BUG().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/bug.h>
#include <kmm/errno.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/printk.h>
#include <kmm/procfs.h>
#include <kmm/sched.h>
#include <kmm/seq_file.h>
#include "tools/kmm/command.h"
#include "tools/kmm/process_cmd.h"

static jmp_buf stop_run;		/* a panic or BUG ends the run */

/*
 * The thread of execution of the calling host thread: the script's own,
 * or a task's (each task is a thread of its own; see cmd_tasks.c).
 */
static __thread struct exec_state *this_ex;

struct exec_state *rt_ex(struct runtime *rt)
{
	return this_ex ? this_ex : &rt->main;
}

void rt_set_ex(struct exec_state *ex)
{
	this_ex = ex;
}

/* ---- errors and failures ---- */

int rt_error(struct runtime *rt, struct script_cmd *c, const char *fmt, ...)
{
	va_list ap;

	struct exec_state *ex = rt_ex(rt);

	va_start(ap, fmt);
	if (ex->catching) {
		/* expect error: the first error is the one the block is about. */
		if (!ex->has_caught)
			vsnprintf(ex->caught, sizeof(ex->caught), fmt, ap);
		ex->has_caught = true;
		va_end(ap);
		return -1;
	}
	fflush(rt->out);
	fprintf(stderr, "%s:%d: error: ", rt->filename, c->line);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

int rt_fail(struct runtime *rt, struct script_cmd *c, const char *fmt, ...)
{
	va_list ap;

	fflush(rt->out);
	fprintf(stderr, "%s:%d: expectation failed: ", rt->filename, c->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	rt->failures++;
	return 0;
}

static void console_to_stderr(const char *text, size_t len)
{
	fwrite(text, 1, len, stderr);
}

/*
 * A panic or BUG.  The hooks run on the script's own thread even when a
 * task's thread hit it: the kernel ends that task and raises the stop
 * again on the thread that booted the machine (kernel/sched.c).
 */
static void on_panic(const char *msg)
{
	longjmp(stop_run, 1);
}

static void on_bug(const char *file, int line)
{
	longjmp(stop_run, 1);
}

/* ---- call sites ---- */

/*
 * A script line as a kernel-text address, so that the "Last user" of an
 * object and the call_site of a trace event are the same from build to
 * build (a host return address moves with every link and every run under
 * ASLR).  kallsyms names these addresses "FILE:LINE".
 */
#define SITE_BASE_64	0xffffffff81000000UL	/* x86_64: _text */
#define SITE_BASE_32	0xc1000000UL		/* i386: _text (PAGE_OFFSET + 16M) */

static char site_file[256];		/* the running script's file name, for kallsyms */
static int site_lines;			/* its last line */

static unsigned long site_address(bool i386, int line)
{
	return (i386 ? SITE_BASE_32 : SITE_BASE_64) + (unsigned long)line;
}

/* kallsyms' resolver: "FILE:LINE" for the addresses site_address() makes. */
static int site_name(char *buf, size_t size, unsigned long addr)
{
	static const unsigned long bases[] = { SITE_BASE_64, SITE_BASE_32 };

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		if (addr > bases[i] && addr - bases[i] <= (unsigned long)site_lines)
			return snprintf(buf, size, "%s:%lu", site_file, addr - bases[i]);
	return 0;
}

static void set_call_site(struct script_cmd *c)
{
	if (kmm_booted())
		current->call_site = c ? site_address(arch->bits == 32, c->line) : 0;
}

/* ---- the machine ---- */

/*
 * The boot runs as swapper (init_task): its allocations get the boot
 * command's line as their call site.  The architecture is not chosen yet,
 * so the options say which form the address takes.
 */
int rt_boot(struct runtime *rt, struct script_cmd *c, const char *opts)
{
	int err;

	init_task.call_site = site_address(strstr(opts, "arch=i386") != NULL, c->line);
	err = kmm_boot(opts, KMM_BOOT_DETERMINISTIC);
	init_task.call_site = 0;
	if (!err)
		set_call_site(c);
	return err;
}

static int ensure_booted(struct runtime *rt, struct script_cmd *c)
{
	if (rt->booted)
		return 0;
	if (rt_boot(rt, c, ""))
		return rt_error(rt, c, "boot: %s", kmm_error_msg());
	rt->booted = true;
	rt->auto_booted = true;
	return 0;
}

void rt_machine_gone(struct runtime *rt)
{
	for (int i = 0; i < rt->nvars; i++)
		value_release(&rt->vars[i]->v);
	for (const struct command_group *g = command_groups; g->title; g++)
		if (g->machine_gone)
			g->machine_gone(rt);
	/* The state section put back the boot's call site with the rest of init_task. */
	init_task.call_site = 0;
}

/* ---- contexts ---- */

/* cpu=N: the command runs as CPU N (its per-CPU lists, its node). */
static int cpu_enter(struct runtime *rt, struct script_cmd *c, const struct arg_val *v,
		     struct context_frame *f)
{
	f->saved = smp_processor_id();
	if (kmm_set_cpu((int)v->num))
		return rt_error(rt, c, "cpu=%lld: the machine has no such CPU", v->num);
	return 0;
}

static void cpu_leave(struct runtime *rt, const struct context_frame *f)
{
	kmm_set_cpu((int)f->saved);
}

static const struct context_def cpu_context = {
	.bit = CTX_CPU,
	.arg = { "cpu", &arg_cpu, .help = "run on CPU N, with its per-CPU lists and its node",
		 .def_text = "the script's CPU" },
	.enter = cpu_enter,
	.leave = cpu_leave,
};

extern const struct context_def task_context;	/* cmd_tasks.c */

const struct context_def *const contexts[] = { &cpu_context, &task_context, NULL };

/* Leave the contexts entered above frame @base, innermost first. */
static void leave_frames(struct runtime *rt, struct exec_state *ex, int base)
{
	while (ex->nframes > base) {
		struct context_frame *f = &ex->frames[--ex->nframes];

		f->def->leave(rt, f);
	}
}

static int enter_contexts(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct exec_state *ex = rt_ex(rt);

	for (int i = 0; i < a->n; i++) {
		for (int k = 0; contexts[k]; k++) {
			struct context_frame *f;

			if (a->defs[i] != &contexts[k]->arg || !a->v[i].given || !contexts[k]->enter)
				continue;
			if (ex->nframes == MAX_CONTEXT_FRAMES)
				return rt_error(rt, c, "%s: contexts nested too deep", c->def->name);
			f = &ex->frames[ex->nframes];
			f->def = contexts[k];
			if (contexts[k]->enter(rt, c, &a->v[i], f))
				return -1;
			ex->nframes++;
		}
	}
	return 0;
}

/*
 * A context that runs the command elsewhere (task=: as another task)
 * takes it: 1 when it did (then it owns @a), -1 on an error, 0 when the
 * command runs here.
 */
static int delegate(struct runtime *rt, struct script_cmd *c, struct cmd_args *a)
{
	for (int i = 0; i < a->n; i++)
		for (int k = 0; contexts[k]; k++)
			if (a->defs[i] == &contexts[k]->arg && a->v[i].given &&
			    contexts[k]->delegate)
				return contexts[k]->delegate(rt, c, a, &a->v[i]);
	return 0;
}

int rt_switch_context(struct runtime *rt, struct script_cmd *c, const char *key,
		      const struct arg_val *v)
{
	struct context_frame f = { 0 };

	for (int k = 0; contexts[k]; k++)
		if (!strcmp(contexts[k]->arg.name, key))
			return contexts[k]->enter(rt, c, v, &f);
	return rt_error(rt, c, "no context '%s'", key);
}

/* ---- running commands ---- */

/*
 * The arguments live on the heap, chained from the runtime: after a panic
 * or BUG the stack frames of the commands that were running are gone, and
 * unwind() still frees them.
 */
static int run_parsed(struct runtime *rt, struct exec_state *ex, struct script_cmd *c,
		      struct cmd_args *a)
{
	int base = ex->nframes;
	int err = enter_contexts(rt, c, a);

	if (!err) {
		set_call_site(c);
		err = c->def->run(rt, c, a);
		set_call_site(NULL);
	}
	leave_frames(rt, ex, base);
	return err;
}

/*
 * Run @c with its arguments @a (this execution's from now on) and free
 * them: parse them first unless @parsed, and let a context that runs
 * commands elsewhere (task=) take it.
 */
static int run_args(struct runtime *rt, struct script_cmd *c, struct cmd_args *a, bool parsed)
{
	struct exec_state *ex = rt_ex(rt);
	struct script_cmd *outer_cmd = ex->cmd;
	struct cmd_args *outer_args = ex->args;
	int err = 0;

	ex->cmd = c;
	a->outer = outer_args;
	ex->args = a;
	if (!parsed)
		err = args_parse(rt, c, a);
	if (!err && !parsed) {
		/*
		 * Handed to another task, the arguments are its own: off this
		 * execution's chain first, so that a stop while this one waits
		 * does not free them twice.
		 */
		ex->args = outer_args;
		err = delegate(rt, c, a);
		ex->args = a;
	}
	if (err > 0) {
		/* Another task has the command and its arguments (maybe freed already). */
		err = 0;
	} else {
		if (!err)
			err = run_parsed(rt, ex, c, a);
		args_free(a);
		free(a);
	}
	ex->args = outer_args;
	ex->cmd = outer_cmd;
	return err;
}

static int run_one(struct runtime *rt, struct script_cmd *c)
{
	if (c->def->machine && ensure_booted(rt, c))
		return -1;
	return run_args(rt, c, calloc(1, sizeof(struct cmd_args)), false);
}

int rt_run_parsed(struct runtime *rt, struct script_cmd *c, struct cmd_args *a)
{
	return run_args(rt, c, a, true);
}

/*
 * Back from the kernel after a command: a fatal signal or an oops left
 * pending ends the task now -- a process (or one of its threads), or a
 * script's kernel thread, whose block stops there (RT_TASK_KILLED).
 */
static int deliver_fatal(struct runtime *rt)
{
	struct task_struct *t;

	if (!kmm_booted())
		return 0;
	t = current;
	if (!t || !t->pending_fatal)
		return 0;
	if (t->is_process) {
		process_cmd_deliver(rt);
		return 0;
	}
	return rt_ex(rt) != &rt->main ? RT_TASK_KILLED : 0;
}

int rt_run_commands(struct runtime *rt, struct script_cmd *cmds, int n)
{
	for (int i = 0; i < n; i++) {
		int killed;

		if (run_one(rt, &cmds[i]))
			return -1;
		killed = deliver_fatal(rt);
		if (killed)
			return killed;
		/* A task stopped with an error: the run ends with it. */
		if (rt->stop)
			return -1;
	}
	return 0;
}

/* After a panic or BUG: every command still running is over. */
static void unwind(struct runtime *rt)
{
	struct exec_state *ex = &rt->main;

	leave_frames(rt, ex, 0);
	set_call_site(NULL);
	while (ex->args) {
		struct cmd_args *a = ex->args;

		ex->args = a->outer;
		args_free(a);
		free(a);
	}
	ex->catching = 0;
}

/* ---- reading the machine's files ---- */

char *rt_read_file(struct runtime *rt, struct script_cmd *c, const char *path)
{
	struct seq_file m;
	int err;

	if (!strcmp(path, "dmesg")) {
		size_t n = log_buf_read(NULL, 0);
		char *buf = malloc(n + 1);

		log_buf_read(buf, n + 1);
		return buf;
	}
	seq_init(&m);
	err = proc_read(path, &m);
	if (err) {
		seq_release(&m);
		if (err == -ENOENT)
			rt_error(rt, c, "%s: no such file", path);
		else if (err == -EACCES)
			rt_error(rt, c, "%s: cannot be read (write-only)", path);
		else
			rt_error(rt, c, "%s: cannot be read (%s)", path, kmm_error_msg());
		return NULL;
	}
	return m.buf ? m.buf : strdup("");
}

/* ---- a run ---- */

int script_run(struct script *s, FILE *out)
{
	struct runtime *rt = calloc(1, sizeof(*rt));
	volatile int status = 0;
	bug_hook_t old_bug;

	rt->filename = s->filename;
	rt->out = out;
	snprintf(site_file, sizeof(site_file), "%s",
		 strrchr(s->filename, '/') ? strrchr(s->filename, '/') + 1 : s->filename);
	site_lines = s->n ? s->cmds[s->n - 1].line : 0;
	kallsyms_set_resolver(site_name);
	register_console(console_to_stderr);
	kmm_set_panic_hook(on_panic);
	old_bug = bug_set_hook(on_bug);
	rt_set_ex(&rt->main);
	if (setjmp(stop_run)) {
		struct script_cmd *at = rt->main.cmd;

		unwind(rt);
		fflush(out);
		fprintf(stderr, "%s:%d: the kernel stopped (panic or BUG); the run ends here\n",
			s->filename, at ? at->line : 0);
		status = 3;
		goto out;
	}
	if (rt_run_commands(rt, s->cmds, s->n) || tasks_script_end(rt))
		status = 2;
	else if (rt->failures)
		status = 1;
out:
	fflush(out);
	bug_set_hook(old_bug);
	register_console(NULL);
	if (kmm_booted())
		kmm_shutdown();
	rt_machine_gone(rt);
	kallsyms_set_resolver(NULL);
	for (int v = 0; v < rt->nvars; v++) {
		free(rt->vars[v]->name);
		free(rt->vars[v]);
	}
	free(rt->vars);
	free(rt);
	rt_set_ex(NULL);
	return status;
}
