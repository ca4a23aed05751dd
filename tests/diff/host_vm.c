/*
 * host_vm.c - the host kernel's side of the address-space differential
 * test (tests/diff/vmdiff.py): it performs a list of memory system calls
 * in a fresh process and prints what each returned and what
 * /proc/self/maps shows afterwards.
 *
 * Input (stdin), one command a line; numbers in decimal or 0x hex:
 *
 *   seq ID                              a sequence begins
 *   mmap ADDR LEN PROT FLAGS FD OFF     the raw system call, as numbers
 *   munmap ADDR LEN
 *   mprotect ADDR LEN PROT
 *   mremap OLD OLDLEN NEWLEN FLAGS [NEW]
 *   brk DELTA                           brk(brk0 + DELTA), DELTA signed
 *   brk query                           brk(0)
 *   touch ADDR                          write one byte at ADDR
 *   touchbrk DELTA                      write one byte at brk0 + DELTA
 *   end                                 the sequence ends: run it
 *
 * Each sequence runs in its own child, forked from this process before
 * any of its calls, so that sequences cannot see each other.  The child
 * prints:
 *
 *   seq ID
 *   brk0 0xADDR                         brk(0) before the first call
 *   op 0 0 0                            the start (no VMA in the regions)
 *   op N RET ERRNO                      RET as the C call returns it: an
 *                                       address in hex, 0, or -1; ERRNO 0
 *                                       when RET is not -1; a touch that
 *                                       faults prints "-1 SIGSEGV"
 *   vma START END PERMS OFFSET [NAME]   each VMA of /proc/self/smaps that
 *                                       meets the region or the heap region
 *   flags FLAG...                       its VmFlags (rd wr ... ac gd): what
 *                                       vmdiff.py's by-design rules read
 *   end ID
 *
 * The region (--region START LEN) and the heap region ([brk0, brk0 +
 * --heap LEN)) must hold nothing when the child starts: a child that
 * finds something there prints "busy ID LINE" and the run fails.  A child
 * that dies prints nothing more; this process then prints "crash ID
 * STATUS".
 *
 * Nothing here uses malloc or stdio, so the process's brk is where exec
 * left it and the child's address space holds only the program, its
 * libraries and its stack.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_OPS 65536
#define MAX_ARGS 6

enum op_kind { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MREMAP, OP_BRK, OP_BRK_QUERY, OP_TOUCH, OP_TOUCH_BRK };

struct op {
	enum op_kind kind;
	int nargs;
	unsigned long arg[MAX_ARGS];
};

static struct op ops[MAX_OPS];
static int nr_ops;
static char seq_id[64];

static unsigned long region_start = 0x600000000000UL;
static unsigned long region_len = 0x40000000UL;	/* 1 GiB */
static unsigned long heap_len = 0x10000000UL;	/* 256 MiB above brk0 */

/* Output: one buffer, written with write(2) when full and at the end. */
static char out[1 << 16];
static size_t out_len;

static void out_flush(void)
{
	size_t done = 0;

	while (done < out_len) {
		ssize_t n = write(1, out + done, out_len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			_exit(4);
		}
		done += (size_t)n;
	}
	out_len = 0;
}

static void out_str(const char *s)
{
	size_t n = strlen(s);

	if (out_len + n > sizeof(out))
		out_flush();
	if (n > sizeof(out))
		_exit(4);
	memcpy(out + out_len, s, n);
	out_len += n;
}

static void out_hex(unsigned long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%lx", v);
	out_str(buf);
}

static void out_long(long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	out_str(buf);
}

static void die(const char *msg, const char *line)
{
	out_flush();
	dprintf(2, "host_vm: %s%s%s\n", msg, line ? ": " : "", line ? line : "");
	exit(2);
}

/* A number in decimal, 0x hex or with a leading '-'; false if it is not one. */
static bool parse_num(const char *s, unsigned long *v)
{
	bool neg = false;
	char *end;

	if (*s == '-') {
		neg = true;
		s++;
	}
	if (!*s)
		return false;
	errno = 0;
	*v = strtoul(s, &end, 0);
	if (errno || *end)
		return false;
	if (neg)
		*v = -*v;
	return true;
}

