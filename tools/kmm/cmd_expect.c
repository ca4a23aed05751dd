/*
 * cmd_expect.c - the scenario commands that check: expect (a comparison,
 * a text in a file, a whole file, an error), value (a number kept for
 * later), check (mm_check()).
 *
 * Expressions are words: terms joined by + - * / %, each operator a word
 * of its own, * / % binding tighter.  A term is a number, $var.field, or
 * a field of a file, PATH:FIELD (fields.c reads it from the text the view
 * produced, so expect tests exactly what a user sees).
 *
 * expect error TEXT <<END runs the block's commands and expects one of
 * them to stop with an error whose message contains TEXT; the run goes on
 * after the block, so that a script can show what a refused command left
 * behind (nothing changed, the CPU the script was on).
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/kernel.h>
#include <kmm/mm_check.h>
#include <kmm/seq_file.h>
#include "tools/kmm/command.h"

enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_BAD };

static int parse_op(const char *s)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };

	for (int i = 0; i < 6; i++)
		if (!strcmp(s, ops[i]))
			return i;
	return OP_BAD;
}

static bool is_path(const char *s)
{
	return s[0] == '/' || !strncmp(s, "dmesg", 5);
}

/* A number as expect reads it: memparse()'s, with a sign. */
static int term_number(struct runtime *rt, struct script_cmd *c, const char *s, long long *out)
{
	unsigned long long v;
	bool neg = *s == '-';
	const char *p = s + neg;
	char *end;

	v = memparse(p, &end);
	if (end == p || *end)
		return rt_error(rt, c, "expect: '%s' is not a number", s);
	*out = neg ? -(long long)v : (long long)v;
	return 0;
}

/* One term: a number, $var.field, or PATH:FIELD. */
static int eval_term(struct runtime *rt, struct script_cmd *c, const char *word, long long *out)
{
	char *x = rt_expand(rt, c, word);
	int r;

	if (!x)
		return -1;
	if (is_path(x)) {
		char *colon = strchr(x, ':'), *text;
		char err[256];

		if (colon)
			*colon = '\0';
		text = rt_read_file(rt, c, x);
		if (!text) {
			free(x);
			return -1;
		}
		r = view_field(text, x, colon ? colon + 1 : NULL, out, err, sizeof(err));
		free(text);
		if (r)
			rt_error(rt, c, "%s", err);
	} else {
		r = term_number(rt, c, x, out);
	}
	free(x);
	return r;
}

/* A product: terms joined by *, / and %, as separate words. */
static int eval_product(struct runtime *rt, struct script_cmd *c, int *i, long long *out)
{
	long long v, t;

	if (*i >= c->argc)
		return rt_error(rt, c, "expect: missing operand");
	if (eval_term(rt, c, c->argv[(*i)++].value, &v))
		return -1;
	while (*i + 1 < c->argc && strlen(c->argv[*i].value) == 1 &&
	       strchr("*/%", c->argv[*i].value[0])) {
		char op = c->argv[*i].value[0];

		if (eval_term(rt, c, c->argv[*i + 1].value, &t))
			return -1;
		if (op != '*' && t == 0)
			return rt_error(rt, c, "division by zero");
		v = op == '*' ? v * t : op == '/' ? v / t : v % t;
		*i += 2;
	}
	*out = v;
	return 0;
}

/* An expression: products joined by + and -, each operator a word of its own. */
static int eval_expr(struct runtime *rt, struct script_cmd *c, int *i, long long *out)
{
	long long v, t;

	if (eval_product(rt, c, i, &v))
		return -1;
	while (*i + 1 < c->argc &&
	       (!strcmp(c->argv[*i].value, "+") || !strcmp(c->argv[*i].value, "-"))) {
		bool minus = c->argv[*i].value[0] == '-';

		(*i)++;
		if (eval_product(rt, c, i, &t))
			return -1;
		v = minus ? v - t : v + t;
	}
	*out = v;
	return 0;
}

/* Show where two texts first differ. */
static void report_text_mismatch(struct runtime *rt, struct script_cmd *c, const char *path,
				 const char *want, const char *got)
{
	int line = 1;
	const char *w = want, *g = got;

	while (*w && *g) {
		const char *we = strchr(w, '\n'), *ge = strchr(g, '\n');
		size_t wl = we ? (size_t)(we - w) : strlen(w), gl = ge ? (size_t)(ge - g) : strlen(g);

		if (wl != gl || memcmp(w, g, wl)) {
			rt_fail(rt, c, "%s differs at its line %d:\n  expected: %.*s\n  actual:   %.*s",
				path, line, (int)wl, w, (int)gl, g);
			return;
		}
		w += wl + (we != NULL);
		g += gl + (ge != NULL);
		line++;
	}
	rt_fail(rt, c, "%s %s at its line %d", path,
		*w ? "ends early" : "has more lines than expected", line);
}

/* expect PATH <<END: the whole file. */
static int expect_file(struct runtime *rt, struct script_cmd *c)
{
	char *path = rt_expand(rt, c, c->argv[0].value), *text;

	if (!path || c->argc != 1) {
		free(path);
		return rt_error(rt, c, "expect PATH <<END: one path, then the text block");
	}
	text = rt_read_file(rt, c, path);
	if (!text) {
		free(path);
		return -1;
	}
	if (strcmp(text, c->block))
		report_text_mismatch(rt, c, path, c->block, text);
	free(text);
	free(path);
	return 0;
}

