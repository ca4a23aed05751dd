/*
 * params.h - boot options ("kernel command line") and how layers register
 * the ones they understand.
 *
 * Each layer declares its options with early_param(); at boot the command
 * line is split into words, each "name=value" (or bare "name") goes to the
 * handler registered for that name, and an unknown name is an error.  A
 * handler validates its value and returns 0, or reports what is wrong with
 * kmm_error() and returns -EINVAL.
 */
#ifndef KMM_PARAMS_H
#define KMM_PARAMS_H

#include <kmm/compiler.h>
#include <kmm/types.h>

struct kernel_param {
	const char *name;
	int (*set)(const char *val);	/* val is NULL for a bare word */
	const char *help;		/* one line, for kmm --help */
	bool prefix;			/* matches any name starting with @name (node0=, node1=...) */
	const char *full;		/* set for prefix params: the whole word's name */
};

#define early_param(str, fn, helptext)						\
	static const struct kernel_param __param_##fn __used			\
	__attribute__((section("kmm_params"), aligned(sizeof(void *)))) =	\
		{ .name = str, .set = fn, .help = helptext }
#define early_param_prefix(str, fn, helptext)					\
	static const struct kernel_param __param_##fn __used			\
	__attribute__((section("kmm_params"), aligned(sizeof(void *)))) =	\
		{ .name = str, .set = fn, .help = helptext, .prefix = true }

/*
 * Run every option of @cmdline through its handler.  On error returns
 * -EINVAL with kmm_error_msg() naming the option and the cause.
 */
int parse_early_params(const char *cmdline);
/* The name of the option being handled (for prefix options: the full word). */
const char *param_current_name(void);
/* Iterate the registered options (for --help). */
const struct kernel_param *param_first(void);
const struct kernel_param *param_next(const struct kernel_param *p);

/* Parse a size with K/M/G suffix; -EINVAL unless the whole string is one. */
int parse_size(const char *val, u64 *size);

/*
 * Errors for the user: a message naming the cause, kept per thread until
 * the next error.  kmm_error() always returns -EINVAL for convenience.
 */
int kmm_error(const char *fmt, ...) __printf(1, 2);
const char *kmm_error_msg(void);
void kmm_error_clear(void);

#endif /* KMM_PARAMS_H */
