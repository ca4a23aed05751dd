/*
 * exec.c - running a parsed script: variables, expansion, the default
 * machine, errors and failures.
 *
 * Exit status of a run: 0 all went well; 1 an expectation or check failed
 * (the run went on to the end); 2 an error stopped the run (bad boot
 * options, unknown variable, a command that could not be carried out);
 * 3 the simulated kernel panicked or hit BUG().
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/bug.h>
#include <kmm/gfp.h>
#include <kmm/errno.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/printk.h>
#include <kmm/procfs.h>
#include <kmm/sched.h>
#include <kmm/seq_file.h>
#include "tools/kmm/script.h"

static jmp_buf stop_run;		/* a panic or BUG ends the run */
static int stop_status;

/*
 * Call sites: a script line as a kernel-text address, so that the "Last
 * user" of an object and the call_site of a trace event are the same from
 * build to build (a host return address moves with every link and every
 * run under ASLR).
 */
#define SITE_BASE_64	0xffffffff81000000UL	/* x86_64: _text */
#define SITE_BASE_32	0xc1000000UL		/* i386: _text (PAGE_OFFSET + 16M) */

static char site_file[256];		/* the running script's file name, for kallsyms */
static int site_lines;			/* its last line */

static unsigned long site_address(bool i386, int line)
{
	return (i386 ? SITE_BASE_32 : SITE_BASE_64) + (unsigned long)line;
}

/* kallsyms' resolver: "FILE:LINE" for the addresses site_address() makes. */
static int site_name(char *buf, size_t size, unsigned long addr)
{
	static const unsigned long bases[] = { SITE_BASE_64, SITE_BASE_32 };

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		if (addr > bases[i] && addr - bases[i] <= (unsigned long)site_lines)
			return snprintf(buf, size, "%s:%lu", site_file, addr - bases[i]);
	return 0;
}

void rt_call_site(struct runtime *rt, struct script_cmd *c)
{
	if (kmm_booted())
		current->call_site = site_address(arch->bits == 32, c->line);
}