/* expect PATH contains|lacks TEXT */
static int expect_contains(struct runtime *rt, struct script_cmd *c)
{
	char *path = rt_expand(rt, c, c->argv[0].value), *needle = NULL, *text = NULL;
	bool want = c->argv[1].value[0] == 'c';

	if (!path || !(needle = rt_expand(rt, c, c->argv[2].value)) ||
	    !(text = rt_read_file(rt, c, path))) {
		free(path);
		free(needle);
		return -1;
	}
	if ((strstr(text, needle) != NULL) != want)
		rt_fail(rt, c, "%s %s \"%s\"", path, want ? "does not contain" : "contains", needle);
	free(text);
	free(path);
	free(needle);
	return 0;
}

/*
 * expect error TEXT <<END: the block stops with an error saying TEXT; the
 * run goes on.  Nothing is held on the heap while the block runs: a panic
 * there ends the run without coming back.
 */
static int expect_error(struct runtime *rt, struct script_cmd *c)
{
	struct exec_state *ex = rt_ex(rt);
	char *text = rt_expand(rt, c, c->argv[1].value);
	bool outer_caught = ex->has_caught;
	char want[256], outer[sizeof(ex->caught)];
	int err;

	if (!text)
		return -1;
	snprintf(want, sizeof(want), "%s", text);
	free(text);
	memcpy(outer, ex->caught, sizeof(outer));
	ex->has_caught = false;
	ex->catching++;
	err = rt_run_commands(rt, c->sub, c->nsub);
	ex->catching--;
	if (!err)
		rt_fail(rt, c, "the block ran without an error (expected one saying \"%s\")", want);
	else if (!strstr(ex->caught, want))
		rt_fail(rt, c, "the block's error does not say \"%s\": %s", want, ex->caught);
	memcpy(ex->caught, outer, sizeof(outer));
	ex->has_caught = outer_caught;
	return 0;
}

static bool is_expect_error(const struct script_cmd *c)
{
	return c->argc == 2 && !c->argv[0].key && !strcmp(c->argv[0].value, "error");
}

static int cmd_expect(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	long long l, r;
	int i = 0, op;
	bool ok;

	if (c->sub)
		return expect_error(rt, c);
	if (is_expect_error(c))
		return rt_error(rt, c, "expect error TEXT: the commands come in a block: <<END");
	if (c->block)
		return expect_file(rt, c);
	if (c->argc == 3 && (!strcmp(c->argv[1].value, "contains") ||
			     !strcmp(c->argv[1].value, "lacks")))
		return expect_contains(rt, c);
	if (eval_expr(rt, c, &i, &l))
		return -1;
	if (i >= c->argc || (op = parse_op(c->argv[i].value)) == OP_BAD)
		return rt_error(rt, c, "expect: need a comparison (== != < <= > >=) after '%s'",
				c->argv[0].value);
	i++;
	if (eval_expr(rt, c, &i, &r))
		return -1;
	if (i != c->argc)
		return rt_error(rt, c, "expect: unexpected '%s'", c->argv[i].value);
	ok = op == OP_EQ ? l == r : op == OP_NE ? l != r : op == OP_LT ? l < r :
	     op == OP_LE ? l <= r : op == OP_GT ? l > r : l >= r;
	if (!ok)
		rt_fail(rt, c, "%s: the left side is %lld, the right side %lld", c->rest, l, r);
	return 0;
}

/* NAME = value EXPR: remember a number (a field, an arithmetic of terms). */
static int cmd_value(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	long long v;
	int i = 0;

	if (eval_expr(rt, c, &i, &v))
		return -1;
	if (i != c->argc)
		return rt_error(rt, c, "value: unexpected '%s'", c->argv[i].value);
	rt_give_num(rt, c, v, "%lld\n");
	return 0;
}

static int cmd_check(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct seq_file report;
	int problems;

	seq_init(&report);
	problems = mm_check(&report);
	if (problems) {
		fflush(rt->out);
		fputs(report.buf ? report.buf : "", stderr);
		rt_fail(rt, c, "mm_check found %d problem%s", problems, problems > 1 ? "s" : "");
	}
	seq_release(&report);
	return 0;
}

static const struct arg_def expr_args[] = {
	{ "expression", &arg_words, ARG_POS | ARG_REQUIRED | ARG_REPEAT, .meta = "EXPR" },
	{ NULL },
};

const struct command_def expect_commands[] = {
	{ "expect", "fail the script unless the condition holds; expect error: unless the block's commands stop with that error (the run goes on after it)",
	  expr_args,
	  .usage = "expect A OP B | expect PATH contains|lacks TEXT | expect PATH <<END | expect error TEXT <<END",
	  .machine = true, .block = true, .block_is_commands = is_expect_error, .run = cmd_expect },
	{ "check", "run mm_check() and fail the script on any problem", NULL, .machine = true,
	  .run = cmd_check },
	{ "value", "compute a number (terms joined by + and -: numbers, $var.field, PATH:FIELD); print it or keep it",
	  expr_args, .result = "NAME", .prints = true, .gives = &value_number, .machine = true,
	  .run = cmd_value },
	{ NULL },
};
