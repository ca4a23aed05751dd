/*
 * cmd_tasks.c - tasks and sleeping locks in scenario scripts:
 *
 *   task NAME [cpu=N] <<END      a kernel thread NAME running the block's
 *     ...                        commands (then it exits); without a block
 *   END                          it runs the commands given it with task=
 *   CMD ... task=$NAME           run CMD as task NAME: the script goes on
 *                                when NAME has finished it or sleeps in it
 *   yield                        the script's task lets the others run
 *   wait $NAME                   sleep until NAME has finished
 *   ps                           every task: pid, CPU, state, what it waits in
 *   m = mutex | s = rwsem | c = completion | l = spinlock
 *   mutex_lock $m, mutex_unlock, mutex_trylock; down_read $s, up_read,
 *   down_write, up_write, downgrade_write, down_read_trylock,
 *   down_write_trylock; complete $c, complete_all, wait_for_completion;
 *   spin_lock $l, spin_unlock, spin_trylock
 *
 * The script itself runs as init (pid 1).  Machines run in deterministic
 * mode, so a task runs only when the running one sleeps or yields
 * (kernel/sched.c): the interleaving is the script's, the same every run.
 * Each task has an execution of its own (struct exec_state): its
 * commands' frames and errors do not mix with the script's.  An error in
 * a task's command ends the run (status 2) as one of the script's would;
 * a BUG or panic in a task stops the machine like one in the script.
 * At the end of the script every task finishes (its block runs to the
 * end; a task serving task= commands is stopped).
 *
 * The locks are the kernel's own (lib/), in host memory, each its own
 * lock class named after its variable, so the lock validator's reports
 * name the script's locks.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/completion.h>
#include <kmm/kthread.h>
#include <kmm/mutex.h>
#include <kmm/rwsem.h>
#include <kmm/sched.h>
#include <kmm/spinlock.h>
#include <kmm/wait.h>
#include "tools/kmm/command.h"
#include "tools/kmm/process_cmd.h"

/* ---- tasks ---- */

/*
 * A task the script made.  It outlives the variable that names it (the
 * variable may be assigned again): the script's list keeps it until the
 * machine is gone.
 */
struct script_task {
	struct runtime *rt;
	struct task_struct *task;	/* NULL once it finished and was reaped */
	char name[TASK_COMM_LEN];
	struct script_cmd *block;	/* its commands, or NULL: it serves task= */
	int nblock;
	struct exec_state ex;		/* its thread of execution */
	struct completion done;		/* its block has run (or it stopped serving) */
	wait_queue_head_t requests;	/* serving: a command arrives, or stop */
	struct script_cmd *req_cmd;	/* serving: the command given, until done */
	struct cmd_args *req_args;
	struct script_task *next;	/* the script's list, in creation order */
};

static struct script_task *tasks, **tasks_tail = &tasks;

extern const struct value_type task_kind;

struct task_value {
	struct script_task *st;
};

#define TV(d)	(((const struct task_value *)(d))->st)

static int task_main(void *data)
{
	struct script_task *st = data;
	struct runtime *rt = st->rt;
	int err = 0;

	rt_set_ex(&st->ex);
	if (st->block) {
		err = rt_run_commands(rt, st->block, st->nblock);
	} else {
		for (;;) {
			wait_event(st->requests, st->req_cmd || kthread_should_stop());
			if (!st->req_cmd)
				break;
			err = rt_run_parsed(rt, st->req_cmd, st->req_args);
			st->req_cmd = NULL;
			st->req_args = NULL;
			if (!err && current->pending_fatal)
				err = RT_TASK_KILLED;
			if (err)
				break;
		}
	}
	if (err == RT_TASK_KILLED) {
		/* An oops: the task ends here (do_exit), the script goes on. */
		fprintf(rt->out, "task %s killed by an oops\n", st->name);
		err = 0;
	} else if (err) {
		rt->stop = 1;	/* reported already; the script ends at its next command */
	}
	complete_all(&st->done);
	return err;
}

/*
 * Wait until the task has run its block to the end (a task serving task=
 * commands is told to stop, after the command it is in), then reap it.
 */
static int finish_task(struct script_task *st)
{
	int ret = 0;

	if (st->task) {
		if (st->block)
			wait_for_completion(&st->done);
		ret = kthread_stop(st->task);
		st->task = NULL;
	}
	return ret;
}

