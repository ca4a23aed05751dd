/*
 * strace_parse.c - strace's output into calls (strace_parse.h has the
 * formats).
 *
 * One pass over the line, left to right: the pid prefix, the timestamp,
 * then the event.  A call's arguments are cut at the commas that stand
 * outside brackets, braces, parentheses and quotes; each is read as a
 * number, NULL, a flag expression or a string, or skipped.  Names --
 * system calls, flags, errnos, signals -- are found in two hash tables
 * built once, so a flag costs one hash and one comparison instead of a
 * walk along a list: the replay's speed is this file's speed.
 *
 * Invariants: nothing here allocates except the reader's joining of
 * unfinished halves; every pointer a call holds points into the line
 * given (or the reader's joined copy of it); a line is never read past
 * @len.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/mman.h>
#include <kmm/process.h>
#include <kmm/signal.h>
#include "tools/kmm/strace_parse.h"

/* ---- names ---- */

struct name_value {
	const char *name;
	long long v;
};

static const char *const sys_names[STRACE_NR_SYS] = {
	[STRACE_MMAP] = "mmap", [STRACE_MMAP2] = "mmap2", [STRACE_MUNMAP] = "munmap",
	[STRACE_MPROTECT] = "mprotect", [STRACE_BRK] = "brk", [STRACE_MREMAP] = "mremap",
	[STRACE_MADVISE] = "madvise", [STRACE_MLOCK] = "mlock", [STRACE_MUNLOCK] = "munlock",
	[STRACE_MLOCKALL] = "mlockall", [STRACE_MUNLOCKALL] = "munlockall",
	[STRACE_REMAP_FILE_PAGES] = "remap_file_pages",
	[STRACE_EXECVE] = "execve", [STRACE_FORK] = "fork", [STRACE_VFORK] = "vfork",
	[STRACE_CLONE] = "clone", [STRACE_CLONE3] = "clone3", [STRACE_EXIT] = "exit",
	[STRACE_EXIT_GROUP] = "exit_group", [STRACE_OPEN] = "open", [STRACE_OPENAT] = "openat",
	[STRACE_CLOSE] = "close", [STRACE_DUP] = "dup", [STRACE_DUP2] = "dup2",
	[STRACE_DUP3] = "dup3", [STRACE_UNLINK] = "unlink", [STRACE_UNLINKAT] = "unlinkat",
};

/*
 * The flags, errnos and signals strace prints, with Linux's x86 values
 * (kmm's headers where kmm has the constant; the rest from Linux's uapi
 * headers: asm-generic/mman-common.h, fcntl.h, errno-base.h, errno.h).
 * The scenario language's flags (cmd_process.c) are read from here too.
 */
