/*
 * cmd_process.c - processes in scenarios: making them, acting as one, the
 * memory system calls, and the process's own loads and stores.
 *
 *   P = spawn [NAME]            a new process (a fresh exec's layout); the
 *                               script acts as it from now on
 *   process $P|PID              act as another process (init: 1)
 *   C = fork                    a copy of the current process (the script
 *                               stays the parent)
 *   C = vfork                   a child on the same mm; the parent waits and
 *                               the script acts as the child until it exits
 *   T = clone FLAGS [sp=SP]     a thread, or a process sharing the mm, or a
 *                               copy, as the CLONE_ flags say
 *   exit [CODE]                 the current process ends (exit_group); the
 *                               script acts as its parent
 *   thread_exit [CODE]          the calling thread alone ends
 *   R = waitpid [PID]           reap a zombie child: .ret its pid
 *   R = mmap ADDR LEN PROT FLAGS FD OFF      the system calls, arguments in
 *   R = munmap ADDR LEN                      the C call's order, flags as in
 *   R = brk ADDR                             C (PROT_READ|PROT_WRITE):
 *                               .ret the value the call returns (the
 *                               address, 0, or -1), .errno 0 or the errno
 *   R = load ADDR [size=N]      a user-mode read through the MMU
 *   store ADDR VALUE [size=N]   a user-mode write
 *   memset ADDR BYTE LEN        LEN bytes of BYTE, written (also
 *   fill ADDR LEN BYTE          fill, whose name the page allocator shares)
 *   R = checksum ADDR LEN       a CRC-32 of LEN bytes, read
 *
 * A fault the process cannot survive (SIGSEGV, SIGBUS) kills it, as the
 * default action does; the line says so, the script acts as its parent,
 * and $P.signal, $P.si_code, $P.si_addr keep what happened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/err.h>
#include <kmm/errno.h>
#include <kmm/fs.h>
#include <kmm/kmm.h>
#include <kmm/mm.h>
#include <kmm/mman.h>
#include <kmm/process.h>
#include <kmm/sched.h>
#include <kmm/signal.h>
#include <kmm/uaccess.h>
#include "tools/kmm/command.h"
#include "tools/kmm/process_cmd.h"

/* ---- flags written as in C ---- */

