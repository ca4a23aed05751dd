/*
 * args.c - a command's arguments, from its table to the values its run
 * function receives (see command.h).
 *
 * When a command runs, each word given is matched to its definition
 * (positionals in table order, key=value by key), expanded ($var,
 * $var.field) unless its type takes it as written, parsed by its type,
 * and checked against the definition's range, words and kinds; an
 * argument not given keeps its default.  Every error names the argument
 * as it was written ("order=three", "size -1") and stops the command
 * before it does anything.  The parser's checks (keys, positional counts)
 * come from the same tables (command_takes_key...).
 *
 * The argument types are here: number, size, order, gfp mask, node, CPU,
 * string, word, variable, text, expression words, duration.  A subsystem
 * with arguments of its own (slab flags) defines its types next to its
 * commands.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/gfp.h>
#include <kmm/kernel.h>
#include <kmm/mm.h>
#include <kmm/percpu.h>
#include "tools/kmm/command.h"

/* "order=3" for key=value arguments, "size 3" for positional ones. */
static void label(char *buf, size_t size, const struct arg_def *d, const char *text)
{
	snprintf(buf, size, "%s%s%s", d->name, d->flags & ARG_POS ? " " : "=", text);
}

/* ---- numbers ---- */

/* A number as memparse() reads it, with a sign: 12, 0x1f, 010, 64K, -3. */
static bool parse_ll(const char *s, long long *out)
{
	unsigned long long v;
	bool neg = *s == '-';
	char *end;

	if (neg)
		s++;
	v = memparse(s, &end);
	if (end == s || *end)
		return false;
	*out = neg ? -(long long)v : (long long)v;
	return true;
}

/* One of the argument's words?  Sets out->word. */
static bool match_word(const struct arg_def *d, const char *text, struct arg_val *out)
{
	for (int i = 0; d->words && d->words[i]; i++)
		if (!strcmp(text, d->words[i])) {
			out->word = i;
			return true;
		}
	return false;
}

static int parse_number(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
			const char *text, struct arg_val *out)
{
	if (match_word(d, text, out))
		return 0;
	if (!parse_ll(text, &out->num))
		return rt_error(rt, c, "%s: '%s' is not a number", d->name, text);
	return 0;
}

/* The size= of a memory access (kread, load...): 1, 2, 4 or 8; or -1 reported. */
int arg_access_size(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	long long size = arg_num(a, "size");

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return rt_error(rt, c, "%s: size=%lld: 1, 2, 4 or 8 bytes", c->def->name, size);
	return (int)size;
}

/* ARG_RANGE: "kmalloc: size -1 is negative", "write: byte 300 is out of range (0 to 255)". */
static int check_range(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
		       const char *text, const struct arg_val *v)
{
	char l[160];

	if (!(d->flags & ARG_RANGE) || v->word >= 0 || (v->num >= d->min && v->num <= d->max))
		return 0;
	label(l, sizeof(l), d, text);
	if (v->num < 0 && d->min == 0)
		return rt_error(rt, c, "%s: %s is negative", c->def->name, l);
	if (d->max == ARG_NO_MAX)
		return rt_error(rt, c, "%s: %s is too small (at least %lld)", c->def->name, l, d->min);
	return rt_error(rt, c, "%s: %s is out of range (%lld to %lld)", c->def->name, l, d->min,
			d->max);
}

const struct arg_type arg_number = {
	"number", "N", "a number: decimal, 0x hex or 0 octal, K/M/G/T suffixes (powers of 1024)",
	0, parse_number,
};

const struct arg_type arg_size = {
	"size", "SIZE", "bytes: a number with an optional K, M, G or T suffix", 0, parse_number,
};

static int parse_order(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
		       const char *text, struct arg_val *out)
{
	char l[160];

	if (parse_number(rt, c, d, text, out))
		return -1;
	label(l, sizeof(l), d, text);
	if (out->num >= MAX_ORDER)
		return rt_error(rt, c, "%s %s: the largest order is %d", c->def->name, l,
				MAX_ORDER - 1);
	if (out->num < 0)
		return rt_error(rt, c, "%s %s: an order is not negative", c->def->name, l);
	return 0;
}

const struct arg_type arg_order = {
	"order", "N", "a buddy order: 2^N pages, 0 to 10", 0, parse_order,
};

/* ---- gfp masks ---- */