/* Splits LINE at blanks in place; returns the number of words. */
static int split(char *line, char **word, int max)
{
	int n = 0;

	for (char *p = line; *p;) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return max + 1;
		word[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return n;
}

/* ---- the child: the calls and the maps ---- */

static sigjmp_buf touch_env;
static volatile sig_atomic_t touch_signal;

static void touch_handler(int sig)
{
	touch_signal = sig;
	siglongjmp(touch_env, 1);
}

static bool meets(unsigned long start, unsigned long end, unsigned long lo, unsigned long len)
{
	return start < lo + len && end > lo;
}

static char maps[1 << 20];

/* Prints the VMAs meeting the region or [brk0, brk0 + heap_len), each
 * with its VmFlags; with CHECK_FREE, returns false on the first such VMA
 * instead.  smaps holds a maps line per VMA ("START-END PERMS OFFSET DEV
 * INODE [NAME]") followed by "Key: value" lines, VmFlags the last. */
static bool print_maps(unsigned long brk0, bool check_free)
{
	size_t len = 0;
	bool shown = false;	/* the current VMA was printed: print its flags */
	int fd = open("/proc/self/smaps", O_RDONLY);

	if (fd < 0)
		_exit(5);
	for (;;) {
		ssize_t n = read(fd, maps + len, sizeof(maps) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			_exit(5);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == sizeof(maps) - 1)
			_exit(5);
	}
	close(fd);
	maps[len] = 0;

	for (char *line = maps, *next; *line; line = next) {
		unsigned long start, end, off;
		char perms[8];
		int name_at = 0;
		size_t key = strcspn(line, " :\n");

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		else
			next = line + strlen(line);
		if (line[key] == ':') {	/* a "Key: value" line of the VMA above */
			if (shown && !strncmp(line, "VmFlags:", 8)) {
				out_str("flags");
				out_str(line + 8);
				out_str("\n");
				shown = false;
			}
			continue;
		}
		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %n", &start, &end, perms, &off,
			   &name_at) < 4)
			_exit(5);
		shown = false;
		if (!meets(start, end, region_start, region_len) &&
		    !meets(start, end, brk0, heap_len))
			continue;
		if (check_free) {
			out_str("busy ");
			out_str(seq_id);
			out_str(" ");
			out_str(line);
			out_str("\n");
			return false;
		}
		out_str("vma ");
		out_hex(start);
		out_str(" ");
		out_hex(end);
		out_str(" ");
		out_str(perms);
		out_str(" ");
		out_hex(off);
		if (name_at > 0 && line[name_at]) {
			out_str(" ");
			out_str(line + name_at);
		}
		out_str("\n");
		shown = true;
	}
	return true;
}

/* Writes one byte at ADDR; returns 0, or the signal the write raised. */
static int touch(unsigned long addr)
{
	touch_signal = 0;
	if (sigsetjmp(touch_env, 1) == 0)
		*(volatile unsigned char *)addr = 1;
	return touch_signal;
}

static void run_op(int n, const struct op *op, unsigned long brk0)
{
	const unsigned long *a = op->arg;
	long ret = 0;
	int err = 0;
	bool addr_ret = false;
	const char *sig = NULL;

	errno = 0;
	switch (op->kind) {
	case OP_MMAP:
		ret = syscall(SYS_mmap, a[0], a[1], a[2], a[3], a[4], a[5]);
		addr_ret = true;
		break;
	case OP_MUNMAP:
		ret = syscall(SYS_munmap, a[0], a[1]);
		break;
	case OP_MPROTECT:
		ret = syscall(SYS_mprotect, a[0], a[1], a[2]);
		break;
	case OP_MREMAP:
		ret = syscall(SYS_mremap, a[0], a[1], a[2], a[3], op->nargs > 4 ? a[4] : 0);
		addr_ret = true;
		break;
	case OP_BRK:
		/* The system call itself: it returns the brk, failed or not. */
		ret = syscall(SYS_brk, brk0 + a[0]);
		addr_ret = true;
		break;
	case OP_BRK_QUERY:
		ret = syscall(SYS_brk, 0);
		addr_ret = true;
		break;
	case OP_TOUCH:
	case OP_TOUCH_BRK:
		switch (touch(op->kind == OP_TOUCH ? a[0] : brk0 + a[0])) {
		case 0:
			break;
		case SIGBUS:
			ret = -1;
			sig = "SIGBUS";
			break;
		default:
			ret = -1;
			sig = "SIGSEGV";
			break;
		}
		break;
	}
	if (ret == -1 && !sig)
		err = errno;

	out_str("op ");
	out_long(n);
	out_str(" ");
	if (ret == -1 || !addr_ret)
		out_long(ret);
	else
		out_hex((unsigned long)ret);
	out_str(" ");
	if (sig)
		out_str(sig);
	else
		out_long(err);
	out_str("\n");
}