static const struct {
	const char *name;
	long long v;
} flag_names[] = {
	{ "PROT_NONE", PROT_NONE }, { "PROT_READ", PROT_READ }, { "PROT_WRITE", PROT_WRITE },
	{ "PROT_EXEC", PROT_EXEC }, { "PROT_SEM", PROT_SEM }, { "PROT_GROWSDOWN", PROT_GROWSDOWN },
	{ "PROT_GROWSUP", PROT_GROWSUP },
	{ "MAP_SHARED", MAP_SHARED }, { "MAP_PRIVATE", MAP_PRIVATE }, { "MAP_FIXED", MAP_FIXED },
	{ "MAP_ANONYMOUS", MAP_ANONYMOUS }, { "MAP_ANON", MAP_ANONYMOUS },
	{ "MAP_32BIT", MAP_32BIT }, { "MAP_GROWSDOWN", MAP_GROWSDOWN },
	{ "MAP_DENYWRITE", MAP_DENYWRITE }, { "MAP_EXECUTABLE", MAP_EXECUTABLE },
	{ "MAP_LOCKED", MAP_LOCKED }, { "MAP_NORESERVE", MAP_NORESERVE },
	{ "MAP_POPULATE", MAP_POPULATE }, { "MAP_NONBLOCK", MAP_NONBLOCK }, { "MAP_STACK", MAP_STACK },
	{ "MAP_HUGETLB", MAP_HUGETLB }, { "MAP_FIXED_NOREPLACE", MAP_FIXED_NOREPLACE },
	{ "MREMAP_MAYMOVE", MREMAP_MAYMOVE }, { "MREMAP_FIXED", MREMAP_FIXED },
	{ "MADV_NORMAL", MADV_NORMAL }, { "MADV_RANDOM", MADV_RANDOM },
	{ "MADV_SEQUENTIAL", MADV_SEQUENTIAL }, { "MADV_WILLNEED", MADV_WILLNEED },
	{ "MADV_DONTNEED", MADV_DONTNEED }, { "MADV_REMOVE", MADV_REMOVE },
	{ "MADV_DONTFORK", MADV_DONTFORK }, { "MADV_DOFORK", MADV_DOFORK },
	{ "MCL_CURRENT", MCL_CURRENT }, { "MCL_FUTURE", MCL_FUTURE },
	{ "CLONE_VM", CLONE_VM }, { "CLONE_FS", CLONE_FS }, { "CLONE_FILES", CLONE_FILES },
	{ "CLONE_SIGHAND", CLONE_SIGHAND }, { "CLONE_PTRACE", CLONE_PTRACE },
	{ "CLONE_VFORK", CLONE_VFORK }, { "CLONE_PARENT", CLONE_PARENT },
	{ "CLONE_THREAD", CLONE_THREAD }, { "CLONE_NEWNS", CLONE_NEWNS },
	{ "CLONE_SYSVSEM", CLONE_SYSVSEM }, { "CLONE_SETTLS", CLONE_SETTLS },
	{ "CLONE_PARENT_SETTID", CLONE_PARENT_SETTID }, { "CLONE_CHILD_CLEARTID", CLONE_CHILD_CLEARTID },
	{ "CLONE_DETACHED", CLONE_DETACHED }, { "CLONE_UNTRACED", CLONE_UNTRACED },
	{ "CLONE_CHILD_SETTID", CLONE_CHILD_SETTID }, { "CLONE_STOPPED", CLONE_STOPPED },
	{ "CLONE_NEWUTS", CLONE_NEWUTS }, { "CLONE_NEWIPC", CLONE_NEWIPC },
	{ "CLONE_NEWUSER", CLONE_NEWUSER }, { "CLONE_NEWPID", CLONE_NEWPID },
	{ "CLONE_NEWNET", CLONE_NEWNET }, { "CLONE_IO", CLONE_IO },
	{ "SIGCHLD", SIGCHLD },
	{ "O_RDONLY", O_RDONLY }, { "O_WRONLY", O_WRONLY }, { "O_RDWR", O_RDWR },
	{ "O_CREAT", O_CREAT }, { "O_TRUNC", O_TRUNC },
	{ "MS_ASYNC", MS_ASYNC }, { "MS_INVALIDATE", MS_INVALIDATE }, { "MS_SYNC", MS_SYNC },
};

/* "PROT_READ|PROT_WRITE", "MAP_PRIVATE|0x20", "MADV_DONTNEED", "0x3", "-1". */
static int parse_flags(struct runtime *rt, struct script_cmd *c, const struct arg_def *d,
		       const char *text, struct arg_val *out)
{
	char buf[256], *tok, *save = NULL;
	long long v = 0;

	if (!*text || strlen(text) >= sizeof(buf))
		return rt_error(rt, c, "%s: '%s' is not a number or flags", d->name, text);
	strcpy(buf, text);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		size_t i;
		char *end;

		for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (!strcmp(tok, flag_names[i].name))
				break;
		if (i < sizeof(flag_names) / sizeof(flag_names[0])) {
			v |= flag_names[i].v;
			continue;
		}
		bool neg = tok[0] == '-';
		unsigned long long u = strtoull(tok + neg, &end, 0);
		const char *units = "KMGT";
		const char *unit = *end ? strchr(units, *end) : NULL;

		if (unit && !end[1]) {
			u <<= 10 * (unit - units + 1);
			end++;
		}
		if (end == tok + neg || *end)
			return rt_error(rt, c, "%s: '%s' is not a number or a PROT_/MAP_/MREMAP_/MADV_/MCL_/CLONE_/O_/MS_ flag",
					d->name, tok);
		v |= neg ? -(long long)u : (long long)u;
	}
	out->num = v;
	return 0;
}

const struct arg_type arg_flags = {
	"number or flags", "N", "a number (K/M/G/T suffixes), or C flags joined by | (PROT_READ|PROT_WRITE)", 0,
	parse_flags,
};

/* ---- what the script remembers of each process ---- */