static const struct {
	const char *name;
	unsigned int mask;
} gfp_names[] = {
	{ "GFP_NOWAIT", GFP_NOWAIT }, { "GFP_ATOMIC", GFP_ATOMIC }, { "GFP_NOIO", GFP_NOIO },
	{ "GFP_NOFS", GFP_NOFS }, { "GFP_KERNEL", GFP_KERNEL }, { "GFP_TEMPORARY", GFP_TEMPORARY },
	{ "GFP_USER", GFP_USER }, { "GFP_HIGHUSER", GFP_HIGHUSER },
	{ "GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE }, { "GFP_IOFS", GFP_IOFS },
	{ "GFP_THISNODE", GFP_THISNODE }, { "GFP_DMA", GFP_DMA }, { "GFP_DMA32", GFP_DMA32 },
	{ "__GFP_DMA", __GFP_DMA }, { "__GFP_HIGHMEM", __GFP_HIGHMEM },
	{ "__GFP_DMA32", __GFP_DMA32 }, { "__GFP_MOVABLE", __GFP_MOVABLE },
	{ "__GFP_WAIT", __GFP_WAIT }, { "__GFP_HIGH", __GFP_HIGH }, { "__GFP_IO", __GFP_IO },
	{ "__GFP_FS", __GFP_FS }, { "__GFP_COLD", __GFP_COLD }, { "__GFP_NOWARN", __GFP_NOWARN },
	{ "__GFP_REPEAT", __GFP_REPEAT }, { "__GFP_NOFAIL", __GFP_NOFAIL },
	{ "__GFP_NORETRY", __GFP_NORETRY }, { "__GFP_COMP", __GFP_COMP },
	{ "__GFP_ZERO", __GFP_ZERO }, { "__GFP_NOMEMALLOC", __GFP_NOMEMALLOC },
	{ "__GFP_HARDWALL", __GFP_HARDWALL }, { "__GFP_THISNODE", __GFP_THISNODE },
	{ "__GFP_RECLAIMABLE", __GFP_RECLAIMABLE },
};

/* "GFP_KERNEL|__GFP_ZERO", "0xd0", or "GFP_KERNEL|0x8000". */
static int gfp_parse(const char *s, unsigned int *out)
{
	unsigned int mask = 0;
	char buf[256], *tok, *save = NULL;

	if (!s || !*s || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		char *end;
		unsigned long v;
		size_t i;

		for (i = 0; i < sizeof(gfp_names) / sizeof(gfp_names[0]); i++)
			if (!strcmp(tok, gfp_names[i].name))
				break;
		if (i < sizeof(gfp_names) / sizeof(gfp_names[0])) {
			mask |= gfp_names[i].mask;
			continue;
		}
		v = strtoul(tok, &end, 0);
		if (end == tok || *end || v > __GFP_BITS_MASK)
			return -1;
		mask |= v;
	}
	*out = mask;
	return 0;
}

static int parse_gfp(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
		     const char *text, struct arg_val *out)
{
	unsigned int mask;

	if (gfp_parse(text, &mask))
		return rt_error(rt, c, "%s=%s: not a gfp mask (e.g. GFP_KERNEL|__GFP_ZERO, or a number)",
				d->name, text);
	out->num = mask;
	return 0;
}

const struct arg_type arg_gfp = {
	"gfp mask", "FLAGS",
	"GFP_ and __GFP_ names joined by | (GFP_KERNEL|__GFP_ZERO), or a number", 0, parse_gfp,
};

/* ---- nodes and CPUs ---- */

static int parse_node(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
		      const char *text, struct arg_val *out)
{
	char l[160];

	if (parse_number(rt, c, d, text, out))
		return -1;
	label(l, sizeof(l), d, text);
	if (out->num < -1 || out->num >= MAX_NUMNODES || (out->num >= 0 && !node_online(out->num)))
		return rt_error(rt, c, "%s: the machine has no such node", l);
	return 0;
}

const struct arg_type arg_node = {
	"node", "N", "a node of the machine (-1: the CPU's own)", 0, parse_node,
};

static int parse_cpu(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
		     const char *text, struct arg_val *out)
{
	char l[160];

	if (parse_number(rt, c, d, text, out))
		return -1;
	if (out->word >= 0)
		return 0;
	label(l, sizeof(l), d, text);
	if (out->num < 0 || out->num >= nr_cpu_ids)
		return rt_error(rt, c, "%s: the machine has no such CPU", l);
	return 0;
}

const struct arg_type arg_cpu = {
	"CPU", "N", "a CPU of the machine, from 0", 0, parse_cpu,
};

/* ---- words and text ---- */

static int parse_string(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
			const char *text, struct arg_val *out)
{
	out->str = strdup(text);
	return 0;
}

const struct arg_type arg_string = {
	"string", "TEXT", "a word, or \"quoted text\"", 0, parse_string,
};

/* "dmesg: unknown option '-x' (-c prints then clears, -C clears)": the help says what is known. */
static int parse_word(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
		      const char *text, struct arg_val *out)
{
	if (match_word(d, text, out))
		return 0;
	return rt_error(rt, c, "%s: unknown %s '%s' (%s)", c->def->name, d->name, text, d->help);
}

const struct arg_type arg_word = {
	"word", "WORD", "one of the words listed", 0, parse_word,
};

const struct arg_type arg_text = {
	"text", "TEXT", "the rest of the line, $variables expanded", ARGT_REST | ARGT_FREE,
	parse_string,
};

static int parse_nothing(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
			 const char *text, struct arg_val *out)
{
	return 0;
}

/* The command reads its words itself (c->argv): expect's and value's expressions. */
const struct arg_type arg_words = {
	"words", "WORD...", "words the command reads itself", ARGT_RAW | ARGT_FREE, parse_nothing,
};

/* sleep 20ms / 5s / 100us / 1000ns: nanoseconds. */
static int parse_duration(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
			  const char *text, struct arg_val *out)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = { { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { "ns", 1 } };
	char *end;
	double v = strtod(text, &end);

	for (size_t i = 0; end != text && v >= 0 && i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit)) {
			out->num = (long long)(unsigned long long)(v * units[i].ns);
			return 0;
		}
	return rt_error(rt, c, "%s %s: need a duration such as 20ms, 5s, 100us", c->def->name,
			text);
}