static void run_child(void)
{
	struct sigaction sa;
	unsigned long brk0 = syscall(SYS_brk, 0);

	alarm(30); /* a sequence that broke its own process stops here, not later */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = touch_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	if (!print_maps(brk0, true)) {
		out_flush();
		_exit(3);
	}
	out_str("seq ");
	out_str(seq_id);
	out_str("\nbrk0 ");
	out_hex(brk0);
	out_str("\nop 0 0 0\n");
	for (int i = 0; i < nr_ops; i++) {
		run_op(i + 1, &ops[i], brk0);
		print_maps(brk0, false);
	}
	out_str("end ");
	out_str(seq_id);
	out_str("\n");
	out_flush();
	_exit(0);
}

static void run_sequence(void)
{
	int status;
	pid_t pid;

	out_flush();
	pid = fork();
	if (pid < 0)
		die("fork failed", NULL);
	if (pid == 0)
		run_child();
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid failed", NULL);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char buf[64];

		if (WIFSIGNALED(status))
			snprintf(buf, sizeof(buf), " signal %d\n", WTERMSIG(status));
		else
			snprintf(buf, sizeof(buf), " status %d\n", WEXITSTATUS(status));
		out_str("crash ");
		out_str(seq_id);
		out_str(buf);
		out_flush();
		if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
			exit(3); /* the region is not free: no sequence can run */
	}
}

/* ---- the parent: reading the sequences ---- */

static void parse_line(char *line)
{
	static bool in_seq;
	char copy[512];
	char *w[MAX_ARGS + 2];
	int n;
	struct op *op;

	snprintf(copy, sizeof(copy), "%s", line);
	n = split(line, w, MAX_ARGS + 1);
	if (n == 0)
		return;
	if (n > MAX_ARGS + 1)
		die("too many words", copy);
	if (!strcmp(w[0], "seq")) {
		if (in_seq || n != 2)
			die("bad seq line", copy);
		snprintf(seq_id, sizeof(seq_id), "%s", w[1]);
		nr_ops = 0;
		in_seq = true;
		return;
	}
	if (!in_seq)
		die("a command outside seq ... end", copy);
	if (!strcmp(w[0], "end")) {
		run_sequence();
		in_seq = false;
		return;
	}
	if (nr_ops == MAX_OPS)
		die("too many operations in one sequence", copy);
	op = &ops[nr_ops];
	op->nargs = n - 1;
	if (!strcmp(w[0], "mmap") && n == 7)
		op->kind = OP_MMAP;
	else if (!strcmp(w[0], "munmap") && n == 3)
		op->kind = OP_MUNMAP;
	else if (!strcmp(w[0], "mprotect") && n == 4)
		op->kind = OP_MPROTECT;
	else if (!strcmp(w[0], "mremap") && (n == 5 || n == 6))
		op->kind = OP_MREMAP;
	else if (!strcmp(w[0], "brk") && n == 2 && !strcmp(w[1], "query"))
		op->kind = OP_BRK_QUERY, op->nargs = 0;
	else if (!strcmp(w[0], "brk") && n == 2)
		op->kind = OP_BRK;
	else if (!strcmp(w[0], "touch") && n == 2)
		op->kind = OP_TOUCH;
	else if (!strcmp(w[0], "touchbrk") && n == 2)
		op->kind = OP_TOUCH_BRK;
	else
		die("unknown command or wrong number of arguments", copy);
	for (int i = 0; i < op->nargs; i++)
		if (!parse_num(w[i + 1], &op->arg[i]))
			die("not a number", copy);
	nr_ops++;
}

static char in[1 << 16];

int main(int argc, char **argv)
{
	size_t have = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--region") && i + 2 < argc) {
			if (!parse_num(argv[i + 1], &region_start) ||
			    !parse_num(argv[i + 2], &region_len))
				die("--region START LEN: not numbers", NULL);
			i += 2;
		} else if (!strcmp(argv[i], "--heap") && i + 1 < argc) {
			if (!parse_num(argv[++i], &heap_len))
				die("--heap LEN: not a number", NULL);
		} else {
			die("usage: host_vm [--region START LEN] [--heap LEN] < OPS", NULL);
		}
	}

	for (;;) {
		ssize_t n = read(0, in + have, sizeof(in) - 1 - have);
		char *line, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read failed", NULL);
		have += (size_t)n;
		in[have] = 0;
		line = in;
		while ((nl = strchr(line, '\n'))) {
			*nl = 0;
			parse_line(line);
			line = nl + 1;
		}
		if (n == 0) {
			if (*line)
				parse_line(line);
			break;
		}
		have -= (size_t)(line - in);
		memmove(in, line, have);
		if (have == sizeof(in) - 1)
			die("line too long", NULL);
	}
	out_flush();
	return 0;
}