static int cmd_task(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	const char *name = arg_str(a, "name");
	struct value *old = rt_lookup(rt, name);
	struct script_task *st;
	struct task_value *v;

	if (old && value_as(old, &task_kind) && TV(old->data)->task)
		return rt_error(rt, c, "task %s: a task of that name has not finished (wait $%s)",
				name, name);
	st = calloc(1, sizeof(*st));
	st->rt = rt;
	snprintf(st->name, sizeof(st->name), "%s", name);
	if (c->nsub) {		/* an empty block: nothing to run, it serves */
		st->block = c->sub;
		st->nblock = c->nsub;
	}
	init_waitqueue_head(&st->requests);
	init_completion(&st->done);
	st->task = kthread_create(task_main, st, "%s", name);
	if (IS_ERR(st->task)) {
		free(st);
		return rt_error(rt, c, "task %s: the kernel could not make it", name);
	}
	if (arg_given(a, "cpu"))
		kthread_bind(st->task, (int)arg_num(a, "cpu"));
	*tasks_tail = st;
	tasks_tail = &st->next;
	v = rt_assign(rt, name, &task_kind);
	v->st = st;
	wake_up_process(st->task);
	return 0;
}

/* Whatever follows task NAME <<END is commands. */
static bool task_has_block(const struct script_cmd *c)
{
	return true;
}

static int cmd_yield(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	yield();
	return 0;
}

/* wait $T: a script task's block finished; wait [$P]: a process reaped, as waitpid. */
static int cmd_wait(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	const struct value *v = arg_given(a, "task") ? arg_value(a, "task") : NULL;
	struct script_task *st;

	if (!v || v->type == &process_kind) {
		long long pid = -1;
		char err[128];

		if (v && value_field(v, "pid", &pid, err, sizeof(err)))
			return rt_error(rt, c, "wait: %s", err);
		return process_cmd_wait(rt, c, (int)pid);
	}
	st = TV(v->data);

	if (st->task == current)
		return rt_error(rt, c, "wait: task %s cannot wait for itself", st->name);
	finish_task(st);
	return 0;
}

static char state_letter(const struct task_struct *p)
{
	long s = __atomic_load_n(&p->state, __ATOMIC_RELAXED);

	return s == TASK_RUNNING ? 'R' : s == TASK_INTERRUPTIBLE ? 'S' :
	       s == TASK_UNINTERRUPTIBLE ? 'D' : s == TASK_DEAD ? 'X' : '?';
}

static int cmd_ps(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct task_struct *p;

	fprintf(rt->out, "  PID CPU S COMM             WCHAN\n");
	for_each_process(p)
		fprintf(rt->out, "%5d %3d %c %-16s %s\n", p->pid, p->cpu, state_letter(p), p->comm,
			p->wchan ? p->wchan : "-");
	return 0;
}

/* ---- task=: a command run as another task ---- */

/*
 * Give the command to the task, which runs it on its own thread; the
 * script goes on once the task has finished it or sleeps in it (the
 * script yields until then, so other runnable tasks may run too).
 */
static int task_delegate(struct runtime *rt, struct script_cmd *c, struct cmd_args *a,
			 const struct arg_val *v)
{
	struct script_task *st = TV(v->var->data);

	if (st->task == current)
		return 0;
	if (!st->task)
		return rt_error(rt, c, "task=%s: task %s has finished", v->written, st->name);
	if (st->block)
		return rt_error(rt, c, "task=%s: task %s runs its block; it takes no commands",
				v->written, st->name);
	if (st->req_cmd)
		return rt_error(rt, c, "task=%s: task %s is still in its last command (asleep in %s)",
				v->written, st->name, st->task->wchan ? st->task->wchan : "?");
	st->req_cmd = c;
	st->req_args = a;
	wake_up(&st->requests);
	while (st->req_cmd && __atomic_load_n(&st->task->state, __ATOMIC_RELAXED) == TASK_RUNNING)
		yield();
	return 1;
}

/* ---- the kinds: task, mutex, rwsem, completion, spinlock ---- */

static int task_pid(const void *d, long long *out, char *err, size_t n)
{
	if (!TV(d)->task) {
		snprintf(err, n, "task %s has finished", TV(d)->name);
		return -1;
	}
	*out = TV(d)->task->pid;
	return 0;
}

static int task_cpu(const void *d, long long *out, char *err, size_t n)
{
	if (!TV(d)->task) {
		snprintf(err, n, "task %s has finished", TV(d)->name);
		return -1;
	}
	*out = TV(d)->task->cpu;
	return 0;
}