int rt_error(struct runtime *rt, struct script_cmd *c, const char *fmt, ...)
{
	va_list ap;

	fflush(rt->out);
	fprintf(stderr, "%s:%d: error: ", rt->filename, c->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

int rt_fail(struct runtime *rt, struct script_cmd *c, const char *fmt, ...)
{
	va_list ap;

	fflush(rt->out);
	fprintf(stderr, "%s:%d: expectation failed: ", rt->filename, c->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	rt->failures++;
	return 0;
}

static void console_to_stderr(const char *text, size_t len)
{
	fwrite(text, 1, len, stderr);
}

static void on_panic(const char *msg)
{
	stop_status = 3;
	longjmp(stop_run, 1);
}

static void on_bug(const char *file, int line)
{
	stop_status = 3;
	longjmp(stop_run, 1);
}

/*
 * The boot runs as swapper (init_task): its allocations get the boot
 * command's line as their call site.  The architecture is not chosen yet,
 * so the options say which form the address takes.
 */
int rt_boot(struct runtime *rt, struct script_cmd *c, const char *opts)
{
	int err;

	init_task.call_site = site_address(strstr(opts, "arch=i386") != NULL, c->line);
	err = kmm_boot(opts, KMM_BOOT_DETERMINISTIC);
	init_task.call_site = 0;
	if (!err)
		rt_call_site(rt, c);
	return err;
}

int rt_ensure_booted(struct runtime *rt, struct script_cmd *c)
{
	if (rt->booted)
		return 0;
	if (rt_boot(rt, c, ""))
		return rt_error(rt, c, "boot: %s", kmm_error_msg());
	rt->booted = true;
	rt->auto_booted = true;
	rt->boot_count++;
	return 0;
}

int rt_kernel_cmd(struct runtime *rt, struct script_cmd *c)
{
	rt->has_run_kernel_cmd = true;
	return rt_ensure_booted(rt, c);
}

void rt_machine_gone(struct runtime *rt)
{
	for (int i = 0; i < rt->nvars; i++)
		value_clear(&rt->vars[i].v);
	slab_release(rt);
	/* The state section put back the boot's call site with the rest of init_task. */
	init_task.call_site = 0;
}

struct value *rt_lookup(struct runtime *rt, const char *name)
{
	for (int i = 0; i < rt->nvars; i++)
		if (!strcmp(rt->vars[i].name, name))
			return &rt->vars[i].v;
	return NULL;
}

void value_clear(struct value *v)
{
	free(v->blocks);
	free(v->objs);
	memset(v, 0, sizeof(*v));
}

struct value *rt_assign(struct runtime *rt, const char *name)
{
	struct value *v = rt_lookup(rt, name);

	if (v) {
		value_clear(v);
		return v;
	}
	if (rt->nvars == rt->capvars) {
		rt->capvars = rt->capvars ? 2 * rt->capvars : 16;
		rt->vars = realloc(rt->vars, rt->capvars * sizeof(*rt->vars));
	}
	rt->vars[rt->nvars].name = strdup(name);
	memset(&rt->vars[rt->nvars].v, 0, sizeof(struct value));
	return &rt->vars[rt->nvars++].v;
}

void rt_give_num(struct runtime *rt, struct script_cmd *c, long long n, const char *fmt)
{
	if (c->assign) {
		struct value *v = rt_assign(rt, c->assign);

		v->kind = VAL_NUM;
		v->num = n;
	} else {
		fprintf(rt->out, fmt, n);
	}
}

/* Expand "$name" and "$name.field" references. */
char *rt_expand(struct runtime *rt, struct script_cmd *c, const char *in)
{
	size_t cap = strlen(in) + 64, len = 0;
	char *out = malloc(cap);

	for (const char *p = in; *p;) {
		char piece[128];
		const char *s = piece;

		if (*p == '$' && (isalpha((unsigned char)p[1]) || p[1] == '_')) {
			char name[64], field[64] = "";
			const char *q = p + 1;
			size_t n = 0;
			struct value *v;

			while ((isalnum((unsigned char)*q) || *q == '_') && n < sizeof(name) - 1)
				name[n++] = *q++;
			name[n] = '\0';
			if (*q == '.' && isalpha((unsigned char)q[1])) {
				n = 0;
				q++;
				while ((isalnum((unsigned char)*q) || *q == '_') && n < sizeof(field) - 1)
					field[n++] = *q++;
				field[n] = '\0';
			}
			v = rt_lookup(rt, name);
			if (!v) {
				free(out);
				rt_error(rt, c, "unknown variable $%s", name);
				return NULL;
			}
			if (field[0]) {
				long long x;
				char err[160];

				if (value_field(rt, v, field, &x, err, sizeof(err))) {
					free(out);
					rt_error(rt, c, "$%s.%s: %s", name, field, err);
					return NULL;
				}
				snprintf(piece, sizeof(piece), "%lld", x);
			} else {
				value_format(v, piece, sizeof(piece));
			}
			p = q;
		} else {
			piece[0] = *p++;
			piece[1] = '\0';
		}
		size_t n = strlen(s);

		while (len + n + 1 > cap)
			out = realloc(out, cap *= 2);
		memcpy(out + len, s, n);
		len += n;
	}
	out[len] = '\0';
	return out;
}

char *rt_arg(struct runtime *rt, struct script_cmd *c, const char *key)
{
	for (int i = 0; i < c->argc; i++)
		if (c->argv[i].key && !strcmp(c->argv[i].key, key))
			return rt_expand(rt, c, c->argv[i].value);
	return NULL;
}

char *rt_pos(struct runtime *rt, struct script_cmd *c, int idx)
{
	for (int i = 0; i < c->argc; i++)
		if (!c->argv[i].key && idx-- == 0)
			return rt_expand(rt, c, c->argv[i].value);
	return NULL;
}

int rt_number(struct runtime *rt, struct script_cmd *c, const char *what, const char *s,
	      long long *out)
{
	char *end;
	unsigned long long v;
	int neg = 0;

	if (!s)
		return rt_error(rt, c, "%s: missing value", what);
	if (*s == '-') {
		neg = 1;
		s++;
	}
	v = memparse(s, &end);
	if (end == s || *end)
		return rt_error(rt, c, "%s: '%s%s' is not a number", what, neg ? "-" : "", s);
	*out = neg ? -(long long)v : (long long)v;
	return 0;
}

int rt_gfp(struct runtime *rt, struct script_cmd *c, const char *s, unsigned int *out)
{
	if (gfp_parse(s, out))
		return rt_error(rt, c, "gfp=%s: not a gfp mask (e.g. GFP_KERNEL|__GFP_ZERO, or a number)",
				s);
	return 0;
}

int rt_opt_number(struct runtime *rt, struct script_cmd *c, const char *key, long long *out)
{
	char *s = rt_arg(rt, c, key);
	int r = 0;

	for (int i = 0; i < c->argc; i++)
		if (c->argv[i].key && !strcmp(c->argv[i].key, key) && !s)
			return -1;	/* expansion failed, reported */
	if (s)
		r = rt_number(rt, c, key, s, out);
	free(s);
	return r;
}

int rt_opt_gfp(struct runtime *rt, struct script_cmd *c, unsigned int *out)
{
	char *s = rt_arg(rt, c, "gfp");
	int r = 0;

	for (int i = 0; i < c->argc; i++)
		if (c->argv[i].key && !strcmp(c->argv[i].key, "gfp") && !s)
			return -1;
	if (s)
		r = rt_gfp(rt, c, s, out);
	free(s);
	return r;
}

int rt_enter_cpu(struct runtime *rt, struct script_cmd *c, int *prev)
{
	long long cpu = -1;

	*prev = smp_processor_id();
	if (rt_opt_number(rt, c, "cpu", &cpu))
		return -1;
	if (cpu >= 0 && kmm_set_cpu((int)cpu))
		return rt_error(rt, c, "cpu=%lld: the machine has no such CPU", cpu);
	return 0;
}

int rt_var_arg(struct runtime *rt, struct script_cmd *c, int idx, struct value **v,
	       const char **word)
{
	const char *w = NULL;

	for (int i = 0, n = 0; i < c->argc; i++)
		if (!c->argv[i].key && n++ == idx) {
			w = c->argv[i].value;
			break;
		}
	if (!w || w[0] != '$')
		return rt_error(rt, c, "%s: need a variable ($name)%s%s", c->def->name,
				w ? " instead of " : "", w ? w : "");
	*word = w;
	*v = rt_lookup(rt, w + 1);
	if (!*v)
		return rt_error(rt, c, "unknown variable %s", w);
	return 0;
}

char *rt_read_file(struct runtime *rt, struct script_cmd *c, const char *path)
{
	struct seq_file m;
	int err;

	if (!strcmp(path, "dmesg")) {
		size_t n = log_buf_read(NULL, 0);
		char *buf = malloc(n + 1);

		log_buf_read(buf, n + 1);
		return buf;
	}
	seq_init(&m);
	err = proc_read(path, &m);
	if (err) {
		seq_release(&m);
		if (err == -ENOENT)
			rt_error(rt, c, "%s: no such file", path);
		else if (err == -EACCES)
			rt_error(rt, c, "%s: cannot be read (write-only)", path);
		else
			rt_error(rt, c, "%s: cannot be read (%s)", path, kmm_error_msg());
		return NULL;
	}
	return m.buf ? m.buf : strdup("");
}

int script_run(struct script *s, FILE *out)
{
	struct runtime rt = { .filename = s->filename, .out = out };
	volatile int status = 0;
	volatile int i = 0;
	bug_hook_t old_bug;

	snprintf(site_file, sizeof(site_file), "%s",
		 strrchr(s->filename, '/') ? strrchr(s->filename, '/') + 1 : s->filename);
	site_lines = s->n ? s->cmds[s->n - 1].line : 0;
	kallsyms_set_resolver(site_name);
	register_console(console_to_stderr);
	kmm_set_panic_hook(on_panic);
	old_bug = bug_set_hook(on_bug);
	if (setjmp(stop_run)) {
		fflush(out);
		fprintf(stderr, "%s:%d: the kernel stopped (%s); the run ends here\n", s->filename,
			s->cmds[i].line, stop_status == 3 ? "panic or BUG" : "error");
		status = stop_status;
		goto out;
	}
	for (; i < s->n; i++) {
		struct script_cmd *c = &s->cmds[i];
		int err;

		rt_call_site(&rt, c);
		err = c->def->run(&rt, c);
		if (kmm_booted())
			current->call_site = 0;
		if (err) {
			status = 2;
			break;
		}
	}
	if (!status && rt.failures)
		status = 1;
out:
	fflush(out);
	bug_set_hook(old_bug);
	register_console(NULL);
	if (kmm_booted())
		kmm_shutdown();
	rt_machine_gone(&rt);
	kallsyms_set_resolver(NULL);
	for (int v = 0; v < rt.nvars; v++) {
		free(rt.vars[v].name);
		value_clear(&rt.vars[v].v);
	}
	free(rt.vars);
	return status;
}