#define MAX_TRACKED	32768		/* pids are below PID_MAX */

struct death {
	bool dead;
	int signal, si_code, exit_code;
	unsigned long si_addr;
};
static struct death deaths[MAX_TRACKED];

struct process_value {
	int pid;		/* -1 when the call failed */
	int err;		/* then its errno */
};

static const struct process_value *PV(const void *d)
{
	return d;
}

static int pv_pid(const void *d, long long *out, char *err, size_t n)
{
	(void)err;
	(void)n;
	*out = PV(d)->pid;
	return 0;
}

static int pv_errno(const void *d, long long *out, char *err, size_t n)
{
	(void)err;
	(void)n;
	*out = PV(d)->err;
	return 0;
}

static const struct death *pv_death(const void *d)
{
	int pid = PV(d)->pid;

	return pid > 0 && pid < MAX_TRACKED ? &deaths[pid] : NULL;
}

static int pv_alive(const void *d, long long *out, char *err, size_t n)
{
	const struct death *x = pv_death(d);

	(void)err;
	(void)n;
	*out = !(x && x->dead);
	return 0;
}

#define DEATH_FIELD(field)							\
	static int pv_##field(const void *d, long long *out, char *err, size_t n) \
	{									\
		const struct death *x = pv_death(d);				\
		(void)err;							\
		(void)n;							\
		*out = x && x->dead ? (long long)x->field : 0;			\
		return 0;							\
	}
DEATH_FIELD(signal)
DEATH_FIELD(si_code)
DEATH_FIELD(si_addr)
DEATH_FIELD(exit_code)

static void pv_format(const void *d, char *buf, size_t size)
{
	if (PV(d)->pid < 0)
		snprintf(buf, size, "-1 (errno %d)", PV(d)->err);
	else
		snprintf(buf, size, "%d", PV(d)->pid);
}

const struct value_type process_kind = {
	.name = "process",
	.noun = "a process",
	.made_by = "spawn, fork, vfork, clone",
	.size = sizeof(struct process_value),
	.fields = (const struct value_field[]){
		{ "pid", pv_pid, true }, { "alive", pv_alive, true }, { "signal", pv_signal, true },
		{ "si_code", pv_si_code, true }, { "si_addr", pv_si_addr, true },
		{ "exit_code", pv_exit_code, true }, { "errno", pv_errno, true }, { NULL } },
	.format = pv_format,
};

/* The result of a system call: what it returned, and errno. */
struct syscall_value {
	long long ret;
	long long err;
	long long status;	/* waitpid: the status word it stored */
};

static int sv_ret(const void *d, long long *out, char *err, size_t n)
{
	(void)err;
	(void)n;
	*out = ((const struct syscall_value *)d)->ret;
	return 0;
}

static int sv_errno(const void *d, long long *out, char *err, size_t n)
{
	(void)err;
	(void)n;
	*out = ((const struct syscall_value *)d)->err;
	return 0;
}

static int sv_status(const void *d, long long *out, char *err, size_t n)
{
	(void)err;
	(void)n;
	*out = ((const struct syscall_value *)d)->status;
	return 0;
}

static void sv_format(const void *d, char *buf, size_t size)
{
	const struct syscall_value *v = d;

	if (v->err)
		snprintf(buf, size, "-1 (errno %lld)", v->err);
	else
		snprintf(buf, size, "%#llx", v->ret);
}

const struct value_type syscall_kind = {
	.name = "syscall",
	.noun = "a system call's result",
	.made_by = "mmap, munmap, brk, mprotect, mremap, waitpid, madvise, mlock, mincore, setrlimit...",
	.size = sizeof(struct syscall_value),
	.fields = (const struct value_field[]){
		{ "ret", sv_ret, true }, { "errno", sv_errno, true }, { "status", sv_status, true },
		{ NULL } },
	.format = sv_format,
};

/*
 * A system call's raw return: an address or 0, or -errno (the kernel's
 * convention, -4095..-1) which becomes -1 and errno as libc gives it.
 */