static const struct name_value value_names[] = {
	{ "PROT_NONE", PROT_NONE }, { "PROT_READ", PROT_READ }, { "PROT_WRITE", PROT_WRITE },
	{ "PROT_EXEC", PROT_EXEC }, { "PROT_SEM", PROT_SEM }, { "PROT_GROWSDOWN", PROT_GROWSDOWN },
	{ "PROT_GROWSUP", PROT_GROWSUP },
	{ "MAP_SHARED", MAP_SHARED }, { "MAP_PRIVATE", MAP_PRIVATE },
	{ "MAP_SHARED_VALIDATE", 0x03 }, { "MAP_FIXED", MAP_FIXED }, { "MAP_FILE", 0 },
	{ "MAP_ANONYMOUS", MAP_ANONYMOUS }, { "MAP_ANON", MAP_ANONYMOUS },
	{ "MAP_32BIT", MAP_32BIT }, { "MAP_GROWSDOWN", MAP_GROWSDOWN },
	{ "MAP_DENYWRITE", MAP_DENYWRITE }, { "MAP_EXECUTABLE", MAP_EXECUTABLE },
	{ "MAP_LOCKED", MAP_LOCKED }, { "MAP_NORESERVE", MAP_NORESERVE },
	{ "MAP_POPULATE", MAP_POPULATE }, { "MAP_NONBLOCK", MAP_NONBLOCK }, { "MAP_STACK", MAP_STACK },
	{ "MAP_HUGETLB", MAP_HUGETLB }, { "MAP_SYNC", 0x80000 },
	{ "MAP_FIXED_NOREPLACE", MAP_FIXED_NOREPLACE }, { "MAP_UNINITIALIZED", 0x4000000 },
	{ "MREMAP_MAYMOVE", MREMAP_MAYMOVE }, { "MREMAP_FIXED", MREMAP_FIXED },
	{ "MREMAP_DONTUNMAP", 4 },
	{ "MADV_NORMAL", MADV_NORMAL }, { "MADV_RANDOM", MADV_RANDOM },
	{ "MADV_SEQUENTIAL", MADV_SEQUENTIAL }, { "MADV_WILLNEED", MADV_WILLNEED },
	{ "MADV_DONTNEED", MADV_DONTNEED }, { "MADV_FREE", 8 }, { "MADV_REMOVE", MADV_REMOVE },
	{ "MADV_DONTFORK", MADV_DONTFORK }, { "MADV_DOFORK", MADV_DOFORK },
	{ "MADV_MERGEABLE", 12 }, { "MADV_UNMERGEABLE", 13 }, { "MADV_HUGEPAGE", 14 },
	{ "MADV_NOHUGEPAGE", 15 }, { "MADV_DONTDUMP", 16 }, { "MADV_DODUMP", 17 },
	{ "MADV_WIPEONFORK", 18 }, { "MADV_KEEPONFORK", 19 }, { "MADV_COLD", 20 },
	{ "MADV_PAGEOUT", 21 }, { "MADV_POPULATE_READ", 22 }, { "MADV_POPULATE_WRITE", 23 },
	{ "MADV_DONTNEED_LOCKED", 24 }, { "MADV_COLLAPSE", 25 }, { "MADV_HWPOISON", 100 },
	{ "MADV_SOFT_OFFLINE", 101 },
	{ "MCL_CURRENT", MCL_CURRENT }, { "MCL_FUTURE", MCL_FUTURE }, { "MCL_ONFAULT", 4 },
	{ "CLONE_VM", CLONE_VM }, { "CLONE_FS", CLONE_FS }, { "CLONE_FILES", CLONE_FILES },
	{ "CLONE_SIGHAND", CLONE_SIGHAND }, { "CLONE_PIDFD", 0x1000 },
	{ "CLONE_PTRACE", CLONE_PTRACE }, { "CLONE_VFORK", CLONE_VFORK },
	{ "CLONE_PARENT", CLONE_PARENT }, { "CLONE_THREAD", CLONE_THREAD },
	{ "CLONE_NEWNS", CLONE_NEWNS }, { "CLONE_SYSVSEM", CLONE_SYSVSEM },
	{ "CLONE_SETTLS", CLONE_SETTLS }, { "CLONE_PARENT_SETTID", CLONE_PARENT_SETTID },
	{ "CLONE_CHILD_CLEARTID", CLONE_CHILD_CLEARTID }, { "CLONE_DETACHED", CLONE_DETACHED },
	{ "CLONE_UNTRACED", CLONE_UNTRACED }, { "CLONE_CHILD_SETTID", CLONE_CHILD_SETTID },
	{ "CLONE_STOPPED", CLONE_STOPPED }, { "CLONE_NEWCGROUP", 0x02000000 },
	{ "CLONE_NEWUTS", CLONE_NEWUTS }, { "CLONE_NEWIPC", CLONE_NEWIPC },
	{ "CLONE_NEWUSER", CLONE_NEWUSER }, { "CLONE_NEWPID", CLONE_NEWPID },
	{ "CLONE_NEWNET", CLONE_NEWNET }, { "CLONE_IO", CLONE_IO }, { "CLONE_NEWTIME", 0x80 },
	{ "CLONE_CLEAR_SIGHAND", 0x100000000LL }, { "CLONE_INTO_CGROUP", 0x200000000LL },
	{ "MS_ASYNC", 1 }, { "MS_INVALIDATE", 2 }, { "MS_SYNC", 4 },
	{ "O_RDONLY", 0 }, { "O_WRONLY", 01 }, { "O_RDWR", 02 }, { "O_CREAT", 0100 },
	{ "O_EXCL", 0200 }, { "O_NOCTTY", 0400 }, { "O_TRUNC", 01000 }, { "O_APPEND", 02000 },
	{ "O_NONBLOCK", 04000 }, { "O_DSYNC", 010000 }, { "O_ASYNC", 020000 },
	{ "O_DIRECT", 040000 }, { "O_LARGEFILE", 0100000 }, { "O_DIRECTORY", 0200000 },
	{ "O_NOFOLLOW", 0400000 }, { "O_NOATIME", 01000000 }, { "O_CLOEXEC", 02000000 },
	{ "O_SYNC", 04010000 }, { "O_PATH", 010000000 }, { "O_TMPFILE", 020200000 },
	{ "AT_FDCWD", -100 },
	{ "SIGHUP", 1 }, { "SIGINT", 2 }, { "SIGQUIT", 3 }, { "SIGILL", 4 }, { "SIGTRAP", 5 },
	{ "SIGABRT", SIGABRT }, { "SIGBUS", SIGBUS }, { "SIGFPE", 8 }, { "SIGKILL", SIGKILL },
	{ "SIGUSR1", 10 }, { "SIGSEGV", SIGSEGV }, { "SIGUSR2", 12 }, { "SIGPIPE", 13 },
	{ "SIGALRM", 14 }, { "SIGTERM", 15 }, { "SIGSTKFLT", 16 }, { "SIGCHLD", SIGCHLD },
	{ "SIGCONT", 18 }, { "SIGSTOP", 19 }, { "SIGTSTP", 20 }, { "SIGTTIN", 21 },
	{ "SIGTTOU", 22 }, { "SIGURG", 23 }, { "SIGXCPU", 24 }, { "SIGXFSZ", 25 },
	{ "SIGVTALRM", 26 }, { "SIGPROF", 27 }, { "SIGWINCH", 28 }, { "SIGIO", 29 },
	{ "SIGPWR", 30 }, { "SIGSYS", 31 }, { "SIGRTMIN", 32 },
	{ "EPERM", 1 }, { "ENOENT", 2 }, { "ESRCH", 3 }, { "EINTR", 4 }, { "EIO", 5 },
	{ "ENXIO", 6 }, { "E2BIG", 7 }, { "ENOEXEC", 8 }, { "EBADF", 9 }, { "ECHILD", 10 },
	{ "EAGAIN", 11 }, { "ENOMEM", 12 }, { "EACCES", 13 }, { "EFAULT", 14 },
	{ "ENOTBLK", 15 }, { "EBUSY", 16 }, { "EEXIST", 17 }, { "EXDEV", 18 }, { "ENODEV", 19 },
	{ "ENOTDIR", 20 }, { "EISDIR", 21 }, { "EINVAL", 22 }, { "ENFILE", 23 }, { "EMFILE", 24 },
	{ "ENOTTY", 25 }, { "ETXTBSY", 26 }, { "EFBIG", 27 }, { "ENOSPC", 28 }, { "ESPIPE", 29 },
	{ "EROFS", 30 }, { "EMLINK", 31 }, { "EPIPE", 32 }, { "EDOM", 33 }, { "ERANGE", 34 },
	{ "EDEADLK", 35 }, { "ENAMETOOLONG", 36 }, { "ENOLCK", 37 }, { "ENOSYS", 38 },
	{ "ENOTEMPTY", 39 }, { "ELOOP", 40 }, { "ENODATA", 61 }, { "EOVERFLOW", 75 },
	{ "ELIBBAD", 80 }, { "EOPNOTSUPP", 95 }, { "ENOTSUP", 95 },
	{ "ERESTARTSYS", 512 }, { "ERESTARTNOINTR", 513 }, { "ERESTARTNOHAND", 514 },
	{ "ERESTART_RESTARTBLOCK", 516 },
};

