/*
 * script.h - the kmm scenario language: a script's parsed form, and the
 * two entry points, parse and run.
 *
 * A script is parsed whole before anything runs, so that a syntax error at
 * line 90 stops the run before line 1 has touched the machine.  Each line
 * is one command, optionally assigning its result: "p = alloc_pages order=3".
 * Arguments are words, "quoted strings" or key=value pairs; $name and
 * $name.field expand variables when the command runs.  A command ending in
 * <<WORD takes the following lines, up to a line WORD, as a block: text
 * (expect PATH <<END) or commands, parsed with the script (expect error).
 *
 * What a command accepts is its definition's business (command.h); how it
 * runs, the runtime's (runtime.h).
 */
#ifndef KMM_TOOL_SCRIPT_H
#define KMM_TOOL_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct command_def;

struct script_arg {
	char *key;			/* NULL for a positional argument */
	char *value;			/* as written, quotes removed; expanded when run */
};

struct script_cmd {
	int line;
	const struct command_def *def;
	char *assign;			/* variable to assign, or NULL */
	int argc;
	struct script_arg *argv;
	char *rest;			/* raw text after the command word */
	char *tail;			/* raw text after the first argument */
	char *block;			/* <<WORD text block, or NULL */
	struct script_cmd *sub;		/* <<WORD command block: its commands, or NULL */
	int nsub;
};

struct script {
	char *filename;
	struct script_cmd *cmds;
	int n;
};

/*
 * Parse @text.  Returns 0, or -1 with a message "FILE:LINE: error: ..." in
 * @err.  Nothing is executed.  script_free() releases @s in both cases.
 */
int script_parse(const char *text, size_t len, const char *filename, struct script *s,
		 char *err, size_t errlen);
void script_free(struct script *s);

/*
 * Run a parsed script, printing what commands print on @out and errors on
 * stderr.  Returns the exit status: 0, 1 an expectation or check failed,
 * 2 an error stopped the run, 3 the simulated kernel panicked or hit BUG().
 * The machine is shut down at the end.
 */
int script_run(struct script *s, FILE *out);

#endif /* KMM_TOOL_SCRIPT_H */
