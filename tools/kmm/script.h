/*
 * script.h - the kmm scenario language: parsed form and runtime.
 *
 * A script is parsed whole before anything runs, so that a syntax error at
 * line 90 stops the run before line 1 has touched the machine.  Each line
 * is one command, optionally assigning its result: "p = alloc_pages order=3".
 * Arguments are words, "quoted strings" or key=value pairs; $name and
 * $name.field expand variables when the command runs.  A command ending in
 * <<WORD takes the following lines, up to a line WORD, as a text block.
 */
#ifndef KMM_TOOL_SCRIPT_H
#define KMM_TOOL_SCRIPT_H

#include <stdbool.h>
#include <stdio.h>

#include <kmm/types.h>

struct script_cmd;
struct runtime;

struct command_def {
	const char *name;
	const char *usage;		/* one line: "alloc_pages order=N gfp=FLAGS [node=N] [cpu=N]" */
	const char *help;		/* one sentence */
	const char *const *keys;	/* accepted key=value names (NULL: none) */
	int min_pos, max_pos;		/* positional arguments allowed */
	bool assigns;			/* may be used as NAME = command */
	bool block;			/* may take a <<WORD text block */
	bool needs_block;		/* must take one */
	bool raw;			/* takes the rest of the line as text (echo) */
	int (*run)(struct runtime *rt, struct script_cmd *c);
};

struct script_arg {
	char *key;			/* NULL for a positional argument */
	char *value;
};

struct script_cmd {
	int line;
	const struct command_def *def;
	char *assign;			/* variable to assign, or NULL */
	int argc;
	struct script_arg *argv;
	char *rest;			/* raw text after the command word */
	char *tail;			/* raw text after the first argument */
	char *block;			/* <<WORD block text, or NULL */
};

struct script {
	char *filename;
	struct script_cmd *cmds;
	int n;
};

/*
 * Parse @text.  Returns 0, or -1 with a message "FILE:LINE: error: ..." in
 * @err.  Nothing is executed.
 */
int script_parse(const char *text, size_t len, const char *filename, struct script *s,
		 char *err, size_t errlen);
void script_free(struct script *s);
const struct command_def *command_find(const char *name);
const struct command_def *command_nth(int i);

/* ---- runtime ---- */

enum val_kind { VAL_NONE, VAL_NUM, VAL_PAGE, VAL_POOL, VAL_PTR, VAL_CACHE, VAL_OBJPOOL };

struct page;
struct kmem_cache;

struct pool_block {
	struct page *page;
	unsigned int order;
};

struct value {
	enum val_kind kind;
	long long num;			/* VAL_NUM */
	struct page *page;		/* VAL_PAGE: NULL when the allocation failed */
	unsigned int order;
	struct pool_block *blocks;	/* VAL_POOL */
	size_t nr_blocks, cap_blocks;
	void *ptr;			/* VAL_PTR: a slab object, NULL or ZERO_SIZE_PTR */
	size_t size;			/*   the size asked for */
	bool freed;			/*   the script freed it (the pointer stays) */
	struct kmem_cache *cache;	/* VAL_CACHE (NULL: none); VAL_PTR, VAL_OBJPOOL: its cache,
					 * NULL for kmalloc */
	void **objs;			/* VAL_OBJPOOL: objects allocated and not freed */
	size_t nr_objs, cap_objs;
};

/*
 * A cache the script created: the kernel keeps the name's pointer, so the
 * name lives until the machine shuts down (cache NULL once destroyed);
 * ctor_byte >= 0: the constructor fills each object with that byte.
 */
struct script_cache {
	struct kmem_cache *cache;
	char *name;
	int ctor_byte;
};

struct variable {
	char *name;
	struct value v;
};

struct runtime {
	const char *filename;
	FILE *out;
	bool booted;
	bool auto_booted;		/* the default machine, booted by a command that needed one */
	bool has_run_kernel_cmd;
	int failures;			/* failed expectations and checks */
	struct variable *vars;
	int nvars, capvars;
	unsigned long boot_count;
	struct script_cache *caches;	/* see struct script_cache */
	int ncaches, capcaches;
};