const struct arg_type arg_duration = {
	"duration", "DURATION", "a time: 20ms, 5s, 100us, 1000ns", 0, parse_duration,
};

/* ---- variables ---- */

/* "a block of pages or a pool of blocks" */
static void kinds_text(char *buf, size_t size, const struct value_type *const *kinds)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; kinds[i] && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s", i ? " or " : "", kinds[i]->noun);
	if (kinds[0] && !kinds[1] && kinds[0]->made_by && n < size)
		snprintf(buf + n, size - n, " (made by %s)", kinds[0]->made_by);
}

static int parse_var(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
		     const char *text, struct arg_val *out)
{
	struct value *v;
	char kinds[256];
	bool ok = !d->kinds;

	if (text[0] != '$')
		return rt_error(rt, c, "%s: need a variable ($name) instead of %s", c->def->name,
				text);
	v = rt_lookup(rt, text + 1);
	if (!v)
		return rt_error(rt, c, "unknown variable %s", text);
	for (int i = 0; d->kinds && d->kinds[i]; i++)
		ok |= v->type == d->kinds[i];
	if (!ok) {
		kinds_text(kinds, sizeof(kinds), d->kinds);
		return rt_error(rt, c, "%s: %s is not %s", c->def->name, text, kinds);
	}
	if ((d->flags & ARG_PRESENT) && !value_holds(v))
		return rt_error(rt, c, "%s: %s %s", c->def->name, text, v->type->empty);
	out->var = v;
	return 0;
}

const struct arg_type arg_var = {
	"variable", "$NAME", "a variable holding a value of the kinds listed", ARGT_RAW, parse_var,
};

/* ---- the tables, for the parser ---- */

/* Each definition of @d: its own arguments, then those of the contexts it takes. */
static int all_defs(const struct command_def *d, const struct arg_def **defs, int max)
{
	int n = 0;

	for (const struct arg_def *a = d->args; a && a->name && n < max; a++)
		defs[n++] = a;
	for (int i = 0; contexts[i] && n < max; i++)
		if (command_contexts(d) & contexts[i]->bit)
			defs[n++] = &contexts[i]->arg;
	return n;
}

bool command_takes_key(const struct command_def *d, const char *key)
{
	const struct arg_def *defs[MAX_ARGS];
	int n = all_defs(d, defs, MAX_ARGS);

	for (int i = 0; i < n; i++)
		if (!(defs[i]->flags & ARG_POS) && !strcmp(defs[i]->name, key))
			return true;
	return false;
}

