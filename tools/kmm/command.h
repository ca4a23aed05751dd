/*
 * command.h - how a scenario command is defined: its arguments, typed and
 * with defaults; the contexts it runs in (cpu=N); what it gives.
 *
 * A command is a row of a table (struct command_def).  From the row come
 * the parser's checks (keys, positional counts), the parsing and
 * validation of every argument when the command runs (numbers, gfp masks,
 * nodes, CPUs, variables of the right kind...), the usage line in errors,
 * and `kmm --help` / `kmm help COMMAND`.  The run function receives the
 * arguments parsed:
 *
 *   static const struct arg_def alloc_args[] = {
 *           { "order", &arg_number, .min = 0, .max = 63, .flags = ARG_RANGE,
 *             .help = "the block is 2^order pages" },
 *           { "gfp", &arg_gfp, .def = GFP_KERNEL, .def_text = "GFP_KERNEL" },
 *           { NULL },
 *   };
 *   static int cmd_alloc_pages(struct runtime *rt, struct script_cmd *c,
 *                              const struct cmd_args *a)
 *   {
 *           ... alloc_pages(arg_num(a, "gfp"), arg_num(a, "order")) ...
 *   }
 *   { "alloc_pages", "allocate 2^order pages", alloc_args, .contexts = CTX_CPU,
 *     .result = "NAME", .gives = &page_block, .machine = true, .run = cmd_alloc_pages },
 *
 * The executor (exec.c) boots the default machine for a command that uses
 * it, parses the arguments, enters the contexts the command was given
 * (cpu=N: run on CPU N), runs it, and leaves the contexts on every path:
 * a return, an error, a BUG() or panic.  No command switches CPU itself.
 */
#ifndef KMM_TOOL_COMMAND_H
#define KMM_TOOL_COMMAND_H

#include "tools/kmm/runtime.h"

struct arg_def;

/* An argument, parsed. */
struct arg_val {
	bool given;			/* written in the command (else the default) */
	long long num;			/* numbers, sizes, orders, nodes, CPUs, masks */
	int word;			/* the index in def->words of the word given, or -1 */
	char *str;			/* strings and text: expanded (freed after the run) */
	struct value *var;		/* a variable */
	const char *written;		/* as written, unexpanded: "$p", "3" (for messages) */
	long long *items;		/* ARG_REPEAT: every number (freed after the run) */
	int nitems;
};

/* What an argument can be: a number, a gfp mask, a variable... */
struct arg_type {
	const char *name;		/* "number", in help */
	const char *meta;		/* "N" in usage lines, unless the argument says */
	const char *help;		/* what it accepts, in help */
	unsigned int flags;
	/* Parse @text (expanded unless ARGT_RAW) for @d into @out: 0, or -1 reported. */
	int (*parse)(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
		     const char *text, struct arg_val *out);
};
#define ARGT_RAW	0x1		/* gets the word as written: variables, expressions */
#define ARGT_FREE	0x2		/* free-form text: words NAME=VALUE stay words */
#define ARGT_REST	0x4		/* the rest of the line, as written (then expanded): the
					 * first positional (echo, boot) or the second (set) */

/* One argument of a command. */
struct arg_def {
	const char *name;		/* the key of key=value; a positional's name in errors */
	const struct arg_type *type;
	unsigned int flags;		/* ARG_* below */
	const char *meta;		/* usage: "SIZE", "$C" (default: the type's) */
	const char *help;		/* one phrase, for kmm help COMMAND */
	long long def;			/* the default of number kinds */
	const char *def_text;		/* the default in words, for help ("the CPU's node") */
	long long min, max;		/* ARG_RANGE: the values allowed */
	const char *const *words;	/* words accepted too ("all"), or the only ones (arg_word) */
	const struct value_type *const *kinds; /* variables: the kinds accepted (NULL: any) */
};
#define ARG_POS		0x01		/* positional, in table order; else key=value */
#define ARG_REQUIRED	0x02		/* must be given */
#define ARG_REPEAT	0x04		/* the last positional: any number of them */
#define ARG_RANGE	0x08		/* a number within [min, max] */
#define ARG_PRESENT	0x10		/* a variable that holds something (value_type.holds) */
#define ARG_NO_MAX	0x7fffffffffffffffLL	/* ARG_RANGE without an upper bound */

