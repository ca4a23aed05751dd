/*
 * cmd_exec.c - running a host program in a scenario: exec, and the
 * auxiliary vector it left.
 *
 *   R = exec PATH [ARG...]   execve(PATH, {PATH, ARG...}, the default
 *                            environment) in the current process: the
 *                            ELF program at PATH on the host replaces its
 *                            image.  .ret 0, or -1 and .errno; refused, the
 *                            process is as it was.  $R.sp (argc's address),
 *                            .entry, .base (the interpreter's), .phdr, .brk.
 *                            Without "R =" a refusal is an error that
 *                            stops the script: "exec PATH: ENAME (errno N)".
 *   auxv                     the current process's auxiliary vector, one
 *                            "AT_NAME value" line per entry (decoded
 *                            /proc/PID/auxv)
 *
 * The environment is fixed (kmm_default_envp below) so that the stack a
 * script sees is the same on every host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/binfmts.h>
#include <kmm/elf.h>
#include <kmm/errno.h>
#include <kmm/mm_types.h>
#include <kmm/sched.h>
#include "tools/kmm/command.h"
#include "tools/kmm/process_cmd.h"

/* What every exec'd program gets as its environment (docs/scenario.md). */
const char *const kmm_default_envp[] = {
	"HOME=/root", "LANG=C", "PATH=/usr/local/bin:/usr/bin:/bin", "TERM=dumb", NULL,
};