void give_syscall(struct runtime *rt, struct script_cmd *c, long ret)
{
	struct syscall_value *v = rt_result(rt, c, &syscall_kind);
	bool is_err = (unsigned long)ret >= (unsigned long)-MAX_ERRNO;

	if (!v)
		return;
	*v = (struct syscall_value){ .ret = is_err ? -1 : ret, .err = is_err ? -ret : 0 };
}

static void record_death(int pid, struct death d)
{
	if (pid > 0 && pid < MAX_TRACKED)
		deaths[pid] = d;
}

/* Every thread of the current process dies with @d (exit_group, a fatal signal). */
static void record_group_death(struct death d)
{
	struct task_struct *leader = current->group_leader, *t;

	record_death(leader->pid, d);
	list_for_each_entry(t, &leader->thread_group, thread_group)
		record_death(t->pid, d);
}

/* A fatal signal the last command earned ends the process now; the line says so. */
void process_cmd_deliver(struct runtime *rt)
{
	struct task_struct *t = current;
	struct kmm_siginfo si = t->last_siginfo;
	int pid = t->pid, sig = t->is_process ? t->pending_fatal : 0;
	bool oops = t->fatal_thread_only;

	if (sig) {
		struct death d = { .dead = true, .signal = sig, .si_code = si.code,
				   .si_addr = si.addr, .exit_code = sig };

		if (oops)
			record_death(pid, d);
		else
			record_group_death(d);
	}
	sig = process_deliver_signals();
	if (!sig)
		return;
	umalloc_cmd_reap();
	if (oops) {
		fprintf(rt->out, "process %d killed by an oops (SIGKILL)\n", pid);
		return;
	}
	fprintf(rt->out, "process %d killed by %s (si_code %d, address %#lx)\n", pid,
		sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : sig == SIGABRT ? "SIGABRT" : "SIGKILL", si.code,
		si.addr);
}

int process_cmd_need(struct runtime *rt, struct script_cmd *c)
{
	if (!current->is_process || !current->mm)
		return rt_error(rt, c, "%s: no process runs: spawn one first", c->def->name);
	return 0;
}

/* ---- processes ---- */

static void give_process(struct runtime *rt, struct script_cmd *c, struct task_struct *p)
{
	struct process_value *v = rt_result(rt, c, &process_kind);

	if (p->pid > 0 && p->pid < MAX_TRACKED)
		deaths[p->pid] = (struct death){ 0 };
	if (v)
		*v = (struct process_value){ .pid = p->pid };
	else
		fprintf(rt->out, "pid %d\n", p->pid);
}

static int cmd_spawn(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	const char *name = arg_given(a, "name") ? arg_str(a, "name") : "proc";
	struct task_struct *p = process_spawn(name);

	if (!p)
		return rt_error(rt, c, "spawn: out of memory");
	give_process(rt, c, p);
	process_enter(p);
	return 0;
}

static struct task_struct *target(struct runtime *rt, struct script_cmd *c, const char *what)
{
	char *end;
	long pid;
	struct task_struct *t;

	if (what[0] == '$')
		return NULL;
	pid = strtol(what, &end, 0);
	if (*end || pid <= 0) {
		rt_error(rt, c, "%s: '%s' is not a pid", c->def->name, what);
		return NULL;
	}
	t = find_task_by_pid(pid);
	if (!t || (!t->is_process && t != &init_proc) || t->exit_state) {
		rt_error(rt, c, "%s: no live process has pid %ld", c->def->name, pid);
		return NULL;
	}
	if (t->vfork_blocked) {
		rt_error(rt, c, "%s: process %ld waits in vfork until its child exits", c->def->name, pid);
		return NULL;
	}
	return t;
}

static int cmd_process(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct task_struct *t = target(rt, c, arg_str(a, "pid"));

	if (!t)
		return -1;
	process_enter(t);
	return 0;
}

static int cmd_fork(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	struct task_struct *p;

	(void)a;
	if (process_cmd_need(rt, c))
		return -1;
	p = process_fork();
	if (IS_ERR(p))
		return rt_error(rt, c, "fork: %s", PTR_ERR(p) == -ENOMEM ? "out of memory" : "failed");
	give_process(rt, c, p);
	umalloc_cmd_fork(current->mm, p->mm);
	return 0;
}