static int task_sleeping(const void *d, long long *out, char *err, size_t n)
{
	const struct task_struct *p = TV(d)->task;
	long s = p ? __atomic_load_n(&p->state, __ATOMIC_RELAXED) : TASK_DEAD;

	*out = s == TASK_INTERRUPTIBLE || s == TASK_UNINTERRUPTIBLE;
	return 0;
}

static int task_finished(const void *d, long long *out, char *err, size_t n)
{
	const struct task_struct *p = TV(d)->task;

	*out = !p || __atomic_load_n(&p->state, __ATOMIC_RELAXED) == TASK_DEAD;
	return 0;
}

static void task_format(const void *d, char *buf, size_t size)
{
	snprintf(buf, size, "%s", TV(d)->name);
}

static void task_show(FILE *out, const char *word, const void *d)
{
	const struct task_struct *p = TV(d)->task;

	if (!p) {
		fprintf(out, "%s: task %s, finished\n", word, TV(d)->name);
		return;
	}
	fprintf(out, "%s: task %s pid %d cpu %d state %c%s%s%s switches %lu\n", word, p->comm,
		p->pid, p->cpu, state_letter(p), p->wchan ? " (in " : "", p->wchan ? p->wchan : "",
		p->wchan ? ")" : "", p->nvcsw + p->nivcsw);
}

const struct value_type task_kind = {
	.name = "task", .noun = "a task", .made_by = "task",
	.size = sizeof(struct task_value),
	.fields = (const struct value_field[]){
		{ "pid", task_pid }, { "cpu", task_cpu },
		{ "sleeping", task_sleeping, .always = true },
		{ "finished", task_finished, .always = true }, { NULL } },
	.format = task_format, .show = task_show,
};

/*
 * A lock the script made, with a lock class of its own (its key) named
 * after its variable.  Kept until the machine goes: the lock validator
 * holds its name and key, and a task may sleep on it after the variable
 * is assigned again.
 */
struct script_lock {
	union {
		struct mutex mutex;
		struct rw_semaphore rwsem;
		struct completion completion;
		spinlock_t spin;
	};
	struct lock_class_key key;
	char name[32];
	struct script_lock *next;
};

static struct script_lock *locks;

struct lock_value {
	struct script_lock *l;
};

#define LV(d)	(((const struct lock_value *)(d))->l)

static void lock_format(const void *d, char *buf, size_t size)
{
	snprintf(buf, size, "%s", LV(d)->name);
}

static int owner_pid(const struct task_struct *t)
{
	return t ? t->pid : -1;
}

static int mutex_f_locked(const void *d, long long *out, char *err, size_t n)
{
	*out = mutex_is_locked(&LV(d)->mutex);
	return 0;
}

static int mutex_f_owner(const void *d, long long *out, char *err, size_t n)
{
	*out = owner_pid(mutex_owner(&LV(d)->mutex));
	return 0;
}

/* Tasks queued on a lock's wait list (struct list_head). */
static int waiters(const struct list_head *list)
{
	return (int)list_count(list);
}

static int mutex_f_waiters(const void *d, long long *out, char *err, size_t n)
{
	*out = waiters(&LV(d)->mutex.wait_list);
	return 0;
}

static void mutex_show(FILE *out, const char *word, const void *d)
{
	const struct mutex *m = &LV(d)->mutex;

	fprintf(out, "%s: mutex %s, %s, %d waiting\n", word, LV(d)->name,
		mutex_owner((struct mutex *)m) ? mutex_owner((struct mutex *)m)->comm : "free",
		waiters(&m->wait_list));
}

static int rwsem_f_readers(const void *d, long long *out, char *err, size_t n)
{
	int a = LV(d)->rwsem.activity;

	*out = a > 0 ? a : 0;
	return 0;
}

static int rwsem_f_writer(const void *d, long long *out, char *err, size_t n)
{
	*out = owner_pid(LV(d)->rwsem.owner);
	return 0;
}

static int rwsem_f_waiters(const void *d, long long *out, char *err, size_t n)
{
	*out = waiters(&LV(d)->rwsem.wait_list);
	return 0;
}

static void rwsem_show(FILE *out, const char *word, const void *d)
{
	const struct rw_semaphore *s = &LV(d)->rwsem;

	if (s->activity < 0)
		fprintf(out, "%s: rwsem %s, written by %s, %d waiting\n", word, LV(d)->name,
			s->owner ? s->owner->comm : "?", waiters(&s->wait_list));
	else
		fprintf(out, "%s: rwsem %s, %d reading, %d waiting\n", word, LV(d)->name,
			s->activity, waiters(&s->wait_list));
}