#define NAME_SLOTS	1024	/* a power of two, over twice the names */

struct slot {
	const char *name;
	unsigned char len;
	long long v;
};
static struct slot value_slots[NAME_SLOTS], sys_slots[64];
static int tables_built;

/* FNV-1a: the names are short and few; any decent spread will do. */
static uint32_t name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void slot_put(struct slot *t, unsigned int mask, const char *name, long long v)
{
	size_t len = strlen(name);
	unsigned int i = name_hash(name, len) & mask;

	while (t[i].name)
		i = (i + 1) & mask;
	t[i] = (struct slot){ name, (unsigned char)len, v };
}

/* The slot of the name @s of @len bytes whose name_hash is @h, or NULL. */
static const struct slot *slot_get_hashed(const struct slot *t, unsigned int mask, const char *s,
					  size_t len, uint32_t h)
{
	unsigned int i = h & mask;

	for (; t[i].name; i = (i + 1) & mask)
		if (t[i].len == len && !memcmp(t[i].name, s, len))
			return &t[i];
	return NULL;
}

static const struct slot *slot_get(const struct slot *t, unsigned int mask, const char *s,
				   size_t len)
{
	return slot_get_hashed(t, mask, s, len, name_hash(s, len));
}

static void build_tables(void)
{
	if (tables_built)
		return;
	for (size_t i = 0; i < sizeof(value_names) / sizeof(value_names[0]); i++)
		slot_put(value_slots, NAME_SLOTS - 1, value_names[i].name, value_names[i].v);
	for (int s = 1; s < STRACE_NR_SYS; s++)
		slot_put(sys_slots, 63, sys_names[s], s);
	tables_built = 1;
}

long long strace_name_value(const char *name, size_t len)
{
	const struct slot *s;

	build_tables();
	s = slot_get(value_slots, NAME_SLOTS - 1, name, len);
	return s ? s->v : -1;
}

const char *strace_sys_name(enum strace_sys sys)
{
	return sys > STRACE_OTHER && sys < STRACE_NR_SYS ? sys_names[sys] : "other";
}

/* ---- scanning ---- */