/*
 * clone FLAGS [sp=SP] and vfork: the child's pid, or pid -1 and .errno
 * as the C call fails (EINVAL for flags Linux refuses together, EPERM for
 * a namespace, ENOMEM).  After CLONE_VFORK the script acts as the child.
 */
static int do_clone_cmd(struct runtime *rt, struct script_cmd *c, unsigned long flags,
			unsigned long sp)
{
	struct task_struct *parent = current, *p;

	if (process_cmd_need(rt, c))
		return -1;
	p = process_clone(flags, sp);
	if (IS_ERR(p)) {
		struct process_value *v = rt_result(rt, c, &process_kind);

		if (v)
			*v = (struct process_value){ .pid = -1, .err = (int)-PTR_ERR(p) };
		else
			fprintf(rt->out, "%s: -1 (errno %ld)\n", c->def->name, -PTR_ERR(p));
		return 0;
	}
	give_process(rt, c, p);
	umalloc_cmd_fork(parent->mm, p->mm);
	return 0;
}

static int cmd_clone(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return do_clone_cmd(rt, c, (unsigned long)arg_num(a, "flags"),
			    arg_given(a, "sp") ? (unsigned long)arg_num(a, "sp") : 0);
}

static int cmd_vfork(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	(void)a;
	return do_clone_cmd(rt, c, CLONE_VM | CLONE_VFORK | SIGCHLD, 0);
}

static int cmd_exit(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	int code = (int)arg_num(a, "code");

	if (process_cmd_need(rt, c))
		return -1;
	record_group_death((struct death){ .dead = true, .exit_code = code << 8 });
	process_exit(code << 8);
	umalloc_cmd_reap();
	return 0;
}

static int cmd_thread_exit(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	int code = (int)arg_num(a, "code");

	if (process_cmd_need(rt, c))
		return -1;
	record_death(current->pid, (struct death){ .dead = true, .exit_code = code << 8 });
	process_thread_exit(code << 8);
	umalloc_cmd_reap();
	return 0;
}

int process_cmd_wait(struct runtime *rt, struct script_cmd *c, pid_t pid)
{
	int status = 0;
	long r = process_wait(pid, &status);

	give_syscall(rt, c, r);
	if (r > 0) {
		struct syscall_value *v = rt_result(rt, c, &syscall_kind);

		if (v)
			*v = (struct syscall_value){ .ret = r, .status = status };
	}
	return 0;
}

static int cmd_wait(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	pid_t pid = -1;

	if (arg_given(a, "pid")) {
		char *end;

		pid = (pid_t)strtol(arg_str(a, "pid"), &end, 0);
		if (*end)
			return rt_error(rt, c, "wait: '%s' is not a pid", arg_str(a, "pid"));
	}
	return process_cmd_wait(rt, c, pid);
}

/* ---- system calls ---- */

static int cmd_mmap(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	long r;

	if (process_cmd_need(rt, c))
		return -1;
	r = sys_mmap((unsigned long)arg_num(a, "addr"), (unsigned long)arg_num(a, "len"),
		     (unsigned long)arg_num(a, "prot"), (unsigned long)arg_num(a, "flags"),
		     (unsigned long)arg_num(a, "fd"), (unsigned long)arg_num(a, "off"));
	give_syscall(rt, c, r);
	process_cmd_deliver(rt);
	return 0;
}

static int cmd_munmap(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (process_cmd_need(rt, c))
		return -1;
	give_syscall(rt, c, sys_munmap((unsigned long)arg_num(a, "addr"),
				       (unsigned long)arg_num(a, "len")));
	return 0;
}

static int cmd_brk(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	if (process_cmd_need(rt, c))
		return -1;
	give_syscall(rt, c, (long)sys_brk((unsigned long)arg_num(a, "addr")));
	return 0;
}

/* ---- user memory ---- */

#define CALL_IP	(current->call_site)

/* sp=: the process's stack pointer, which a fault below the stack is judged by. */
static void set_sp(const struct cmd_args *a)
{
	if (arg_given(a, "sp"))
		current->user_sp = (unsigned long)arg_num(a, "sp");
}