/* Report an error at the command's line; returns -1. */
int rt_error(struct runtime *rt, struct script_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Report a failed expectation; counts it and returns 0 (the run goes on). */
int rt_fail(struct runtime *rt, struct script_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Boot the default machine if no boot command ran yet. */
int rt_ensure_booted(struct runtime *rt, struct script_cmd *c);
/* A command that uses the machine: boots the default one if needed. */
int rt_kernel_cmd(struct runtime *rt, struct script_cmd *c);
/* kmm_boot(@opts) for the command at @c (its call site names boot-time allocations). */
int rt_boot(struct runtime *rt, struct script_cmd *c, const char *opts);
/* The machine was shut down: forget variables and caches that pointed into it. */
void rt_machine_gone(struct runtime *rt);

/*
 * Call sites.  Slab debugging ("Last user") and the kmem trace events
 * record who called; for a script that is its line, given as a fake
 * kernel-text address (0xffffffff81000000 + line on x86_64, 0xc1000000 +
 * line on i386) that kallsyms names "FILE:LINE".  rt_call_site() sets it
 * for the command about to run.
 */
void rt_call_site(struct runtime *rt, struct script_cmd *c);

struct value *rt_lookup(struct runtime *rt, const char *name);
struct value *rt_assign(struct runtime *rt, const char *name);
void value_clear(struct value *v);
/* A command's number: into its variable (NAME = command), else printed with @fmt. */
void rt_give_num(struct runtime *rt, struct script_cmd *c, long long n, const char *fmt);

/* Expand $var and $var.field in @in; NULL (with an error reported) on an unknown name. */
char *rt_expand(struct runtime *rt, struct script_cmd *c, const char *in);
/* The value of key @key, expanded; NULL if absent. */
char *rt_arg(struct runtime *rt, struct script_cmd *c, const char *key);
/* Positional argument @i, expanded; NULL if absent. */
char *rt_pos(struct runtime *rt, struct script_cmd *c, int i);
/* Parse helpers reporting errors at the command's line. */
int rt_number(struct runtime *rt, struct script_cmd *c, const char *what, const char *s,
	      long long *out);
int rt_gfp(struct runtime *rt, struct script_cmd *c, const char *s, unsigned int *out);
/* Optional key=N and gfp=FLAGS; *out keeps its default when the key is absent. */
int rt_opt_number(struct runtime *rt, struct script_cmd *c, const char *key, long long *out);
int rt_opt_gfp(struct runtime *rt, struct script_cmd *c, unsigned int *out);
/* Switch to the CPU of cpu=N for the command; *prev is the CPU to go back to. */
int rt_enter_cpu(struct runtime *rt, struct script_cmd *c, int *prev);
/* Positional argument @idx must be $NAME: its value, and the word for messages. */
int rt_var_arg(struct runtime *rt, struct script_cmd *c, int idx, struct value **v,
	       const char **word);

/* A field of a value: "pfn", "order"... for $name.field. */
int value_field(struct runtime *rt, const struct value *v, const char *field, long long *out,
		char *err, size_t errlen);
/* Text of a value for echo. */
void value_format(const struct value *v, char *buf, size_t size);

/* Read a /proc file or the log into a malloc'ed string; NULL with an error. */
char *rt_read_file(struct runtime *rt, struct script_cmd *c, const char *path);
/* A numeric field of a view: "/proc/meminfo:MemFree", "/proc/zoneinfo:0:DMA:present". */
int view_field(const char *text, const char *path, const char *spec, long long *out,
	       char *err, size_t errlen);

/* Run a parsed script; returns the exit status (0, 1 failures, 2 errors, 3 panic). */
int script_run(struct script *s, FILE *out);

/* gfp flag names <-> values */
int gfp_parse(const char *s, unsigned int *out);

/* Slab values (slab_state.c): fields of $cache / $object / $pool, and show. */
int slab_value_field(const struct value *v, const char *field, long long *out, char *err,
		     size_t errlen);
void slab_show(struct runtime *rt, const char *name, const struct value *v);
/* Forget the script's caches (the machine is gone). */
void slab_release(struct runtime *rt);

#endif /* KMM_TOOL_SCRIPT_H */