static int completion_f_done(const void *d, long long *out, char *err, size_t n)
{
	*out = LV(d)->completion.done;
	return 0;
}

static int spin_f_locked(const void *d, long long *out, char *err, size_t n)
{
	*out = spin_is_locked((spinlock_t *)&LV(d)->spin);
	return 0;
}

const struct value_type mutex_kind = {
	.name = "mutex", .noun = "a mutex", .made_by = "mutex", .size = sizeof(struct lock_value),
	.fields = (const struct value_field[]){
		{ "locked", mutex_f_locked }, { "owner", mutex_f_owner },
		{ "waiters", mutex_f_waiters }, { NULL } },
	.format = lock_format, .show = mutex_show,
};

const struct value_type rwsem_kind = {
	.name = "rwsem", .noun = "a reader-writer semaphore", .made_by = "rwsem",
	.size = sizeof(struct lock_value),
	.fields = (const struct value_field[]){
		{ "readers", rwsem_f_readers }, { "writer", rwsem_f_writer },
		{ "waiters", rwsem_f_waiters }, { NULL } },
	.format = lock_format, .show = rwsem_show,
};

const struct value_type completion_kind = {
	.name = "completion", .noun = "a completion", .made_by = "completion",
	.size = sizeof(struct lock_value),
	.fields = (const struct value_field[]){ { "done", completion_f_done }, { NULL } },
	.format = lock_format,
};

const struct value_type spinlock_kind = {
	.name = "spinlock", .noun = "a spinlock", .made_by = "spinlock",
	.size = sizeof(struct lock_value),
	.fields = (const struct value_field[]){ { "locked", spin_f_locked }, { NULL } },
	.format = lock_format,
};

/* ---- making locks ---- */