static int cmd_load(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long addr = (unsigned long)arg_num(a, "addr");
	int size = arg_access_size(rt, c, a);
	unsigned long long v = 0;

	if (size < 0 || process_cmd_need(rt, c))
		return -1;
	set_sp(a);
	if (kmm_user_access(addr, &v, (unsigned long)size, false, CALL_IP)) {
		process_cmd_deliver(rt);
		return 0;
	}
	rt_give_num(rt, c, (long long)v, "%#llx\n");
	return 0;
}

static int cmd_store(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long addr = (unsigned long)arg_num(a, "addr");
	unsigned long long v = (unsigned long long)arg_num(a, "value");
	int size = arg_access_size(rt, c, a);

	if (size < 0 || process_cmd_need(rt, c))
		return -1;
	set_sp(a);
	if (kmm_user_access(addr, &v, (unsigned long)size, true, CALL_IP))
		process_cmd_deliver(rt);
	return 0;
}

int process_cmd_fill(struct runtime *rt, struct script_cmd *c, unsigned long addr,
		     unsigned long len, int byte)
{
	unsigned char buf[4096];

	if (process_cmd_need(rt, c))
		return -1;
	memset(buf, byte, sizeof(buf));
	while (len) {
		unsigned long n = len < sizeof(buf) ? len : sizeof(buf);

		if (kmm_user_access(addr, buf, n, true, CALL_IP)) {
			process_cmd_deliver(rt);
			return 0;
		}
		addr += n;
		len -= n;
	}
	return 0;
}

static int cmd_memset(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	return process_cmd_fill(rt, c, (unsigned long)arg_num(a, "addr"),
				(unsigned long)arg_num(a, "len"), (int)arg_num(a, "byte"));
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

static int cmd_checksum(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	unsigned long addr = (unsigned long)arg_num(a, "addr");
	unsigned long len = (unsigned long)arg_num(a, "len");
	unsigned int crc = 0xffffffffu;
	unsigned char buf[4096];

	if (process_cmd_need(rt, c))
		return -1;
	while (len) {
		unsigned long n = len < sizeof(buf) ? len : sizeof(buf);

		if (kmm_user_access(addr, buf, n, false, CALL_IP)) {
			process_cmd_deliver(rt);
			return 0;
		}
		crc = crc32_update(crc, buf, n);
		addr += n;
		len -= n;
	}
	rt_give_num(rt, c, (long long)(crc ^ 0xffffffffu), "%#llx\n");
	return 0;
}

#define ARG_UADDR	{ "addr", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "ADDR", \
			  .help = "a user address of the current process" }
#define ARG_LEN		{ "len", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "LEN", \
			  .help = "bytes" }
#define ARG_USIZE	{ "size", &arg_number, .def = 8, .def_text = "8", \
			  .help = "bytes: 1, 2, 4 or 8" }
#define ARG_SP		{ "sp", &arg_flags, .def_text = "as it was", \
			  .help = "the stack pointer from now on (the stack-growth rule reads it)" }

