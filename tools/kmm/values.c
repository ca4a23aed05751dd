/*
 * values.c - the script's variables and what they hold: assignment,
 * lookup, $NAME and $NAME.field in any text, and the generic side of a
 * value kind (fields by name, echo's text, show, release), which only
 * goes through the kind's definition (struct value_type, runtime.h).
 *
 * Two kinds live here because every subsystem uses them: numbers, and
 * "nothing" (what a variable holds once the machine it pointed into has
 * shut down).  The others live with their commands and are registered in
 * commands.c.
 *
 * Variables are allocated one by one, so that a struct value * a command
 * holds stays valid while the command assigns new variables.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tools/kmm/command.h"

/* ---- the two kinds every script has ---- */

static void none_format(const void *data, char *buf, size_t size)
{
	snprintf(buf, size, "(nothing)");
}

const struct value_type value_none = {
	.name = "nothing",
	.noun = "nothing (the machine it pointed into is gone)",
	.fields = (const struct value_field[]){ { NULL } },
	.format = none_format,
};

static int number_value(const void *data, long long *out, char *err, size_t errlen)
{
	*out = ((const struct number_value *)data)->n;
	return 0;
}

static void number_format(const void *data, char *buf, size_t size)
{
	snprintf(buf, size, "%lld", ((const struct number_value *)data)->n);
}

const struct value_type value_number = {
	.name = "number",
	.noun = "a number",
	.made_by = "value, ksize, read, kmem_cache_shrink",
	.size = sizeof(struct number_value),
	.fields = (const struct value_field[]){ { "value", number_value, true }, { NULL } },
	.format = number_format,
};

/* ---- a value, through its kind ---- */

bool value_holds(const struct value *v)
{
	return !v->type->holds || v->type->holds(v->data);
}

int value_field(const struct value *v, const char *field, long long *out, char *err,
		size_t errlen)
{
	const struct value_field *f;
	size_t n = 0;

	for (f = v->type->fields; f && f->name; f++)
		if (!strcmp(f->name, field))
			break;
	if (f && f->name) {
		if (!f->always && !value_holds(v)) {
			snprintf(err, errlen, "the variable %s", v->type->empty);
			return -1;
		}
		return f->get(v->data, out, err, errlen);
	}
	n = snprintf(err, errlen, "no field '%s' here", field);
	for (f = v->type->fields; f && f->name && n < errlen; f++)
		n += snprintf(err + n, errlen - n, "%s%s", f == v->type->fields ? " (fields: " : ", ",
			      f->name);
	if (v->type->fields && v->type->fields[0].name && n < errlen)
		snprintf(err + n, errlen - n, ")");
	else if (n < errlen)
		snprintf(err + n, errlen - n, ": it holds %s", v->type->noun);
	return -1;
}

void value_format(const struct value *v, char *buf, size_t size)
{
	v->type->format(v->data, buf, size);
}

void value_show(FILE *out, const char *word, const struct value *v)
{
	char text[128];

	if (v->type->show) {
		v->type->show(out, word, v->data);
		return;
	}
	value_format(v, text, sizeof(text));
	fprintf(out, "%s: %s\n", word, text);
}

void value_release(struct value *v)
{
	if (v->data && v->type->release)
		v->type->release(v->data);
	free(v->data);
	v->type = &value_none;
	v->data = NULL;
}

/* ---- variables ---- */

struct value *rt_lookup(struct runtime *rt, const char *name)
{
	for (int i = 0; i < rt->nvars; i++)
		if (!strcmp(rt->vars[i]->name, name))
			return &rt->vars[i]->v;
	return NULL;
}

void *rt_assign(struct runtime *rt, const char *name, const struct value_type *type)
{
	struct value *v = rt_lookup(rt, name);

	if (v) {
		value_release(v);
	} else {
		struct variable *var = calloc(1, sizeof(*var));

		if (rt->nvars == rt->capvars) {
			rt->capvars = rt->capvars ? 2 * rt->capvars : 16;
			rt->vars = realloc(rt->vars, rt->capvars * sizeof(*rt->vars));
		}
		var->name = strdup(name);
		rt->vars[rt->nvars++] = var;
		v = &var->v;
	}
	v->type = type;
	v->data = calloc(1, type->size ? type->size : 1);
	return v->data;
}

void *rt_result(struct runtime *rt, struct script_cmd *c, const struct value_type *type)
{
	return c->assign ? rt_assign(rt, c->assign, type) : NULL;
}

void rt_give_num(struct runtime *rt, struct script_cmd *c, long long n, const char *fmt)
{
	struct number_value *v = rt_result(rt, c, &value_number);

	if (v)
		v->n = n;
	else
		fprintf(rt->out, fmt, n);
}

/* ---- expansion ---- */

/* Append @n bytes of @s to the growing string *@out. */
static void append(char **out, size_t *len, size_t *cap, const char *s, size_t n)
{
	while (*len + n + 1 > *cap)
		*out = realloc(*out, *cap *= 2);
	memcpy(*out + *len, s, n);
	*len += n;
	(*out)[*len] = '\0';
}

/* An identifier at @p (letters, digits, _), at most @size - 1 of them; returns its end. */
static const char *ident(const char *p, char *buf, size_t size)
{
	size_t n = 0;

	while ((isalnum((unsigned char)*p) || *p == '_') && n < size - 1)
		buf[n++] = *p++;
	buf[n] = '\0';
	return p;
}

char *rt_expand(struct runtime *rt, struct script_cmd *c, const char *in)
{
	size_t cap = strlen(in) + 64, len = 0;
	char *out = malloc(cap);

	out[0] = '\0';
	for (const char *p = in; *p;) {
		char name[64], field[64] = "", piece[128], err[512];
		struct value *v;
		long long x;

		if (*p != '$' || !(isalpha((unsigned char)p[1]) || p[1] == '_')) {
			append(&out, &len, &cap, p++, 1);
			continue;
		}
		p = ident(p + 1, name, sizeof(name));
		if (*p == '.' && isalpha((unsigned char)p[1]))
			p = ident(p + 1, field, sizeof(field));
		v = rt_lookup(rt, name);
		if (!v) {
			free(out);
			rt_error(rt, c, "unknown variable $%s", name);
			return NULL;
		}
		if (field[0]) {
			if (value_field(v, field, &x, err, sizeof(err))) {
				free(out);
				rt_error(rt, c, "$%s.%s: %s", name, field, err);
				return NULL;
			}
			snprintf(piece, sizeof(piece), "%lld", x);
		} else {
			value_format(v, piece, sizeof(piece));
		}
		append(&out, &len, &cap, piece, strlen(piece));
	}
	return out;
}

/* CRC-32 (IEEE), bit by bit: checksums compare memory, speed is not the point. */
unsigned int crc32_update(unsigned int crc, const unsigned char *p, unsigned long n)
{
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return crc;
}