struct scan {
	const char *p, *end;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

static bool at(const struct scan *s, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(s->end - s->p) >= n && !memcmp(s->p, word, n);
}

static void skip_spaces(struct scan *s)
{
	while (s->p < s->end && *s->p == ' ')
		s->p++;
}

/* A hex digit's value plus one; 0 for any other character. */
static const unsigned char hex_digit[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
	['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/*
 * A number as strace prints one: decimal, 0x hex, 0 octal, with a sign.
 * false if no digit starts here.  Overflow wraps, as the C types it
 * stands for do.
 */
static bool scan_number(struct scan *s, unsigned long long *out)
{
	const char *p = s->p;
	bool neg = false;
	unsigned long long v = 0;

	if (p < s->end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (p >= s->end || !is_digit(*p))
		return false;
	if (*p == '0' && p + 1 < s->end && (p[1] == 'x' || p[1] == 'X')) {
		const char *d = p += 2;

		for (; p < s->end && hex_digit[(unsigned char)*p]; p++)
			v = v << 4 | (unsigned int)(hex_digit[(unsigned char)*p] - 1);
		if (p == d)
			return false;
	} else if (*p == '0') {
		for (p++; p < s->end && *p >= '0' && *p <= '7'; p++)
			v = v << 3 | (unsigned int)(*p - '0');
	} else {
		for (; p < s->end && is_digit(*p); p++)
			v = v * 10 + (unsigned int)(*p - '0');
	}
	s->p = p;
	*out = neg ? -v : v;
	return true;
}

/* A quoted string: past the closing quote and strace's "..." for a cut one; false if unclosed. */
static bool skip_string(struct scan *s)
{
	const char *p = s->p + 1;

	while (p < s->end && *p != '"')
		p += *p == '\\' && p + 1 < s->end ? 2 : 1;
	if (p >= s->end)
		return false;
	p++;
	if (s->end - p >= 3 && !memcmp(p, "...", 3))
		p += 3;
	s->p = p;
	return true;
}

/*
 * One argument's end: the comma or closing parenthesis at depth 0 (the
 * brackets, braces and quotes inside balanced).  Returns the end, or
 * NULL if the line ends first.
 */
static const char *arg_end(const struct scan *s)
{
	struct scan t = *s;
	int depth = 0;

	while (t.p < t.end) {
		char c = *t.p;

		if (c == '"') {
			if (!skip_string(&t))
				return NULL;
			continue;
		}
		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if (c == ']' || c == '}')
			depth--;
		else if (c == ')') {
			if (depth == 0)
				return t.p;
			depth--;
		} else if (c == ',' && depth == 0)
			return t.p;
		t.p++;
	}
	return NULL;
}

/*
 * A value: a flag expression of names and numbers joined by '|' (a
 * lone number, NULL and a lone name are expressions too), read from @p
 * up to the first character that continues none: 0 with *@stop there;
 * -1 with *why for an unknown name; 1 for what is no value at all (a
 * structure, an array, a string, "~[...]"), which only matters if the
 * replay reads it.
 */
static int scan_value(const char *p, const char *end, unsigned long long *out,
		      const char **stop, const char **why)
{
	unsigned long long v = 0;

	for (;;) {
		struct scan s = { p, end };
		unsigned long long x;

		if (p >= end)
			return 1;
		if (scan_number(&s, &x)) {
			v |= x;
			p = s.p;
			if (p < end && *p == '<') {
				/* -y: "3</etc/ld.so.cache>", the descriptor's path after it */
				const char *gt = memchr(p, '>', (size_t)(end - p));

				if (!gt)
					return 1;
				p = gt + 1;
			}
		} else if (is_ident(*p)) {
			const char *n = p;
			const struct slot *sl;
			uint32_t h = 2166136261u;	/* name_hash, computed on the way */

			for (; p < end && is_ident(*p); p++)
				h = (h ^ (unsigned char)*p) * 16777619u;
			if (p - n == 4 && !memcmp(n, "NULL", 4)) {
				x = 0;
			} else {
				sl = slot_get_hashed(value_slots, NAME_SLOTS - 1, n, (size_t)(p - n), h);
				if (!sl) {
					*why = "unknown flag or constant name";
					return -1;
				}
				x = (unsigned long long)sl->v;
			}
			v |= x;
		} else {
			return 1;
		}
		if (p == end || *p != '|')
			break;
		p++;
	}
	*out = v;
	*stop = p;
	return 0;
}

/* The memory calls' arguments are all values: one that is not is an error there. */
static bool sys_args_are_values(enum strace_sys sys)
{
	return sys >= STRACE_MMAP && sys <= STRACE_LAST_MEMORY;
}

/* clone's named flags=, clone3's {flags=...}: the text after "flags=" within [p, end). */
static const char *find_flags(const char *p, const char *end)
{
	for (; end - p >= 6; p++)
		if (!memcmp(p, "flags=", 6) && (p[-1] == '{' || p[-1] == ' ' || p[-1] == '('))
			return p + 6;
	return NULL;
}

/*
 * The arguments from s->p (just past "(") to the closing parenthesis:
 * each into out->arg[] as a number where it is one.  With @partial (an
 * unfinished line) the text may end before the parenthesis.
 */
static int scan_args(struct scan *s, struct strace_call *out, bool partial, const char **why)
{
	const char *start = s->p;
	bool values = sys_args_are_values(out->sys);
	bool named = out->sys == STRACE_CLONE || out->sys == STRACE_CLONE3;

	if (s->p < s->end && *s->p == ')')
		return 0;		/* no arguments */
	for (int i = 0;; i++) {
		const char *v = s->p, *end, *stop = NULL;
		unsigned long long x = 0;
		int r;

		/* clone's key=value arguments: the value after '='. */
		if (named)
			for (const char *q = v; q + 1 < s->end && is_ident(*q); q++)
				if (q[1] == '=') {
					v = q + 2;
					break;
				}
		r = scan_value(v, s->end, &x, &stop, why);
		if (r < 0 && values)
			return -1;
		/* The value is the whole argument when a ',' or ')' follows it: the usual case, one pass. */
		if (r == 0 && stop < s->end && (*stop == ',' || *stop == ')')) {
			end = stop;
		} else {
			end = arg_end(s);
			if (!end) {
				if (!partial) {
					*why = "the arguments do not end with ')'";
					return -1;
				}
				end = s->end;
			}
			if (r == 0 && stop != end)
				r = 1;		/* a value and more: execve's "0x7ffd (37 vars)" */
			if (r && values && !partial) {
				*why = "an argument of a memory call is not a number or flags";
				return -1;
			}
			if (*v == '"' && out->pathlen < 0) {
				out->path = v + 1;
				out->pathlen = (int)(end - v - 1);
				while (out->pathlen > 0 && out->path[out->pathlen - 1] != '"')
					out->pathlen--;
				if (out->pathlen > 0)
					out->pathlen--;
			}
		}
		if (i < STRACE_MAX_ARGS) {
			out->arg[i] = r == 0 ? x : 0;
			out->nargs = i + 1;
		}
		s->p = end;
		if (s->p >= s->end || *s->p != ',')
			break;
		s->p++;
		skip_spaces(s);
	}
	if (named) {
		const char *f = find_flags(start, s->p);

		if (f) {
			const char *fe = f, *stop;
			int r;

			while (fe < s->p && *fe != ',' && *fe != '}' && *fe != ')')
				fe++;
			r = scan_value(f, fe, &out->clone_flags, &stop, why);
			if (r > 0 || (r == 0 && stop != fe))
				*why = "clone's flags= is not a flag expression";
			if (r || stop != fe)
				return -1;
		}
	}
	return 0;
}

/* " = RESULT[ ERRNO (text)][ <time>]" after the arguments' ")". */
static int scan_result(struct scan *s, struct strace_call *out, const char **why)
{
	unsigned long long v;

	/* clone3's " => {parent_tid=[N]}" between the arguments and the result. */
	if (at(s, " => ")) {
		const char *eq = s->p;

		while (eq < s->end && !(eq[0] == ' ' && eq + 2 < s->end && eq[1] == '=' && eq[2] == ' '))
			eq++;
		s->p = eq;
	}
	skip_spaces(s);
	if (s->p >= s->end || *s->p != '=') {
		*why = "expected '= RESULT' after the call";
		return -1;
	}
	s->p++;
	skip_spaces(s);
	if (s->p < s->end && *s->p == '?') {
		out->ret_known = false;
		return 0;
	}
	if (!scan_number(s, &v)) {
		*why = "the result is not a number";
		return -1;
	}
	out->ret_known = true;
	out->ret = (long long)v;
	skip_spaces(s);
	if (out->ret < 0 && s->p < s->end && *s->p == 'E') {
		const char *n = s->p;
		const struct slot *sl;

		while (s->p < s->end && is_ident(*s->p))
			s->p++;
		sl = slot_get(value_slots, NAME_SLOTS - 1, n, (size_t)(s->p - n));
		out->err = sl && n[0] == 'E' ? (int)sl->v : -1;
	} else if (out->ret < 0 && out->ret > -4096 && out->sys != STRACE_OTHER) {
		/* "= -1" without an errno name: strace always names it, so the line was cut. */
		*why = "a failed call without its errno";
		return -1;
	}
	return 0;
}

static enum strace_sys sys_lookup(const char *name, size_t len)
{
	const struct slot *s = slot_get(sys_slots, 63, name, len);

	return s ? (enum strace_sys)s->v : STRACE_OTHER;
}

/* A signal's name (SIGKILL) at s->p: @out is event @ev with its number as status. */
static int scan_signal_name(struct scan *s, struct strace_call *out, enum strace_event ev,
			    const char *missing, const char **why)
{
	const char *n = s->p;
	long long sig;

	while (s->p < s->end && is_ident(*s->p))
		s->p++;
	sig = strace_name_value(n, (size_t)(s->p - n));
	if (sig <= 0 || strncmp(n, "SIG", 3)) {
		*why = missing;
		return -1;
	}
	out->ev = ev;
	out->status = (int)sig;
	return 0;
}

/* "+++ exited with N +++", "+++ killed by SIGKILL (core dumped) +++", "+++ superseded ...". */
static int scan_exit(struct scan *s, struct strace_call *out, const char **why)
{
	unsigned long long v;

	s->p += 4;
	if (at(s, "exited with ")) {
		s->p += 12;
		if (!scan_number(s, &v)) {
			*why = "'+++ exited with' without a number";
			return -1;
		}
		out->ev = STRACE_EXITED;
		out->status = (int)v;
		return 0;
	}
	if (at(s, "killed by ")) {
		s->p += 10;
		return scan_signal_name(s, out, STRACE_KILLED, "'+++ killed by' without a signal name", why);
	}
	out->ev = STRACE_BLANK;		/* "+++ superseded by execve in pid N +++" */
	return 0;
}

/* "--- SIGSEGV {si_signo=...} ---": the signal, delivered (the replay does not act on it). */
static int scan_signal(struct scan *s, struct strace_call *out, const char **why)
{
	s->p += 4;
	return scan_signal_name(s, out, STRACE_SIGNAL, "'---' without a signal name", why);
}

/* "1234 " or "[pid 1234] ", then "12:34:56[.123456] ", "1700000000.123456 ", "   0.000123 ". */
static void scan_prefix(struct scan *s, struct strace_call *out)
{
	unsigned long long v;
	struct scan t;

	if (at(s, "[pid ")) {
		t = (struct scan){ s->p + 5, s->end };
		skip_spaces(&t);
		if (scan_number(&t, &v) && t.p < t.end && *t.p == ']') {
			out->pid = (int)v;
			s->p = t.p + 1;
			skip_spaces(s);
		}
	}
	for (int round = 0; round < 2; round++) {
		t = *s;
		skip_spaces(&t);
		bool is_time = false;

		if (t.p >= t.end || !is_digit(*t.p))
			return;
		for (; t.p < t.end && (is_digit(*t.p) || *t.p == ':' || *t.p == '.'); t.p++)
			is_time |= !is_digit(*t.p);
		if (t.p >= t.end || *t.p != ' ')
			return;
		if (!is_time) {
			if (out->pid || round)
				return;		/* a second bare number is not a prefix */
			scan_number(s, &v);
			out->pid = (int)v;
		}
		s->p = t.p;
		skip_spaces(s);
	}
}

int strace_parse_line(const char *line, size_t len, struct strace_call *out, const char **why)
{
	struct scan s = { line, line + len };
	const char *name;

	build_tables();
	memset(out, 0, sizeof(*out));
	out->pathlen = -1;
	if (len && line[len - 1] == '\r')
		s.end--;
	scan_prefix(&s, out);
	if (s.p >= s.end || at(&s, "strace: ")) {
		out->ev = STRACE_BLANK;
		return 0;
	}
	if (at(&s, "+++ "))
		return scan_exit(&s, out, why);
	if (at(&s, "--- "))
		return scan_signal(&s, out, why);
	if (at(&s, "<... ")) {
		name = s.p += 5;
		while (s.p < s.end && is_ident(*s.p))
			s.p++;
		out->sys = sys_lookup(name, (size_t)(s.p - name));
		if (!at(&s, " resumed>")) {
			*why = "'<... NAME' without 'resumed>'";
			return -1;
		}
		s.p += 9;
		out->ev = STRACE_RESUMED;
		out->rest = s.p;
		out->restlen = (int)(s.end - s.p);
		return 0;
	}
	name = s.p;
	while (s.p < s.end && is_ident(*s.p))
		s.p++;
	if (s.p == name || s.p >= s.end || *s.p != '(') {
		*why = "not a system call (NAME(...)), an exit (+++) or a signal (---)";
		return -1;
	}
	out->sys = sys_lookup(name, (size_t)(s.p - name));
	s.p++;
	out->rest = s.p;
	out->restlen = (int)(s.end - s.p);
	if (s.end - s.p >= 16 && !memcmp(s.end - 16, "<unfinished ...>", 16)) {
		out->ev = STRACE_UNFINISHED;
		s.end -= 16;
		while (s.end > s.p && s.end[-1] == ' ')
			s.end--;
		out->restlen = (int)(s.end - s.p);
		return out->sys == STRACE_OTHER ? 0 : scan_args(&s, out, true, why);
	}
	out->ev = STRACE_CALL;
	if (out->sys == STRACE_OTHER) {
		/* Not read, but it must still look like a call that returned. */
		const char *eq = memchr(s.p, '=', (size_t)(s.end - s.p));

		if (!eq || !memchr(s.p, ')', (size_t)(s.end - s.p))) {
			*why = "a call without ') = RESULT'";
			return -1;
		}
		return 0;
	}
	if (scan_args(&s, out, false, why))
		return -1;
	if (s.p >= s.end || *s.p != ')') {
		*why = "the arguments do not end with ')'";
		return -1;
	}
	s.p++;
	return scan_result(&s, out, why);
}

/* ---- execve's strings ---- */

static int octal_digit(char c)
{
	return c >= '0' && c <= '7' ? c - '0' : -1;
}

/*
 * The quoted string at s->p (on its '"'), unescaped as strace escapes:
 * \\ \" \t \n \v \f \r, \NNN octal (1-3 digits) and \xHH (-x).  A
 * malloc'd string past the closing quote and a "..." (which sets *cut);
 * NULL if unclosed or out of memory.
 */
static char *scan_string(struct scan *s, bool *cut)
{
	static const char simple[256] = { ['\\'] = '\\', ['"'] = '"', ['t'] = '\t', ['n'] = '\n',
					  ['v'] = '\v', ['f'] = '\f', ['r'] = '\r', ['a'] = '\a',
					  ['b'] = '\b', ['e'] = 033 };
	struct scan t = *s;
	char *out, *o;

	if (!skip_string(&t))
		return NULL;
	out = o = malloc((size_t)(t.p - s->p));
	if (!out)
		return NULL;
	for (const char *p = s->p + 1; *p != '"'; p++) {
		unsigned char e;
		int v = 0, d = 0;

		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		e = (unsigned char)*++p;
		if (simple[e]) {
			*o++ = simple[e];
		} else if (e == 'x') {
			while (d < 2 && hex_digit[(unsigned char)p[1]])
				v = v << 4 | (hex_digit[(unsigned char)*++p] - 1), d++;
			*o++ = (char)v;
		} else if (octal_digit((char)e) >= 0) {
			for (p--; d < 3 && octal_digit(p[1]) >= 0; d++)
				v = v << 3 | octal_digit(*++p);
			*o++ = (char)v;
		} else {
			*o++ = (char)e;
		}
	}
	*o = 0;
	*cut |= t.p - s->p >= 3 && !memcmp(t.p - 3, "...", 3);
	s->p = t.p;
	return out;
}

/* strace's comment "/\* 37 vars *\/": the count; -1 if the text at @p is no such comment. */
static int vars_comment(const char *p, const char *end)
{
	struct scan s = { p, end };
	unsigned long long n;

	if (!at(&s, "/* "))
		return -1;
	s.p += 3;
	if (!scan_number(&s, &n) || !at(&s, " var"))
		return -1;
	return (int)n;
}

void strace_strings_free(struct strace_strings *s)
{
	for (int i = 0; s->v && s->v[i]; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
}

int strace_execve_strings(const struct strace_call *sc, int which, struct strace_strings *out,
			  const char **why)
{
	struct scan s = { sc->rest, sc->rest + (sc->restlen > 0 ? sc->restlen : 0) };
	const char *end;
	int cap = 0;

	*out = (struct strace_strings){ .n = -1 };
	for (int i = 0; i < which; i++) {
		end = arg_end(&s);
		if (!end || *end != ',')
			goto bad;
		s.p = end + 1;
		skip_spaces(&s);
	}
	end = arg_end(&s);
	if (!end)
		goto bad;
	s.end = end;
	if (s.p >= s.end || *s.p != '[') {
		/* "0x7ffd4c1e6a58 /\* 37 vars *\/": the address and the count */
		const char *c = memchr(s.p, '/', (size_t)(s.end - s.p));

		out->n = c ? vars_comment(c, s.end) : -1;
		return 0;
	}
	s.p++;
	out->n = 0;
	for (;;) {
		skip_spaces(&s);
		if (s.p < s.end && *s.p == ']')
			return 0;
		if (at(&s, "...")) {
			out->cut = true;
			s.p += 3;
		} else if (s.p < s.end && *s.p == '"') {
			if (out->n + 2 > cap) {
				char **nv = realloc(out->v, (size_t)(cap = cap ? cap * 2 : 8) * sizeof(*nv));

				if (!nv)
					goto nomem;
				out->v = nv;
			}
			out->v[out->n] = scan_string(&s, &out->cut);
			if (!out->v[out->n])
				goto nomem;
			out->v[++out->n] = NULL;
		} else if (vars_comment(s.p, s.end) >= 0) {
			/* old strace: "[/\* 37 vars *\/]" */
			strace_strings_free(out);
			out->n = vars_comment(s.p, s.end);
			return 0;
		} else {
			goto bad;
		}
		skip_spaces(&s);
		if (s.p < s.end && *s.p == ',')
			s.p++;
		else if (s.p >= s.end || *s.p != ']')
			goto bad;
	}
nomem:
	strace_strings_free(out);
	*why = "out of memory";
	return -1;
bad:
	strace_strings_free(out);
	*why = which == 1 ? "execve's argv is not an array of strings" :
			    "execve's envp is not an array of strings or its count";
	return -1;
}

/* ---- joining unfinished and resumed halves ---- */

struct strace_pending {
	int pid;
	enum strace_sys sys;
	char *text;			/* "NAME(" and the arguments so far */
	size_t len, cap;
};

static struct strace_pending *pending_find(const struct strace_reader *r, int pid)
{
	for (int i = 0; i < r->npend; i++)
		if (r->pend[i].pid == pid && r->pend[i].text)
			return &r->pend[i];
	return NULL;
}

bool strace_reader_pending(const struct strace_reader *r, int pid, enum strace_sys sys)
{
	const struct strace_pending *p = pending_find(r, pid);

	return p && (sys == STRACE_OTHER || p->sys == sys);
}

static bool grow(char **buf, size_t *cap, size_t need)
{
	char *nb;

	if (need <= *cap)
		return true;
	nb = realloc(*buf, need * 2);
	if (!nb)
		return false;
	*buf = nb;
	*cap = need * 2;
	return true;
}

/* Keep @c's unfinished half (a second one for the same pid replaces the first, as strace's would). */
static int pending_add(struct strace_reader *r, const struct strace_call *c, const char **why)
{
	struct strace_pending *p = pending_find(r, c->pid);
	const char *name = strace_sys_name(c->sys);
	size_t nlen;

	if (!p) {
		for (int i = 0; i < r->npend && !p; i++)
			if (!r->pend[i].text)
				p = &r->pend[i];
		if (!p) {
			if (r->npend == r->cappend) {
				int cap = r->cappend ? r->cappend * 2 : 8;
				struct strace_pending *np = realloc(r->pend, (size_t)cap * sizeof(*np));

				if (!np)
					goto nomem;
				memset(np + r->cappend, 0, (size_t)(cap - r->cappend) * sizeof(*np));
				r->pend = np;
				r->cappend = cap;
			}
			p = &r->pend[r->npend++];
		}
		p->pid = c->pid;
	}
	/* An ignored call's name is not kept: its resumed half is ignored whole. */
	nlen = c->sys == STRACE_OTHER ? 0 : strlen(name);
	if (!grow(&p->text, &p->cap, nlen + 1 + (size_t)c->restlen + 1))
		goto nomem;
	memcpy(p->text, name, nlen);
	p->text[nlen] = '(';
	memcpy(p->text + nlen + 1, c->rest, (size_t)c->restlen);
	p->len = nlen + 1 + (size_t)c->restlen;
	p->sys = c->sys;
	return 0;
nomem:
	*why = "out of memory";
	return -1;
}

int strace_reader_feed(struct strace_reader *r, const char *line, size_t len,
		       struct strace_call *out, const char **why)
{
	struct strace_pending *p;
	int pid;

	if (strace_parse_line(line, len, out, why))
		return -1;
	if (out->ev == STRACE_UNFINISHED)
		return pending_add(r, out, why);
	if (out->ev != STRACE_RESUMED)
		return 0;
	pid = out->pid;
	p = pending_find(r, pid);
	if (!p || p->sys != out->sys) {
		*why = p ? "resumed a call other than the one unfinished" : "resumed a call that was never unfinished";
		return -1;
	}
	if (p->sys == STRACE_OTHER) {
		free(p->text);
		p->text = NULL;
		p->cap = 0;
		out->ev = STRACE_CALL;
		return 0;
	}
	if (!grow(&r->joined, &r->joinedcap, p->len + (size_t)out->restlen + 1)) {
		*why = "out of memory";
		return -1;
	}
	memcpy(r->joined, p->text, p->len);
	memcpy(r->joined + p->len, out->rest, (size_t)out->restlen);
	len = p->len + (size_t)out->restlen;
	r->joined[len] = 0;
	free(p->text);
	p->text = NULL;
	p->cap = 0;
	if (strace_parse_line(r->joined, len, out, why))
		return -1;
	out->pid = pid;
	return 0;
}

void strace_reader_free(struct strace_reader *r)
{
	for (int i = 0; i < r->npend; i++)
		free(r->pend[i].text);
	free(r->pend);
	free(r->joined);
	memset(r, 0, sizeof(*r));
}

const char *strace_errno_name(int err)
{
	for (size_t i = 0; i < sizeof(value_names) / sizeof(value_names[0]); i++)
		if (value_names[i].name[0] == 'E' && value_names[i].v == err)
			return value_names[i].name;
	return "E?";
}
