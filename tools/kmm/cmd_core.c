/*
 * cmd_core.c - the scenario commands every script uses: boot, shutdown,
 * cat, set, dmesg, echo, cpu, tick, sleep, expect, check.
 */
#include <stdlib.h>
#include <string.h>

#include <kmm/errno.h>
#include <kmm/kmm.h>
#include <kmm/mm_check.h>
#include <kmm/params.h>
#include <kmm/printk.h>
#include <kmm/procfs.h>
#include <kmm/seq_file.h>
#include "tools/kmm/script.h"

static int cmd_boot(struct runtime *rt, struct script_cmd *c)
{
	char *opts;
	int err;

	if (rt->booted && rt->auto_booted)
		return rt_error(rt, c, "boot: must come before the first command that uses the machine (the default machine is running)");
	if (rt->booted)
		return rt_error(rt, c, "boot: a machine is already running (use shutdown first)");
	opts = rt_expand(rt, c, c->rest);
	if (!opts)
		return -1;
	err = rt_boot(rt, c, opts);
	free(opts);
	if (err)
		return rt_error(rt, c, "boot: %s", kmm_error_msg());
	rt->booted = true;
	rt->auto_booted = false;
	rt->boot_count++;
	return 0;
}

static int cmd_shutdown(struct runtime *rt, struct script_cmd *c)
{
	if (!rt->booted)
		return rt_error(rt, c, "shutdown: no machine is running");
	kmm_shutdown();
	rt->booted = false;
	/* Variables pointing into the old machine are meaningless now. */
	rt_machine_gone(rt);
	return 0;
}

static int cmd_cat(struct runtime *rt, struct script_cmd *c)
{
	char *path = rt_pos(rt, c, 0), *text;

	if (!path || rt_kernel_cmd(rt, c)) {
		free(path);
		return -1;
	}
	text = rt_read_file(rt, c, path);
	free(path);
	if (!text)
		return -1;
	fputs(text, rt->out);
	free(text);
	return 0;
}

static int cmd_set(struct runtime *rt, struct script_cmd *c)
{
	char *path = rt_pos(rt, c, 0), *value = NULL;
	int err;

	if (!path || rt_kernel_cmd(rt, c)) {
		free(path);
		return -1;
	}
	/* The value is the raw rest of the line after the path. */
	value = rt_expand(rt, c, c->tail);
	if (!value) {
		free(path);
		return -1;
	}
	kmm_error_clear();
	err = proc_write(path, value);
	if (err == -ENOENT)
		rt_error(rt, c, "set %s: no such file", path);
	else if (err)
		rt_error(rt, c, "set %s: %s", path, kmm_error_msg()[0] ? kmm_error_msg() : "refused");
	free(path);
	free(value);
	return err ? -1 : 0;
}

static int cmd_dmesg(struct runtime *rt, struct script_cmd *c)
{
	char *opt = rt_pos(rt, c, 0), *text;

	if (rt_kernel_cmd(rt, c)) {
		free(opt);
		return -1;
	}
	if (opt && strcmp(opt, "-c") && strcmp(opt, "-C")) {
		rt_error(rt, c, "dmesg: unknown option '%s' (-c prints then clears, -C clears)", opt);
		free(opt);
		return -1;
	}
	if (!opt || strcmp(opt, "-C")) {
		text = rt_read_file(rt, c, "dmesg");
		fputs(text, rt->out);
		free(text);
	}
	if (opt)
		log_buf_clear();
	free(opt);
	return 0;
}

static int cmd_echo(struct runtime *rt, struct script_cmd *c)
{
	char *text = rt_expand(rt, c, c->rest);

	if (!text)
		return -1;
	fprintf(rt->out, "%s\n", text);
	free(text);
	return 0;
}

static int cmd_cpu(struct runtime *rt, struct script_cmd *c)
{
	char *s = rt_pos(rt, c, 0);
	long long cpu;
	int err;

	if (rt_kernel_cmd(rt, c) || rt_number(rt, c, "cpu", s, &cpu)) {
		free(s);
		return -1;
	}
	free(s);
	err = kmm_set_cpu((int)cpu);
	if (err)
		return rt_error(rt, c, "cpu %lld: the machine has no such CPU", cpu);
	return 0;
}

static int cmd_tick(struct runtime *rt, struct script_cmd *c)
{
	char *s = rt_pos(rt, c, 0);
	long long n = 1;

	if (rt_kernel_cmd(rt, c) || (s && rt_number(rt, c, "tick", s, &n))) {
		free(s);
		return -1;
	}
	free(s);
	if (n < 0)
		return rt_error(rt, c, "tick: time does not go backwards");
	kmm_advance_clock((u64)n * (1000000000ULL / 250));
	return 0;
}

