/*
 * runtime.h - what a running script has: its variables and the kinds of
 * value they hold, its errors and failures, the machine it drives.
 *
 * A value kind is one definition (struct value_type): its payload, its
 * fields for $NAME.field, its one-line text for echo and $NAME, its show,
 * and its release when the machine it points into is gone.  The executor
 * (exec.c) and the variables (values.c) only go through the definition;
 * each kind lives with the commands that make it (cmd_pages.c,
 * slab_state.c...) and is registered in commands.c.
 */
#ifndef KMM_TOOL_RUNTIME_H
#define KMM_TOOL_RUNTIME_H

#include "tools/kmm/script.h"

struct runtime;

/* ---- value kinds ---- */

struct value_field {
	const char *name;
	/* The field of payload @data; 0, or -1 with the reason in @err. */
	int (*get)(const void *data, long long *out, char *err, size_t errlen);
	bool always;			/* readable when the value holds nothing ("ok") */
};

struct value_type {
	const char *name;		/* "page": its name in help */
	const char *noun;		/* "a block of pages": "$x is not a block of pages" */
	const char *made_by;		/* "alloc_pages": the commands that make it, for help */
	size_t size;			/* bytes of its payload (zeroed when made) */
	const struct value_field *fields; /* { NULL } terminated */
	/* Does it hold something?  NULL: always.  Fields not marked always need it. */
	bool (*holds)(const void *data);
	const char *empty;		/* "holds no page (the allocation failed)" */
	/* The text of $NAME (echo). */
	void (*format)(const void *data, char *buf, size_t size);
	/* show $NAME: one line starting "$NAME: "; NULL: that and format's text. */
	void (*show)(FILE *out, const char *word, const void *data);
	/* Free the host memory the payload owns (not the payload); NULL: nothing. */
	void (*release)(void *data);
};

struct value {
	const struct value_type *type;	/* &value_none when it holds nothing */
	void *data;			/* type->size bytes, or NULL */
};

/* A variable's value after a shutdown; and numbers (value, ksize, read...). */
extern const struct value_type value_none, value_number;

struct number_value {
	long long n;
};

/* The payload of @v if it is of kind @type, else NULL. */
static inline void *value_as(const struct value *v, const struct value_type *type)
{
	return v->type == type ? v->data : NULL;
}

/* $NAME.field: 0, or -1 with the reason in @err ("no field 'x' here (fields: a, b)"). */
int value_field(const struct value *v, const char *field, long long *out, char *err,
		size_t errlen);
void value_format(const struct value *v, char *buf, size_t size);
void value_show(FILE *out, const char *word, const struct value *v);
/* Release what @v holds; it holds nothing afterwards. */
void value_release(struct value *v);
/* Does @v hold something (see value_type.holds)? */
bool value_holds(const struct value *v);

/* ---- the runtime ---- */

struct variable {
	char *name;
	struct value v;
};

/* A context a command entered (cpu=N...), and what leaving it needs. */
struct context_def;
struct context_frame {
	const struct context_def *def;
	long saved;			/* what enter found: the CPU... */
	void *saved_ptr;		/*   or a task */
};

#define MAX_CONTEXT_FRAMES	16

struct cmd_args;

/*
 * What one thread of execution is doing: the script's own (the task
 * init), or a task's running its block or commands given to it with
 * task=.  Each has its own, so that commands of several tasks, each
 * asleep in the middle of one, do not mix their frames.
 */
struct exec_state {
	struct script_cmd *cmd;		/* the command running (innermost) */
	struct cmd_args *args;		/* its parsed arguments, chained to the outer command's */
	struct context_frame frames[MAX_CONTEXT_FRAMES]; /* contexts entered, innermost last */
	int nframes;
	int catching;			/* > 0: errors go to caught (expect error) */
	char caught[512];		/* the first error caught, without its FILE:LINE prefix */
	bool has_caught;
};

struct runtime {
	const char *filename;
	FILE *out;
	bool booted;
	bool auto_booted;		/* the default machine, booted by a command that needed one */
	int failures;			/* failed expectations and checks */
	int stop;			/* a task stopped with an error: the run ends (status 2) */
	struct variable **vars;		/* each allocated once: a struct value * stays valid */
	int nvars, capvars;
	struct exec_state main;		/* the script's own thread of execution */
};

/* The thread of execution running now (the script's, or a task's). */
struct exec_state *rt_ex(struct runtime *rt);
/* The calling thread runs commands with @ex from now on (a task starting). */
void rt_set_ex(struct exec_state *ex);

/* Report an error at the command's line; returns -1 (the run stops). */
int rt_error(struct runtime *rt, struct script_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Report a failed expectation; counts it and returns 0 (the run goes on). */
int rt_fail(struct runtime *rt, struct script_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* kmm_boot(@opts) for the command at @c (its call site names boot-time allocations). */
int rt_boot(struct runtime *rt, struct script_cmd *c, const char *opts);
/* The machine was shut down: values that pointed into it are released. */
void rt_machine_gone(struct runtime *rt);

/*
 * Run commands (a command block: expect error...) as the script runs its
 * own: each with its arguments, contexts and call site.  0, or -1 when one
 * stopped with an error (the rest do not run), or RT_TASK_KILLED when the
 * script's kernel thread running them died (an oops).  A process that a
 * command left with a fatal signal pending ends after it.
 */
int rt_run_commands(struct runtime *rt, struct script_cmd *cmds, int n);
#define RT_TASK_KILLED	1
/*
 * Run a command whose arguments are parsed (@a, which the caller gives
 * away), in the calling thread's execution: a task running a command the
 * script gave it with task=.  0 or -1, as rt_run_commands.
 */
int rt_run_parsed(struct runtime *rt, struct script_cmd *c, struct cmd_args *a);

/* ---- variables ---- */

struct value *rt_lookup(struct runtime *rt, const char *name);
/* A fresh value of kind @type in variable @name (its old value released); its payload. */
void *rt_assign(struct runtime *rt, const char *name, const struct value_type *type);
/* The command's result, when it assigns one (NAME = command): as rt_assign; else NULL. */
void *rt_result(struct runtime *rt, struct script_cmd *c, const struct value_type *type);
/* A command's number: into its variable (NAME = command), else printed with @fmt. */
void rt_give_num(struct runtime *rt, struct script_cmd *c, long long n, const char *fmt);

/* Expand $var and $var.field in @in; NULL (with an error reported) on an unknown name. */
char *rt_expand(struct runtime *rt, struct script_cmd *c, const char *in);

/* ---- the machine's files ---- */

/* Read a /proc file or the log ("dmesg") into a malloc'ed string; NULL with an error. */
char *rt_read_file(struct runtime *rt, struct script_cmd *c, const char *path);
/* A numeric field of a view: "/proc/meminfo:MemFree", "/proc/zoneinfo:0:DMA:present". */
int view_field(const char *text, const char *path, const char *spec, long long *out,
	       char *err, size_t errlen);

#endif /* KMM_TOOL_RUNTIME_H */