const struct command_def process_commands[] = {
	{ "spawn", "a new process with a fresh exec's layout (stack, brk); the script acts as it",
	  (const struct arg_def[]){
		  { "name", &arg_string, ARG_POS, .meta = "NAME", .help = "its comm (default: proc)" },
		  { NULL } },
	  .result = "P", .gives = &process_kind, .machine = true, .run = cmd_spawn },
	{ "process", "act as the process PID ($P or a number; 1 is init)",
	  (const struct arg_def[]){
		  { "pid", &arg_string, ARG_POS | ARG_REQUIRED, .meta = "PID", .help = "the process" },
		  { NULL } },
	  .machine = true, .run = cmd_process },
	{ "fork", "a copy of the current process, its private pages shared copy-on-write",
	  NULL, .result = "C", .gives = &process_kind, .machine = true, .run = cmd_fork },
	{ "vfork", "a child sharing the address space; the parent waits, and the script acts as the child until it exits",
	  NULL, .result = "C", .gives = &process_kind, .machine = true, .run = cmd_vfork },
	{ "clone", "clone(FLAGS): a thread (CLONE_VM|CLONE_SIGHAND|CLONE_THREAD), a process sharing the mm, or a copy",
	  (const struct arg_def[]){
		  { "flags", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "FLAGS",
		    .help = "CLONE_* flags and the exit signal (SIGCHLD), joined by |" },
		  { "sp", &arg_flags, .def_text = "the caller's", .help = "the child's stack pointer" },
		  { NULL } },
	  .result = "T", .gives = &process_kind, .machine = true, .run = cmd_clone },
	{ "exit", "the current process ends, all its threads (exit_group); the script acts as its parent",
	  (const struct arg_def[]){
		  { "code", &arg_number, ARG_POS | ARG_RANGE, .min = 0, .max = 255, .meta = "CODE",
		    .help = "the exit status" },
		  { NULL } },
	  .machine = true, .run = cmd_exit },
	{ "thread_exit", "the calling thread ends (exit(2)); the script acts as another thread, or the parent",
	  (const struct arg_def[]){
		  { "code", &arg_number, ARG_POS | ARG_RANGE, .min = 0, .max = 255, .meta = "CODE",
		    .help = "the exit status" },
		  { NULL } },
	  .machine = true, .run = cmd_thread_exit },
	{ "waitpid", "reap an exited child (any, or PID): .ret its pid and .status, or -1 with .errno",
	  (const struct arg_def[]){
		  { "pid", &arg_string, ARG_POS, .meta = "PID", .help = "the child" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_wait },
	{ "mmap", "mmap(ADDR, LEN, PROT, FLAGS, FD, OFF) in the current process: .ret, .errno",
	  (const struct arg_def[]){
		  ARG_UADDR, ARG_LEN,
		  { "prot", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "PROT",
		    .help = "PROT_READ|PROT_WRITE|PROT_EXEC, or PROT_NONE" },
		  { "flags", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "FLAGS",
		    .help = "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED..." },
		  { "fd", &arg_flags, ARG_POS | ARG_REQUIRED, .meta = "FD", .help = "-1 for anonymous" },
		  { "off", &arg_number, ARG_POS | ARG_REQUIRED, .meta = "OFF", .help = "offset, bytes" },
		  { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_mmap },
	{ "munmap", "munmap(ADDR, LEN): .ret 0 or -1, .errno",
	  (const struct arg_def[]){ ARG_UADDR, ARG_LEN, { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_munmap },
	{ "brk", "brk(ADDR): .ret the break after the call (the old one if refused); brk 0 reads it",
	  (const struct arg_def[]){ ARG_UADDR, { NULL } },
	  .result = "R", .gives = &syscall_kind, .machine = true, .run = cmd_brk },
	{ "load", "read SIZE bytes at ADDR as the process, through the MMU (faults handled)",
	  (const struct arg_def[]){ ARG_UADDR, ARG_USIZE, ARG_SP, { NULL } },
	  .result = "R", .prints = true, .gives = &value_number, .machine = true, .run = cmd_load },
	{ "store", "write VALUE (SIZE bytes) at ADDR as the process",
	  (const struct arg_def[]){
		  ARG_UADDR,
		  { "value", &arg_number, ARG_POS | ARG_REQUIRED, .meta = "VALUE", .help = "the value" },
		  ARG_USIZE, ARG_SP, { NULL } },
	  .machine = true, .run = cmd_store },
	{ "memset", "memset(ADDR, BYTE, LEN) as the process: LEN bytes of BYTE written",
	  (const struct arg_def[]){
		  ARG_UADDR,
		  { "byte", &arg_number, ARG_POS | ARG_REQUIRED | ARG_RANGE, .min = 0, .max = 255,
		    .meta = "BYTE", .help = "the byte" },
		  ARG_LEN, { NULL } },
	  .machine = true, .run = cmd_memset },
	{ "checksum", "the CRC-32 of LEN bytes at ADDR, read as the process",
	  (const struct arg_def[]){ ARG_UADDR, ARG_LEN, { NULL } },
	  .result = "R", .prints = true, .gives = &value_number, .machine = true,
	  .run = cmd_checksum },
	{ NULL },
};