/* The argument types (args.c). */
extern const struct arg_type arg_number;	/* 12, 0x1f, 64K, -3 */
extern const struct arg_type arg_size;		/* bytes: 100, 4K, 2M */
extern const struct arg_type arg_order;		/* a buddy order, 0 to MAX_ORDER - 1 */
extern const struct arg_type arg_gfp;		/* GFP_KERNEL|__GFP_ZERO, or a number */
extern const struct arg_type arg_node;		/* an online node (-1: the CPU's node) */
extern const struct arg_type arg_cpu;		/* a CPU of the machine */
extern const struct arg_type arg_string;	/* a word or "quoted text", expanded */
extern const struct arg_type arg_word;		/* one of the argument's words */
extern const struct arg_type arg_var;		/* $NAME, of the argument's kinds */
extern const struct arg_type arg_text;		/* the rest of the line, expanded */
extern const struct arg_type arg_words;		/* the remaining words, as written (expressions) */
extern const struct arg_type arg_duration;	/* 20ms, 5s, 100us, 1000ns */
extern const struct arg_type arg_flags;		/* C flags: PROT_READ|PROT_WRITE, or a number (cmd_process.c) */

/*
 * Processes (cmd_process.c): a number, or C flags joined by |
 * (PROT_, MAP_, MREMAP_, MADV_, MCL_); a system call's result (.ret,
 * .errno), given from its raw return (an address, 0, or -errno).
 */
extern const struct arg_type arg_flags;
extern const struct value_type syscall_kind;
void give_syscall(struct runtime *rt, struct script_cmd *c, long ret);

/* CRC-32 (IEEE) of @n bytes at @p, continuing @crc (start with ~0, end with ^ ~0): values.c. */
unsigned int crc32_update(unsigned int crc, const unsigned char *p, unsigned long n);

#define MAX_ARGS	12

struct cmd_args;
/* The size= of a memory access (kread, load...): 1, 2, 4 or 8; or -1 reported. */
int arg_access_size(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a);

/* A command's arguments, parsed: its own in table order, then its contexts'. */
struct cmd_args {
	const struct command_def *def;
	int n;
	const struct arg_def *defs[MAX_ARGS];
	struct arg_val v[MAX_ARGS];
	struct cmd_args *outer;		/* the command running around this one (a block's) */
};

/* The argument @name (a name the command's table has: else BUG). */
const struct arg_val *arg(const struct cmd_args *a, const char *name);
static inline long long arg_num(const struct cmd_args *a, const char *name)
{
	return arg(a, name)->num;
}
static inline bool arg_given(const struct cmd_args *a, const char *name)
{
	return arg(a, name)->given;
}
static inline const char *arg_str(const struct cmd_args *a, const char *name)
{
	return arg(a, name)->str;
}
static inline struct value *arg_value(const struct cmd_args *a, const char *name)
{
	return arg(a, name)->var;
}
/* The payload of variable argument @name if it is of kind @type, else NULL. */
static inline void *arg_data(const struct cmd_args *a, const char *name,
			     const struct value_type *type)
{
	const struct value *v = arg(a, name)->var;

	return v ? value_as(v, type) : NULL;
}

/* ---- contexts ---- */

/*
 * A context a command can be run in, given as key=value (cpu=N; the task=
 * of the scheduler's scripts goes here too).  The executor enters it after
 * parsing the arguments and leaves it after the run, on every path.  A
 * command takes a context when its contexts mask has the context's bit.
 */