/* A lock for NAME = mutex...; NULL (reported) without a NAME: nothing could use it. */
static struct script_lock *new_lock(struct runtime *rt, struct script_cmd *c,
				    const struct value_type *kind)
{
	struct script_lock *l;
	struct lock_value *v;

	if (!c->assign) {
		rt_error(rt, c, "%s: name it (NAME = %s)", c->def->name, c->def->name);
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	v = rt_result(rt, c, kind);
	snprintf(l->name, sizeof(l->name), "%s", c->assign);
	l->next = locks;
	locks = l;
	v->l = l;
	return l;
}

static int cmd_mutex(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct script_lock *l = new_lock(rt, c, &mutex_kind);

	if (!l)
		return -1;
	__mutex_init(&l->mutex, l->name, &l->key);
	return 0;
}

static int cmd_rwsem(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct script_lock *l = new_lock(rt, c, &rwsem_kind);

	if (!l)
		return -1;
	__init_rwsem(&l->rwsem, l->name, &l->key);
	return 0;
}

static int cmd_completion(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct script_lock *l = new_lock(rt, c, &completion_kind);

	if (!l)
		return -1;
	l->completion.done = 0;
	__init_waitqueue_head(&l->completion.wait, l->name, &l->key);
	return 0;
}

static int cmd_spinlock(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct script_lock *l = new_lock(rt, c, &spinlock_kind);

	if (!l)
		return -1;
	__spin_lock_init(&l->spin, l->name, &l->key);
	return 0;
}

/* ---- using them ---- */

static struct script_lock *lock_arg(const struct cmd_args *a)
{
	return LV(arg_value(a, "lock")->data);
}

#define LOCK_OP(fn, call)							\
	static int fn(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a) \
	{									\
		struct script_lock *l = lock_arg(a);				\
										\
		call;								\
		return 0;							\
	}

LOCK_OP(cmd_mutex_lock, mutex_lock(&l->mutex))
LOCK_OP(cmd_mutex_unlock, mutex_unlock(&l->mutex))
LOCK_OP(cmd_down_read, down_read(&l->rwsem))
LOCK_OP(cmd_up_read, up_read(&l->rwsem))
LOCK_OP(cmd_down_write, down_write(&l->rwsem))
LOCK_OP(cmd_up_write, up_write(&l->rwsem))
LOCK_OP(cmd_downgrade_write, downgrade_write(&l->rwsem))
LOCK_OP(cmd_complete, complete(&l->completion))
LOCK_OP(cmd_complete_all, complete_all(&l->completion))
LOCK_OP(cmd_wait_for_completion, wait_for_completion(&l->completion))
LOCK_OP(cmd_spin_lock, spin_lock(&l->spin))
LOCK_OP(cmd_spin_unlock, spin_unlock(&l->spin))
LOCK_OP(cmd_mutex_trylock, rt_give_num(rt, c, mutex_trylock(&l->mutex), "%lld\n"))
LOCK_OP(cmd_down_read_trylock, rt_give_num(rt, c, down_read_trylock(&l->rwsem), "%lld\n"))
LOCK_OP(cmd_down_write_trylock, rt_give_num(rt, c, down_write_trylock(&l->rwsem), "%lld\n"))
LOCK_OP(cmd_spin_trylock, rt_give_num(rt, c, spin_trylock(&l->spin), "%lld\n"))

/* ---- the group ---- */

/* The end of the script: every task finishes (blocks run to their end, servers stop). */
int tasks_script_end(struct runtime *rt)
{
	for (struct script_task *st = tasks; st && !rt->stop; st = st->next)
		finish_task(st);
	return rt->stop ? -1 : 0;
}

/* Free a chain of parsed arguments a killed task was in the middle of. */
static void free_args_chain(struct cmd_args *a)
{
	while (a) {
		struct cmd_args *outer = a->outer;

		args_free(a);
		free(a);
		a = outer;
	}
}

/*
 * The machine is gone, and with it the tasks' threads (killed wherever
 * they slept, maybe inside a command) and every lock.
 */
void tasks_machine_gone(struct runtime *rt)
{
	while (tasks) {
		struct script_task *st = tasks;

		bool started = false;

		tasks = st->next;
		for (struct cmd_args *a = st->ex.args; a; a = a->outer)
			started |= a == st->req_args;
		free_args_chain(st->ex.args);
		if (st->req_args && !started) {	/* given, never begun: not in any chain */
			args_free(st->req_args);
			free(st->req_args);
		}
		free(st);
	}
	tasks_tail = &tasks;
	while (locks) {
		struct script_lock *l = locks;

		locks = l->next;
		free(l);
	}
}

static const struct value_type *const task_kinds[] = { &task_kind, NULL };
static const struct value_type *const wait_kinds[] = { &task_kind, &process_kind, NULL };
static const struct value_type *const mutex_kinds[] = { &mutex_kind, NULL };
static const struct value_type *const rwsem_kinds[] = { &rwsem_kind, NULL };
static const struct value_type *const completion_kinds[] = { &completion_kind, NULL };
static const struct value_type *const spinlock_kinds[] = { &spinlock_kind, NULL };

#define LOCK_ARGS(which, word)							\
	(const struct arg_def[]){						\
		{ "lock", &arg_var, ARG_POS | ARG_REQUIRED, .meta = word, .kinds = which, \
		  .help = "the lock" },						\
		{ NULL } }
#define SLEEPS	CTX_CPU

const struct context_def task_context = {
	.bit = CTX_TASK,
	.arg = { "task", &arg_var, .meta = "$T", .kinds = task_kinds,
		 .help = "run as task T (made with task T, without a block)",
		 .def_text = "the script's task (init)" },
	.delegate = task_delegate,
};

const struct command_def task_commands[] = {
	{ "task", "a kernel thread NAME running the block's commands, or (without a block) the commands given it with task=$NAME",
	  (const struct arg_def[]){
		  { "name", &arg_string, ARG_POS | ARG_REQUIRED, .meta = "NAME",
		    .help = "its name (comm) and its variable" },
		  { "cpu", &arg_cpu, .help = "the CPU it runs on", .def_text = "the script's" },
		  { NULL } },
	  .machine = true, .not_as_task = true, .block = true, .block_is_commands = task_has_block,
	  .run = cmd_task },
	{ "yield", "the running task goes to the back of the queue: the others run first",
	  NULL, .machine = true, .run = cmd_yield },
	{ "wait", "sleep until task T has finished its block (a task serving task= commands is stopped); wait [$P]: reap a child process, as waitpid",
	  (const struct arg_def[]){
		  { "task", &arg_var, ARG_POS, .meta = "$T|$P", .kinds = wait_kinds,
		    .help = "the task, or the child process (none: any child)" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_wait },
	{ "ps", "every task: pid, CPU, state (R runnable, S/D asleep, X exited) and what it sleeps in",
	  NULL, .machine = true, .run = cmd_ps },
	{ "mutex", "a mutex, named after its variable", NULL, .result = "M", .gives = &mutex_kind,
	  .machine = true, .run = cmd_mutex },
	{ "rwsem", "a reader-writer semaphore", NULL, .result = "S", .gives = &rwsem_kind,
	  .machine = true, .run = cmd_rwsem },
	{ "completion", "a completion", NULL, .result = "C", .gives = &completion_kind,
	  .machine = true, .run = cmd_completion },
	{ "spinlock", "a spinlock", NULL, .result = "L", .gives = &spinlock_kind, .machine = true,
	  .run = cmd_spinlock },
	{ "mutex_lock", "take the mutex, sleeping while another task holds it",
	  LOCK_ARGS(mutex_kinds, "$M"), .contexts = SLEEPS, .machine = true, .run = cmd_mutex_lock },
	{ "mutex_unlock", "release the mutex (only its owner may): the first waiter wakes",
	  LOCK_ARGS(mutex_kinds, "$M"), .contexts = SLEEPS, .machine = true, .run = cmd_mutex_unlock },
	{ "mutex_trylock", "take the mutex if it is free: 1, else 0",
	  LOCK_ARGS(mutex_kinds, "$M"), .contexts = SLEEPS, .result = "R", .prints = true,
	  .gives = &value_number, .machine = true, .run = cmd_mutex_trylock },
	{ "down_read", "read the semaphore, sleeping while a writer holds it or waits for it",
	  LOCK_ARGS(rwsem_kinds, "$S"), .contexts = SLEEPS, .machine = true, .run = cmd_down_read },
	{ "up_read", "stop reading", LOCK_ARGS(rwsem_kinds, "$S"), .contexts = SLEEPS,
	  .machine = true, .run = cmd_up_read },
	{ "down_write", "write the semaphore, sleeping while anyone holds it",
	  LOCK_ARGS(rwsem_kinds, "$S"), .contexts = SLEEPS, .machine = true, .run = cmd_down_write },
	{ "up_write", "stop writing: the front of the queue gets it", LOCK_ARGS(rwsem_kinds, "$S"),
	  .contexts = SLEEPS, .machine = true, .run = cmd_up_write },
	{ "downgrade_write", "a writer becomes a reader, letting queued readers in",
	  LOCK_ARGS(rwsem_kinds, "$S"), .contexts = SLEEPS, .machine = true,
	  .run = cmd_downgrade_write },
	{ "down_read_trylock", "read it if that needs no wait: 1, else 0",
	  LOCK_ARGS(rwsem_kinds, "$S"), .contexts = SLEEPS, .result = "R", .prints = true,
	  .gives = &value_number, .machine = true, .run = cmd_down_read_trylock },
	{ "down_write_trylock", "write it if it is free: 1, else 0", LOCK_ARGS(rwsem_kinds, "$S"),
	  .contexts = SLEEPS, .result = "R", .prints = true, .gives = &value_number,
	  .machine = true, .run = cmd_down_write_trylock },
	{ "complete", "count one completion: wakes the first waiter",
	  LOCK_ARGS(completion_kinds, "$C"), .contexts = SLEEPS, .machine = true,
	  .run = cmd_complete },
	{ "complete_all", "complete for every waiter, now and later",
	  LOCK_ARGS(completion_kinds, "$C"), .contexts = SLEEPS, .machine = true,
	  .run = cmd_complete_all },
	{ "wait_for_completion", "sleep until a completion is counted, and take it",
	  LOCK_ARGS(completion_kinds, "$C"), .contexts = SLEEPS, .machine = true,
	  .run = cmd_wait_for_completion },
	{ "spin_lock", "take the spinlock (the task may not sleep until it lets go)",
	  LOCK_ARGS(spinlock_kinds, "$L"), .contexts = SLEEPS, .machine = true,
	  .run = cmd_spin_lock },
	{ "spin_unlock", "release the spinlock", LOCK_ARGS(spinlock_kinds, "$L"),
	  .contexts = SLEEPS, .machine = true, .run = cmd_spin_unlock },
	{ "spin_trylock", "take the spinlock if it is free: 1, else 0",
	  LOCK_ARGS(spinlock_kinds, "$L"), .contexts = SLEEPS, .result = "R", .prints = true,
	  .gives = &value_number, .machine = true, .run = cmd_spin_trylock },
	{ NULL },
};
