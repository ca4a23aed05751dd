/*
 * commands.c - the tables: every group of scenario commands and every
 * kind of value a variable can hold; and what the tables say as text:
 * a command's usage line (in errors too), `kmm --help`'s lists, and
 * `kmm help NAME` for one command or one kind of value.
 *
 * A new subsystem's commands are one more row of command_groups (and a
 * file of their own); a new kind of value is one more row of value_types
 * (and its definition, next to the commands that make it).  Nothing in
 * the help is written per command: it comes from the rows.
 */
#include <string.h>

#include "tools/kmm/command.h"

extern const struct command_def core_commands[];
extern const struct command_def expect_commands[];
extern const struct command_def page_commands[];
extern const struct command_def slab_commands[];
extern const struct command_def task_commands[];
extern const struct command_def mmu_commands[];
extern const struct value_type page_block, page_pool, vm_area_kind;
extern const struct command_def vmalloc_commands[];
extern const struct command_def highmem_commands[];
extern const struct command_def process_commands[];
extern const struct command_def malloc_commands[];
extern const struct command_def pagemap_commands[];
extern const struct command_def madvise_commands[];
extern const struct command_def mremap_commands[];
extern const struct command_def hotplug_commands[];
extern const struct command_def replay_commands[];
extern const struct value_type replay_kind;
extern const struct command_def exec_commands[];
extern const struct value_type exec_kind;
extern const struct command_def file_commands[];
extern const struct value_type slab_object, slab_cache, slab_pool;
void slab_machine_gone(struct runtime *rt);
extern const struct value_type kmap_kind, kmap_atomic_kind;
extern const struct value_type task_kind, mutex_kind, rwsem_kind, completion_kind, spinlock_kind;
void tasks_machine_gone(struct runtime *rt);

const struct command_group command_groups[] = {
	{ "The machine and its files", core_commands },
	{ "Checking", expect_commands },
	{ "The page allocator", page_commands },
	{ "The slab allocator and kmalloc", slab_commands, slab_machine_gone },
	{ "vmalloc, vmap and ioremap", vmalloc_commands },
	{ "Tasks and sleeping locks", task_commands, tasks_machine_gone },
	{ "Page tables and the MMU", mmu_commands },
	{ "Highmem: kmap and kmap_atomic", highmem_commands },
	{ "Processes and their address spaces", process_commands },
	{ "malloc in a process", malloc_commands },
	{ "/proc/PID/pagemap, decoded", pagemap_commands },
	{ "Processes: madvise, mlock, mincore, limits", madvise_commands },
	{ "Processes: mprotect and mremap", mremap_commands },
	{ "Memory hotplug", hotplug_commands },
	{ "Replaying strace logs of real programs", replay_commands },
	{ "Running programs: exec", exec_commands },
	{ "Files: open, mmap of host and tmpfs files, msync, truncate", file_commands },
	{ NULL },
};

const struct value_type *const value_types[] = {
	&value_number, &page_block, &page_pool, &slab_object, &slab_cache, &slab_pool, &vm_area_kind,
	&task_kind, &mutex_kind, &rwsem_kind, &completion_kind, &spinlock_kind, &kmap_kind,
	&kmap_atomic_kind, &replay_kind, &exec_kind, NULL,
};

const struct command_def *command_find(const char *name)
{
	for (const struct command_group *g = command_groups; g->title; g++)
		for (const struct command_def *d = g->cmds; d->name; d++)
			if (!strcmp(d->name, name))
				return d;
	return NULL;
}

const struct value_type *value_type_find(const char *name)
{
	for (int i = 0; value_types[i]; i++)
		if (!strcmp(value_types[i]->name, name))
			return value_types[i];
	return NULL;
}

/* ---- usage lines and help ---- */

#define APPEND(buf, size, n, ...)						\
	do {									\
		if ((n) < (size))						\
			(n) += snprintf((buf) + (n), (size) - (n), __VA_ARGS__); \
	} while (0)

static const char *meta(const struct arg_def *d)
{
	return d->meta ? d->meta : d->type->meta;
}

/* "[order=N]", "count=N", "SIZE", "[TEXT]", "BYTE..." */
static size_t arg_synopsis(char *buf, size_t size, const struct arg_def *d)
{
	bool opt = !(d->flags & ARG_REQUIRED);
	size_t n = 0;

	if (d->flags & ARG_POS)
		APPEND(buf, size, n, "%s%s%s%s", opt ? "[" : "", meta(d),
		       (d->flags & ARG_REPEAT) && !(d->type->flags & ARGT_FREE) ? "..." : "",
		       opt ? "]" : "");
	else
		APPEND(buf, size, n, "%s%s=%s%s", opt ? "[" : "", d->name, meta(d), opt ? "]" : "");
	return n;
}