struct context_def {
	unsigned int bit;		/* CTX_* */
	struct arg_def arg;		/* its key, type and help */
	/* Enter the context @v; record in @f what leaving needs.  0, or -1 reported. */
	int (*enter)(struct runtime *rt, struct script_cmd *c, const struct arg_val *v,
		     struct context_frame *f);
	/* Back to what enter found.  Must not fail. */
	void (*leave)(struct runtime *rt, const struct context_frame *f);
	/*
	 * A context that runs the command elsewhere (task=: as another task)
	 * instead of entering: 1 when it took the command and its arguments
	 * (@a is its from then on), 0 when the command runs here after all,
	 * -1 reported.
	 */
	int (*delegate)(struct runtime *rt, struct script_cmd *c, struct cmd_args *a,
			const struct arg_val *v);
};
#define CTX_CPU		0x1		/* cpu=N: run on CPU N, with its per-CPU lists and node */
#define CTX_TASK	0x2		/* task=$T: run as task T (cmd_tasks.c) */

extern const struct context_def *const contexts[];	/* exec.c, { NULL } terminated */

/*
 * Make @v the context @key for the rest of the script (the command `cpu N`):
 * enter without leaving.  0, or -1 reported.
 */
int rt_switch_context(struct runtime *rt, struct script_cmd *c, const char *key,
		      const struct arg_val *v);

/* ---- commands ---- */

struct command_def {
	const char *name;
	const char *help;		/* one sentence */
	const struct arg_def *args;	/* { NULL } terminated, or NULL: none */
	unsigned int contexts;		/* CTX_*: the contexts it may be given */
	const char *result;		/* "NAME": may be used as NAME = command */
	bool prints;			/*   without NAME =, it prints its number ("[R =]") */
	const struct value_type *gives;	/* the kind of value it makes */
	const char *usage;		/* the usage line when the table cannot say it */
	bool machine;			/* uses the machine: the default one boots first, and
					 * it may run as another task (task=) */
	bool not_as_task;		/* a machine command that only the script itself runs */
	bool block;			/* may take a <<WORD block */
	bool needs_block;		/* must take one */
	/* With @c's arguments: is its block commands (else text)?  NULL: text. */
	bool (*block_is_commands)(const struct script_cmd *c);
	int (*run)(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a);
};

/* The commands of one subsystem, and what it forgets when the machine goes. */
struct command_group {
	const char *title;		/* "The page allocator", in --help */
	const struct command_def *cmds;	/* { NULL } terminated */
	void (*machine_gone)(struct runtime *rt);
};

/* The end of the script: tasks finish their blocks (cmd_tasks.c).  0, or -1 reported. */
int tasks_script_end(struct runtime *rt);

/* The tables (commands.c): every group, every value kind. */
extern const struct command_group command_groups[];	/* { NULL } terminated */
extern const struct value_type *const value_types[];	/* NULL terminated */

const struct command_def *command_find(const char *name);
const struct value_type *value_type_find(const char *name);

/* The contexts @d takes: its own, and task= for any command using the machine. */
static inline unsigned int command_contexts(const struct command_def *d)
{
	return d->contexts | (d->machine && !d->not_as_task ? CTX_TASK : 0);
}

/* What the parser checks (args.c). */
bool command_takes_key(const struct command_def *d, const char *key);
void command_positionals(const struct command_def *d, int *min, int *max);
bool command_raw(const struct command_def *d);		/* takes its whole line as text */
bool command_free_form(const struct command_def *d);	/* NAME=VALUE words stay words */

/* Parse @c's arguments for running it; 0, or -1 reported.  args_free() in both cases. */
int args_parse(struct runtime *rt, struct script_cmd *c, struct cmd_args *a);
void args_free(struct cmd_args *a);

/* The usage line: "NAME = alloc_pages [order=N] [gfp=FLAGS] [node=N] [cpu=N]" (commands.c). */
void command_usage(const struct command_def *d, char *buf, size_t size);
/* kmm --help's list of commands and value kinds; kmm help NAME (0, or -1: no such). */
void help_commands(FILE *out);
int help_topic(FILE *out, const char *name);

#endif /* KMM_TOOL_COMMAND_H */