void command_positionals(const struct command_def *d, int *min, int *max)
{
	*min = *max = 0;
	for (const struct arg_def *a = d->args; a && a->name; a++) {
		if (!(a->flags & ARG_POS))
			continue;
		*min += !!(a->flags & ARG_REQUIRED);
		if ((a->flags & ARG_REPEAT) || (a->type->flags & ARGT_REST))
			*max = INT_MAX;
		else if (*max < INT_MAX)
			(*max)++;
	}
}

bool command_raw(const struct command_def *d)
{
	return d->args && d->args[0].name && (d->args[0].flags & ARG_POS) &&
	       (d->args[0].type->flags & ARGT_REST);
}

bool command_free_form(const struct command_def *d)
{
	for (const struct arg_def *a = d->args; a && a->name; a++)
		if ((a->flags & ARG_POS) && (a->type->flags & ARGT_FREE))
			return true;
	return false;
}

/* ---- parsing a command's arguments ---- */

const struct arg_val *arg(const struct cmd_args *a, const char *name)
{
	for (int i = 0; i < a->n; i++)
		if (!strcmp(a->defs[i]->name, name))
			return &a->v[i];
	fprintf(stderr, "kmm: command %s has no argument '%s' in its table\n", a->def->name, name);
	abort();
}

/* Parse one word: expanded unless the type takes it raw. */
static int parse_one(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
		     const char *written, struct arg_val *out)
{
	char *text = d->type->flags & ARGT_RAW ? strdup(written) : rt_expand(rt, c, written);
	int r;

	if (!text)
		return -1;
	out->written = written;
	out->given = true;
	r = d->type->parse(rt, c, d, text, out);
	if (!r)
		r = check_range(rt, c, d, text, out);
	if (out->str != text)
		free(text);
	return r;
}

/* Every positional word from the @from-th on, as numbers (ARG_REPEAT). */
static int parse_repeat(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
			int from, struct arg_val *out)
{
	int pos = 0;

	for (int i = 0; i < c->argc; i++) {
		struct arg_val one = { .word = -1 };

		if (c->argv[i].key || pos++ < from)
			continue;
		if (parse_one(rt, c, d, c->argv[i].value, &one))
			return -1;
		free(one.str);
		out->items = realloc(out->items, (out->nitems + 1) * sizeof(*out->items));
		out->items[out->nitems++] = one.num;
		out->given = true;
		out->written = c->argv[i].value;
	}
	return 0;
}

static const char *positional(const struct script_cmd *c, int idx)
{
	for (int i = 0; i < c->argc; i++)
		if (!c->argv[i].key && idx-- == 0)
			return c->argv[i].value;
	return NULL;
}

static const char *keyed(const struct script_cmd *c, const char *key)
{
	for (int i = 0; i < c->argc; i++)
		if (c->argv[i].key && !strcmp(c->argv[i].key, key))
			return c->argv[i].value;	/* the first one given */
	return NULL;
}

/* @a is zeroed but for its outer link. */
int args_parse(struct runtime *rt, struct script_cmd *c, struct cmd_args *a)
{
	int pos = 0;

	a->def = c->def;
	a->n = all_defs(c->def, a->defs, MAX_ARGS);
	for (int i = 0; i < a->n; i++) {
		a->v[i].num = a->defs[i]->def;
		a->v[i].word = -1;
	}
	for (int i = 0; i < a->n; i++) {
		const struct arg_def *d = a->defs[i];
		struct arg_val *v = &a->v[i];
		const char *w;

		if (d->type->flags & ARGT_REST) {
			/* The raw line after the command word, or after the first argument. */
			w = pos == 0 ? c->rest : c->tail;
			pos++;
			if (parse_one(rt, c, d, w ? w : "", v))
				return -1;
			continue;
		}
		if (d->type == &arg_words) {
			v->given = c->argc > 0;	/* the command reads c->argv itself */
			continue;
		}
		if (d->flags & ARG_REPEAT) {
			if (parse_repeat(rt, c, d, pos, v))
				return -1;
			continue;
		}
		w = d->flags & ARG_POS ? positional(c, pos++) : keyed(c, d->name);
		if (w && parse_one(rt, c, d, w, v))
			return -1;
		if (!w && (d->flags & ARG_REQUIRED)) {
			char usage[256];

			command_usage(c->def, usage, sizeof(usage));
			return rt_error(rt, c, "%s: missing %s (usage: %s)", c->def->name, d->name,
					usage);
		}
	}
	return 0;
}

void args_free(struct cmd_args *a)
{
	for (int i = 0; i < a->n; i++) {
		free(a->v[i].str);
		free(a->v[i].items);
	}
	a->n = 0;
}