void command_usage(const struct command_def *d, char *buf, size_t size)
{
	size_t n = 0;

	if (d->usage) {
		snprintf(buf, size, "%s", d->usage);
		return;
	}
	buf[0] = '\0';
	if (d->result)
		APPEND(buf, size, n, d->prints ? "[%s =] " : "%s = ", d->result);
	APPEND(buf, size, n, "%s", d->name);
	/* Positionals first, then keys, then the contexts' keys. */
	for (int pass = 0; pass < 2; pass++)
		for (const struct arg_def *a = d->args; a && a->name; a++)
			if (!!(a->flags & ARG_POS) == !pass) {
				APPEND(buf, size, n, " ");
				if (n < size)
					n += arg_synopsis(buf + n, size - n, a);
			}
	for (int i = 0; contexts[i]; i++)
		if (command_contexts(d) & contexts[i]->bit) {
			APPEND(buf, size, n, " ");
			if (n < size)
				n += arg_synopsis(buf + n, size - n, &contexts[i]->arg);
		}
}

/* "ok, pfn, order, pages" */
static void field_list(char *buf, size_t size, const struct value_type *t)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct value_field *f = t->fields; f && f->name; f++)
		APPEND(buf, size, n, "%s%s", n ? ", " : "", f->name);
}

void help_commands(FILE *out)
{
	char usage[512], fields[512];

	for (const struct command_group *g = command_groups; g->title; g++) {
		fprintf(out, "\n%s:\n", g->title);
		for (const struct command_def *d = g->cmds; d->name; d++) {
			command_usage(d, usage, sizeof(usage));
			fprintf(out, "  %-60s %s\n", usage, d->help);
		}
	}
	fprintf(out, "\nValues ($NAME, $NAME.field; kmm help KIND):\n");
	for (int i = 0; value_types[i]; i++) {
		field_list(fields, sizeof(fields), value_types[i]);
		fprintf(out, "  %-12s %s%s%s%s%s\n", value_types[i]->name, value_types[i]->noun,
			value_types[i]->made_by ? ", made by " : "",
			value_types[i]->made_by ? value_types[i]->made_by : "",
			fields[0] ? "; fields: " : "", fields);
	}
}

/* "  [order=N]   the block is 2^order pages (0 to 63; default 0)" */
static void help_arg(FILE *out, const struct arg_def *d)
{
	char syn[128], extra[256];
	size_t n = 0;

	arg_synopsis(syn, sizeof(syn), d);
	extra[0] = '\0';
	if ((d->flags & ARG_RANGE) && d->max == ARG_NO_MAX)
		APPEND(extra, sizeof(extra), n, "at least %lld", d->min);
	else if (d->flags & ARG_RANGE)
		APPEND(extra, sizeof(extra), n, "%lld to %lld", d->min, d->max);
	if (d->def_text)
		APPEND(extra, sizeof(extra), n, "%sdefault %s", n ? "; " : "", d->def_text);
	if (d->kinds && (d->kinds[1] || !d->help)) {
		for (int i = 0; d->kinds[i]; i++)
			APPEND(extra, sizeof(extra), n, "%s%s", i ? " or " : (n ? "; " : ""),
			       d->kinds[i]->noun);
	}
	fprintf(out, "  %-22s %s%s%s%s\n", syn, d->help ? d->help : d->type->help,
		extra[0] ? " (" : "", extra, extra[0] ? ")" : "");
}

static void help_command(FILE *out, const struct command_def *d)
{
	char usage[512], fields[512];
	bool any = false;

	command_usage(d, usage, sizeof(usage));
	fprintf(out, "usage: %s\n%s\n", usage, d->help);
	for (const struct arg_def *a = d->args; a && a->name; a++) {
		if (a->type == &arg_words)
			continue;	/* its own grammar: the help sentence says it */
		if (!any)
			fprintf(out, "\narguments:\n");
		any = true;
		help_arg(out, a);
	}
	for (int i = 0; contexts[i]; i++)
		if (command_contexts(d) & contexts[i]->bit) {
			if (!any)
				fprintf(out, "\narguments:\n");
			any = true;
			help_arg(out, &contexts[i]->arg);
		}
	if (d->gives) {
		field_list(fields, sizeof(fields), d->gives);
		fprintf(out, "\ngives %s; fields: %s\n", d->gives->noun, fields);
	}
}

static void help_value(FILE *out, const struct value_type *t)
{
	char fields[512];

	field_list(fields, sizeof(fields), t);
	fprintf(out, "%s: %s%s%s\n", t->name, t->noun, t->made_by ? ", made by " : "",
		t->made_by ? t->made_by : "");
	if (fields[0])
		fprintf(out, "fields: %s\n", fields);
	if (t->empty)
		fprintf(out, "a variable of this kind may hold nothing: it then %s; $NAME.ok says which\n",
			t->empty);
}

int help_topic(FILE *out, const char *name)
{
	const struct command_def *d = command_find(name);
	const struct value_type *t = value_type_find(name);

	if (d)
		help_command(out, d);
	if (t)
		help_value(out, t);
	return d || t ? 0 : -1;
}