/* sleep 20ms / 5s / 100us / 1000ns */
static int cmd_sleep(struct runtime *rt, struct script_cmd *c)
{
	char *s = rt_pos(rt, c, 0), *end;
	double v;
	u64 ns;

	if (rt_kernel_cmd(rt, c)) {
		free(s);
		return -1;
	}
	v = strtod(s, &end);
	if (end == s || v < 0)
		goto bad;
	if (!strcmp(end, "s"))
		ns = v * 1e9;
	else if (!strcmp(end, "ms"))
		ns = v * 1e6;
	else if (!strcmp(end, "us"))
		ns = v * 1e3;
	else if (!strcmp(end, "ns"))
		ns = v;
	else
		goto bad;
	free(s);
	kmm_advance_clock(ns);
	return 0;
bad:
	rt_error(rt, c, "sleep %s: need a duration such as 20ms, 5s, 100us", s);
	free(s);
	return -1;
}

static int cmd_check(struct runtime *rt, struct script_cmd *c)
{
	struct seq_file report;
	int problems;

	if (rt_kernel_cmd(rt, c))
		return -1;
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

/* ---- expect ---- */

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
		r = rt_number(rt, c, "expect", x, out);
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

static int cmd_expect(struct runtime *rt, struct script_cmd *c)
{
	long long l, r;
	int i = 0, op;

	if (rt_kernel_cmd(rt, c))
		return -1;
	if (c->block) {
		char *path = rt_pos(rt, c, 0), *text;

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
	if (c->argc == 3 && (!strcmp(c->argv[1].value, "contains") ||
			     !strcmp(c->argv[1].value, "lacks"))) {
		char *path = rt_pos(rt, c, 0), *needle = rt_expand(rt, c, c->argv[2].value), *text;
		bool want = c->argv[1].value[0] == 'c';

		if (!path || !needle || !(text = rt_read_file(rt, c, path))) {
			free(path);
			free(needle);
			return -1;
		}
		if ((strstr(text, needle) != NULL) != want)
			rt_fail(rt, c, "%s %s \"%s\"", path, want ? "does not contain" : "contains",
				needle);
		free(text);
		free(path);
		free(needle);
		return 0;
	}
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
	{
		bool ok = op == OP_EQ ? l == r : op == OP_NE ? l != r : op == OP_LT ? l < r :
			  op == OP_LE ? l <= r : op == OP_GT ? l > r : l >= r;

		if (!ok)
			rt_fail(rt, c, "%s: the left side is %lld, the right side %lld", c->rest, l, r);
	}
	return 0;
}

/* NAME = value EXPR: remember a number (a field, an arithmetic of terms). */
static int cmd_value(struct runtime *rt, struct script_cmd *c)
{
	long long v;
	int i = 0;

	if (rt_kernel_cmd(rt, c) || eval_expr(rt, c, &i, &v))
		return -1;
	if (i != c->argc)
		return rt_error(rt, c, "value: unexpected '%s'", c->argv[i].value);
	rt_give_num(rt, c, v, "%lld\n");
	return 0;
}

static const char *const no_keys[] = { NULL };

const struct command_def core_commands[] = {
	{ "boot", "boot [OPTION=VALUE...]", "boot the machine (first command; otherwise the default machine boots)",
	  NULL, 0, 64, .raw = true, .run = cmd_boot },
	{ "shutdown", "shutdown", "stop the machine; a new boot may follow", no_keys, 0, 0, .run = cmd_shutdown },
	{ "cat", "cat PATH", "print a /proc or debugfs file", no_keys, 1, 1, .run = cmd_cat },
	{ "set", "set PATH VALUE", "write a /proc/sys or debugfs file", NULL, 1, 32, .run = cmd_set },
	{ "dmesg", "dmesg [-c|-C]", "print the kernel log (-c: then clear it, -C: only clear it)",
	  no_keys, 0, 1, .run = cmd_dmesg },
	{ "echo", "echo TEXT", "print a line, with $variables expanded", NULL, 0, 0, .raw = true,
	  .run = cmd_echo },
	{ "cpu", "cpu N", "run the following kernel operations on CPU N", no_keys, 1, 1, .run = cmd_cpu },
	{ "tick", "tick [N]", "advance the clock by N jiffies (default 1), running due timers",
	  no_keys, 0, 1, .run = cmd_tick },
	{ "sleep", "sleep DURATION", "advance the clock (20ms, 5s...), running due timers", no_keys,
	  1, 1, .run = cmd_sleep },
	{ "expect", "expect A OP B | expect PATH contains|lacks TEXT | expect PATH <<END",
	  "fail the script unless the condition holds", NULL, 1, 64, .block = true, .run = cmd_expect },
	{ "check", "check", "run mm_check() and fail the script on any problem", no_keys, 0, 0,
	  .run = cmd_check },
	{ "value", "[NAME =] value EXPR", "compute a number (terms joined by + and -: numbers, $var.field, PATH:FIELD); print it or keep it",
	  NULL, 1, 64, .assigns = true, .run = cmd_value },
	{ NULL },
};