static const char *exec_errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ ENOENT, "ENOENT" }, { EIO, "EIO" }, { E2BIG, "E2BIG" }, { ENOEXEC, "ENOEXEC" },
		{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" },
		{ EINVAL, "EINVAL" }, { ELIBBAD, "ELIBBAD" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return "E?";
}

const char *exec_strerror(int err)
{
	switch (err) {
	case ENOENT:
		return "no such file on the host";
	case EACCES:
		return "not a regular file with an execute bit";
	case ENOEXEC:
		return "not an ELF program for this machine (kmm runs ELF only: no #! scripts)";
	case EIO:
		return "the file ends inside what its headers declare";
	case ELIBBAD:
		return "its interpreter is not an ELF file for this machine";
	case E2BIG:
		return "the arguments and environment do not fit";
	case ENOMEM:
		return "out of memory";
	default:
		return "refused";
	}
}

/* What exec gives a script: the call's result, and where the new image starts. */
struct exec_value {
	long long ret, err;
	unsigned long sp, entry, base, phdr, brk;
};

#define EXEC_FIELD(field)							\
	static int ev_##field(const void *d, long long *out, char *err, size_t n) \
	{									\
		(void)err;							\
		(void)n;							\
		*out = (long long)((const struct exec_value *)d)->field;	\
		return 0;							\
	}
EXEC_FIELD(ret)
EXEC_FIELD(err)
EXEC_FIELD(sp)
EXEC_FIELD(entry)
EXEC_FIELD(base)
EXEC_FIELD(phdr)
EXEC_FIELD(brk)

static void ev_format(const void *d, char *buf, size_t size)
{
	const struct exec_value *v = d;

	if (v->err)
		snprintf(buf, size, "-1 (errno %lld)", v->err);
	else
		snprintf(buf, size, "0 (sp %#lx, entry %#lx)", v->sp, v->entry);
}

const struct value_type exec_kind = {
	.name = "exec",
	.noun = "an exec's result",
	.made_by = "exec",
	.size = sizeof(struct exec_value),
	.fields = (const struct value_field[]){
		{ "ret", ev_ret, true }, { "errno", ev_err, true }, { "sp", ev_sp, true },
		{ "entry", ev_entry, true }, { "base", ev_base, true }, { "phdr", ev_phdr, true },
		{ "brk", ev_brk, true }, { NULL } },
	.format = ev_format,
};

/* The value of auxiliary vector entry @type of @mm, 0 if absent. */
static unsigned long auxv_value(const struct mm_struct *mm, unsigned long type)
{
	for (size_t i = 0; i + 1 < sizeof(mm->saved_auxv) / sizeof(mm->saved_auxv[0]) &&
			   mm->saved_auxv[i]; i += 2)
		if (mm->saved_auxv[i] == type)
			return mm->saved_auxv[i + 1];
	return 0;
}

static int cmd_exec(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct exec_value *v;
	const char **argv;
	char *path;
	int ret, pid;

	(void)a;
	if (process_cmd_need(rt, c))
		return -1;
	argv = calloc((size_t)c->argc + 1, sizeof(*argv));
	if (!argv)
		return rt_error(rt, c, "exec: out of memory");
	for (int i = 0; i < c->argc; i++) {
		argv[i] = rt_expand(rt, c, c->argv[i].value);
		if (!argv[i]) {
			for (int j = 0; j < i; j++)
				free((char *)argv[j]);
			free(argv);
			return -1;
		}
	}
	path = (char *)argv[0];
	pid = current->pid;
	ret = do_execve(path, argv, kmm_default_envp);
	v = rt_result(rt, c, &exec_kind);
	if (v && ret)
		*v = (struct exec_value){ .ret = -1, .err = -ret };
	else if (v)
		*v = (struct exec_value){ .sp = current->mm->start_stack,
					  .entry = auxv_value(current->mm, AT_ENTRY),
					  .base = auxv_value(current->mm, AT_BASE),
					  .phdr = auxv_value(current->mm, AT_PHDR),
					  .brk = current->mm->brk };
	if (!ret)
		umalloc_cmd_reap();	/* the old image's malloc heap went with it */
	else if (current->pid == pid && current->pending_fatal)
		process_cmd_deliver(rt);	/* failed past the point of no return */
	if (ret && !v)
		rt_error(rt, c, "exec %s: %s (errno %d)", path, exec_errno_name(-ret), -ret);
	for (int i = 0; i < c->argc; i++)
		free((char *)argv[i]);
	free(argv);
	return ret && !v ? -1 : 0;
}

static const char *at_name(unsigned long type)
{
	static const char *const names[] = {
		[AT_NULL] = "AT_NULL", [AT_PHDR] = "AT_PHDR", [AT_PHENT] = "AT_PHENT",
		[AT_PHNUM] = "AT_PHNUM", [AT_PAGESZ] = "AT_PAGESZ", [AT_BASE] = "AT_BASE",
		[AT_FLAGS] = "AT_FLAGS", [AT_ENTRY] = "AT_ENTRY", [AT_UID] = "AT_UID",
		[AT_EUID] = "AT_EUID", [AT_GID] = "AT_GID", [AT_EGID] = "AT_EGID",
		[AT_PLATFORM] = "AT_PLATFORM", [AT_HWCAP] = "AT_HWCAP", [AT_CLKTCK] = "AT_CLKTCK",
		[AT_SECURE] = "AT_SECURE", [AT_BASE_PLATFORM] = "AT_BASE_PLATFORM",
		[AT_RANDOM] = "AT_RANDOM", [AT_EXECFN] = "AT_EXECFN", [AT_SYSINFO] = "AT_SYSINFO",
		[AT_SYSINFO_EHDR] = "AT_SYSINFO_EHDR",
	};

	return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "AT_?";
}

static int cmd_auxv(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	const unsigned long *v;

	(void)a;
	if (process_cmd_need(rt, c))
		return -1;
	v = current->mm->saved_auxv;
	for (size_t i = 0; i + 1 < sizeof(current->mm->saved_auxv) / sizeof(v[0]) && v[i]; i += 2)
		fprintf(rt->out, "%-16s %#lx\n", at_name(v[i]), v[i + 1]);
	return 0;
}

const struct command_def exec_commands[] = {
	{ "exec", "execve(PATH, {PATH, ARG...}, the default environment): the host's ELF program replaces the current process's image; .ret 0, or -1 and .errno with the process unchanged",
	  (const struct arg_def[]){
		  { "argv", &arg_words, ARG_POS | ARG_REQUIRED | ARG_REPEAT, .meta = "PATH [ARG...]",
		    .help = "the program's host path, then its arguments (argv[0] is PATH)" },
		  { NULL } },
	  .result = "R", .gives = &exec_kind, .machine = true, .run = cmd_exec },
	{ "auxv", "the current process's auxiliary vector (what exec gave it), one AT_ entry a line",
	  NULL, .machine = true, .run = cmd_auxv },
	{ NULL },
};
